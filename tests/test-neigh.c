/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Neighbour sets: adding and merging, the limit, the target rule (who a
 * taken address may tell), the directed frames built ahead without an
 * allocation, the neighbour-list parser (every refusal with its errno and
 * its line, all or nothing), list files and the watch-seen file.
 * No privileges, no network: the netlink sources are tested in
 * tests/netns/test-neigh.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-common.h"

/* ------------------------------------------------------------------ */
/* Counting allocations (the library's malloc calls resolve to these)  */
/* ------------------------------------------------------------------ */

/* The whole process allocates through these four, which forward to
 * glibc's own entry points (which valgrind replaces too, so the valgrind
 * test setup stays consistent); sanitizer builds keep their allocator. */

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && \
	!defined(__has_feature)
#define COUNT_ALLOCS 1
#elif defined(__GLIBC__) && defined(__has_feature)
#if !__has_feature(address_sanitizer)
#define COUNT_ALLOCS 1
#endif
#endif

static int allocs;

#ifdef COUNT_ALLOCS
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);

void free(void *p)
{
	__libc_free(p);
}

void *malloc(size_t size)
{
	__atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	__atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	__atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
	return __libc_realloc(p, size);
}
#endif

/* Whether the counter sees allocations here: not under valgrind, whose
 * allocator replaces the ones above. */
static bool counting(void)
{
#ifdef COUNT_ALLOCS
	const char *pre = getenv("LD_PRELOAD");

	return !(pre && strstr(pre, "vgpreload"));
#else
	return false;
#endif
}

static struct ipto_addr A(const char *s)
{
	return test_addr(s);
}

static struct ipto_mac M(const char *s)
{
	return test_mac(s);
}

struct fx {
	struct test_log log;
	struct ipto_ctx *ctx;
	struct ipto_neigh_set *set;
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->ctx = test_ctx_new(&f->log);
	ck_assert_int_eq(ipto_neigh_set_new(f->ctx, &f->set), 0);
}

static void fx_fini(struct fx *f)
{
	ck_assert_ptr_null(ipto_neigh_set_unref(f->set));
	ipto_ctx_unref(f->ctx);
}

static int add(struct fx *f, const char *ip, const char *mac,
	       unsigned int sources)
{
	IPTO_OPTS(ipto_neigh, n, .addr = A(ip), .sources = sources);

	if (mac)
		n.mac = M(mac);
	return ipto_neigh_set_add(f->set, &n);
}

static struct ipto_neigh get(struct fx *f, size_t i)
{
	IPTO_OPTS(ipto_neigh, n);

	ck_assert_int_eq(ipto_neigh_set_get(f->set, i, &n), 0);
	return n;
}

/* Entry @i is @ip with @mac (NULL: unknown) and exactly @sources. */
static void assert_entry(struct fx *f, size_t i, const char *ip,
			 const char *mac, unsigned int sources)
{
	struct ipto_neigh n = get(f, i);
	struct ipto_addr a = A(ip);
	struct ipto_mac m = { { 0 } };
	char got[IPTO_ADDR_STRLEN];

	if (mac)
		m = M(mac);
	ipto_addr_format(&n.addr, got, sizeof(got));
	ck_assert_msg(ipto_addr_equal(&n.addr, &a), "entry %zu is %s, not %s",
		      i, got, ip);
	ck_assert_int_eq(n.addr.prefixlen, IPTO_PREFIX_UNKNOWN);
	ck_assert_msg(ipto_mac_equal(&n.mac, &m), "entry %zu (%s): wrong MAC",
		      i, ip);
	ck_assert_uint_eq(n.sources, sources);
}

/* ------------------------------------------------------------------ */
/* The set                                                             */
/* ------------------------------------------------------------------ */

START_TEST(add_and_merge)
{
	struct fx f;
	IPTO_OPTS(ipto_neigh, n);

	fx_init(&f);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 0);
	ck_assert_int_eq(add(&f, "192.0.2.20", NULL, IPTO_NEIGH_ROUTER), 0);
	ck_assert_int_eq(add(&f, "2001:db8::20", "00:00:5e:00:53:21",
			     IPTO_NEIGH_NODE_LIST), 0);
	/* the same address (a prefix length makes no other entry): merged,
	 * the MAC fills the entry that had none */
	ck_assert_int_eq(add(&f, "192.0.2.20/24", "00:00:5e:00:53:20",
			     IPTO_NEIGH_NODE_LIST), 1);
	assert_entry(&f, 0, "192.0.2.20", "00:00:5e:00:53:20",
		     IPTO_NEIGH_ROUTER | IPTO_NEIGH_NODE_LIST);
	/* another list's MAC does not replace it ... */
	ck_assert_int_eq(add(&f, "192.0.2.20", "00:00:5e:00:53:99",
			     IPTO_NEIGH_DESCRIPTION), 1);
	assert_entry(&f, 0, "192.0.2.20", "00:00:5e:00:53:20",
		     IPTO_NEIGH_ROUTER | IPTO_NEIGH_NODE_LIST |
			     IPTO_NEIGH_DESCRIPTION);
	/* ... the neighbour table's does */
	ck_assert_int_eq(add(&f, "192.0.2.20", "00:00:5e:00:53:aa",
			     IPTO_NEIGH_TABLE), 1);
	assert_entry(&f, 0, "192.0.2.20", "00:00:5e:00:53:aa",
		     IPTO_NEIGH_ROUTER | IPTO_NEIGH_NODE_LIST |
			     IPTO_NEIGH_DESCRIPTION | IPTO_NEIGH_TABLE);
	/* an unknown MAC never erases a known one */
	ck_assert_int_eq(add(&f, "192.0.2.20", NULL, IPTO_NEIGH_TABLE), 1);
	assert_entry(&f, 0, "192.0.2.20", "00:00:5e:00:53:aa", 0x17);
	assert_entry(&f, 1, "2001:db8::20", "00:00:5e:00:53:21",
		     IPTO_NEIGH_NODE_LIST);
	/* an IPv4 address and the IPv6 one with the same bytes differ */
	ck_assert_int_eq(add(&f, "::c000:214", NULL, IPTO_NEIGH_WATCH), 0);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 3);
	ck_assert_int_eq(ipto_neigh_set_get(f.set, 3, &n), -ENOENT);
	fx_fini(&f);
}
END_TEST

