/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The takeover engine, driven through the dry-run backends: what it binds,
 * what it sends, and that a failure at any step leaves the modelled system
 * exactly as it found it.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test-common.h"

static const char *const MAC_ACTIVE = "02:00:5e:10:01:01";
static const char *const MAC_ETH1 = "02:00:5e:10:02:01";
static const char *const MAC_ETH2 = "02:00:5e:10:02:02";
static const char *const MAC_MGMT = "02:00:5e:10:02:00";

/*
 * The patent's Fig. 1: active node "alpha" with two IPs (one of them IPv6
 * when v6 is set), "beta" with one; a standby with eth1, eth2 (down) and a
 * management adapter mgmt0 (up). The plan takes over alpha.
 */
static void fixture_init(struct test_fixture *f, bool v6)
{
	struct ipto_mac m;
	const char *failed[] = { "alpha" };

	test_fixture_init(f);
	ck_assert_int_eq(ipto_pool_new(f->ctx, &f->pool), 0);
	ck_assert_int_eq(ipto_pool_add_node(f->pool, "alpha"), 0);
	ck_assert_int_eq(ipto_pool_add_node(f->pool, "beta"), 0);
	ck_assert_int_eq(add_ip(f->pool, "alpha", "192.0.2.10/24"), 0);
	ck_assert_int_eq(add_ip(f->pool, "alpha", v6 ? "2001:db8::10/64" : "198.51.100.10/24"), 0);
	ck_assert_int_eq(add_ip(f->pool, "beta", "192.0.2.20/24"), 0);
	m = test_mac(MAC_ACTIVE);
	ck_assert_int_eq(ipto_pool_add_node_mac(f->pool, "alpha", &m), 0);
	ck_assert_int_eq(ipto_pool_add_standby(f->pool, "standby"), 0);
	m = test_mac(MAC_ETH1);
	ck_assert_int_eq(ipto_pool_add_adapter(f->pool, "standby", "eth1", &m, 0), 0);
	m = test_mac(MAC_ETH2);
	ck_assert_int_eq(ipto_pool_add_adapter(f->pool, "standby", "eth2", &m, 0), 0);
	ck_assert_int_eq(ipto_pool_check(f->pool), 0);
	ck_assert_int_eq(ipto_plan_new_takeover(f->pool, failed, 1, NULL, &f->plan), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(f->plan), 2);

	ck_assert_int_eq(ipto_binder_new_dryrun(f->ctx, &f->binder), 0);
	m = test_mac(MAC_MGMT);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "mgmt0", &m, true), 0);
	m = test_mac(MAC_ETH1);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "eth1", &m, false), 0);
	m = test_mac(MAC_ETH2);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "eth2", &m, false), 0);
	ck_assert_int_eq(ipto_injector_new_dryrun(f->ctx, &f->injector), 0);
}

static char *dump(struct test_fixture *f)
{
	char *s = NULL;

	ck_assert_int_eq(ipto_binder_dryrun_dump(f->binder, &s), 0);
	return s;
}

static struct ipto_takeover *new_takeover(struct test_fixture *f,
					  const struct ipto_announce_round *rounds,
					  size_t n, unsigned int flags)
{
	struct ipto_takeover *t = NULL;
	IPTO_OPTS(ipto_takeover_opts, opts, .binder = f->binder,
		  .injector = f->injector, .rounds = rounds, .n_rounds = n,
		  .flags = flags);

	ck_assert_int_eq(ipto_takeover_new(f->ctx, f->plan, &opts, &t), 0);
	return t;
}

/* new_takeover() for test_start_first_round(): @arg is the fixture. */
static struct ipto_takeover *fixture_make(void *arg, const struct ipto_announce_round *rounds,
					  size_t n)
{
	return new_takeover(arg, rounds, n, 0);
}

static const struct ipto_announce_round one_round[] = {
	{ .delay_ms = 0,
	  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
		    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET) |
		    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) },
};

