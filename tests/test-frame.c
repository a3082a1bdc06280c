/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Frames: every field of every style, golden byte vectors written out from
 * RFC 826 / RFC 5227 / RFC 4861 / RFC 2464, bad identities, the parser's
 * round trip and its rejection of every truncation and inconsistency, and
 * the pcap writer's file format.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test-common.h"

/* RFC 7042 documentation MAC, RFC 5737 / RFC 3849 documentation IPs. */
#define IPTO_ARRAY_SIZE_T(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define MAC_STR "00:00:5e:00:53:01"
#define MAC_BYTES 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01

static struct ipto_addr A(const char *s)
{
	struct ipto_addr a;

	ck_assert_msg(ipto_addr_parse(s, &a) == 0, "bad test address %s", s);
	return a;
}

static struct ipto_mac M(const char *s)
{
	struct ipto_mac m;

	ck_assert_msg(ipto_mac_parse(s, &m) == 0, "bad test MAC %s", s);
	return m;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The ICMPv6 checksum, written out again here from RFC 8200 8.1 so the
 * test does not trust the library's. Returns the checksum over the message
 * with its checksum field taken as zero. */
static uint16_t ref_icmp6_csum(const uint8_t *src, const uint8_t *dst,
			       const uint8_t *msg, size_t len)
{
	uint8_t pseudo[40];
	uint32_t sum = 0;
	size_t i;

	memcpy(pseudo, src, 16);
	memcpy(pseudo + 16, dst, 16);
	pseudo[32] = (uint8_t)(len >> 24);
	pseudo[33] = (uint8_t)(len >> 16);
	pseudo[34] = (uint8_t)(len >> 8);
	pseudo[35] = (uint8_t)len;
	pseudo[36] = pseudo[37] = pseudo[38] = 0;
	pseudo[39] = 58;
	for (i = 0; i < sizeof(pseudo); i += 2)
		sum += rd16(pseudo + i);
	for (i = 0; i < len; i += 2) {
		uint16_t w = (uint16_t)(msg[i] << 8 |
					(i + 1 < len ? msg[i + 1] : 0));

		if (i == 2) /* the checksum field itself */
			w = 0;
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Rewrite the checksum of an NA frame of @len bytes after a test mutated
 * it; a payload length past the frame's end (a mutation of its own) only
 * covers what is there. */
static void fix_csum(uint8_t *f, size_t len)
{
	size_t plen = rd16(f + 18);
	uint16_t c;

	if (plen > len - 54)
		plen = len - 54;
	c = ref_icmp6_csum(f + 22, f + 38, f + 54, plen);

	f[56] = (uint8_t)(c >> 8);
	f[57] = (uint8_t)c;
}

/* ------------------------------------------------------------------ */
/* Golden vectors                                                      */
/* ------------------------------------------------------------------ */

#define PAD18 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* Ethernet: broadcast destination, our source, type ARP. ARP header:
 * htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4. */
#define ARP_HEAD 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, MAC_BYTES, 0x08, 0x06, \
		 0x00, 0x01, 0x08, 0x00, 0x06, 0x04

static const uint8_t gold_announce[60] = {
	ARP_HEAD, 0x00, 0x01,		/* request */
	MAC_BYTES, 192, 0, 2, 10,	/* sha, spa */
	0, 0, 0, 0, 0, 0, 192, 0, 2, 10, /* tha zero, tpa = spa */
	PAD18,
};

static const uint8_t gold_announce_thab[60] = {
	ARP_HEAD, 0x00, 0x01,
	MAC_BYTES, 192, 0, 2, 10,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 192, 0, 2, 10,
	PAD18,
};

static const uint8_t gold_bcast24[60] = {
	ARP_HEAD, 0x00, 0x01,
	MAC_BYTES, 192, 0, 2, 10,
	0, 0, 0, 0, 0, 0, 192, 0, 2, 255, /* tpa = 192.0.2.255 */
	PAD18,
};

static const uint8_t gold_bcast32[60] = {
	ARP_HEAD, 0x00, 0x01,
	MAC_BYTES, 192, 0, 2, 10,
	0, 0, 0, 0, 0, 0, 255, 255, 255, 255, /* no subnet broadcast */
	PAD18,
};

static const uint8_t gold_request[60] = {
	ARP_HEAD, 0x00, 0x01,
	MAC_BYTES, 192, 0, 2, 10,
	0, 0, 0, 0, 0, 0, 198, 51, 100, 1,
	PAD18,
};

static const uint8_t gold_reply[60] = {
	ARP_HEAD, 0x00, 0x02,		/* reply */
	MAC_BYTES, 192, 0, 2, 10,
	MAC_BYTES, 192, 0, 2, 10,	/* tha = sha, tpa = spa */
	PAD18,
};

#define IP6_DOC 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10
#define IP6_ALLNODES 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01

static const uint8_t gold_na[86] = {
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01, MAC_BYTES, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00,	/* version 6, class 0, flow 0 */
	0x00, 0x20, 58, 255,	/* payload 32, ICMPv6, hop limit 255 */
	IP6_DOC,		/* source: the taken-over address */
	IP6_ALLNODES,		/* destination ff02::1 */
	136, 0, 0x4a, 0x0c,	/* NA, code 0, checksum */
	0x20, 0, 0, 0,		/* R=0 S=0 O=1 */
	IP6_DOC,		/* target */
	2, 1, MAC_BYTES,	/* target link-layer address option */
};

static const uint8_t gold_na_router[86] = {
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01, MAC_BYTES, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00,
	0x00, 0x20, 58, 255,
	IP6_DOC,
	IP6_ALLNODES,
	136, 0, 0xca, 0x0b,
	0xa0, 0, 0, 0,		/* R=1 S=0 O=1 */
	IP6_DOC,
	2, 1, MAC_BYTES,
};

struct golden {
	const char *name;
	enum ipto_frame_style style;
	const char *ip;
	enum ipto_frame_tha tha;
	const char *target;
	unsigned int flags;
	const uint8_t *bytes;
	size_t len;
};

static const struct golden goldens[] = {
	{ "announce", IPTO_FRAME_STYLE_ARP_ANNOUNCE, "192.0.2.10/24", 0, NULL, 0,
	  gold_announce, 60 },
	{ "announce-thab", IPTO_FRAME_STYLE_ARP_ANNOUNCE, "192.0.2.10/24",
	  IPTO_FRAME_THA_BROADCAST, NULL, 0, gold_announce_thab, 60 },
	{ "bcast24", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "192.0.2.10/24", 0, NULL, 0,
	  gold_bcast24, 60 },
	{ "bcast32", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "192.0.2.10/32", 0, NULL, 0,
	  gold_bcast32, 60 },
	{ "bcast31", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "192.0.2.10/31", 0, NULL, 0,
	  gold_bcast32, 60 },
	{ "bcast-noprefix", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "192.0.2.10", 0, NULL,
	  0, gold_bcast32, 60 },
	{ "request", IPTO_FRAME_STYLE_ARP_REQUEST, "192.0.2.10/24", 0,
	  "198.51.100.1", 0, gold_request, 60 },
	{ "reply", IPTO_FRAME_STYLE_ARP_REPLY, "192.0.2.10/24", 0, NULL, 0,
	  gold_reply, 60 },
	{ "reply-explicit-sender", IPTO_FRAME_STYLE_ARP_REPLY, "192.0.2.10/24",
	  IPTO_FRAME_THA_SENDER, NULL, 0, gold_reply, 60 },
	{ "na", IPTO_FRAME_STYLE_NA, "2001:db8::10/64", 0, NULL, 0, gold_na, 86 },
	{ "na-router", IPTO_FRAME_STYLE_NA, "2001:db8::10", 0, NULL,
	  IPTO_FRAME_ROUTER, gold_na_router, 86 },
};

static int build_g(const struct golden *g, uint8_t *buf, size_t size)
{
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr ip = A(g->ip);
	IPTO_OPTS(ipto_frame_opts, o, .tha = g->tha, .flags = g->flags);

	if (g->target)
		o.target = A(g->target);
	return ipto_frame_build(NULL, g->style, &mac, &ip, &o, buf, size);
}

static void dump_diff(const char *name, const uint8_t *got,
		      const uint8_t *want, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			fprintf(stderr, "%s: byte %zu is 0x%02x, want 0x%02x\n",
				name, i, got[i], want[i]);
}

START_TEST(golden_vectors)
{
	const struct golden *g = &goldens[_i];
	uint8_t buf[IPTO_FRAME_MAX_LEN];

	memset(buf, 0xa5, sizeof(buf));
	ck_assert_int_eq(build_g(g, buf, sizeof(buf)), (int)g->len);
	if (memcmp(buf, g->bytes, g->len) != 0)
		dump_diff(g->name, buf, g->bytes, g->len);
	ck_assert_msg(memcmp(buf, g->bytes, g->len) == 0, "%s differs",
		      g->name);
	/* nothing written past the frame */
	ck_assert_uint_eq(buf[g->len], 0xa5);
	ck_assert_uint_eq(buf[sizeof(buf) - 1], 0xa5);
}
END_TEST

/* The hand-written NA vectors carry checksums; recompute them here. */
START_TEST(golden_na_checksums)
{
	ck_assert_uint_eq(ref_icmp6_csum(gold_na + 22, gold_na + 38,
					 gold_na + 54, 32), 0x4a0c);
	ck_assert_uint_eq(ref_icmp6_csum(gold_na_router + 22,
					 gold_na_router + 38,
					 gold_na_router + 54, 32), 0xca0b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Every field of every style, over many identities                    */
/* ------------------------------------------------------------------ */

struct variant {
	enum ipto_frame_style style;
	const char *mac;
	const char *ip;
	enum ipto_frame_tha tha;
	const char *target;
	unsigned int flags;
	/* expectations (ARP) */
	uint16_t op;
	const char *want_tha; /* NULL: the sender MAC */
	const char *want_tpa;
};

static const struct variant variants[] = {
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, "02:00:5e:00:53:aa", "198.51.100.7/24", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "198.51.100.7" },
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, "02:00:5e:00:53:aa", "198.51.100.7",
	  IPTO_FRAME_THA_ZERO, NULL, 0, 1, "00:00:00:00:00:00",
	  "198.51.100.7" },
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, "02:00:5e:00:53:aa", "198.51.100.7",
	  IPTO_FRAME_THA_BROADCAST, NULL, 0, 1, "ff:ff:ff:ff:ff:ff",
	  "198.51.100.7" },
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, "02:00:5e:00:53:aa", "198.51.100.7",
	  IPTO_FRAME_THA_SENDER, NULL, IPTO_FRAME_ROUTER, 1, NULL,
	  "198.51.100.7" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/0", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "255.255.255.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/8", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "192.255.255.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/16",
	  IPTO_FRAME_THA_BROADCAST, NULL, 0, 1, "ff:ff:ff:ff:ff:ff",
	  "192.0.255.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/23", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "192.0.3.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/25", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "192.0.2.127" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/28", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "192.0.2.15" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/30", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "192.0.2.11" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/31", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "255.255.255.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.11/31", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "255.255.255.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.10/32", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "255.255.255.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:02", "192.0.2.0/24", 0,
	  NULL, 0, 1, "00:00:00:00:00:00", "192.0.2.255" },
	{ IPTO_FRAME_STYLE_ARP_REQUEST, "00:00:5e:00:53:03", "192.0.2.10/24", 0,
	  "192.0.2.1", 0, 1, "00:00:00:00:00:00", "192.0.2.1" },
	{ IPTO_FRAME_STYLE_ARP_REQUEST, "00:00:5e:00:53:03", "192.0.2.10/24",
	  IPTO_FRAME_THA_BROADCAST, "0.0.0.0", 0, 1, "ff:ff:ff:ff:ff:ff",
	  "0.0.0.0" },
	{ IPTO_FRAME_STYLE_ARP_REQUEST, "00:00:5e:00:53:03", "192.0.2.10/24", 0,
	  "255.255.255.255", 0, 1, "00:00:00:00:00:00", "255.255.255.255" },
	{ IPTO_FRAME_STYLE_ARP_REQUEST, "00:00:5e:00:53:03", "192.0.2.10/24", 0,
	  "192.0.2.10/24", 0, 1, "00:00:00:00:00:00", "192.0.2.10" },
	{ IPTO_FRAME_STYLE_ARP_REPLY, "00:00:5e:00:53:04", "198.51.100.200/24", 0,
	  NULL, 0, 2, NULL, "198.51.100.200" },
	{ IPTO_FRAME_STYLE_ARP_REPLY, "00:00:5e:00:53:04", "198.51.100.200/24",
	  IPTO_FRAME_THA_BROADCAST, NULL, 0, 2, "ff:ff:ff:ff:ff:ff",
	  "198.51.100.200" },
	{ IPTO_FRAME_STYLE_ARP_REPLY, "00:00:5e:00:53:04", "198.51.100.200/24",
	  IPTO_FRAME_THA_ZERO, "192.0.2.1", 0, 2, "00:00:00:00:00:00",
	  "198.51.100.200" },
	{ IPTO_FRAME_STYLE_NA, "00:00:5e:00:53:05", "2001:db8::1/64", 0, NULL, 0, 0,
	  NULL, NULL },
	{ IPTO_FRAME_STYLE_NA, "02:00:5e:00:53:05", "2001:db8:ffff::abcd",
	  IPTO_FRAME_THA_BROADCAST, NULL, IPTO_FRAME_ROUTER, 0, NULL, NULL },
	{ IPTO_FRAME_STYLE_NA, "00:00:5e:00:53:05", "fe80::200:5eff:fe00:5305", 0,
	  NULL, 0, 0, NULL, NULL },
};

static int build_v(const struct variant *v, uint8_t *buf, size_t size)
{
	struct ipto_mac mac = M(v->mac);
	struct ipto_addr ip = A(v->ip);
	IPTO_OPTS(ipto_frame_opts, o, .tha = v->tha, .flags = v->flags);

	if (v->target)
		o.target = A(v->target);
	return ipto_frame_build(NULL, v->style, &mac, &ip, &o, buf, size);
}

static void check_arp_fields(const struct variant *v, const uint8_t *f)
{
	struct ipto_mac mac = M(v->mac);
	struct ipto_addr ip = A(v->ip), tpa = A(v->want_tpa);
	struct ipto_mac tha = v->want_tha ? M(v->want_tha) : mac;
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[18];

	ck_assert_mem_eq(f + 0, bcast, 6);		/* Ethernet dst */
	ck_assert_mem_eq(f + 6, mac.bytes, 6);		/* Ethernet src */
	ck_assert_uint_eq(rd16(f + 12), 0x0806);	/* ethertype ARP */
	ck_assert_uint_eq(rd16(f + 14), 1);		/* htype Ethernet */
	ck_assert_uint_eq(rd16(f + 16), 0x0800);	/* ptype IPv4 */
	ck_assert_uint_eq(f[18], 6);			/* hlen */
	ck_assert_uint_eq(f[19], 4);			/* plen */
	ck_assert_uint_eq(rd16(f + 20), v->op);		/* opcode */
	ck_assert_mem_eq(f + 22, mac.bytes, 6);		/* sha */
	ck_assert_mem_eq(f + 28, ip.bytes, 4);		/* spa */
	ck_assert_mem_eq(f + 32, tha.bytes, 6);		/* tha */
	ck_assert_mem_eq(f + 38, tpa.bytes, 4);		/* tpa */
	ck_assert_mem_eq(f + 42, zero, 18);		/* padding */
}

static void check_na_fields(const struct variant *v, const uint8_t *f)
{
	struct ipto_mac mac = M(v->mac);
	struct ipto_addr ip = A(v->ip), all = A("ff02::1");
	static const uint8_t eth_all[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t flags = 0x20 | ((v->flags & IPTO_FRAME_ROUTER) ? 0x80 : 0);

	ck_assert_mem_eq(f + 0, eth_all, 6);		/* Ethernet dst */
	ck_assert_mem_eq(f + 6, mac.bytes, 6);		/* Ethernet src */
	ck_assert_uint_eq(rd16(f + 12), 0x86dd);	/* ethertype IPv6 */
	ck_assert_uint_eq(f[14] >> 4, 6);		/* version */
	ck_assert_uint_eq(f[14] & 0x0f, 0);		/* traffic class hi */
	ck_assert_uint_eq(f[15], 0);			/* class lo, flow */
	ck_assert_uint_eq(rd16(f + 16), 0);		/* flow label */
	ck_assert_uint_eq(rd16(f + 18), 32);		/* payload length */
	ck_assert_uint_eq(f[20], 58);			/* next header */
	ck_assert_uint_eq(f[21], 255);			/* hop limit */
	ck_assert_mem_eq(f + 22, ip.bytes, 16);		/* source */
	ck_assert_mem_eq(f + 38, all.bytes, 16);	/* destination */
	ck_assert_uint_eq(f[54], 136);			/* type NA */
	ck_assert_uint_eq(f[55], 0);			/* code */
	ck_assert_uint_eq(rd16(f + 56),
			  ref_icmp6_csum(f + 22, f + 38, f + 54, 32));
	ck_assert_uint_eq(f[58], flags);		/* R S O */
	ck_assert_uint_eq(f[59], 0);			/* reserved */
	ck_assert_uint_eq(rd16(f + 60), 0);
	ck_assert_mem_eq(f + 62, ip.bytes, 16);		/* target */
	ck_assert_uint_eq(f[78], 2);			/* option TLLA */
	ck_assert_uint_eq(f[79], 1);			/* length 1 x 8 */
	ck_assert_mem_eq(f + 80, mac.bytes, 6);		/* link-layer addr */
}

START_TEST(every_field)
{
	const struct variant *v = &variants[_i];
	uint8_t f[IPTO_FRAME_MAX_LEN];
	int len = build_v(v, f, sizeof(f));

	if (v->style == IPTO_FRAME_STYLE_NA) {
		ck_assert_int_eq(len, IPTO_FRAME_NA_LEN);
		check_na_fields(v, f);
	} else {
		ck_assert_int_eq(len, IPTO_FRAME_MIN_LEN);
		check_arp_fields(v, f);
	}
}
END_TEST

/* A NULL opts, a zero opts and IPTO_OPTS() with nothing set agree. */
START_TEST(default_opts)
{
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr ip = A("192.0.2.10/24");
	struct ipto_frame_opts zero;
	IPTO_OPTS(ipto_frame_opts, o);
	uint8_t a[IPTO_FRAME_MAX_LEN], b[IPTO_FRAME_MAX_LEN];
	enum ipto_frame_style s;

	memset(&zero, 0, sizeof(zero));
	zero.sz = sizeof(zero);
	for (s = IPTO_FRAME_STYLE_ARP_ANNOUNCE; s <= IPTO_FRAME_STYLE_NA; s++) {
		struct ipto_addr *use = &ip;
		struct ipto_addr ip6 = A("2001:db8::10");

		if (s == IPTO_FRAME_STYLE_ARP_REQUEST)
			continue; /* needs a target */
		if (s == IPTO_FRAME_STYLE_NA)
			use = &ip6;
		ck_assert_int_gt(ipto_frame_build(NULL, s, &mac, use, NULL, a,
						  sizeof(a)), 0);
		ck_assert_int_gt(ipto_frame_build(NULL, s, &mac, use, &o, b,
						  sizeof(b)), 0);
		ck_assert_mem_eq(a, b, IPTO_FRAME_MIN_LEN);
		ck_assert_int_gt(ipto_frame_build(NULL, s, &mac, use, &zero, b,
						  sizeof(b)), 0);
		ck_assert_mem_eq(a, b, IPTO_FRAME_MIN_LEN);
	}
	/* a buffer of exactly the frame length is enough */
	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac,
					  &ip, NULL, a, 60), 60);
	ck_assert_mem_eq(a, gold_announce, 60);
}
END_TEST

