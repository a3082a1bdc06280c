/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Announcement frames: the ARP styles, the IPv6 unsolicited neighbour
 * advertisement and the directed announcements to one neighbour (an ARP
 * request for its address, a neighbour solicitation), built into a
 * caller's buffer, and a strict parser.
 * See doc/frames.md for what each style does to real clients.
 */
#include "ipto-private.h"
#include "wire-private.h"

#include <sys/socket.h>

/* Ethernet */
#define ETH_HDR_LEN 14
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd

/* ARP for Ethernet/IPv4 (RFC 826) */
#define ARP_HDR_LEN 28
#define ARP_HTYPE_ETHER 1
#define ARP_PTYPE_IPV4 0x0800
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

/* IPv6 (RFC 8200) and the neighbour advertisement (RFC 4861 4.4) */
#define IP6_HDR_LEN 40
#define IP6_NEXT_ICMPV6 58
#define ND_HOP_LIMIT 255
#define ICMP6_NA 136
#define NA_HDR_LEN 24
#define NA_FLAG_ROUTER 0x80
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE 0x20
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ND_OPT_TLLA_LEN 8
#define NA_PAYLOAD_LEN (NA_HDR_LEN + ND_OPT_TLLA_LEN)
/* The neighbour solicitation (RFC 4861 4.3): same shape as the NA. */
#define ICMP6_NS 135
#define NS_HDR_LEN 24
#define NS_PAYLOAD_LEN (NS_HDR_LEN + ND_OPT_TLLA_LEN)

_Static_assert(ETH_HDR_LEN + ARP_HDR_LEN == IPTO_FRAME_ARP_LEN, "ARP length");
_Static_assert(ETH_HDR_LEN + IP6_HDR_LEN + NA_PAYLOAD_LEN == IPTO_FRAME_NA_LEN,
	       "NA length");
_Static_assert(ETH_HDR_LEN + IP6_HDR_LEN + NS_PAYLOAD_LEN == IPTO_FRAME_NS_LEN,
	       "NS length");
_Static_assert(IPTO_FRAME_NA_LEN <= IPTO_FRAME_MAX_LEN, "max length");
_Static_assert(IPTO_FRAME_NS_LEN <= IPTO_FRAME_MAX_LEN, "max length");
_Static_assert(IPTO_FRAME_MIN_LEN <= IPTO_FRAME_MAX_LEN, "min length");

static const uint8_t mac_zero[6];
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
/* ff02::1, all nodes, and its Ethernet mapping (RFC 2464 7). */
static const uint8_t ip6_all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t mac_all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };

static const char *const style_names[] = {
	[IPTO_FRAME_STYLE_NONE] = "none",
	[IPTO_FRAME_STYLE_ARP_ANNOUNCE] = "arp-announce",
	[IPTO_FRAME_STYLE_ARP_BCAST_TARGET] = "arp-bcast-target",
	[IPTO_FRAME_STYLE_ARP_REQUEST] = "arp-request",
	[IPTO_FRAME_STYLE_ARP_REPLY] = "arp-reply",
	[IPTO_FRAME_STYLE_NA] = "na",
	[IPTO_FRAME_STYLE_ARP_DIRECTED] = "arp-directed",
	[IPTO_FRAME_STYLE_NS] = "ns",
};

static bool style_is_v6(enum ipto_frame_style style)
{
	return style == IPTO_FRAME_STYLE_NA || style == IPTO_FRAME_STYLE_NS;
}

/* The solicited-node group of @target (RFC 4291 2.7.1): ff02::1:ff00:0/104
 * plus its low 24 bits, and its Ethernet mapping (RFC 2464 7). */
static void solicited_node(const uint8_t *target, uint8_t ip[16],
			   uint8_t mac[6])
{
	static const uint8_t head[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	memcpy(ip, head, 13);
	memcpy(ip + 13, target + 13, 3);
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, ip + 12, 4);
}

static void eth_header(uint8_t *p, const uint8_t *dst, const uint8_t *src,
		       uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put16(p + 12, type);
}

