/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plans: the patent's figures, N+M clusters, the shared-adapter policy,
 * formats, bad input, and a property test over random clusters.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <sys/socket.h>

#include "prop.h"
#include "test-common.h"

static void node(struct ipto_pool *pool, const char *name, const char *ips,
		 const char *macs)
{
	char buf[512], *tok, *save;

	ck_assert_int_eq(ipto_pool_add_node(pool, name), 0);
	snprintf(buf, sizeof(buf), "%s", ips);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		ck_assert_int_eq(add_ip(pool, name, tok), 0);
	}
	snprintf(buf, sizeof(buf), "%s", macs);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		struct ipto_mac m = test_mac(tok);

		ck_assert_int_eq(ipto_pool_add_node_mac(pool, name, &m), 0);
	}
}

static void standby(struct ipto_pool *pool, const char *name)
{
	ck_assert_int_eq(ipto_pool_add_standby(pool, name), 0);
}

static void adapter(struct ipto_pool *pool, const char *sb, const char *ifname,
		    const char *mac, unsigned int flags)
{
	struct ipto_mac m = test_mac(mac);

	ck_assert_int_eq(ipto_pool_add_adapter(pool, sb, ifname, &m, flags), 0);
}

static struct ipto_plan *plan_of(struct ipto_pool *pool,
				 const char *const *nodes, size_t n,
				 unsigned int flags)
{
	IPTO_OPTS(ipto_plan_opts, o, .flags = flags);
	struct ipto_plan *plan = NULL;
	int r = ipto_plan_new_takeover(pool, nodes, n, &o, &plan);

	ck_assert_msg(r == 0, "takeover plan failed: %s", ipto_strerror(r));
	return plan;
}

static struct ipto_plan_step step(const struct ipto_plan *plan, size_t i)
{
	struct ipto_plan_step s = { .sz = sizeof(s) };

	ck_assert_int_eq(ipto_plan_get_step(plan, i, &s), 0);
	return s;
}

static char *fmt(const struct ipto_plan *plan, enum ipto_format f)
{
	char *out = NULL;

	ck_assert_int_eq(ipto_plan_format(plan, f, &out), 0);
	ck_assert_ptr_nonnull(out);
	return out;
}

static void assert_step(const struct ipto_plan *plan, size_t i,
			const char *node_name, const char *ip,
			const char *sb, const char *ifname, const char *mac,
			const char *target, unsigned int flags)
{
	struct ipto_plan_step s = step(plan, i);
	struct ipto_addr a = test_addr(ip), t = test_addr(target);
	struct ipto_mac m = test_mac(mac);

	ck_assert_str_eq(s.node, node_name);
	ck_assert_msg(ipto_addr_compare(&s.ip, &a) == 0, "step %zu: wrong IP", i);
	ck_assert_str_eq(s.standby, sb);
	ck_assert_str_eq(s.ifname, ifname);
	ck_assert_msg(ipto_mac_equal(&s.mac, &m), "step %zu: wrong MAC", i);
	ck_assert_msg(ipto_addr_compare(&s.announce_target, &t) == 0,
		      "step %zu: wrong announcement target", i);
	ck_assert_uint_eq(s.flags, flags);
}

/* ------------------------------------------------------------------ */
/* The patent's figures                                                */
/* ------------------------------------------------------------------ */

/* Fig. 2: one active node with one IP "C"; the standby's adapter 29 is
 * its management adapter only, adapter 30 takes C over with its own MAC
 * "e" and announces to the broadcast address. */
START_TEST(fig2_one_ip)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	const char *failed[] = { "op28" };
	struct ipto_plan *plan;
	char *text, *json;

	node(pool, "op28", "192.0.2.3/24", "02:00:00:00:00:27");
	standby(pool, "sb32");
	adapter(pool, "sb32", "lan30", "02:00:00:00:00:0e", 0);
	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 1);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 1);
	ck_assert_int_eq(ipto_pool_check(pool), 0);
	plan = plan_of(pool, failed, 1, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 1);
	ck_assert_int_eq(step(plan, 0).action, IPTO_PLAN_ACTION_BIND);
	assert_step(plan, 0, "op28", "192.0.2.3/24", "sb32", "lan30",
		    "02:00:00:00:00:0e", "192.0.2.255", 0);
	text = fmt(plan, IPTO_FORMAT_TEXT);
	ck_assert_str_eq(text,
			 "takeover plan: 1 node, 1 step\n"
			 "nodes: op28\n"
			 "bind 192.0.2.3/24 of op28 on sb32 lan30 02:00:00:00:00:0e, announce to 192.0.2.255\n");
	json = fmt(plan, IPTO_FORMAT_JSON);
	ck_assert_str_eq(json,
			 "{\"kind\":\"takeover\",\"nodes\":[\"op28\"],\"steps\":["
			 "{\"action\":\"bind\",\"node\":\"op28\",\"ip\":\"192.0.2.3/24\","
			 "\"standby\":\"sb32\",\"ifname\":\"lan30\",\"mac\":\"02:00:00:00:00:0e\","
			 "\"announce_target\":\"192.0.2.255\",\"management\":false,\"shared\":false}]}\n");
	free(text);
	free(json);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
}
END_TEST

/* Fig. 4: one node with IPs C and D; the standby's management adapter 50
 * doubles as a takeover adapter, and dedicated adapter 51 is used first
 * ([0093]). Two adapters for two IPs: the capacity rule, exactly. */
START_TEST(fig4_two_ips_spare_and_management)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	const char *failed[] = { "op49" };
	struct ipto_plan *plan, *rel;

	/* added D before C, and the management adapter first */
	node(pool, "op49", "192.0.2.4/24 192.0.2.3/24",
	     "02:00:00:00:00:47 02:00:00:00:00:48");
	standby(pool, "sb53");
	adapter(pool, "sb53", "lan50", "02:00:00:00:00:50",
		IPTO_ADAPTER_MANAGEMENT);
	adapter(pool, "sb53", "lan51", "02:00:00:00:00:51", 0);
	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 2);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 2);
	ck_assert_int_eq(ipto_pool_check(pool), 0);
	plan = plan_of(pool, failed, 1, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 2);
	assert_step(plan, 0, "op49", "192.0.2.3/24", "sb53", "lan51",
		    "02:00:00:00:00:51", "192.0.2.255", 0);
	assert_step(plan, 1, "op49", "192.0.2.4/24", "sb53", "lan50",
		    "02:00:00:00:00:50", "192.0.2.255",
		    IPTO_PLAN_STEP_MANAGEMENT);
	/* failback gives both back */
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 0);
	ck_assert_int_eq(ipto_plan_new_release(pool, failed, 1, &rel), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(rel), 2);
	ck_assert_int_eq(step(rel, 0).action, IPTO_PLAN_ACTION_UNBIND);
	assert_step(rel, 0, "op49", "192.0.2.3/24", "sb53", "lan51",
		    "02:00:00:00:00:51", "192.0.2.255", 0);
	assert_step(rel, 1, "op49", "192.0.2.4/24", "sb53", "lan50",
		    "02:00:00:00:00:50", "192.0.2.255",
		    IPTO_PLAN_STEP_MANAGEMENT);
	ck_assert_int_eq(ipto_pool_commit(pool, rel), 0);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 2);
	ipto_plan_unref(plan);
	ipto_plan_unref(rel);
	ipto_pool_unref(pool);
}
END_TEST

