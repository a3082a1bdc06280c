/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool: describing a cluster, bad input, the capacity rule, commit. */
#include <errno.h>
#include <sys/socket.h>

#include "test-common.h"

START_TEST(pool_lifecycle)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_pool *pool = NULL, *keep = (struct ipto_pool *)&log;

	ck_assert_int_eq(ipto_pool_new(NULL, &pool), -EINVAL);
	ck_assert_ptr_null(pool);
	ck_assert_int_eq(ipto_pool_new(ctx, NULL), -EINVAL);
	ck_assert_int_eq(ipto_pool_new(ctx, &keep), 0);
	pool = keep;
	ck_assert_ptr_eq(ipto_pool_ref(pool), pool);
	ck_assert_ptr_null(ipto_pool_unref(pool));
	/* the pool holds the context */
	ck_assert_ptr_null(ipto_ctx_unref(ctx));
	ck_assert_int_eq(ipto_pool_add_node(pool, "a"), 0);
	ck_assert_ptr_null(ipto_pool_unref(pool));
	ck_assert_ptr_null(ipto_pool_unref(NULL));
	ck_assert_ptr_null(ipto_pool_ref(NULL));
	ck_assert_uint_eq(ipto_pool_get_required_capacity(NULL), 0);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(NULL), 0);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(NULL), 0);
	ck_assert_int_eq(ipto_pool_check(NULL), -EINVAL);
}
END_TEST

START_TEST(pool_empty_passes)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);

	ck_assert_int_eq(ipto_pool_check(pool), 0);
	/* A node without IPs needs nothing. */
	ck_assert_int_eq(ipto_pool_add_node(pool, "a"), 0);
	ck_assert_int_eq(ipto_pool_check(pool), 0);
	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 0);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 0);
	ipto_pool_unref(pool);
}
END_TEST

START_TEST(pool_names)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	char longname[300];

	ck_assert_int_eq(ipto_pool_add_node(pool, "alpha"), 0);
	ck_assert_int_eq(ipto_pool_add_node(pool, "alpha"), -EEXIST);
	ck_assert_log(&log, "alpha exists already");
	ck_assert_int_eq(ipto_pool_add_standby(pool, "alpha"), -EEXIST);
	ck_assert_log(&log, "an active node alpha exists");
	ck_assert_int_eq(ipto_pool_add_standby(pool, "beta"), 0);
	ck_assert_int_eq(ipto_pool_add_node(pool, "beta"), -EEXIST);
	ck_assert_log(&log, "a standby beta exists");
	ck_assert_int_eq(ipto_pool_add_node(pool, ""), -EINVAL);
	ck_assert_int_eq(ipto_pool_add_node(pool, "tab\there"), -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(ipto_pool_add_node(pool, longname), -EINVAL);
	longname[255] = '\0';
	ck_assert_int_eq(ipto_pool_add_node(pool, longname), 0);
	ck_assert_int_eq(ipto_pool_add_node(NULL, "x"), -EINVAL);
	ck_assert_int_eq(ipto_pool_add_node(pool, NULL), -EINVAL);
	ck_assert_int_eq(ipto_pool_add_standby(pool, NULL), -EINVAL);
	/* names are case-sensitive and may hold quotes and spaces */
	ck_assert_int_eq(ipto_pool_add_node(pool, "Alpha"), 0);
	ck_assert_int_eq(ipto_pool_add_node(pool, "a \"quoted\" name"), 0);
	ipto_pool_unref(pool);
}
END_TEST