/* The ICMPv6 checksum (RFC 8200 8.1): pseudo-header + message. Computed
 * over the message as it is, so a message carrying a correct checksum
 * sums to 0. */
static uint16_t icmp6_csum(const uint8_t *src, const uint8_t *dst,
			   const uint8_t *msg, uint32_t len)
{
	uint32_t sum = 0;
	uint8_t tail[8];

	sum = csum_add(sum, src, 16);
	sum = csum_add(sum, dst, 16);
	put32(tail, len);
	put32(tail + 4, IP6_NEXT_ICMPV6);
	sum = csum_add(sum, tail, sizeof(tail));
	sum = csum_add(sum, msg, len);
	return csum_fold(sum);
}

static int check_identity(struct ipto_ctx *ctx, enum ipto_frame_style style,
			  const struct ipto_mac *mac,
			  const struct ipto_addr *ip)
{
	int want = style_is_v6(style) ? AF_INET6 : AF_INET;
	int mc, ic;

	mc = ipto_mac_classify(mac);
	if (mc < 0 || !(mc & IPTO_MAC_CLASS_UNICAST)) {
		log_err(ctx, "frame: sender MAC must be unicast (not multicast, broadcast or zero)\n");
		return -EINVAL;
	}
	if (!ipto_addr_valid(ip)) {
		log_err(ctx, "frame: invalid sender IP address\n");
		return -EINVAL;
	}
	if (ip->family != want) {
		log_err(ctx, "frame: style %s needs an %s address\n",
			style_names[style], want == AF_INET ? "IPv4" : "IPv6");
		return -EINVAL;
	}
	ic = ipto_addr_classify(ip);
	if (ic < 0 || !(ic & IPTO_ADDR_CLASS_UNICAST) || (ic & IPTO_ADDR_CLASS_LOOPBACK)) {
		log_err(ctx, "frame: sender IP must be a unicast, non-loopback address\n");
		return -EINVAL;
	}
	return 0;
}

void ipto_announce_target(const struct ipto_addr *ip, struct ipto_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (ip->family == AF_INET) {
		/* /31, /32, unknown prefix: the limited broadcast address */
		if (ipto_addr_subnet_broadcast(ip, out) < 0) {
			out->family = AF_INET;
			memset(out->bytes, 0xff, 4);
		}
	} else {
		out->family = AF_INET6;
		memcpy(out->bytes, ip6_all_nodes, 16);
	}
	out->prefixlen = IPTO_PREFIX_UNKNOWN;
}

/* The target IP of IPTO_FRAME_STYLE_ARP_BCAST_TARGET, as 4 bytes. */
static void bcast_target(const struct ipto_addr *ip, uint8_t out[4])
{
	struct ipto_addr t;

	ipto_announce_target(ip, &t);
	memcpy(out, t.bytes, 4);
}

/* The Ethernet destination of a directed style: the neighbour's MAC, or
 * @fallback when the options know none (all zero). */
static int directed_dst(struct ipto_ctx *ctx, enum ipto_frame_style style,
			const struct ipto_mac *target_mac,
			const uint8_t *fallback, const uint8_t **dst)
{
	int c;

	if (!target_mac || ipto_mac_classify(target_mac) & IPTO_MAC_CLASS_ZERO) {
		*dst = fallback;
		return 0;
	}
	c = ipto_mac_classify(target_mac);
	if (c < 0 || !(c & IPTO_MAC_CLASS_UNICAST)) {
		log_err(ctx, "frame: %s: the neighbour's MAC must be unicast (or all zero for unknown)\n",
			style_names[style]);
		return -EINVAL;
	}
	*dst = target_mac->bytes;
	return 0;
}

