/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto: frame API. Include <ipto/ipto.h> rather than this file.
 *
 * "The patent" below is Japanese patent application publication
 * JP 2001-144806 A (PFU Ltd., published 2001-05-25), "Network address
 * takeover method for duplex system, duplex system having network address
 * takeover function and recording medium", whose method libipto implements.
 *
 * Announcement frames tell every host on the LAN that an IP address now
 * lives at a new MAC address: ARP frames for IPv4 and unsolicited neighbour
 * advertisements for IPv6. No single ARP style converges every client (see
 * frames.md), so the builder offers each style the peers use, and a
 * schedule picks several of them.
 *
 * Building is allocation-free: the caller owns the buffer; a buffer of
 * IPTO_FRAME_MAX_LEN bytes holds any frame. Every frame is Ethernet II,
 * without FCS, padded with zero bytes to IPTO_FRAME_MIN_LEN.
 */
#ifndef IPTO_IPTO_FRAME_H
#define IPTO_IPTO_FRAME_H

#include <ipto/ipto.h>

#ifdef __cplusplus
extern "C" {
#endif

/** IPTO_FRAME_MIN_LEN - the Ethernet minimum frame length without FCS. */
#define IPTO_FRAME_MIN_LEN 60

/** IPTO_FRAME_MAX_LEN - a buffer this big holds any frame libipto builds. */
#define IPTO_FRAME_MAX_LEN 128

/** IPTO_FRAME_ARP_LEN - length of the ARP part of a frame, before padding
 *  (14 bytes of Ethernet header, 28 of ARP). */
#define IPTO_FRAME_ARP_LEN 42

/** IPTO_FRAME_NA_LEN - length of a built neighbour advertisement (14 bytes
 *  of Ethernet, 40 of IPv6, 24 of ICMPv6 NA, 8 of target link-layer address
 *  option); it needs no padding. */
#define IPTO_FRAME_NA_LEN 86

/** IPTO_FRAME_NS_LEN - length of a built neighbour solicitation (14 bytes
 *  of Ethernet, 40 of IPv6, 24 of ICMPv6 NS, 8 of source link-layer
 *  address option); it needs no padding. */
#define IPTO_FRAME_NS_LEN 86

/**
 * enum ipto_frame_style - the announcement frame styles.
 * @IPTO_FRAME_STYLE_NONE: not a style one can build; ipto_frame_parse()
 *	reports it for a well-formed frame that matches no style (an ordinary
 *	ARP reply, a solicited NA).
 * @IPTO_FRAME_STYLE_ARP_ANNOUNCE: ARP request with target IP = sender IP
 *	(RFC 5227 announcement, "gratuitous ARP"). Linux clients update an
 *	existing entry at once (it bypasses locktime), unless they set
 *	drop_gratuitous_arp.
 * @IPTO_FRAME_STYLE_ARP_BCAST_TARGET: ARP request with target IP = the subnet
 *	broadcast address of the sender IP's prefix (the patent's frame).
 *	With prefix 31, 32 or an unknown prefix there is no subnet broadcast
 *	address, and the frame uses 255.255.255.255, which no host answers
 *	either and which Linux treats the same way (see frames.md).
 *	Passes drop_gratuitous_arp; Linux applies locktime to it.
 * @IPTO_FRAME_STYLE_ARP_REQUEST: ARP request with an explicit target IP,
 *	struct ipto_frame_opts.target.
 * @IPTO_FRAME_STYLE_ARP_REPLY: gratuitous ARP reply: target MAC = sender MAC,
 *	target IP = sender IP (what "arping -A" sends).
 * @IPTO_FRAME_STYLE_NA: IPv6 unsolicited neighbour advertisement (RFC 4861
 *	7.2.6) from the address itself to ff02::1, hop limit 255, Override
 *	set, Solicited clear, with a target link-layer address option.
 * @IPTO_FRAME_STYLE_ARP_DIRECTED: a directed announcement to one neighbour:
 *	an ARP request from the taken IP and the adapter's MAC whose target IP
 *	is the neighbour's own address (struct ipto_frame_opts.target), sent
 *	to the neighbour's MAC (struct ipto_frame_opts.target_mac) when known,
 *	else to broadcast. A host answers a request for its own address and
 *	updates its entry for the sender without the locktime check and
 *	without the drop_gratuitous_arp filter (see frames.md). Sent to
 *	broadcast, the frame is byte for byte an IPTO_FRAME_STYLE_ARP_REQUEST
 *	and ipto_frame_parse() reports it as that.
 * @IPTO_FRAME_STYLE_NS: a directed announcement to one IPv6 neighbour: a
 *	neighbour solicitation (RFC 4861 4.3) from the taken address for the
 *	neighbour's address (struct ipto_frame_opts.target), hop limit 255,
 *	with a source link-layer address option carrying the adapter's MAC;
 *	sent to the neighbour's MAC and address when
 *	struct ipto_frame_opts.target_mac is known, else to the target's
 *	solicited-node group (ff02::1:ffXX:XXXX, Ethernet 33:33:ff:XX:XX:XX).
 *	The receiver updates its entry for the source even with
 *	drop_unsolicited_na set.
 *
 * Values are part of the ABI; new styles are added at the end.
 */
enum ipto_frame_style {
	IPTO_FRAME_STYLE_NONE = 0,
	IPTO_FRAME_STYLE_ARP_ANNOUNCE = 1,
	IPTO_FRAME_STYLE_ARP_BCAST_TARGET = 2,
	IPTO_FRAME_STYLE_ARP_REQUEST = 3,
	IPTO_FRAME_STYLE_ARP_REPLY = 4,
	IPTO_FRAME_STYLE_NA = 5,
	IPTO_FRAME_STYLE_ARP_DIRECTED = 6,
	IPTO_FRAME_STYLE_NS = 7,
};

/**
 * IPTO_FRAME_STYLE_BIT - the bit of @style in a style mask, e.g. for a
 * schedule: IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
 * IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET).
 */
#define IPTO_FRAME_STYLE_BIT(style) (1u << (style))

/**
 * enum ipto_frame_tha - the ARP target hardware address field.
 * @IPTO_FRAME_THA_DEFAULT: the style's natural choice: all zero for the
 *	request styles (RFC 5227 2.3 and the patent), the sender MAC for the
 *	gratuitous reply (Linux treats a reply as gratuitous, bypassing
 *	locktime, only when target MAC = sender MAC).
 * @IPTO_FRAME_THA_ZERO: 00:00:00:00:00:00 (keepalived, send_arp requests).
 * @IPTO_FRAME_THA_BROADCAST: ff:ff:ff:ff:ff:ff ("arping -U" requests;
 *	some peers' replies).
 * @IPTO_FRAME_THA_SENDER: the sender MAC.
 *
 * Ignored for IPTO_FRAME_STYLE_NA and IPTO_FRAME_STYLE_NS.
 */
enum ipto_frame_tha {
	IPTO_FRAME_THA_DEFAULT = 0,
	IPTO_FRAME_THA_ZERO = 1,
	IPTO_FRAME_THA_BROADCAST = 2,
	IPTO_FRAME_THA_SENDER = 3,
};

/**
 * ipto_frame_tha_name - a short stable name for @v, one of enum ipto_frame_tha ("default", "zero", "broadcast", "sender").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * one of its values.
 */
const char *ipto_frame_tha_name(enum ipto_frame_tha v);

/**
 * enum ipto_frame_flags - flags of struct ipto_frame_opts.flags.
 * @IPTO_FRAME_ROUTER: NA: set the Router flag. Ignored for the other styles.
 */
enum ipto_frame_flags {
	IPTO_FRAME_ROUTER = 1 << 0,
};

/**
 * ipto_frame_flags_name - a short stable name for @v, one of enum ipto_frame_flags (a single flag: "router").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_frame_flags_name(enum ipto_frame_flags v);

/**
 * struct ipto_frame_opts - options for ipto_frame_build().
 * @sz: sizeof(struct ipto_frame_opts); use IPTO_OPTS().
 * @tha: the ARP target hardware address; IPTO_FRAME_THA_DEFAULT (0) when
 *	zero-initialised.
 * @target: the target IP of IPTO_FRAME_STYLE_ARP_REQUEST and
 *	IPTO_FRAME_STYLE_ARP_DIRECTED (IPv4, not multicast and not loopback,
 *	since Linux drops such frames unread), the solicited address of
 *	IPTO_FRAME_STYLE_NS (IPv6 unicast: not multicast, unspecified or
 *	loopback); ignored by the other styles.
 * @flags: IPTO_FRAME_F_* bits; unknown bits give -EINVAL.
 * @target_mac: the directed styles (IPTO_FRAME_STYLE_ARP_DIRECTED,
 *	IPTO_FRAME_STYLE_NS): the neighbour's MAC, the Ethernet destination;
 *	all zero (the default) when unknown: the frame then goes to broadcast
 *	(ARP) or to the target's solicited-node group (NS). A known MAC must
 *	be unicast. Ignored by the other styles.
 *
 * A zero-initialised struct (or NULL) gives every style's defaults.
 */
struct ipto_frame_opts {
	size_t sz;
	enum ipto_frame_tha tha;
	struct ipto_addr target;
	unsigned int flags;
	struct ipto_mac target_mac;
};

/**
 * ipto_frame_build - build one announcement frame into a caller's buffer.
 * @ctx: a context for error messages, or NULL for none. The function
 *	keeps no reference.
 * @style: the frame style, not IPTO_FRAME_STYLE_NONE.
 * @mac: the sender MAC: the takeover adapter's own MAC. It must be unicast:
 *	not multicast, not broadcast, not all zero.
 * @ip: the taken-over address: IPv4 for the ARP styles, IPv6 for
 *	IPTO_FRAME_STYLE_NA and IPTO_FRAME_STYLE_NS, and a unicast one (not multicast, broadcast,
 *	unspecified, loopback or in 240.0.0.0/4). Its prefix length matters
 *	only to IPTO_FRAME_STYLE_ARP_BCAST_TARGET.
 * @opts: options, or NULL for the defaults.
 * @buf: where the frame goes; nothing is written on failure.
 * @size: the size of @buf; IPTO_FRAME_MAX_LEN always suffices.
 *
 * Allocation-free and never blocks; suitable for the takeover hot path
 * (about 10-20 ns a frame, tests/bench/bench-frame). Safe to call from any
 * thread with @ctx NULL; with a context, the context's one-thread rule
 * applies.
 *
 * Returns: the frame length (IPTO_FRAME_MIN_LEN for ARP, IPTO_FRAME_NA_LEN
 * for NA, IPTO_FRAME_NS_LEN for NS), -ENOBUFS when @size is too small, or -EINVAL for a bad argument:
 * an unknown style, a non-unicast @mac or @ip, a family that does not
 * match @style (IPv6 with an ARP style, IPv4 with NA or NS), a missing or
 * bad target for the styles that need one, bad @opts. The
 * context's log says why.
 */
int ipto_frame_build(struct ipto_ctx *ctx, enum ipto_frame_style style,
		     const struct ipto_mac *mac, const struct ipto_addr *ip,
		     const struct ipto_frame_opts *opts, void *buf, size_t size);

/**
 * ipto_frame_style_name - a short stable name for @style, for logs, command
 * lines and JSON: "arp-announce", "arp-bcast-target", "arp-request",
 * "arp-reply", "na", "arp-directed", "ns", or "none" for
 * IPTO_FRAME_STYLE_NONE.
 *
 * Returns: a static string, or NULL for an unknown value.
 */
const char *ipto_frame_style_name(enum ipto_frame_style style);

/**
 * ipto_frame_style_from_name - the style named @name by
 * ipto_frame_style_name() ("none" excepted).
 *
 * Returns: the style (a positive value), or -EINVAL.
 */
int ipto_frame_style_from_name(const char *name);

/**
 * struct ipto_frame_info - a parsed ARP, NA or NS frame.
 * @sz: set by the caller to sizeof(struct ipto_frame_info) (IPTO_OPTS());
 *	the parser writes only the fields @sz covers.
 * @style: the style the frame fits (deduced, see ipto_frame_parse()).
 * @len: the length the frame's headers cover: IPTO_FRAME_ARP_LEN for ARP,
 *	54 + the IPv6 payload length for NA and NS. Bytes after it are
 *	padding.
 * @ethertype: 0x0806 (ARP) or 0x86dd (IPv6), host byte order.
 * @eth_dst: the Ethernet destination.
 * @eth_src: the Ethernet source.
 * @op: the ARP opcode (1 request, 2 reply); 0 for NA and NS.
 * @sender_mac: the MAC the frame announces: ARP sender hardware address;
 *	NA target link-layer address option, NS source link-layer address
 *	option, or @eth_src if the NA or NS has none.
 * @sender_ip: the IP the frame announces: ARP sender protocol address; NA
 *	target address; NS source address (:: for a duplicate address
 *	detection probe). So sender_ip -> sender_mac is the binding that a
 *	receiver learns, in both families (what conflict detection compares).
 * @target_mac: ARP target hardware address; zero for NA and NS.
 * @target_ip: ARP target protocol address; NS target address (the
 *	solicited one); family 0 (all zero) for NA.
 * @ip_src: NA, NS: the IPv6 source; family 0 for ARP.
 * @ip_dst: NA, NS: the IPv6 destination; family 0 for ARP.
 * @hop_limit: NA, NS: the IPv6 hop limit (always 255, else rejected).
 * @router: NA: the Router flag.
 * @solicited: NA: the Solicited flag.
 * @override: NA: the Override flag.
 * @has_tlla: NA: a target link-layer address option was present.
 * @has_slla: NS: a source link-layer address option was present.
 *
 * Addresses come with prefix length IPTO_PREFIX_UNKNOWN.
 */
struct ipto_frame_info {
	size_t sz;
	enum ipto_frame_style style;
	size_t len;
	uint16_t ethertype;
	struct ipto_mac eth_dst;
	struct ipto_mac eth_src;
	uint16_t op;
	struct ipto_mac sender_mac;
	struct ipto_addr sender_ip;
	struct ipto_mac target_mac;
	struct ipto_addr target_ip;
	struct ipto_addr ip_src;
	struct ipto_addr ip_dst;
	uint8_t hop_limit;
	bool router;
	bool solicited;
	bool override;
	bool has_tlla;
	bool has_slla;
};

/**
 * ipto_frame_parse - strictly parse an Ethernet II frame carrying ARP, an
 * IPv6 neighbour advertisement or an IPv6 neighbour solicitation.
 * @buf: the frame, from the Ethernet destination on, without FCS.
 * @len: its length. Never read beyond. ARP frames need only their 42
 *	bytes (Linux sends them unpadded on veth and loopback-like links);
 *	trailing padding is ignored.
 * @info: the result; @info->sz must be set. Written only on success.
 *
 * Accepted: ARP for Ethernet/IPv4 (hardware type 1, protocol 0x0800,
 * lengths 6 and 4, opcode 1 or 2); IPv6 without extension headers carrying
 * ICMPv6 type 136 that passes RFC 4861 7.1.2 validation (hop limit 255,
 * code 0, correct checksum, length >= 24, non-multicast target, Solicited
 * clear when sent to multicast, no zero-length option), with an Ethernet
 * destination that matches a multicast IPv6 destination; the same for
 * ICMPv6 type 135 (NS) by RFC 4861 7.1.1 (target not multicast; from ::
 * only to a solicited-node group and without a source link-layer option),
 * whose multicast destination must be the target's solicited-node group.
 * VLAN-tagged frames are foreign.
 *
 * The style is deduced: an ARP request whose target IP equals its sender
 * IP is IPTO_FRAME_STYLE_ARP_ANNOUNCE; one whose target IP is the broadcast
 * address of some prefix 0..30 around the sender IP (255.255.255.255
 * included) is IPTO_FRAME_STYLE_ARP_BCAST_TARGET; any other request is
 * IPTO_FRAME_STYLE_ARP_REQUEST, or IPTO_FRAME_STYLE_ARP_DIRECTED when its
 * Ethernet destination is unicast. A reply with target IP = sender IP is
 * IPTO_FRAME_STYLE_ARP_REPLY whatever its target MAC. An NA with Solicited clear
 * is IPTO_FRAME_STYLE_NA. An NS with a source address and a source
 * link-layer option is IPTO_FRAME_STYLE_NS (a duplicate address detection
 * probe, from ::, is not). Anything else well-formed is
 * IPTO_FRAME_STYLE_NONE.
 * (A request to a real host can look like the broadcast-target style: the
 * prefix is not on the wire.)
 *
 * Returns: 0; -EPROTO for a frame that is truncated, inconsistent, or not
 * ARP/NA/NS at all; -EINVAL for a NULL argument or an @info->sz too small to
 * hold sz itself.
 */
int ipto_frame_parse(const void *buf, size_t len, struct ipto_frame_info *info);

/**
 * struct ipto_pcap_writer - writes frames to a pcap file with link type
 * LINKTYPE_ETHERNET, readable by tcpdump, tshark and Wireshark.
 *
 * Available when libipto is built with libpcap; otherwise every function
 * returns -EOPNOTSUPP.
 */
struct ipto_pcap_writer;

/**
 * ipto_pcap_writer_new - create (or truncate) a pcap file.
 * @ctx: the context; the writer holds a reference to it.
 * @path: the file name; "-" writes to standard output (a duplicate of it,
 *	so closing the writer leaves the process's stdout open).
 * @ret: on success, the writer, owned by the caller, who closes it with
 *	ipto_pcap_writer_close().
 *
 * Returns: 0, -EOPNOTSUPP without libpcap, -ELIBACC when libpcap cannot
 * be loaded (it is loaded by the first call, see ipto_injector_new_pcap()),
 * -ENOMEM, a negative errno from opening the file, or -EINVAL.
 */
int ipto_pcap_writer_new(struct ipto_ctx *ctx, const char *path,
			 struct ipto_pcap_writer **ret);

/**
 * ipto_pcap_writer_write - append one frame, time-stamped now.
 * @w: the writer.
 * @frame: the frame from the Ethernet destination on, without FCS.
 * @len: its length, 14..65535.
 *
 * Returns: 0, -EIO when the write failed, -EINVAL.
 */
int ipto_pcap_writer_write(struct ipto_pcap_writer *w, const void *frame,
			   size_t len);

/**
 * ipto_pcap_writer_close - flush and close the file, free the writer.
 * @w: the writer, or NULL (nothing happens, returns 0).
 *
 * The writer is freed even when flushing fails.
 *
 * Returns: 0, or -EIO when a write or the flush failed (the file is then
 * incomplete).
 */
int ipto_pcap_writer_close(struct ipto_pcap_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* IPTO_IPTO_FRAME_H */