/* Fig. 1 with [0063]: fig1_pool() of test-common.c. */
START_TEST(fig1_two_nodes_two_adapters)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = fig1_pool(ctx);
	const char *op6[] = { "op6" }, *op8[] = { "op8" };
	const char *both[] = { "op8", "op6" };
	struct ipto_plan *plan, *keep = (struct ipto_plan *)&log;
	IPTO_OPTS(ipto_plan_opts, share, .flags = IPTO_PLAN_SHARE_ADAPTERS);

	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 2);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 2);
	ck_assert_int_eq(ipto_pool_check(pool), 0);

	plan = plan_of(pool, op6, 1, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 2);
	assert_step(plan, 0, "op6", "192.0.2.1/24", "sb13", "lan10",
		    "02:00:00:00:00:0a", "192.0.2.255", 0);
	assert_step(plan, 1, "op6", "192.0.2.2/24", "sb13", "lan9",
		    "02:00:00:00:00:09", "192.0.2.255",
		    IPTO_PLAN_STEP_MANAGEMENT);
	ipto_plan_unref(plan);

	plan = plan_of(pool, op8, 1, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 1);
	assert_step(plan, 0, "op8", "192.0.2.3/24", "sb13", "lan10",
		    "02:00:00:00:00:0a", "192.0.2.255", 0);
	ipto_plan_unref(plan);

	/* both at once need three adapters: a clear error, no plan */
	ck_assert_int_eq(ipto_plan_new_takeover(pool, both, 2, NULL, &keep), -ENOSPC);
	ck_assert_ptr_eq(keep, (struct ipto_plan *)&log);
	ck_assert_log(&log, "node op8 has 1 IPs, standby sb13 has the most free usable adapters, 0: 1 missing (1 of the 2 failed nodes placed before it)");

	/* ... unless the operator accepts shared MACs */
	ck_assert_int_eq(ipto_plan_new_takeover(pool, both, 2, &share, &plan), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 3);
	assert_step(plan, 0, "op6", "192.0.2.1/24", "sb13", "lan10",
		    "02:00:00:00:00:0a", "192.0.2.255", IPTO_PLAN_STEP_SHARED);
	assert_step(plan, 1, "op6", "192.0.2.2/24", "sb13", "lan9",
		    "02:00:00:00:00:09", "192.0.2.255",
		    IPTO_PLAN_STEP_MANAGEMENT);
	assert_step(plan, 2, "op8", "192.0.2.3/24", "sb13", "lan10",
		    "02:00:00:00:00:0a", "192.0.2.255", IPTO_PLAN_STEP_SHARED);
	ipto_plan_unref(plan);

	/* with the third adapter of Fig. 1 both fit without sharing */
	adapter(pool, "sb13", "lan11", "02:00:00:00:00:0b", 0);
	plan = plan_of(pool, both, 2, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 3);
	assert_step(plan, 0, "op6", "192.0.2.1/24", "sb13", "lan10",
		    "02:00:00:00:00:0a", "192.0.2.255", 0);
	assert_step(plan, 1, "op6", "192.0.2.2/24", "sb13", "lan11",
		    "02:00:00:00:00:0b", "192.0.2.255", 0);
	assert_step(plan, 2, "op8", "192.0.2.3/24", "sb13", "lan9",
		    "02:00:00:00:00:09", "192.0.2.255",
		    IPTO_PLAN_STEP_MANAGEMENT);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
}
END_TEST

/* ------------------------------------------------------------------ */
/* N+M                                                                 */
/* ------------------------------------------------------------------ */

static struct ipto_pool *npm_pool(struct ipto_ctx *ctx)
{
	struct ipto_pool *pool = pool_new(ctx);

	node(pool, "d", "192.0.2.1/24 192.0.2.2/24 192.0.2.3/24", "");
	node(pool, "c", "198.51.100.1/24 198.51.100.2/24", "");
	node(pool, "b", "2001:db8::1/64 2001:db8::2/64", "");
	node(pool, "a", "198.51.100.77/32", "");
	node(pool, "idle", "", "");
	standby(pool, "sy");
	standby(pool, "sx");
	adapter(pool, "sx", "e2", "02:00:00:00:01:02", 0);
	adapter(pool, "sx", "e1", "02:00:00:00:01:01", 0);
	adapter(pool, "sx", "e3", "02:00:00:00:01:03", 0);
	adapter(pool, "sy", "e1", "02:00:00:00:02:01", 0);
	adapter(pool, "sy", "e2", "02:00:00:00:02:02", 0);
	adapter(pool, "sy", "e3", "02:00:00:00:02:03", 0);
	return pool;
}

START_TEST(npm_several_failures)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = npm_pool(ctx);
	const char *three[] = { "a", "d", "b" };
	const char *all[] = { "a", "b", "c", "d" };
	struct ipto_plan *plan, *keep = NULL;

	ck_assert_int_eq(ipto_pool_check(pool), 0);
	/* d (3 IPs) first: both standbys have 3 free, sx wins by name;
	 * b (2) then a (1) best-fit onto sy. */
	plan = plan_of(pool, three, 3, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 6);
	assert_step(plan, 0, "d", "192.0.2.1/24", "sx", "e1", "02:00:00:00:01:01", "192.0.2.255", 0);
	assert_step(plan, 1, "d", "192.0.2.2/24", "sx", "e2", "02:00:00:00:01:02", "192.0.2.255", 0);
	assert_step(plan, 2, "d", "192.0.2.3/24", "sx", "e3", "02:00:00:00:01:03", "192.0.2.255", 0);
	assert_step(plan, 3, "b", "2001:db8::1/64", "sy", "e1", "02:00:00:00:02:01", "ff02::1", 0);
	assert_step(plan, 4, "b", "2001:db8::2/64", "sy", "e2", "02:00:00:00:02:02", "ff02::1", 0);
	assert_step(plan, 5, "a", "198.51.100.77/32", "sy", "e3", "02:00:00:00:02:03", "255.255.255.255", 0);
	ipto_plan_unref(plan);
	/* 8 IPs on 6 adapters: no */
	ck_assert_int_eq(ipto_plan_new_takeover(pool, all, 4, NULL, &keep), -ENOSPC);
	ck_assert_ptr_null(keep);
	ck_assert_log(&log, "cannot plan takeover: node c has 2 IPs, standby sy has the most free usable adapters, 1: 1 missing (2 of the 4 failed nodes placed before it)");
	/* a node without IPs is taken over with no steps */
	plan = plan_of(pool, (const char *const[]){ "idle" }, 1, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 0);
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ipto_plan_unref(plan);
	ck_assert_int_eq(ipto_plan_new_release(pool, (const char *const[]){ "idle" }, 1, &plan), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 0);
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
}
END_TEST

