/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Context, errors and values: parse, format and classify addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include <ipto/ipto-backend.h>
#include <ipto/ipto-frame.h>
#include <ipto/ipto-pool.h>

#include "prop.h"
#include "test-common.h"

START_TEST(ctx_refcount_and_userdata)
{
	struct ipto_ctx *ctx = NULL;
	int tag;

	ck_assert_int_eq(ipto_ctx_new(&ctx), 0);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_eq(ipto_ctx_ref(ctx), ctx);
	ck_assert_ptr_null(ipto_ctx_unref(ctx));
	ipto_ctx_set_user_data(ctx, &tag);
	ck_assert_ptr_eq(ipto_ctx_get_user_data(ctx), &tag);
	ck_assert_int_eq(ipto_ctx_get_log_priority(ctx), IPTO_LOG_PRIORITY_ERROR);
	ck_assert_ptr_null(ipto_ctx_unref(ctx));
	ck_assert_ptr_null(ipto_ctx_unref(NULL));
	ck_assert_int_eq(ipto_ctx_new(NULL), -EINVAL);
}
END_TEST

START_TEST(strerror_texts)
{
	ck_assert_str_eq(ipto_strerror(-EINVAL), "Invalid argument");
	ck_assert_str_eq(ipto_strerror(EPERM), "Operation not permitted");
	ck_assert_str_eq(ipto_strerror(0), "Success");
	ck_assert_ptr_nonnull(ipto_strerror(-99999));
	ck_assert_str_eq(ipto_version(), "1.0.0");
}
END_TEST

struct good_addr {
	const char *in;
	int family;
	int prefixlen;
	const char *out;
};

static const struct good_addr good_addrs[] = {
	{ "192.0.2.1", AF_INET, IPTO_PREFIX_UNKNOWN, "192.0.2.1" },
	{ "192.0.2.1/24", AF_INET, 24, "192.0.2.1/24" },
	{ "198.51.100.255/0", AF_INET, 0, "198.51.100.255/0" },
	{ "198.51.100.7/32", AF_INET, 32, "198.51.100.7/32" },
	{ "2001:db8::1", AF_INET6, IPTO_PREFIX_UNKNOWN, "2001:db8::1" },
	{ "2001:DB8:0:0:0:0:0:1/64", AF_INET6, 64, "2001:db8::1/64" },
	{ "::ffff:192.0.2.1/128", AF_INET6, 128, "::ffff:192.0.2.1/128" },
	{ "2001:0db8:0000:0000:0000:ffff:192.168.100.228/128", AF_INET6, 128,
	  "2001:db8::ffff:c0a8:64e4/128" },
};

START_TEST(addr_parse_good)
{
	const struct good_addr *g = &good_addrs[_i];
	struct ipto_addr a;
	char buf[IPTO_ADDR_STRLEN];
	uint8_t raw[16] = { 0 };
	char host[64];
	const char *slash;

	ck_assert_int_eq(ipto_addr_parse(g->in, &a), 0);
	ck_assert_int_eq(a.family, g->family);
	ck_assert_int_eq(a.prefixlen, g->prefixlen);
	snprintf(host, sizeof(host), "%s", g->in);
	slash = strchr(host, '/');
	if (slash)
		host[slash - host] = '\0';
	ck_assert_int_eq(inet_pton(g->family, host, raw), 1);
	ck_assert_mem_eq(a.bytes, raw, 16);
	ck_assert_int_eq(ipto_addr_format(&a, buf, sizeof(buf)),
			 (int)strlen(g->out));
	ck_assert_str_eq(buf, g->out);
}
END_TEST

static const char *const bad_addrs[] = {
	"", "/", "/24", "192.0.2.1/", "192.0.2.1/33", "192.0.2.1/-1",
	"192.0.2.1/+8", "192.0.2.1/08", "192.0.2.1/24x", "192.0.2.1 ",
	" 192.0.2.1", "192.0.2.256", "192.0.2", "192.0.2.1.5", "0x7f.0.0.1",
	"192.0.2.01", "2001:db8::1/129", "2001:db8::g", "2001:db8:::1",
	"192.0.2.1/24/24", "192.0.2.1/1000", "fe80::1%eth0",
	"2001:0db8:0000:0000:0000:ffff:192.168.100.228/128xxxxxxxxxxxxx",
	"localhost",
};

