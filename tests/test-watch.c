/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * After the takeover, the logic without a network: the watcher fed frames
 * by hand (ipto_watch_feed) with the dry-run binder and injector, the
 * connection-file parser, the tickle packet, and the argument checks of
 * the probe and the tickle sender. tests/netns/test-scenario-{watch,probe,
 * tickle}.sh run the same code against real kernels.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test-common.h"

#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

static const char *OWN = "02:00:5e:30:01:01";
static const char *OWN2 = "02:00:5e:30:01:02";
static const char *OTHER = "02:00:5e:20:01:00";

struct seen {
	int calls;
	struct ipto_watch_conflict last;
	char ifname[16];
};

static void on_conflict(struct ipto_watch *w, const struct ipto_watch_conflict *c,
			void *userdata)
{
	struct seen *s = userdata;

	ck_assert_ptr_nonnull(w);
	ck_assert_uint_ge(c->sz, sizeof(*c));
	s->calls++;
	s->last = *c;
	snprintf(s->ifname, sizeof(s->ifname), "%s", c->ifname);
}

/* The shared fixture (context, log, binder, injector) and the watch. */
struct fixture {
	struct test_fixture t;
	struct ipto_watch *w;
	struct seen seen;
};

static void fixture_new(struct fixture *f, enum ipto_watch_policy policy,
			uint32_t interval_ms)
{
	struct ipto_mac m1 = test_mac(OWN), m2 = test_mac(OWN2);

	memset(f, 0, sizeof(*f));
	test_fixture_init(&f->t);
	ck_assert_int_eq(ipto_binder_new_dryrun(f->t.ctx, &f->t.binder), 0);
	ck_assert_int_eq(ipto_injector_new_dryrun(f->t.ctx, &f->t.injector), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->t.binder, "tk1", &m1, true), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->t.binder, "tk2", &m2, true), 0);
	{
		IPTO_OPTS(ipto_watch_opts, o, .binder = f->t.binder, .injector = f->t.injector,
			  .policy = policy, .defend_interval_ms = interval_ms,
			  .on_conflict = on_conflict, .userdata = &f->seen);
		ck_assert_int_eq(ipto_watch_new(f->t.ctx, &o, &f->w), 0);
	}
}

static void fixture_free(struct fixture *f)
{
	ck_assert_ptr_null(ipto_watch_unref(f->w));
	ck_assert_uint_eq(ipto_injector_dryrun_get_open_count(f->t.injector), 0);
	test_fixture_fini(&f->t);
}

static size_t frame(enum ipto_frame_style style, const char *mac, const char *ip,
		    uint8_t *buf)
{
	struct ipto_mac m = test_mac(mac);
	struct ipto_addr a = test_addr(ip);
	int n = ipto_frame_build(NULL, style, &m, &a, NULL, buf, IPTO_FRAME_MAX_LEN);

	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static void assert_sent(struct fixture *f, size_t idx, const char *ifname,
			enum ipto_frame_style style, const char *ip)
{
	IPTO_OPTS(ipto_frame_info, fi);
	struct ipto_mac own = test_mac(strcmp(ifname, "tk1") ? OWN2 : OWN);
	struct ipto_addr a = test_addr(ip);
	const char *ifn;
	const void *fr;
	size_t len;

	ck_assert_int_eq(ipto_injector_dryrun_get_frame(f->t.injector, idx, &ifn, &fr, &len), 0);
	ck_assert_str_eq(ifn, ifname);
	ck_assert_int_eq(ipto_frame_parse(fr, len, &fi), 0);
	ck_assert_int_eq(fi.style, style);
	ck_assert(ipto_mac_equal(&fi.sender_mac, &own));
	ck_assert(ipto_mac_equal(&fi.eth_src, &own));
	ck_assert(ipto_addr_equal(&fi.sender_ip, &a));
}

START_TEST(watch_defend_v4)
{
	struct fixture f;
	struct ipto_addr a = test_addr("192.0.2.11/24");
	struct ipto_mac other = test_mac(OTHER), own = test_mac(OWN);
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n;

	fixture_new(&f, 0, 0); /* the default policy defends */
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_uint_eq(ipto_watch_get_addr_count(f.w), 1);
	ck_assert_uint_eq(ipto_injector_dryrun_get_open_count(f.t.injector), 1);

	n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OTHER, "192.0.2.11", buf);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 12345), 1);
	ck_assert_int_eq(f.seen.calls, 1);
	ck_assert(ipto_addr_equal(&f.seen.last.addr, &a));
	ck_assert_int_eq(f.seen.last.addr.prefixlen, 24);
	ck_assert(ipto_mac_equal(&f.seen.last.other_mac, &other));
	ck_assert(ipto_mac_equal(&f.seen.last.own_mac, &own));
	ck_assert_str_eq(f.seen.ifname, "tk1");
	ck_assert_int_eq(f.seen.last.ifindex, 1);
	ck_assert_uint_eq(f.seen.last.time_ns, 12345);
	ck_assert_int_eq(f.seen.last.style, IPTO_FRAME_STYLE_ARP_ANNOUNCE);
	ck_assert_uint_eq(f.seen.last.ethertype, 0x0806);
	ck_assert_uint_eq(f.seen.last.op, 1);
	ck_assert(f.seen.last.defended);
	ck_assert_int_eq(f.seen.last.defend_result, 0);
	ck_assert_uint_eq(f.seen.last.count, 1);
	/* exactly one announcement, from tk1's own MAC */
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.t.injector), 1);
	assert_sent(&f, 0, "tk1", IPTO_FRAME_STYLE_ARP_ANNOUNCE, "192.0.2.11");

	/* A reply from the other host (it answers ARP): reported, but within
	 * 10 s of the last defence, so not defended again (RFC 5227 2.4). */
	{
		struct ipto_mac m = test_mac(OTHER);
		struct ipto_addr ip = test_addr("192.0.2.11");

		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REPLY, &m, &ip, NULL,
					     buf, sizeof(buf));
	}
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert_int_eq(f.seen.calls, 2);
	ck_assert_uint_eq(f.seen.last.op, 2);
	ck_assert(!f.seen.last.defended);
	ck_assert_uint_eq(f.seen.last.count, 2);
	ck_assert_uint_gt(f.seen.last.time_ns, 1000000000ull * 1600000000ull);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.t.injector), 1);
	ck_assert_uint_eq(ipto_watch_get_conflict_count(f.w), 2);
	fixture_free(&f);
}
END_TEST

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