START_TEST(add_refuses)
{
	struct fx f;
	IPTO_OPTS(ipto_neigh, n, .addr = A("192.0.2.20"),
		  .sources = IPTO_NEIGH_TABLE);
	struct {
		struct ipto_neigh n;
		uint32_t future;
	} big;
	int before;

	fx_init(&f);
#define REFUSED(call)                                                     \
	do {                                                              \
		before = f.log.count;                                     \
		ck_assert_int_eq((call), -EINVAL);                        \
		ck_assert_int_eq(f.log.count, before + 1);                \
	} while (0)
	REFUSED(add(&f, "192.0.2.20", "ff:ff:ff:ff:ff:ff", IPTO_NEIGH_TABLE));
	REFUSED(add(&f, "192.0.2.20", "01:00:5e:00:00:01", IPTO_NEIGH_TABLE));
	ck_assert_log(&f.log, "unicast");
	REFUSED(add(&f, "192.0.2.20", NULL, 0));
	REFUSED(add(&f, "192.0.2.20", NULL, 1u << 5));
	ck_assert_log(&f.log, "source bits 0x20");
	n.addr.family = 7;
	REFUSED(ipto_neigh_set_add(f.set, &n));
	n.addr = A("192.0.2.20");
	/* an old caller without sources: none, refused */
	n.sz = offsetof(struct ipto_neigh, mac) + sizeof(n.mac);
	REFUSED(ipto_neigh_set_add(f.set, &n));
	n.sz = sizeof(size_t);
	REFUSED(ipto_neigh_set_add(f.set, &n));
	/* a newer caller's tail must be zero */
	memset(&big, 0, sizeof(big));
	big.n = n;
	big.n.sz = sizeof(big);
	big.n.sources = IPTO_NEIGH_TABLE;
	big.future = 1;
	REFUSED(ipto_neigh_set_add(f.set, &big.n));
	big.future = 0;
	ck_assert_int_eq(ipto_neigh_set_add(f.set, &big.n), 0);
#undef REFUSED
	ck_assert_int_eq(ipto_neigh_set_add(NULL, &n), -EINVAL);
	ck_assert_int_eq(ipto_neigh_set_add(f.set, NULL), -EINVAL);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 1);
	ck_assert_uint_eq(ipto_neigh_set_get_count(NULL), 0);
	n.sz = 0;
	ck_assert_int_eq(ipto_neigh_set_get(f.set, 0, &n), -EINVAL);
	ck_assert_int_eq(ipto_neigh_set_new(NULL, &f.set), -EINVAL);
	ck_assert_int_eq(ipto_neigh_set_new(f.ctx, NULL), -EINVAL);
	ck_assert_ptr_eq(ipto_neigh_set_ref(f.set), f.set);
	ck_assert_ptr_null(ipto_neigh_set_unref(f.set));
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 1); /* still alive */
	ck_assert_ptr_null(ipto_neigh_set_ref(NULL));
	ck_assert_ptr_null(ipto_neigh_set_unref(NULL));
	fx_fini(&f);
}
END_TEST

/* A short sized struct gets what its sz covers, the rest untouched. */
START_TEST(get_short_struct)
{
	struct fx f;
	struct ipto_neigh n;

	fx_init(&f);
	ck_assert_int_eq(add(&f, "192.0.2.20", "00:00:5e:00:53:20",
			     IPTO_NEIGH_TABLE), 0);
	memset(&n, 0x5a, sizeof(n));
	n.sz = offsetof(struct ipto_neigh, mac);
	ck_assert_int_eq(ipto_neigh_set_get(f.set, 0, &n), 0);
	ck_assert_uint_eq(n.sz, offsetof(struct ipto_neigh, mac));
	{
		struct ipto_addr a = A("192.0.2.20");

		ck_assert(ipto_addr_equal(&n.addr, &a));
	}
	ck_assert_uint_eq(n.mac.bytes[0], 0x5a);
	ck_assert_uint_eq(n.sources, 0x5a5a5a5au);
	fx_fini(&f);
}
END_TEST

START_TEST(limit)
{
	struct fx f;
	char ip[64];
	int i;

	fx_init(&f);
	for (i = 0; i < IPTO_NEIGH_MAX; i++) {
		snprintf(ip, sizeof(ip), "2001:db8::%x", i + 1);
		ck_assert_int_eq(add(&f, ip, NULL, IPTO_NEIGH_TABLE), 0);
	}
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 4096);
	ck_assert_int_eq(add(&f, "192.0.2.20", NULL, IPTO_NEIGH_TABLE), -E2BIG);
	ck_assert_log(&f.log, "at most 4096");
	/* a merge still works in a full set */
	ck_assert_int_eq(add(&f, "2001:db8::1", NULL, IPTO_NEIGH_ROUTER), 1);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 4096);
	assert_entry(&f, 4095, "2001:db8::1000", NULL, IPTO_NEIGH_TABLE);
	fx_fini(&f);
}
END_TEST

