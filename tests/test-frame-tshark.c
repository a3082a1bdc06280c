/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An independent decoder agrees: every frame style (and the target-MAC and
 * Router variants, and the directed styles with and without the
 * neighbour's MAC) goes through ipto_pcap_writer into a pcap file, and
 * Wireshark's dissectors (tshark) must decode every field to the value the
 * test expects from its inputs, with no malformed packet and no expert
 * warning (bad checksum, duplicate address, ...).
 *
 * usage: test-frame-tshark TSHARK   (exits 77 without tshark or libpcap)
 * Needs no privileges and no network.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-common.h"

static const char *tshark;
static char pcap_path[] = "/tmp/ipto-frame-tshark-XXXXXX";
static char bad_path[sizeof(pcap_path) + 4];

struct tcase {
	enum ipto_frame_style style;
	const char *mac;
	const char *ip;
	enum ipto_frame_tha tha;
	const char *target;
	unsigned int flags;
	/* what the fields must decode to */
	const char *tha_str;
	const char *tpa_str;
	/* the directed styles: the neighbour's MAC, NULL for unknown */
	const char *target_mac;
};

/* One MAC per IP, so Wireshark's duplicate-address check stays quiet. */
static const struct tcase cases[] = {
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, "00:00:5e:00:53:01", "192.0.2.10/24", 0,
	  NULL, 0, "00:00:00:00:00:00", "192.0.2.10" },
	{ IPTO_FRAME_STYLE_ARP_ANNOUNCE, "00:00:5e:00:53:02", "192.0.2.11/24",
	  IPTO_FRAME_THA_BROADCAST, NULL, 0, "ff:ff:ff:ff:ff:ff", "192.0.2.11" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:03", "192.0.2.12/24", 0,
	  NULL, 0, "00:00:00:00:00:00", "192.0.2.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "00:00:5e:00:53:04", "192.0.2.13/32", 0,
	  NULL, 0, "00:00:00:00:00:00", "255.255.255.255" },
	{ IPTO_FRAME_STYLE_ARP_BCAST_TARGET, "02:00:5e:00:53:05", "198.51.100.14/23",
	  IPTO_FRAME_THA_BROADCAST, NULL, 0, "ff:ff:ff:ff:ff:ff",
	  "198.51.101.255" },
	{ IPTO_FRAME_STYLE_ARP_REQUEST, "00:00:5e:00:53:06", "192.0.2.15/24", 0,
	  "192.0.2.1", 0, "00:00:00:00:00:00", "192.0.2.1" },
	{ IPTO_FRAME_STYLE_ARP_REPLY, "00:00:5e:00:53:07", "192.0.2.16/24", 0, NULL,
	  0, "00:00:5e:00:53:07", "192.0.2.16" },
	{ IPTO_FRAME_STYLE_ARP_REPLY, "00:00:5e:00:53:08", "192.0.2.17/24",
	  IPTO_FRAME_THA_BROADCAST, NULL, 0, "ff:ff:ff:ff:ff:ff",
	  "192.0.2.17" },
	{ IPTO_FRAME_STYLE_NA, "00:00:5e:00:53:09", "2001:db8::10/64", 0, NULL, 0,
	  NULL, NULL },
	{ IPTO_FRAME_STYLE_NA, "00:00:5e:00:53:0a", "2001:db8::11", 0, NULL,
	  IPTO_FRAME_ROUTER, NULL, NULL },
	{ IPTO_FRAME_STYLE_ARP_DIRECTED, "00:00:5e:00:53:0b", "192.0.2.18/24", 0,
	  "192.0.2.40", 0, "00:00:00:00:00:00", "192.0.2.40",
	  "00:00:5e:00:53:40" },
	{ IPTO_FRAME_STYLE_ARP_DIRECTED, "00:00:5e:00:53:0c", "192.0.2.19/24", 0,
	  "192.0.2.41", 0, "00:00:00:00:00:00", "192.0.2.41", NULL },
	{ IPTO_FRAME_STYLE_NS, "00:00:5e:00:53:0d", "2001:db8::12/64", 0,
	  "2001:db8::42", 0, NULL, NULL, "00:00:5e:00:53:42" },
	{ IPTO_FRAME_STYLE_NS, "00:00:5e:00:53:0e", "2001:db8::13/64", 0,
	  "2001:db8::12ab:cd43", 0, NULL, NULL, NULL },
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* The fields asked of tshark, in this order. */
static const char *const fields[] = {
	"frame.len", "eth.dst", "eth.src", "eth.type", "eth.padding",
	/* ARP */
	"arp.hw.type", "arp.proto.type", "arp.hw.size", "arp.proto.size",
	"arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac",
	"arp.dst.proto_ipv4", "arp.isgratuitous", "arp.isannouncement",
	/* IPv6 */
	"ipv6.version", "ipv6.tclass", "ipv6.flow", "ipv6.plen", "ipv6.nxt",
	"ipv6.hlim", "ipv6.src", "ipv6.dst",
	/* ICMPv6 NA */
	"icmpv6.type", "icmpv6.code", "icmpv6.checksum.status",
	"icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o",
	"icmpv6.nd.na.flag.rsv", "icmpv6.nd.na.target_address",
	"icmpv6.opt.type", "icmpv6.opt.length", "icmpv6.opt.linkaddr",
	/* ICMPv6 NS */
	"icmpv6.nd.ns.target_address", "icmpv6.opt.src_linkaddr",
	/* trouble */
	"_ws.malformed", "_ws.expert",
};
#define NFIELDS ((int)(sizeof(fields) / sizeof(fields[0])))

static char *host(const char *ip)
{
	static char buf[4][64];
	static int n;
	char *b = buf[n++ % 4];
	char *slash;

	snprintf(b, 64, "%s", ip);
	slash = strchr(b, '/');
	if (slash)
		*slash = '\0';
	return b;
}

/* Expected values by field name; unnamed fields must print empty. */
struct want {
	const char *val[NFIELDS];
	char buf[NFIELDS][64];
};

static void want_set(struct want *w, const char *field, const char *fmt, ...)
	IPTO_PRINTF_ATTR(3, 4);

static void want_set(struct want *w, const char *field, const char *fmt, ...)
{
	va_list ap;
	int i;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i], field) == 0)
			break;
	ck_assert_msg(i < NFIELDS, "no field %s", field);
	va_start(ap, fmt);
	vsnprintf(w->buf[i], sizeof(w->buf[i]), fmt, ap);
	va_end(ap);
	w->val[i] = w->buf[i];
}