/* An old caller's shorter opts struct: fields beyond its sz are defaults. */
START_TEST(short_opts)
{
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr ip = A("192.0.2.10/24");
	IPTO_OPTS(ipto_frame_opts, o, .tha = IPTO_FRAME_THA_BROADCAST,
		  .target = A("198.51.100.1"));
	uint8_t f[IPTO_FRAME_MAX_LEN];

	o.sz = offsetof(struct ipto_frame_opts, target);
	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac,
					  &ip, &o, f, sizeof(f)), 60);
	ck_assert_mem_eq(f, gold_announce_thab, 60);
	/* the target lies beyond sz: arp-request has none */
	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST, &mac,
					  &ip, &o, f, sizeof(f)), -EINVAL);
	/* only sz itself: every default */
	o.sz = sizeof(size_t);
	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac,
					  &ip, &o, f, sizeof(f)), 60);
	ck_assert_mem_eq(f, gold_announce, 60);
}
END_TEST

/* A newer caller's larger struct: a zero tail is fine, anything else not. */
START_TEST(long_opts)
{
	struct {
		struct ipto_frame_opts o;
		uint32_t future[4];
	} big;
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr ip = A("192.0.2.10/24");
	uint8_t f[IPTO_FRAME_MAX_LEN];

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac,
					  &ip, &big.o, f, sizeof(f)), 60);
	big.future[3] = 1;
	memset(f, 0xa5, sizeof(f));
	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac,
					  &ip, &big.o, f, sizeof(f)), -EINVAL);
	ck_assert_uint_eq(f[0], 0xa5);
}
END_TEST

