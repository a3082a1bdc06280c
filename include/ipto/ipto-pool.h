/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto: pool and plan API. Include <ipto/ipto.h> rather than this file.
 *
 * "The patent" below is Japanese patent application publication
 * JP 2001-144806 A (PFU Ltd., published 2001-05-25), "Network address
 * takeover method for duplex system, duplex system having network address
 * takeover function and recording medium", whose method libipto implements.
 */
#ifndef IPTO_IPTO_POOL_H
#define IPTO_IPTO_POOL_H

#include <ipto/ipto.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Pool: the cluster description and the capacity rule                 */
/* ------------------------------------------------------------------ */

/**
 * struct ipto_pool - a cluster description and its takeover occupancy.
 *
 * A pool holds the active nodes (each with its IP addresses and the MAC
 * addresses of its own adapters) and the standby nodes (each with its
 * takeover adapters). It checks the capacity rule, makes takeover and
 * release plans (struct ipto_plan) and, through ipto_pool_commit(),
 * remembers which adapters carry which taken-over addresses, so successive
 * failures are planned against what is still free.
 *
 * A name is either an active node or a standby, never both. Nothing added
 * to a pool can be removed; build a new pool when the cluster changes shape.
 * Every result depends only on what was added, never on the order it was
 * added in (see planning.md).
 *
 * Reference counted; holds a reference to its context.
 */
struct ipto_pool;

/**
 * ipto_pool_new - create an empty pool.
 * @ctx: the context used for logging; the pool takes a reference.
 * @ret: on success, the new pool with one reference; untouched on failure.
 *
 * Returns: 0, or a negative errno.
 */
int ipto_pool_new(struct ipto_ctx *ctx, struct ipto_pool **ret);

/** ipto_pool_ref - take a reference. Returns: @pool. */
struct ipto_pool *ipto_pool_ref(struct ipto_pool *pool);

/**
 * ipto_pool_unref - drop a reference; the last one frees the pool.
 * @pool: the pool, or NULL.
 *
 * Plans made from the pool hold their own reference to it.
 *
 * Returns: NULL.
 */
struct ipto_pool *ipto_pool_unref(struct ipto_pool *pool);

/**
 * ipto_pool_add_node - add an active node.
 * @pool: the pool.
 * @node: its name: 1..255 bytes, no control characters. Copied.
 *
 * Returns: 0; -EEXIST when a node or standby of that name exists; -EINVAL
 * for a bad name; or another negative errno.
 */
int ipto_pool_add_node(struct ipto_pool *pool, const char *node);

/**
 * ipto_pool_add_node_ip - give an active node an IP address to protect.
 * @pool: the pool.
 * @node: a node added with ipto_pool_add_node().
 * @ip: an IPv4 or IPv6 unicast address, with its prefix length (used for
 *      the announcement target) or IPTO_PREFIX_UNKNOWN. Copied.
 *
 * An address may appear once in the whole pool (the prefix length does not
 * make two addresses different).
 *
 * Returns: 0; -ENOENT for an unknown node; -EEXIST when any node already
 * has the address; -EINVAL for an address that is not unicast (multicast,
 * broadcast, unspecified, loopback) or malformed; -EBUSY while the node is
 * taken over (see ipto_pool_commit()); or another negative errno.
 */
int ipto_pool_add_node_ip(struct ipto_pool *pool, const char *node,
			  const struct ipto_addr *ip);

/**
 * ipto_pool_add_node_mac - record the MAC address of one of a node's own
 * adapters.
 * @pool: the pool.
 * @node: a node added with ipto_pool_add_node().
 * @mac: a unicast MAC address. Copied.
 *
 * A takeover adapter with the same MAC is never planned to take over this
 * node's addresses (two hosts with one IP and one MAC is the hazard the
 * method exists to avoid), and ipto_pool_check() does not count it for
 * this node.
 *
 * Returns: 0; -ENOENT for an unknown node; -EEXIST when an active node
 * already has this MAC; -EINVAL for a MAC that is not unicast; -EBUSY
 * while the node is taken over; or another negative errno.
 */
int ipto_pool_add_node_mac(struct ipto_pool *pool, const char *node,
			   const struct ipto_mac *mac);

