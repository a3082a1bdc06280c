/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto: after the takeover. Include <ipto/ipto.h> rather than this file.
 *
 * Three independent parts (watch.md says when to use each):
 *
 * - the watcher: listens on the takeover adapters with one packet socket
 *   and reports every ARP frame, neighbour advertisement or solicitation
 *   in which another MAC claims a taken-over address, and every other
 *   host's probe for one (a conflict: typically the failed node waking up
 *   with its old address and MAC). With the defend policy it re-announces
 *   a claimed address, at most once per defend interval (10 s, RFC 5227
 *   DEFEND_INTERVAL) per address. It also remembers the hosts that resolve
 *   the watched addresses, for the next takeover's directed announcements
 *   (ipto_watch_write_seen()). An fd plus dispatch for event loops, like
 *   the takeover engine; nothing blocks.
 * - the probe: before binding, asks the LAN whether any host uses an
 *   address (RFC 5227 ARP probes, IPv6 DAD-style neighbour solicitations).
 *   A conflict gives -EADDRINUSE; the probe never changes the system.
 * - tickles: TCP ACKs with sequence and acknowledgement 0, sent from the
 *   taken-over address to each client of a connection list the active
 *   node published in advance. The client answers with its real numbers,
 *   the standby's kernel (which knows no such connection) resets it, and
 *   the client reconnects at once instead of waiting for its
 *   retransmission timer.
 */
#ifndef IPTO_IPTO_WATCH_H
#define IPTO_IPTO_WATCH_H

#include <ipto/ipto.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Conflicts                                                           */
/* ------------------------------------------------------------------ */

/**
 * struct ipto_watch_conflict - another host claims one of our addresses.
 * @sz: set by whoever fills it to sizeof(struct ipto_watch_conflict); a
 *	reader checks it covers a field before reading it.
 * @addr: the address (prefix as it was given to the watcher or probe).
 * @other_mac: the MAC the frame binds to @addr (ARP sender hardware
 *	address; NA target link-layer address, NS source link-layer address,
 *	else its Ethernet source); for a probe, the prober's MAC.
 * @own_mac: the MAC of @ifname, which holds (or is to hold) @addr.
 * @ifname: the adapter the frame arrived on; owned by the watcher (valid
 *	until it is freed) or, for a probe, by the caller's target.
 * @ifindex: its interface index.
 * @time_ns: when the frame arrived: the kernel's receive time stamp
 *	(CLOCK_REALTIME, ns since the epoch), or the time it was fed.
 * @style: the frame, as ipto_frame_parse() classifies it: an enum
 *	ipto_frame_style value (an int here, so that this header compiles
 *	whichever libipto header a program includes first).
 * @ethertype: 0x0806 (ARP) or 0x86dd (NA, NS).
 * @op: the ARP opcode, 0 for NA and NS.
 * @defended: the watcher sent an announcement for @addr because of this
 *	conflict (policy IPTO_WATCH_POLICY_DEFEND, and the last defence of @addr is
 *	at least the defend interval old).
 * @defend_result: 0, or the negative errno of a defence that failed.
 * @count: the conflicts on @addr so far, this one included.
 * @probe: the frame does not claim @addr but asks whether anybody uses
 *	it, before its sender takes it: an RFC 5227 ARP probe (sender IP
 *	0.0.0.0, target IP @addr) or an RFC 4862 duplicate address detection
 *	NS (source ::, target @addr). The kernel of the host that holds @addr
 *	answers it, so the watcher never defends a probe (@defended false).
 *	Since: 1.0.
 */
struct ipto_watch_conflict {
	size_t sz;
	struct ipto_addr addr;
	struct ipto_mac other_mac;
	struct ipto_mac own_mac;
	const char *ifname;
	int ifindex;
	uint64_t time_ns;
	int style;
	uint16_t ethertype;
	uint16_t op;
	bool defended;
	int defend_result;
	uint64_t count;
	bool probe;
};

/* ------------------------------------------------------------------ */
/* Watcher                                                             */
/* ------------------------------------------------------------------ */

/**
 * enum ipto_watch_policy - what the watcher does about a conflict.
 * @IPTO_WATCH_POLICY_DEFEND: report it and re-announce the address (one RFC 5227
 *	announcement, or one unsolicited NA for IPv6) from the adapter that
 *	holds it, at most once per defend interval per address. The default.
 * @IPTO_WATCH_POLICY_REPORT: report it and send nothing.
 */