START_TEST(too_small_buffer)
{
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr ip4 = A("192.0.2.10/24"), ip6 = A("2001:db8::10");
	uint8_t f[IPTO_FRAME_MAX_LEN], ref[IPTO_FRAME_MAX_LEN];
	size_t n;

	memset(ref, 0xa5, sizeof(ref));
	for (n = 0; n < IPTO_FRAME_MIN_LEN; n++) {
		memset(f, 0xa5, sizeof(f));
		ck_assert_int_eq(ipto_frame_build(NULL,
						  IPTO_FRAME_STYLE_ARP_ANNOUNCE,
						  &mac, &ip4, NULL, f, n),
				 -ENOBUFS);
		ck_assert_mem_eq(f, ref, sizeof(f));
	}
	for (n = 0; n < IPTO_FRAME_NA_LEN; n++) {
		memset(f, 0xa5, sizeof(f));
		ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_NA, &mac,
						  &ip6, NULL, f, n),
				 -ENOBUFS);
		ck_assert_mem_eq(f, ref, sizeof(f));
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bad identities and bad arguments: -EINVAL, nothing built, explained */
/* ------------------------------------------------------------------ */

struct bad {
	enum ipto_frame_style style;
	const char *mac;
	const char *ip;
	const char *why; /* a word the log message must contain */
};

static const struct bad bads[] = {
	/* sender MAC not unicast */
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, "01:00:5e:00:00:01", "192.0.2.10/24", "MAC" },
	{ IPTO_FRAME_STYLE_ARP_REPLY, "ff:ff:ff:ff:ff:ff", "192.0.2.10/24", "MAC" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:00:00:00:00", "192.0.2.10/24", "MAC" },
	{ IPTO_FRAME_STYLE_NA, "33:33:00:00:00:01", "2001:db8::10", "MAC" },
	{ IPTO_FRAME_STYLE_NA, "00:00:00:00:00:00", "2001:db8::10", "MAC" },
	/* sender IP not unicast */
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, MAC_STR, "0.0.0.0", "unicast" },
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, MAC_STR, "224.0.0.1", "unicast" },
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, MAC_STR, "255.255.255.255", "unicast" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, MAC_STR, "192.0.2.255/24", "unicast" },
	{ IPTO_FRAME_STYLE_ARP_REPLY, MAC_STR, "240.0.0.1", "unicast" },
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, MAC_STR, "127.0.0.1", "unicast" },
	{ IPTO_FRAME_STYLE_NA, MAC_STR, "::", "unicast" },
	{ IPTO_FRAME_STYLE_NA, MAC_STR, "ff02::1", "unicast" },
	{ IPTO_FRAME_STYLE_NA, MAC_STR, "::1", "unicast" },
	/* family mismatch */
	{ IPTO_FRAME_STYLE_NA, MAC_STR, "192.0.2.10/24", "IPv6" },
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, MAC_STR, "2001:db8::10", "IPv4" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, MAC_STR, "2001:db8::10/64", "IPv4" },
	{ IPTO_FRAME_STYLE_ARP_REQUEST, MAC_STR, "2001:db8::10", "IPv4" },
	{ IPTO_FRAME_STYLE_ARP_REPLY, MAC_STR, "2001:db8::10", "IPv4" },
};