static int build_arp(struct ipto_ctx *ctx, enum ipto_frame_style style,
		     const struct ipto_mac *mac, const struct ipto_addr *ip,
		     enum ipto_frame_tha tha, const struct ipto_addr *target,
		     const struct ipto_mac *target_mac, uint8_t *buf,
		     size_t size)
{
	uint8_t tpa[4];
	const uint8_t *thap, *dst = mac_bcast;
	uint8_t *a = buf + ETH_HDR_LEN;

	switch (style) {
	case IPTO_FRAME_STYLE_ARP_BCAST_TARGET:
		bcast_target(ip, tpa);
		break;
	case IPTO_FRAME_STYLE_ARP_REQUEST:
	case IPTO_FRAME_STYLE_ARP_DIRECTED: {
		int c;

		if (!target || target->family != AF_INET ||
		    !ipto_addr_valid(target)) {
			log_err(ctx, "frame: %s needs an IPv4 target in its options\n",
				style_names[style]);
			return -EINVAL;
		}
		c = ipto_addr_classify(target);
		if (c < 0 || (c & (IPTO_ADDR_CLASS_MULTICAST | IPTO_ADDR_CLASS_LOOPBACK))) {
			log_err(ctx, "frame: %s target must not be multicast or loopback (Linux drops such frames)\n",
				style_names[style]);
			return -EINVAL;
		}
		memcpy(tpa, target->bytes, 4);
		if (style == IPTO_FRAME_STYLE_ARP_DIRECTED) {
			c = directed_dst(ctx, style, target_mac, mac_bcast, &dst);
			if (c < 0)
				return c;
		}
		break;
	}
	default: /* announce, reply */
		memcpy(tpa, ip->bytes, 4);
		break;
	}

	if (tha == IPTO_FRAME_THA_DEFAULT)
		tha = style == IPTO_FRAME_STYLE_ARP_REPLY ? IPTO_FRAME_THA_SENDER
						    : IPTO_FRAME_THA_ZERO;
	thap = tha == IPTO_FRAME_THA_ZERO	 ? mac_zero :
	       tha == IPTO_FRAME_THA_BROADCAST ? mac_bcast :
						 mac->bytes;

	if (size < IPTO_FRAME_MIN_LEN) {
		log_err(ctx, "frame: buffer of %zu bytes is too small (need %d)\n",
			size, IPTO_FRAME_MIN_LEN);
		return -ENOBUFS;
	}

	eth_header(buf, dst, mac->bytes, ETHERTYPE_ARP);
	put16(a, ARP_HTYPE_ETHER);
	put16(a + 2, ARP_PTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, style == IPTO_FRAME_STYLE_ARP_REPLY ? ARP_OP_REPLY
						    : ARP_OP_REQUEST);
	memcpy(a + 8, mac->bytes, 6);
	memcpy(a + 14, ip->bytes, 4);
	memcpy(a + 18, thap, 6);
	memcpy(a + 24, tpa, 4);
	memset(buf + IPTO_FRAME_ARP_LEN, 0,
	       IPTO_FRAME_MIN_LEN - IPTO_FRAME_ARP_LEN);
	return IPTO_FRAME_MIN_LEN;
}

/*
 * The Ethernet and IPv6 headers of an ND message of @len payload bytes from
 * @src to @dst (addresses: 16 bytes), and its first 8 bytes: @type, code 0,
 * checksum 0 (nd_finish() puts it), 4 bytes of zero flags/reserved. Returns
 * the ICMPv6 message.
 */
static uint8_t *nd_headers(uint8_t *buf, const uint8_t *dst_mac,
			   const uint8_t *src_mac, const uint8_t *src,
			   const uint8_t *dst, uint16_t len, uint8_t type)
{
	uint8_t *ip6 = buf + ETH_HDR_LEN;
	uint8_t *icmp = ip6 + IP6_HDR_LEN;

	eth_header(buf, dst_mac, src_mac, ETHERTYPE_IPV6);

	/* version 6, traffic class 0, flow label 0 */
	put32(ip6, 6u << 28);
	put16(ip6 + 4, len);
	ip6[6] = IP6_NEXT_ICMPV6;
	ip6[7] = ND_HOP_LIMIT;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);

	icmp[0] = type;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put32(icmp + 4, 0);
	return icmp;
}

/* The rest of an ND message nd_headers() began: the target address, the
 * link-layer address option @opt with @mac, and the checksum. */