START_TEST(takeover_binds_each_ip_on_its_own_adapter)
{
	struct test_fixture f;
	struct ipto_takeover *t;
	char *after;
	size_t i, n;

	fixture_init(&f, false);
	t = new_takeover(&f, one_round, 1, 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);

	after = dump(&f);
	has(after, "addr eth1 192.0.2.10/24 proto 112\n");
	has(after, "addr eth2 198.51.100.10/24 proto 112\n");
	lacks(after, "addr mgmt0");
	/* Links raised, MACs kept, ARP flux fixed on both adapters. */
	has(after, "link eth1 ifindex 2 mac 02:00:5e:10:02:01 up");
	has(after, "link eth2 ifindex 3 mac 02:00:5e:10:02:02 up");
	has(after, "devconf eth1 arp_ignore 1\n");
	has(after, "devconf eth1 arp_announce 2\n");
	has(after, "devconf eth2 arp_ignore 1\n");
	/* mgmt0 is not in the pool but is an interface of the host: with
	 * arp_ignore=0 it would answer ARP for eth1's address (flux). */
	has(after, "devconf mgmt0 arp_ignore 1\n");
	has(after, "devconf mgmt0 arp_announce 2\n");
	/* The record notes what to restore on release. */
	has(after, "record link.eth1 ifindex=2 mac=02:00:5e:10:02:01 up=0 arp_ignore=0 arp_announce=0\n");
	has(after, "record link.mgmt0 ifindex=1 mac=02:00:5e:10:02:00 arp_ignore=0 arp_announce=0\n");
	free(after);

	/* Round 0: per IP, the announcement then the broadcast-target
	 * request, each from the adapter's own MAC, never the failed node's. */
	n = ipto_injector_dryrun_get_frame_count(f.injector);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++) {
		struct ipto_frame_info info = { .sz = sizeof(info) };
		const char *ifname;
		const void *frame;
		size_t len;
		bool on_eth1;

		ck_assert_int_eq(ipto_injector_dryrun_get_frame(f.injector, i, &ifname,
								&frame, &len), 0);
		ck_assert_int_eq(ipto_frame_parse(frame, len, &info), 0);
		on_eth1 = strcmp(ifname, "eth1") == 0;
		ck_assert(on_eth1 == (i < 2));
		ck_assert_int_eq(info.style, i % 2 == 0 ? IPTO_FRAME_STYLE_ARP_ANNOUNCE
							: IPTO_FRAME_STYLE_ARP_BCAST_TARGET);
		ck_assert(ipto_mac_equal(&info.sender_mac,
					 &(struct ipto_mac){ { 0 } }) == false);
		{
			struct ipto_mac want_mac = test_mac(on_eth1 ? MAC_ETH1 : MAC_ETH2);
			struct ipto_addr want_ip = test_addr(on_eth1 ? "192.0.2.10"
								: "198.51.100.10");

			ck_assert(ipto_mac_equal(&info.sender_mac, &want_mac));
			ck_assert(ipto_mac_equal(&info.eth_src, &want_mac));
			ck_assert(ipto_addr_equal(&info.sender_ip, &want_ip));
		}
	}
	ck_assert_int_eq(ipto_takeover_dispatch(t), 0);
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_ipv6_without_dad_and_na)
{
	struct test_fixture f;
	struct ipto_takeover *t;
	struct ipto_frame_info info = { .sz = sizeof(info) };
	const char *text, *ifname;
	const void *frame;
	char *after;
	size_t i, len, n;
	bool saw_nodad = false;

	fixture_init(&f, true);
	t = new_takeover(&f, one_round, 1, 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	n = ipto_binder_dryrun_get_call_count(f.binder);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(ipto_binder_dryrun_get_call(f.binder, i, &text, NULL), 0);
		if (strstr(text, "addr_add eth2 2001:db8::10/64") && strstr(text, "nodad"))
			saw_nodad = true;
	}
	ck_assert(saw_nodad);
	/* eth2 gets only the IPv6 address, but with arp_ignore=0 it would
	 * answer ARP for eth1's 192.0.2.10 with its own MAC: guarded too,
	 * and noted for the release to restore. */
	after = dump(&f);
	has(after, "devconf eth2 arp_ignore 1\n");
	has(after, "devconf eth2 arp_announce 2\n");
	has(after, "record link.eth2 ifindex=3 mac=02:00:5e:10:02:02 up=0 arp_ignore=0 arp_announce=0\n");
	free(after);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 3);
	ck_assert_int_eq(ipto_injector_dryrun_get_frame(f.injector, 2, &ifname,
							&frame, &len), 0);
	ck_assert_str_eq(ifname, "eth2");
	ck_assert_int_eq(ipto_frame_parse(frame, len, &info), 0);
	ck_assert_int_eq(info.style, IPTO_FRAME_STYLE_NA);
	ck_assert(info.override);
	ck_assert(!info.solicited);
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