START_TEST(bad_identity)
{
	const struct bad *b = &bads[_i];
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_mac mac = M(b->mac);
	struct ipto_addr ip = A(b->ip);
	IPTO_OPTS(ipto_frame_opts, o, .target = A("192.0.2.1"));
	uint8_t f[IPTO_FRAME_MAX_LEN], ref[IPTO_FRAME_MAX_LEN];

	memset(f, 0xa5, sizeof(f));
	memset(ref, 0xa5, sizeof(ref));
	ck_assert_int_eq(ipto_frame_build(ctx, b->style, &mac, &ip, &o, f,
					  sizeof(f)), -EINVAL);
	ck_assert_mem_eq(f, ref, sizeof(f));
	ck_assert_int_eq(log.count, 1);
	ck_assert_log(&log, b->why);
	/* the same call without a context fails the same, silently */
	ck_assert_int_eq(ipto_frame_build(NULL, b->style, &mac, &ip, &o, f,
					  sizeof(f)), -EINVAL);
	ck_assert_mem_eq(f, ref, sizeof(f));
	ipto_ctx_unref(ctx);
}
END_TEST

START_TEST(bad_arguments)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr ip = A("192.0.2.10/24"), bogus = ip;
	uint8_t f[IPTO_FRAME_MAX_LEN], ref[IPTO_FRAME_MAX_LEN];
	IPTO_OPTS(ipto_frame_opts, o);
	int count;

	memset(f, 0xa5, sizeof(f));
	memset(ref, 0xa5, sizeof(ref));
#define BAD(call)                                                      \
	do {                                                           \
		count = log.count;                                     \
		ck_assert_int_eq((call), -EINVAL);                     \
		ck_assert_int_eq(log.count, count + 1);                \
		ck_assert_mem_eq(f, ref, sizeof(f));                   \
	} while (0)

	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, NULL, &ip, NULL, f, 60));
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac, NULL, NULL, f, 60));
	ck_assert_int_eq(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac,
					  &ip, NULL, NULL, 60), -EINVAL);
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_NONE, &mac, &ip, NULL, f, 60));
	BAD(ipto_frame_build(ctx, (enum ipto_frame_style)6, &mac, &ip, NULL, f, 60));
	BAD(ipto_frame_build(ctx, (enum ipto_frame_style)-1, &mac, &ip, NULL, f, 60));
	/* an invalid address value */
	bogus.family = 12345;
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac, &bogus, NULL, f, 60));
	bogus = ip;
	bogus.prefixlen = 33;
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_BCAST_TARGET, &mac, &bogus, NULL, f, 60));
	/* options */
	o.sz = 0;
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac, &ip, &o, f, 60));
	o.sz = sizeof(o);
	o.tha = (enum ipto_frame_tha)4;
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac, &ip, &o, f, 60));
	o.tha = (enum ipto_frame_tha)-1;
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac, &ip, &o, f, 60));
	o.tha = 0;
	o.flags = 2;
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_NA, &mac, &ip, &o, f, 60));
	o.flags = 0;
	/* arp-request: no target, IPv6 target, multicast, loopback target */
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_REQUEST, &mac, &ip, NULL, f, 60));
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_REQUEST, &mac, &ip, &o, f, 60));
	o.target = A("2001:db8::1");
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_REQUEST, &mac, &ip, &o, f, 60));
	o.target = A("224.0.0.251");
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_REQUEST, &mac, &ip, &o, f, 60));
	ck_assert_log(&log, "multicast");
	o.target = A("127.0.0.1");
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_REQUEST, &mac, &ip, &o, f, 60));
	/* a bad target is fine for styles that do not use it */
	ck_assert_int_eq(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac,
					  &ip, &o, f, 60), 60);
	ck_assert_mem_eq(f, gold_announce, 60);
#undef BAD
	ipto_ctx_unref(ctx);
}
END_TEST

START_TEST(style_names)
{
	static const char *const names[] = { "none", "arp-announce",
		"arp-bcast-target", "arp-request", "arp-reply", "na",
		"arp-directed", "ns" };
	int s;

	for (s = 0; s <= IPTO_FRAME_STYLE_NS; s++) {
		ck_assert_str_eq(ipto_frame_style_name(s), names[s]);
		if (s > 0)
			ck_assert_int_eq(ipto_frame_style_from_name(names[s]), s);
	}
	ck_assert_ptr_null(ipto_frame_style_name((enum ipto_frame_style)8));
	ck_assert_ptr_null(ipto_frame_style_name((enum ipto_frame_style)-1));
	ck_assert_int_eq(ipto_frame_style_from_name("none"), -EINVAL);
	ck_assert_int_eq(ipto_frame_style_from_name("NA"), -EINVAL);
	ck_assert_int_eq(ipto_frame_style_from_name(""), -EINVAL);
	ck_assert_int_eq(ipto_frame_style_from_name(NULL), -EINVAL);
	ck_assert_uint_eq(IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			  IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA), 0x22u);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

static void info_init(struct ipto_frame_info *fi)
{
	memset(fi, 0x5a, sizeof(*fi));
	fi->sz = sizeof(*fi);
}

static enum ipto_frame_style expected_parsed_style(const struct variant *v)
{
	/* A request to 192.0.2.11 from 192.0.2.10 is the broadcast of the
	 * /30 around it; the parser cannot know the prefix. */
	if (v->style == IPTO_FRAME_STYLE_ARP_REQUEST) {
		struct ipto_addr t = A(v->want_tpa), s = A(v->ip);

		if (ipto_addr_equal(&t, &s))
			return IPTO_FRAME_STYLE_ARP_ANNOUNCE;
		if (strcmp(v->want_tpa, "255.255.255.255") == 0)
			return IPTO_FRAME_STYLE_ARP_BCAST_TARGET;
	}
	return v->style;
}

static void check_info(const struct variant *v, const struct ipto_frame_info *fi)
{
	struct ipto_mac mac = M(v->mac);
	struct ipto_addr ip = A(v->ip);

	ip.prefixlen = IPTO_PREFIX_UNKNOWN;
	ck_assert_uint_eq(fi->sz, sizeof(*fi));
	ck_assert_int_eq(fi->style, expected_parsed_style(v));
	ck_assert(ipto_mac_equal(&fi->eth_src, &mac));
	ck_assert(ipto_mac_equal(&fi->sender_mac, &mac));
	ck_assert_int_eq(ipto_addr_compare(&fi->sender_ip, &ip), 0);
	if (v->style == IPTO_FRAME_STYLE_NA) {
		struct ipto_addr all = A("ff02::1");
		struct ipto_mac eall = M("33:33:00:00:00:01"), z = { { 0 } };

		ck_assert_uint_eq(fi->len, IPTO_FRAME_NA_LEN);
		ck_assert_uint_eq(fi->ethertype, 0x86dd);
		ck_assert(ipto_mac_equal(&fi->eth_dst, &eall));
		ck_assert_uint_eq(fi->op, 0);
		ck_assert_int_eq(ipto_addr_compare(&fi->ip_src, &ip), 0);
		ck_assert_int_eq(ipto_addr_compare(&fi->ip_dst, &all), 0);
		ck_assert_uint_eq(fi->hop_limit, 255);
		ck_assert(fi->router == !!(v->flags & IPTO_FRAME_ROUTER));
		ck_assert(!fi->solicited);
		ck_assert(fi->override);
		ck_assert(fi->has_tlla);
		ck_assert(ipto_mac_equal(&fi->target_mac, &z));
		ck_assert_int_eq(fi->target_ip.family, 0);
	} else {
		struct ipto_mac bc = M("ff:ff:ff:ff:ff:ff");
		struct ipto_mac tha = v->want_tha ? M(v->want_tha) : mac;
		struct ipto_addr tpa = A(v->want_tpa);

		tpa.prefixlen = IPTO_PREFIX_UNKNOWN;
		ck_assert_uint_eq(fi->len, IPTO_FRAME_ARP_LEN);
		ck_assert_uint_eq(fi->ethertype, 0x0806);
		ck_assert(ipto_mac_equal(&fi->eth_dst, &bc));
		ck_assert_uint_eq(fi->op, v->op);
		ck_assert(ipto_mac_equal(&fi->target_mac, &tha));
		ck_assert_int_eq(ipto_addr_compare(&fi->target_ip, &tpa), 0);
		ck_assert_int_eq(fi->ip_src.family, 0);
		ck_assert_int_eq(fi->ip_dst.family, 0);
		ck_assert(!fi->has_tlla && !fi->router && !fi->override);
	}
}

START_TEST(parse_round_trip)
{
	const struct variant *v = &variants[_i];
	uint8_t f[IPTO_FRAME_MAX_LEN];
	struct ipto_frame_info fi;
	int len = build_v(v, f, sizeof(f));

	ck_assert_int_gt(len, 0);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, (size_t)len, &fi), 0);
	check_info(v, &fi);
}
END_TEST

