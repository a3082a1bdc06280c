/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto: the takeover engine. Include <ipto/ipto.h> rather than this file.
 *
 * "The patent" below is Japanese patent application publication
 * JP 2001-144806 A (PFU Ltd., published 2001-05-25), "Network address
 * takeover method for duplex system, duplex system having network address
 * takeover function and recording medium", whose method libipto implements.
 *
 * A takeover runs a plan (see ipto-pool.h) through a binder and an injector
 * (see ipto-backend.h):
 *
 *   1. check   every adapter of the plan exists and has the plan's MAC;
 *   2. open    every adapter that will announce and is up for sending,
 *              with the injector (so a missing CAP_NET_RAW fails before any change);
 *   3. devconf set arp_ignore=1 and arp_announce=2 on every takeover adapter
 *              (unless IPTO_TAKEOVER_KEEP_DEVCONF), so only the owning
 *              adapter answers ARP for a taken-over IP (no "ARP flux");
 *   4. bind    add every IP (IPv6 without DAD) -- or, for a release plan,
 *              remove it;
 *   5. up      bring every adapter up that was down, and open it;
 *   6. announce the first round of the schedule;
 *   7. guard   set arp_ignore=1 and arp_announce=2 on the standby's other
 *              adapters that the plan's pool lists (management, idle
 *              takeover adapters) and on every other interface of the
 *              host with IPv4 (an unlisted primary interface on the same
 *              LAN too): with arp_ignore=0 an interface answers ARP for
 *              every local address of the host with its own MAC. Done
 *              right after the first round, off the path to the wire.
 *
 * The kernel is the record (see record.md): every address a takeover
 * adds is marked IPTO_ADDR_PROTO_TAKEOVER, and the settings and adapter
 * states it changes are noted in the binder's record. Before any change,
 * a taken address that already sits on another interface of the host
 * fails the takeover with -EADDRINUSE. A release plan removes only marked
 * addresses (an administrator's address stays, even when it is the same
 * one), keeps the other addresses of a subnet when it removes a primary
 * one (promote_secondaries for the moment of the deletion), lowers an adapter
 * the takeovers raised once it has no address left, restores the ARP
 * settings once the host holds no taken-over address, and sends nothing,
 * so ipto_takeover_run() returns at once.
 *
 * Steps 1-7 are all or nothing: when one fails, ipto_takeover_start() undoes
 * exactly what it did (addresses it added, adapters it raised, settings it
 * changed), in reverse order, and returns the first error. What it found
 * already in place it leaves alone, so running the same takeover twice is
 * harmless. Later rounds of the schedule are driven by
 * ipto_takeover_dispatch() (event loops) or ipto_takeover_run() (blocking);
 * a failure to send a later round is reported but never undoes the binding,
 * because the addresses are already serving. Before each later round (and
 * each refresh) the engine reads the host's addresses once: an address that
 * is no longer on the adapter it was bound to (released by another
 * process, removed by hand) is announced no more, and when none is left
 * the schedule ends.
 *
 * The library starts no threads and installs no signal handlers.
 */
#ifndef IPTO_IPTO_TAKEOVER_H
#define IPTO_IPTO_TAKEOVER_H

#include <ipto/ipto.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * IPTO_ANNOUNCE_MAX_ROUNDS - the most rounds (struct ipto_announce_round) a
 * schedule may have.
 */
#define IPTO_ANNOUNCE_MAX_ROUNDS 64

/**
 * struct ipto_announce_round - one round of the announcement schedule.
 * @delay_ms: wait this long after the previous round (the first round:
 *	after binding; 0 means at once).
 * @styles: a mask of IPTO_FRAME_STYLE_BIT(style). IPv4 addresses get one
 *	frame of each ARP style in the mask, in ascending style order; IPv6
 *	addresses get one unsolicited NA when IPTO_FRAME_STYLE_NA is in the mask.
 *	IPTO_FRAME_STYLE_ARP_DIRECTED and IPTO_FRAME_STYLE_NS send the
 *	directed frames to the neighbour set's targets (struct
 *	ipto_takeover_opts @neighbours), after every broadcast frame of the
 *	adapter; without a set they send nothing.
 */