enum ipto_watch_policy {
	IPTO_WATCH_POLICY_DEFEND = 1,
	IPTO_WATCH_POLICY_REPORT = 2,
};

/**
 * ipto_watch_policy_name - "defend" or "report", for logs, command lines
 * and JSON.
 *
 * Returns: a static string, or NULL for an unknown value.
 */
const char *ipto_watch_policy_name(enum ipto_watch_policy policy);

/** IPTO_WATCH_DEFEND_INTERVAL_MS - RFC 5227 DEFEND_INTERVAL. */
#define IPTO_WATCH_DEFEND_INTERVAL_MS 10000

/** struct ipto_watch - a conflict watcher; refcounted. */
struct ipto_watch;

/**
 * ipto_watch_conflict_fn - called once for each conflict.
 * @w: the watcher.
 * @conflict: the conflict, valid during the call only.
 * @userdata: struct ipto_watch_opts.userdata.
 *
 * The defence (if any) has been sent before the call. The callback may not
 * free the watcher's last reference.
 */
typedef void (*ipto_watch_conflict_fn)(struct ipto_watch *w,
				       const struct ipto_watch_conflict *conflict,
				       void *userdata);

/**
 * struct ipto_watch_opts - how to watch.
 * @sz: sizeof(struct ipto_watch_opts); use IPTO_OPTS().
 * @binder: reads each adapter's index and MAC (required). The watcher
 *	takes a reference.
 * @injector: sends the defence (required with IPTO_WATCH_POLICY_DEFEND, ignored
 *	otherwise). The watcher takes a reference.
 * @policy: enum ipto_watch_policy; 0 means IPTO_WATCH_POLICY_DEFEND.
 * @defend_interval_ms: the least time between two defences of one address;
 *	0 means IPTO_WATCH_DEFEND_INTERVAL_MS.
 * @on_conflict: the callback, or NULL (conflicts are then only counted
 *	and logged at priority INFO).
 * @userdata: passed to @on_conflict.
 */
struct ipto_watch_opts {
	size_t sz;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	enum ipto_watch_policy policy;
	uint32_t defend_interval_ms;
	ipto_watch_conflict_fn on_conflict;
	void *userdata;
};

/**
 * ipto_watch_new - create a watcher with no address yet.
 * @ctx: the context; the watcher takes a reference.
 * @opts: the options (a binder is required).
 * @ret: the new watcher, one reference.
 *
 * Changes nothing and opens no socket (see ipto_watch_start()).
 *
 * Returns: 0 or a negative errno (-EINVAL for bad options).
 */
int ipto_watch_new(struct ipto_ctx *ctx, const struct ipto_watch_opts *opts,
		   struct ipto_watch **ret);

/** ipto_watch_ref - take a reference. Returns: @w. */
struct ipto_watch *ipto_watch_ref(struct ipto_watch *w);

/**
 * ipto_watch_unref - drop a reference; the last one closes the socket and
 * the defence adapters. Returns: NULL.
 */
struct ipto_watch *ipto_watch_unref(struct ipto_watch *w);

/**
 * ipto_watch_add - watch @addr on the adapter @ifname that holds it.
 * @w: the watcher.
 * @ifname: the adapter (1..15 characters); its index and MAC are read
 *	through the binder now (-ENODEV when it does not exist).
 * @addr: a unicast IPv4 or IPv6 address; watching the same address twice
 *	gives -EEXIST.
 *
 * With the defend policy, opens an injector adapter on @ifname (once per
 * adapter), so a missing CAP_NET_RAW shows here. May be called before or
 * after ipto_watch_start().
 *
 * Returns: 0 or a negative errno; nothing is added on failure.
 */
int ipto_watch_add(struct ipto_watch *w, const char *ifname,
		   const struct ipto_addr *addr);

/**
 * ipto_watch_add_plan - watch every address that @plan moves to a standby
 * (its takeover steps), each on its takeover adapter.
 * @w: the watcher.
 * @plan: a takeover plan, e.g. the one a takeover just ran.
 * @standby: only the steps of this standby, or NULL for all.
 *
 * Returns: the number of addresses added, or a negative errno (those added
 * before the failure stay).
 */
int ipto_watch_add_plan(struct ipto_watch *w, const struct ipto_plan *plan,
			const char *standby);