/*
 * Every truncation of every built frame: cutting into the headers is
 * rejected and leaves info untouched. An ARP frame cut only in its
 * padding (42..59 bytes) is still the whole ARP message, the very frame
 * Linux itself puts on a veth, so it parses to the same fields.
 */
START_TEST(parse_truncations)
{
	const struct variant *v = &variants[_i];
	uint8_t f[IPTO_FRAME_MAX_LEN];
	struct ipto_frame_info fi, ref, full;
	int len = build_v(v, f, sizeof(f));
	size_t n, need;

	need = v->style == IPTO_FRAME_STYLE_NA ? IPTO_FRAME_NA_LEN : IPTO_FRAME_ARP_LEN;
	info_init(&full);
	ck_assert_int_eq(ipto_frame_parse(f, (size_t)len, &full), 0);
	for (n = 0; n < (size_t)len; n++) {
		/* a heap copy of exactly n bytes: ASan/valgrind catch any
		 * read past it */
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, f, n);
		info_init(&fi);
		info_init(&ref);
		if (n < need) {
			ck_assert_msg(ipto_frame_parse(cut, n, &fi) == -EPROTO,
				      "truncation to %zu accepted", n);
			ck_assert_mem_eq(&fi, &ref, sizeof(fi));
		} else {
			ck_assert_int_eq(ipto_frame_parse(cut, n, &fi), 0);
			ck_assert_mem_eq(&fi, &full, sizeof(fi));
		}
		free(cut);
	}
}
END_TEST

START_TEST(parse_bad_args)
{
	struct ipto_frame_info fi;

	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(NULL, 60, &fi), -EINVAL);
	ck_assert_int_eq(ipto_frame_parse(gold_announce, 60, NULL), -EINVAL);
	fi.sz = 0;
	ck_assert_int_eq(ipto_frame_parse(gold_announce, 60, &fi), -EINVAL);
}
END_TEST

/* An older caller's shorter info: only the fields it covers are written. */
START_TEST(parse_short_info)
{
	struct ipto_frame_info fi;
	size_t sz = offsetof(struct ipto_frame_info, eth_dst);
	uint8_t ref[sizeof(fi)];

	info_init(&fi);
	fi.sz = sz;
	memcpy(ref, &fi, sizeof(fi));
	ck_assert_int_eq(ipto_frame_parse(gold_reply, 60, &fi), 0);
	ck_assert_uint_eq(fi.sz, sz);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_ARP_REPLY);
	ck_assert_uint_eq(fi.len, 42);
	ck_assert_uint_eq(fi.ethertype, 0x0806);
	ck_assert_mem_eq((uint8_t *)&fi + sz, ref + sz, sizeof(fi) - sz);
}
END_TEST

/* One corruption of a golden frame that the parser must reject. */
struct mutation {
	const char *name;
	bool na;	/* mutate the NA vector, else the announce vector */
	size_t off;
	uint8_t val;
	bool refix;	/* recompute the ICMPv6 checksum afterwards */
};

static const struct mutation mutations[] = {
	{ "ethertype IPv4", false, 13, 0x00, false },
	{ "ethertype 0x8106", false, 12, 0x81, false },
	{ "ethertype 0x0006", false, 12, 0x00, false },
	{ "htype 6 (IEEE 802)", false, 15, 6, false },
	{ "ptype 0x0806", false, 17, 0x06, false },
	{ "hlen 8", false, 18, 8, false },
	{ "plen 16", false, 19, 16, false },
	{ "op 0", false, 21, 0, false },
	{ "op 3 (RARP request)", false, 21, 3, false },
	{ "op 0x0101", false, 20, 1, false },
	{ "IP version 4", true, 14, 0x40, false },
	{ "next header hop-by-hop", true, 20, 0, true },
	{ "next header UDP", true, 20, 17, true },
	{ "hop limit 254", true, 21, 254, false },
	{ "hop limit 1", true, 21, 1, false },
	{ "NS to ff02::1, not the solicited-node group", true, 54, 135, true },
	{ "ICMPv6 type 134 (RA)", true, 54, 134, true },
	{ "ICMPv6 code 1", true, 55, 1, true },
	{ "bad checksum", true, 57, 0x0d, false },
	{ "bad checksum via target", true, 77, 0x11, false },
	{ "bad checksum via option", true, 85, 0x02, false },
	{ "solicited to multicast", true, 58, 0x60, true },
	{ "multicast target", true, 62, 0xff, true },
	{ "multicast source", true, 22, 0xff, true },
	{ "Ethernet dst not ff02::1's", true, 5, 0x02, false },
	{ "Ethernet dst broadcast", true, 0, 0xff, false },
	{ "zero-length option", true, 79, 0, true },
	{ "option of 16 bytes past payload", true, 79, 2, true },
	{ "option past payload", true, 79, 3, true },
	{ "payload length 33", true, 19, 33, true },
	{ "payload length 23", true, 19, 23, true },
	{ "payload length 0", true, 19, 0, true },
	{ "payload length 0x2020", true, 18, 0x20, true },
};

START_TEST(parse_rejects_mutation)
{
	const struct mutation *m = &mutations[_i];
	uint8_t f[IPTO_FRAME_MAX_LEN];
	struct ipto_frame_info fi, ref;
	size_t len = m->na ? sizeof(gold_na) : sizeof(gold_announce);

	memcpy(f, m->na ? gold_na : gold_announce, len);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, len, &fi), 0); /* sane before */
	f[m->off] = m->val;
	if (m->refix)
		fix_csum(f, len);
	info_init(&fi);
	info_init(&ref);
	ck_assert_msg(ipto_frame_parse(f, len, &fi) == -EPROTO,
		      "%s accepted", m->name);
	ck_assert_mem_eq(&fi, &ref, sizeof(fi));
}
END_TEST

/* Ethernet TLLA options are 8 bytes (RFC 2464 6); a 16-byte one that
 * fits the payload is still wrong. So is a VLAN-tagged frame. */
START_TEST(parse_rejects_odd_shapes)
{
	uint8_t f[IPTO_FRAME_MAX_LEN];
	struct ipto_frame_info fi;

	memcpy(f, gold_na, 86);
	memset(f + 86, 0, 8);
	f[79] = 2;
	f[19] = 40;
	fix_csum(f, 94);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 94, &fi), -EPROTO);
	f[78] = 1; /* the same as a source link-layer option: ignored */
	fix_csum(f, 94);
	ck_assert_int_eq(ipto_frame_parse(f, 94, &fi), 0);
	ck_assert(!fi.has_tlla);

	/* 802.1Q tag in front of the ARP ethertype */
	memcpy(f, gold_announce, 12);
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = 0x00;
	f[15] = 0x05;
	memcpy(f + 16, gold_announce + 12, 48);
	ck_assert_int_eq(ipto_frame_parse(f, 64, &fi), -EPROTO);
}
END_TEST

START_TEST(parse_fix_csum_is_sound)
{
	/* fix_csum() on an unchanged frame changes nothing, so the
	 * mutations above fail for the reason their names give. */
	uint8_t f[86];

	memcpy(f, gold_na, 86);
	fix_csum(f, 86);
	ck_assert_mem_eq(f, gold_na, 86);
	memcpy(f, gold_na_router, 86);
	fix_csum(f, 86);
	ck_assert_mem_eq(f, gold_na_router, 86);
}
END_TEST