struct ipto_announce_round {
	uint32_t delay_ms;
	uint32_t styles;
};

/**
 * enum ipto_takeover_flags - flags of struct ipto_takeover_opts.
 * @IPTO_TAKEOVER_KEEP_DEVCONF: do not change arp_ignore / arp_announce;
 *	only log a warning (priority INFO) when they allow ARP flux.
 * @IPTO_TAKEOVER_DAD: add IPv6 addresses with duplicate address detection
 *	(the default adds them with IFA_F_NODAD so they serve at once).
 * @IPTO_TAKEOVER_RECLAIM: the plan binds a node's own addresses back on
 *	the node (`ipto reclaim`): addresses are marked
 *	IPTO_ADDR_PROTO_RECLAIM instead of IPTO_ADDR_PROTO_TAKEOVER, no ARP
 *	setting is changed or guarded, and a release plan run with this flag
 *	removes only addresses so marked.
 * @IPTO_TAKEOVER_NO_DIRECTED: send no directed frame
 *	(IPTO_FRAME_STYLE_ARP_DIRECTED, IPTO_FRAME_STYLE_NS), even when
 *	@neighbours is set and the schedule has their styles: only the
 *	broadcast announcements go out.
 */
enum ipto_takeover_flags {
	IPTO_TAKEOVER_KEEP_DEVCONF = 1 << 0,
	IPTO_TAKEOVER_DAD = 1 << 1,
	IPTO_TAKEOVER_RECLAIM = 1 << 2,
	IPTO_TAKEOVER_NO_DIRECTED = 1 << 3,
};

/**
 * ipto_takeover_flags_name - a short stable name for @v, one of enum ipto_takeover_flags (a single flag: "keep_devconf", "dad",
 *	"reclaim", "no_directed").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_takeover_flags_name(enum ipto_takeover_flags v);

struct ipto_neigh_set; /* ipto-neigh.h */

/**
 * struct ipto_takeover_opts - how to run a takeover.
 * @sz: sizeof(struct ipto_takeover_opts).
 * @binder: binds addresses (required). The takeover takes a reference.
 * @injector: sends frames (required). The takeover takes a reference.
 * @rounds: the announcement schedule, or NULL for the default schedule
 *	(see ipto_takeover_default_schedule()). Copied.
 * @n_rounds: the number of @rounds, 1 to IPTO_ANNOUNCE_MAX_ROUNDS. Together
 *	the rounds must send a frame for the plan's addresses (an ARP style
 *	for IPv4, IPTO_FRAME_STYLE_NA for IPv6), else ipto_takeover_new() says
 *	-EINVAL.
 * @refresh_ms: after the last round, repeat it every @refresh_ms
 *	milliseconds; 0 for no periodic refresh.
 * @refresh_count: how many refreshes; 0 with a non-zero @refresh_ms means
 *	until the takeover is freed (ipto_takeover_run() rejects that).
 * @flags: enum ipto_takeover_flags.
 * @standby: run only the plan's steps for this standby node (a plan may
 *	span several standbys, and each runs its own part); NULL runs them
 *	all.
 * @neighbours: the neighbours to tell directly (ipto-neigh.h), or NULL.
 *	For each address the plan binds, ipto_takeover_new() builds one
 *	directed frame (IPTO_FRAME_STYLE_ARP_DIRECTED for IPv4,
 *	IPTO_FRAME_STYLE_NS for IPv6) for each of its targets
 *	(ipto_neigh_set_targets()), from the address and its adapter's MAC;
 *	a round whose styles hold that style sends them, on each adapter
 *	after its broadcast frames. The set is read there only: no
 *	reference is kept, and a later change to it changes nothing.
 *	Since 1.0.
 */
struct ipto_takeover_opts {
	size_t sz;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	const struct ipto_announce_round *rounds;
	size_t n_rounds;
	uint32_t refresh_ms;
	uint32_t refresh_count;
	unsigned int flags;
	const char *standby;
	const struct ipto_neigh_set *neighbours;
};