START_TEST(watch_defend_interval)
{
	struct fixture f;
	struct ipto_addr a = test_addr("192.0.2.11/24");
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OTHER, "192.0.2.11", buf);
	uint64_t t0;

	fixture_new(&f, IPTO_WATCH_POLICY_DEFEND, 20);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	t0 = mono_ms();
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert(f.seen.last.defended);
	if (mono_ms() - t0 < 20) { /* the machine may be slow: then skip this half */
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
		ck_assert(!f.seen.last.defended);
	}
	while (mono_ms() - t0 < 25)
		; /* the interval has passed by the clock */
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert(f.seen.last.defended);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.t.injector), 2);
	fixture_free(&f);
}
END_TEST

START_TEST(watch_not_conflicts)
{
	struct fixture f;
	struct ipto_addr a = test_addr("192.0.2.11/24"), b = test_addr("192.0.2.12/24");
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n;

	fixture_new(&f, IPTO_WATCH_POLICY_DEFEND, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk2", &b), 0);
	/* our own announcement */
	n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OWN, "192.0.2.11", buf);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
	/* another address */
	n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OTHER, "192.0.2.99", buf);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
	/* a's claim seen on tk2, which does not hold a: the copy on tk1
	 * reports it, once */
	n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OTHER, "192.0.2.11", buf);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk2", buf, n, 0), 0);
	/* an adapter that holds nothing watched */
	ck_assert_int_eq(ipto_watch_feed(f.w, "mgmt", buf, n, 0), 0);
	/* truncated, garbage, empty */
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, 41, 0), 0);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", "\xff\xff", 2, 0), 0);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", NULL, 0, 0), 0);
	ck_assert_int_eq(f.seen.calls, 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.t.injector), 0);
	/* an ARP request that resolves a: a neighbour, not a conflict */
	{
		IPTO_OPTS(ipto_frame_opts, o, .target = test_addr("192.0.2.11"));
		struct ipto_mac m = test_mac(OTHER);
		struct ipto_addr ip = test_addr("192.0.2.77");

		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST, &m, &ip, &o,
					     buf, sizeof(buf));
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
		ck_assert_uint_eq(ipto_watch_get_seen_count(f.w), 1);
	}
	/* b on tk2 is watched too */
	n = frame(IPTO_FRAME_STYLE_ARP_BCAST_TARGET, OTHER, "192.0.2.12/24", buf);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk2", buf, n, 0), 1);
	ck_assert_str_eq(f.seen.ifname, "tk2");
	assert_sent(&f, 0, "tk2", IPTO_FRAME_STYLE_ARP_ANNOUNCE, "192.0.2.12");
	fixture_free(&f);
}
END_TEST

/* Another host's probes for a watched address: an RFC 5227 ARP probe and
 * an RFC 4862 DAD NS are conflicts, marked probe, never defended. */