START_TEST(addr_parse_bad)
{
	struct ipto_addr a, canary;

	memset(&a, 0xa5, sizeof(a));
	canary = a;
	ck_assert_msg(ipto_addr_parse(bad_addrs[_i], &a) == -EINVAL,
		      "accepted \"%s\"", bad_addrs[_i]);
	ck_assert_mem_eq(&a, &canary, sizeof(a));
}
END_TEST

START_TEST(addr_parse_null_and_format_small)
{
	struct ipto_addr a;
	char buf[IPTO_ADDR_STRLEN];

	ck_assert_int_eq(ipto_addr_parse(NULL, &a), -EINVAL);
	ck_assert_int_eq(ipto_addr_parse("192.0.2.1", NULL), -EINVAL);
	ck_assert_int_eq(ipto_addr_parse("192.0.2.10/24", &a), 0);
	memset(buf, 'x', sizeof(buf));
	/* "192.0.2.10/24" is 13 characters: 13 bytes are not enough. */
	ck_assert_int_eq(ipto_addr_format(&a, buf, 13), -ENOBUFS);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_int_eq(ipto_addr_format(&a, buf, 14), 13);
	a.family = 99;
	ck_assert_int_eq(ipto_addr_format(&a, buf, sizeof(buf)), -EINVAL);
	a.family = AF_INET;
	a.prefixlen = 33;
	ck_assert_int_eq(ipto_addr_format(&a, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(ipto_addr_classify(&a), -EINVAL);
}
END_TEST

struct classified {
	const char *in;
	int cls;
};

static const struct classified classes[] = {
	{ "192.0.2.1/24", IPTO_ADDR_CLASS_UNICAST },
	{ "192.0.2.1", IPTO_ADDR_CLASS_UNICAST },
	{ "192.0.2.255/24", IPTO_ADDR_CLASS_BROADCAST },
	{ "192.0.2.255", IPTO_ADDR_CLASS_UNICAST },
	{ "192.0.2.0/24", IPTO_ADDR_CLASS_UNICAST | IPTO_ADDR_CLASS_NETWORK },
	{ "192.0.2.0/31", IPTO_ADDR_CLASS_UNICAST },
	{ "192.0.2.1/31", IPTO_ADDR_CLASS_UNICAST },
	{ "255.255.255.255", IPTO_ADDR_CLASS_BROADCAST },
	{ "0.0.0.0", IPTO_ADDR_CLASS_UNSPECIFIED },
	{ "224.0.0.1", IPTO_ADDR_CLASS_MULTICAST },
	{ "239.255.255.250/24", IPTO_ADDR_CLASS_MULTICAST },
	{ "240.0.0.1", 0 },
	{ "127.0.0.1/8", IPTO_ADDR_CLASS_UNICAST | IPTO_ADDR_CLASS_LOOPBACK },
	{ "169.254.1.1/16", IPTO_ADDR_CLASS_UNICAST | IPTO_ADDR_CLASS_LINK_LOCAL },
	{ "2001:db8::1/64", IPTO_ADDR_CLASS_UNICAST },
	{ "::", IPTO_ADDR_CLASS_UNSPECIFIED },
	{ "::1", IPTO_ADDR_CLASS_UNICAST | IPTO_ADDR_CLASS_LOOPBACK },
	{ "fe80::1/64", IPTO_ADDR_CLASS_UNICAST | IPTO_ADDR_CLASS_LINK_LOCAL },
	{ "ff02::1", IPTO_ADDR_CLASS_MULTICAST },
};

START_TEST(addr_classify)
{
	struct ipto_addr a;

	ck_assert_int_eq(ipto_addr_parse(classes[_i].in, &a), 0);
	ck_assert_msg(ipto_addr_classify(&a) == classes[_i].cls,
		      "%s: got 0x%x, want 0x%x", classes[_i].in,
		      ipto_addr_classify(&a), classes[_i].cls);
}
END_TEST

START_TEST(addr_broadcast_equal_compare)
{
	struct ipto_addr a, b, bc;
	char buf[IPTO_ADDR_STRLEN];

	ck_assert_int_eq(ipto_addr_parse("198.51.100.77/26", &a), 0);
	ck_assert_int_eq(ipto_addr_subnet_broadcast(&a, &bc), 0);
	ipto_addr_format(&bc, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.51.100.127/26");
	ck_assert_int_eq(ipto_addr_parse("198.51.100.77/31", &a), 0);
	ck_assert_int_eq(ipto_addr_subnet_broadcast(&a, &bc), -ENOENT);
	ck_assert_int_eq(ipto_addr_parse("198.51.100.77", &a), 0);
	ck_assert_int_eq(ipto_addr_subnet_broadcast(&a, &bc), -ENOENT);
	ck_assert_int_eq(ipto_addr_parse("2001:db8::1/64", &b), 0);
	ck_assert_int_eq(ipto_addr_subnet_broadcast(&b, &bc), -EAFNOSUPPORT);

	ck_assert_int_eq(ipto_addr_parse("198.51.100.77/24", &b), 0);
	ck_assert(ipto_addr_equal(&a, &b));
	ck_assert_int_lt(ipto_addr_compare(&a, &b), 0);
	ck_assert_int_eq(ipto_addr_compare(&a, &a), 0);
	ck_assert_int_eq(ipto_addr_parse("198.51.100.78", &b), 0);
	ck_assert(!ipto_addr_equal(&a, &b));
	ck_assert_int_lt(ipto_addr_compare(&a, &b), 0);
	ck_assert_int_gt(ipto_addr_compare(&b, &a), 0);
	ck_assert(!ipto_addr_equal(&a, NULL));
	ck_assert_int_lt(ipto_addr_compare(NULL, &a), 0);
}
END_TEST

/* A binder backend that only counts the calls that reach it. */
static int reached;

static int count_add(struct ipto_binder *binder, const char *ifname, const struct ipto_addr *a,
		     unsigned int flags)
{
	reached++;
	return 0;
}

static int count_del(struct ipto_binder *binder, const char *ifname, const struct ipto_addr *a)
{
	reached++;
	return 0;
}

static int count_batch(struct ipto_binder *binder, const struct ipto_addr_req *reqs, size_t n,
		       int *results)
{
	reached++;
	return 0;
}

/* An IPv4 address with a non-zero byte after its four is refused with
 * -EINVAL, and explained, by every call that takes one; nothing reaches a
 * backend or a pool. Each byte of the tail on its own. */
START_TEST(addr_ipv4_tail_refused_everywhere)
{
	static const struct ipto_binder_ops ops = {
		.sz = sizeof(ops), .addr_add = count_add, .addr_del = count_del,
		.addr_add_batch = count_batch,
	};
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_binder *binder = NULL;
	struct ipto_pool *pool = NULL;
	struct ipto_addr bad = test_addr("192.0.2.10/24"), out;
	struct ipto_mac mac = test_mac("02:00:5e:00:53:01");
	struct ipto_addr_req req = { .ifname = "eth0" };
	char buf[IPTO_ADDR_STRLEN];
	uint8_t frame[IPTO_FRAME_MAX_LEN];
	int res = 1;
	IPTO_OPTS(ipto_frame_opts, fo, .target = test_addr("192.0.2.255"));

	ck_assert_int_eq(ipto_binder_new(ctx, &ops, NULL, &binder), 0);
	ck_assert_int_eq(ipto_pool_new(ctx, &pool), 0);
	ck_assert_int_eq(ipto_pool_add_node(pool, "a1"), 0);
	/* the clean address is accepted by each, so a refusal below is the
	 * tail's doing */
	ck_assert_int_gt(ipto_addr_format(&bad, buf, sizeof(buf)), 0);
	ck_assert_int_eq(ipto_binder_addr_add(binder, "eth0", &bad, 0), 0);
	ck_assert_int_eq(reached, 1);
	reached = 0;

	bad.bytes[4 + _i] = 0x01;
	ck_assert_int_eq(ipto_addr_format(&bad, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(ipto_addr_classify(&bad), -EINVAL);
	ck_assert_int_eq(ipto_addr_subnet_broadcast(&bad, &out), -EINVAL);

	log.count = 0;
	ck_assert_int_eq(ipto_binder_addr_add(binder, "eth0", &bad, 0), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_del(binder, "eth0", &bad), -EINVAL);
	req.addr = bad;
	ck_assert_int_eq(ipto_binder_addr_add_batch(binder, &req, 1, &res), 0);
	ck_assert_int_eq(res, -EINVAL);
	ck_assert_int_eq(reached, 0);
	ck_assert_int_ge(log.count, 3);
	ck_assert_log(&log, "invalid address");

	log.count = 0;
	ck_assert_int_eq(ipto_pool_add_node_ip(pool, "a1", &bad), -EINVAL);
	ck_assert_int_eq(ipto_pool_get_required_capacity(pool), 0);
	ck_assert_int_eq(log.count, 1);

	log.count = 0;
	ck_assert_int_eq(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac,
					  &bad, NULL, frame, sizeof(frame)),
			 -EINVAL);
	ck_assert_int_eq(log.count, 1);
	/* ... and as the target of a request (the style that reads it) */
	bad.bytes[4 + _i] = 0;
	ck_assert_int_eq(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_REQUEST, &mac,
					  &bad, &fo, frame, sizeof(frame)), 60);
	fo.target.bytes[4 + _i] = 0x80;
	ck_assert_int_eq(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_REQUEST, &mac,
					  &bad, &fo, frame, sizeof(frame)),
			 -EINVAL);
	ck_assert_int_eq(log.count, 2);

	ipto_pool_unref(pool);
	ipto_binder_unref(binder);
	ipto_ctx_unref(ctx);
}
END_TEST

/* The property engine's generator (prop.h): the same pairs on every run. */
static uint64_t prop_state = 20261201;

static uint32_t prop_next(void)
{
	return (uint32_t)prop_rng_next(&prop_state);
}

/* A random address from a small space, so that pairs often share a family,
 * bytes or prefix; a few are invalid (unknown family, IPv4 tail). */
static struct ipto_addr prop_addr(void)
{
	struct ipto_addr a;
	uint32_t r = prop_next();
	size_t i;

	memset(&a, 0, sizeof(a));
	a.family = (r & 7) == 0 ? 99 : (r & 1) ? AF_INET : AF_INET6;
	a.prefixlen = (int)(prop_next() % 4) * 8 - 1;	/* -1 (unknown), 7, 15, 23 */
	for (i = 0; i < (a.family == AF_INET ? 4 : 16); i++)
		a.bytes[i] = (uint8_t)(prop_next() % 3);
	if (a.family == AF_INET && prop_next() % 8 == 0)
		a.bytes[4 + prop_next() % 12] = 1;
	return a;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* ipto_addr_equal and ipto_addr_compare agree on every pair of addresses,
 * valid or not: equal exactly when compare says 0 with the prefix lengths
 * made the same; compare is antisymmetric and transitive. */
START_TEST(addr_equal_agrees_with_compare)
{
	int n;

	for (n = 0; n < 50000; n++) {
		struct ipto_addr a = prop_addr(), b = prop_addr(), c = prop_addr();
		struct ipto_addr bp = b;
		int ab, bc, ac;

		bp.prefixlen = a.prefixlen;
		ck_assert_msg(ipto_addr_equal(&a, &b) == (ipto_addr_compare(&a, &bp) == 0),
			      "pair %d: equal %d, compare %d", n,
			      ipto_addr_equal(&a, &b), ipto_addr_compare(&a, &bp));
		ck_assert(ipto_addr_equal(&a, &b) == ipto_addr_equal(&b, &a));
		ck_assert(ipto_addr_equal(&a, &a));
		ck_assert_int_eq(ipto_addr_compare(&a, &a), 0);
		ab = sign(ipto_addr_compare(&a, &b));
		bc = sign(ipto_addr_compare(&b, &c));
		ac = sign(ipto_addr_compare(&a, &c));
		ck_assert_int_eq(ab, -sign(ipto_addr_compare(&b, &a)));
		if (ab <= 0 && bc <= 0)
			ck_assert_int_le(ac, 0);
		/* the library accepts an address exactly when it is valid:
		 * then it equals its parsed text */
		if (ipto_addr_classify(&a) >= 0) {
			char buf[IPTO_ADDR_STRLEN];
			struct ipto_addr back;

			ck_assert_int_gt(ipto_addr_format(&a, buf, sizeof(buf)), 0);
			ck_assert_int_eq(ipto_addr_parse(buf, &back), 0);
			ck_assert(ipto_addr_equal(&a, &back));
			ck_assert_int_eq(ipto_addr_compare(&a, &back), 0);
		}
	}
	ck_assert(!ipto_addr_equal(NULL, NULL));
}
END_TEST

START_TEST(mac_parse_format_classify)
{
	struct ipto_mac m, canary;
	char buf[IPTO_MAC_STRLEN];
	static const char *const bad[] = {
		"", "02:00:5e:00:53:0", "02:00:5e:00:53:011", "02:00:5e:00:53:0g",
		"02-00:5e:00:53:01", "02:00:5e:00:53:01 ", "0200.5e00.5301",
		"02:00:5e:00:53", "2:0:5e:0:53:1:", ":02:00:5e:00:53:0",
	};
	size_t i;

	ck_assert_int_eq(ipto_mac_parse("02:00:5E:00:53:01", &m), 0);
	ck_assert_int_eq(ipto_mac_format(&m, buf, sizeof(buf)), 17);
	ck_assert_str_eq(buf, "02:00:5e:00:53:01");
	ck_assert_int_eq(ipto_mac_classify(&m), IPTO_MAC_CLASS_UNICAST | IPTO_MAC_CLASS_LOCAL);
	ck_assert_int_eq(ipto_mac_parse("00-00-5e-00-53-01", &m), 0);
	ck_assert_int_eq(ipto_mac_classify(&m), IPTO_MAC_CLASS_UNICAST);
	ck_assert_int_eq(ipto_mac_parse("ff:ff:ff:ff:ff:ff", &m), 0);
	ck_assert_int_eq(ipto_mac_classify(&m),
			 IPTO_MAC_CLASS_MULTICAST | IPTO_MAC_CLASS_BROADCAST | IPTO_MAC_CLASS_LOCAL);
	ck_assert_int_eq(ipto_mac_parse("33:33:00:00:00:01", &m), 0);
	ck_assert_int_eq(ipto_mac_classify(&m), IPTO_MAC_CLASS_MULTICAST | IPTO_MAC_CLASS_LOCAL);
	ck_assert_int_eq(ipto_mac_parse("01:00:5e:00:00:01", &m), 0);
	ck_assert_int_eq(ipto_mac_classify(&m), IPTO_MAC_CLASS_MULTICAST);
	ck_assert_int_eq(ipto_mac_parse("00:00:00:00:00:00", &m), 0);
	ck_assert_int_eq(ipto_mac_classify(&m), IPTO_MAC_CLASS_ZERO);
	ck_assert_int_eq(ipto_mac_format(&m, buf, IPTO_MAC_STRLEN - 1), -ENOBUFS);
	ck_assert_int_eq(ipto_mac_classify(NULL), -EINVAL);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&m, 0x5a, sizeof(m));
		canary = m;
		ck_assert_msg(ipto_mac_parse(bad[i], &m) == -EINVAL,
			      "accepted \"%s\"", bad[i]);
		ck_assert_mem_eq(&m, &canary, sizeof(m));
	}
	ck_assert_int_eq(ipto_mac_parse(NULL, &m), -EINVAL);
	ck_assert(ipto_mac_equal(&m, &canary));
	ck_assert(!ipto_mac_equal(&m, NULL));
}
END_TEST

static Suite *values_suite(void)
{
	Suite *s = suite_create("values");
	TCase *tc;

	test_tcase(s, "ctx", ctx_refcount_and_userdata, strerror_texts);
	tc = test_tcase(s, "addr", addr_parse_null_and_format_small,
			addr_broadcast_equal_compare,
			addr_equal_agrees_with_compare);
	tcase_add_loop_test(tc, addr_parse_good, 0,
			    sizeof(good_addrs) / sizeof(good_addrs[0]));
	tcase_add_loop_test(tc, addr_parse_bad, 0,
			    sizeof(bad_addrs) / sizeof(bad_addrs[0]));
	tcase_add_loop_test(tc, addr_classify, 0,
			    sizeof(classes) / sizeof(classes[0]));
	tcase_add_loop_test(tc, addr_ipv4_tail_refused_everywhere, 0, 12);
	test_tcase(s, "mac", mac_parse_format_classify);
	return s;
}

IPTO_TEST_MAIN(values_suite)