/**
 * ipto_takeover_default_schedule - the default announcement schedule.
 * @n_rounds: set to the number of rounds.
 *
 * Three rounds, at 0 ms, 1100 ms and 2200 ms, each sending the RFC 5227
 * announcement (target IP = sender IP: it bypasses the client's locktime),
 * the patent's broadcast-target request (the only ARP frame a client with
 * drop_gratuitous_arp=1 accepts, once its locktime has passed) and, for
 * IPv6, an unsolicited NA with the Override flag. Rounds 1.1 s apart
 * outlast the default locktime of 1 s. Each round also holds the directed
 * styles (IPTO_FRAME_STYLE_ARP_DIRECTED, IPTO_FRAME_STYLE_NS): with a
 * neighbour set (struct ipto_takeover_opts @neighbours) every round tells
 * each known neighbour directly, after the broadcast frames, which moves
 * clients that drop gratuitous frames in the first round; without one
 * they send nothing. client-matrix.md has the measurements behind this
 * choice.
 *
 * Returns: a static array owned by the library.
 */
const struct ipto_announce_round *
ipto_takeover_default_schedule(size_t *n_rounds);

/** struct ipto_takeover - one run of a plan; refcounted. */
struct ipto_takeover;

/**
 * ipto_takeover_new - prepare to run @plan.
 * @ctx: the context.
 * @plan: a takeover or release plan; the takeover takes a reference.
 * @opts: how to run it (binder and injector are required).
 * @ret: the new takeover.
 *
 * Builds every announcement frame up front, so sending needs no
 * allocation. Changes nothing on the system.
 *
 * Returns: 0 or a negative errno (-EINVAL for bad options or schedule).
 */
int ipto_takeover_new(struct ipto_ctx *ctx, struct ipto_plan *plan,
		      const struct ipto_takeover_opts *opts,
		      struct ipto_takeover **ret);

/** ipto_takeover_ref - take a reference. Returns: @t. */
struct ipto_takeover *ipto_takeover_ref(struct ipto_takeover *t);

/**
 * ipto_takeover_unref - drop a reference; the last one closes the injector
 * open adapters and the timer. It does not undo the takeover (see
 * ipto_takeover_undo()). Returns: NULL.
 */
struct ipto_takeover *ipto_takeover_unref(struct ipto_takeover *t);

/**
 * ipto_takeover_start - check, bind, raise, announce the first round.
 *
 * All or nothing (see the top of this header). May be called once.
 *
 * Returns: 0 on success; a negative errno (the first error) after undoing
 * everything it did; -EALREADY when called twice. Among them: -ENODEV for
 * an adapter of the plan that is not on the system, -EADDRNOTAVAIL for an
 * adapter whose MAC is not the one the plan (the description) gives (the
 * step's report entry is IPTO_REPORT_OP_CHECK_ADAPTER; a binder's "address
 * absent" answer, the same errno, never reaches the caller: a release
 * counts it as found), -EADDRINUSE for a taken address that already sits
 * on another interface of the host.
 */
int ipto_takeover_start(struct ipto_takeover *t);

/**
 * ipto_takeover_get_fd - a file descriptor for event loops.
 *
 * A timerfd (CLOEXEC, NONBLOCK), owned by @t: poll it for POLLIN and call
 * ipto_takeover_dispatch() when it is readable. Valid after
 * ipto_takeover_new().
 *
 * Returns: the fd, or a negative errno.
 */
int ipto_takeover_get_fd(const struct ipto_takeover *t);

/**
 * ipto_takeover_dispatch - send every round that is due; never blocks.
 *
 * Returns: the number of rounds still to come (1 or more), 0 when the
 * schedule is complete, or a negative errno when a frame could not be sent
 * (the schedule goes on; the binding stays).
 */
int ipto_takeover_dispatch(struct ipto_takeover *t);

/**
 * ipto_takeover_run - start (if not started) and block until the schedule
 * is complete. For programs without an event loop.
 *
 * Returns: 0 or the first negative errno.
 */