/* Best fit keeps the big hole for the big node: a 2-IP node goes to the
 * 2-adapter standby, so a later 4-IP node still fits on the 4-adapter one.
 * (Placing on the standby with the most free adapters would strand it.) */
START_TEST(npm_best_fit_successive)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	const char *small[] = { "small" }, *big[] = { "big" };
	struct ipto_plan *p1, *p2;

	node(pool, "small", "192.0.2.1/24 192.0.2.2/24", "");
	node(pool, "big", "192.0.2.11/24 192.0.2.12/24 192.0.2.13/24 192.0.2.14/24", "");
	standby(pool, "a-wide");
	standby(pool, "b-narrow");
	adapter(pool, "a-wide", "e1", "02:00:00:00:01:01", 0);
	adapter(pool, "a-wide", "e2", "02:00:00:00:01:02", 0);
	adapter(pool, "a-wide", "e3", "02:00:00:00:01:03", 0);
	adapter(pool, "a-wide", "e4", "02:00:00:00:01:04", 0);
	adapter(pool, "b-narrow", "e1", "02:00:00:00:02:01", 0);
	adapter(pool, "b-narrow", "e2", "02:00:00:00:02:02", 0);
	ck_assert_int_eq(ipto_pool_check(pool), 0);
	p1 = plan_of(pool, small, 1, 0);
	ck_assert_str_eq(step(p1, 0).standby, "b-narrow");
	ck_assert_str_eq(step(p1, 1).standby, "b-narrow");
	ck_assert_int_eq(ipto_pool_commit(pool, p1), 0);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 4);
	p2 = plan_of(pool, big, 1, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(p2), 4);
	ck_assert_str_eq(step(p2, 3).standby, "a-wide");
	ck_assert_int_eq(ipto_pool_commit(pool, p2), 0);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 0);
	ipto_plan_unref(p1);
	ipto_plan_unref(p2);
	ipto_pool_unref(pool);
}
END_TEST

/* The patent's hazard: never take an IP over with the failed node's MAC. */
START_TEST(mac_hazard_avoided)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	const char *n[] = { "n" }, *o[] = { "o" };
	struct ipto_plan *plan, *keep = NULL;
	IPTO_OPTS(ipto_plan_opts, share, .flags = IPTO_PLAN_SHARE_ADAPTERS);
	size_t i;

	/* eth1 carries n's MAC (say it was cloned once) */
	node(pool, "n", "192.0.2.1/24 192.0.2.2/24", "02:00:00:00:00:01");
	node(pool, "o", "192.0.2.3/24 192.0.2.4/24 192.0.2.5/24", "");
	standby(pool, "s");
	adapter(pool, "s", "eth1", "02:00:00:00:00:01", 0);
	adapter(pool, "s", "eth2", "02:00:00:00:00:02", 0);
	adapter(pool, "s", "eth3", "02:00:00:00:00:03", 0);
	ck_assert_int_eq(ipto_pool_check(pool), 0);
	plan = plan_of(pool, n, 1, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 2);
	ck_assert_str_eq(step(plan, 0).ifname, "eth2");
	ck_assert_str_eq(step(plan, 1).ifname, "eth3");
	ipto_plan_unref(plan);
	/* o may use eth1 */
	plan = plan_of(pool, o, 1, 0);
	ck_assert_str_eq(step(plan, 0).ifname, "eth1");
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ipto_plan_unref(plan);
	/* all busy now; even sharing keeps n's IPs off eth1 */
	ck_assert_int_eq(ipto_plan_new_takeover(pool, n, 1, NULL, &keep), -ENOSPC);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, n, 1, &share, &plan), 0);
	for (i = 0; i < ipto_plan_get_step_count(plan); i++) {
		ck_assert_str_ne(step(plan, i).ifname, "eth1");
		ck_assert_uint_eq(step(plan, i).flags, IPTO_PLAN_STEP_SHARED);
	}
	ipto_plan_unref(plan);
	/* a third IP on n cannot pass the rule: one adapter is barred */
	ck_assert_int_eq(ipto_plan_new_release(pool, o, 1, &plan), 0);
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ipto_plan_unref(plan);
	ck_assert_int_eq(ipto_pool_add_node_ip(pool, "n", &(struct ipto_addr){ 0 }), -EINVAL);
	{
		struct ipto_addr a = test_addr("192.0.2.6/24");

		ck_assert_int_eq(ipto_pool_add_node_ip(pool, "n", &a), 0);
	}
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, n, 1, NULL, &keep), -ENOSPC);
	ck_assert_log(&log, "fails the capacity rule");
	ck_assert_ptr_null(keep);
	/* sharing: 3 IPs on eth2, eth3, then eth2 again; never eth1 */
	ck_assert_int_eq(ipto_plan_new_takeover(pool, n, 1, &share, &plan), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 3);
	ck_assert_str_eq(step(plan, 0).ifname, "eth2");
	ck_assert_str_eq(step(plan, 1).ifname, "eth3");
	ck_assert_str_eq(step(plan, 2).ifname, "eth2");
	ck_assert_uint_eq(step(plan, 0).flags, IPTO_PLAN_STEP_SHARED);
	ck_assert_uint_eq(step(plan, 1).flags, 0);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
}
END_TEST

/* Sharing: least-loaded adapter first, committed load included; the node
 * goes where the most usable adapters are free. */