/* Frames libipto never builds but peers send: parsed, with their style. */
START_TEST(parse_foreign_styles)
{
	uint8_t f[IPTO_FRAME_MAX_LEN];
	struct ipto_frame_info fi;
	struct ipto_addr a;
	struct ipto_mac m;

	/* an ordinary unicast ARP reply: style none */
	memcpy(f, gold_reply, 60);
	f[41] = 1; /* tpa 192.0.2.1 */
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 60, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_NONE);
	ck_assert_uint_eq(fi.op, 2);

	/* a gratuitous reply with a broadcast target MAC is still a reply */
	memcpy(f, gold_reply, 60);
	memset(f + 32, 0xff, 6);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 60, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_ARP_REPLY);

	/* a plain request to a host: arp-request */
	memcpy(f, gold_request, 60);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 60, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_ARP_REQUEST);

	/* an RFC 5227 probe (sender IP 0): a request, not an announcement */
	memcpy(f, gold_announce, 60);
	memset(f + 28, 0, 4);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 60, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_ARP_REQUEST);
	a = A("0.0.0.0");
	ck_assert(ipto_addr_equal(&fi.sender_ip, &a));

	/* a 42-byte ARP frame, as Linux sends it on a veth */
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(gold_bcast24, 42, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_ARP_BCAST_TARGET);

	/* a solicited unicast NA without a TLLA option: style none, the
	 * announced MAC is the Ethernet source */
	memcpy(f, gold_na, 86);
	memcpy(f, "\x00\x00\x5e\x00\x53\x99", 6);
	memcpy(f + 38, gold_na + 22, 16); /* unicast destination */
	f[38 + 15] = 0x99;
	f[58] = 0x60; /* S and O */
	f[19] = 24;   /* no option */
	fix_csum(f, 78);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 78, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_NONE);
	ck_assert(fi.solicited && fi.override && !fi.router && !fi.has_tlla);
	ck_assert_uint_eq(fi.len, 78);
	m = M(MAC_STR);
	ck_assert(ipto_mac_equal(&fi.sender_mac, &m));

	/* an NA with an unknown option before the TLLA, and trailing bytes */
	memcpy(f, gold_na, 86);
	memmove(f + 86, f + 78, 8);	/* TLLA moves back 8 bytes */
	memset(f + 78, 0, 8);
	f[78] = 200;			/* unknown option type, length 1 */
	f[79] = 1;
	f[19] = 40;
	fix_csum(f, 94);
	f[94] = 0xee;			/* a trailing byte */
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 95, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_NA);
	ck_assert(fi.has_tlla);
	ck_assert(ipto_mac_equal(&fi.sender_mac, &m));
	ck_assert_uint_eq(fi.len, 94);
	/* ... and every truncation into its options is rejected */
	{
		size_t n;

		for (n = 54; n < 94; n++)
			ck_assert_int_eq(ipto_frame_parse(f, n, &fi), -EPROTO);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Directed announcements: an ARP request and an NS to one neighbour   */
/* ------------------------------------------------------------------ */

#define NEIGH_MAC_STR "00:00:5e:00:53:20"
#define NEIGH_MAC_BYTES 0x00, 0x00, 0x5e, 0x00, 0x53, 0x20
#define IP6_DB8(last) 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last

/* RFC 826: a request from 192.0.2.10 at our MAC for 192.0.2.20, to the
 * neighbour's own MAC. */
static const uint8_t gold_arp_directed[60] = {
	NEIGH_MAC_BYTES, MAC_BYTES, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	MAC_BYTES, 192, 0, 2, 10,
	0, 0, 0, 0, 0, 0, 192, 0, 2, 20,
	PAD18,
};

/* The same, MAC unknown: to broadcast. */
static const uint8_t gold_arp_directed_bc[60] = {
	ARP_HEAD, 0x00, 0x01,
	MAC_BYTES, 192, 0, 2, 10,
	0, 0, 0, 0, 0, 0, 192, 0, 2, 20,
	PAD18,
};

/* RFC 4861 4.3 + RFC 2464: NS from 2001:db8::10 for 2001:db8::20, to its
 * MAC and address; checksum computed apart (Python, RFC 8200 8.1). */
static const uint8_t gold_ns_unicast[86] = {
	NEIGH_MAC_BYTES, MAC_BYTES, 0x86, 0xdd,
	0x60, 0, 0, 0, 0, 32, 58, 255,	/* version 6, plen 32, ICMPv6, 255 */
	IP6_DB8(0x10),			/* source: the taken address */
	IP6_DB8(0x20),			/* destination: the neighbour */
	135, 0, 0x3d, 0x27,		/* NS, code 0, checksum */
	0, 0, 0, 0,			/* reserved */
	IP6_DB8(0x20),			/* target */
	1, 1, MAC_BYTES,		/* source link-layer address option */
};

/* MAC unknown: to the solicited-node group ff02::1:ff00:20. */
static const uint8_t gold_ns_group[86] = {
	0x33, 0x33, 0xff, 0x00, 0x00, 0x20, MAC_BYTES, 0x86, 0xdd,
	0x60, 0, 0, 0, 0, 32, 58, 255,
	IP6_DB8(0x10),
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x20,
	135, 0, 0x6c, 0xdb,
	0, 0, 0, 0,
	IP6_DB8(0x20),
	1, 1, MAC_BYTES,
};

static int build_directed(struct ipto_ctx *ctx, enum ipto_frame_style style,
			  const char *ip, const char *target,
			  const char *target_mac, uint8_t *f, size_t size)
{
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr a = A(ip);
	IPTO_OPTS(ipto_frame_opts, o, .target = A(target));

	if (target_mac)
		o.target_mac = M(target_mac);
	return ipto_frame_build(ctx, style, &mac, &a, &o, f, size);
}

START_TEST(directed_golden)
{
	uint8_t f[IPTO_FRAME_MAX_LEN];

	memset(f, 0xa5, sizeof(f));
	ck_assert_int_eq(build_directed(NULL, IPTO_FRAME_STYLE_ARP_DIRECTED,
					"192.0.2.10/24", "192.0.2.20",
					NEIGH_MAC_STR, f, sizeof(f)), 60);
	ck_assert_mem_eq(f, gold_arp_directed, 60);
	ck_assert_int_eq(build_directed(NULL, IPTO_FRAME_STYLE_ARP_DIRECTED,
					"192.0.2.10/24", "192.0.2.20", NULL, f,
					sizeof(f)), 60);
	ck_assert_mem_eq(f, gold_arp_directed_bc, 60);
	/* an all-zero MAC is "unknown" too */
	ck_assert_int_eq(build_directed(NULL, IPTO_FRAME_STYLE_ARP_DIRECTED,
					"192.0.2.10/24", "192.0.2.20",
					"00:00:00:00:00:00", f, sizeof(f)), 60);
	ck_assert_mem_eq(f, gold_arp_directed_bc, 60);

	ck_assert_int_eq(build_directed(NULL, IPTO_FRAME_STYLE_NS,
					"2001:db8::10/64", "2001:db8::20",
					NEIGH_MAC_STR, f, sizeof(f)), IPTO_FRAME_NS_LEN);
	ck_assert_mem_eq(f, gold_ns_unicast, 86);
	ck_assert_uint_eq(ref_icmp6_csum(f + 22, f + 38, f + 54, 32), 0x3d27);
	ck_assert_int_eq(build_directed(NULL, IPTO_FRAME_STYLE_NS,
					"2001:db8::10/64", "2001:db8::20", NULL,
					f, sizeof(f)), 86);
	ck_assert_mem_eq(f, gold_ns_group, 86);
	ck_assert_uint_eq(ref_icmp6_csum(f + 22, f + 38, f + 54, 32), 0x6cdb);

	/* the group takes the target's low 24 bits */
	ck_assert_int_eq(build_directed(NULL, IPTO_FRAME_STYLE_NS,
					"2001:db8::10/64", "2001:db8::12ab:cdef",
					NULL, f, sizeof(f)), 86);
	ck_assert_mem_eq(f, "\x33\x33\xff\xab\xcd\xef", 6);
	ck_assert_mem_eq(f + 38, "\xff\x02\0\0\0\0\0\0\0\0\0\x01\xff\xab\xcd\xef", 16);
	ck_assert_uint_eq(rd16(f + 56), 0xbde5);
	/* exactly the frame's size is enough */
	ck_assert_int_eq(build_directed(NULL, IPTO_FRAME_STYLE_NS,
					"2001:db8::10/64", "2001:db8::20", NULL,
					f, 86), 86);
}
END_TEST

START_TEST(directed_parse)
{
	struct ipto_frame_info fi;
	struct ipto_mac mac = M(MAC_STR), nmac = M(NEIGH_MAC_STR);
	struct ipto_mac zero = { { 0 } };
	struct ipto_addr src = A("2001:db8::10"), tgt = A("2001:db8::20");
	struct ipto_addr grp = A("ff02::1:ff00:20"), v4 = A("192.0.2.20");

	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(gold_arp_directed, 60, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_ARP_DIRECTED);
	ck_assert(ipto_mac_equal(&fi.eth_dst, &nmac));
	ck_assert(ipto_mac_equal(&fi.sender_mac, &mac));
	ck_assert(ipto_addr_equal(&fi.target_ip, &v4));
	ck_assert_uint_eq(fi.op, 1);
	/* to broadcast it is an ordinary request */
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(gold_arp_directed_bc, 60, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_ARP_REQUEST);

	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(gold_ns_unicast, 86, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_NS);
	ck_assert_uint_eq(fi.len, 86);
	ck_assert_uint_eq(fi.ethertype, 0x86dd);
	ck_assert_uint_eq(fi.op, 0);
	ck_assert_uint_eq(fi.hop_limit, 255);
	ck_assert(fi.has_slla && !fi.has_tlla);
	ck_assert(!fi.router && !fi.solicited && !fi.override);
	ck_assert(ipto_mac_equal(&fi.eth_dst, &nmac));
	ck_assert(ipto_mac_equal(&fi.sender_mac, &mac));
	ck_assert(ipto_mac_equal(&fi.target_mac, &zero));
	src.prefixlen = tgt.prefixlen = IPTO_PREFIX_UNKNOWN;
	ck_assert_int_eq(ipto_addr_compare(&fi.sender_ip, &src), 0);
	ck_assert_int_eq(ipto_addr_compare(&fi.ip_src, &src), 0);
	ck_assert_int_eq(ipto_addr_compare(&fi.ip_dst, &tgt), 0);
	ck_assert_int_eq(ipto_addr_compare(&fi.target_ip, &tgt), 0);

	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(gold_ns_group, 86, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_NS);
	ck_assert(ipto_addr_equal(&fi.ip_dst, &grp));

	/* the other styles carry no source link-layer option */
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(gold_na, 86, &fi), 0);
	ck_assert(!fi.has_slla);
	ck_assert_int_eq(fi.target_ip.family, 0);
}
END_TEST