int ipto_takeover_run(struct ipto_takeover *t);

/**
 * ipto_takeover_undo - undo what this takeover did: remove the addresses
 * it added, lower the adapters it raised, restore the settings it changed (for
 * a release plan: re-add the addresses it removed). Stops the schedule.
 *
 * Returns: 0 or the first negative errno (it still tries every step).
 */
int ipto_takeover_undo(struct ipto_takeover *t);

/**
 * enum ipto_report_op - what a report entry did.
 * IPTO_REPORT_OP_ADAPTER_CREATE: created a virtual (macvlan) adapter the plan
 * needs; undone by deleting it.
 */
enum ipto_report_op {
	IPTO_REPORT_OP_CHECK_ADAPTER = 1,
	IPTO_REPORT_OP_OPEN_ADAPTER = 2,
	IPTO_REPORT_OP_DEVCONF = 3,
	IPTO_REPORT_OP_ADDR_ADD = 4,
	IPTO_REPORT_OP_ADDR_DEL = 5,
	IPTO_REPORT_OP_ADAPTER_UP = 6,
	IPTO_REPORT_OP_ANNOUNCE = 7,
	IPTO_REPORT_OP_ADAPTER_CREATE = 8,
};

/**
 * ipto_report_op_name - a short stable name for @v, one of enum ipto_report_op ("check_adapter", "open_adapter", "devconf", "addr_add", "addr_del",
 *	"adapter_up", "announce", "adapter_create").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * one of its values.
 */
const char *ipto_report_op_name(enum ipto_report_op v);

/**
 * enum ipto_report_outcome - how a report entry ended.
 * @IPTO_REPORT_OUTCOME_DONE: the step changed the system as planned.
 * @IPTO_REPORT_OUTCOME_FOUND: it was already so; nothing changed.
 * @IPTO_REPORT_OUTCOME_FAILED: the step failed (see the result).
 * @IPTO_REPORT_OUTCOME_UNDONE: the step was done, then undone by a rollback or
 *	ipto_takeover_undo().
 */
enum ipto_report_outcome {
	IPTO_REPORT_OUTCOME_DONE = 1,
	IPTO_REPORT_OUTCOME_FOUND = 2,
	IPTO_REPORT_OUTCOME_FAILED = 3,
	IPTO_REPORT_OUTCOME_UNDONE = 4,
};

/**
 * ipto_report_outcome_name - a short stable name for @v, one of enum ipto_report_outcome ("done", "found", "failed", "undone").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * one of its values.
 */
const char *ipto_report_outcome_name(enum ipto_report_outcome v);

/**
 * struct ipto_takeover_report - one step of a takeover, as it happened.
 * @sz: set by the caller to sizeof(struct ipto_takeover_report).
 * @op: what the step did.
 * @outcome: how it ended.
 * @result: 0, or the negative errno of a failed step.
 * @ifname: the adapter (owned by the takeover).
 * @addr: the address the step concerns (IPTO_REPORT_ADDR_*,
 *	IPTO_REPORT_OP_ANNOUNCE); zeroed otherwise.
 * @round: the schedule round (IPTO_REPORT_OP_ANNOUNCE), else 0.
 * @frames: the frames sent (IPTO_REPORT_OP_ANNOUNCE), else 0.
 * @time_us: microseconds since ipto_takeover_start() was called.
 */
struct ipto_takeover_report {
	size_t sz;
	enum ipto_report_op op;
	enum ipto_report_outcome outcome;
	int result;
	const char *ifname;
	struct ipto_addr addr;
	unsigned int round;
	unsigned int frames;
	uint64_t time_us;
};

/** ipto_takeover_get_report_count - the number of report entries so far. */
size_t ipto_takeover_get_report_count(const struct ipto_takeover *t);

/**
 * ipto_takeover_get_report - read report entry @index.
 *
 * Returns: 0, -ERANGE past the end, -EINVAL for bad arguments.
 */
int ipto_takeover_get_report(const struct ipto_takeover *t, size_t index,
			     struct ipto_takeover_report *report);