/* Fails mutating binder call k, for every k, and checks the state. */
START_TEST(takeover_fault_at_every_step_changes_nothing)
{
	struct test_fixture f;
	unsigned int k;
	int r = -1;
	char *before, *after;

	fixture_init(&f, _i == 1);
	before = dump(&f);
	for (k = 1; k < 64; k++) {
		struct ipto_takeover *t = new_takeover(&f, one_round, 1, 0);

		ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder,
							      IPTO_BINDER_OP_MUTATING,
							      k, -EIO), 0);
		r = ipto_takeover_start(t);
		after = dump(&f);
		if (r == 0) {
			ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder, 0, 0, 0), 0);
			ck_assert_str_ne(after, before);
			ck_assert_int_eq(ipto_takeover_undo(t), 0);
			free(after);
			after = dump(&f);
			ck_assert_str_eq(after, before);
			free(after);
			ipto_takeover_unref(t);
			break;
		}
		ck_assert_int_eq(r, -EIO);
		ck_assert_msg(strcmp(after, before) == 0,
			      "fault at mutating call %u left:\n%s\nwas:\n%s", k,
			      after, before);
		ck_assert_int_gt(f.log.count, 0);
		free(after);
		/* Undo after a failed start is harmless. */
		ck_assert_int_eq(ipto_takeover_undo(t), 0);
		ipto_takeover_unref(t);
	}
	ck_assert_int_eq(r, 0);
	/* IPv4 only: 2 adapters x (2 devconf + 1 addr + 1 link up, the
	 * devconf changes noted in the record first in one note, the link
	 * change in another) = 12, and the guarded management adapter 2
	 * devconf + 1 note: 15 mutating calls, so 15 faults were injected
	 * before success. */
	if (_i == 0)
		ck_assert_uint_eq(k, 16);
	free(before);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_injector_faults_change_nothing)
{
	struct test_fixture f;
	struct ipto_takeover *t;
	char *before, *after;
	unsigned int k;

	fixture_init(&f, false);
	before = dump(&f);
	/* No port can be opened (say, no CAP_NET_RAW): nothing changes. */
	for (k = 1; k <= 2; k++) {
		t = new_takeover(&f, one_round, 1, 0);
		ck_assert_int_eq(ipto_injector_dryrun_set_fault(f.injector,
								IPTO_INJECTOR_OP_OPEN,
								k, -EPERM), 0);
		ck_assert_int_eq(ipto_takeover_start(t), -EPERM);
		after = dump(&f);
		ck_assert_str_eq(after, before);
		free(after);
		ipto_takeover_unref(t);
	}
	/* Every frame of the first round fails: rolled back. */
	t = new_takeover(&f, one_round, 1, 0);
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(f.injector, IPTO_INJECTOR_OP_SEND,
							0, -ENETDOWN), 0);
	ck_assert_int_eq(ipto_takeover_start(t), -ENETDOWN);
	after = dump(&f);
	ck_assert_str_eq(after, before);
	free(after);
	ipto_takeover_unref(t);
	/* One frame fails once: the rest of the batch is sent again and
	 * the takeover goes through with every frame on the wire. */
	t = new_takeover(&f, one_round, 1, 0);
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(f.injector, IPTO_INJECTOR_OP_SEND,
							2, -ENOBUFS), 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 4);
	ipto_takeover_unref(t);
	free(before);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_twice_is_harmless_and_undo_keeps_what_it_found)
{
	struct test_fixture f;
	struct ipto_takeover *t1, *t2;
	struct ipto_takeover_report rep = { .sz = sizeof(rep) };
	char *before, *once, *twice;
	size_t i, found = 0;

	fixture_init(&f, false);
	before = dump(&f);
	t1 = new_takeover(&f, one_round, 1, 0);
	ck_assert_int_eq(ipto_takeover_start(t1), 0);
	once = dump(&f);
	t2 = new_takeover(&f, one_round, 1, 0);
	ck_assert_int_eq(ipto_takeover_start(t2), 0);
	twice = dump(&f);
	ck_assert_str_eq(once, twice);
	for (i = 0; i < ipto_takeover_get_report_count(t2); i++) {
		ck_assert_int_eq(ipto_takeover_get_report(t2, i, &rep), 0);
		ck_assert_int_ne(rep.outcome, IPTO_REPORT_OUTCOME_FAILED);
		if (rep.op != IPTO_REPORT_OP_ANNOUNCE && rep.op != IPTO_REPORT_OP_OPEN_ADAPTER)
			ck_assert_int_eq(rep.outcome, IPTO_REPORT_OUTCOME_FOUND);
		if (rep.op == IPTO_REPORT_OP_ADDR_ADD)
			found++;
	}
	ck_assert_uint_eq(found, 2);
	ck_assert_int_eq(ipto_takeover_get_report(t2, i, &rep), -ERANGE);
	/* The second takeover found everything in place: undoing it
	 * changes nothing; undoing the first restores the start. */
	ck_assert_int_eq(ipto_takeover_undo(t2), 0);
	free(twice);
	twice = dump(&f);
	ck_assert_str_eq(once, twice);
	ck_assert_int_eq(ipto_takeover_undo(t1), 0);
	free(twice);
	twice = dump(&f);
	ck_assert_str_eq(before, twice);
	free(before);
	free(once);
	free(twice);
	ipto_takeover_unref(t1);
	ipto_takeover_unref(t2);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_release_plan_removes_addresses)
{
	struct test_fixture f;
	struct ipto_takeover *t;
	struct ipto_plan *release = NULL;
	const char *nodes[] = { "alpha" };
	char *before, *after;

	fixture_init(&f, false);
	before = dump(&f);
	t = new_takeover(&f, one_round, 1, IPTO_TAKEOVER_KEEP_DEVCONF);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	ipto_takeover_unref(t);
	ck_assert_int_eq(ipto_pool_commit(f.pool, f.plan), 0);
	ck_assert_int_eq(ipto_plan_new_release(f.pool, nodes, 1, &release), 0);
	ipto_plan_unref(f.plan);
	f.plan = release;
	ipto_injector_dryrun_clear_frames(f.injector);
	t = new_takeover(&f, NULL, 0, IPTO_TAKEOVER_KEEP_DEVCONF);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	after = dump(&f);
	lacks(after, "addr eth");
	/* A release sends nothing and lowers the links the takeover raised
	 * (they carry no address any more), as the record noted. */
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 0);
	has(after, "link eth1 ifindex 2 mac 02:00:5e:10:02:01 down");
	lacks(after, "record ");
	/* So the system is as the takeover found it. */
	ck_assert_str_eq(before, after);
	free(after);
	ipto_takeover_unref(t);
	ck_assert_int_eq(ipto_pool_commit(f.pool, f.plan), 0);
	free(before);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_keep_devconf_only_warns)
{
	struct test_fixture f;
	struct ipto_takeover *t;
	char *after;

	fixture_init(&f, false);
	t = new_takeover(&f, one_round, 1, IPTO_TAKEOVER_KEEP_DEVCONF);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	after = dump(&f);
	has(after, "devconf eth1 arp_ignore 0\n");
	has(f.log.all, "ARP flux");
	free(after);
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_bad_input)
{
	struct test_fixture f;
	struct ipto_takeover *t = NULL;
	struct ipto_announce_round bad[] = { { .delay_ms = 0,
		.styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_REQUEST) } };
	struct ipto_mac other = test_mac("02:00:5e:10:09:09");
	struct {
		struct ipto_takeover_opts o;
		uint64_t future_field;
	} big = { { .sz = sizeof(big) }, 1 };
	char *before, *after;
	IPTO_OPTS(ipto_takeover_opts, opts);

	fixture_init(&f, false);
	before = dump(&f);
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, &t), -EINVAL);
	ck_assert_log(&f.log, "binder");
	opts.binder = f.binder;
	opts.injector = f.injector;
	ck_assert_int_eq(ipto_takeover_new(NULL, f.plan, &opts, &t), -EINVAL);
	ck_assert_int_eq(ipto_takeover_new(f.ctx, NULL, &opts, &t), -EINVAL);
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, NULL), -EINVAL);
	opts.rounds = bad;
	opts.n_rounds = 1;
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, &t), -EINVAL);
	opts.n_rounds = 0;
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, &t), -EINVAL);
	opts.rounds = NULL;
	opts.flags = 1u << 30;
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, &t), -EINVAL);
	opts.flags = 0;
	big.o.binder = f.binder;
	big.o.injector = f.injector;
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &big.o, &t), -EINVAL);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(ipto_takeover_start(NULL), -EINVAL);
	ck_assert_int_eq(ipto_takeover_dispatch(NULL), -EINVAL);

	/* An adapter whose MAC is not the plan's: -EADDRNOTAVAIL, nothing done. */
	ipto_binder_unref(f.binder);
	ck_assert_int_eq(ipto_binder_new_dryrun(f.ctx, &f.binder), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f.binder, "eth1", &other, false), 0);
	t = new_takeover(&f, NULL, 0, 0);
	ck_assert_int_eq(ipto_takeover_start(t), -EADDRNOTAVAIL);
	ck_assert_log(&f.log, "eth1");
	ck_assert_int_eq(ipto_takeover_start(t), -EALREADY);
	ck_assert_int_eq(ipto_takeover_dispatch(t), -ENOTCONN);
	ipto_takeover_unref(t);
	/* A missing adapter: -ENODEV, nothing done. */
	ipto_binder_unref(f.binder);
	ck_assert_int_eq(ipto_binder_new_dryrun(f.ctx, &f.binder), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f.binder, "eth1", &(struct ipto_mac){
		{ 0x02, 0x00, 0x5e, 0x10, 0x02, 0x01 } }, false), 0);
	free(before);
	before = dump(&f);
	t = new_takeover(&f, NULL, 0, 0);
	ck_assert_int_eq(ipto_takeover_start(t), -ENODEV);
	after = dump(&f);
	ck_assert_str_eq(before, after);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 0);
	free(after);
	free(before);
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

