/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Virtual takeover adapters (macvlans on one NIC): the pool's names and
 * MACs, refusal of MAC clashes, the capacity rule and plan output, and the
 * takeover that creates the links, through the dry-run binder: the links
 * exist with their tags and ARP settings before they come up, a fault at
 * any change leaves no link behind, a release deletes them, cleanup
 * removes only libipto's empty ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test-common.h"

static const char *const MAC_ALPHA = "02:00:5e:10:01:01";
static const char *const MAC_ETH0 = "02:00:5e:10:02:00";

/* alpha has three addresses; the standby "sb" has one NIC, eth0 (the
 * management adapter), and @count macvlans on it. */
static void fx_init(struct test_fixture *f, unsigned int count)
{
	struct ipto_mac m;

	test_fixture_init(f);
	ck_assert_int_eq(ipto_pool_new(f->ctx, &f->pool), 0);
	ck_assert_int_eq(ipto_pool_add_node(f->pool, "alpha"), 0);
	ck_assert_int_eq(add_ip(f->pool, "alpha", "192.0.2.10/24"), 0);
	ck_assert_int_eq(add_ip(f->pool, "alpha", "192.0.2.11/24"), 0);
	ck_assert_int_eq(add_ip(f->pool, "alpha", "198.51.100.10/24"), 0);
	m = test_mac(MAC_ALPHA);
	ck_assert_int_eq(ipto_pool_add_node_mac(f->pool, "alpha", &m), 0);
	ck_assert_int_eq(ipto_pool_add_standby(f->pool, "sb"), 0);
	m = test_mac(MAC_ETH0);
	ck_assert_int_eq(ipto_pool_add_adapter(f->pool, "sb", "eth0", &m,
					       IPTO_ADAPTER_MANAGEMENT), 0);
	if (count)
		ck_assert_int_eq(ipto_pool_add_macvlan_adapters(f->pool, "sb", "eth0",
								count, NULL), 0);
	ck_assert_int_eq(ipto_binder_new_dryrun(f->ctx, &f->binder), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "eth0", &m, true), 0);
	ck_assert_int_eq(ipto_injector_new_dryrun(f->ctx, &f->injector), 0);
}

static char *dump(struct test_fixture *f)
{
	return test_dump(f->binder);
}

static struct ipto_plan *plan_of(struct test_fixture *f, bool release)
{
	const char *nodes[] = { "alpha" };
	struct ipto_plan *p = NULL;

	if (release)
		ck_assert_int_eq(ipto_plan_new_release(f->pool, nodes, 1, &p), 0);
	else
		ck_assert_int_eq(ipto_plan_new_takeover(f->pool, nodes, 1, NULL, &p), 0);
	return p;
}

static int run(struct test_fixture *f, struct ipto_plan *p)
{
	struct ipto_takeover *t = test_takeover_new(f, p, 0, "sb");
	int r = ipto_takeover_run(t);

	ipto_takeover_unref(t);
	return r;
}

/* Commits @p, which was run, to the pool, and drops it. */
static void commit(struct test_fixture *f, struct ipto_plan *p)
{
	ck_assert_int_eq(ipto_pool_commit(f->pool, p), 0);
	ipto_plan_unref(p);
}

static struct ipto_mac mac_of(struct ipto_pool *pool, const char *ifname)
{
	struct ipto_plan *p;
	struct ipto_mac mac = { { 0 } };
	const char *name;
	size_t i, n;
	const char *nodes[] = { "alpha" };

	ck_assert_int_eq(ipto_plan_new_takeover(pool, nodes, 1, NULL, &p), 0);
	n = ipto_plan_get_adapter_count(p);
	for (i = 0; i < n; i++) {
		struct ipto_mac m;

		ck_assert_int_eq(ipto_plan_get_adapter(p, i, NULL, &name, &m), 0);
		if (strcmp(name, ifname) == 0)
			mac = m;
	}
	ipto_plan_unref(p);
	return mac;
}