START_TEST(watch_probes)
{
	struct fixture f;
	struct ipto_addr a = test_addr("192.0.2.11/24"), a6 = test_addr("2001:db8::11/64");
	struct ipto_mac other = test_mac(OTHER);
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n;

	fixture_new(&f, IPTO_WATCH_POLICY_DEFEND, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a6), 0);
	{
		IPTO_OPTS(ipto_frame_opts, o, .target = test_addr("192.0.2.11"));
		struct ipto_addr ip = test_addr("192.0.2.77");

		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST, &other, &ip,
					     &o, buf, sizeof(buf));
		memset(buf + 28, 0, 4); /* sender IP 0.0.0.0 */
	}
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert(f.seen.last.probe);
	ck_assert(ipto_addr_equal(&f.seen.last.addr, &a));
	ck_assert(ipto_mac_equal(&f.seen.last.other_mac, &other));
	ck_assert(!f.seen.last.defended);
	ck_assert_uint_eq(f.seen.last.ethertype, 0x0806);
	/* a DAD NS: from ::, to the solicited-node group, no option (the
	 * frame the probe sends: an NS built from a:: host, its SLLA cut) */
	{
		static const uint8_t dad[78] = {
			0x33, 0x33, 0xff, 0x00, 0x00, 0x11, 0x02, 0x00, 0x5e, 0x20, 0x01, 0x00,
			0x86, 0xdd, 0x60, 0, 0, 0, 0, 24, 58, 255,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x11,
			135, 0, 0, 0, 0, 0, 0, 0,
			0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11,
		};
		uint8_t f6[78];
		uint32_t sum = 0;
		size_t i;

		memcpy(f6, dad, sizeof(f6));
		/* ICMPv6 checksum: pseudo-header (addresses, length 24, 58) */
		for (i = 22; i < 54; i += 2)
			sum += (uint32_t)(f6[i] << 8 | f6[i + 1]);
		sum += 24 + 58;
		for (i = 54; i < 78; i += 2)
			sum += (uint32_t)(f6[i] << 8 | f6[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		f6[56] = (uint8_t)(~sum >> 8);
		f6[57] = (uint8_t)~sum;
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", f6, sizeof(f6), 0), 1);
		ck_assert(f.seen.last.probe);
		ck_assert(ipto_addr_equal(&f.seen.last.addr, &a6));
		ck_assert(ipto_mac_equal(&f.seen.last.other_mac, &other));
		ck_assert_uint_eq(f.seen.last.ethertype, 0x86dd);
		ck_assert(!f.seen.last.defended);
		/* the same on tk2, which does not hold it: nothing */
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk2", f6, sizeof(f6), 0), 0);
	}
	ck_assert_int_eq(f.seen.calls, 2);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.t.injector), 0);
	ck_assert_uint_eq(ipto_watch_get_seen_count(f.w), 0);
	/* an NS from another host that claims a6 (source a6, its own SLLA):
	 * a claim, defended with an NA */
	{
		IPTO_OPTS(ipto_frame_opts, o, .target = test_addr("2001:db8::77"));
		struct ipto_addr ip = test_addr("2001:db8::11");

		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_NS, &other, &ip, &o, buf,
					     sizeof(buf));
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
		ck_assert(!f.seen.last.probe);
		ck_assert(f.seen.last.defended);
		assert_sent(&f, 0, "tk1", IPTO_FRAME_STYLE_NA, "2001:db8::11");
	}
	fixture_free(&f);
}
END_TEST

/* The hosts that resolve a watched address: kept (bounded, newest win),
 * never a broadcast, multicast or zero sender; written as a list that
 * ipto_neigh_set_add_seen() reads back. */