/* ------------------------------------------------------------------ */
/* One at a time per standby host                                      */
/* ------------------------------------------------------------------ */

/** IPTO_LOCK_TIMEOUT_DEFAULT_MS - how long ipto_lock_acquire() waits by default. */
#define IPTO_LOCK_TIMEOUT_DEFAULT_MS 10000

/**
 * enum ipto_lock_flags - flags of struct ipto_lock_opts.
 * @IPTO_LOCK_NOWAIT: do not wait: -EBUSY when another process holds it.
 */
enum ipto_lock_flags {
	IPTO_LOCK_NOWAIT = 1 << 0,
};

/**
 * struct ipto_lock_opts - options of ipto_lock_acquire().
 * @sz: sizeof(struct ipto_lock_opts); use IPTO_OPTS().
 * @timeout_ms: how long to wait for another holder; 0 means
 *	IPTO_LOCK_TIMEOUT_DEFAULT_MS.
 * @path: the lock file; NULL for the host's: /run/ipto/INODE.lock,
 *	INODE being that of the calling thread's network namespace
 *	(/proc/thread-self/ns/net), so one standby host (namespace) has one
 *	lock whatever program takes it. Only root can make or hold it: "/",
 *	/run and /run/ipto must be root's directories that no other user may
 *	write (/run/ipto is made 0755 when missing), the file is made 0600.
 * @flags: enum ipto_lock_flags.
 */
struct ipto_lock_opts {
	size_t sz;
	uint32_t timeout_ms;
	const char *path;
	unsigned int flags;
};

/**
 * ipto_lock_flags_name - a short stable name for @v, one flag of enum
 * ipto_lock_flags ("nowait").
 * @v: the value.
 *
 * Returns: a static string, or NULL when @v is not one of its values.
 */
const char *ipto_lock_flags_name(enum ipto_lock_flags v);

/** struct ipto_lock - a held lock (see ipto_lock_acquire()). */
struct ipto_lock;

/**
 * ipto_lock_acquire - serialise takeovers and releases on one host.
 * @ctx: the context, for the log.
 * @opts: options, or NULL for the defaults.
 * @ret: on success the held lock; untouched on failure.
 *
 * An exclusive flock(2) on the lock file: the kernel drops it when the
 * holder exits or crashes, so no stale lock outlives its process. The
 * ipto command takes it around every takeover, release and reclaim;
 * programs that link libipto and change addresses of a standby take it
 * too. See record.md.
 *
 * The lock file must be one this library made: it is opened with
 * O_NOFOLLOW and checked on the open descriptor, and refused (logged with
 * its name and the reason) when it is a symbolic link (-ELOOP), or not a
 * regular file, of another owner than the caller's effective user, group-
 * or other-writable, or has more than one name (-EPERM). For the host's
 * lock a directory on its path that is not a directory, not root's or
 * writable by another user is refused the same way (-EPERM; -ELOOP or
 * -ENOTDIR for a link), so no other user can create, replace or hold it.
 *
 * Returns: 0; -ETIMEDOUT when another process held it for the whole
 * timeout (logged with the lock file's name); -EBUSY with
 * IPTO_LOCK_NOWAIT; -ELOOP or -EPERM for a file or directory it does not
 * trust (above); -EINVAL; or a negative errno from open(2) (e.g. -EACCES
 * for a caller that is not root and the host's lock).
 */
int ipto_lock_acquire(struct ipto_ctx *ctx, const struct ipto_lock_opts *opts,
		      struct ipto_lock **ret);

/**
 * ipto_lock_release - release and free a lock.
 * @lock: the lock, or NULL.
 *
 * Returns: NULL.
 */
struct ipto_lock *ipto_lock_release(struct ipto_lock *lock);

/* ------------------------------------------------------------------ */
/* Orphaned changes: what a run that stopped did not put back          */
/* ------------------------------------------------------------------ */