/* What an NA and an NS of case @c (ICMPv6 @type) share: 86 bytes to
 * @ether and @dst, the IPv6 header, a good checksum. */
static void want_nd(struct want *w, const struct tcase *c, const char *ether,
		    const char *dst, int type)
{
	want_set(w, "frame.len", "86");
	want_set(w, "eth.dst", "%s", ether);
	want_set(w, "eth.type", "0x86dd");
	want_set(w, "ipv6.version", "6");
	want_set(w, "ipv6.tclass", "0x00000000");
	want_set(w, "ipv6.flow", "0x000000");
	want_set(w, "ipv6.plen", "32");
	want_set(w, "ipv6.nxt", "58");
	want_set(w, "ipv6.hlim", "255");
	want_set(w, "ipv6.src", "%s", host(c->ip));
	want_set(w, "ipv6.dst", "%s", dst);
	want_set(w, "icmpv6.type", "%d", type);
	want_set(w, "icmpv6.code", "0");
	want_set(w, "icmpv6.checksum.status", "1"); /* good */
}

/* Where an NS of case @c goes: the neighbour's address and MAC when the
 * case knows the MAC, else the target's solicited-node group (RFC 4291
 * 2.7.1: ff02::1:ff + its low 24 bits) and its 33:33 mapping, worked out
 * here from the target's text. */
static void ns_dst(const struct tcase *c, char *dst, char *ether)
{
	struct ipto_addr t;

	if (c->target_mac) {
		snprintf(dst, 64, "%s", c->target);
		snprintf(ether, 32, "%s", c->target_mac);
		return;
	}
	ck_assert_int_eq(ipto_addr_parse(c->target, &t), 0);
	snprintf(dst, 64, "ff02::1:ff%02x:%02x%02x", t.bytes[13], t.bytes[14],
		 t.bytes[15]);
	snprintf(ether, 32, "33:33:ff:%02x:%02x:%02x", t.bytes[13], t.bytes[14],
		 t.bytes[15]);
}