/* Three announcement rounds 5 ms apart. */
static const struct ipto_announce_round three_rounds[] = {
	{ .delay_ms = 0, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) },
	{ .delay_ms = 5, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) },
	{ .delay_ms = 5, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) },
};

START_TEST(takeover_schedule_rounds_and_fd)
{
	static const struct ipto_announce_round rounds[] = {
		{ .delay_ms = 0, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) },
		{ .delay_ms = 20, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET) |
					    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_REPLY) },
	};
	struct test_fixture f;
	struct ipto_takeover *t = NULL;
	struct ipto_frame_info info = { .sz = sizeof(info) };
	const void *frame;
	size_t len, n;
	int left, fd;
	IPTO_OPTS(ipto_takeover_opts, opts, .rounds = rounds, .n_rounds = 2,
		  .refresh_ms = 10, .refresh_count = 2);

	fixture_init(&f, false);
	opts.binder = f.binder;
	opts.injector = f.injector;
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, &t), 0);
	fd = ipto_takeover_get_fd(t);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ipto_takeover_dispatch(t), -ENOTCONN);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	/* Round 0 went out at once: one announcement per IP (and what was
	 * due too, when start() ran for 20 ms or more on this machine). */
	n = ipto_injector_dryrun_get_frame_count(f.injector);
	ck_assert_uint_ge(n, 2);
	ck_assert_int_eq(ipto_injector_dryrun_get_frame(f.injector, 0, NULL, &frame, &len), 0);
	ck_assert_int_eq(ipto_frame_parse(frame, len, &info), 0);
	ck_assert_int_eq(info.style, IPTO_FRAME_STYLE_ARP_ANNOUNCE);
	/* Round 1 and two refreshes of it are still to come, less what
	 * went out by now: each carries 2 IPs x 2 styles. */
	left = ipto_takeover_dispatch(t);
	n = ipto_injector_dryrun_get_frame_count(f.injector);
	ck_assert_uint_eq((n - 2) % 4, 0);
	ck_assert_int_eq(left, 3 - (int)((n - 2) / 4));
	while (left > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		/* no timeout: the timer fires when it is due; a hang is
		 * caught by the suite's own timeout, not by a guess here */
		ck_assert_int_eq(poll(&pfd, 1, -1), 1);
		left = ipto_takeover_dispatch(t);
		ck_assert_int_ge(left, 0);
	}
	/* 2 + 3 rounds x 2 IPs x 2 styles. */
	n = ipto_injector_dryrun_get_frame_count(f.injector);
	ck_assert_uint_eq(n, 2 + 3 * 4);
	ck_assert_int_eq(ipto_injector_dryrun_get_frame(f.injector, 3, NULL, &frame, &len), 0);
	ck_assert_int_eq(ipto_frame_parse(frame, len, &info), 0);
	ck_assert_int_eq(info.style, IPTO_FRAME_STYLE_ARP_REPLY);
	ipto_takeover_unref(t);

	/* run() with an endless refresh is refused. */
	opts.refresh_count = 0;
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, &t), 0);
	ck_assert_int_eq(ipto_takeover_run(t), -EINVAL);
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_default_schedule_converges_both_client_kinds)
{
	const struct ipto_announce_round *r;
	size_t n = 0, i;
	uint32_t need = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET) |
			IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA);

	r = ipto_takeover_default_schedule(&n);
	ck_assert_uint_ge(n, 2);
	ck_assert_uint_eq(r[0].delay_ms, 0);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(r[i].styles & need, need);
	/* Later rounds outlast the kernel's default locktime (1 s). */
	for (i = 1; i < n; i++)
		ck_assert_uint_gt(r[i].delay_ms, 1000);
}
END_TEST