START_TEST(watch_seen)
{
	struct fixture f;
	struct ipto_addr a = test_addr("192.0.2.11/24"), a6 = test_addr("2001:db8::11/64");
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	char dir[] = "/tmp/ipto-test-seen-XXXXXX", path[64];
	struct ipto_neigh_set *set = NULL;
	size_t n, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/neigh-seen", dir);
	fixture_new(&f, IPTO_WATCH_POLICY_REPORT, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a6), 0);
	ck_assert_int_eq(ipto_watch_write_seen(f.w, path, false), 0); /* nothing yet */
	ck_assert_int_eq(access(path, F_OK), -1);
	{
		IPTO_OPTS(ipto_frame_opts, o, .target = test_addr("192.0.2.11"));
		struct ipto_mac m = test_mac("02:00:5e:00:53:65"), bc = test_mac("ff:ff:ff:ff:ff:ff");
		struct ipto_mac own = test_mac(OWN), zero = test_mac("00:00:00:00:00:00");
		struct ipto_addr c1 = test_addr("192.0.2.101"), b = test_addr("192.0.2.255");

		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST, &m, &c1, &o,
					     buf, sizeof(buf));
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0); /* again */
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk2", buf, n, 0), 0); /* not held there */
		/* sender MAC broadcast / zero / our own, Ethernet source broadcast */
		memcpy(buf + 22, bc.bytes, 6);
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
		memcpy(buf + 22, zero.bytes, 6);
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
		memcpy(buf + 22, own.bytes, 6);
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
		memcpy(buf + 22, m.bytes, 6);
		memcpy(buf + 6, bc.bytes, 6);
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
		/* a broadcast sender IP */
		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST,
					     &m, &b, &o, buf, sizeof(buf));
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
	}
	ck_assert_uint_eq(ipto_watch_get_seen_count(f.w), 1);
	/* an NS that resolves a6, from 2001:db8::65 */
	{
		IPTO_OPTS(ipto_frame_opts, o, .target = test_addr("2001:db8::11"));
		struct ipto_mac m = test_mac("02:00:5e:00:53:66");
		struct ipto_addr c = test_addr("2001:db8::65");

		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_NS, &m, &c, &o, buf,
					     sizeof(buf));
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
	}
	ck_assert_uint_eq(ipto_watch_get_seen_count(f.w), 2);
	ck_assert_int_eq(f.seen.calls, 0);
	ck_assert_int_eq(ipto_watch_write_seen(f.w, path, false), 2);
	ck_assert_int_eq(ipto_watch_write_seen(f.w, path, false), 0); /* unchanged */
	ck_assert_int_eq(ipto_watch_write_seen(f.w, path, true), 2);
	ck_assert_int_eq(ipto_neigh_set_new(f.t.ctx, &set), 0);
	ck_assert_int_eq(ipto_neigh_set_add_seen(set, path, NULL), 2);
	ck_assert_uint_eq(ipto_neigh_set_get_count(set), 2);
	for (i = 0; i < 2; i++) {
		IPTO_OPTS(ipto_neigh, e);
		char t[IPTO_ADDR_STRLEN], m[IPTO_MAC_STRLEN];

		ck_assert_int_eq(ipto_neigh_set_get(set, i, &e), 0);
		ipto_addr_format(&e.addr, t, sizeof(t));
		ipto_mac_format(&e.mac, m, sizeof(m));
		ck_assert_str_eq(t, i ? "2001:db8::65" : "192.0.2.101");
		ck_assert_str_eq(m, i ? "02:00:5e:00:53:66" : "02:00:5e:00:53:65");
		ck_assert_uint_eq(e.sources, IPTO_NEIGH_WATCH);
	}
	ipto_neigh_set_unref(set);
	fixture_free(&f);

	/* A new watcher keeps what the file holds, then adds; bounded at
	 * IPTO_NEIGH_MAX, the oldest go first. */
	fixture_new(&f, IPTO_WATCH_POLICY_REPORT, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	for (i = 0; i < IPTO_NEIGH_MAX + 1; i++) {
		IPTO_OPTS(ipto_frame_opts, o, .target = test_addr("192.0.2.11"));
		struct ipto_mac m = test_mac("02:00:5e:00:53:01");
		struct ipto_addr c = test_addr("10.0.0.0");

		c.bytes[1] = (uint8_t)(i >> 8);
		c.bytes[2] = (uint8_t)i;
		c.bytes[3] = 1;
		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST, &m, &c, &o,
					     buf, sizeof(buf));
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
	}
	ck_assert_uint_eq(ipto_watch_get_seen_count(f.w), IPTO_NEIGH_MAX);
	ck_assert_int_eq(ipto_watch_write_seen(f.w, path, false), IPTO_NEIGH_MAX);
	ck_assert_int_eq(ipto_neigh_set_new(f.t.ctx, &set), 0);
	ck_assert_int_eq(ipto_neigh_set_add_seen(set, path, NULL), IPTO_NEIGH_MAX);
	{
		/* the two of the old file and 10.0.0.1, the first, made room */
		struct ipto_addr old = test_addr("192.0.2.101"), first = test_addr("10.0.0.1");
		struct ipto_addr last = test_addr("10.16.0.1");
		bool has_old = false, has_first = false, has_last = false;

		for (i = 0; i < ipto_neigh_set_get_count(set); i++) {
			IPTO_OPTS(ipto_neigh, e);

			ck_assert_int_eq(ipto_neigh_set_get(set, i, &e), 0);
			has_old |= ipto_addr_equal(&e.addr, &old);
			has_first |= ipto_addr_equal(&e.addr, &first);
			has_last |= ipto_addr_equal(&e.addr, &last);
		}
		ck_assert(!has_old && !has_first && has_last);
	}
	ipto_neigh_set_unref(set);
	fixture_free(&f);
	unlink(path);
	/* a directory others may write to is refused */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	fixture_new(&f, IPTO_WATCH_POLICY_REPORT, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	{
		IPTO_OPTS(ipto_frame_opts, o, .target = test_addr("192.0.2.11"));
		struct ipto_mac m = test_mac("02:00:5e:00:53:65");
		struct ipto_addr c1 = test_addr("192.0.2.101");

		n = (size_t)ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST, &m, &c1, &o,
					     buf, sizeof(buf));
		ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
	}
	ck_assert_int_eq(ipto_watch_write_seen(f.w, path, false), -EPERM);
	ck_assert_int_eq(access(path, F_OK), -1);
	fixture_free(&f);
	rmdir(dir);
}
END_TEST

/* Remove and read back. */
START_TEST(watch_remove)
{
	struct fixture f;
	struct ipto_addr a = test_addr("192.0.2.11/24"), b = test_addr("192.0.2.12/24"), r;
	char ifn[16];
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OTHER, "192.0.2.11", buf);

	fixture_new(&f, IPTO_WATCH_POLICY_REPORT, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk2", &b), 0);
	ck_assert_int_eq(ipto_watch_get_addr(f.w, 1, &r, ifn), 0);
	ck_assert(ipto_addr_equal(&r, &b));
	ck_assert_str_eq(ifn, "tk2");
	ck_assert_int_eq(ipto_watch_get_addr(f.w, 2, &r, ifn), -ERANGE);
	ck_assert_int_eq(ipto_watch_remove(f.w, &a), 0);
	ck_assert_int_eq(ipto_watch_remove(f.w, &a), -ENOENT);
	ck_assert_uint_eq(ipto_watch_get_addr_count(f.w), 1);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert_uint_eq(f.seen.last.count, 1); /* a fresh count */
	fixture_free(&f);
}
END_TEST

START_TEST(watch_report_only)
{
	struct fixture f;
	struct ipto_addr a = test_addr("192.0.2.11/24");
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OTHER, "192.0.2.11", buf);

	fixture_new(&f, IPTO_WATCH_POLICY_REPORT, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_open_count(f.t.injector), 0);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert_int_eq(f.seen.calls, 2);
	ck_assert(!f.seen.last.defended);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.t.injector), 0);
	fixture_free(&f);
}
END_TEST