/**
 * ipto_pool_add_standby - add a standby node.
 * @pool: the pool.
 * @standby: its name, same rules as a node name. Copied.
 *
 * Returns: 0; -EEXIST when a node or standby of that name exists; -EINVAL
 * for a bad name; or another negative errno.
 */
int ipto_pool_add_standby(struct ipto_pool *pool, const char *standby);

/**
 * enum ipto_adapter_flags - flags of ipto_pool_add_adapter().
 * @IPTO_ADAPTER_MANAGEMENT: the standby's management adapter (the one that
 *	receives takeover instructions), which doubles as a takeover adapter.
 *	Plans use it after every other free adapter of its standby. At most
 *	one per standby.
 */
enum ipto_adapter_flags {
	IPTO_ADAPTER_MANAGEMENT = 1 << 0,
};

/**
 * ipto_adapter_flags_name - a short stable name for @v, one of enum ipto_adapter_flags (a single flag: "management").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_adapter_flags_name(enum ipto_adapter_flags v);

/**
 * ipto_pool_add_adapter - add a takeover adapter to a standby.
 * @pool: the pool.
 * @standby: a standby added with ipto_pool_add_standby().
 * @ifname: the interface name on the standby: 1..15 bytes, no '/', ':',
 *          whitespace or control characters, not "." or "..". Copied.
 * @mac: the adapter's own unicast MAC address, which it keeps when it takes
 *       an address over. Copied.
 * @flags: a mask of enum ipto_adapter_flags.
 *
 * Returns: 0; -ENOENT for an unknown standby; -EEXIST when the standby
 * already has an adapter of that name, another adapter has this MAC, or
 * the standby already has a management adapter; -EINVAL for a bad name,
 * a MAC that is not unicast or an unknown flag; or another negative errno.
 */
int ipto_pool_add_adapter(struct ipto_pool *pool, const char *standby,
			  const char *ifname, const struct ipto_mac *mac,
			  unsigned int flags);

/**
 * ipto_pool_check - check the capacity rule.
 * @pool: the pool.
 *
 * Every failed active node is taken over whole by one standby, each of its
 * addresses on a distinct takeover adapter whose MAC is none of the node's
 * own. So the pool passes when, for every active node with N addresses,
 * some standby has at least N adapters that are not barred by a MAC the
 * node has. Without such MAC clashes this is exactly
 * ipto_pool_get_required_capacity() <= ipto_pool_get_available_capacity().
 * The check is about the description; it ignores current occupancy.
 *
 * On failure it logs, for each failing node, e.g. "node X has 4 IPs,
 * standby Y has 2 adapters: 2 missing".
 *
 * Returns: 0 when the rule holds; -ENOSPC when it does not; -EINVAL; or
 * another negative errno.
 */
int ipto_pool_check(struct ipto_pool *pool);

/**
 * ipto_pool_get_required_capacity - the largest number of IP addresses on
 * any one active node: the number of takeover adapters a standby needs.
 * @pool: the pool (NULL gives 0).
 */
size_t ipto_pool_get_required_capacity(const struct ipto_pool *pool);

/**
 * ipto_pool_get_available_capacity - the largest number of takeover
 * adapters on any one standby, management adapters included: the most
 * addresses one failed node may have and still be taken over.
 * @pool: the pool (NULL gives 0).
 *
 * Adapters of different standbys do not add up, because one standby takes
 * over a whole node.
 */
size_t ipto_pool_get_available_capacity(const struct ipto_pool *pool);

/**
 * ipto_pool_get_free_capacity - like ipto_pool_get_available_capacity()
 * but counting only adapters that carry no committed address now: the most
 * addresses a next failed node may have and still be taken over without
 * sharing an adapter.
 * @pool: the pool (NULL gives 0).
 */
size_t ipto_pool_get_free_capacity(const struct ipto_pool *pool);

/* ------------------------------------------------------------------ */
/* Plans                                                               */
/* ------------------------------------------------------------------ */

/**
 * struct ipto_plan - an immutable list of steps that moves addresses onto
 * (takeover) or off (release) takeover adapters.
 *
 * A plan is a value: iterate it with ipto_plan_get_step(), render it with
 * ipto_plan_format(), apply it to the kernel with the takeover engine, and
 * record it in its pool with ipto_pool_commit(). The same pool description
 * and occupancy always give the same plan. Reference counted; holds a
 * reference to its pool, which owns the strings its steps point to.
 */