START_TEST(takeover_run_blocking_sends_every_round)
{
	struct test_fixture f;
	struct ipto_takeover *t;

	fixture_init(&f, false);
	t = new_takeover(&f, three_rounds, 3, 0);
	ck_assert_int_eq(ipto_takeover_run(t), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 6);
	ck_assert_int_eq(ipto_takeover_dispatch(t), 0);
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

/*
 * A later round never announces an address that left its adapter while
 * the schedule ran (a release in another process, an administrator): it
 * would pull clients to this host for an address another node serves.
 * Once nothing it announces is held, the schedule ends.
 */
START_TEST(takeover_later_rounds_skip_released_addresses)
{
	struct ipto_frame_info info = { .sz = sizeof(info) };
	struct ipto_announce_round used[3];
	struct ipto_addr gone, kept;
	struct ipto_takeover *t;
	struct test_fixture f;
	const void *frame;
	size_t len, i;

	ck_assert_int_eq(ipto_addr_parse("192.0.2.10/24", &gone), 0);
	ck_assert_int_eq(ipto_addr_parse("198.51.100.10", &kept), 0);
	fixture_init(&f, false);
	/* round 0 only, however long start() takes here */
	t = test_start_first_round(fixture_make, &f, f.injector, three_rounds, 3, used);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 2);
	/* another process removes one of the two addresses */
	ck_assert_int_eq(ipto_binder_addr_del(f.binder, "eth1", &gone), 0);
	ck_assert_int_eq(ipto_takeover_run(t), 0);
	/* rounds 1 and 2 carried only the address still held */
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 4);
	for (i = 2; i < 4; i++) {
		ck_assert_int_eq(ipto_injector_dryrun_get_frame(f.injector, i, NULL,
								&frame, &len), 0);
		ck_assert_int_eq(ipto_frame_parse(frame, len, &info), 0);
		ck_assert(ipto_addr_equal(&info.sender_ip, &kept));
	}
	ck_assert_ptr_nonnull(strstr(f.log.all, "192.0.2.10/24 is no longer on eth1"));
	ipto_takeover_unref(t);

	/* both gone after the first round: nothing more is sent, and the
	 * schedule ends at once */
	ipto_injector_unref(f.injector);
	ck_assert_int_eq(ipto_injector_new_dryrun(f.ctx, &f.injector), 0);
	t = test_start_first_round(fixture_make, &f, f.injector, three_rounds, 3, used);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 2);
	ck_assert_int_eq(ipto_binder_addr_del(f.binder, "eth1", &gone), 0);
	ck_assert_int_eq(ipto_binder_addr_del(f.binder, "eth2", &kept), 0);
	ck_assert_int_eq(ipto_takeover_run(t), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 2);
	ck_assert_int_eq(ipto_takeover_dispatch(t), 0);
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_reads_arp_settings_with_the_link)
{
	struct test_fixture f;
	struct ipto_takeover *t;
	struct ipto_adapter_info li = { .sz = sizeof(li) };
	const char *text;
	size_t i, n;

	fixture_init(&f, false);
	ck_assert_int_eq(ipto_binder_devconf_set(f.binder, "eth1",
						 IPTO_DEVCONF_ARP_IGNORE, 2), 0);
	ck_assert_int_eq(ipto_binder_adapter_get(f.binder, "eth1", &li), 0);
	ck_assert_int_eq(li.arp_ignore, 2);
	ck_assert_int_eq(li.arp_announce, 0);
	ck_assert_int_eq(ipto_binder_dryrun_clear_calls(f.binder), 0);
	t = new_takeover(&f, one_round, 1, 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	/* One adapter_get per adapter told the engine both settings. */
	n = ipto_binder_dryrun_get_call_count(f.binder);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(ipto_binder_dryrun_get_call(f.binder, i, &text, NULL), 0);
		ck_assert_msg(strncmp(text, "devconf_get", 11) != 0, "%s", text);
		/* A stricter arp_ignore found in place is kept. */
		ck_assert_msg(strcmp(text, "devconf_set eth1 arp_ignore 1") != 0, "%s", text);
	}
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(takeover_refresh_report_stays_bounded)
{
	static const struct ipto_announce_round r[] = {
		{ .delay_ms = 0, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) },
	};
	struct ipto_takeover_report rep = { .sz = sizeof(rep) };
	struct test_fixture f;
	struct ipto_takeover *t = NULL;
	size_t after_start, i, refresh_entries = 0;
	IPTO_OPTS(ipto_takeover_opts, opts, .rounds = r, .n_rounds = 1,
		  .refresh_ms = 1, .refresh_count = 40);

	fixture_init(&f, false);
	opts.binder = f.binder;
	opts.injector = f.injector;
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, &t), 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	after_start = ipto_takeover_get_report_count(t);
	ck_assert_int_eq(ipto_takeover_run(t), 0);
	/* 1 + 40 rounds x 2 IPs went out ... */
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 82);
	/* ... but the refreshes take one entry per adapter, the last. */
	ck_assert_uint_eq(ipto_takeover_get_report_count(t), after_start + 2);
	for (i = after_start; i < after_start + 2; i++) {
		ck_assert_int_eq(ipto_takeover_get_report(t, i, &rep), 0);
		ck_assert_int_eq(rep.op, IPTO_REPORT_OP_ANNOUNCE);
		ck_assert_uint_eq(rep.round, 40);
		refresh_entries++;
	}
	ck_assert_uint_eq(refresh_entries, 2);
	ipto_takeover_unref(t);
	test_fixture_fini(&f);
}
END_TEST