START_TEST(pool_ip_input)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	struct ipto_addr bad;

	ck_assert_int_eq(ipto_pool_add_node(pool, "a"), 0);
	ck_assert_int_eq(ipto_pool_add_node(pool, "b"), 0);
	ck_assert_int_eq(ipto_pool_add_standby(pool, "s"), 0);
	ck_assert_int_eq(add_ip(pool, "a", "192.0.2.10/24"), 0);
	ck_assert_int_eq(add_ip(pool, "a", "2001:db8::10/64"), 0);
	/* the same IP on two nodes, and twice on one, whatever the prefix */
	ck_assert_int_eq(add_ip(pool, "b", "192.0.2.10/24"), -EEXIST);
	ck_assert_log(&log, "cannot add IP 192.0.2.10/24 to node b: node a has it already");
	ck_assert_int_eq(add_ip(pool, "b", "192.0.2.10/25"), -EEXIST);
	ck_assert_int_eq(add_ip(pool, "a", "192.0.2.10"), -EEXIST);
	ck_assert_int_eq(add_ip(pool, "b", "2001:db8::10/128"), -EEXIST);
	ck_assert_log(&log, "node a has it already");
	/* not unicast host addresses */
	ck_assert_int_eq(add_ip(pool, "b", "192.0.2.255/24"), -EINVAL);
	ck_assert_log(&log, "not a unicast host address");
	ck_assert_int_eq(add_ip(pool, "b", "224.0.0.1"), -EINVAL);
	ck_assert_int_eq(add_ip(pool, "b", "0.0.0.0"), -EINVAL);
	ck_assert_int_eq(add_ip(pool, "b", "127.0.0.1/8"), -EINVAL);
	ck_assert_int_eq(add_ip(pool, "b", "255.255.255.255"), -EINVAL);
	ck_assert_int_eq(add_ip(pool, "b", "ff02::1"), -EINVAL);
	ck_assert_int_eq(add_ip(pool, "b", "::1"), -EINVAL);
	ck_assert_int_eq(add_ip(pool, "b", "::"), -EINVAL);
	bad = test_addr("192.0.2.20/24");
	bad.prefixlen = 40;
	ck_assert_int_eq(ipto_pool_add_node_ip(pool, "b", &bad), -EINVAL);
	ck_assert_log(&log, "malformed address");
	bad.family = 77;
	ck_assert_int_eq(ipto_pool_add_node_ip(pool, "b", &bad), -EINVAL);
	/* unknown node, a standby is not a node */
	ck_assert_int_eq(add_ip(pool, "zz", "192.0.2.20/24"), -ENOENT);
	ck_assert_log(&log, "no active node zz");
	ck_assert_int_eq(add_ip(pool, "s", "192.0.2.20/24"), -ENOENT);
	ck_assert_log(&log, "it is a standby");
	ck_assert_int_eq(ipto_pool_add_node_ip(pool, "b", NULL), -EINVAL);
	ck_assert_int_eq(ipto_pool_add_node_ip(pool, NULL, &bad), -EINVAL);
	/* the failures changed nothing */
	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 2);
	ck_assert_int_eq(add_ip(pool, "b", "192.0.2.20/24"), 0);
	ck_assert_int_eq(add_ip(pool, "b", "192.0.2.0/24"), 0); /* a network address is a host address here */
	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 2);
	ck_assert_int_eq(add_ip(pool, "b", "198.51.100.7/31"), 0);
	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 3);
	ipto_pool_unref(pool);
}
END_TEST

START_TEST(pool_mac_input)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);

	ck_assert_int_eq(ipto_pool_add_node(pool, "a"), 0);
	ck_assert_int_eq(ipto_pool_add_node(pool, "b"), 0);
	ck_assert_int_eq(add_mac(pool, "a", "02:00:5e:00:53:01"), 0);
	ck_assert_int_eq(add_mac(pool, "a", "02:00:5e:00:53:01"), -EEXIST);
	ck_assert_int_eq(add_mac(pool, "b", "02:00:5e:00:53:01"), -EEXIST);
	ck_assert_log(&log, "node a has it already");
	ck_assert_int_eq(add_mac(pool, "b", "01:00:5e:00:53:01"), -EINVAL);
	ck_assert_log(&log, "not a unicast MAC");
	ck_assert_int_eq(add_mac(pool, "b", "ff:ff:ff:ff:ff:ff"), -EINVAL);
	ck_assert_int_eq(add_mac(pool, "b", "00:00:00:00:00:00"), -EINVAL);
	ck_assert_int_eq(add_mac(pool, "c", "02:00:5e:00:53:02"), -ENOENT);
	ck_assert_int_eq(ipto_pool_add_node_mac(pool, "b", NULL), -EINVAL);
	ck_assert_int_eq(add_mac(pool, "b", "02:00:5e:00:53:02"), 0);
	ipto_pool_unref(pool);
}
END_TEST