static void nd_finish(uint8_t *icmp, const uint8_t *target, uint8_t opt,
		      const uint8_t *mac, const uint8_t *src,
		      const uint8_t *dst, uint16_t len)
{
	memcpy(icmp + 8, target, 16);
	icmp[24] = opt;
	icmp[25] = 1; /* in units of 8 bytes */
	memcpy(icmp + 26, mac, 6);
	put16(icmp + 2, icmp6_csum(src, dst, icmp, len));
}

static int build_na(struct ipto_ctx *ctx, const struct ipto_mac *mac,
		    const struct ipto_addr *ip, unsigned int flags,
		    uint8_t *buf, size_t size)
{
	uint8_t *na;

	if (size < IPTO_FRAME_NA_LEN) {
		log_err(ctx, "frame: buffer of %zu bytes is too small (need %d)\n",
			size, IPTO_FRAME_NA_LEN);
		return -ENOBUFS;
	}

	na = nd_headers(buf, mac_all_nodes, mac->bytes, ip->bytes,
			ip6_all_nodes, NA_PAYLOAD_LEN, ICMP6_NA);
	na[4] = NA_FLAG_OVERRIDE |
		((flags & IPTO_FRAME_ROUTER) ? NA_FLAG_ROUTER : 0);
	nd_finish(na, ip->bytes, ND_OPT_TLLA, mac->bytes, ip->bytes,
		  ip6_all_nodes, NA_PAYLOAD_LEN);
	return IPTO_FRAME_NA_LEN;
}

static int build_ns(struct ipto_ctx *ctx, const struct ipto_mac *mac,
		    const struct ipto_addr *ip, const struct ipto_addr *target,
		    const struct ipto_mac *target_mac, uint8_t *buf,
		    size_t size)
{
	uint8_t *ns;
	uint8_t group[16], group_mac[6];
	const uint8_t *dst, *dst_ip;
	int c;

	if (!target || target->family != AF_INET6 || !ipto_addr_valid(target)) {
		log_err(ctx, "frame: ns needs an IPv6 target in its options\n");
		return -EINVAL;
	}
	c = ipto_addr_classify(target);
	if (c < 0 || !(c & IPTO_ADDR_CLASS_UNICAST) || (c & IPTO_ADDR_CLASS_LOOPBACK)) {
		log_err(ctx, "frame: ns target must be a unicast, non-loopback address\n");
		return -EINVAL;
	}
	solicited_node(target->bytes, group, group_mac);
	c = directed_dst(ctx, IPTO_FRAME_STYLE_NS, target_mac, group_mac, &dst);
	if (c < 0)
		return c;
	/* to a known MAC: the neighbour's own address (a unicast NS, as for
	 * neighbour unreachability detection); else its group */
	dst_ip = dst == group_mac ? group : target->bytes;
	if (size < IPTO_FRAME_NS_LEN) {
		log_err(ctx, "frame: buffer of %zu bytes is too small (need %d)\n",
			size, IPTO_FRAME_NS_LEN);
		return -ENOBUFS;
	}

	ns = nd_headers(buf, dst, mac->bytes, ip->bytes, dst_ip, NS_PAYLOAD_LEN,
			ICMP6_NS);
	nd_finish(ns, target->bytes, ND_OPT_SLLA, mac->bytes, ip->bytes, dst_ip,
		  NS_PAYLOAD_LEN);
	return IPTO_FRAME_NS_LEN;
}