/* NS the parser must refuse, and the ones it reads as foreign. */
/* a byte of a gold NS set (or, with flip, XOR-ed) to val; refix:
 * the checksum made right again afterwards */
static const struct ns_mutation {
	const char *name;
	bool group;
	size_t off;
	uint8_t val;
	bool flip;
	bool refix;
} ns_mutations[] = {
	{ "right group, wrong Ethernet mapping", true, 2, 0x00, false, false },
	{ "multicast target", false, 62, 0xff, false, true },
	{ "hop limit 254", false, 21, 254, false, false },
	{ "code 1", false, 55, 1, false, true },
	{ "bad checksum", false, 57, 1, true, false },
	{ "zero-length option", false, 79, 0, false, true },
};

START_TEST(ns_parse_rules)
{
	uint8_t f[IPTO_FRAME_MAX_LEN];
	struct ipto_frame_info fi, ref;
	struct ipto_addr unspec = A("::");
	size_t n;

	/* every truncation into the headers and the option */
	for (n = 0; n < 86; n++) {
		info_init(&fi);
		info_init(&ref);
		ck_assert_int_eq(ipto_frame_parse(gold_ns_group, n, &fi), -EPROTO);
		ck_assert_mem_eq(&fi, &ref, sizeof(fi));
	}
	/* a group that is not the target's */
	memcpy(f, gold_ns_group, 86);
	f[53] = 0x21;
	f[5] = 0x21;
	fix_csum(f, 86);
	ck_assert_int_eq(ipto_frame_parse(f, 86, &fi), -EPROTO);
	/* one byte changed in a gold NS (86 bytes), each refused */
	for (n = 0; n < sizeof(ns_mutations) / sizeof(ns_mutations[0]); n++) {
		const struct ns_mutation *m = &ns_mutations[n];

		memcpy(f, m->group ? gold_ns_group : gold_ns_unicast, 86);
		if (m->flip)
			f[m->off] ^= m->val;
		else
			f[m->off] = m->val;
		if (m->refix)
			fix_csum(f, 86);
		ck_assert_msg(ipto_frame_parse(f, 86, &fi) == -EPROTO,
			      "%s accepted", m->name);
	}

	/* duplicate address detection (RFC 4862): from ::, to the group,
	 * without the option: well-formed, but no announcement */
	memcpy(f, gold_ns_group, 78);
	memset(f + 22, 0, 16);
	f[19] = 24;
	fix_csum(f, 78);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 78, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_NONE);
	ck_assert(!fi.has_slla);
	ck_assert(ipto_addr_equal(&fi.sender_ip, &unspec));
	/* ... with a source link-layer option: refused (RFC 4861 7.1.1) */
	memcpy(f, gold_ns_group, 86);
	memset(f + 22, 0, 16);
	fix_csum(f, 86);
	ck_assert_int_eq(ipto_frame_parse(f, 86, &fi), -EPROTO);
	/* ... to a unicast address: refused */
	memcpy(f, gold_ns_unicast, 78);
	memset(f + 22, 0, 16);
	f[19] = 24;
	fix_csum(f, 78);
	ck_assert_int_eq(ipto_frame_parse(f, 78, &fi), -EPROTO);
	/* an NS with a source but no option: well-formed, style none */
	memcpy(f, gold_ns_unicast, 78);
	f[19] = 24;
	fix_csum(f, 78);
	info_init(&fi);
	ck_assert_int_eq(ipto_frame_parse(f, 78, &fi), 0);
	ck_assert_int_eq(fi.style, IPTO_FRAME_STYLE_NONE);
	ck_assert(!fi.has_slla);
}
END_TEST

START_TEST(directed_bad)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr ip4 = A("192.0.2.10/24"), ip6 = A("2001:db8::10/64");
	uint8_t f[IPTO_FRAME_MAX_LEN];

#define BAD(call, err)                                                    \
	do {                                                              \
		int before_ = log.count;                                  \
		memset(f, 0xa5, sizeof(f));                               \
		ck_assert_int_eq((call), (err));                          \
		ck_assert_int_eq(log.count, before_ + 1);                 \
		ck_assert_uint_eq(f[0], 0xa5);                            \
	} while (0)
	/* no target */
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_DIRECTED, &mac, &ip4, NULL,
			     f, sizeof(f)), -EINVAL);
	BAD(ipto_frame_build(ctx, IPTO_FRAME_STYLE_NS, &mac, &ip6, NULL, f,
			     sizeof(f)), -EINVAL);
	/* a target of the other family */
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_ARP_DIRECTED, "192.0.2.10/24",
			   "2001:db8::20", NULL, f, sizeof(f)), -EINVAL);
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_NS, "2001:db8::10/64",
			   "192.0.2.20", NULL, f, sizeof(f)), -EINVAL);
	/* the sender of the other family */
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_NS, "192.0.2.10/24",
			   "2001:db8::20", NULL, f, sizeof(f)), -EINVAL);
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_ARP_DIRECTED, "2001:db8::10/64",
			   "192.0.2.20", NULL, f, sizeof(f)), -EINVAL);
	/* targets no host answers for */
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_ARP_DIRECTED, "192.0.2.10/24",
			   "224.0.0.1", NULL, f, sizeof(f)), -EINVAL);
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_ARP_DIRECTED, "192.0.2.10/24",
			   "127.0.0.1", NULL, f, sizeof(f)), -EINVAL);
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_NS, "2001:db8::10/64",
			   "ff02::1", NULL, f, sizeof(f)), -EINVAL);
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_NS, "2001:db8::10/64", "::1",
			   NULL, f, sizeof(f)), -EINVAL);
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_NS, "2001:db8::10/64", "::",
			   NULL, f, sizeof(f)), -EINVAL);
	/* a neighbour MAC that is no unicast */
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_ARP_DIRECTED, "192.0.2.10/24",
			   "192.0.2.20", "ff:ff:ff:ff:ff:ff", f, sizeof(f)), -EINVAL);
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_NS, "2001:db8::10/64",
			   "2001:db8::20", "33:33:00:00:00:01", f, sizeof(f)), -EINVAL);
	/* one byte short */
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_NS, "2001:db8::10/64",
			   "2001:db8::20", NULL, f, 85), -ENOBUFS);
	BAD(build_directed(ctx, IPTO_FRAME_STYLE_ARP_DIRECTED, "192.0.2.10/24",
			   "192.0.2.20", NULL, f, 59), -ENOBUFS);
#undef BAD
	ipto_ctx_unref(ctx);
}
END_TEST