START_TEST(source_names)
{
	ck_assert_str_eq(ipto_neigh_source_name(IPTO_NEIGH_TABLE), "table");
	ck_assert_str_eq(ipto_neigh_source_name(IPTO_NEIGH_ROUTER), "router");
	ck_assert_str_eq(ipto_neigh_source_name(IPTO_NEIGH_NODE_LIST), "node_list");
	ck_assert_str_eq(ipto_neigh_source_name(IPTO_NEIGH_WATCH), "watch");
	ck_assert_str_eq(ipto_neigh_source_name(IPTO_NEIGH_DESCRIPTION),
			 "description");
	ck_assert_ptr_null(ipto_neigh_source_name((enum ipto_neigh_source)3));
	ck_assert_ptr_null(ipto_neigh_source_name((enum ipto_neigh_source)(1 << 5)));
	ck_assert_uint_eq(IPTO_NEIGH_SOURCES,
			  IPTO_NEIGH_TABLE | IPTO_NEIGH_ROUTER | IPTO_NEIGH_NODE_LIST |
				  IPTO_NEIGH_WATCH | IPTO_NEIGH_DESCRIPTION);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The target rule                                                     */
/* ------------------------------------------------------------------ */

struct rule {
	const char *taken;
	const char *neigh;
	bool told;
};

static const struct rule rules[] = {
	{ "192.0.2.10/24", "192.0.2.20", true },
	{ "192.0.2.10/24", "192.0.2.1", true },
	{ "192.0.2.10/24", "192.0.2.254", true },
	{ "192.0.2.10/24", "192.0.2.10", false },	/* itself */
	{ "192.0.2.10/24", "192.0.2.255", false },	/* subnet broadcast */
	{ "192.0.2.10/24", "192.0.2.0", false },	/* network address */
	{ "192.0.2.10/24", "198.51.100.20", false },	/* off the subnet */
	{ "192.0.2.10/24", "255.255.255.255", false },
	{ "192.0.2.10/24", "224.0.0.1", false },
	{ "192.0.2.10/24", "0.0.0.0", false },
	{ "192.0.2.10/24", "127.0.0.1", false },
	{ "192.0.2.10/24", "2001:db8::20", false },	/* another family */
	{ "192.0.2.10/23", "192.0.3.20", true },
	{ "192.0.2.10/23", "192.0.3.255", false },
	{ "192.0.2.10/23", "192.0.2.255", true },	/* not the /23's */
	{ "192.0.2.10/31", "192.0.2.11", true },	/* RFC 3021: no broadcast */
	{ "192.0.2.10/31", "192.0.2.12", false },
	{ "192.0.2.11/31", "192.0.2.10", true },
	{ "192.0.2.10/32", "192.0.2.11", false },	/* nobody on a /32 */
	{ "192.0.2.10/8", "127.0.0.1", false },
	{ "127.0.0.2/8", "127.0.0.1", false },		/* loopback on subnet */
	{ "0.0.0.1/0", "198.51.100.20", true },
	{ "2001:db8::10/64", "2001:db8::20", true },
	{ "2001:db8::10/64", "2001:db8::ffff:ffff:ffff:ffff", true },
	{ "2001:db8::10/64", "2001:db8::10", false },
	{ "2001:db8::10/64", "2001:db8::", false },	/* subnet-router anycast */
	{ "2001:db8::10/64", "2001:db8:1::20", false },
	{ "2001:db8::10/64", "fe80::1", true },		/* link-local: on link */
	{ "2001:db8::10/128", "fe80::1", true },
	{ "2001:db8::10/128", "2001:db8::20", false },
	{ "2001:db8::10/64", "ff02::1", false },
	{ "2001:db8::10/64", "ff02::1:ff00:20", false },
	{ "2001:db8::10/64", "::1", false },
	{ "2001:db8::10/64", "::", false },
	{ "2001:db8::10/64", "192.0.2.20", false },
	{ "2001:db8::10/127", "2001:db8::11", true },
	{ "fe80::10/64", "fe80::20", true },
};

START_TEST(target_rule)
{
	const struct rule *r = &rules[_i];
	struct fx f;
	struct ipto_addr taken = A(r->taken);
	uint32_t idx[4] = { 99, 99, 99, 99 };

	fx_init(&f);
	/* the neighbour after one that is never told, so the index shows
	 * which entry made it */
	ck_assert_int_eq(add(&f, taken.family == AF_INET ? "224.0.0.9" : "ff02::9",
			     NULL, IPTO_NEIGH_TABLE), 0);
	ck_assert_int_eq(add(&f, r->neigh, NULL, IPTO_NEIGH_NODE_LIST), 0);
	if (r->told) {
		ck_assert_int_eq(ipto_neigh_set_targets(f.set, &taken, idx, 4), 1);
		ck_assert_uint_eq(idx[0], 1);
	} else {
		ck_assert_int_eq(ipto_neigh_set_targets(f.set, &taken, idx, 4), 0);
		ck_assert_uint_eq(idx[0], 99);
	}
	ck_assert_uint_eq(idx[1], 99);
	fx_fini(&f);
}
END_TEST

START_TEST(targets_order_and_room)
{
	struct fx f;
	struct ipto_addr taken = A("192.0.2.10/24");
	uint32_t idx[8];

	fx_init(&f);
	add(&f, "192.0.2.30", NULL, IPTO_NEIGH_TABLE);
	add(&f, "224.0.0.251", NULL, IPTO_NEIGH_TABLE);
	add(&f, "192.0.2.20", NULL, IPTO_NEIGH_TABLE);
	add(&f, "192.0.2.10", NULL, IPTO_NEIGH_TABLE);
	add(&f, "192.0.2.40", NULL, IPTO_NEIGH_TABLE);
	add(&f, "192.0.2.20", NULL, IPTO_NEIGH_ROUTER); /* merged: once */
	memset(idx, 0xff, sizeof(idx));
	ck_assert_int_eq(ipto_neigh_set_targets(f.set, &taken, idx, 8), 3);
	ck_assert_uint_eq(idx[0], 0);
	ck_assert_uint_eq(idx[1], 2);
	ck_assert_uint_eq(idx[2], 4);
	ck_assert_uint_eq(idx[3], 0xffffffffu);
	/* too little room: the count, and only what fits */
	memset(idx, 0xff, sizeof(idx));
	ck_assert_int_eq(ipto_neigh_set_targets(f.set, &taken, idx, 2), 3);
	ck_assert_uint_eq(idx[1], 2);
	ck_assert_uint_eq(idx[2], 0xffffffffu);
	ck_assert_int_eq(ipto_neigh_set_targets(f.set, &taken, NULL, 0), 3);
	/* a taken address without its prefix length */
	taken.prefixlen = IPTO_PREFIX_UNKNOWN;
	ck_assert_int_eq(ipto_neigh_set_targets(f.set, &taken, idx, 8), -EINVAL);
	ck_assert_log(&f.log, "prefix length");
	ck_assert_int_eq(ipto_neigh_set_targets(NULL, &taken, idx, 8), -EINVAL);
	ck_assert_int_eq(ipto_neigh_set_targets(f.set, NULL, idx, 8), -EINVAL);
	fx_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Frames built ahead                                                  */
/* ------------------------------------------------------------------ */

static void assert_frame(const struct ipto_neigh_frame *fr,
			 enum ipto_frame_style style, const char *taken,
			 const char *target, const char *target_mac,
			 uint32_t neigh)
{
	struct ipto_mac mac = M("00:00:5e:00:53:01");
	struct ipto_addr t = A(taken);
	IPTO_OPTS(ipto_frame_opts, o, .target = A(target));
	uint8_t want[IPTO_FRAME_MAX_LEN];
	int len;

	if (target_mac)
		o.target_mac = M(target_mac);
	len = ipto_frame_build(NULL, style, &mac, &t, &o, want, sizeof(want));
	ck_assert_int_gt(len, 0);
	ck_assert_uint_eq(fr->len, (unsigned int)len);
	ck_assert_uint_eq(fr->style, style);
	ck_assert_uint_eq(fr->neigh, neigh);
	ck_assert_mem_eq(fr->data, want, (size_t)len);
}

/* ipto_neigh_set_build_frames() into @fr (room for @max), which allocates
 * nothing (where the counter sees allocations); its result. */
static int build_frames_no_alloc(const struct ipto_neigh_set *set,
				 const struct ipto_mac *mac,
				 const struct ipto_addr *taken,
				 struct ipto_neigh_frame *fr, size_t max)
{
	int r, n_allocs;

	/* Check's own assertions allocate: count around the call only */
	allocs = 0;
	r = ipto_neigh_set_build_frames(set, mac, taken, fr, max);
	n_allocs = allocs;
	if (counting())
		ck_assert_int_eq(n_allocs, 0);
	return r;
}

START_TEST(build_frames_v4)
{
	struct fx f;
	struct ipto_mac mac = M("00:00:5e:00:53:01");
	struct ipto_addr taken = A("192.0.2.10/24");
	struct ipto_neigh_frame fr[4];
	int r;
	static const uint8_t to_20[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x20 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	fx_init(&f);
	add(&f, "192.0.2.20", "00:00:5e:00:53:20", IPTO_NEIGH_TABLE);
	add(&f, "2001:db8::20", NULL, IPTO_NEIGH_TABLE);
	add(&f, "192.0.2.1", NULL, IPTO_NEIGH_ROUTER);
	add(&f, "192.0.2.255", NULL, IPTO_NEIGH_NODE_LIST);
	memset(fr, 0xa5, sizeof(fr));
	r = build_frames_no_alloc(f.set, &mac, &taken, fr, 4);
	ck_assert_int_eq(r, 2);
	assert_frame(&fr[0], IPTO_FRAME_STYLE_ARP_DIRECTED, "192.0.2.10/24",
		     "192.0.2.20", "00:00:5e:00:53:20", 0);
	assert_frame(&fr[1], IPTO_FRAME_STYLE_ARP_DIRECTED, "192.0.2.10/24",
		     "192.0.2.1", NULL, 2);
	/* on the wire: to the known MAC, else broadcast; the request is for
	 * the neighbour's own address, from the taken one */
	ck_assert_mem_eq(fr[0].data, to_20, 6);
	ck_assert_mem_eq(fr[1].data, bcast, 6);
	ck_assert_mem_eq(fr[0].data + 28, "\xc0\x00\x02\x0a", 4);
	ck_assert_mem_eq(fr[0].data + 38, "\xc0\x00\x02\x14", 4);
	ck_assert_uint_eq(fr[2].len, 0xa5a5);	/* nothing past the count */

	/* one entry short: nothing built, the log says how many */
	memset(fr, 0xa5, sizeof(fr));
	ck_assert_int_eq(ipto_neigh_set_build_frames(f.set, &mac, &taken, fr, 1),
			 -ENOBUFS);
	ck_assert_log(&f.log, "2 directed frames");
	ck_assert_uint_eq(fr[0].len, 0xa5a5);
	/* a bad sender MAC */
	mac = M("01:00:5e:00:00:01");
	ck_assert_int_eq(ipto_neigh_set_build_frames(f.set, &mac, &taken, fr, 4),
			 -EINVAL);
	mac = M("00:00:5e:00:53:01");
	taken.prefixlen = IPTO_PREFIX_UNKNOWN;
	ck_assert_int_eq(ipto_neigh_set_build_frames(f.set, &mac, &taken, fr, 4),
			 -EINVAL);
	ck_assert_int_eq(ipto_neigh_set_build_frames(f.set, &mac, &taken, NULL, 4),
			 -EINVAL);
	fx_fini(&f);
}
END_TEST

START_TEST(build_frames_v6)
{
	struct fx f;
	struct ipto_mac mac = M("00:00:5e:00:53:01");
	struct ipto_addr taken = A("2001:db8::10/64");
	struct ipto_neigh_frame fr[3];
	struct ipto_frame_info fi;
	int r;

	fx_init(&f);
	add(&f, "2001:db8::20", "00:00:5e:00:53:20", IPTO_NEIGH_TABLE);
	add(&f, "fe80::1", NULL, IPTO_NEIGH_ROUTER);
	add(&f, "192.0.2.20", NULL, IPTO_NEIGH_TABLE);
	r = build_frames_no_alloc(f.set, &mac, &taken, fr, 3);
	ck_assert_int_eq(r, 2);
	assert_frame(&fr[0], IPTO_FRAME_STYLE_NS, "2001:db8::10/64",
		     "2001:db8::20", "00:00:5e:00:53:20", 0);
	assert_frame(&fr[1], IPTO_FRAME_STYLE_NS, "2001:db8::10/64", "fe80::1",
		     NULL, 1);
	memset(&fi, 0, sizeof(fi));
	fi.sz = sizeof(fi);
	ck_assert_int_eq(ipto_frame_parse(fr[1].data, fr[1].len, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_NS);
	{
		struct ipto_addr grp = A("ff02::1:ff00:1");

		ck_assert(ipto_addr_equal(&fi.ip_dst, &grp));
	}
	/* an empty set builds nothing, with no storage */
	ipto_neigh_set_unref(f.set);
	ck_assert_int_eq(ipto_neigh_set_new(f.ctx, &f.set), 0);
	ck_assert_int_eq(ipto_neigh_set_build_frames(f.set, &mac, &taken, NULL, 0), 0);
	fx_fini(&f);
}
END_TEST

/* The counter sees the library's allocations: the frame check above
 * could fail. */
START_TEST(alloc_counter_counts)
{
	struct fx f;
	int r, n_allocs;

	if (!counting())
		return; /* valgrind, a sanitizer: their allocator */
	fx_init(&f);
	allocs = 0;
	r = add(&f, "192.0.2.20", NULL, IPTO_NEIGH_TABLE);
	n_allocs = allocs;
	ck_assert_int_eq(r, 0);
	ck_assert_int_gt(n_allocs, 0);
	fx_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Neighbour lists                                                     */
/* ------------------------------------------------------------------ */

static int parse(struct fx *f, const char *text, unsigned int source)
{
	return ipto_neigh_set_parse_list(f->set, "nodes.list", text,
					 strlen(text), source);
}

START_TEST(list_good)
{
	struct fx f;
	static const char text[] =
		"# neighbours of alpha\n"
		"192.0.2.20 00:00:5e:00:53:20\n"
		"\n"
		"   \t\n"
		"\t192.0.2.21   \t # MAC unknown\n"
		"2001:db8::20\t00:00:5e:00:53:21\r\n"
		"192.0.2.22#comment right after\n"
		"192.0.2.20 00:00:5e:00:53:99\n" /* duplicate: first MAC stays */
		"  # the router\n"
		"fe80::1 00:00:5E:00:53:01"; /* no newline at the end */

	fx_init(&f);
	ck_assert_int_eq(parse(&f, text, IPTO_NEIGH_NODE_LIST), 6);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 5);
	assert_entry(&f, 0, "192.0.2.20", "00:00:5e:00:53:20", IPTO_NEIGH_NODE_LIST);
	assert_entry(&f, 1, "192.0.2.21", NULL, IPTO_NEIGH_NODE_LIST);
	assert_entry(&f, 2, "2001:db8::20", "00:00:5e:00:53:21", IPTO_NEIGH_NODE_LIST);
	assert_entry(&f, 3, "192.0.2.22", NULL, IPTO_NEIGH_NODE_LIST);
	assert_entry(&f, 4, "fe80::1", "00:00:5e:00:53:01", IPTO_NEIGH_NODE_LIST);
	/* a second list merges into the set, with its own source */
	ck_assert_int_eq(parse(&f, "192.0.2.21 00:00:5e:00:53:30\n192.0.2.23\n",
			       IPTO_NEIGH_DESCRIPTION), 2);
	assert_entry(&f, 1, "192.0.2.21", "00:00:5e:00:53:30",
		     IPTO_NEIGH_NODE_LIST | IPTO_NEIGH_DESCRIPTION);
	assert_entry(&f, 5, "192.0.2.23", NULL, IPTO_NEIGH_DESCRIPTION);
	/* empty lists */
	ck_assert_int_eq(parse(&f, "", IPTO_NEIGH_WATCH), 0);
	ck_assert_int_eq(parse(&f, "\n# nothing\n\n", IPTO_NEIGH_WATCH), 0);
	ck_assert_int_eq(ipto_neigh_set_parse_list(f.set, NULL, NULL, 0,
						   IPTO_NEIGH_WATCH), 0);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 6);
	fx_fini(&f);
}
END_TEST

struct bad_list {
	const char *text;
	int err;
	const char *where; /* "nodes.list:LINE:" */
	const char *why;
};

static const struct bad_list bad_lists[] = {
	{ "192.0.2.20\n192.0.2.300\n", -EINVAL, "nodes.list:2:", "not an IPv4 or IPv6" },
	{ "192.0.2.20\n\n# x\n192.0.2.21/24\n", -EINVAL, "nodes.list:4:", "without a prefix" },
	{ "garbage\n", -EINVAL, "nodes.list:1:", "\"garbage\"" },
	{ "192.0.2.20 00:00:5e:00:53\n", -EINVAL, "nodes.list:1:", "not a MAC" },
	{ "192.0.2.20 00:00:5e:00:53:20:11\n", -EINVAL, "nodes.list:1:", "not a MAC" },
	{ "192.0.2.20 01:00:5e:00:00:01\n", -EINVAL, "nodes.list:1:", "not a unicast MAC" },
	{ "192.0.2.20 ff:ff:ff:ff:ff:ff\n", -EINVAL, "nodes.list:1:", "not a unicast MAC" },
	{ "192.0.2.20 00:00:00:00:00:00\n", -EINVAL, "nodes.list:1:", "not a unicast MAC" },
	{ "\n\n192.0.2.20 00:00:5e:00:53:20 extra\n", -EINVAL, "nodes.list:3:", "more than an address and a MAC" },
	{ "224.0.0.1\n", -EINVAL, "nodes.list:1:", "is no neighbour" },
	{ "ff02::1\n", -EINVAL, "nodes.list:1:", "is no neighbour" },
	{ "255.255.255.255\n", -EINVAL, "nodes.list:1:", "is no neighbour" },
	{ "0.0.0.0\n", -EINVAL, "nodes.list:1:", "is no neighbour" },
	{ "::\n", -EINVAL, "nodes.list:1:", "is no neighbour" },
	{ "127.0.0.1\n", -EINVAL, "nodes.list:1:", "is no neighbour" },
	{ "::1\n", -EINVAL, "nodes.list:1:", "is no neighbour" },
	{ "00:00:5e:00:53:20 192.0.2.20\n", -EINVAL, "nodes.list:1:", "not an IPv4" },
	{ "192.0.2.20\n192.0.2.21\n192.0.2.2x\n", -EINVAL, "nodes.list:3:", "not an IPv4" },
};

START_TEST(list_refuses)
{
	const struct bad_list *b = &bad_lists[_i];
	struct fx f;
	int before;

	fx_init(&f);
	ck_assert_int_eq(add(&f, "192.0.2.20", NULL, IPTO_NEIGH_TABLE), 0);
	before = f.log.count;
	ck_assert_int_eq(parse(&f, b->text, IPTO_NEIGH_NODE_LIST), b->err);
	ck_assert_int_eq(f.log.count, before + 1);
	ck_assert_log(&f.log, b->where);
	ck_assert_log(&f.log, b->why);
	/* all or nothing: the set is as it was, its entry not merged */
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 1);
	assert_entry(&f, 0, "192.0.2.20", NULL, IPTO_NEIGH_TABLE);
	fx_fini(&f);
}
END_TEST

START_TEST(list_refuses_bytes)
{
	struct fx f;
	char text[600];

	fx_init(&f);
	/* a NUL byte on line 2 */
	ck_assert_int_eq(ipto_neigh_set_parse_list(f.set, "x", "192.0.2.20\n192.0\0.2.21\n",
						   23, IPTO_NEIGH_NODE_LIST), -EINVAL);
	ck_assert_log(&f.log, "x:2: NUL byte");
	/* a line of 255 bytes is fine, 256 are not */
	memset(text, ' ', sizeof(text));
	memcpy(text, "192.0.2.20", 10);
	text[255] = '\n';
	ck_assert_int_eq(ipto_neigh_set_parse_list(f.set, "x", text, 256,
						   IPTO_NEIGH_NODE_LIST), 1);
	memcpy(text + 256, "192.0.2.21", 10);
	text[256 + 256] = '\n';
	ck_assert_int_eq(ipto_neigh_set_parse_list(f.set, "x", text, 513,
						   IPTO_NEIGH_NODE_LIST), -EINVAL);
	ck_assert_log(&f.log, "x:2: line longer than 255 bytes");
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 1);
	/* the source: exactly one known bit */
	ck_assert_int_eq(parse(&f, "192.0.2.22\n", 0), -EINVAL);
	ck_assert_int_eq(parse(&f, "192.0.2.22\n",
			       IPTO_NEIGH_TABLE | IPTO_NEIGH_WATCH), -EINVAL);
	ck_assert_int_eq(parse(&f, "192.0.2.22\n", 1u << 6), -EINVAL);
	ck_assert_log(&f.log, "one source bit");
	ck_assert_int_eq(ipto_neigh_set_parse_list(NULL, "x", "", 0,
						   IPTO_NEIGH_WATCH), -EINVAL);
	ck_assert_int_eq(ipto_neigh_set_parse_list(f.set, "x", NULL, 3,
						   IPTO_NEIGH_WATCH), -EINVAL);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 1);
	fx_fini(&f);
}
END_TEST