/**
 * struct ipto_orphan - a change to a link that a takeover, release or
 * reclaim made and noted in the record, and that no address of the host
 * needs any more: the run stopped (crashed, was killed) before it undid
 * it. See record.md, "Orphaned changes".
 * @sz: set by the caller to sizeof(struct ipto_orphan).
 * @ifname: the link.
 * @up: 0: a takeover raised the link, which has no taken-over address
 *	now: it goes down again (unless another address serves on it);
 *	-1: nothing to do.
 * @arp_ignore: the value to put back (the host holds no taken-over or
 *	reclaimed address); -1: nothing to do.
 * @arp_announce: likewise.
 * @promote_secondaries: the value a release set for the moment of its
 *	deletions, to put back; -1: nothing to do.
 * @delete_link: a macvlan a takeover created (tagged ipto:STANDBY:INDEX,
 *	not :keep) that is down and holds no address (its run stopped before
 *	raising it): deleted. A release leaves its links up and empty for
 *	ipto_macvlan_reap(): those are not orphans.
 */
struct ipto_orphan {
	size_t sz;
	char ifname[16];
	int up;
	int arp_ignore;
	int arp_announce;
	int promote_secondaries;
	bool delete_link;
};

/**
 * ipto_record_repair - restore the orphaned changes of this binder's
 * system (what the record's notes say a stopped run changed and no
 * address needs any more), drop their notes, and delete the empty
 * macvlans takeovers made; each logged at info priority.
 * @binder: the binder (it needs the dumps and the record).
 * @out: filled with up to @max of what was found (each entry's sz set
 *	by the caller), or NULL with @max 0.
 * @max: room in @out.
 *
 * Call it with ipto_lock_acquire()'s lock held: then no other run is
 * between a change and its undo, and whatever is orphaned is a stopped
 * run's. `ipto release`, `cleanup`, `takeover` and `reclaim` call it
 * first. A change that cannot be put back keeps its note (logged).
 *
 * Returns: how many links had something to restore (more than @max
 * possible), 0 none; -EINVAL; -EOPNOTSUPP without dumps; or a negative
 * errno of the dumps.
 */
int ipto_record_repair(struct ipto_binder *binder, struct ipto_orphan *out,
		       size_t max);

/* ------------------------------------------------------------------ */
/* Status: what this standby holds, read from the kernel               */
/* ------------------------------------------------------------------ */

/**
 * enum ipto_health - health bits of struct ipto_status_entry.
 * @IPTO_HEALTH_ADAPTER_DOWN: the adapter is down or has no carrier.
 * @IPTO_HEALTH_ARP_UNGUARDED: IPv4: the adapter's own arp_ignore < 1 or
 *	arp_announce < 2.
 * @IPTO_HEALTH_OTHER_ANSWERS: IPv4: another interface of this host would
 *	answer ARP for the address with its own MAC (it is up, not loopback,
 *	and its own arp_ignore is 0, or it has the address too).
 * @IPTO_HEALTH_MISSING: the description gives the address to a node held
 *	here (or to the node asked about), and it is on no adapter.
 * @IPTO_HEALTH_UNMARKED: instead of missing: the address is on an
 *	interface of this host, but no takeover or reclaim added it (an
 *	administrator did; IFA_PROTO neither IPTO_ADDR_PROTO_TAKEOVER nor
 *	IPTO_ADDR_PROTO_RECLAIM): present, not held by libipto, so a release
 *	leaves it. The entry's @ifname stays NULL; ipto_status_format() names
 *	the interface ("unmarked_on").
 */
enum ipto_health {
	IPTO_HEALTH_ADAPTER_DOWN = 1 << 0,
	IPTO_HEALTH_ARP_UNGUARDED = 1 << 1,
	IPTO_HEALTH_OTHER_ANSWERS = 1 << 2,
	IPTO_HEALTH_MISSING = 1 << 3,
	IPTO_HEALTH_UNMARKED = 1 << 4,
};

/**
 * ipto_health_name - a short stable name for @v, one flag of enum
 * ipto_health ("adapter_down", "arp_unguarded", "other_interface_answers",
 * "missing", "unmarked": the names of the status JSON).
 * @v: the value.
 *
 * Returns: a static string, or NULL when @v is not one of its values.
 */