START_TEST(watch_defend_v6)
{
	struct fixture f;
	struct ipto_addr a = test_addr("2001:db8:2::11/64");
	struct ipto_mac other = test_mac(OTHER);
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n = frame(IPTO_FRAME_STYLE_NA, OTHER, "2001:db8:2::11", buf);

	fixture_new(&f, IPTO_WATCH_POLICY_DEFEND, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert(ipto_mac_equal(&f.seen.last.other_mac, &other));
	ck_assert_uint_eq(f.seen.last.ethertype, 0x86dd);
	ck_assert_int_eq(f.seen.last.style, IPTO_FRAME_STYLE_NA);
	ck_assert(f.seen.last.defended);
	assert_sent(&f, 0, "tk1", IPTO_FRAME_STYLE_NA, "2001:db8:2::11");
	fixture_free(&f);
}
END_TEST

START_TEST(watch_defend_fails)
{
	struct fixture f;
	struct ipto_addr a = test_addr("192.0.2.11/24");
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OTHER, "192.0.2.11", buf);

	fixture_new(&f, IPTO_WATCH_POLICY_DEFEND, 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(f.t.injector, IPTO_INJECTOR_OP_SEND, 0, -ENETDOWN), 0);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", buf, n, 0), 1);
	ck_assert(!f.seen.last.defended);
	ck_assert_int_eq(f.seen.last.defend_result, -ENETDOWN);
	ck_assert_ptr_nonnull(strstr(f.t.log.all, "defending on tk1 failed"));
	fixture_free(&f);
}
END_TEST

START_TEST(watch_bad_args)
{
	struct fixture f;
	struct ipto_watch *w = (void *)0x1;
	struct ipto_addr a = test_addr("192.0.2.11/24"), mc = test_addr("224.0.0.1");
	struct ipto_addr bc = test_addr("192.0.2.255/24");
	struct {
		struct ipto_watch_opts o;
		char tail[8];
	} big;

	fixture_new(&f, IPTO_WATCH_POLICY_DEFEND, 0);
	ck_assert_int_eq(ipto_watch_new(f.t.ctx, NULL, &w), -EINVAL);
	{
		IPTO_OPTS(ipto_watch_opts, o, .injector = f.t.injector);
		ck_assert_int_eq(ipto_watch_new(f.t.ctx, &o, &w), -EINVAL);
		ck_assert_ptr_nonnull(strstr(f.t.log.last, "binder is required"));
	}
	{
		IPTO_OPTS(ipto_watch_opts, o, .binder = f.t.binder);
		ck_assert_int_eq(ipto_watch_new(f.t.ctx, &o, &w), -EINVAL);
		ck_assert_ptr_nonnull(strstr(f.t.log.last, "needs an injector"));
	}
	{
		IPTO_OPTS(ipto_watch_opts, o, .binder = f.t.binder, .policy = 7);
		ck_assert_int_eq(ipto_watch_new(f.t.ctx, &o, &w), -EINVAL);
	}
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.binder = f.t.binder;
	big.o.policy = IPTO_WATCH_POLICY_REPORT;
	big.tail[3] = 1;
	ck_assert_int_eq(ipto_watch_new(f.t.ctx, &big.o, &w), -EINVAL);
	ck_assert_ptr_eq(w, (void *)0x1);
	big.tail[3] = 0;
	ck_assert_int_eq(ipto_watch_new(f.t.ctx, &big.o, &w), 0);
	ipto_watch_unref(w);

	ck_assert_int_eq(ipto_watch_add(f.w, "nosuch", &a), -ENODEV);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &mc), -EINVAL);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &bc), -EINVAL);
	ck_assert_int_eq(ipto_watch_add(f.w, "", &a), -EINVAL);
	ck_assert_int_eq(ipto_watch_add(f.w, "abcdefghijklmnop", &a), -EINVAL);
	ck_assert_int_eq(ipto_watch_add(f.w, NULL, &a), -EINVAL);
	ck_assert_uint_eq(ipto_watch_get_addr_count(f.w), 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk1", &a), 0);
	ck_assert_int_eq(ipto_watch_add(f.w, "tk2", &a), -EEXIST);
	ck_assert_uint_eq(ipto_watch_get_addr_count(f.w), 1);
	ck_assert_int_eq(ipto_watch_get_fd(f.w), -EBADF);
	ck_assert_int_eq(ipto_watch_dispatch(f.w), -EBADF);
	ck_assert_int_eq(ipto_watch_get_fd(NULL), -EINVAL);
	ck_assert_int_eq(ipto_watch_dispatch(NULL), -EINVAL);
	ck_assert_int_eq(ipto_watch_feed(f.w, NULL, "", 0, 0), -EINVAL);
	ck_assert_int_eq(ipto_watch_feed(f.w, "tk1", NULL, 10, 0), -EINVAL);
	ck_assert_ptr_null(ipto_watch_unref(NULL));
	ck_assert_str_eq(ipto_watch_policy_name(IPTO_WATCH_POLICY_DEFEND), "defend");
	ck_assert_str_eq(ipto_watch_policy_name(IPTO_WATCH_POLICY_REPORT), "report");
	ck_assert_ptr_null(ipto_watch_policy_name((enum ipto_watch_policy)0));
	ck_assert_ptr_eq(ipto_watch_ref(f.w), f.w);
	ipto_watch_unref(f.w);
	fixture_free(&f);
}
END_TEST