struct ipto_plan;

/**
 * enum ipto_plan_flags - flags of struct ipto_plan_opts.
 * @IPTO_PLAN_SHARE_ADAPTERS: when no standby has enough free adapters for a
 *	whole failed node, put several addresses on one adapter (they then
 *	share its MAC) instead of failing. The node goes to the standby with
 *	the most free usable adapters (ties: fewest addresses already
 *	carried, then name); each address goes to its least-loaded usable
 *	adapter. The capacity rule of ipto_pool_check() is then not required.
 *	Off by default.
 */
enum ipto_plan_flags {
	IPTO_PLAN_SHARE_ADAPTERS = 1 << 0,
};

/**
 * ipto_plan_flags_name - a short stable name for @v, one of enum ipto_plan_flags (a single flag: "share_adapters").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_plan_flags_name(enum ipto_plan_flags v);

/**
 * struct ipto_plan_opts - options of ipto_plan_new_takeover().
 * @sz: sizeof(struct ipto_plan_opts); use IPTO_OPTS().
 * @flags: a mask of enum ipto_plan_flags.
 */
struct ipto_plan_opts {
	size_t sz;
	unsigned int flags;
};

/**
 * ipto_plan_new_takeover - plan the takeover of failed active nodes.
 * @pool: the pool.
 * @failed_nodes: names of active nodes that are not taken over now.
 * @n_failed: how many; at least one.
 * @opts: options, or NULL for the defaults.
 * @ret: on success, the plan with one reference; untouched on failure.
 *
 * Each failed node goes whole to one standby; each of its addresses to a
 * distinct free takeover adapter of that standby whose MAC is none of the
 * node's MACs. Nodes are placed largest first (most addresses, ties by
 * name), each on the standby with the fewest free usable adapters that
 * still holds it whole (best fit; ties by standby name), so large holes
 * stay open for large nodes. Within a standby, adapters are used in name
 * order, the management adapter last; a node's addresses in
 * ipto_addr_compare() order. Steps (all IPTO_PLAN_ACTION_BIND) come node by node
 * in placement order.
 *
 * The pool is not changed: call ipto_pool_commit() with the plan.
 *
 * Returns: 0; -ENOENT for an unknown node; -EALREADY for a node that is
 * taken over already; -EEXIST for a node listed twice; -ENOSPC when the
 * pool fails ipto_pool_check() (unless sharing) or the standbys' free
 * adapters cannot absorb these nodes now; -EINVAL for bad arguments or
 * options; or another negative errno. Every error is logged and no plan
 * is made.
 */
int ipto_plan_new_takeover(struct ipto_pool *pool,
		       const char *const *failed_nodes, size_t n_failed,
		       const struct ipto_plan_opts *opts,
		       struct ipto_plan **ret);

/**
 * ipto_plan_new_release - plan the failback of taken-over nodes.
 * @pool: the pool.
 * @nodes: names of nodes taken over by a committed takeover plan.
 * @n: how many; at least one.
 * @ret: on success, the plan with one reference; untouched on failure.
 *
 * One IPTO_PLAN_ACTION_UNBIND step per address the pool records on a takeover
 * adapter, nodes in name order, addresses in ipto_addr_compare() order.
 * After ipto_pool_commit() the adapters are free and the nodes active.
 *
 * Returns: 0; -ENOENT for an unknown node; -EALREADY for a node that is
 * not taken over; -EEXIST for a node listed twice; -EINVAL; or another
 * negative errno.
 */
int ipto_plan_new_release(struct ipto_pool *pool, const char *const *nodes,
		      size_t n, struct ipto_plan **ret);

/**
 * ipto_pool_commit - record in the pool that a plan was (or is being)
 * carried out.
 * @pool: the pool the plan was made from.
 * @plan: a takeover or release plan.
 *
 * A takeover plan marks its nodes taken over and its adapters busy with its
 * addresses; a release plan marks its nodes active and frees the adapters.
 * Committing a takeover plan before running it reserves its adapters, so
 * a second failure meanwhile is planned elsewhere; commit a release plan of
 * the same nodes to undo it.
 *
 * Returns: 0; -ESTALE when the pool changed in a way that invalidates the
 * plan (a node's state changed since the plan was made, or an adapter the
 * plan needs free is busy; this includes committing a plan twice); -EINVAL
 * for a plan from another pool. On error nothing changes.
 */