START_TEST(share_least_loaded)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	IPTO_OPTS(ipto_plan_opts, share, .flags = IPTO_PLAN_SHARE_ADAPTERS);
	struct ipto_plan *plan;

	node(pool, "a", "192.0.2.1/24", "");
	node(pool, "b", "192.0.2.2/24", "");
	node(pool, "c", "192.0.2.3/24 192.0.2.4/24 192.0.2.5/24", "");
	standby(pool, "s1");
	adapter(pool, "s1", "x", "02:00:00:00:00:01", 0);
	adapter(pool, "s1", "y", "02:00:00:00:00:02", 0);
	standby(pool, "s2");
	adapter(pool, "s2", "x", "02:00:00:00:00:03", 0);
	/* c has 3 IPs, no standby has 3 adapters: strict planning refuses */
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	plan = plan_of(pool, (const char *const[]){ "a" }, 1, IPTO_PLAN_SHARE_ADAPTERS);
	ck_assert_str_eq(step(plan, 0).standby, "s2"); /* best fit, no sharing */
	ck_assert_uint_eq(step(plan, 0).flags, 0);
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ipto_plan_unref(plan);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, (const char *const[]){ "c" }, 1, &share, &plan), 0);
	/* s1 has 2 free usable adapters, s2 none: c goes to s1 */
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 3);
	ck_assert_str_eq(step(plan, 0).ifname, "x");
	ck_assert_str_eq(step(plan, 1).ifname, "y");
	ck_assert_str_eq(step(plan, 2).ifname, "x");
	ck_assert_str_eq(step(plan, 2).standby, "s1");
	ck_assert_log(&log, "node c has 3 IPs, standby s1 has 2 free usable adapters: sharing adapters");
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ipto_plan_unref(plan);
	/* b: every adapter is busy. s1 carries 3, s2 carries 1: s2, x. */
	ck_assert_int_eq(ipto_plan_new_takeover(pool, (const char *const[]){ "b" }, 1, &share, &plan), 0);
	ck_assert_str_eq(step(plan, 0).standby, "s2");
	ck_assert_uint_eq(step(plan, 0).flags, IPTO_PLAN_STEP_SHARED);
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ipto_plan_unref(plan);
	/* release of c: y carried one address, x two */
	ck_assert_int_eq(ipto_plan_new_release(pool, (const char *const[]){ "c" }, 1, &plan), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 3);
	ck_assert_uint_eq(step(plan, 0).flags, IPTO_PLAN_STEP_SHARED);
	ck_assert_uint_eq(step(plan, 1).flags, 0);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Values, formats, arguments                                          */
/* ------------------------------------------------------------------ */

START_TEST(announce_targets)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	struct ipto_plan *plan;

	node(pool, "n", "192.0.2.1/24 192.0.2.130/25 198.51.100.1/31 "
			"198.51.100.3/32 198.51.100.5 198.51.100.9/30 "
			"203.0.113.7/0 2001:db8::1/64 2001:db8::2", "");
	standby(pool, "s");
	adapter(pool, "s", "e1", "02:00:00:00:00:01", 0);
	adapter(pool, "s", "e2", "02:00:00:00:00:02", 0);
	adapter(pool, "s", "e3", "02:00:00:00:00:03", 0);
	adapter(pool, "s", "e4", "02:00:00:00:00:04", 0);
	adapter(pool, "s", "e5", "02:00:00:00:00:05", 0);
	adapter(pool, "s", "e6", "02:00:00:00:00:06", 0);
	adapter(pool, "s", "e7", "02:00:00:00:00:07", 0);
	adapter(pool, "s", "e8", "02:00:00:00:00:08", 0);
	adapter(pool, "s", "e9", "02:00:00:00:00:09", 0);
	plan = plan_of(pool, (const char *const[]){ "n" }, 1, 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 9);
	/* in ipto_addr_compare() order */
	assert_step(plan, 0, "n", "192.0.2.1/24", "s", "e1", "02:00:00:00:00:01", "192.0.2.255", 0);
	assert_step(plan, 1, "n", "192.0.2.130/25", "s", "e2", "02:00:00:00:00:02", "192.0.2.255", 0);
	assert_step(plan, 2, "n", "198.51.100.1/31", "s", "e3", "02:00:00:00:00:03", "255.255.255.255", 0);
	assert_step(plan, 3, "n", "198.51.100.3/32", "s", "e4", "02:00:00:00:00:04", "255.255.255.255", 0);
	assert_step(plan, 4, "n", "198.51.100.5", "s", "e5", "02:00:00:00:00:05", "255.255.255.255", 0);
	assert_step(plan, 5, "n", "198.51.100.9/30", "s", "e6", "02:00:00:00:00:06", "198.51.100.11", 0);
	assert_step(plan, 6, "n", "203.0.113.7/0", "s", "e7", "02:00:00:00:00:07", "255.255.255.255", 0);
	assert_step(plan, 7, "n", "2001:db8::1/64", "s", "e8", "02:00:00:00:00:08", "ff02::1", 0);
	assert_step(plan, 8, "n", "2001:db8::2", "s", "e9", "02:00:00:00:00:09", "ff02::1", 0);
	ck_assert_int_eq(step(plan, 8).announce_target.prefixlen, IPTO_PREFIX_UNKNOWN);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
}
END_TEST

START_TEST(step_struct_sizes)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = fig1_pool(ctx);
	struct ipto_plan *plan = plan_of(pool, (const char *const[]){ "op8" }, 1, 0);
	struct {
		struct ipto_plan_step s;
		unsigned char tail[32];
	} big;
	struct ipto_plan_step small, canary;
	size_t cut = offsetof(struct ipto_plan_step, ifname);

	/* an older, shorter struct: only the fields it has are written */
	memset(&small, 0xa5, sizeof(small));
	small.sz = cut;
	canary = small;
	ck_assert_int_eq(ipto_plan_get_step(plan, 0, &small), 0);
	ck_assert_uint_eq(small.sz, cut);
	ck_assert_int_eq(small.action, IPTO_PLAN_ACTION_BIND);
	ck_assert_str_eq(small.node, "op8");
	ck_assert_str_eq(small.standby, "sb13");
	ck_assert_mem_eq((char *)&small + cut, (char *)&canary + cut,
			 sizeof(small) - cut);
	/* a newer, longer struct: the unknown tail comes back zero */
	memset(&big, 0xa5, sizeof(big));
	big.s.sz = sizeof(big);
	ck_assert_int_eq(ipto_plan_get_step(plan, 0, &big.s), 0);
	ck_assert_str_eq(big.s.ifname, "lan10");
	ck_assert_uint_eq(big.tail[0], 0);
	ck_assert_uint_eq(big.tail[31], 0);
	/* bad calls write nothing */
	small = canary;
	small.sz = 0;
	ck_assert_int_eq(ipto_plan_get_step(plan, 0, &small), -EINVAL);
	small.sz = sizeof(small);
	ck_assert_int_eq(ipto_plan_get_step(plan, 1, &small), -ERANGE);
	ck_assert_int_eq(small.action, canary.action);
	ck_assert_int_eq(ipto_plan_get_step(NULL, 0, &small), -EINVAL);
	ck_assert_int_eq(ipto_plan_get_step(plan, 0, NULL), -EINVAL);
	ck_assert_uint_eq(ipto_plan_get_step_count(NULL), 0);
	ck_assert_ptr_eq(ipto_plan_ref(plan), plan);
	ck_assert_ptr_null(ipto_plan_unref(plan));
	ck_assert_ptr_null(ipto_plan_unref(plan));
	ck_assert_ptr_null(ipto_plan_unref(NULL));
	ipto_pool_unref(pool);
}
END_TEST