/** ipto_watch_get_addr_count - the number of watched addresses. */
size_t ipto_watch_get_addr_count(const struct ipto_watch *w);

/**
 * ipto_watch_start - open the listening socket: one unbound AF_PACKET
 * socket with a BPF filter that passes ARP and ICMPv6 neighbour
 * solicitations and advertisements only, on every adapter at once. Needs
 * CAP_NET_RAW.
 *
 * Returns: 0, -EALREADY when started, -EPERM, or a negative errno.
 */
int ipto_watch_start(struct ipto_watch *w);

/**
 * ipto_watch_get_fd - the fd for event loops (the socket and the timer of
 * the defences' repeats behind one epoll set): poll it for POLLIN and
 * call ipto_watch_dispatch(). Owned by @w (CLOEXEC).
 *
 * Returns: the fd, or -EBADF before ipto_watch_start(), -EINVAL.
 */
int ipto_watch_get_fd(const struct ipto_watch *w);

/**
 * ipto_watch_dispatch - read every frame waiting on the socket and handle
 * each one (report, defend); never blocks.
 *
 * Returns: the number of conflicts found (0 or more), or a negative errno
 * when reading failed (-EBADF before ipto_watch_start()).
 */
int ipto_watch_dispatch(struct ipto_watch *w);

/**
 * ipto_watch_feed - handle one frame the caller received itself (its own
 * capture, a test), exactly as ipto_watch_dispatch() handles a frame from
 * the socket.
 * @w: the watcher (need not be started).
 * @ifname: the adapter the frame arrived on; a frame on an adapter that
 *	holds no watched address is no conflict.
 * @frame: the frame from the Ethernet destination on, without FCS.
 * @len: its length.
 * @time_ns: its arrival time (CLOCK_REALTIME ns), or 0 for now.
 *
 * Returns: 1 when the frame is a conflict (reported, maybe defended), 0
 * when it is not (not ARP, NA or NS, malformed, about another address,
 * sent with the adapter's own MAC, a request that resolves a watched
 * address: see ipto_watch_get_seen_count()), or -EINVAL.
 */
int ipto_watch_feed(struct ipto_watch *w, const char *ifname,
		    const void *frame, size_t len, uint64_t time_ns);

/**
 * ipto_watch_get_conflict_count - conflicts seen since the watcher was
 * made, on every address.
 */
uint64_t ipto_watch_get_conflict_count(const struct ipto_watch *w);

/**
 * ipto_watch_remove - stop watching @addr (the host no longer holds it).
 * @w: the watcher.
 * @addr: a watched address (the prefix length is ignored).
 *
 * Its conflict count and defence time go with it; the injector adapter
 * opened for it stays open until the watcher is freed. The senders seen
 * for it stay in the seen set.
 *
 * Returns: 0, -ENOENT when @addr is not watched, -EINVAL.
 * Since: 1.0
 */
int ipto_watch_remove(struct ipto_watch *w, const struct ipto_addr *addr);

/**
 * ipto_watch_get_addr - read the @index-th watched address.
 * @w: the watcher.
 * @index: 0 .. ipto_watch_get_addr_count() - 1.
 * @addr: the address, with the prefix it was added with.
 * @ifname: NULL, or a buffer of IF_NAMESIZE (16) bytes for its adapter.
 *
 * Returns: 0, -ERANGE, -EINVAL.
 * Since: 1.0
 */
int ipto_watch_get_addr(const struct ipto_watch *w, size_t index,
			struct ipto_addr *addr, char *ifname);

/**
 * ipto_watch_get_seen_count - how many hosts the watcher has seen resolve
 * a watched address: the senders of ARP requests whose target IP is a
 * watched address, and of NS (not from ::) whose target is one, on the
 * adapter that holds it. A sender counts only with a unicast MAC (ARP
 * sender hardware address, NS source link-layer option or Ethernet
 * source, and the Ethernet source itself) and a unicast, non-loopback
 * address that is not a watched address; one entry per address (the
 * latest MAC wins), at most IPTO_NEIGH_MAX (4096): when full, the one
 * seen longest ago makes room.
 * Since: 1.0
 */
size_t ipto_watch_get_seen_count(const struct ipto_watch *w);