START_TEST(watch_add_plan)
{
	struct fixture f;
	struct ipto_pool *pool;
	struct ipto_plan *plan;
	struct ipto_mac m1 = test_mac(OWN), m2 = test_mac(OWN2);
	struct ipto_addr a = test_addr("192.0.2.11/24"), b = test_addr("2001:db8:2::11/64");
	const char *failed[] = { "a1" };
	uint8_t buf[IPTO_FRAME_MAX_LEN];
	size_t n;

	fixture_new(&f, IPTO_WATCH_POLICY_DEFEND, 0);
	ck_assert_int_eq(ipto_pool_new(f.t.ctx, &pool), 0);
	ck_assert_int_eq(ipto_pool_add_node(pool, "a1"), 0);
	ck_assert_int_eq(ipto_pool_add_node_ip(pool, "a1", &a), 0);
	ck_assert_int_eq(ipto_pool_add_node_ip(pool, "a1", &b), 0);
	ck_assert_int_eq(ipto_pool_add_standby(pool, "sb"), 0);
	ck_assert_int_eq(ipto_pool_add_adapter(pool, "sb", "tk1", &m1, 0), 0);
	ck_assert_int_eq(ipto_pool_add_adapter(pool, "sb", "tk2", &m2, 0), 0);
	ck_assert_int_eq(ipto_plan_new_takeover(pool, failed, 1, NULL, &plan), 0);
	ck_assert_int_eq(ipto_watch_add_plan(f.w, plan, "other"), 0);
	ck_assert_int_eq(ipto_watch_add_plan(f.w, plan, "sb"), 2);
	ck_assert_uint_eq(ipto_watch_get_addr_count(f.w), 2);
	ck_assert_int_eq(ipto_watch_add_plan(f.w, plan, NULL), -EEXIST);
	ck_assert_int_eq(ipto_watch_add_plan(f.w, NULL, NULL), -EINVAL);
	/* each address is watched on the adapter the plan gave it */
	{
		struct ipto_plan_step st = { .sz = sizeof(st) };
		size_t i;

		for (i = 0; i < 2; i++) {
			ck_assert_int_eq(ipto_plan_get_step(plan, i, &st), 0);
			if (st.ip.family == AF_INET) {
				n = frame(IPTO_FRAME_STYLE_ARP_ANNOUNCE, OTHER, "192.0.2.11", buf);
			} else {
				n = frame(IPTO_FRAME_STYLE_NA, OTHER, "2001:db8:2::11", buf);
			}
			ck_assert_int_eq(ipto_watch_feed(f.w, st.ifname, buf, n, 0), 1);
			ck_assert_str_eq(f.seen.ifname, st.ifname);
		}
	}
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
	fixture_free(&f);
}
END_TEST

/* ---- the connection file ------------------------------------------- */

static const struct {
	const char *line;
	int r;
	const char *canon; /* ipto_conn_format of the result */
} conn_lines[] = {
	{ "192.0.2.11:80 192.0.2.101:51000", 1, "192.0.2.11:80 192.0.2.101:51000" },
	{ "  192.0.2.11:80\t192.0.2.101:1   # a comment\n", 1, "192.0.2.11:80 192.0.2.101:1" },
	{ "192.0.2.11:65535 198.51.100.7:65535\r\n", 1, "192.0.2.11:65535 198.51.100.7:65535" },
	{ "[2001:db8:2::11]:443 [2001:db8::7]:40000", 1, "[2001:db8:2::11]:443 [2001:db8::7]:40000" },
	{ "[2001:DB8:2:0::11]:443 [2001:db8::7]:40000", 1, "[2001:db8:2::11]:443 [2001:db8::7]:40000" },
	{ "", 0, NULL },
	{ "\n", 0, NULL },
	{ "   \t ", 0, NULL },
	{ "# ipto connections", 0, NULL },
	{ "   # 192.0.2.11:80 192.0.2.101:5", 0, NULL },
	{ "192.0.2.11:80", -EINVAL, NULL },
	{ "192.0.2.11:80 192.0.2.101:5 192.0.2.102:6", -EINVAL, NULL },
	{ "192.0.2.11:0 192.0.2.101:5", -EINVAL, NULL },
	{ "192.0.2.11:80 192.0.2.101:65536", -EINVAL, NULL },
	{ "192.0.2.11:080 192.0.2.101:5", -EINVAL, NULL },
	{ "192.0.2.11:+80 192.0.2.101:5", -EINVAL, NULL },
	{ "192.0.2.11:80 192.0.2.101:", -EINVAL, NULL },
	{ "192.0.2.11 192.0.2.101:5", -EINVAL, NULL },
	{ "192.0.2.11/24:80 192.0.2.101:5", -EINVAL, NULL },
	{ "192.0.2.11:80 [2001:db8::7]:5", -EINVAL, NULL },
	{ "2001:db8::11:80 2001:db8::7:5", -EINVAL, NULL },
	{ "[192.0.2.11]:80 192.0.2.101:5", -EINVAL, NULL },
	{ "[2001:db8::11]80 [2001:db8::7]:5", -EINVAL, NULL },
	{ "[2001:db8::11:80 [2001:db8::7]:5", -EINVAL, NULL },
	{ "224.0.0.1:80 192.0.2.101:5", -EINVAL, NULL },
	{ "192.0.2.11:80 255.255.255.255:5", -EINVAL, NULL },
	{ "127.0.0.1:80 192.0.2.101:5", -EINVAL, NULL },
	{ "0.0.0.0:80 192.0.2.101:5", -EINVAL, NULL },
	{ "[ff02::1]:80 [2001:db8::7]:5", -EINVAL, NULL },
	{ "192.0.2.11:80 192.0.2.101:5x", -EINVAL, NULL },
	{ "192.0.2.11:80,192.0.2.101:5", -EINVAL, NULL },
	{ "192.0.2.11:8000000000000000000000000000000000000000000000000000000000000000000 192.0.2.101:5",
	  -EINVAL, NULL },
};