static size_t count_calls(struct test_fixture *f, const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < ipto_binder_dryrun_get_call_count(f->binder); i++) {
		const char *text;

		ipto_binder_dryrun_get_call(f->binder, i, &text, NULL);
		n += strncmp(text, prefix, strlen(prefix)) == 0;
	}
	return n;
}

/* The calls that set one of the three links down. */
static size_t count_downs(struct test_fixture *f)
{
	return count_calls(f, "adapter_set_up ipto0 down") +
	       count_calls(f, "adapter_set_up ipto1 down") +
	       count_calls(f, "adapter_set_up ipto2 down");
}

static long call_index(struct test_fixture *f, const char *prefix)
{
	size_t i;

	for (i = 0; i < ipto_binder_dryrun_get_call_count(f->binder); i++) {
		const char *text;

		ipto_binder_dryrun_get_call(f->binder, i, &text, NULL);
		if (strncmp(text, prefix, strlen(prefix)) == 0)
			return (long)i;
	}
	return -1;
}

START_TEST(names_and_macs_are_stable)
{
	struct test_fixture a, b;
	struct ipto_mac m0, m1, m2, other;
	const char *parent = NULL;
	unsigned int index = 99;
	char buf[IPTO_MAC_STRLEN];
	int cls;

	fx_init(&a, 3);
	fx_init(&b, 3);
	m0 = mac_of(a.pool, "ipto0");
	m1 = mac_of(a.pool, "ipto1");
	m2 = mac_of(a.pool, "ipto2");
	/* the same description gives the same MACs, in any process */
	other = mac_of(b.pool, "ipto2");
	ck_assert(ipto_mac_equal(&m2, &other));
	ck_assert(!ipto_mac_equal(&m0, &m1) && !ipto_mac_equal(&m1, &m2));
	cls = ipto_mac_classify(&m0);
	ck_assert(cls & IPTO_MAC_CLASS_UNICAST);
	ck_assert(cls & IPTO_MAC_CLASS_LOCAL);
	ipto_mac_format(&m0, buf, sizeof(buf));
	ck_assert_int_eq(ipto_pool_get_adapter_macvlan(a.pool, "sb", "ipto1",
						       &parent, &index), 0);
	ck_assert_str_eq(parent, "eth0");
	ck_assert_uint_eq(index, 1);
	ck_assert_int_eq(ipto_pool_get_adapter_macvlan(a.pool, "sb", "eth0",
						       NULL, NULL), -ENODATA);
	ck_assert_int_eq(ipto_pool_get_adapter_macvlan(a.pool, "sb", "ipto9",
						       NULL, NULL), -ENOENT);
	/* a second call continues the indices */
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(a.pool, "sb", "eth0", 1,
							NULL), 0);
	ck_assert_int_eq(ipto_pool_get_adapter_macvlan(a.pool, "sb", "ipto3",
						       NULL, &index), 0);
	ck_assert_uint_eq(index, 3);
	test_fixture_fini(&a);
	test_fixture_fini(&b);
}
END_TEST