START_TEST(pool_adapter_input)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	struct ipto_mac m = test_mac("02:00:5e:00:53:10");

	ck_assert_int_eq(ipto_pool_add_standby(pool, "s1"), 0);
	ck_assert_int_eq(ipto_pool_add_standby(pool, "s2"), 0);
	ck_assert_int_eq(ipto_pool_add_node(pool, "n"), 0);
	ck_assert_int_eq(add_adapter(pool, "s1", "eth1", "02:00:5e:00:53:10", 0), 0);
	/* listed twice: by name on the same standby, or by MAC anywhere */
	ck_assert_int_eq(add_adapter(pool, "s1", "eth1", "02:00:5e:00:53:11", 0), -EEXIST);
	ck_assert_log(&log, "cannot add adapter eth1 to standby s1: listed already");
	ck_assert_int_eq(add_adapter(pool, "s2", "eth9", "02:00:5e:00:53:10", 0), -EEXIST);
	ck_assert_log(&log, "adapter eth1 of standby s1 has MAC 02:00:5e:00:53:10 already");
	/* the same name on another standby is another adapter */
	ck_assert_int_eq(add_adapter(pool, "s2", "eth1", "02:00:5e:00:53:12", 0), 0);
	/* MACs that are not unicast */
	ck_assert_int_eq(add_adapter(pool, "s1", "eth2", "03:00:5e:00:53:13", 0), -EINVAL);
	ck_assert_log(&log, "not a unicast MAC");
	ck_assert_int_eq(add_adapter(pool, "s1", "eth2", "ff:ff:ff:ff:ff:ff", 0), -EINVAL);
	ck_assert_int_eq(add_adapter(pool, "s1", "eth2", "00:00:00:00:00:00", 0), -EINVAL);
	/* interface names */
	ck_assert_int_eq(add_adapter(pool, "s1", "", "02:00:5e:00:53:14", 0), -EINVAL);
	ck_assert_int_eq(add_adapter(pool, "s1", "a/b", "02:00:5e:00:53:14", 0), -EINVAL);
	ck_assert_int_eq(add_adapter(pool, "s1", "a:b", "02:00:5e:00:53:14", 0), -EINVAL);
	ck_assert_int_eq(add_adapter(pool, "s1", "a b", "02:00:5e:00:53:14", 0), -EINVAL);
	ck_assert_int_eq(add_adapter(pool, "s1", "..", "02:00:5e:00:53:14", 0), -EINVAL);
	ck_assert_int_eq(add_adapter(pool, "s1", "0123456789abcdef", "02:00:5e:00:53:14", 0), -EINVAL);
	ck_assert_log(&log, "bad interface name");
	ck_assert_int_eq(add_adapter(pool, "s1", "0123456789abcde", "02:00:5e:00:53:14", 0), 0);
	/* flags */
	ck_assert_int_eq(add_adapter(pool, "s1", "eth3", "02:00:5e:00:53:15", 2), -EINVAL);
	ck_assert_log(&log, "unknown flags");
	ck_assert_int_eq(add_adapter(pool, "s1", "mgmt", "02:00:5e:00:53:15",
				     IPTO_ADAPTER_MANAGEMENT), 0);
	ck_assert_int_eq(add_adapter(pool, "s1", "mgmt2", "02:00:5e:00:53:16",
				     IPTO_ADAPTER_MANAGEMENT), -EEXIST);
	ck_assert_log(&log, "has a management adapter already");
	/* unknown standby, and a node is no standby */
	ck_assert_int_eq(add_adapter(pool, "s3", "eth1", "02:00:5e:00:53:17", 0), -ENOENT);
	ck_assert_log(&log, "no standby s3");
	ck_assert_int_eq(add_adapter(pool, "n", "eth1", "02:00:5e:00:53:17", 0), -ENOENT);
	ck_assert_int_eq(ipto_pool_add_adapter(pool, "s1", "eth4", NULL, 0), -EINVAL);
	ck_assert_int_eq(ipto_pool_add_adapter(pool, "s1", NULL, &m, 0), -EINVAL);
	ck_assert_int_eq(ipto_pool_add_adapter(pool, NULL, "eth4", &m, 0), -EINVAL);
	/* failures added nothing: s1 has eth1, 0123456789abcde and mgmt */
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 3);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 3);
	ipto_pool_unref(pool);
}
END_TEST