START_TEST(format_escapes_and_release)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	const char *n[] = { "web \"1\"\\x" };
	struct ipto_plan *plan;
	char *out = NULL;

	node(pool, n[0], "2001:db8::7/64", "");
	standby(pool, "s");
	adapter(pool, "s", "m0", "02:00:00:00:00:01", IPTO_ADAPTER_MANAGEMENT);
	plan = plan_of(pool, n, 1, 0);
	out = fmt(plan, IPTO_FORMAT_JSON);
	ck_assert_str_eq(out,
			 "{\"kind\":\"takeover\",\"nodes\":[\"web \\\"1\\\"\\\\x\"],\"steps\":["
			 "{\"action\":\"bind\",\"node\":\"web \\\"1\\\"\\\\x\",\"ip\":\"2001:db8::7/64\","
			 "\"standby\":\"s\",\"ifname\":\"m0\",\"mac\":\"02:00:00:00:00:01\","
			 "\"announce_target\":\"ff02::1\",\"management\":true,\"shared\":false}]}\n");
	free(out);
	ck_assert_int_eq(ipto_plan_format(plan, (enum ipto_format)7, &out), -EINVAL);
	ck_assert_int_eq(ipto_plan_format(plan, IPTO_FORMAT_TEXT, NULL), -EINVAL);
	ck_assert_int_eq(ipto_plan_format(NULL, IPTO_FORMAT_TEXT, &out), -EINVAL);
	ck_assert_int_eq(ipto_pool_commit(pool, plan), 0);
	ipto_plan_unref(plan);
	ck_assert_int_eq(ipto_plan_new_release(pool, n, 1, &plan), 0);
	out = fmt(plan, IPTO_FORMAT_TEXT);
	ck_assert_str_eq(out,
			 "release plan: 1 node, 1 step\n"
			 "nodes: web \"1\"\\x\n"
			 "unbind 2001:db8::7/64 of web \"1\"\\x from s m0 02:00:00:00:00:01 [management adapter]\n");
	free(out);
	out = fmt(plan, IPTO_FORMAT_JSON);
	ck_assert_ptr_nonnull(strstr(out, "{\"kind\":\"release\","));
	ck_assert_ptr_nonnull(strstr(out, "\"action\":\"unbind\""));
	free(out);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
}
END_TEST

START_TEST(plan_bad_input)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = fig1_pool(ctx);
	struct ipto_plan *const sentinel = (struct ipto_plan *)&log;
	struct ipto_plan *plan = sentinel;
	const char *twice[] = { "op6", "op8", "op6" };
	const char *unknown[] = { "op6", "nope" };
	const char *standby_name[] = { "sb13" };
	const char *with_null[] = { "op6", NULL };
	struct {
		struct ipto_plan_opts o;
		unsigned char tail[8];
	} big = { { .sz = sizeof(big) }, { 0 } };
	struct ipto_plan_opts tiny = { .sz = 1 };
	IPTO_OPTS(ipto_plan_opts, badflags, .flags = 0x80);

	ck_assert_int_eq(ipto_plan_new_takeover(pool, twice, 3, NULL, &plan), -EEXIST);
	ck_assert_log(&log, "node op6 is listed twice");
	ck_assert_int_eq(ipto_plan_new_takeover(pool, unknown, 2, NULL, &plan), -ENOENT);
	ck_assert_log(&log, "no active node nope");
	ck_assert_int_eq(ipto_plan_new_takeover(pool, standby_name, 1, NULL, &plan), -ENOENT);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, with_null, 2, NULL, &plan), -EINVAL);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, twice, 0, NULL, &plan), -EINVAL);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, NULL, 1, NULL, &plan), -EINVAL);
	ck_assert_int_eq(ipto_plan_new_takeover(NULL, twice, 1, NULL, &plan), -EINVAL);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, twice, 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, twice, 1, &badflags, &plan), -EINVAL);
	ck_assert_log(&log, "unknown flags 0x80");
	ck_assert_int_eq(ipto_plan_new_takeover(pool, twice, 1, &tiny, &plan), -EINVAL);
	big.tail[3] = 1;
	ck_assert_int_eq(ipto_plan_new_takeover(pool, twice, 1, &big.o, &plan), -EINVAL);
	ck_assert_log(&log, "which this libipto does not know");
	ck_assert_ptr_eq(plan, sentinel);
	/* a larger struct with a zero tail is fine */
	big.tail[3] = 0;
	ck_assert_int_eq(ipto_plan_new_takeover(pool, twice, 1, &big.o, &plan), 0);
	ipto_plan_unref(plan);
	plan = sentinel;
	/* release */
	ck_assert_int_eq(ipto_plan_new_release(pool, twice, 1, &plan), -EALREADY);
	ck_assert_int_eq(ipto_plan_new_release(pool, unknown + 1, 1, &plan), -ENOENT);
	ck_assert_int_eq(ipto_plan_new_release(pool, twice, 0, &plan), -EINVAL);
	ck_assert_int_eq(ipto_plan_new_release(pool, NULL, 1, &plan), -EINVAL);
	ck_assert_int_eq(ipto_plan_new_release(pool, twice, 1, NULL), -EINVAL);
	ck_assert_int_eq(ipto_plan_new_release(NULL, twice, 1, &plan), -EINVAL);
	ck_assert_ptr_eq(plan, sentinel);
	ipto_pool_unref(pool);
}
END_TEST