START_TEST(base_mac_and_prefix)
{
	struct test_fixture f;
	struct ipto_mac m, want;
	IPTO_OPTS(ipto_macvlan_opts, o, .base_mac = test_mac("02:00:5e:ff:ff:fe"),
		  .name_prefix = "tk");

	fx_init(&f, 0);
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(f.pool, "sb", "eth0", 3, &o), 0);
	m = mac_of(f.pool, "tk2");
	want = test_mac("02:00:5f:00:00:00"); /* fe + 2 carries */
	ck_assert(ipto_mac_equal(&m, &want));
	/* a universally administered base is refused, nothing added */
	o.base_mac = test_mac("00:16:3e:00:00:01");
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(f.pool, "sb", "eth0", 1, &o),
			 -EINVAL);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(f.pool), 4);
	o.base_mac = test_mac("02:00:00:00:00:01");
	o.name_prefix = "a/b";
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(f.pool, "sb", "eth0", 1, &o),
			 -EINVAL);
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(f.pool, "sb", "eth0", 0, NULL),
			 -EINVAL);
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(f.pool, "nobody", "eth0", 1,
							NULL), -ENOENT);
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(f.pool, "sb", "bad name", 1,
							NULL), -EINVAL);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(f.pool), 4);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(mac_clash_is_refused)
{
	struct test_fixture f, g;
	struct ipto_mac m1;

	fx_init(&f, 2);
	m1 = mac_of(f.pool, "ipto1");
	/* a node that has the MAC the second macvlan would get */
	fx_init(&g, 0);
	ck_assert_int_eq(ipto_pool_add_node(g.pool, "gamma"), 0);
	ck_assert_int_eq(ipto_pool_add_node_mac(g.pool, "gamma", &m1), 0);
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(g.pool, "sb", "eth0", 2, NULL),
			 -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(g.log.all, "ipto1 of standby sb"));
	ck_assert_ptr_nonnull(strstr(g.log.all, "node gamma"));
	ck_assert_uint_eq(ipto_pool_get_available_capacity(g.pool), 1); /* none added */
	/* the other order: the macvlan first, then the node's MAC */
	ck_assert_int_eq(ipto_pool_add_node(f.pool, "gamma"), 0);
	ck_assert_int_eq(ipto_pool_add_node_mac(f.pool, "gamma", &m1), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(f.log.last, "macvlan adapter ipto1 of standby sb"));
	test_fixture_fini(&g);

	/* an adapter's MAC: base_mac lands on eth0's */
	fx_init(&g, 0);
	{
		/* ipto1 would be 02:00:5e:10:02:00, eth0's MAC */
		IPTO_OPTS(ipto_macvlan_opts, o, .base_mac = test_mac("02:00:5e:10:01:ff"));

		ck_assert_int_eq(ipto_pool_add_macvlan_adapters(g.pool, "sb", "eth0",
								2, &o), -EADDRINUSE);
		ck_assert_ptr_nonnull(strstr(g.log.all, "ipto1 of standby sb would get "
					     "MAC 02:00:5e:10:02:00, which adapter eth0 "
					     "of standby sb has"));
		ck_assert_uint_eq(ipto_pool_get_available_capacity(g.pool), 1);
	}
	test_fixture_fini(&g);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(capacity_and_plan_output)
{
	struct test_fixture f;
	struct ipto_plan *p;
	struct ipto_plan_step s = { .sz = sizeof(s) };
	char *text, *json;
	size_t i, mv = 0;

	fx_init(&f, 1);
	/* eth0 + 1 macvlan: 2 adapters for 3 addresses */
	ck_assert_int_eq(ipto_pool_check(f.pool), -ENOSPC);
	ck_assert_int_eq(ipto_pool_add_macvlan_adapters(f.pool, "sb", "eth0", 2, NULL), 0);
	ck_assert_uint_eq(ipto_pool_get_available_capacity(f.pool), 4);
	ck_assert_int_eq(ipto_pool_check(f.pool), 0);
	p = plan_of(&f, false);
	for (i = 0; i < ipto_plan_get_step_count(p); i++) {
		ck_assert_int_eq(ipto_plan_get_step(p, i, &s), 0);
		mv += !!(s.flags & IPTO_PLAN_STEP_MACVLAN);
		ck_assert(!(s.flags & IPTO_PLAN_STEP_MANAGEMENT));
	}
	ck_assert_uint_eq(mv, 3); /* the macvlans before the management NIC */
	ck_assert_int_eq(ipto_plan_format(p, IPTO_FORMAT_TEXT, &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "sb ipto0 "));
	ck_assert_ptr_nonnull(strstr(text, "[macvlan on eth0]"));
	ck_assert_int_eq(ipto_plan_format(p, IPTO_FORMAT_JSON, &json), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"ifname\":\"ipto2\""));
	ck_assert_ptr_nonnull(strstr(json, "\"macvlan\":{\"parent\":\"eth0\",\"index\":2}"));
	free(text);
	free(json);
	ipto_plan_unref(p);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_creates_guarded_tagged_links)
{
	struct test_fixture f;
	struct ipto_plan *p;
	char *s;
	long create, up;
	size_t i, deletes, downs;

	fx_init(&f, 3);
	p = plan_of(&f, false);
	ck_assert_int_eq(run(&f, p), 0);
	s = dump(&f);
	ck_assert_ptr_nonnull(strstr(s, "macvlan ipto0 parent eth0 mode bridge alias ipto:sb:0\n"));
	ck_assert_ptr_nonnull(strstr(s, "macvlan ipto2 parent eth0 mode bridge alias ipto:sb:2\n"));
	ck_assert_ptr_nonnull(strstr(s, "addr ipto0 192.0.2.10/24 proto 112\n"));
	ck_assert_ptr_nonnull(strstr(s, "addr ipto2 198.51.100.10/24 proto 112\n"));
	ck_assert_ptr_nonnull(strstr(s, "devconf ipto1 arp_ignore 1\n"));
	ck_assert_ptr_nonnull(strstr(s, "devconf ipto1 arp_announce 2\n"));
	ck_assert_ptr_null(strstr(s, "addr eth0 "));
	free(s);
	/* created with the ARP settings, before the link ever comes up */
	create = call_index(&f, "adapter_create_macvlan ipto1 parent eth0");
	up = call_index(&f, "adapter_set_up ipto1 up");
	ck_assert_int_ge(create, 0);
	ck_assert_int_gt(up, create);
	{
		const char *text;

		ipto_binder_dryrun_get_call(f.binder, (size_t)create, &text, NULL);
		ck_assert_ptr_nonnull(strstr(text, "arp_ignore 1 arp_announce 2"));
	}
	ck_assert_int_lt(call_index(&f, "devconf_set ipto1"), 0);
	/* each address announced from its own macvlan's MAC */
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 3);
	for (i = 0; i < 3; i++) {
		const char *ifname;
		const unsigned char *frame;
		struct ipto_mac m;

		ipto_injector_dryrun_get_frame(f.injector, i, &ifname,
					       (const void **)&frame, NULL);
		m = mac_of(f.pool, ifname);
		ck_assert_int_eq(memcmp(frame + 6, m.bytes, 6), 0);
	}
	commit(&f, p);

	/* release: the addresses go at once, the links stay (empty, no
	 * deletion on the failback path) ... */
	p = plan_of(&f, true);
	deletes = count_calls(&f, "adapter_delete");
	downs = count_downs(&f);
	ck_assert_int_eq(run(&f, p), 0);
	ck_assert_uint_eq(count_calls(&f, "adapter_delete"), deletes);
	/* nor sets them down (as costly in the kernel as deleting) */
	ck_assert_uint_eq(count_downs(&f), downs);
	s = dump(&f);
	ck_assert_ptr_nonnull(strstr(s, "ipto0"));
	ck_assert_ptr_null(strstr(s, "addr ipto"));
	free(s);
	commit(&f, p);
	/* a takeover meanwhile finds them whole and uses them: no link
	 * created, every address bound */
	{
		size_t creates = count_calls(&f, "adapter_create");

		p = plan_of(&f, false);
		ck_assert_int_eq(run(&f, p), 0);
		ck_assert_uint_eq(count_calls(&f, "adapter_create"), creates);
		s = dump(&f);
		ck_assert_ptr_nonnull(strstr(s, "addr ipto0 192.0.2.10/24 proto 112\n"));
		ck_assert_ptr_nonnull(strstr(s, "addr ipto2 198.51.100.10/24 proto 112\n"));
		free(s);
		commit(&f, p);
		p = plan_of(&f, true);
		ck_assert_int_eq(run(&f, p), 0);
		commit(&f, p);
	}
	/* ... until the reaper deletes them, each under the lock */
	{
		char path[] = "/tmp/ipto-test-reap-XXXXXX";
		int fd = mkstemp(path);
		IPTO_OPTS(ipto_lock_opts, lo, .path = path, .timeout_ms = 1000);

		ck_assert_int_ge(fd, 0);
		close(fd);
		ck_assert_int_eq(ipto_macvlan_reap(f.binder, "sb", &lo), 3);
		ck_assert_uint_eq(count_calls(&f, "adapter_delete"), deletes + 3);
		s = dump(&f);
		ck_assert_ptr_null(strstr(s, "ipto"));
		free(s);
		/* nothing left: nothing to do */
		ck_assert_int_eq(ipto_macvlan_reap(f.binder, "sb", &lo), 0);
		unlink(path);
	}
	test_fixture_fini(&f);
}
END_TEST