/* The capacity rule: the largest node, not the sum of the nodes. */
START_TEST(pool_capacity_rule)
{
	TEST_CTX(ctx, log);
	static const struct test_pool_row rows[] = {
		{ 'N', "big" },
		{ 'N', "small" },
		{ 'I', "big", "192.0.2.1/24" },
		{ 'I', "big", "192.0.2.2/24" },
		{ 'I', "big", "192.0.2.3/24" },
		{ 'I', "big", "2001:db8::4/64" },
		{ 'I', "small", "192.0.2.5/24" },
	};
	struct ipto_pool *pool = pool_new(ctx);

	TEST_POOL_FILL(pool, rows);
	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 4);

	/* no standby at all */
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_log(&log, "node small has 1 IPs but there is no standby: 1 adapters missing");

	ck_assert_int_eq(ipto_pool_add_standby(pool, "sb"), 0);
	ck_assert_int_eq(add_adapter(pool, "sb", "eth1", "02:00:5e:00:53:01", 0), 0);
	ck_assert_int_eq(add_adapter(pool, "sb", "eth2", "02:00:5e:00:53:02", 0), 0);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 2);
	log.count = 0;
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_int_eq(log.count, 1); /* only "big" fails */
	ck_assert_str_eq(log.last,
			 "capacity rule: node big has 4 IPs, standby sb has 2 adapters: 2 missing\n");

	/* Adapters of two standbys do not add up: a node goes whole. */
	ck_assert_int_eq(ipto_pool_add_standby(pool, "other"), 0);
	ck_assert_int_eq(add_adapter(pool, "other", "eth1", "02:00:5e:00:53:11", 0), 0);
	ck_assert_int_eq(add_adapter(pool, "other", "eth2", "02:00:5e:00:53:12", 0), 0);
	ck_assert_int_eq(add_adapter(pool, "other", "eth3", "02:00:5e:00:53:13", 0), 0);
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_str_eq(log.last,
			 "capacity rule: node big has 4 IPs, standby other has 3 adapters: 1 missing\n");
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 3);

	/* The management adapter counts ([0063]): exactly 4 now passes. */
	ck_assert_int_eq(add_adapter(pool, "sb", "mgmt", "02:00:5e:00:53:03",
				     IPTO_ADAPTER_MANAGEMENT), 0);
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_int_eq(add_adapter(pool, "sb", "eth3", "02:00:5e:00:53:04", 0), 0);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 4);
	ck_assert_int_eq(ipto_pool_check(pool), 0);

	/* One more IP on the big node breaks it again, and says so. */
	ck_assert_int_eq(add_ip(pool, "big", "2001:db8::5/64"), 0);
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_str_eq(log.last,
			 "capacity rule: node big has 5 IPs, standby sb has 4 adapters: 1 missing\n");
	ipto_pool_unref(pool);
}
END_TEST

/* An adapter with one of the node's own MACs does not count for it. */
START_TEST(pool_capacity_mac_clash)
{
	TEST_CTX(ctx, log);
	static const struct test_pool_row rows[] = {
		{ 'N', "n" },
		{ 'N', "m" },
		{ 'I', "n", "192.0.2.1/24" },
		{ 'I', "n", "192.0.2.2/24" },
		{ 'I', "m", "192.0.2.3/24" },
		{ 'I', "m", "192.0.2.4/24" },
		{ 'S', "sb" },
		{ 'A', "sb", "eth1", "02:00:5e:00:53:01", 0 },
		{ 'A', "sb", "eth2", "02:00:5e:00:53:02", 0 },
	};
	struct ipto_pool *pool = pool_new(ctx);

	TEST_POOL_FILL(pool, rows);
	ck_assert_int_eq(ipto_pool_check(pool), 0);
	/* the clash is found whichever was added first */
	ck_assert_int_eq(add_mac(pool, "n", "02:00:5e:00:53:02"), 0);
	ck_assert_log(&log, "adapter eth2 of standby sb has MAC 02:00:5e:00:53:02 of node n");
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_str_eq(log.last,
			 "capacity rule: node n has 2 IPs, standby sb has 2 adapters, 1 of them with a MAC of node n: 1 missing\n");
	/* the plain counts do not see clashes; the check does */
	ck_assert_uint_eq(ipto_pool_get_required_capacity(pool), 2);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(pool), 2);
	/* a second standby without a clash fixes it for n */
	ck_assert_int_eq(ipto_pool_add_standby(pool, "sb2"), 0);
	ck_assert_int_eq(add_adapter(pool, "sb2", "eth1", "02:00:5e:00:53:21", 0), 0);
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_int_eq(add_adapter(pool, "sb2", "eth2", "02:00:5e:00:53:22", 0), 0);
	ck_assert_int_eq(ipto_pool_check(pool), 0);
	/* adapter added after the node's MAC: clash seen too */
	ck_assert_int_eq(add_mac(pool, "m", "02:00:5e:00:53:23"), 0);
	ck_assert_int_eq(add_adapter(pool, "sb2", "eth3", "02:00:5e:00:53:23", 0), 0);
	ck_assert_log(&log, "adapter eth3 of standby sb2 has MAC 02:00:5e:00:53:23 of node m");
	ck_assert_int_eq(ipto_pool_check(pool), 0);
	ipto_pool_unref(pool);
}
END_TEST