/* An older caller's opts end before target_mac: the MAC is unknown. */
START_TEST(directed_short_opts)
{
	struct ipto_mac mac = M(MAC_STR);
	struct ipto_addr ip = A("192.0.2.10/24");
	IPTO_OPTS(ipto_frame_opts, o, .target = A("192.0.2.20"),
		  .target_mac = M(NEIGH_MAC_STR));
	uint8_t f[IPTO_FRAME_MAX_LEN];

	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_DIRECTED, &mac,
					  &ip, &o, f, sizeof(f)), 60);
	ck_assert_mem_eq(f, gold_arp_directed, 60);
	o.sz = offsetof(struct ipto_frame_opts, target_mac);
	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_DIRECTED, &mac,
					  &ip, &o, f, sizeof(f)), 60);
	ck_assert_mem_eq(f, gold_arp_directed_bc, 60);
	/* arp-request ignores the neighbour's MAC */
	o.sz = sizeof(o);
	ck_assert_int_eq(ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST, &mac,
					  &ip, &o, f, sizeof(f)), 60);
	ck_assert_mem_eq(f, gold_arp_directed_bc, 60);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pcap writer                                                         */
/* ------------------------------------------------------------------ */

static uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Read a whole file; the caller frees. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(65536);
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, 65536, f);
	fclose(f);
	*len = n;
	return buf;
}

/* Check the file holds exactly the given frames, in pcap format (the
 * classic format from the pcap-savefile man page, host byte order). */
static void check_pcap(const uint8_t *d, size_t len,
		       const uint8_t *const *frames, const size_t *lens,
		       size_t n)
{
	size_t off = 24, i;

	ck_assert_uint_ge(len, 24);
	ck_assert_uint_eq(rd32le(d), 0xa1b2c3d4);	/* magic, microseconds */
	ck_assert_uint_eq(d[4] | d[5] << 8, 2);		/* version 2.4 */
	ck_assert_uint_eq(d[6] | d[7] << 8, 4);
	ck_assert_uint_ge(rd32le(d + 16), IPTO_FRAME_MAX_LEN); /* snaplen */
	ck_assert_uint_eq(rd32le(d + 20), 1);		/* LINKTYPE_ETHERNET */
	for (i = 0; i < n; i++) {
		ck_assert_uint_ge(len, off + 16 + lens[i]);
		ck_assert_uint_gt(rd32le(d + off), 1600000000); /* a real time */
		ck_assert_uint_lt(rd32le(d + off + 4), 1000000);
		ck_assert_uint_eq(rd32le(d + off + 8), lens[i]);  /* caplen */
		ck_assert_uint_eq(rd32le(d + off + 12), lens[i]); /* len */
		ck_assert_mem_eq(d + off + 16, frames[i], lens[i]);
		off += 16 + lens[i];
	}
	ck_assert_uint_eq(off, len);
}

START_TEST(pcap_writer_file)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_pcap_writer *w = NULL;
	char path[] = "/tmp/ipto-test-frame-XXXXXX";
	const uint8_t *frames[] = { gold_announce, gold_na, gold_reply };
	const size_t lens[] = { 60, 86, 42 };
	size_t len, i;
	uint8_t *d;
	int fd, r;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	r = ipto_pcap_writer_new(ctx, path, &w);
	if (r == -EOPNOTSUPP) {
		/* built without libpcap: the API is there and says so */
		ck_assert_ptr_null(w);
		ck_assert_int_eq(log.count, 1);
		ck_assert_int_eq(ipto_pcap_writer_close(NULL), 0);
		unlink(path);
		ipto_ctx_unref(ctx);
		return;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_ptr_nonnull(w);
	/* the writer holds its own context reference */
	ipto_ctx_unref(ctx);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ipto_pcap_writer_write(w, frames[i], lens[i]), 0);
	ck_assert_int_eq(ipto_pcap_writer_write(w, gold_na, 13), -EINVAL);
	ck_assert_int_eq(ipto_pcap_writer_write(w, gold_na, 65536), -EINVAL);
	ck_assert_int_eq(ipto_pcap_writer_write(w, NULL, 60), -EINVAL);
	ck_assert_int_eq(ipto_pcap_writer_write(NULL, gold_na, 60), -EINVAL);
	ck_assert_int_eq(log.count, 3); /* a NULL writer has no context */
	ck_assert_int_eq(ipto_pcap_writer_close(w), 0);
	ck_assert_int_eq(ipto_pcap_writer_close(NULL), 0);

	d = slurp(path, &len);
	check_pcap(d, len, frames, lens, 3);
	free(d);
	unlink(path);
}
END_TEST

START_TEST(pcap_writer_errors)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_pcap_writer *w = NULL;
	uint8_t big[4096];
	int i, r;

	r = ipto_pcap_writer_new(ctx, "/nonexistent-ipto-dir/x.pcap", &w);
	if (r == -EOPNOTSUPP) {
		ipto_ctx_unref(ctx);
		return;
	}
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_null(w);
	ck_assert_int_eq(log.count, 1);
	ck_assert_int_eq(ipto_pcap_writer_new(ctx, "", &w), -EINVAL);
	ck_assert_int_eq(ipto_pcap_writer_new(ctx, NULL, &w), -EINVAL);
	ck_assert_int_eq(ipto_pcap_writer_new(NULL, "/tmp/x.pcap", &w), -EINVAL);
	ck_assert_int_eq(ipto_pcap_writer_new(ctx, "/tmp/x.pcap", NULL), -EINVAL);
	ck_assert_ptr_null(w);

	/* /dev/full accepts the open and fails the writes: the error must
	 * surface, at the latest when closing */
	if (access("/dev/full", W_OK) == 0) {
		bool failed = false;

		ck_assert_int_eq(ipto_pcap_writer_new(ctx, "/dev/full", &w), 0);
		memset(big, 0, sizeof(big));
		memcpy(big, gold_announce, 60);
		for (i = 0; i < 64; i++)
			if (ipto_pcap_writer_write(w, big, sizeof(big)) == -EIO)
				failed = true;
		ck_assert(failed); /* 256 KiB outgrow any stdio buffer */
		ck_assert_int_eq(ipto_pcap_writer_close(w), -EIO);
	}
	ipto_ctx_unref(ctx);
}
END_TEST

/* "-" writes to a duplicate of stdout and leaves stdout open. */
START_TEST(pcap_writer_stdout)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_pcap_writer *w = NULL;
	char path[] = "/tmp/ipto-test-frame-XXXXXX";
	const uint8_t *frames[] = { gold_bcast24 };
	const size_t lens[] = { 60 };
	int fd, saved, r;
	size_t len;
	uint8_t *d;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	close(fd);
	r = ipto_pcap_writer_new(ctx, "-", &w);
	if (r == 0) {
		ck_assert_int_eq(ipto_pcap_writer_write(w, gold_bcast24, 60), 0);
		r = ipto_pcap_writer_close(w);
	}
	/* stdout is still open after the writer closed */
	ck_assert_int_ne(fcntl(STDOUT_FILENO, F_GETFD), -1);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	if (r != -EOPNOTSUPP) {
		ck_assert_int_eq(r, 0);
		d = slurp(path, &len);
		check_pcap(d, len, frames, lens, 1);
		free(d);
	}
	unlink(path);
	ipto_ctx_unref(ctx);
}
END_TEST

static Suite *frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc;

	tc = test_tcase(s, "build", golden_na_checksums, default_opts,
			short_opts, long_opts, too_small_buffer, bad_arguments,
			style_names);
	tcase_add_loop_test(tc, golden_vectors, 0, IPTO_ARRAY_SIZE_T(goldens));
	tcase_add_loop_test(tc, every_field, 0, IPTO_ARRAY_SIZE_T(variants));
	tcase_add_loop_test(tc, bad_identity, 0, IPTO_ARRAY_SIZE_T(bads));
	tc = test_tcase(s, "parse", parse_bad_args, parse_short_info,
			parse_rejects_odd_shapes, parse_fix_csum_is_sound,
			parse_foreign_styles, directed_golden, directed_parse,
			ns_parse_rules, directed_bad, directed_short_opts);
	tcase_add_loop_test(tc, parse_round_trip, 0, IPTO_ARRAY_SIZE_T(variants));
	tcase_add_loop_test(tc, parse_truncations, 0,
			    IPTO_ARRAY_SIZE_T(variants));
	tcase_add_loop_test(tc, parse_rejects_mutation, 0,
			    IPTO_ARRAY_SIZE_T(mutations));
	test_tcase(s, "pcap", pcap_writer_file, pcap_writer_errors,
		   pcap_writer_stdout);
	return s;
}

IPTO_TEST_MAIN(frame_suite)