/* The same description, added in any order, gives the same plan. */
START_TEST(determinism_fixed)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *p1 = pool_new(ctx), *p2 = pool_new(ctx);
	const char *f1[] = { "n1", "n2", "n3" }, *f2[] = { "n3", "n1", "n2" };
	struct ipto_plan *a, *b;
	char *ja, *jb;

	standby(p1, "s1");
	adapter(p1, "s1", "b", "02:00:00:00:00:02", 0);
	adapter(p1, "s1", "a", "02:00:00:00:00:01", 0);
	standby(p1, "s2");
	adapter(p1, "s2", "m", "02:00:00:00:00:03", IPTO_ADAPTER_MANAGEMENT);
	adapter(p1, "s2", "z", "02:00:00:00:00:04", 0);
	node(p1, "n1", "192.0.2.1/24 2001:db8::1/64", "");
	node(p1, "n2", "192.0.2.2/24", "");
	node(p1, "n3", "192.0.2.3/24", "");

	node(p2, "n3", "192.0.2.3/24", "");
	node(p2, "n2", "192.0.2.2/24", "");
	node(p2, "n1", "2001:db8::1/64 192.0.2.1/24", "");
	standby(p2, "s2");
	standby(p2, "s1");
	adapter(p2, "s2", "z", "02:00:00:00:00:04", 0);
	adapter(p2, "s1", "a", "02:00:00:00:00:01", 0);
	adapter(p2, "s2", "m", "02:00:00:00:00:03", IPTO_ADAPTER_MANAGEMENT);
	adapter(p2, "s1", "b", "02:00:00:00:00:02", 0);

	a = plan_of(p1, f1, 3, 0);
	b = plan_of(p2, f2, 3, 0);
	ja = fmt(a, IPTO_FORMAT_JSON);
	jb = fmt(b, IPTO_FORMAT_JSON);
	ck_assert_str_eq(ja, jb);
	/* n1 (2 IPs) first on s1 (tie, by name); n2 then n3 on s2 */
	assert_step(a, 0, "n1", "192.0.2.1/24", "s1", "a", "02:00:00:00:00:01", "192.0.2.255", 0);
	assert_step(a, 1, "n1", "2001:db8::1/64", "s1", "b", "02:00:00:00:00:02", "ff02::1", 0);
	assert_step(a, 2, "n2", "192.0.2.2/24", "s2", "z", "02:00:00:00:00:04", "192.0.2.255", 0);
	assert_step(a, 3, "n3", "192.0.2.3/24", "s2", "m", "02:00:00:00:00:03", "192.0.2.255", IPTO_PLAN_STEP_MANAGEMENT);
	free(ja);
	free(jb);
	ipto_plan_unref(a);
	ipto_plan_unref(b);
	ipto_pool_unref(p1);
	ipto_pool_unref(p2);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Property test over random clusters                                  */
/* ------------------------------------------------------------------ */

/* REQUIRE and the random cluster generator: prop.h. */
static struct ipto_plan_step pstep(const struct ipto_plan *plan, size_t i)
{
	struct ipto_plan_step s = { .sz = sizeof(s) };

	REQUIRE(ipto_plan_get_step(plan, i, &s) == 0, "step %zu", i);
	return s;
}

static char *pfmt(const struct ipto_plan *plan)
{
	char *out = NULL;

	REQUIRE(ipto_plan_format(plan, IPTO_FORMAT_JSON, &out) == 0, "format");
	return out;
}

static void expected_target(const struct ipto_addr *ip, struct ipto_addr *t)
{
	memset(t, 0, sizeof(*t));
	t->prefixlen = IPTO_PREFIX_UNKNOWN;
	if (ip->family == AF_INET6) {
		t->family = AF_INET6;
		t->bytes[0] = 0xff;
		t->bytes[1] = 0x02;
		t->bytes[15] = 1;
	} else if (ip->prefixlen >= 0 && ip->prefixlen <= 30) {
		uint32_t v = (uint32_t)ip->bytes[0] << 24 | (uint32_t)ip->bytes[1] << 16 |
			     (uint32_t)ip->bytes[2] << 8 | ip->bytes[3];

		v |= ip->prefixlen ? 0xffffffffu >> ip->prefixlen : 0xffffffffu;
		t->family = AF_INET;
		t->bytes[0] = (uint8_t)(v >> 24);
		t->bytes[1] = (uint8_t)(v >> 16);
		t->bytes[2] = (uint8_t)(v >> 8);
		t->bytes[3] = (uint8_t)v;
	} else {
		t->family = AF_INET;
		memset(t->bytes, 0xff, 4);
	}
}

/*
 * Check a takeover plan of the failed nodes against the description:
 * every IP of every failed node exactly once, nothing else; a node whole
 * on one standby; the adapter's own MAC, never one of the node's; no
 * adapter twice unless shared (and then flagged); the target rule.
 * adapter_use[sb][ad] counts uses (and may carry earlier commits).
 */
static void verify_plan(const struct gcluster *c, const struct ipto_plan *plan,
			const bool *failed, bool shared_ok, uint64_t seed,
			unsigned int (*use)[G_AD])
{
	size_t n = ipto_plan_get_step_count(plan), expect = 0, i, j;
	bool seen[G_NODES][G_IPS];
	size_t node_sb[G_NODES];
	unsigned int local[G_SB][G_AD];

	memset(seen, 0, sizeof(seen));
	memset(local, 0, sizeof(local));
	for (i = 0; i < c->n_nodes; i++) {
		node_sb[i] = SIZE_MAX;
		if (failed[i])
			expect += c->nodes[i].n_ips;
	}
	REQUIRE(n == expect, "seed %" PRIu64 ": %zu steps for %zu IPs", seed, n, expect);
	for (i = 0; i < n; i++) {
		struct ipto_plan_step st = pstep(plan, i);
		const struct gnode *gn = prop_find_node(c, st.node);
		const struct gadapter *ad;
		struct ipto_addr t;
		size_t ni, si, ai, k;

		REQUIRE(gn != NULL, "seed %" PRIu64 ": unknown node", seed);
		ni = (size_t)(gn - c->nodes);
		REQUIRE(failed[ni], "seed %" PRIu64 ": IP of a live node %s planned", seed, st.node);
		for (k = 0; k < gn->n_ips && ipto_addr_compare(&gn->ips[k], &st.ip); k++)
			;
		REQUIRE(k < gn->n_ips, "seed %" PRIu64 ": IP not of node %s", seed, st.node);
		REQUIRE(!seen[ni][k], "seed %" PRIu64 ": an IP planned twice", seed);
		seen[ni][k] = true;
		ad = prop_find_adapter(c, st.standby, st.ifname, &si);
		REQUIRE(ad != NULL, "seed %" PRIu64 ": unknown adapter", seed);
		ai = (size_t)(ad - c->sb[si].ad);
		REQUIRE(ipto_mac_equal(&ad->mac, &st.mac), "seed %" PRIu64 ": wrong MAC", seed);
		for (k = 0; k < gn->n_macs; k++)
			REQUIRE(!ipto_mac_equal(&gn->macs[k], &st.mac),
				      "seed %" PRIu64 ": the hazard: node %s's own MAC", seed, st.node);
		if (node_sb[ni] == SIZE_MAX)
			node_sb[ni] = si;
		REQUIRE(node_sb[ni] == si, "seed %" PRIu64 ": node %s split over standbys", seed, st.node);
		expected_target(&st.ip, &t);
		REQUIRE(ipto_addr_compare(&t, &st.announce_target) == 0,
			      "seed %" PRIu64 ": wrong announcement target", seed);
		REQUIRE(st.action == IPTO_PLAN_ACTION_BIND, "seed %" PRIu64 ": action", seed);
		REQUIRE(!!(st.flags & IPTO_PLAN_STEP_MANAGEMENT) ==
				      !!(ad->flags & IPTO_ADAPTER_MANAGEMENT),
			      "seed %" PRIu64 ": management flag", seed);
		local[si][ai]++;
		if (!shared_ok)
			REQUIRE(use[si][ai] + local[si][ai] == 1,
				      "seed %" PRIu64 ": adapter %s/%s used twice", seed,
				      st.standby, st.ifname);
	}
	/* shared flag iff the adapter ends up with more than one IP */
	for (i = 0; i < n; i++) {
		struct ipto_plan_step st = pstep(plan, i);
		size_t si;
		const struct gadapter *ad = prop_find_adapter(c, st.standby, st.ifname, &si);
		size_t ai = (size_t)(ad - c->sb[si].ad);

		REQUIRE(!!(st.flags & IPTO_PLAN_STEP_SHARED) ==
				      (use[si][ai] + local[si][ai] > 1),
			      "seed %" PRIu64 ": shared flag", seed);
	}
	for (i = 0; i < c->n_sb; i++)
		for (j = 0; j < G_AD; j++)
			use[i][j] += local[i][j];
}