/* A fault at the k-th change of the takeover, links included, for every
 * k: the failed takeover leaves the model exactly as it was. */
START_TEST(fault_at_every_change_leaves_no_link)
{
	unsigned int k;
	bool done = false;

	for (k = 1; k < 200 && !done; k++) {
		struct test_fixture f;
		struct ipto_plan *p;
		char *before, *after;
		int r;

		fx_init(&f, 3);
		p = plan_of(&f, false);
		before = dump(&f);
		ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder,
			IPTO_BINDER_OP_MUTATING | IPTO_BINDER_OP_ADAPTERS, k, -ENOBUFS), 0);
		r = run(&f, p);
		after = dump(&f);
		if (r == 0) {
			done = true;
			ck_assert_uint_ge(k, 4);
		} else {
			ck_assert_int_eq(r, -ENOBUFS);
			ck_assert_msg(strcmp(before, after) == 0,
				      "fault at change %u left:\n%s\nwas:\n%s", k,
				      after, before);
		}
		free(before);
		free(after);
		ipto_plan_unref(p);
		test_fixture_fini(&f);
	}
	ck_assert(done);
}
END_TEST

START_TEST(third_link_fails)
{
	struct test_fixture f;
	struct ipto_plan *p;
	char *s;

	fx_init(&f, 3);
	p = plan_of(&f, false);
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder,
		IPTO_BINDER_OP_ADAPTER_CREATE, 3, -ENOMEM), 0);
	ck_assert_int_eq(run(&f, p), -ENOMEM);
	ck_assert_uint_eq(count_calls(&f, "adapter_create_macvlan"), 3);
	ck_assert_uint_eq(count_calls(&f, "adapter_delete"), 2);
	ck_assert_uint_eq(count_calls(&f, "addr_add"), 0);
	s = dump(&f);
	ck_assert_ptr_null(strstr(s, "ipto"));
	free(s);
	ipto_plan_unref(p);
	test_fixture_fini(&f);
}
END_TEST