int ipto_pool_commit(struct ipto_pool *pool, const struct ipto_plan *plan);

/** ipto_plan_ref - take a reference. Returns: @plan. */
struct ipto_plan *ipto_plan_ref(struct ipto_plan *plan);

/**
 * ipto_plan_unref - drop a reference; the last one frees the plan.
 * @plan: the plan, or NULL.
 *
 * Returns: NULL.
 */
struct ipto_plan *ipto_plan_unref(struct ipto_plan *plan);

/** ipto_plan_get_step_count - the number of steps (NULL gives 0). */
size_t ipto_plan_get_step_count(const struct ipto_plan *plan);

/**
 * enum ipto_plan_action - what a step does.
 * @IPTO_PLAN_ACTION_BIND: add @ip to @ifname on @standby and announce it from
 *	@mac to @announce_target.
 * @IPTO_PLAN_ACTION_UNBIND: remove @ip from @ifname on @standby; its node takes
 *	it back.
 */
enum ipto_plan_action {
	IPTO_PLAN_ACTION_BIND = 1,
	IPTO_PLAN_ACTION_UNBIND = 2,
};

/**
 * ipto_plan_action_name - a short stable name for @v, one of enum ipto_plan_action ("bind", "unbind").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * one of its values.
 */
const char *ipto_plan_action_name(enum ipto_plan_action v);

/**
 * enum ipto_plan_step_flags - bits of struct ipto_plan_step.flags.
 * @IPTO_PLAN_STEP_MANAGEMENT: the adapter is its standby's management
 *	adapter.
 * @IPTO_PLAN_STEP_SHARED: after the plan the adapter carries more than one
 *	taken-over address (only with IPTO_PLAN_SHARE_ADAPTERS).
 * @IPTO_PLAN_STEP_MACVLAN: the adapter is a virtual one (a macvlan, see
 *	ipto_pool_add_macvlan_adapters()): a takeover creates it when the
 *	system lacks it, a release deletes it once empty.
 */
enum ipto_plan_step_flags {
	IPTO_PLAN_STEP_MANAGEMENT = 1 << 0,
	IPTO_PLAN_STEP_SHARED = 1 << 1,
	IPTO_PLAN_STEP_MACVLAN = 1 << 2,
};

/**
 * ipto_plan_step_flags_name - a short stable name for @v, one of enum ipto_plan_step_flags (a single flag: "management", "shared", "macvlan").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_plan_step_flags_name(enum ipto_plan_step_flags v);

/**
 * struct ipto_plan_step - one address move.
 * @sz: set by the caller to sizeof(struct ipto_plan_step); the library
 *      fills only the fields it covers.
 * @action: enum ipto_plan_action.
 * @node: the active node that owns @ip.
 * @standby: the standby that takes @ip over (or gives it back).
 * @ifname: the takeover adapter on @standby.
 * @ip: the address, with its prefix length.
 * @mac: @ifname's own MAC: the sender MAC of the announcement.
 * @announce_target: the target IP of the patent's ARP request: for IPv4
 *	the subnet broadcast of @ip, or 255.255.255.255 for prefixes /31,
 *	/32 and unknown; for IPv6 ff02::1. Its prefix is IPTO_PREFIX_UNKNOWN.
 * @flags: a mask of enum ipto_plan_step_flags.
 *
 * The strings belong to the pool the plan holds; they live as long as the
 * plan (or the pool) does.
 */
struct ipto_plan_step {
	size_t sz;
	enum ipto_plan_action action;
	const char *node;
	const char *standby;
	const char *ifname;
	struct ipto_addr ip;
	struct ipto_mac mac;
	struct ipto_addr announce_target;
	unsigned int flags;
};

/**
 * ipto_plan_get_step - read one step.
 * @plan: the plan.
 * @index: 0 .. ipto_plan_get_step_count() - 1.
 * @step: filled on success up to @step->sz (which the caller sets, at
 *        least sizeof(size_t)); bytes beyond the library's struct are
 *        zeroed. Untouched on failure.
 *
 * Returns: 0; -ERANGE for an index past the end; -EINVAL.
 */
int ipto_plan_get_step(const struct ipto_plan *plan, size_t index,
		       struct ipto_plan_step *step);