/* Strict feasibility by brute force (clusters without MAC clashes). */
static bool feasible(const struct gcluster *c, const size_t *fl, size_t nf,
		     size_t i, size_t *cap)
{
	size_t s;

	if (i == nf)
		return true;
	if (c->nodes[fl[i]].n_ips == 0)
		return feasible(c, fl, nf, i + 1, cap);
	for (s = 0; s < c->n_sb; s++) {
		if (cap[s] < c->nodes[fl[i]].n_ips)
			continue;
		cap[s] -= c->nodes[fl[i]].n_ips;
		if (feasible(c, fl, nf, i + 1, cap)) {
			cap[s] += c->nodes[fl[i]].n_ips;
			return true;
		}
		cap[s] += c->nodes[fl[i]].n_ips;
	}
	return false;
}

struct prop_stats {
	size_t clusters, check_fail, strict_ok, strict_nospc, greedy_miss,
		share_ok, successive;
};

static char *plan_json_or_null(struct ipto_pool *pool, const char *const *names,
			       size_t n, unsigned int flags, int *r)
{
	IPTO_OPTS(ipto_plan_opts, o, .flags = flags);
	struct ipto_plan *plan = NULL;
	char *json = NULL;

	*r = ipto_plan_new_takeover(pool, names, n, &o, &plan);
	if (*r == 0) {
		json = pfmt(plan);
		ipto_plan_unref(plan);
	}
	return json;
}