/**
 * ipto_watch_write_seen - write the seen set as a neighbour list
 * (neighbour-list.md: "ADDRESS MAC" per line, a comment with when it was
 * last seen), least recently seen first, for ipto_neigh_set_add_seen().
 * @w: the watcher.
 * @path: the file, or NULL for IPTO_NEIGH_SEEN_FILE in the kernel record
 *	of the current network namespace, /run/ipto/NETNS-INODE/neigh-seen
 *	(the directories are made 0755 when missing).
 * @force: write even when the set has not changed since the last
 *	successful write (a new sender or a new MAC is a change; a sender
 *	seen again is not).
 *
 * The first write merges the entries of an existing file at @path, as
 * seen before any frame of this watcher, so a restarted watcher keeps
 * what the last one saw. The file is written whole to a temporary file
 * in its directory (opened O_EXCL, O_NOFOLLOW) and renamed over @path,
 * so a reader never sees half a list; a directory that is a symbolic
 * link, or that another user than the caller owns or others may write
 * to, is refused (-EPERM) before anything is written.
 *
 * Returns: the number of entries written, 0 when nothing changed (and
 * nothing was written), or a negative errno (logged).
 * Since: 1.0
 */
int ipto_watch_write_seen(struct ipto_watch *w, const char *path, bool force);

/* ------------------------------------------------------------------ */
/* Probe before binding                                                */
/* ------------------------------------------------------------------ */

/**
 * struct ipto_probe_target - one address to probe, from the adapter that
 * is to hold it.
 * @ifname: the adapter; it must be up (-ENETDOWN otherwise).
 * @addr: a unicast IPv4 or IPv6 address.
 */
struct ipto_probe_target {
	const char *ifname;
	struct ipto_addr addr;
};

/**
 * struct ipto_probe_opts - how to probe.
 * @sz: sizeof(struct ipto_probe_opts); use IPTO_OPTS().
 * @binder: reads each adapter's index, MAC and state (required).
 * @count: probes per address; 0 means 3 (RFC 5227 PROBE_NUM).
 * @interval_ms: between two probes of one address; 0 means 200.
 * @wait_ms: how long to listen after the last probe; 0 means 200.
 *
 * RFC 5227's own timing (probes 1-2 s apart, ANNOUNCE_WAIT 2 s) is
 * interval_ms = 1000, wait_ms = 2000: about 4 s per probe. The defaults
 * cost about 600 ms (watch.md has the measurement).
 */
struct ipto_probe_opts {
	size_t sz;
	struct ipto_binder *binder;
	unsigned int count;
	uint32_t interval_ms;
	uint32_t wait_ms;
};

/**
 * ipto_probe - ask the LAN whether any other host uses these addresses.
 * @ctx: the context.
 * @targets: the addresses and their adapters, probed all at once through
 *	one packet socket (so many addresses cost what one does).
 * @n: the number of @targets (1 or more).
 * @opts: the options (a binder is required).
 * @conflict: on -EADDRINUSE, the first conflict (the caller sets
 *	conflict->sz); may be NULL.
 *
 * IPv4: ARP probes (request, sender IP 0.0.0.0, target IP the address,
 * RFC 5227 2.1.1); a host that answers for the address, announces it or
 * probes for it from another MAC is a conflict. IPv6: neighbour
 * solicitations from :: to the solicited-node group (RFC 4862 DAD); a
 * neighbour advertisement for the address from another MAC, or another
 * host's own DAD solicitation for it, is a conflict (@conflict->probe
 * tells a probe from an answer).
 * Returns at the first conflict. Blocks for up to
 * (count - 1) * interval_ms + wait_ms; sends only probes and changes
 * nothing on the system. Needs CAP_NET_RAW.
 *
 * Returns: 0 when nobody answered, -EADDRINUSE at a conflict, -ENETDOWN
 * for an adapter that is down, -EPERM, or another negative errno.
 */
int ipto_probe(struct ipto_ctx *ctx, const struct ipto_probe_target *targets,
	       size_t n, const struct ipto_probe_opts *opts,
	       struct ipto_watch_conflict *conflict);

/**
 * ipto_probe_plan - ipto_probe() every address that @plan moves to a
 * standby, from its takeover adapter: call it before ipto_takeover_start()
 * and skip the takeover on -EADDRINUSE.
 * @ctx: the context.
 * @plan: a takeover plan.
 * @standby: only this standby's steps, or NULL for all.
 * @opts: as for ipto_probe().
 * @conflict: as for ipto_probe().
 *
 * Returns: as ipto_probe(); -ENOENT when the plan has no takeover step.
 */