/**
 * ipto_plan_get_adapter_count - the adapters of the standbys the plan
 * uses: every takeover and management adapter of each standby that has a
 * step, whether a step uses it or not.
 *
 * They share the LAN, so a takeover sets the ARP settings (arp_ignore=1,
 * arp_announce=2) on all of them: one left at the kernel's defaults would
 * answer ARP for a taken-over address with its own MAC (ARP flux).
 *
 * Returns: the count; 0 for NULL or a plan without steps.
 */
size_t ipto_plan_get_adapter_count(const struct ipto_plan *plan);

/**
 * ipto_plan_get_adapter - one of those adapters, standbys in name order,
 * each standby's adapters in plan order (the management adapter last).
 * @plan: the plan.
 * @index: 0 .. ipto_plan_get_adapter_count() - 1.
 * @standby: receives its standby's name (owned by the plan's pool); may
 *	be NULL.
 * @ifname: receives its interface name (owned likewise); may be NULL.
 * @mac: receives its MAC; may be NULL.
 *
 * Returns: 0; -ERANGE past the end; -EINVAL; -ENOMEM.
 */
int ipto_plan_get_adapter(const struct ipto_plan *plan, size_t index,
			  const char **standby, const char **ifname,
			  struct ipto_mac *mac);

struct ipto_binder;

/**
 * ipto_pool_load_occupancy - record in the pool what a standby holds now,
 * read from the kernel through a binder: every address that carries the
 * takeover mark (IPTO_ADDR_PROTO_TAKEOVER, see record.md) on one of
 * the standby's takeover adapters.
 * @pool: the pool.
 * @standby: the standby the binder's system is; NULL: every standby
 *	with an adapter of that name and MAC on the system.
 * @binder: reads one address dump and one adapter dump.
 *
 * Each such address that the description gives to a node marks its
 * adapter busy and its node taken over, as ipto_pool_commit() of a
 * takeover plan would, so the next ipto_plan_new_takeover() never puts a
 * second address on a busy adapter unless sharing is asked for, and
 * ipto_plan_new_release() removes exactly what is there. Marked addresses the
 * description does not know are logged and ignored. Call it on a pool
 * whose nodes are all active (a fresh pool); a node the pool already
 * records as taken over is left as it is.
 *
 * Returns: the number of addresses loaded, or a negative errno (nothing
 * changed).
 */
int ipto_pool_load_occupancy(struct ipto_pool *pool, const char *standby,
			     struct ipto_binder *binder);

/**
 * struct ipto_plan_move - one explicit address move, for
 * ipto_plan_new_moves().
 * @standby: the standby.
 * @ifname: one of its takeover adapters.
 * @ip: an address the description gives to some node (the prefix length
 *	is ignored: the description's is used).
 */
struct ipto_plan_move {
	const char *standby;
	const char *ifname;
	struct ipto_addr ip;
};

/**
 * ipto_plan_new_moves - a plan made of explicit moves instead of planned
 * ones: e.g. a release of exactly the addresses the kernel shows on each
 * adapter.
 * @pool: the pool.
 * @action: IPTO_PLAN_ACTION_BIND or IPTO_PLAN_ACTION_UNBIND.
 * @moves: the moves, in the order the steps take.
 * @n: how many (1 or more).
 * @ret: on success the plan; untouched on failure.
 *
 * Each move's node is the one the description gives its address. The
 * plan's nodes are those nodes. An UNBIND plan committed with
 * ipto_pool_commit() frees the adapters and marks its nodes active; a
 * BIND plan marks them taken over.
 *
 * Returns: 0; -ENOENT for an address no node has or an adapter the
 * standby does not have; -EEXIST for an address listed twice; -EINVAL; or
 * another negative errno.
 */
int ipto_plan_new_moves(struct ipto_pool *pool, enum ipto_plan_action action,
			const struct ipto_plan_move *moves, size_t n,
			struct ipto_plan **ret);

/**
 * ipto_format_name - a short stable name for @v, one of enum ipto_format ("text", "json").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * one of its values.
 */
const char *ipto_format_name(enum ipto_format v);