START_TEST(conn_parse_lines)
{
	struct ipto_conn c, untouched;
	char buf[IPTO_CONN_STRLEN];
	int r;

	memset(&c, 0xa5, sizeof(c));
	untouched = c;
	r = ipto_conn_parse(conn_lines[_i].line, &c);
	ck_assert_msg(r == conn_lines[_i].r, "'%s': %d, want %d", conn_lines[_i].line, r,
		      conn_lines[_i].r);
	if (r != 1) {
		ck_assert_mem_eq(&c, &untouched, sizeof(c));
		return;
	}
	ck_assert_int_eq(c.server.prefixlen, IPTO_PREFIX_UNKNOWN);
	ck_assert_int_eq(ipto_conn_format(&c, buf, sizeof(buf)), (int)strlen(conn_lines[_i].canon));
	ck_assert_str_eq(buf, conn_lines[_i].canon);
	/* what format writes, parse reads back */
	{
		struct ipto_conn d;

		ck_assert_int_eq(ipto_conn_parse(buf, &d), 1);
		ck_assert(ipto_addr_equal(&c.server, &d.server));
		ck_assert(ipto_addr_equal(&c.client, &d.client));
		ck_assert_uint_eq(c.server_port, d.server_port);
		ck_assert_uint_eq(c.client_port, d.client_port);
	}
}
END_TEST