static void one_cluster(struct ipto_ctx *ctx, uint64_t seed, struct prop_stats *st)
{
	uint64_t s = seed;
	struct gcluster c;
	struct ipto_pool *pool, *pool2;
	bool failed[G_NODES] = { false }, check_ref = true, any_clash = false;
	const char *names[G_NODES], *names2[G_NODES];
	size_t fl[G_NODES], order[G_NODES], nf, req = 0, avail = 0, i, j;
	unsigned int use[G_SB][G_AD];
	struct ipto_plan *plan = NULL, *plan_s = NULL;
	IPTO_OPTS(ipto_plan_opts, share, .flags = IPTO_PLAN_SHARE_ADAPTERS);
	int r, r_share, r2;
	char *j1, *j2;

	prop_gen_cluster(&s, &c);
	pool = prop_build_pool(ctx, &c, &s, false);
	pool2 = prop_build_pool(ctx, &c, &s, true);
	st->clusters++;

	/* the capacity rule, against a plain reference */
	for (i = 0; i < c.n_nodes; i++) {
		bool ok = c.nodes[i].n_ips == 0;

		if (c.nodes[i].n_ips > req)
			req = c.nodes[i].n_ips;
		for (j = 0; j < c.n_sb; j++) {
			if (prop_clashes(&c.sb[j], &c.nodes[i]))
				any_clash = true;
			if (c.sb[j].n_ad - prop_clashes(&c.sb[j], &c.nodes[i]) >= c.nodes[i].n_ips)
				ok = true;
		}
		check_ref = check_ref && ok;
	}
	for (j = 0; j < c.n_sb; j++)
		if (c.sb[j].n_ad > avail)
			avail = c.sb[j].n_ad;
	REQUIRE(ipto_pool_get_required_capacity(pool) == req, "seed %" PRIu64, seed);
	REQUIRE(ipto_pool_get_available_capacity(pool) == avail, "seed %" PRIu64, seed);
	REQUIRE(ipto_pool_check(pool) == (check_ref ? 0 : -ENOSPC),
		      "seed %" PRIu64 ": check disagrees with the rule", seed);
	REQUIRE(ipto_pool_check(pool2) == ipto_pool_check(pool), "seed %" PRIu64, seed);
	if (!any_clash)
		REQUIRE((req <= avail) == check_ref, "seed %" PRIu64 ": rule not exact", seed);
	if (!check_ref)
		st->check_fail++;

	/* a random set of failed nodes, given in two different orders */
	for (i = 0; i < c.n_nodes; i++)
		order[i] = i;
	prop_shuffle(&s, order, c.n_nodes);
	nf = 1 + (prop_rng_below(&s, 2) ? 0 : prop_rng_below(&s, c.n_nodes));
	for (i = 0; i < nf; i++) {
		fl[i] = order[i];
		failed[order[i]] = true;
		names[i] = c.nodes[order[i]].name;
	}
	for (i = 0; i < nf; i++)
		order[i] = i;
	prop_shuffle(&s, order, nf);
	for (i = 0; i < nf; i++)
		names2[i] = names[order[i]];

	memset(use, 0, sizeof(use));
	r = ipto_plan_new_takeover(pool, names, nf, NULL, &plan);
	if (!check_ref)
		REQUIRE(r == -ENOSPC, "seed %" PRIu64 ": planned despite the rule", seed);
	else if (nf == 1)
		REQUIRE(r == 0, "seed %" PRIu64 ": single failure refused", seed);
	else
		REQUIRE(r == 0 || r == -ENOSPC, "seed %" PRIu64, seed);
	/* N+M: each standby meeting the rule alone absorbs any M failures */
	if (!any_clash && nf <= c.n_sb) {
		bool all_meet = true;

		for (j = 0; j < c.n_sb; j++)
			all_meet = all_meet && c.sb[j].n_ad >= req;
		if (all_meet)
			REQUIRE(r == 0, "seed %" PRIu64 ": N+M guarantee broken", seed);
	}
	if (r == 0) {
		st->strict_ok++;
		verify_plan(&c, plan, failed, false, seed, use);
	} else if (check_ref) {
		size_t cap[G_SB];

		st->strict_nospc++;
		for (j = 0; j < c.n_sb; j++)
			cap[j] = c.sb[j].n_ad;
		if (!any_clash && feasible(&c, fl, nf, 0, cap))
			st->greedy_miss++;
	}

	/* determinism: shuffled description, shuffled failed list */
	j1 = plan_json_or_null(pool, names, nf, 0, &r2);
	REQUIRE(r2 == r, "seed %" PRIu64 ": planning twice differs", seed);
	j2 = plan_json_or_null(pool2, names2, nf, 0, &r2);
	REQUIRE(r2 == r, "seed %" PRIu64 ": order changed the outcome (%d, then %d)", seed, r, r2);
	if (j1)
		REQUIRE(!strcmp(j1, j2), "seed %" PRIu64 ": order changed the plan", seed);
	free(j1);
	free(j2);

	/* sharing: succeeds iff every failed node has a usable adapter;
	 * identical to the strict plan whenever that succeeds */
	r_share = ipto_plan_new_takeover(pool, names, nf, &share, &plan_s);
	{
		bool can = true;

		for (i = 0; i < nf; i++) {
			const struct gnode *gn = &c.nodes[fl[i]];
			bool any = gn->n_ips == 0;

			for (j = 0; j < c.n_sb; j++)
				if (c.sb[j].n_ad > prop_clashes(&c.sb[j], gn))
					any = true;
			can = can && any;
		}
		REQUIRE(r_share == (can ? 0 : -ENOSPC), "seed %" PRIu64 ": sharing outcome", seed);
	}
	if (r_share == 0) {
		unsigned int use_s[G_SB][G_AD];

		st->share_ok++;
		memset(use_s, 0, sizeof(use_s));
		verify_plan(&c, plan_s, failed, true, seed, use_s);
		/* round robin within a node: an adapter gets a second IP of a
		 * node only once all its usable adapters have one */
		for (i = 0; i < ipto_plan_get_step_count(plan_s); i++) {
			struct ipto_plan_step a = pstep(plan_s, i);
			size_t si, same = 0, k;
			const struct gnode *gn = prop_find_node(&c, a.node);

			prop_find_adapter(&c, a.standby, a.ifname, &si);
			for (k = 0; k < ipto_plan_get_step_count(plan_s); k++) {
				struct ipto_plan_step b = pstep(plan_s, k);

				if (!strcmp(a.node, b.node) && !strcmp(a.ifname, b.ifname))
					same++;
			}
			{
				size_t usable = c.sb[si].n_ad - prop_clashes(&c.sb[si], gn);

				REQUIRE(same <= (gn->n_ips + usable - 1) / usable,
					      "seed %" PRIu64 ": unbalanced sharing", seed);
			}
		}
		j1 = plan_json_or_null(pool2, names2, nf, IPTO_PLAN_SHARE_ADAPTERS, &r2);
		j2 = pfmt(plan_s);
		REQUIRE(r2 == 0 && !strcmp(j1, j2), "seed %" PRIu64 ": sharing not deterministic", seed);
		free(j1);
		if (r == 0) {
			j1 = pfmt(plan);
			REQUIRE(!strcmp(j1, j2), "seed %" PRIu64 ": shared where not needed", seed);
			free(j1);
		}
		free(j2);
		ipto_plan_unref(plan_s);
	}

	/* successive failures: commit, fail the others, never reuse an
	 * adapter; release gives everything back */
	if (r == 0) {
		struct ipto_plan *rel = NULL, *second = NULL;
		const char *rest[G_NODES];
		size_t n_rest = 0;
		size_t free0 = ipto_pool_get_free_capacity(pool);

		REQUIRE(ipto_pool_commit(pool, plan) == 0, "seed %" PRIu64 ": commit", seed);
		for (i = 0; i < c.n_nodes; i++)
			if (!failed[i] && prop_rng_below(&s, 2))
				rest[n_rest++] = c.nodes[i].name;
		if (n_rest) {
			bool failed2[G_NODES];

			for (i = 0; i < c.n_nodes; i++)
				failed2[i] = false;
			for (i = 0; i < n_rest; i++)
				failed2[prop_find_node(&c, rest[i]) - c.nodes] = true;
			if (ipto_plan_new_takeover(pool, rest, n_rest, NULL, &second) == 0) {
				st->successive++;
				verify_plan(&c, second, failed2, false, seed, use);
				ipto_plan_unref(second);
			}
		}
		REQUIRE(ipto_plan_new_release(pool, names2, nf, &rel) == 0, "seed %" PRIu64 ": release", seed);
		REQUIRE(ipto_plan_get_step_count(rel) == ipto_plan_get_step_count(plan),
			"seed %" PRIu64 ": release step count", seed);
		REQUIRE(ipto_pool_commit(pool, rel) == 0, "seed %" PRIu64 ": commit release", seed);
		REQUIRE(ipto_pool_get_free_capacity(pool) == free0, "seed %" PRIu64 ": release leaked", seed);
		/* the same plan again, from the released pool */
		j1 = plan_json_or_null(pool, names, nf, 0, &r2);
		j2 = pfmt(plan);
		REQUIRE(r2 == 0 && !strcmp(j1, j2), "seed %" PRIu64 ": release did not restore", seed);
		free(j1);
		free(j2);
		ipto_plan_unref(rel);
		ipto_plan_unref(plan);
	}
	ipto_pool_unref(pool);
	ipto_pool_unref(pool2);
}

START_TEST(property_random_clusters)
{
	struct ipto_ctx *ctx = NULL;
	struct prop_stats st = { 0 };
	uint64_t base = 20240601;
	const char *env = getenv("IPTO_TEST_SEED");
	size_t i, n = 20000;

	if (env)
		base = strtoull(env, NULL, 0);
	ck_assert_int_eq(ipto_ctx_new(&ctx), 0);
	ipto_ctx_set_log_fn(ctx, NULL, IPTO_LOG_PRIORITY_ERROR, NULL);
	for (i = 0; i < n; i++)
		one_cluster(ctx, base + i, &st);
	printf("property: seeds %" PRIu64 "..%" PRIu64 ": %zu clusters, %zu fail the rule, "
	       "strict plans %zu ok / %zu refused (%zu where a packing existed), "
	       "shared plans %zu ok, %zu successive failures planned\n",
	       base, base + n - 1, st.clusters, st.check_fail, st.strict_ok,
	       st.strict_nospc, st.greedy_miss, st.share_ok, st.successive);
	/* the generator must exercise every branch */
	ck_assert_uint_gt(st.check_fail, 100);
	ck_assert_uint_gt(st.strict_ok, 1000);
	ck_assert_uint_gt(st.strict_nospc, 50);
	ck_assert_uint_gt(st.successive, 100);
	ipto_ctx_unref(ctx);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");

	test_tcase(s, "plan", fig2_one_ip, fig4_two_ips_spare_and_management,
		   fig1_two_nodes_two_adapters, npm_several_failures,
		   npm_best_fit_successive, mac_hazard_avoided,
		   share_least_loaded, announce_targets, step_struct_sizes,
		   format_escapes_and_release, plan_bad_input,
		   determinism_fixed, property_random_clusters);
	return s;
}

IPTO_TEST_MAIN(plan_suite)