/**
 * ipto_plan_format - render a plan.
 * @plan: the plan.
 * @format: IPTO_FORMAT_TEXT (one line per step, for people) or
 *          IPTO_FORMAT_JSON (one object, for programs; see
 *          planning.md for the schema).
 * @out: on success a NUL-terminated string ending in a newline, allocated
 *       with malloc(); the caller free()s it. Untouched on failure.
 *
 * Returns: 0, -EINVAL, or -ENOMEM.
 */
int ipto_plan_format(const struct ipto_plan *plan, enum ipto_format format,
		     char **out);

/* ------------------------------------------------------------------ */
/* Virtual takeover adapters: macvlans on one NIC (macvlan.md)      */
/* ------------------------------------------------------------------ */

/**
 * struct ipto_macvlan_opts - options of ipto_pool_add_macvlan_adapters().
 * @sz: sizeof(struct ipto_macvlan_opts); use IPTO_OPTS().
 * @base_mac: all zero (the default): each adapter's MAC is derived from
 *	the standby's name and the adapter's index by a hash; else the MAC
 *	of index 0, a locally administered unicast MAC, and index i gets
 *	@base_mac + i (the low 40 bits count, the first byte stays).
 * @name_prefix: the interface names are this prefix and the index
 *	("ipto" by default: ipto0, ipto1, ...); 1..12 bytes, the same
 *	characters as an adapter name.
 */
struct ipto_macvlan_opts {
	size_t sz;
	struct ipto_mac base_mac;
	const char *name_prefix;
};

/**
 * ipto_pool_add_macvlan_adapters - give a standby @count virtual takeover
 * adapters: macvlan links on its NIC @parent, each with its own MAC.
 * @pool: the pool.
 * @standby: a standby added with ipto_pool_add_standby(); its name is at
 *	most 240 bytes (it goes into the links' tag).
 * @parent: the interface they sit on (1..15 bytes), e.g. the standby's
 *	only NIC or its bond. Copied.
 * @count: how many, 1..4096.
 * @opts: options, or NULL for the defaults.
 *
 * The adapters are ordinary takeover adapters of the standby: the capacity
 * rule counts them, plans use them (their steps carry
 * IPTO_PLAN_STEP_MACVLAN). Their indices continue the standby's earlier
 * macvlan adapters, so the names and MACs of a description are stable.
 * Each MAC is locally administered unicast and must be new to the
 * description: equal to the MAC of any adapter or node, it is refused,
 * and so is a later ipto_pool_add_node_mac() of a macvlan's MAC.
 * A takeover creates the links its plan needs (see macvlan.md).
 *
 * All or nothing: on error no adapter was added.
 *
 * Returns: 0; -ENOENT for an unknown standby; -EADDRINUSE when a derived
 * MAC is another adapter's or a node's (the log names both); -EEXIST when
 * a name is taken; -EINVAL; or another negative errno.
 */
int ipto_pool_add_macvlan_adapters(struct ipto_pool *pool, const char *standby,
				   const char *parent, unsigned int count,
				   const struct ipto_macvlan_opts *opts);

/**
 * ipto_pool_get_adapter_macvlan - whether an adapter is a macvlan, and on
 * which parent.
 * @pool: the pool.
 * @standby: the standby.
 * @ifname: one of its adapters.
 * @parent: receives the parent's name (owned by the pool); may be NULL.
 * @index: receives the adapter's index among the standby's macvlans; may
 *	be NULL.
 *
 * Returns: 0 for a macvlan; -ENODATA for an ordinary adapter; -ENOENT for
 * an unknown standby or adapter; -EINVAL.
 */
int ipto_pool_get_adapter_macvlan(const struct ipto_pool *pool,
				  const char *standby, const char *ifname,
				  const char **parent, unsigned int *index);

/**
 * ipto_pool_get_macvlan_count - how many of the takeover adapters are
 * virtual (macvlan) adapters.
 * @pool: the pool (NULL gives 0).
 * @standby: one standby, or NULL for every standby.
 *
 * Returns: the count (0 for an unknown standby).
 */
size_t ipto_pool_get_macvlan_count(const struct ipto_pool *pool,
				   const char *standby);

/**
 * enum ipto_macvlan_flags - flags of ipto_macvlan_setup(),
 * ipto_macvlan_cleanup() and ipto_macvlan_tag_parse().
 * @IPTO_MACVLAN_KEEP: a pre-created link, made at setup and left in place
 *	by takeovers and releases (its tag ends in ":keep"). For cleanup:
 *	remove those too.
 */