int ipto_probe_plan(struct ipto_ctx *ctx, const struct ipto_plan *plan,
		    const char *standby,
		    const struct ipto_probe_opts *opts,
		    struct ipto_watch_conflict *conflict);

/* ------------------------------------------------------------------ */
/* TCP tickles                                                         */
/* ------------------------------------------------------------------ */

/**
 * struct ipto_conn - one TCP connection of a service address.
 * @server: the service (taken-over) address; prefix IPTO_PREFIX_UNKNOWN.
 * @server_port: its port, 1..65535.
 * @client: the client's address, same family.
 * @client_port: the client's port, 1..65535.
 *
 * A plain value.
 */
struct ipto_conn {
	struct ipto_addr server;
	uint16_t server_port;
	struct ipto_addr client;
	uint16_t client_port;
};

/** IPTO_CONN_STRLEN - a buffer this big holds any formatted connection. */
#define IPTO_CONN_STRLEN 112

/**
 * ipto_conn_parse - parse one line of a connection file.
 * @line: the line, with or without its newline. The format (watch.md):
 *	"SERVER CLIENT", each "IPv4:PORT" or "[IPv6]:PORT", separated by
 *	blanks; '#' starts a comment; blank lines are allowed.
 * @out: written only when the line holds a connection.
 *
 * Returns: 1 for a connection, 0 for a blank or comment line, -EINVAL for
 * anything else (a NULL argument, a malformed or non-unicast address, a
 * port outside 1..65535, two families, a third field).
 */
int ipto_conn_parse(const char *line, struct ipto_conn *out);

/**
 * ipto_conn_format - write @conn as a line of a connection file, without
 * newline: "192.0.2.11:80 192.0.2.101:51000".
 *
 * Returns: the length, -ENOBUFS when @size is too small (IPTO_CONN_STRLEN
 * always suffices), -EINVAL.
 */
int ipto_conn_format(const struct ipto_conn *conn, char *buf, size_t size);

/** IPTO_TICKLE_MAX_LEN - a buffer this big holds any tickle packet. */
#define IPTO_TICKLE_MAX_LEN 60

/**
 * ipto_tickle_build - the tickle of @conn as an IP packet (no Ethernet
 * header): from server:port to client:port, TCP flags ACK only, sequence
 * and acknowledgement numbers 0, window 0, no options; IPv4 TTL / IPv6 hop
 * limit 64; checksums filled in.
 * @conn: the connection.
 * @buf: the output; IPTO_TICKLE_MAX_LEN bytes suffice.
 * @size: its size.
 *
 * Returns: the length (40 for IPv4, 60 for IPv6), -ENOBUFS, -EINVAL.
 */
int ipto_tickle_build(const struct ipto_conn *conn, void *buf, size_t size);

/**
 * struct ipto_tickle_opts - how to send tickles.
 * @sz: sizeof(struct ipto_tickle_opts).
 * @ifname: send every tickle out of this adapter; NULL: out of the adapter
 *	that holds the connection's server address (looked up once per
 *	call). Either way the kernel resolves the client's MAC, and the
 *	frame leaves with the adapter's own MAC.
 */
struct ipto_tickle_opts {
	size_t sz;
	const char *ifname;
};

/**
 * ipto_tickle_send - send one tickle to each connection (raw IP sockets,
 * needs CAP_NET_RAW). A connection whose server address this host does not
 * hold is skipped (-EADDRNOTAVAIL), so an old list never makes the host
 * speak for an address it has not taken over.
 * @ctx: the context.
 * @conns: the connections.
 * @n: their number.
 * @opts: options, or NULL.
 * @results: NULL, or @n ints that receive each connection's result (0 or
 *	a negative errno).
 *
 * Callers usually send three rounds a few hundred ms apart (a client
 * answers at most one out-of-window segment per 500 ms,
 * net.ipv4.tcp_invalid_ratelimit).
 *
 * Returns: the number of tickles sent, or a negative errno when none could
 * be sent for a reason that holds for all (-EPERM, -EINVAL).
 */
int ipto_tickle_send(struct ipto_ctx *ctx, const struct ipto_conn *conns,
		     size_t n, const struct ipto_tickle_opts *opts,
		     int *results);

#ifdef __cplusplus
}
#endif

#endif /* IPTO_IPTO_WATCH_H */