/* Many failing nodes: each named (sorted), at most ten, then a count. */
START_TEST(pool_check_logs_each_node)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = pool_new(ctx);
	char name[16], ip[32];
	int i;

	ck_assert_int_eq(ipto_pool_add_standby(pool, "sb"), 0);
	ck_assert_int_eq(add_adapter(pool, "sb", "eth1", "02:00:5e:00:53:01", 0), 0);
	for (i = 11; i >= 0; i--) {
		snprintf(name, sizeof(name), "n%02d", i);
		ck_assert_int_eq(ipto_pool_add_node(pool, name), 0);
		snprintf(ip, sizeof(ip), "192.0.2.%d/24", 2 * i + 1);
		ck_assert_int_eq(add_ip(pool, name, ip), 0);
		snprintf(ip, sizeof(ip), "192.0.2.%d/24", 2 * i + 2);
		ck_assert_int_eq(add_ip(pool, name, ip), 0);
	}
	log.count = 0;
	ck_assert_int_eq(ipto_pool_check(pool), -ENOSPC);
	ck_assert_int_eq(log.count, 11);
	ck_assert_str_eq(log.last, "capacity rule: 2 more nodes fail it\n");
	ipto_pool_unref(pool);
}
END_TEST

static struct ipto_plan *takeover(struct ipto_pool *pool, const char *node)
{
	struct ipto_plan *plan = NULL;

	ck_assert_int_eq(ipto_plan_new_takeover(pool, &node, 1, NULL, &plan), 0);
	ck_assert_ptr_nonnull(plan);
	return plan;
}

static struct ipto_plan *release(struct ipto_pool *pool, const char *node)
{
	struct ipto_plan *plan = NULL;

	ck_assert_int_eq(ipto_plan_new_release(pool, &node, 1, &plan), 0);
	ck_assert_ptr_nonnull(plan);
	return plan;
}