enum ipto_macvlan_flags {
	IPTO_MACVLAN_KEEP = 1 << 0,
};

/**
 * ipto_macvlan_flags_name - a short stable name for @v ("keep").
 * @v: the value.
 *
 * Returns: a static string, or NULL when @v is not exactly one flag.
 */
const char *ipto_macvlan_flags_name(enum ipto_macvlan_flags v);

/**
 * ipto_macvlan_setup - create a standby's macvlan adapters now, for
 * callers who want no link creation on the failover path.
 * @pool: the pool.
 * @standby: the standby (the system @binder works on).
 * @binder: creates the links tagged "ipto:STANDBY:INDEX:keep", with
 *	arp_ignore=1 and arp_announce=2, then brings them up (no link change
 *	is left for the failover path, and the switch learns their MACs now).
 * @flags: 0 or IPTO_MACVLAN_KEEP (without it the links carry the on-demand
 *	tag, so the next release deletes them once empty).
 *
 * Links that exist already with libipto's tag for that adapter are left
 * as they are; a link of that name without the tag is refused (-EEXIST,
 * nothing created). All or nothing.
 *
 * Returns: the number of links created, or a negative errno.
 */
int ipto_macvlan_setup(struct ipto_pool *pool, const char *standby,
		       struct ipto_binder *binder, unsigned int flags);

/**
 * ipto_macvlan_cleanup - delete the macvlan links libipto created that
 * hold no address a takeover added (a crashed run's leftovers).
 * @binder: the system.
 * @standby: only links tagged for this standby; NULL: any.
 * @flags: IPTO_MACVLAN_KEEP to delete pre-created links too.
 *
 * Only links whose alias is libipto's tag are considered; a link with any
 * address but an IPv6 link-local one is kept and logged.
 *
 * Returns: the number of links deleted, or a negative errno.
 */
int ipto_macvlan_cleanup(struct ipto_binder *binder, const char *standby,
			 unsigned int flags);

/**
 * struct ipto_macvlan_entry - one link libipto tagged, for
 * ipto_macvlan_list().
 * @sz: set by the caller to sizeof(struct ipto_macvlan_entry).
 * @ifname: the link's name.
 * @ifindex: its index.
 * @mac: its MAC.
 * @up: administratively up.
 * @standby: the standby of its tag.
 * @index: the adapter index of its tag.
 * @flags: IPTO_MACVLAN_KEEP for a pre-created link, else 0.
 * @n_addrs: its addresses other than IPv6 link-local ones.
 */
struct ipto_macvlan_entry {
	size_t sz;
	char ifname[16];
	int ifindex;
	struct ipto_mac mac;
	bool up;
	char standby[256];
	unsigned int index;
	unsigned int flags;
	unsigned int n_addrs;
};

/**
 * ipto_macvlan_list - the links of the binder's system that carry
 * libipto's tag: what the kernel records about virtual adapters, for
 * `ipto status` and for another process that wants to know which links
 * libipto made.
 * @binder: the system (a link dump, then each link's alias and addresses).
 * @standby: only those tagged for this standby; NULL: all.
 * @out: receives up to @max entries in link dump order, sz set by the
 *	caller; may be NULL when @max is 0.
 * @max: the room in @out.
 *
 * Returns: the number of such links (may exceed @max), or a negative
 * errno.
 */
int ipto_macvlan_list(struct ipto_binder *binder, const char *standby,
		      struct ipto_macvlan_entry *out, size_t max);

/**
 * ipto_macvlan_tag_parse - read libipto's tag from a link's alias.
 * @alias: the alias, e.g. "ipto:sb:2" or "ipto:sb:2:keep".
 * @standby: receives the standby's name, NUL-terminated; may be NULL.
 * @len: the size of @standby.
 * @index: receives the index; may be NULL.
 * @flags: receives IPTO_MACVLAN_KEEP or 0; may be NULL.
 *
 * Returns: 0 when @alias is a tag; -ENODATA when it is not; -ENOSPC when
 * @standby is too small; -EINVAL.
 */
int ipto_macvlan_tag_parse(const char *alias, char *standby, size_t len,
			   unsigned int *index, unsigned int *flags);

#ifdef __cplusplus
}
#endif

#endif /* IPTO_IPTO_POOL_H */