/* A link of the adapter's name that libipto did not make is not used,
 * and the two made before it go again. */
START_TEST(name_clash_is_refused)
{
	struct test_fixture f;
	struct ipto_plan *p;
	struct ipto_mac m = test_mac("02:00:5e:10:09:09");
	char *s;

	fx_init(&f, 3);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f.binder, "ipto2", &m, false), 0);
	p = plan_of(&f, false);
	ck_assert_int_eq(run(&f, p), -EEXIST);
	ck_assert_ptr_nonnull(strstr(f.log.all, "ipto2 exists but is not libipto's"));
	s = dump(&f);
	ck_assert_ptr_null(strstr(s, "ipto0"));
	ck_assert_ptr_null(strstr(s, "ipto1"));
	ck_assert_ptr_nonnull(strstr(s, "link ipto2 "));
	ck_assert_ptr_null(strstr(s, "addr "));
	free(s);
	ipto_plan_unref(p);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(precreated_links_stay)
{
	struct test_fixture f;
	struct ipto_plan *p;
	char *s;

	fx_init(&f, 3);
	/* all or nothing: a fault at the 2nd creation, or at raising the
	 * 3rd link, leaves no link */
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder,
		IPTO_BINDER_OP_ADAPTER_CREATE, 2, -ENOBUFS), 0);
	ck_assert_int_eq(ipto_macvlan_setup(f.pool, "sb", f.binder, IPTO_MACVLAN_KEEP),
			 -ENOBUFS);
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder,
		IPTO_BINDER_OP_ADAPTER_SET_UP, 3, -ENOBUFS), 0);
	ck_assert_int_eq(ipto_macvlan_setup(f.pool, "sb", f.binder, IPTO_MACVLAN_KEEP),
			 -ENOBUFS);
	s = dump(&f);
	ck_assert_ptr_null(strstr(s, "ipto"));
	free(s);
	ck_assert_int_eq(ipto_macvlan_setup(f.pool, "sb", f.binder, IPTO_MACVLAN_KEEP), 3);
	s = dump(&f);
	ck_assert_ptr_nonnull(strstr(s, "link ipto2 ifindex"));
	ck_assert_ptr_nonnull(strstr(strstr(s, "link ipto2 ifindex"), " up mtu"));
	free(s);
	ck_assert_int_eq(ipto_macvlan_setup(f.pool, "sb", f.binder, IPTO_MACVLAN_KEEP), 0);
	ipto_binder_dryrun_clear_calls(f.binder);
	p = plan_of(&f, false);
	ck_assert_int_eq(run(&f, p), 0);
	ck_assert_uint_eq(count_calls(&f, "adapter_create"), 0);
	commit(&f, p);
	p = plan_of(&f, true);
	ck_assert_int_eq(run(&f, p), 0);
	ck_assert_uint_eq(count_calls(&f, "adapter_delete"), 0);
	s = dump(&f);
	ck_assert_ptr_nonnull(strstr(s, "alias ipto:sb:1:keep\n"));
	ck_assert_ptr_null(strstr(s, "addr ipto"));
	free(s);
	/* cleanup leaves them unless asked */
	ck_assert_int_eq(ipto_macvlan_cleanup(f.binder, NULL, 0), 0);
	ck_assert_int_eq(ipto_macvlan_cleanup(f.binder, "sb", IPTO_MACVLAN_KEEP), 3);
	ipto_plan_unref(p);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(cleanup_removes_only_empty_tagged_links)
{
	struct test_fixture f;
	struct ipto_addr a = test_addr("192.0.2.10/24");
	IPTO_OPTS(ipto_macvlan_req, foreign, .ifname = "other0", .parent = "eth0",
		  .mac = test_mac("02:00:5e:10:09:01"), .mode = IPTO_MACVLAN_MODE_BRIDGE,
		  .alias = "not ours", .arp_ignore = -1, .arp_announce = -1);
	char *s;

	fx_init(&f, 3);
	ck_assert_int_eq(ipto_macvlan_setup(f.pool, "sb", f.binder, 0), 3);
	ck_assert_int_eq(ipto_binder_adapter_create_macvlan(f.binder, &foreign), 0);
	ck_assert_int_eq(ipto_binder_addr_add(f.binder, "ipto1", &a, IPTO_BIND_TAKEOVER), 0);
	{
		struct ipto_macvlan_entry e[4];

		for (int i = 0; i < 4; i++)
			e[i].sz = sizeof(e[i]);
		ck_assert_int_eq(ipto_macvlan_list(f.binder, NULL, e, 4), 3);
		ck_assert_str_eq(e[1].ifname, "ipto1");
		ck_assert_str_eq(e[1].standby, "sb");
		ck_assert_uint_eq(e[1].index, 1);
		ck_assert_uint_eq(e[1].n_addrs, 1);
		ck_assert_uint_eq(e[0].n_addrs, 0);
		ck_assert_uint_eq(e[0].flags, 0);
		ck_assert_int_eq(ipto_macvlan_list(f.binder, "nobody", NULL, 0), 0);
	}
	ck_assert_int_eq(ipto_macvlan_cleanup(f.binder, "other-standby", 0), 0);
	ck_assert_int_eq(ipto_macvlan_cleanup(f.binder, NULL, 0), 2);
	s = dump(&f);
	ck_assert_ptr_null(strstr(s, "link ipto0 "));
	ck_assert_ptr_nonnull(strstr(s, "link ipto1 "));
	ck_assert_ptr_null(strstr(s, "link ipto2 "));
	ck_assert_ptr_nonnull(strstr(s, "link other0 "));
	ck_assert_ptr_nonnull(strstr(f.log.all, "ipto1 (ipto:sb:1) holds addresses"));
	free(s);
	test_fixture_fini(&f);
}
END_TEST