/* A list of @n entries (2001:db8::1 ..), with a comment line first. */
static char *big_list(int n, size_t *len)
{
	char *t = malloc((size_t)n * 32 + 64);
	size_t l = 0;
	int i;

	l += (size_t)sprintf(t, "# %d neighbours\n", n);
	for (i = 0; i < n; i++)
		l += (size_t)sprintf(t + l, "2001:db8::%x\n", i + 1);
	*len = l;
	return t;
}

START_TEST(list_limit)
{
	struct fx f;
	size_t len;
	char *t;

	fx_init(&f);
	t = big_list(IPTO_NEIGH_MAX, &len);
	ck_assert_int_eq(ipto_neigh_set_parse_list(f.set, "big", t, len,
						   IPTO_NEIGH_NODE_LIST), 4096);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 4096);
	/* the same again merges: the set stays full, fine */
	ck_assert_int_eq(ipto_neigh_set_parse_list(f.set, "big", t, len,
						   IPTO_NEIGH_WATCH), 4096);
	assert_entry(&f, 0, "2001:db8::1", NULL,
		     IPTO_NEIGH_NODE_LIST | IPTO_NEIGH_WATCH);
	/* one new neighbour does not fit: refused, nothing merged */
	ck_assert_int_eq(parse(&f, "2001:db8::1\n192.0.2.20\n",
			       IPTO_NEIGH_DESCRIPTION), -E2BIG);
	ck_assert_log(&f.log, "past 4096");
	assert_entry(&f, 0, "2001:db8::1", NULL,
		     IPTO_NEIGH_NODE_LIST | IPTO_NEIGH_WATCH);
	free(t);

	/* entry 4097 is refused with its line (4098: the comment is 1) */
	ck_assert_ptr_null(ipto_neigh_set_unref(f.set));
	ck_assert_int_eq(ipto_neigh_set_new(f.ctx, &f.set), 0);
	t = big_list(IPTO_NEIGH_MAX + 1, &len);
	ck_assert_int_eq(ipto_neigh_set_parse_list(f.set, "big", t, len,
						   IPTO_NEIGH_NODE_LIST), -E2BIG);
	ck_assert_log(&f.log, "big:4098: more than 4096 neighbours");
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 0);
	free(t);
	fx_fini(&f);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(list_files)
{
	struct fx f;
	char dir[] = "/tmp/ipto-neigh-XXXXXX", path[128], missing[160];
	struct ipto_addr subnet = A("192.0.2.10/24");

	fx_init(&f);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/list", dir);
	snprintf(missing, sizeof(missing), "%s/none", dir);
	write_file(path, "192.0.2.20 00:00:5e:00:53:20\n198.51.100.20\n"
			 "2001:db8::20\nfe80::1\n192.0.2.21\n");
	ck_assert_int_eq(ipto_neigh_set_load_list(f.set, path,
						  IPTO_NEIGH_NODE_LIST), 5);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 5);
	ck_assert_int_eq(ipto_neigh_set_load_list(f.set, missing,
						  IPTO_NEIGH_NODE_LIST), -ENOENT);
	ck_assert_log(&f.log, missing);
	/* the seen file: only what is on the subnet, a missing file is
	 * nothing seen */
	ck_assert_ptr_null(ipto_neigh_set_unref(f.set));
	ck_assert_int_eq(ipto_neigh_set_new(f.ctx, &f.set), 0);
	ck_assert_int_eq(ipto_neigh_set_add_seen(f.set, path, &subnet), 2);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 2);
	assert_entry(&f, 0, "192.0.2.20", "00:00:5e:00:53:20", IPTO_NEIGH_WATCH);
	assert_entry(&f, 1, "192.0.2.21", NULL, IPTO_NEIGH_WATCH);
	subnet = A("2001:db8::10/64");
	ck_assert_int_eq(ipto_neigh_set_add_seen(f.set, path, &subnet), 2);
	assert_entry(&f, 2, "2001:db8::20", NULL, IPTO_NEIGH_WATCH);
	assert_entry(&f, 3, "fe80::1", NULL, IPTO_NEIGH_WATCH);
	ck_assert_int_eq(ipto_neigh_set_add_seen(f.set, path, NULL), 5);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 5);
	ck_assert_int_eq(ipto_neigh_set_add_seen(f.set, missing, NULL), 0);
	subnet.prefixlen = IPTO_PREFIX_UNKNOWN;
	ck_assert_int_eq(ipto_neigh_set_add_seen(f.set, path, &subnet), -EINVAL);
	/* a bad line of a file names the file and the line */
	write_file(path, "192.0.2.20\n\n192.0.2.20 nope\n");
	ck_assert_int_eq(ipto_neigh_set_load_list(f.set, path,
						  IPTO_NEIGH_NODE_LIST), -EINVAL);
	snprintf(missing, sizeof(missing), "%s:3: \"nope\" is not a MAC", path);
	ck_assert_log(&f.log, missing);
	/* a file of 4 MiB (comment lines, 256 bytes each) is refused */
	{
		FILE *fp = fopen(path, "w");
		char line[256];
		int i;

		ck_assert_ptr_nonnull(fp);
		memset(line, ' ', sizeof(line));
		line[0] = '#';
		line[255] = '\n';
		for (i = 0; i < 4 * 4096 - 1; i++)
			ck_assert_uint_eq(fwrite(line, 1, 256, fp), 256);
		fputs("192.0.2.99\n", fp);
		ck_assert_int_eq(fclose(fp), 0);
		ck_assert_int_eq(ipto_neigh_set_load_list(f.set, path,
							  IPTO_NEIGH_NODE_LIST), 1);
		fp = fopen(path, "a");
		ck_assert_ptr_nonnull(fp);
		for (i = 0; i < 24; i++)
			fputs("192.0.2.99 #\n", fp);
		ck_assert_int_eq(fclose(fp), 0);
		ck_assert_int_eq(ipto_neigh_set_load_list(f.set, path,
							  IPTO_NEIGH_NODE_LIST), -E2BIG);
		ck_assert_log(&f.log, "longer than a list of 4096 neighbours can be");
	}
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_int_eq(ipto_neigh_set_load_list(f.set, NULL,
						  IPTO_NEIGH_NODE_LIST), -EINVAL);
	fx_fini(&f);
}
END_TEST