/* ARP flux: the standby's idle and management adapters share the LAN, so
 * they must not answer ARP for a taken-over address either. */
START_TEST(takeover_guards_every_adapter_of_the_standby)
{
	struct test_fixture f;
	struct ipto_takeover *t;
	struct ipto_mac m3 = test_mac("02:00:5e:10:02:03"), mg = test_mac(MAC_MGMT);
	struct ipto_plan *plan;
	const char *failed[] = { "beta" }, *ifname, *sb;
	char *before, *after;
	size_t n;

	fixture_init(&f, false);
	ck_assert_int_eq(ipto_pool_add_adapter(f.pool, "standby", "eth3", &m3, 0), 0);
	ck_assert_int_eq(ipto_pool_add_adapter(f.pool, "standby", "mgmt0", &mg,
					       IPTO_ADAPTER_MANAGEMENT), 0);
	/* "ghost" is in the description but not on this system. */
	m3.bytes[5] = 9;
	ck_assert_int_eq(ipto_pool_add_adapter(f.pool, "standby", "ghost", &m3, 0), 0);
	ck_assert_int_eq(ipto_plan_new_takeover(f.pool, failed, 1, NULL, &plan), 0);
	ipto_plan_unref(f.plan);
	f.plan = plan;
	n = ipto_plan_get_adapter_count(plan);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(ipto_plan_get_adapter(plan, n - 1, &sb, &ifname, NULL), 0);
	ck_assert_str_eq(sb, "standby");
	ck_assert_str_eq(ifname, "mgmt0"); /* the management adapter last */
	ck_assert_int_eq(ipto_plan_get_adapter(plan, n, NULL, NULL, NULL), -ERANGE);
	m3.bytes[5] = 3;
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f.binder, "eth3", &m3, true), 0);

	before = dump(&f);
	t = new_takeover(&f, one_round, 1, 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	after = dump(&f);
	has(after, "addr eth1 192.0.2.20/24 proto 112\n");
	has(after, "devconf eth2 arp_ignore 1\n");
	has(after, "devconf eth3 arp_ignore 1\n");
	has(after, "devconf eth3 arp_announce 2\n");
	has(after, "devconf mgmt0 arp_ignore 1\n");
	has(after, "devconf mgmt0 arp_announce 2\n");
	/* Only the owning adapter is raised and announces. */
	has(after, "link eth2 ifindex 3 mac 02:00:5e:10:02:02 down");
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 2);
	has(f.log.all, "ghost");
	free(after);
	ck_assert_int_eq(ipto_takeover_undo(t), 0);
	after = dump(&f);
	ck_assert_str_eq(before, after);
	free(after);
	ipto_takeover_unref(t);

	/* A fault at any change, the guards' last, undoes everything. */
	for (unsigned int k = 1;; k++) {
		int r;

		t = new_takeover(&f, one_round, 1, 0);
		ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder,
							      IPTO_BINDER_OP_MUTATING,
							      k, -EIO), 0);
		r = ipto_takeover_start(t);
		ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder, 0, 0, 0), 0);
		if (r == 0) {
			/* eth1: 2 devconf + addr + link, both devconf
			 * changes noted first in one note, the link change
			 * in another (6); the guards eth2, eth3, mgmt0: 2
			 * devconf + 1 note each (9). 15 faults, then
			 * success. */
			ck_assert_uint_eq(k, 16);
			ipto_takeover_unref(t);
			break;
		}
		ck_assert_int_eq(r, -EIO);
		after = dump(&f);
		ck_assert_msg(strcmp(before, after) == 0, "fault %u left:\n%s", k, after);
		free(after);
		ipto_takeover_unref(t);
	}
	free(before);
	test_fixture_fini(&f);
}
END_TEST

static Suite *takeover_suite(void)
{
	Suite *s = suite_create("takeover");
	TCase *tc;

	tc = test_tcase(s, "engine", takeover_binds_each_ip_on_its_own_adapter,
			takeover_ipv6_without_dad_and_na,
			takeover_injector_faults_change_nothing,
			takeover_twice_is_harmless_and_undo_keeps_what_it_found,
			takeover_release_plan_removes_addresses,
			takeover_keep_devconf_only_warns, takeover_bad_input,
			takeover_schedule_rounds_and_fd,
			takeover_default_schedule_converges_both_client_kinds,
			takeover_run_blocking_sends_every_round,
			takeover_reads_arp_settings_with_the_link,
			takeover_refresh_report_stays_bounded,
			takeover_later_rounds_skip_released_addresses,
			takeover_guards_every_adapter_of_the_standby);
	tcase_add_loop_test(tc, takeover_fault_at_every_step_changes_nothing, 0, 2);
	return s;
}

IPTO_TEST_MAIN(takeover_suite)