/* The line tshark must print for a case, from the inputs alone. */
static void expected_line(const struct tcase *c, char *out, size_t size)
{
	struct want w;
	size_t len = 0;
	int i;

	memset(&w, 0, sizeof(w));
	want_set(&w, "eth.src", "%s", c->mac);
	if (c->style == IPTO_FRAME_STYLE_NS) {
		char dst[64], ether[32];

		ns_dst(c, dst, ether);
		want_nd(&w, c, ether, dst, 135);
		want_set(&w, "icmpv6.nd.ns.target_address", "%s", c->target);
		want_set(&w, "icmpv6.opt.type", "1");
		want_set(&w, "icmpv6.opt.length", "1");
		want_set(&w, "icmpv6.opt.linkaddr", "%s", c->mac);
		want_set(&w, "icmpv6.opt.src_linkaddr", "%s", c->mac);
	} else if (c->style != IPTO_FRAME_STYLE_NA) {
		bool grat = strcmp(c->tpa_str, host(c->ip)) == 0;
		bool request = c->style != IPTO_FRAME_STYLE_ARP_REPLY;

		want_set(&w, "frame.len", "60");
		want_set(&w, "eth.dst", "%s",
			 c->target_mac ? c->target_mac : "ff:ff:ff:ff:ff:ff");
		want_set(&w, "eth.type", "0x0806");
		want_set(&w, "eth.padding", "%036d", 0);
		want_set(&w, "arp.hw.type", "1");
		want_set(&w, "arp.proto.type", "0x0800");
		want_set(&w, "arp.hw.size", "6");
		want_set(&w, "arp.proto.size", "4");
		want_set(&w, "arp.opcode", "%d", request ? 1 : 2);
		want_set(&w, "arp.src.hw_mac", "%s", c->mac);
		want_set(&w, "arp.src.proto_ipv4", "%s", host(c->ip));
		want_set(&w, "arp.dst.hw_mac", "%s", c->tha_str);
		want_set(&w, "arp.dst.proto_ipv4", "%s", c->tpa_str);
		if (grat)
			want_set(&w, "arp.isgratuitous", "1");
		/* Wireshark's "announcement": a gratuitous request whose
		 * target MAC is zero */
		if (grat && request && strcmp(c->tha_str, "00:00:00:00:00:00") == 0)
			want_set(&w, "arp.isannouncement", "1");
	} else {
		want_nd(&w, c, "33:33:00:00:00:01", "ff02::1", 136);
		want_set(&w, "icmpv6.nd.na.flag.r", "%d",
			 (c->flags & IPTO_FRAME_ROUTER) ? 1 : 0);
		want_set(&w, "icmpv6.nd.na.flag.s", "0");
		want_set(&w, "icmpv6.nd.na.flag.o", "1");
		want_set(&w, "icmpv6.nd.na.flag.rsv", "0");
		want_set(&w, "icmpv6.nd.na.target_address", "%s", host(c->ip));
		want_set(&w, "icmpv6.opt.type", "2");
		want_set(&w, "icmpv6.opt.length", "1");
		want_set(&w, "icmpv6.opt.linkaddr", "%s", c->mac);
	}
	/* _ws.malformed and _ws.expert stay empty */
	out[0] = '\0';
	for (i = 0; i < NFIELDS; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					i ? "|" : "", w.val[i] ? w.val[i] : "");
}

/* Outside a Check test: fail loudly and exit. */
#define REQUIRE(cond)                                                     \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: %s failed\n", __FILE__,   \
				__LINE__, #cond);                         \
			exit(EXIT_FAILURE);                               \
		}                                                         \
	} while (0)

/* Write every case to pcap_path; exits 77 when libipto has no pcap
 * writer. */
static void write_pcap(void)
{
	struct ipto_ctx *ctx = NULL;
	struct ipto_pcap_writer *w = NULL;
	uint8_t f[IPTO_FRAME_MAX_LEN];
	int i, r;

	REQUIRE(ipto_ctx_new(&ctx) == 0);
	r = ipto_pcap_writer_new(ctx, pcap_path, &w);
	if (r == -EOPNOTSUPP) {
		unlink(pcap_path);
		printf("libipto built without libpcap: skip\n");
		exit(77);
	}
	REQUIRE(r == 0);
	for (i = 0; i < NCASES; i++) {
		const struct tcase *c = &cases[i];
		struct ipto_mac mac;
		struct ipto_addr ip;
		IPTO_OPTS(ipto_frame_opts, o, .tha = c->tha, .flags = c->flags);

		REQUIRE(ipto_mac_parse(c->mac, &mac) == 0);
		REQUIRE(ipto_addr_parse(c->ip, &ip) == 0);
		if (c->target)
			REQUIRE(ipto_addr_parse(c->target, &o.target) == 0);
		if (c->target_mac)
			REQUIRE(ipto_mac_parse(c->target_mac, &o.target_mac) == 0);
		r = ipto_frame_build(ctx, c->style, &mac, &ip, &o, f, sizeof(f));
		REQUIRE(r > 0);
		REQUIRE(ipto_pcap_writer_write(w, f, (size_t)r) == 0);
	}
	REQUIRE(ipto_pcap_writer_close(w) == 0);
	ipto_ctx_unref(ctx);
}