const char *ipto_health_name(enum ipto_health v);

/**
 * struct ipto_status_opts - options of ipto_status_new().
 * @sz: sizeof(struct ipto_status_opts).
 * @standby: the standby this binder's system is; NULL: any (see
 *	ipto_pool_load_occupancy()).
 * @node: only this node's addresses (every one of them, held or
 *	missing); NULL: every node with an address held here.
 */
struct ipto_status_opts {
	size_t sz;
	const char *standby;
	const char *node;
};

/**
 * struct ipto_status_entry - one address in a status.
 * @sz: set by the caller to sizeof(struct ipto_status_entry).
 * @node: the node the description gives it to.
 * @standby: the standby holding it (NULL when missing).
 * @ifname: the adapter it is on (NULL when missing).
 * @ip: the address with its prefix length.
 * @mac: the adapter's MAC (zero when missing).
 * @health: enum ipto_health bits; 0 is healthy.
 *
 * The strings belong to the status (or its pool).
 */
struct ipto_status_entry {
	size_t sz;
	const char *node;
	const char *standby;
	const char *ifname;
	struct ipto_addr ip;
	struct ipto_mac mac;
	unsigned int health;
};

/** struct ipto_status - a snapshot of what a standby holds; refcounted. */
struct ipto_status;

/**
 * ipto_status_new - read what this standby holds from the kernel, in one
 * address dump and one adapter dump, with the health of each address.
 * @pool: the description (the node of an address comes from it); not
 *	changed.
 * @binder: the standby's binder.
 * @opts: options, or NULL.
 * @ret: on success the status; untouched on failure.
 *
 * Entries come in node name order, then ipto_addr_compare() order.
 *
 * Returns: 0; -ENOENT for an unknown node or standby; -EINVAL;
 * -EOPNOTSUPP when the binder has no dumps; or a negative errno.
 */
int ipto_status_new(struct ipto_pool *pool, struct ipto_binder *binder,
		     const struct ipto_status_opts *opts,
		     struct ipto_status **ret);

/** ipto_status_ref - take a reference. Returns: @status. */
struct ipto_status *ipto_status_ref(struct ipto_status *status);

/** ipto_status_unref - drop a reference. Returns: NULL. */
struct ipto_status *ipto_status_unref(struct ipto_status *status);

/** ipto_status_get_count - the number of entries (NULL gives 0). */
size_t ipto_status_get_count(const struct ipto_status *status);

/**
 * ipto_status_get_entry - read one entry.
 * @status: the status.
 * @index: 0 .. count - 1.
 * @entry: filled up to @entry->sz on success.
 *
 * Returns: 0, -ERANGE, -EINVAL.
 */
int ipto_status_get_entry(const struct ipto_status *status, size_t index,
			  struct ipto_status_entry *entry);

/**
 * ipto_status_get_orphan_count - how many links have an orphaned change
 * (struct ipto_orphan; status reads them with the same dumps). A status
 * with any is degraded. NULL gives 0.
 */
size_t ipto_status_get_orphan_count(const struct ipto_status *status);

/**
 * ipto_status_get_orphan - read one orphaned change.
 * @status: the status.
 * @index: 0 .. ipto_status_get_orphan_count() - 1.
 * @orphan: filled up to @orphan->sz on success.
 *
 * Returns: 0, -ERANGE, -EINVAL.
 */
int ipto_status_get_orphan(const struct ipto_status *status, size_t index,
			   struct ipto_orphan *orphan);

/**
 * ipto_status_format - render a status as text (one line per address) or
 * JSON (see record.md for the schema).
 * @status: the status.
 * @format: IPTO_FORMAT_TEXT or IPTO_FORMAT_JSON.
 * @out: a malloc()ed string ending in a newline; the caller frees it.
 *
 * Returns: 0, -EINVAL, -ENOMEM.
 */
int ipto_status_format(const struct ipto_status *status,
		       enum ipto_format format, char **out);

#ifdef __cplusplus
}
#endif

#endif /* IPTO_IPTO_TAKEOVER_H */