/* The netlink sources refuse bad arguments before reading anything. */
START_TEST(netlink_sources_args)
{
	struct fx f;
	struct ipto_addr subnet = A("192.0.2.10/24"), bare = A("192.0.2.10");
	int r;

	fx_init(&f);
	r = ipto_neigh_set_add_table(f.set, NULL, NULL);
	ck_assert_int_eq(r, -EINVAL);
	r = ipto_neigh_set_add_routers(NULL, NULL, &subnet);
	ck_assert_int_eq(r, -EINVAL);
	r = ipto_neigh_set_add_table(f.set, "lo", &bare);
	if (r == -EOPNOTSUPP) { /* built without libnl */
		ck_assert_log(&f.log, "libnl-route-3");
		fx_fini(&f);
		return;
	}
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_log(&f.log, "prefix length");
	ck_assert_int_eq(ipto_neigh_set_add_routers(f.set, "lo", &bare), -EINVAL);
	ck_assert_int_eq(ipto_neigh_set_add_table(f.set, "no-such-if0", &subnet),
			 -ENODEV);
	ck_assert_log(&f.log, "no interface no-such-if0");
	ck_assert_int_eq(ipto_neigh_set_add_routers(f.set, "no-such-if0", &subnet),
			 -ENODEV);
	ck_assert_int_eq(ipto_neigh_set_add_table(f.set, "bad/name", &subnet),
			 -EINVAL);
	ck_assert_uint_eq(ipto_neigh_set_get_count(f.set), 0);
	fx_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The takeover engine with a neighbour set                            */
/* ------------------------------------------------------------------ */

struct eng {
	struct fx fx;
	struct ipto_pool *pool;
	struct ipto_plan *plan;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
};

/* Node alpha (192.0.2.10/24, 2001:db8::10/64) taken over on eth1 of
 * standby sb, through the dry-run backends; a set of five neighbours, one
 * off every subnet of alpha. */
static void eng_init(struct eng *e)
{
	const char *failed[] = { "alpha" };
	struct ipto_mac m = M("02:00:5e:10:02:01");

	fx_init(&e->fx);
	ck_assert_int_eq(ipto_pool_new(e->fx.ctx, &e->pool), 0);
	ck_assert_int_eq(ipto_pool_add_node(e->pool, "alpha"), 0);
	ck_assert_int_eq(add_ip(e->pool, "alpha", "192.0.2.10/24"), 0);
	ck_assert_int_eq(add_ip(e->pool, "alpha", "2001:db8::10/64"), 0);
	ck_assert_int_eq(ipto_pool_add_standby(e->pool, "sb"), 0);
	ck_assert_int_eq(ipto_pool_add_adapter(e->pool, "sb", "eth1", &m, 0), 0);
	{
		IPTO_OPTS(ipto_plan_opts, po, .flags = IPTO_PLAN_SHARE_ADAPTERS);

		ck_assert_int_eq(ipto_plan_new_takeover(e->pool, failed, 1, &po,
							&e->plan), 0);
	}
	ck_assert_int_eq(ipto_binder_new_dryrun(e->fx.ctx, &e->binder), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(e->binder, "eth1", &m, true), 0);
	ck_assert_int_eq(ipto_injector_new_dryrun(e->fx.ctx, &e->injector), 0);
	ck_assert_int_eq(add(&e->fx, "192.0.2.20", "00:00:5e:00:53:20", IPTO_NEIGH_TABLE), 0);
	ck_assert_int_eq(add(&e->fx, "198.51.100.7", NULL, IPTO_NEIGH_TABLE), 0);
	ck_assert_int_eq(add(&e->fx, "192.0.2.1", NULL, IPTO_NEIGH_ROUTER), 0);
	ck_assert_int_eq(add(&e->fx, "2001:db8::20", "00:00:5e:00:53:21",
			     IPTO_NEIGH_DESCRIPTION), 0);
	ck_assert_int_eq(add(&e->fx, "192.0.2.10", NULL, IPTO_NEIGH_NODE_LIST), 0);
}

static void eng_fini(struct eng *e)
{
	ipto_injector_unref(e->injector);
	ipto_binder_unref(e->binder);
	ipto_plan_unref(e->plan);
	ipto_pool_unref(e->pool);
	fx_fini(&e->fx);
}

static struct ipto_takeover *eng_takeover(struct eng *e, unsigned int flags,
					  const struct ipto_announce_round *rounds,
					  size_t n)
{
	struct ipto_takeover *t = NULL;
	IPTO_OPTS(ipto_takeover_opts, o, .binder = e->binder,
		  .injector = e->injector, .flags = flags, .rounds = rounds,
		  .n_rounds = n, .neighbours = e->fx.set);

	ck_assert_int_eq(ipto_takeover_new(e->fx.ctx, e->plan, &o, &t), 0);
	return t;
}

/* eng_takeover() for test_start_first_round(): no flags. */
static struct ipto_takeover *eng_make(void *arg, const struct ipto_announce_round *rounds,
				      size_t n)
{
	return eng_takeover(arg, 0, rounds, n);
}

/* Frame @i of the dry-run injector: its style and target IP. */
static enum ipto_frame_style sent_style(struct eng *e, size_t i,
					struct ipto_addr *target,
					uint8_t *dst)
{
	struct ipto_frame_info fi = { .sz = sizeof(fi) };
	const void *data;
	size_t len;

	ck_assert_int_eq(ipto_injector_dryrun_get_frame(e->injector, i, NULL,
							&data, &len), 0);
	ck_assert_int_eq(ipto_frame_parse(data, len, &fi), 0);
	if (target)
		*target = fi.target_ip;
	if (dst)
		memcpy(dst, data, 6);
	return fi.style;
}

/*
 * The default schedule's first round: the broadcast frames of every
 * address, then one directed frame per target of each address (never the
 * off-subnet neighbour, never the taken address itself), to the known MAC
 * or broadcast. Every round sends them again; IPTO_TAKEOVER_NO_DIRECTED
 * and a schedule without their styles send none.
 */
START_TEST(engine_sends_directed)
{
	static const uint8_t mac20[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x20 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const struct ipto_announce_round plain[] = {
		{ .delay_ms = 0,
		  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) },
	};
	static const struct ipto_announce_round fast[] = {
		{ .delay_ms = 0,
		  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_DIRECTED) },
		{ .delay_ms = 1,
		  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_DIRECTED) |
			    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NS) },
	};
	struct ipto_addr tgt, want;
	struct ipto_takeover *t;
	uint8_t dst[6];
	struct eng e;
	size_t n;

	eng_init(&e);
	t = eng_takeover(&e, 0, NULL, 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	/* IPv4: announce, broadcast target; IPv6: NA; then the directed */
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(e.injector), 6);
	ck_assert_int_eq(sent_style(&e, 0, NULL, NULL), IPTO_FRAME_STYLE_ARP_ANNOUNCE);
	ck_assert_int_eq(sent_style(&e, 1, NULL, NULL), IPTO_FRAME_STYLE_ARP_BCAST_TARGET);
	ck_assert_int_eq(sent_style(&e, 2, NULL, NULL), IPTO_FRAME_STYLE_NA);
	ck_assert_int_eq(sent_style(&e, 3, &tgt, dst), IPTO_FRAME_STYLE_ARP_DIRECTED);
	want = A("192.0.2.20");
	ck_assert(ipto_addr_equal(&tgt, &want));
	ck_assert_mem_eq(dst, mac20, 6);
	/* the router's MAC is unknown: broadcast (parsed as a plain request) */
	ck_assert_int_eq(sent_style(&e, 4, &tgt, dst), IPTO_FRAME_STYLE_ARP_REQUEST);
	want = A("192.0.2.1");
	ck_assert(ipto_addr_equal(&tgt, &want));
	ck_assert_mem_eq(dst, bcast, 6);
	ck_assert_int_eq(sent_style(&e, 5, &tgt, NULL), IPTO_FRAME_STYLE_NS);
	want = A("2001:db8::20");
	ck_assert(ipto_addr_equal(&tgt, &want));
	/* every later round again */
	ck_assert_int_eq(ipto_takeover_run(t), 0);
	ipto_takeover_default_schedule(&n);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(e.injector), 6 * n);
	ck_assert_int_eq(ipto_takeover_undo(t), 0);
	ipto_takeover_unref(t);

	/* turned off */
	ipto_injector_dryrun_clear_frames(e.injector);
	t = eng_takeover(&e, IPTO_TAKEOVER_NO_DIRECTED, NULL, 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(e.injector), 3);
	ck_assert_int_eq(ipto_takeover_undo(t), 0);
	ipto_takeover_unref(t);
	ipto_injector_dryrun_clear_frames(e.injector);
	t = eng_takeover(&e, 0, plain, 1);
	ck_assert_int_eq(ipto_takeover_run(t), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(e.injector), 2);
	ck_assert_int_eq(ipto_takeover_undo(t), 0);
	ipto_takeover_unref(t);

	/* a schedule of its own: round 0 tells IPv4 neighbours only,
	 * round 1 both families */
	ipto_injector_dryrun_clear_frames(e.injector);
	t = eng_takeover(&e, 0, fast, 2);
	ck_assert_int_eq(ipto_takeover_run(t), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(e.injector), 3 + 4);
	ck_assert_int_eq(sent_style(&e, 6, NULL, NULL), IPTO_FRAME_STYLE_NS);
	ipto_takeover_unref(t);
	eng_fini(&e);
}
END_TEST