/* Run tshark on the file with @args; returns its whole stdout (freed by
 * the caller). stderr (tshark's "running as root" notice) goes to ours. */
static char *run_tshark(const char *path, const char *args)
{
	char cmd[4096];
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "'%s' -n -r '%s' %s", tshark, path, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (len + 1 == cap)
			out = realloc(out, cap *= 2);
	}
	out[len] = '\0';
	ck_assert_msg(pclose(p) == 0, "tshark failed: %s", cmd);
	return out;
}

START_TEST(fields_decode_as_built)
{
	char args[4096] = "-T fields -E separator='|' -E occurrence=a";
	char want[1024];
	char *out, *line, *save = NULL;
	int i;

	for (i = 0; i < NFIELDS; i++) {
		strcat(args, " -e ");
		strcat(args, fields[i]);
	}
	out = run_tshark(pcap_path, args);
	line = strtok_r(out, "\n", &save);
	for (i = 0; i < NCASES; i++) {
		ck_assert_msg(line != NULL, "tshark printed %d lines, want %d",
			      i, NCASES);
		expected_line(&cases[i], want, sizeof(want));
		ck_assert_msg(strcmp(line, want) == 0,
			      "frame %d (%s %s):\n got  %s\n want %s", i + 1,
			      ipto_frame_style_name(cases[i].style),
			      cases[i].ip, line, want);
		line = strtok_r(NULL, "\n", &save);
	}
	ck_assert_msg(line == NULL, "extra tshark output: %s", line);
	free(out);
}
END_TEST

/* The verbose tree: the protocol names and flag texts a person reads, and
 * none of the words Wireshark uses for trouble. */
START_TEST(verbose_tree_is_clean)
{
	static const char *const bad_words[] = {
		"Malformed", "Expert Info", "incorrect", "[Checksum Status: Bad]",
		"Unknown", "Exception", "Bogus", "Duplicate",
	};
	char *out = run_tshark(pcap_path, "-V");
	char *frame, *next;
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(bad_words) / sizeof(bad_words[0]); i++) {
		const char *hit = strcasestr(out, bad_words[i]);

		/* Check's messages are short: show the neighbourhood */
		ck_assert_msg(hit == NULL, "tshark -V says \"%s\": ...%.300s",
			      bad_words[i],
			      hit - out > 200 ? hit - 200 : out);
	}

	/* walk the frames: each starts at "Frame N:" at a line start */
	frame = strstr(out, "Frame 1:");
	ck_assert_ptr_nonnull(frame);
	for (; frame; frame = next, n++) {
		const struct tcase *c = &cases[n];
		char want[256];

		ck_assert_int_lt(n, NCASES);
		next = strstr(frame + 1, "\nFrame ");
		if (next)
			*next++ = '\0';
#define HAS(...)                                                          \
	do {                                                              \
		snprintf(want, sizeof(want), __VA_ARGS__);                \
		ck_assert_msg(strstr(frame, want), "frame %d lacks \"%s\"",   \
			      n + 1, want);                               \
	} while (0)
		if (c->style == IPTO_FRAME_STYLE_NS) {
			char dst[64], ether[32];

			ns_dst(c, dst, ether);
			HAS("Ethernet II, Src: %s, Dst: %s", c->mac, ether);
			HAS("Internet Protocol Version 6, Src: %s, Dst: %s",
			    host(c->ip), dst);
			HAS("Hop Limit: 255");
			HAS("Type: Neighbor Solicitation (135)");
			HAS("[Checksum Status: Good]");
			HAS("Target Address: %s\n", c->target);
			HAS("Type: Source link-layer address (1)");
			HAS("Link-layer address: %s\n", c->mac);
			continue;
		}
		HAS("Ethernet II, Src: %s, Dst: %s", c->mac,
		    c->style == IPTO_FRAME_STYLE_NA ? "33:33:00:00:00:01"
		    : c->target_mac		    ? c->target_mac
						    : "ff:ff:ff:ff:ff:ff");
		if (c->style != IPTO_FRAME_STYLE_NA) {
			HAS("Type: ARP (0x0806)");
			HAS("Padding: 000000000000000000000000000000000000");
			HAS("Hardware type: Ethernet (1)");
			HAS("Protocol type: IPv4 (0x0800)");
			HAS("Hardware size: 6");
			HAS("Protocol size: 4");
			HAS("Opcode: %s",
			    c->style == IPTO_FRAME_STYLE_ARP_REPLY ? "reply (2)"
							    : "request (1)");
			HAS("Sender MAC address: %s\n", c->mac);
			HAS("Sender IP address: %s\n", host(c->ip));
			HAS("Target MAC address: %s\n", c->tha_str);
			HAS("Target IP address: %s\n", c->tpa_str);
		} else {
			bool r = c->flags & IPTO_FRAME_ROUTER;

			HAS("Type: IPv6 (0x86dd)");
			HAS("Internet Protocol Version 6, Src: %s, Dst: ff02::1",
			    host(c->ip));
			HAS("= Version: 6");
			HAS("= Traffic Class: 0x00");
			HAS("= Flow Label: 0x00000");
			HAS("Payload Length: 32");
			HAS("Next Header: ICMPv6 (58)");
			HAS("Hop Limit: 255");
			HAS("Type: Neighbor Advertisement (136)");
			HAS("Code: 0");
			HAS("[Checksum Status: Good]");
			HAS("= Router: %s", r ? "Set" : "Not set");
			HAS("= Solicited: Not set");
			HAS("= Override: Set");
			HAS("Target Address: %s\n", host(c->ip));
			HAS("Type: Target link-layer address (2)");
			HAS("Length: 1 (8 bytes)");
			HAS("Link-layer address: %s\n", c->mac);
		}
#undef HAS
	}
	ck_assert_int_eq(n, NCASES);
	free(out);
}
END_TEST