/*
 * A binder whose tagged links grow between two link dumps: 2 on the first,
 * 8 on every later one (another process making links meanwhile). It
 * records what it is asked to delete.
 */
struct growing {
	unsigned int dumps;
	unsigned int n_deleted;
	char deleted[16][16];
};

static int grow_dump(struct ipto_binder *b, struct ipto_adapter_entry *out, size_t max)
{
	struct growing *g = ipto_binder_get_userdata(b);
	int n = g->dumps++ == 0 ? 2 : 8, i;

	for (i = 0; i < n && (size_t)i < max; i++) {
		snprintf(out[i].ifname, sizeof(out[i].ifname), "ipto%d", i);
		out[i].ifindex = 10 + i;
		out[i].mac = test_mac("02:00:5e:10:05:01");
		out[i].mac.bytes[5] = (uint8_t)(0x10 + i);
		out[i].up = false;
	}
	return n;
}

static int grow_alias(struct ipto_binder *b, const char *ifname, char *buf, size_t len)
{
	(void)b;
	snprintf(buf, len, "ipto:sb:%s", ifname + 4);
	return 0;
}

static int grow_addr_list(struct ipto_binder *b, const char *ifname,
			  struct ipto_addr *out, size_t max)
{
	(void)b, (void)ifname, (void)out, (void)max;
	return 0;
}