/* Successive failures: commit tracks which adapters are busy. */
START_TEST(pool_commit_occupancy)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = fig1_pool(ctx);
	struct ipto_plan *p8, *p6, *r8, *p6b;
	struct ipto_plan_step st = { .sz = sizeof(st) };
	const char *op6 = "op6";
	struct ipto_plan *keep = (struct ipto_plan *)&log;

	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 2);
	p8 = takeover(pool, "op8");
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 2); /* planning changes nothing */
	ck_assert_int_eq(ipto_pool_commit(pool, p8), 0);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 1);
	/* committing it again is stale */
	ck_assert_int_eq(ipto_pool_commit(pool, p8), -ESTALE);
	ck_assert_log(&log, "node op8 changed since it was planned (committed already)");
	/* op8 is taken over: cannot take it over again, nor add to it */
	ck_assert_int_eq(ipto_plan_new_takeover(pool, (const char *const[]){ "op8" }, 1, NULL, &keep), -EALREADY);
	ck_assert_log(&log, "node op8 is taken over already");
	ck_assert_int_eq(add_ip(pool, "op8", "192.0.2.30/24"), -EBUSY);
	ck_assert_log(&log, "it is taken over; commit its release first");
	/* op6 now needs 2 adapters, only 1 is free */
	ck_assert_int_eq(ipto_plan_new_takeover(pool, &op6, 1, NULL, &keep), -ENOSPC);
	ck_assert_log(&log, "node op6 has 2 IPs, standby sb13 has the most free usable adapters, 1: 1 missing");
	ck_assert_ptr_eq(keep, (struct ipto_plan *)&log);
	/* op6 is active: no release */
	ck_assert_int_eq(ipto_plan_new_release(pool, &op6, 1, &keep), -EALREADY);
	ck_assert_log(&log, "node op6 is not taken over");
	/* failback of op8 frees lan10 */
	r8 = release(pool, "op8");
	ck_assert_uint_eq(ipto_plan_get_step_count(r8), 1);
	ck_assert_int_eq(ipto_plan_get_step(r8, 0, &st), 0);
	ck_assert_int_eq(st.action, IPTO_PLAN_ACTION_UNBIND);
	ck_assert_str_eq(st.ifname, "lan10");
	ck_assert_str_eq(st.node, "op8");
	ck_assert_int_eq(ipto_pool_commit(pool, r8), 0);
	ck_assert_int_eq(ipto_pool_commit(pool, r8), -ESTALE);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 2);
	/* the stale takeover plan of op8 cannot come back either */
	ck_assert_int_eq(ipto_pool_commit(pool, p8), -ESTALE);
	p6 = takeover(pool, "op6");
	ck_assert_uint_eq(ipto_plan_get_step_count(p6), 2);
	ipto_plan_unref(p8);
	ipto_plan_unref(r8);
	ipto_plan_unref(p6);
	/* two plans made before either is committed: the second goes stale */
	p8 = takeover(pool, "op8");
	p6b = takeover(pool, "op6");
	ck_assert_int_eq(ipto_pool_commit(pool, p8), 0);
	ck_assert_int_eq(ipto_pool_commit(pool, p6b), -ESTALE);
	ck_assert_log(&log, "adapter lan10 of standby sb13 was planned free and is busy now");
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 1);
	ipto_plan_unref(p8);
	ipto_plan_unref(p6b);
	ipto_pool_unref(pool);
}
END_TEST

START_TEST(pool_commit_rejects)
{
	TEST_CTX(ctx, log);
	struct ipto_pool *pool = fig1_pool(ctx), *other = fig1_pool(ctx);
	struct ipto_plan *p = takeover(other, "op6");

	ck_assert_int_eq(ipto_pool_commit(pool, p), -EINVAL);
	ck_assert_log(&log, "made from another pool");
	ck_assert_int_eq(ipto_pool_commit(pool, NULL), -EINVAL);
	ck_assert_int_eq(ipto_pool_commit(NULL, p), -EINVAL);
	ipto_plan_unref(p);
	/* a description change of a planned node makes the plan stale */
	p = takeover(pool, "op6");
	ck_assert_int_eq(add_mac(pool, "op6", "02:00:00:00:00:06"), 0);
	ck_assert_int_eq(ipto_pool_commit(pool, p), -ESTALE);
	ck_assert_log(&log, "its description or state changed");
	ck_assert_uint_eq(ipto_pool_get_free_capacity(pool), 2);
	/* ... but adding elsewhere does not */
	ipto_plan_unref(p);
	p = takeover(pool, "op8");
	ck_assert_int_eq(ipto_pool_add_standby(pool, "later"), 0);
	ck_assert_int_eq(ipto_pool_commit(pool, p), 0);
	ipto_plan_unref(p);
	/* the plan keeps its pool alive */
	p = release(pool, "op8");
	ipto_pool_unref(pool);
	ck_assert_uint_eq(ipto_plan_get_step_count(p), 1);
	ipto_plan_unref(p);
	ipto_pool_unref(other);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");

	test_tcase(s, "pool", pool_lifecycle, pool_empty_passes, pool_names,
		   pool_ip_input, pool_mac_input, pool_adapter_input,
		   pool_capacity_rule, pool_capacity_mac_clash,
		   pool_check_logs_each_node, pool_commit_occupancy,
		   pool_commit_rejects);
	return s;
}

IPTO_TEST_MAIN(pool_suite)
