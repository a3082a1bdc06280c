/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto: neighbour sets. Include <ipto/ipto.h> rather than this file.
 *
 * A takeover tells the hosts that held the old entry for a taken address
 * directly: an ARP request for each neighbour's own address, or an IPv6
 * neighbour solicitation, from the taken address and the adapter's MAC
 * (IPTO_FRAME_STYLE_ARP_DIRECTED, IPTO_FRAME_STYLE_NS). A neighbour set
 * holds the hosts to tell, each with the sources that named it: the
 * standby's own neighbour table, the routers of the subnet in its routing
 * table, a node's neighbour list, the senders `ipto watch` saw, lines of
 * the cluster description. neighbour-list.md gives the file format and
 * the rules below.
 *
 * Reading a source allocates; sending does not: ipto_neigh_set_targets()
 * picks the neighbours a taken address may be told, and
 * ipto_neigh_set_build_frames() builds every frame for them into the
 * caller's storage before the first one leaves.
 */
#ifndef IPTO_IPTO_NEIGH_H
#define IPTO_IPTO_NEIGH_H

#include <ipto/ipto.h>

#ifdef __cplusplus
extern "C" {
#endif

/** IPTO_NEIGH_FRAME_MAX - the room for one frame in struct
 *  ipto_neigh_frame: IPTO_FRAME_MAX_LEN. */
#define IPTO_NEIGH_FRAME_MAX 128

/** IPTO_NEIGH_MAX - the most neighbours a set (and a list file) holds. */
#define IPTO_NEIGH_MAX 4096

/** IPTO_NEIGH_LINE_MAX - the longest line of a neighbour list, in bytes,
 *  without its newline. */
#define IPTO_NEIGH_LINE_MAX 255

/** IPTO_NEIGH_SEEN_FILE - the name of the file of senders `ipto watch`
 *  saw, in the kernel record's directory (/run/ipto/NETNS-INODE/). */
#define IPTO_NEIGH_SEEN_FILE "neigh-seen"

/**
 * enum ipto_neigh_source - where a neighbour was learnt (bits).
 * @IPTO_NEIGH_TABLE: the host's own neighbour table.
 * @IPTO_NEIGH_ROUTER: a gateway of the subnet in the routing table, or an
 *	IPv6 neighbour entry flagged as a router.
 * @IPTO_NEIGH_NODE_LIST: a node's neighbour list.
 * @IPTO_NEIGH_WATCH: a sender of ARP requests or NS that `ipto watch` saw.
 * @IPTO_NEIGH_DESCRIPTION: an explicit line of the cluster description.
 */
enum ipto_neigh_source {
	IPTO_NEIGH_TABLE = 1 << 0,
	IPTO_NEIGH_ROUTER = 1 << 1,
	IPTO_NEIGH_NODE_LIST = 1 << 2,
	IPTO_NEIGH_WATCH = 1 << 3,
	IPTO_NEIGH_DESCRIPTION = 1 << 4,
};

/** IPTO_NEIGH_SOURCES - every bit of enum ipto_neigh_source. */
#define IPTO_NEIGH_SOURCES 0x1fu

/**
 * ipto_neigh_source_name - a short stable name for @v, one of enum ipto_neigh_source (a single flag: "table", "router", "node_list", "watch", "description").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 * Since: 1.0
 */
const char *ipto_neigh_source_name(enum ipto_neigh_source v);

/**
 * struct ipto_neigh - one neighbour.
 * @sz: sizeof(struct ipto_neigh); use IPTO_OPTS().
 * @addr: its IPv4 or IPv6 address; the prefix length is ignored.
 * @mac: its MAC, all zero when unknown (a directed frame then goes to
 *	broadcast, or to the solicited-node group). A known one is unicast.
 * @sources: enum ipto_neigh_source bits, at least one.
 */
struct ipto_neigh {
	size_t sz;
	struct ipto_addr addr;
	struct ipto_mac mac;
	unsigned int sources;
};

/**
 * struct ipto_neigh_set - a set of neighbours, one entry per address.
 *
 * Reference-counted. Not thread-safe; it follows its context's
 * one-thread rule.
 */
struct ipto_neigh_set;

/**
 * ipto_neigh_set_new - create an empty set.
 * @ctx: the context; the set holds a reference.
 * @ret: the set, owned by the caller (ipto_neigh_set_unref()).
 *
 * Returns: 0, -ENOMEM or -EINVAL.
 */
int ipto_neigh_set_new(struct ipto_ctx *ctx, struct ipto_neigh_set **ret);

/**
 * ipto_neigh_set_ref - take a reference.
 * @set: the set, or NULL.
 *
 * Returns: @set.
 */
struct ipto_neigh_set *ipto_neigh_set_ref(struct ipto_neigh_set *set);

/**
 * ipto_neigh_set_unref - drop a reference; the last one frees the set.
 * @set: the set, or NULL.
 *
 * Returns: NULL.
 */
struct ipto_neigh_set *ipto_neigh_set_unref(struct ipto_neigh_set *set);

/**
 * ipto_neigh_set_add - add one neighbour, or merge it into the entry of
 * its address.
 * @set: the set.
 * @n: the neighbour; @n->sz must cover at least @n->addr. A merge adds
 *	@n->sources to the entry's; a MAC from IPTO_NEIGH_TABLE replaces the
 *	entry's, any other fills it only when it has none.
 *
 * The address is not judged here beyond being valid: the rules of
 * ipto_neigh_set_targets() apply when frames are sent.
 *
 * Returns: 0 for a new entry, 1 for a merge, -E2BIG when the set already
 * holds IPTO_NEIGH_MAX neighbours, -ENOMEM, or -EINVAL (logged) for an
 * invalid address, a MAC that is neither unicast nor all zero, sources
 * that are zero or unknown bits, a bad @n->sz.
 */
int ipto_neigh_set_add(struct ipto_neigh_set *set, const struct ipto_neigh *n);

/**
 * ipto_neigh_set_get_count - how many neighbours @set holds.
 * @set: the set, or NULL (0).
 *
 * Returns: the count.
 */
size_t ipto_neigh_set_get_count(const struct ipto_neigh_set *set);

/**
 * ipto_neigh_set_get - one neighbour, in the order first added.
 * @set: the set.
 * @index: 0 .. count - 1.
 * @out: the neighbour; @out->sz set by the caller.
 *
 * Returns: 0, -ENOENT past the end, -EINVAL.
 */
int ipto_neigh_set_get(const struct ipto_neigh_set *set, size_t index,
		       struct ipto_neigh *out);

/**
 * ipto_neigh_set_add_table - add the neighbours of the host's own
 * neighbour table (source IPTO_NEIGH_TABLE) that are on @subnet.
 * @set: the set.
 * @ifname: only entries of this interface, or NULL for every interface.
 * @subnet: an address with its prefix length (a taken address): the
 *	subnet whose neighbours count, by the rule of ipto_neigh_set_targets()
 *	(IPv6 link-local neighbours are on every subnet).
 *
 * Reads the current network namespace through rtnetlink. Entries in state
 * REACHABLE, STALE, DELAY, PROBE or PERMANENT, with a MAC, count; IPv6
 * entries flagged as routers get IPTO_NEIGH_ROUTER too.
 *
 * Returns: the number of entries read (added or merged), -ENODEV for an
 * unknown @ifname, -E2BIG when the set is full (the entries before stay),
 * -EOPNOTSUPP when libipto was built without libnl-route-3, a negative
 * errno from netlink, or -EINVAL. Logged.
 */
int ipto_neigh_set_add_table(struct ipto_neigh_set *set, const char *ifname,
			     const struct ipto_addr *subnet);

/**
 * ipto_neigh_set_add_routers - add the gateways on @subnet of the host's
 * routing table (source IPTO_NEIGH_ROUTER), MAC unknown.
 * @set: the set.
 * @ifname: only next hops through this interface, or NULL for any.
 * @subnet: as for ipto_neigh_set_add_table(); its family picks the routes.
 *
 * Every route of every table counts, multipath next hops included.
 *
 * Returns: as ipto_neigh_set_add_table().
 */
int ipto_neigh_set_add_routers(struct ipto_neigh_set *set, const char *ifname,
			       const struct ipto_addr *subnet);

/**
 * ipto_neigh_set_parse_list - add the neighbours of a neighbour list in
 * memory (neighbour-list.md), all or none.
 * @set: the set.
 * @name: the list's name for messages (a file name, "agent"), or NULL.
 * @text: the list; it need not end in a newline; a NUL byte is an error.
 * @len: its length in bytes.
 * @source: the one source bit its entries get (IPTO_NEIGH_NODE_LIST,
 *	IPTO_NEIGH_WATCH or IPTO_NEIGH_DESCRIPTION, usually).
 *
 * A bad entry is refused with "NAME:LINE: why" in the log; nothing is
 * added then.
 *
 * Returns: the number of entries in the list, -EINVAL for a bad entry or
 * argument, -E2BIG for a list of more than IPTO_NEIGH_MAX entries or one
 * that would take the set past IPTO_NEIGH_MAX, -ENOMEM.
 */
int ipto_neigh_set_parse_list(struct ipto_neigh_set *set, const char *name,
			      const char *text, size_t len,
			      unsigned int source);

/**
 * ipto_neigh_set_load_list - ipto_neigh_set_parse_list() on a file.
 * @set: the set.
 * @path: the file; messages name it.
 * @source: as for ipto_neigh_set_parse_list().
 *
 * Returns: as ipto_neigh_set_parse_list(), or a negative errno from
 * opening or reading the file (-ENOENT ...); a file longer than a full
 * list can be is -E2BIG.
 */
int ipto_neigh_set_load_list(struct ipto_neigh_set *set, const char *path,
			     unsigned int source);

/**
 * ipto_neigh_set_add_seen - add the senders `ipto watch` recorded (source
 * IPTO_NEIGH_WATCH) that are on @subnet.
 * @set: the set.
 * @path: the file, or NULL for IPTO_NEIGH_SEEN_FILE in the kernel
 *	record's directory of the current network namespace,
 *	/run/ipto/NETNS-INODE/neigh-seen.
 * @subnet: as for ipto_neigh_set_add_table(), or NULL for every entry.
 *
 * The file has the neighbour-list format. A missing file is no error (no
 * watcher ran): it adds nothing.
 *
 * Returns: the number of entries added or merged, or as
 * ipto_neigh_set_load_list().
 */
int ipto_neigh_set_add_seen(struct ipto_neigh_set *set, const char *path,
			    const struct ipto_addr *subnet);

/**
 * ipto_neigh_set_targets - the neighbours that a takeover of @taken may
 * tell.
 * @set: the set.
 * @taken: the taken address, with its prefix length.
 * @idx: where the targets' indices into @set go (in set order), or NULL.
 * @max: room in @idx.
 *
 * A neighbour is a target when it has @taken's family, lies on @taken's
 * subnet (an IPv6 link-local address is on every link), and is none of:
 * @taken itself, a multicast, broadcast (255.255.255.255 or the subnet's),
 * unspecified or loopback address, the subnet's network address (IPv4
 * prefixes 0..30, IPv6 prefixes 0..126: the subnet-router anycast
 * address). A set holds one entry per address, so no target repeats.
 * Allocation-free.
 *
 * Returns: the number of targets (which may exceed @max; only @max
 * indices are written), or -EINVAL (an unknown prefix length, a NULL
 * argument).
 */
int ipto_neigh_set_targets(const struct ipto_neigh_set *set,
			   const struct ipto_addr *taken, uint32_t *idx,
			   size_t max);

/**
 * struct ipto_neigh_frame - one directed frame, built ahead.
 * @len: the frame's length in @data.
 * @style: IPTO_FRAME_STYLE_ARP_DIRECTED or IPTO_FRAME_STYLE_NS.
 * @neigh: the index of its neighbour in the set.
 * @data: the frame, from the Ethernet destination on.
 *
 * A plain value: arrays of it are the caller's storage.
 */
struct ipto_neigh_frame {
	uint16_t len;
	uint16_t style;
	uint32_t neigh;
	uint8_t data[IPTO_NEIGH_FRAME_MAX];
};

/**
 * ipto_neigh_set_build_frames - build the directed frame for every target
 * of @taken (ipto_neigh_set_targets()) into @frames.
 * @set: the set.
 * @mac: the takeover adapter's MAC (unicast).
 * @taken: the taken address, with its prefix length.
 * @frames: the caller's storage; ipto_neigh_set_get_count() entries always
 *	suffice.
 * @max: the number of entries of @frames.
 *
 * IPv4: IPTO_FRAME_STYLE_ARP_DIRECTED to each target's MAC (broadcast when
 * unknown); IPv6: IPTO_FRAME_STYLE_NS. Allocation-free and all or
 * nothing: on failure nothing meaningful is in @frames, so a caller builds
 * before it sends the first frame.
 *
 * Returns: the number of frames, -ENOBUFS when @max is too small (logged
 * with the number needed), or -EINVAL (a bad @mac or @taken).
 */
int ipto_neigh_set_build_frames(const struct ipto_neigh_set *set,
				const struct ipto_mac *mac,
				const struct ipto_addr *taken,
				struct ipto_neigh_frame *frames, size_t max);

#ifdef __cplusplus
}
#endif

#endif /* IPTO_IPTO_NEIGH_H */