static int grow_delete(struct ipto_binder *b, const char *ifname)
{
	struct growing *g = ipto_binder_get_userdata(b);

	if (g->n_deleted < 16)
		snprintf(g->deleted[g->n_deleted], sizeof(g->deleted[0]), "%s", ifname);
	g->n_deleted++;
	return 0;
}

START_TEST(cleanup_walks_only_what_it_listed)
{
	struct test_fixture f;
	struct growing g = { 0 };
	IPTO_OPTS(ipto_binder_ops, ops, .adapter_dump = grow_dump,
		  .adapter_get_alias = grow_alias, .addr_list = grow_addr_list,
		  .adapter_delete = grow_delete);
	struct ipto_binder *b = NULL;
	unsigned int i, k;

	test_fixture_init(&f);
	ck_assert_int_eq(ipto_binder_new(f.ctx, &ops, &g, &b), 0);
	/* The links of the dump it walks, each once: the list grew to 8
	 * after the first dump, so a count from one call and the entries
	 * of another would walk 8 entries of an array of 2. */
	ck_assert_int_eq(ipto_macvlan_cleanup(b, "sb", 0), 2);
	ck_assert_uint_eq(g.n_deleted, 2);
	/* and nothing else was looked at: no entry past the copied ones */
	ck_assert_ptr_null(strstr(f.log.all, "holds addresses"));
	for (i = 0; i < g.n_deleted; i++) {
		char want[16];

		snprintf(want, sizeof(want), "ipto%u", i);
		ck_assert_str_eq(g.deleted[i], want);
		for (k = 0; k < i; k++)
			ck_assert_str_ne(g.deleted[k], g.deleted[i]);
	}
	/* the list itself reports the full count and fills only its room */
	{
		struct ipto_macvlan_entry e[3];

		for (i = 0; i < 3; i++)
			e[i].sz = sizeof(e[i]);
		ck_assert_int_eq(ipto_macvlan_list(b, "sb", e, 3), 8);
		ck_assert_str_eq(e[2].ifname, "ipto2");
	}
	ipto_binder_unref(b);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(tag_parse)
{
	char sb[16];
	unsigned int index, flags;

	ck_assert_int_eq(ipto_macvlan_tag_parse("ipto:sb:2", sb, sizeof(sb), &index,
						&flags), 0);
	ck_assert_str_eq(sb, "sb");
	ck_assert_uint_eq(index, 2);
	ck_assert_uint_eq(flags, 0);
	ck_assert_int_eq(ipto_macvlan_tag_parse("ipto:a:b:17:keep", sb, sizeof(sb),
						&index, &flags), 0);
	ck_assert_str_eq(sb, "a:b");
	ck_assert_uint_eq(index, 17);
	ck_assert_uint_eq(flags, IPTO_MACVLAN_KEEP);
	ck_assert_int_eq(ipto_macvlan_tag_parse("ipto::2", NULL, 0, NULL, NULL), -ENODATA);
	ck_assert_int_eq(ipto_macvlan_tag_parse("ipto:sb:", NULL, 0, NULL, NULL), -ENODATA);
	ck_assert_int_eq(ipto_macvlan_tag_parse("ipto:sb", NULL, 0, NULL, NULL), -ENODATA);
	ck_assert_int_eq(ipto_macvlan_tag_parse("vrrp:sb:1", NULL, 0, NULL, NULL), -ENODATA);
	ck_assert_int_eq(ipto_macvlan_tag_parse("", NULL, 0, NULL, NULL), -ENODATA);
	ck_assert_int_eq(ipto_macvlan_tag_parse("ipto:sb:99999", NULL, 0, NULL, NULL),
			 -ENODATA);
	ck_assert_int_eq(ipto_macvlan_tag_parse("ipto:longname:1", sb, 4, NULL, NULL),
			 -ENOSPC);
	ck_assert_int_eq(ipto_macvlan_tag_parse(NULL, NULL, 0, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(binder_checks_requests)
{
	struct test_fixture f;
	IPTO_OPTS(ipto_macvlan_req, r, .ifname = "mv0", .parent = "eth0",
		  .mac = test_mac("02:00:5e:10:09:01"), .mode = IPTO_MACVLAN_MODE_BRIDGE,
		  .arp_ignore = -1, .arp_announce = -1);
	char alias[8];

	fx_init(&f, 0);
	r.mode = 9;
	ck_assert_int_eq(ipto_binder_adapter_create_macvlan(f.binder, &r), -EINVAL);
	r.mode = IPTO_MACVLAN_MODE_PRIVATE;
	r.mac = test_mac("01:00:5e:00:00:01");
	ck_assert_int_eq(ipto_binder_adapter_create_macvlan(f.binder, &r), -EINVAL);
	r.mac = test_mac("02:00:5e:10:09:01");
	r.parent = "nope";
	ck_assert_int_eq(ipto_binder_adapter_create_macvlan(f.binder, &r), -ENODEV);
	r.parent = "eth0";
	ck_assert_int_eq(ipto_binder_adapter_create_macvlan(f.binder, &r), 0);
	ck_assert_int_eq(ipto_binder_adapter_create_macvlan(f.binder, &r), -EEXIST);
	ck_assert_int_eq(ipto_binder_adapter_get_alias(f.binder, "mv0", alias,
						    sizeof(alias)), 0);
	ck_assert_str_eq(alias, "");
	ck_assert_int_eq(ipto_binder_adapter_delete(f.binder, "mv0"), 0);
	ck_assert_int_eq(ipto_binder_adapter_delete(f.binder, "mv0"), -ENODEV);
	ck_assert_int_eq(ipto_binder_adapter_get_alias(f.binder, "mv0", alias,
						    sizeof(alias)), -ENODEV);
	test_fixture_fini(&f);
}
END_TEST

static Suite *macvlan_suite(void)
{
	Suite *s = suite_create("macvlan");

	test_tcase(s, "macvlan", names_and_macs_are_stable, base_mac_and_prefix,
		   mac_clash_is_refused, capacity_and_plan_output,
		   takeover_creates_guarded_tagged_links,
		   fault_at_every_change_leaves_no_link, third_link_fails,
		   name_clash_is_refused, precreated_links_stay,
		   cleanup_removes_only_empty_tagged_links,
		   cleanup_walks_only_what_it_listed, tag_parse,
		   binder_checks_requests);
	return s;
}

IPTO_TEST_MAIN(macvlan_suite)