START_TEST(conn_format_errors)
{
	struct ipto_conn c;
	char buf[IPTO_CONN_STRLEN];

	ck_assert_int_eq(ipto_conn_parse("[2001:db8:2::11]:443 [2001:db8::7]:40000", &c), 1);
	ck_assert_int_eq(ipto_conn_format(&c, buf, 10), -ENOBUFS);
	ck_assert_int_eq(ipto_conn_format(NULL, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(ipto_conn_format(&c, NULL, 0), -EINVAL);
	c.client_port = 0;
	ck_assert_int_eq(ipto_conn_format(&c, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(ipto_conn_parse(NULL, &c), -EINVAL);
	ck_assert_int_eq(ipto_conn_parse("", NULL), -EINVAL);
}
END_TEST

/* ---- the tickle packet ---------------------------------------------- */

static unsigned int sum16(const uint8_t *p, size_t len, unsigned int sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (unsigned int)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

START_TEST(tickle_v4_bytes)
{
	static const uint8_t want[40] = {
		0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, /* checksum below */
		192, 0, 2, 11, 192, 0, 2, 101,
		0, 80, 0xc7, 0x38,          /* 80 -> 51000 */
		0, 0, 0, 0, 0, 0, 0, 0,     /* seq 0, ack 0 */
		0x50, 0x10, 0, 0,           /* 20 bytes, ACK, window 0 */
		0, 0, 0, 0,                 /* checksum below, urgent 0 */
	};
	struct ipto_conn c;
	uint8_t p[IPTO_TICKLE_MAX_LEN], pseudo[12];
	unsigned int s;

	ck_assert_int_eq(ipto_conn_parse("192.0.2.11:80 192.0.2.101:51000", &c), 1);
	ck_assert_int_eq(ipto_tickle_build(&c, p, sizeof(p)), 40);
	ck_assert_mem_eq(p, want, 10);
	ck_assert_mem_eq(p + 12, want + 12, 24);
	ck_assert_mem_eq(p + 38, want + 38, 2);
	ck_assert_uint_eq(sum16(p, 20, 0), 0xffff); /* IPv4 header checksum */
	memcpy(pseudo, p + 12, 8);
	pseudo[8] = 0, pseudo[9] = 6, pseudo[10] = 0, pseudo[11] = 20;
	s = sum16(pseudo, 12, 0);
	ck_assert_uint_eq(sum16(p + 20, 20, s), 0xffff); /* TCP checksum */
	ck_assert_int_eq(ipto_tickle_build(&c, p, 39), -ENOBUFS);
	ck_assert_int_eq(ipto_tickle_build(NULL, p, sizeof(p)), -EINVAL);
}
END_TEST

START_TEST(tickle_v6_bytes)
{
	struct ipto_conn c;
	uint8_t p[IPTO_TICKLE_MAX_LEN], pseudo[40];
	unsigned int s;

	ck_assert_int_eq(ipto_conn_parse("[2001:db8:2::11]:443 [2001:db8::7]:40000", &c), 1);
	ck_assert_int_eq(ipto_tickle_build(&c, p, sizeof(p)), 60);
	ck_assert_uint_eq(p[0], 0x60);
	ck_assert_uint_eq(p[4] << 8 | p[5], 20);
	ck_assert_uint_eq(p[6], 6);
	ck_assert_uint_eq(p[7], 64);
	ck_assert_mem_eq(p + 8, c.server.bytes, 16);
	ck_assert_mem_eq(p + 24, c.client.bytes, 16);
	ck_assert_uint_eq(p[40] << 8 | p[41], 443);
	ck_assert_uint_eq(p[42] << 8 | p[43], 40000);
	ck_assert_mem_eq(p + 44, "\0\0\0\0\0\0\0\0", 8);
	ck_assert_uint_eq(p[52], 0x50);
	ck_assert_uint_eq(p[53], 0x10);
	memcpy(pseudo, p + 8, 32);
	memset(pseudo + 32, 0, 8);
	pseudo[35] = 20, pseudo[39] = 6;
	s = sum16(pseudo, 40, 0);
	ck_assert_uint_eq(sum16(p + 40, 20, s), 0xffff);
}
END_TEST

START_TEST(tickle_send_checks)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_conn c[2];
	int res[2] = { 1, 1 };

	/* documentation addresses this host does not hold: skipped before any
	 * socket is opened (no privilege needed) */
	ck_assert_int_eq(ipto_conn_parse("198.51.100.250:80 198.51.100.251:5", &c[0]), 1);
	ck_assert_int_eq(ipto_conn_parse("[2001:db8:ffff::1]:80 [2001:db8::7]:5", &c[1]), 1);
	ck_assert_int_eq(ipto_tickle_send(ctx, c, 2, NULL, res), 0);
	ck_assert_int_eq(res[0], -EADDRNOTAVAIL);
	ck_assert_int_eq(res[1], -EADDRNOTAVAIL);
	c[1].client_port = 0;
	ck_assert_int_eq(ipto_tickle_send(ctx, c, 2, NULL, res), -EINVAL);
	ck_assert_int_eq(ipto_tickle_send(NULL, c, 1, NULL, res), -EINVAL);
	{
		IPTO_OPTS(ipto_tickle_opts, o, .ifname = "");
		ck_assert_int_eq(ipto_tickle_send(ctx, c, 1, &o, res), -EINVAL);
	}
	ck_assert_int_eq(ipto_tickle_send(ctx, NULL, 0, NULL, NULL), 0);
	ipto_ctx_unref(ctx);
}
END_TEST

/* ---- the probe: what is checked before anything is sent ------------- */

START_TEST(probe_checks)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_binder *b;
	struct ipto_mac m = test_mac(OWN);
	struct ipto_probe_target t = { "tk1", test_addr("192.0.2.11/24") };
	struct ipto_probe_target bad = { "tk1", test_addr("224.0.0.1") };
	struct ipto_probe_target none = { "nosuch", test_addr("192.0.2.11/24") };
	struct ipto_watch_conflict c = { .sz = sizeof(c) };

	ck_assert_int_eq(ipto_binder_new_dryrun(ctx, &b), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(b, "tk1", &m, false), 0);
	{
		IPTO_OPTS(ipto_probe_opts, o, .binder = b);
		IPTO_OPTS(ipto_probe_opts, nob);
		IPTO_OPTS(ipto_probe_opts, many, .binder = b, .count = 101);

		ck_assert_int_eq(ipto_probe(ctx, &t, 1, &nob, &c), -EINVAL);
		ck_assert_ptr_nonnull(strstr(log.last, "binder is required"));
		ck_assert_int_eq(ipto_probe(ctx, &t, 1, NULL, &c), -EINVAL);
		ck_assert_int_eq(ipto_probe(ctx, &t, 0, &o, &c), -EINVAL);
		ck_assert_int_eq(ipto_probe(ctx, &t, 1, &many, &c), -EINVAL);
		ck_assert_int_eq(ipto_probe(ctx, &bad, 1, &o, &c), -EINVAL);
		ck_assert_int_eq(ipto_probe(ctx, &none, 1, &o, &c), -ENODEV);
		/* tk1 is down: refused before any socket, nothing changed */
		ck_assert_int_eq(ipto_probe(ctx, &t, 1, &o, &c), -ENETDOWN);
		ck_assert_ptr_nonnull(strstr(log.last, "tk1 is down"));
		ck_assert_int_eq(ipto_probe_plan(ctx, NULL, NULL, &o, &c), -EINVAL);
	}
	ipto_binder_unref(b);
	ipto_ctx_unref(ctx);
}
END_TEST

static Suite *watch_suite(void)
{
	Suite *s = suite_create("watch");
	TCase *tc;

	test_tcase(s, "watch", watch_defend_v4, watch_defend_interval,
		   watch_not_conflicts, watch_probes, watch_seen, watch_remove,
		   watch_report_only, watch_defend_v6, watch_defend_fails,
		   watch_bad_args, watch_add_plan);
	tc = test_tcase(s, "conns", conn_format_errors, tickle_v4_bytes,
			tickle_v6_bytes, tickle_send_checks);
	tcase_add_loop_test(tc, conn_parse_lines, 0, (int)ARRAY_N(conn_lines));
	test_tcase(s, "probe", probe_checks);
	return s;
}

IPTO_TEST_MAIN(watch_suite)