/* An address that left its adapter after the first round is told to no
 * neighbour again: its directed frames stop with its broadcast ones. */
START_TEST(engine_released_stops_directed)
{
	static const struct ipto_announce_round two[] = {
		{ .delay_ms = 0, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
					   IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) |
					   IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_DIRECTED) |
					   IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NS) },
		{ .delay_ms = 1, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
					   IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) |
					   IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_DIRECTED) |
					   IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NS) },
	};
	struct ipto_announce_round used[2];
	struct ipto_addr gone = A("192.0.2.10/24");
	struct ipto_takeover *t;
	struct eng e;
	size_t i;

	eng_init(&e);
	/* round 0 only, however long start() takes here */
	t = test_start_first_round(eng_make, &e, e.injector, two, 2, used);
	/* announce, NA, 2 ARP directed, 1 NS */
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(e.injector), 5);
	ck_assert_int_eq(ipto_binder_addr_del(e.binder, "eth1", &gone), 0);
	ck_assert_int_eq(ipto_takeover_run(t), 0);
	/* round 1: the IPv6 address's NA and NS only */
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(e.injector), 7);
	ck_assert_int_eq(sent_style(&e, 5, NULL, NULL), IPTO_FRAME_STYLE_NA);
	ck_assert_int_eq(sent_style(&e, 6, NULL, NULL), IPTO_FRAME_STYLE_NS);
	for (i = 5; i < 7; i++) {
		struct ipto_frame_info fi = { .sz = sizeof(fi) };
		const void *data;
		size_t len;
		struct ipto_addr v6 = A("2001:db8::10");

		ck_assert_int_eq(ipto_injector_dryrun_get_frame(e.injector, i, NULL,
								&data, &len), 0);
		ck_assert_int_eq(ipto_frame_parse(data, len, &fi), 0);
		ck_assert(ipto_addr_equal(&fi.sender_ip, &v6));
	}
	ipto_takeover_unref(t);
	eng_fini(&e);
}
END_TEST