/* tshark's expert summary lists nothing at all. */
START_TEST(expert_summary_empty)
{
	char *out = run_tshark(pcap_path, "-q -z expert");
	const char *p;

	for (p = out; *p; p++)
		ck_assert_msg(*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t',
			      "tshark expert info:\n%.1000s", out);
	free(out);
}
END_TEST

/* The check above would notice trouble: a frame with a corrupted checksum
 * makes tshark complain, so silence means something. */
START_TEST(decoder_notices_a_bad_frame)
{
	struct ipto_ctx *ctx = NULL;
	struct ipto_pcap_writer *w = NULL;
	struct ipto_mac mac;
	struct ipto_addr ip;
	uint8_t f[IPTO_FRAME_MAX_LEN];
	char *out;
	int r;

	ck_assert_int_eq(ipto_ctx_new(&ctx), 0);
	ck_assert_int_eq(ipto_mac_parse("00:00:5e:00:53:01", &mac), 0);
	ck_assert_int_eq(ipto_addr_parse("2001:db8::10", &ip), 0);
	r = ipto_frame_build(ctx, IPTO_FRAME_STYLE_NA, &mac, &ip, NULL, f, sizeof(f));
	ck_assert_int_eq(r, IPTO_FRAME_NA_LEN);
	f[57] ^= 0x01;
	ck_assert_int_eq(ipto_pcap_writer_new(ctx, bad_path, &w), 0);
	ck_assert_int_eq(ipto_pcap_writer_write(w, f, (size_t)r), 0);
	ck_assert_int_eq(ipto_pcap_writer_close(w), 0);
	ipto_ctx_unref(ctx);
	out = run_tshark(bad_path, "-q -z expert");
	unlink(bad_path);
	ck_assert_msg(strstr(out, "Bad checksum"), "tshark missed it:\n%.1000s", out);
	free(out);
}
END_TEST

static Suite *tshark_suite(void)
{
	Suite *s = suite_create("frame-tshark");

	test_tcase(s, "decode", fields_decode_as_built, verbose_tree_is_clean,
		   expert_summary_empty, decoder_notices_a_bad_frame);
	return s;
}

int main(int argc, char **argv)
{
	int status, fd;

	tshark = argc > 1 ? argv[1] : "";
	if (!*tshark || access(tshark, X_OK) != 0) {
		printf("tshark not found: skip\n");
		return 77;
	}
	fd = mkstemp(pcap_path);
	if (fd < 0) {
		perror("mkstemp");
		return EXIT_FAILURE;
	}
	close(fd);
	snprintf(bad_path, sizeof(bad_path), "%s.bad", pcap_path);
	write_pcap();
	status = test_run_suite(tshark_suite(), true); /* tests share the file */
	unlink(pcap_path);
	return status;
}