IPTO_EXPORT int ipto_frame_build(struct ipto_ctx *ctx,
				 enum ipto_frame_style style,
				 const struct ipto_mac *mac,
				 const struct ipto_addr *ip,
				 const struct ipto_frame_opts *opts, void *buf,
				 size_t size)
{
	enum ipto_frame_tha tha;
	unsigned int flags;
	const struct ipto_addr *target;
	const struct ipto_mac *target_mac;
	int r;

	if (!mac || !ip || !buf) {
		log_err(ctx, "frame: NULL argument\n");
		return -EINVAL;
	}
	if (style < IPTO_FRAME_STYLE_ARP_ANNOUNCE || style > IPTO_FRAME_STYLE_NS) {
		log_err(ctx, "frame: unknown style %d\n", (int)style);
		return -EINVAL;
	}
	r = ipto_opts_valid(ctx, "frame", opts, ipto_frame_opts, target_mac);
	if (r < 0)
		return r;
	tha = ipto_opts_get(opts, ipto_frame_opts, tha, IPTO_FRAME_THA_DEFAULT);
	flags = ipto_opts_get(opts, ipto_frame_opts, flags, 0u);
	target = ipto_opts_has(opts, ipto_frame_opts, target) ? &opts->target
							       : NULL;
	target_mac = ipto_opts_has(opts, ipto_frame_opts, target_mac)
			     ? &opts->target_mac : NULL;
	if ((unsigned int)tha > IPTO_FRAME_THA_SENDER) {
		log_err(ctx, "frame: unknown target MAC choice %d\n", (int)tha);
		return -EINVAL;
	}
	if (flags & ~IPTO_FRAME_ROUTER) {
		log_err(ctx, "frame: unknown flags 0x%x\n",
			flags & ~IPTO_FRAME_ROUTER);
		return -EINVAL;
	}
	r = check_identity(ctx, style, mac, ip);
	if (r < 0)
		return r;
	if (style == IPTO_FRAME_STYLE_NA)
		return build_na(ctx, mac, ip, flags, buf, size);
	if (style == IPTO_FRAME_STYLE_NS)
		return build_ns(ctx, mac, ip, target, target_mac, buf, size);
	return build_arp(ctx, style, mac, ip, tha, target, target_mac, buf,
			 size);
}

IPTO_EXPORT const char *ipto_frame_style_name(enum ipto_frame_style style)
{
	if ((unsigned int)style >= IPTO_ARRAY_SIZE(style_names))
		return NULL;
	return style_names[style];
}