/* A reclaim tells the neighbours too; the flag has a name. */
START_TEST(engine_reclaim_directed)
{
	struct ipto_takeover *t;
	struct eng e;

	eng_init(&e);
	t = eng_takeover(&e, IPTO_TAKEOVER_RECLAIM, NULL, 0);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(e.injector), 6);
	ipto_takeover_unref(t);
	ck_assert_str_eq(ipto_takeover_flags_name(IPTO_TAKEOVER_NO_DIRECTED),
			 "no_directed");
	eng_fini(&e);
}
END_TEST

static Suite *neigh_suite(void)
{
	Suite *s = suite_create("neigh");
	TCase *tc;

	test_tcase(s, "set", add_and_merge, add_refuses, get_short_struct,
		   limit, source_names);
	tc = test_tcase(s, "targets", targets_order_and_room, build_frames_v4,
			build_frames_v6, alloc_counter_counts);
	tcase_add_loop_test(tc, target_rule, 0,
			    (int)(sizeof(rules) / sizeof(rules[0])));
	tc = test_tcase(s, "list", list_good, list_refuses_bytes, list_limit,
			list_files, netlink_sources_args);
	tcase_add_loop_test(tc, list_refuses, 0,
			    (int)(sizeof(bad_lists) / sizeof(bad_lists[0])));
	test_tcase(s, "engine", engine_sends_directed, engine_reclaim_directed,
		   engine_released_stops_directed);
	return s;
}

int main(void)
{
	return test_run_suite(neigh_suite(), false);
}