IPTO_EXPORT int ipto_frame_style_from_name(const char *name)
{
	size_t i;

	if (!name)
		return -EINVAL;
	for (i = IPTO_FRAME_STYLE_ARP_ANNOUNCE; i < IPTO_ARRAY_SIZE(style_names); i++)
		if (strcmp(name, style_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

/* ---------------------------------------------------------------- */
/* Parser                                                            */
/* ---------------------------------------------------------------- */

static void set_addr(struct ipto_addr *a, int family, const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->prefixlen = IPTO_PREFIX_UNKNOWN;
	memcpy(a->bytes, bytes, family == AF_INET ? 4 : 16);
}

/* Whether @tpa is spa | hostmask(p) for some prefix p in 0..30. */
static bool is_bcast_of(uint32_t spa, uint32_t tpa)
{
	int k;

	if (tpa == spa)
		return false;
	for (k = 2; k <= 32; k++) {
		uint32_t hm = k == 32 ? 0xffffffffu : (1u << k) - 1;

		if (tpa == (spa | hm))
			return true;
	}
	return false;
}

static int parse_arp(const uint8_t *p, size_t len, struct ipto_frame_info *fi)
{
	const uint8_t *a = p + ETH_HDR_LEN;
	uint32_t spa, tpa;

	if (len < IPTO_FRAME_ARP_LEN)
		return -EPROTO;
	if (get16(a) != ARP_HTYPE_ETHER || get16(a + 2) != ARP_PTYPE_IPV4 ||
	    a[4] != 6 || a[5] != 4)
		return -EPROTO;
	fi->op = get16(a + 6);
	if (fi->op != ARP_OP_REQUEST && fi->op != ARP_OP_REPLY)
		return -EPROTO;
	fi->len = IPTO_FRAME_ARP_LEN;
	memcpy(fi->sender_mac.bytes, a + 8, 6);
	set_addr(&fi->sender_ip, AF_INET, a + 14);
	memcpy(fi->target_mac.bytes, a + 18, 6);
	set_addr(&fi->target_ip, AF_INET, a + 24);

	spa = get32(a + 14);
	tpa = get32(a + 24);
	if (fi->op == ARP_OP_REPLY)
		fi->style = tpa == spa ? IPTO_FRAME_STYLE_ARP_REPLY
				       : IPTO_FRAME_STYLE_NONE;
	else if (tpa == spa)
		fi->style = IPTO_FRAME_STYLE_ARP_ANNOUNCE;
	else if (!(p[0] & 1))
		fi->style = IPTO_FRAME_STYLE_ARP_DIRECTED; /* to one host */
	else if (is_bcast_of(spa, tpa))
		fi->style = IPTO_FRAME_STYLE_ARP_BCAST_TARGET;
	else
		fi->style = IPTO_FRAME_STYLE_ARP_REQUEST;
	return 0;
}

/* The ND options after the fixed part: only Ethernet link-layer address
 * options of type @lla_type count (the first one wins); every option
 * must be well-formed. */
static int parse_nd_options(const uint8_t *opt, size_t left, uint8_t lla_type,
			    struct ipto_frame_info *fi, bool *has)
{
	*has = false;
	while (left > 0) {
		size_t olen;

		if (left < 2)
			return -EPROTO;
		olen = (size_t)opt[1] * 8;
		if (olen == 0 || olen > left)
			return -EPROTO;
		if (opt[0] == lla_type) {
			/* Ethernet: one 8-byte unit (RFC 2464 6) */
			if (olen != ND_OPT_TLLA_LEN)
				return -EPROTO;
			if (!*has) {
				memcpy(fi->sender_mac.bytes, opt + 2, 6);
				*has = true;
			}
		}
		opt += olen;
		left -= olen;
	}
	if (!*has)
		fi->sender_mac = fi->eth_src;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* An NS (RFC 4861 7.1.1), after the checks both messages share. */
static int parse_ns(const uint8_t *p, const uint8_t *ip6, size_t plen,
		    struct ipto_frame_info *fi)
{
	const uint8_t *ns = ip6 + IP6_HDR_LEN;
	bool from_unspec = all_zero(ip6 + 8, 16);
	uint8_t group[16], group_mac[6];
	int r;

	if (plen < NS_HDR_LEN || ns[8] == 0xff) /* short, multicast target */
		return -EPROTO;
	solicited_node(ns + 8, group, group_mac);
	if (ip6[24] == 0xff) {
		/* to multicast: the target's solicited-node group only */
		if (memcmp(ip6 + 24, group, 16) != 0 ||
		    memcmp(p, group_mac, 6) != 0)
			return -EPROTO;
	} else if (from_unspec) {
		return -EPROTO; /* DAD goes to the solicited-node group */
	}
	r = parse_nd_options(ns + NS_HDR_LEN, plen - NS_HDR_LEN, ND_OPT_SLLA,
			     fi, &fi->has_slla);
	if (r < 0)
		return r;
	if (from_unspec && fi->has_slla)
		return -EPROTO;
	set_addr(&fi->sender_ip, AF_INET6, ip6 + 8);
	set_addr(&fi->target_ip, AF_INET6, ns + 8);
	fi->style = !from_unspec && fi->has_slla ? IPTO_FRAME_STYLE_NS
						 : IPTO_FRAME_STYLE_NONE;
	return 0;
}

static int parse_na(const uint8_t *p, const uint8_t *ip6, size_t plen,
		    struct ipto_frame_info *fi)
{
	const uint8_t *na = ip6 + IP6_HDR_LEN;
	int r;

	if (plen < NA_HDR_LEN)
		return -EPROTO;
	if (na[8] == 0xff) /* multicast target */
		return -EPROTO;
	if (ip6[24] == 0xff) {
		if (na[4] & NA_FLAG_SOLICITED)
			return -EPROTO;
		/* RFC 2464 7: 33:33 + the low 32 bits */
		if (p[0] != 0x33 || p[1] != 0x33 ||
		    memcmp(p + 2, ip6 + 36, 4) != 0)
			return -EPROTO;
	}
	r = parse_nd_options(na + NA_HDR_LEN, plen - NA_HDR_LEN, ND_OPT_TLLA,
			     fi, &fi->has_tlla);
	if (r < 0)
		return r;
	set_addr(&fi->sender_ip, AF_INET6, na + 8);
	fi->router = na[4] & NA_FLAG_ROUTER;
	fi->solicited = na[4] & NA_FLAG_SOLICITED;
	fi->override = na[4] & NA_FLAG_OVERRIDE;
	fi->style = fi->solicited ? IPTO_FRAME_STYLE_NONE : IPTO_FRAME_STYLE_NA;
	return 0;
}

/* IPv6 carrying an NA or an NS: the checks they share, then each. */
static int parse_nd(const uint8_t *p, size_t len, struct ipto_frame_info *fi)
{
	const uint8_t *ip6 = p + ETH_HDR_LEN;
	const uint8_t *icmp = ip6 + IP6_HDR_LEN;
	size_t plen;
	int r;

	if (len < ETH_HDR_LEN + IP6_HDR_LEN)
		return -EPROTO;
	if ((ip6[0] >> 4) != 6)
		return -EPROTO;
	plen = get16(ip6 + 4);
	if (len - ETH_HDR_LEN - IP6_HDR_LEN < plen)
		return -EPROTO; /* truncated */
	if (ip6[6] != IP6_NEXT_ICMPV6 || plen < 1 ||
	    (icmp[0] != ICMP6_NA && icmp[0] != ICMP6_NS))
		return -EPROTO; /* not neighbour discovery */
	/* RFC 4861 7.1.1, 7.1.2 */
	if (ip6[7] != ND_HOP_LIMIT || plen < NA_HDR_LEN || icmp[1] != 0)
		return -EPROTO;
	if (icmp6_csum(ip6 + 8, ip6 + 24, icmp, (uint32_t)plen) != 0)
		return -EPROTO;
	if (ip6[8] == 0xff) /* multicast source (RFC 4291 2.7) */
		return -EPROTO;
	r = icmp[0] == ICMP6_NA ? parse_na(p, ip6, plen, fi)
				: parse_ns(p, ip6, plen, fi);
	if (r < 0)
		return r;
	fi->len = ETH_HDR_LEN + IP6_HDR_LEN + plen;
	fi->op = 0;
	set_addr(&fi->ip_src, AF_INET6, ip6 + 8);
	set_addr(&fi->ip_dst, AF_INET6, ip6 + 24);
	fi->hop_limit = ip6[7];
	return 0;
}

IPTO_EXPORT int ipto_frame_parse(const void *buf, size_t len,
				 struct ipto_frame_info *info)
{
	const uint8_t *p = buf;
	struct ipto_frame_info fi;
	int r;

	if (!buf || !info || info->sz < sizeof(size_t))
		return -EINVAL;
	if (len < ETH_HDR_LEN)
		return -EPROTO;

	memset(&fi, 0, sizeof(fi));
	memcpy(fi.eth_dst.bytes, p, 6);
	memcpy(fi.eth_src.bytes, p + 6, 6);
	fi.ethertype = get16(p + 12);
	if (fi.ethertype == ETHERTYPE_ARP)
		r = parse_arp(p, len, &fi);
	else if (fi.ethertype == ETHERTYPE_IPV6)
		r = parse_nd(p, len, &fi);
	else
		r = -EPROTO;
	if (r < 0)
		return r;

	fi.sz = sizeof(fi);
	ipto_sized_copy_out(info, &fi, sizeof(fi));
	return 0;
}

#if !HAVE_PCAP
/* Built without libpcap: the writer API exists and says so. */
IPTO_EXPORT int ipto_pcap_writer_new(struct ipto_ctx *ctx, const char *path,
				     struct ipto_pcap_writer **ret)
{
	return ctx && path && ret ? ipto_not_built(ctx, "pcap writer", "libpcap")
				  : -EINVAL;
}

IPTO_EXPORT int ipto_pcap_writer_write(struct ipto_pcap_writer *w,
				       const void *frame, size_t len)
{
	return w ? -EOPNOTSUPP : -EINVAL;
}

IPTO_EXPORT int ipto_pcap_writer_close(struct ipto_pcap_writer *w)
{
	return w ? -EOPNOTSUPP : 0;
}
#endif
