/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto: backend API. Include <ipto/ipto.h> rather than this file.
 *
 * A takeover touches the system through two backends:
 *
 * - a binder (struct ipto_binder) adds and removes IP addresses on
 *   interfaces, brings adapters up and down, reads an adapter's MAC, ifindex and
 *   state, and sets the per-interface IPv4 ARP sysctls ("devconf");
 * - an injector (struct ipto_injector) sends raw Ethernet frames on an
 *   interface.
 *
 * Each backend is a generic, reference-counted object wrapping an ops table
 * (struct ipto_binder_ops, struct ipto_injector_ops) and a userdata pointer.
 * The built-in backends use the same tables a cluster manager fills in to
 * plug in its own: ipto_binder_new() and ipto_injector_new(). The dry-run
 * (test) backends are declared in <ipto/ipto-dryrun.h>, outside the stable
 * ABI.
 *
 * Ops tables are ABI-extensible: "size_t sz" comes first and is set by the
 * backend author to sizeof(the struct) as their header declared it; members
 * past sz are treated as NULL, and a NULL member means "unsupported" (the
 * public wrapper returns -EOPNOTSUPP). Members are only ever added at the
 * end.
 *
 * The public wrappers (ipto_binder_addr_add() etc.) check every argument
 * before the op runs, so an op never sees a NULL pointer, an empty or too
 * long interface name, an invalid address or an unknown flag or key. They
 * log every failure through the context.
 *
 * Privileges: the netlink binder needs CAP_NET_ADMIN for every call that
 * changes something; the AF_PACKET and pcap injectors need CAP_NET_RAW to
 * open an interface. Without them those calls return -EPERM and change
 * nothing. Reading state (adapter, addresses, devconf) needs no privilege.
 *
 * Network namespaces: the netlink binder works in the network namespace
 * the calling thread was in when the binder was created; an injector
 * adapter works in the namespace the thread was in when it was opened.
 */
#ifndef IPTO_IPTO_BACKEND_H
#define IPTO_IPTO_BACKEND_H

#include <ipto/ipto.h>

#include <sys/uio.h> /* struct iovec */

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Binder                                                              */
/* ------------------------------------------------------------------ */

/**
 * enum ipto_devconf - per-interface IPv4 settings a binder may change
 * (net.ipv4.conf.IFNAME.*). See "ARP flux" in the library overview: a
 * takeover adapter wants arp_ignore=1 and arp_announce=2.
 * @IPTO_DEVCONF_ARP_IGNORE: arp_ignore, 0..8 (the kernel knows 0-3 and 8).
 * @IPTO_DEVCONF_ARP_ANNOUNCE: arp_announce, 0..2.
 * @IPTO_DEVCONF_ARP_FILTER: arp_filter, 0..1.
 * @IPTO_DEVCONF_PROMOTE_SECONDARIES: promote_secondaries, 0..1: deleting
 *	the primary IPv4 address of a subnet promotes a secondary instead of
 *	deleting every secondary with it.
 *
 * The kernel applies the larger of the "all" and the per-interface value
 * (arp_filter: either); a binder reads and writes the per-interface value
 * only. Every value starts at 0 on a new interface.
 */
enum ipto_devconf {
	IPTO_DEVCONF_ARP_IGNORE = 1,
	IPTO_DEVCONF_ARP_ANNOUNCE = 2,
	IPTO_DEVCONF_ARP_FILTER = 3,
	IPTO_DEVCONF_PROMOTE_SECONDARIES = 4,
};

/**
 * ipto_devconf_name - a short stable name for @v, one of enum ipto_devconf (its sysctl name: "arp_ignore",
 *	"arp_announce", "arp_filter", "promote_secondaries").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * one of its values.
 */
const char *ipto_devconf_name(enum ipto_devconf v);

/**
 * enum ipto_bind_flags - flags of ipto_binder_addr_add().
 * @IPTO_BIND_NODAD: IPv6: skip duplicate address detection, so the address
 *	is usable at once instead of "tentative" for about a second. Ignored
 *	for IPv4.
 * @IPTO_BIND_TAKEOVER: mark the address as added by a takeover: the
 *	kernel keeps IPTO_ADDR_PROTO_TAKEOVER as its protocol (IFA_PROTO),
 *	so any process can tell it from an administrator's (see
 *	record.md). An IPv6 address so marked is added **deprecated**
 *	(IFA_CACHEINFO: preferred lifetime 0, valid lifetime forever; `ip
 *	-6 addr` shows "deprecated", "preferred_lft 0sec"): it is the
 *	service's, so the kernel's source address selection never picks it
 *	for a connection the standby itself opens, which would break when
 *	the address goes back at failback. It still receives, answers
 *	neighbour solicitations, and replies from itself on connections
 *	made to it. The built-in binders do so; a binder of one's own should
 *	too.
 * @IPTO_BIND_RECLAIM: mark it as bound back on its home node by a
 *	reclaim: IPTO_ADDR_PROTO_RECLAIM. At most one of the two marks.
 *	(Not deprecated: it is the node's own address again.)
 * @IPTO_BIND_PREFERRED: with IPTO_BIND_TAKEOVER, add an IPv6 address
 *	preferred, as the kernel does by default, instead of deprecated.
 *	Ignored for IPv4 and without IPTO_BIND_TAKEOVER. Since: 1.0.
 */
enum ipto_bind_flags {
	IPTO_BIND_NODAD = 1 << 0,
	IPTO_BIND_TAKEOVER = 1 << 1,
	IPTO_BIND_RECLAIM = 1 << 2,
	IPTO_BIND_PREFERRED = 1 << 3,
};

/**
 * IPTO_ADDR_PROTO_TAKEOVER - the address protocol (IFA_PROTO, Linux 6.3+)
 * of an address a takeover added: 0x70 (112). The kernel's own values are
 * 0..3 (unspec, loopback, router advertisement, link local).
 */
#define IPTO_ADDR_PROTO_TAKEOVER 0x70
/**
 * IPTO_ADDR_PROTO_RECLAIM - the address protocol of an address `ipto
 * reclaim` bound back on its home node: 0x71 (113).
 */
#define IPTO_ADDR_PROTO_RECLAIM 0x71

/**
 * enum ipto_addr_entry_flags - bits of struct ipto_addr_entry.flags.
 * @IPTO_ADDR_ENTRY_SECONDARY: an IPv4 secondary address (the kernel's
 *	IFA_F_SECONDARY): another address of its subnet is primary.
 * @IPTO_ADDR_ENTRY_PROTO_RECORDED: @proto came from the record under /run
 *	(kernels before 6.3 keep no protocol), checked against the kernel.
 */
enum ipto_addr_entry_flags {
	IPTO_ADDR_ENTRY_SECONDARY = 1 << 0,
	IPTO_ADDR_ENTRY_PROTO_RECORDED = 1 << 1,
};

/**
 * ipto_addr_entry_flags_name - a short stable name for @v, one flag of enum
 * ipto_addr_entry_flags ("secondary", "proto_recorded").
 * @v: the value.
 *
 * Returns: a static string, or NULL when @v is not one of its values.
 */
const char *ipto_addr_entry_flags_name(enum ipto_addr_entry_flags v);

/**
 * struct ipto_addr_entry - one address of an address dump.
 * @sz: set by the caller to sizeof(struct ipto_addr_entry).
 * @ifindex: the interface it is on.
 * @addr: the address with its prefix length.
 * @proto: its protocol: IPTO_ADDR_PROTO_TAKEOVER, IPTO_ADDR_PROTO_RECLAIM,
 *	another value, or 0 (none, e.g. added by `ip address add`).
 * @flags: enum ipto_addr_entry_flags.
 */
struct ipto_addr_entry {
	size_t sz;
	int ifindex;
	struct ipto_addr addr;
	unsigned int proto;
	unsigned int flags;
};

/**
 * struct ipto_adapter_entry - one interface of an adapter dump.
 * @sz: set by the caller to sizeof(struct ipto_adapter_entry).
 * @ifname: its name.
 * @ifindex: its index.
 * @mac: its link-layer address (zero when it has no 6-byte one).
 * @up: administratively up.
 * @carrier: lower layer up.
 * @loopback: a loopback interface.
 * @arp_ignore: its own arp_ignore, -1 when it has no IPv4 settings.
 * @arp_announce: its own arp_announce, likewise.
 * @mtu: its MTU in bytes.
 */
struct ipto_adapter_entry {
	size_t sz;
	char ifname[16];
	int ifindex;
	struct ipto_mac mac;
	bool up;
	bool carrier;
	bool loopback;
	int arp_ignore;
	int arp_announce;
	unsigned int mtu;
};

/**
 * ipto_bind_flags_name - a short stable name for @v, one of enum ipto_bind_flags (a single flag: "nodad").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_bind_flags_name(enum ipto_bind_flags v);

/**
 * struct ipto_adapter_info - the state of one interface.
 * @sz: set by the caller to sizeof(struct ipto_adapter_info) (the library
 *	fills only the fields that sz covers).
 * @ifindex: the kernel's interface index (> 0).
 * @mac: the link-layer address; all zero when the link has no 6-byte
 *	address (loopback, tun, ...).
 * @up: the administrative state (IFF_UP).
 * @mtu: the MTU in bytes.
 * @carrier: the adapter has carrier / the lower layer is up (IFF_LOWER_UP).
 * @arp_ignore: the adapter's own IPv4 arp_ignore value (as
 *	ipto_binder_devconf_get() reads it), or -1 when the backend did not
 *	read it (no IPv4 on the adapter, or a backend that leaves it out). Lets
 *	a takeover check its adapters with one request per adapter.
 * @arp_announce: the same for arp_announce.
 */
struct ipto_adapter_info {
	size_t sz;
	int ifindex;
	struct ipto_mac mac;
	bool up;
	unsigned int mtu;
	bool carrier;
	int arp_ignore;
	int arp_announce;
};

/**
 * struct ipto_addr_req - one address to add, for ipto_binder_addr_add_batch().
 * @ifname: the interface.
 * @addr: the address, with its prefix length (unknown: a host route).
 * @flags: enum ipto_bind_flags.
 */
struct ipto_addr_req {
	const char *ifname;
	struct ipto_addr addr;
	unsigned int flags;
};

struct ipto_binder;

/**
 * enum ipto_macvlan_mode - the macvlan mode of a link a binder creates
 * (the kernel's MACVLAN_MODE_*). See macvlan.md for why libipto
 * uses IPTO_MACVLAN_MODE_BRIDGE.
 * @IPTO_MACVLAN_MODE_BRIDGE: macvlans of one parent reach each other inside
 *	the host; frames to the LAN leave through the parent.
 * @IPTO_MACVLAN_MODE_PRIVATE: macvlans of one parent never reach each other.
 * @IPTO_MACVLAN_MODE_VEPA: frames between macvlans go out to the switch,
 *	which must hairpin them back.
 */
enum ipto_macvlan_mode {
	IPTO_MACVLAN_MODE_BRIDGE = 1,
	IPTO_MACVLAN_MODE_PRIVATE = 2,
	IPTO_MACVLAN_MODE_VEPA = 3,
};

/**
 * ipto_macvlan_mode_name - a short stable name for @v ("bridge",
 * "private", "vepa").
 * @v: the value.
 *
 * Returns: a static string, or NULL for an unknown value.
 */
const char *ipto_macvlan_mode_name(enum ipto_macvlan_mode v);

/**
 * struct ipto_macvlan_req - a macvlan link to create, for
 * ipto_binder_adapter_create_macvlan().
 * @sz: sizeof(struct ipto_macvlan_req); use IPTO_OPTS().
 * @ifname: the new link's name (1..15 characters), not in use.
 * @parent: the interface it sits on (a NIC, a bond, a veth).
 * @mac: its own unicast MAC.
 * @mode: enum ipto_macvlan_mode.
 * @alias: its alias (IFLA_IFALIAS, up to 255 bytes; "" or NULL: none):
 *	libipto tags the links it makes with it (see ipto_macvlan_tag_parse()).
 * @arp_ignore: the link's arp_ignore, set before it ever comes up; -1
 *	leaves the kernel's default (0).
 * @arp_announce: likewise for arp_announce.
 */
struct ipto_macvlan_req {
	size_t sz;
	const char *ifname;
	const char *parent;
	struct ipto_mac mac;
	enum ipto_macvlan_mode mode;
	const char *alias;
	int arp_ignore;
	int arp_announce;
};

/**
 * struct ipto_binder_ops - what a binder backend implements.
 * @sz: sizeof(struct ipto_binder_ops) as the backend was compiled.
 *
 * Every op gets the binder it belongs to first (its userdata, given to
 * ipto_binder_new(), through ipto_binder_get_userdata(); its context
 * through ipto_binder_get_ctx()) and returns 0 (or a count) on success or
 * a negative errno. An op that fails must leave the
 * system as it found it. The wrappers have checked the arguments: @ifname
 * is 1..15 characters, an address is valid, flags and keys are known.
 *
 * @addr_add: add @addr (with its prefix, always known here; for IPv4 with
 *	the subnet broadcast address when the prefix is 0..30) to @ifname.
 *	@flags: enum ipto_bind_flags. -EEXIST if the interface already has
 *	the address (IPv4: same address and prefix; IPv6: same address),
 *	-ENODEV if there is no such interface.
 * @addr_del: remove @addr (address and prefix both match; the prefix is
 *	always known here) from @ifname. -EADDRNOTAVAIL if absent, -ENODEV.
 * @addr_list: write up to @max addresses of @ifname (both families, any
 *	scope, with prefix) to @out and return how many it has in all (which
 *	may exceed @max). @out is NULL when @max is 0. -ENODEV.
 * @adapter_get: fill @info (whose sz is sizeof(struct ipto_adapter_info) of the
 *	library, other fields zero). -ENODEV.
 * @adapter_set_up: set the administrative state. Setting the state it
 *	already has is a success. -ENODEV.
 * @devconf_get: read the per-interface value of @key. -ENODEV.
 * @devconf_set: write it. -ENODEV.
 * @destroy: called once when the binder's last reference goes, before it
 *	is freed; frees the userdata. May be NULL.
 * @addr_add_batch: add @n addresses at once, as @addr_add would one by
 *	one (each request checked and with its prefix known), writing each
 *	request's result to @results[i]: 0, -EEXIST, or another negative
 *	errno. A failed request does not stop the others. Return 0 when
 *	every request has its result, or a negative errno when none was
 *	tried (nothing changed). May be NULL: the library then calls
 *	@addr_add for each. (The netlink binder pipelines the
 *	requests in one system call per 256.)
 * @addr_dump: write up to @max addresses (both families) to @out: of the
 *	interface of index @ifindex, or of every interface when @ifindex is
 *	0. Each entry's sz is the library's. Return how many there are in
 *	all. May be NULL.
 * @adapter_dump: write up to @max interfaces to @out (sz set likewise) and
 *	return how many there are. May be NULL.
 * @record_get: read the value of @key in the backend's record of the
 *	namespace (what must survive the process: for the netlink binder,
 *	files under /run/ipto/) into @buf of @len bytes, NUL-terminated.
 *	-ENOENT when absent. May be NULL.
 * @record_set: write @value (NULL: delete; deleting an absent key is a
 *	success). Keys are 1..64 characters of [A-Za-z0-9._:-]; values up to
 *	255 bytes without newline. May be NULL.
 * @adapter_create_macvlan: create the macvlan link @req describes (its sz is
 *	the library's), administratively down, with its alias and ARP
 *	settings in place: all of it or nothing (a failure part-way deletes
 *	the link again). -EEXIST when the name is taken, -ENODEV when the
 *	parent is missing. May be NULL.
 * @adapter_delete: delete the link @ifname (with its addresses). -ENODEV.
 *	May be NULL.
 * @adapter_get_alias: write the alias of @ifname into @buf of @len bytes,
 *	NUL-terminated ("" when it has none) and return its length. -ENODEV,
 *	-ENOSPC. May be NULL.
 */
struct ipto_binder_ops {
	size_t sz;
	int (*addr_add)(struct ipto_binder *binder, const char *ifname,
			const struct ipto_addr *addr, unsigned int flags);
	int (*addr_del)(struct ipto_binder *binder, const char *ifname,
			const struct ipto_addr *addr);
	int (*addr_list)(struct ipto_binder *binder, const char *ifname,
			 struct ipto_addr *out, size_t max);
	int (*adapter_get)(struct ipto_binder *binder, const char *ifname,
			struct ipto_adapter_info *info);
	int (*adapter_set_up)(struct ipto_binder *binder, const char *ifname, bool up);
	int (*devconf_get)(struct ipto_binder *binder, const char *ifname,
			   enum ipto_devconf key, int *value);
	int (*devconf_set)(struct ipto_binder *binder, const char *ifname,
			   enum ipto_devconf key, int value);
	void (*destroy)(struct ipto_binder *binder);
	int (*addr_add_batch)(struct ipto_binder *binder, const struct ipto_addr_req *reqs,
			      size_t n, int *results);
	int (*addr_dump)(struct ipto_binder *binder, int ifindex,
			 struct ipto_addr_entry *out, size_t max);
	int (*adapter_dump)(struct ipto_binder *binder, struct ipto_adapter_entry *out,
			 size_t max);
	int (*record_get)(struct ipto_binder *binder, const char *key, char *buf,
			  size_t len);
	int (*record_set)(struct ipto_binder *binder, const char *key, const char *value);
	int (*adapter_create_macvlan)(struct ipto_binder *binder,
				   const struct ipto_macvlan_req *req);
	int (*adapter_delete)(struct ipto_binder *binder, const char *ifname);
	int (*adapter_get_alias)(struct ipto_binder *binder, const char *ifname, char *buf,
			      size_t len);
};

/**
 * struct ipto_binder - a reference-counted binder: an ops table, its
 * userdata and a context reference.
 */
struct ipto_binder;

/**
 * ipto_binder_new - wrap a caller's ops table in a binder.
 * @ctx: the context; the binder takes a reference.
 * @ops: the table; copied, so it need not outlive the call. ops->sz must
 *	be at least sizeof(size_t); a larger table than the library knows is
 *	accepted when its unknown tail is all zero.
 * @userdata: passed to every op; owned by the caller until the binder is
 *	created, then released by ops->destroy (if set) with the last
 *	reference.
 * @ret: the new binder, one reference.
 *
 * Returns: 0, or a negative errno (-EINVAL, -ENOMEM). On failure
 * ops->destroy is not called.
 */
int ipto_binder_new(struct ipto_ctx *ctx, const struct ipto_binder_ops *ops,
		    void *userdata, struct ipto_binder **ret);

/**
 * ipto_binder_new_netlink - the libnl-route-3 binder.
 * @ctx: the context.
 * @ret: the new binder.
 *
 * Opens a NETLINK_ROUTE socket in the calling thread's network namespace.
 * Creating it needs no privilege; changes need CAP_NET_ADMIN (-EPERM).
 *
 * Returns: 0, -EOPNOTSUPP when libipto was built without libnl, or another
 * negative errno.
 */
int ipto_binder_new_netlink(struct ipto_ctx *ctx, struct ipto_binder **ret);

/** ipto_binder_ref - take a reference. Returns: @binder. */
struct ipto_binder *ipto_binder_ref(struct ipto_binder *binder);

/**
 * ipto_binder_unref - drop a reference; the last one calls ops->destroy
 * and frees the binder.
 * @binder: the binder, or NULL.
 *
 * Returns: NULL.
 */
struct ipto_binder *ipto_binder_unref(struct ipto_binder *binder);

/** ipto_binder_get_ctx - the binder's context (no new reference). */
struct ipto_ctx *ipto_binder_get_ctx(const struct ipto_binder *binder);

/**
 * ipto_binder_get_userdata - the userdata given to ipto_binder_new(), for
 * the ops of a caller's backend.
 * @binder: the binder, or NULL.
 *
 * Returns: the userdata, or NULL for a NULL binder.
 */
void *ipto_binder_get_userdata(const struct ipto_binder *binder);

/**
 * ipto_binder_addr_add - add an address to an interface.
 * @binder: the binder.
 * @ifname: the interface name (1..15 characters).
 * @addr: a unicast address (see ipto_addr_classify()); an unknown prefix
 *	means a host prefix (/32 or /128).
 * @flags: enum ipto_bind_flags bits; unknown bits give -EINVAL.
 *
 * Returns: 0; -EEXIST when the interface has the address already; -ENODEV;
 * -EPERM; -EOPNOTSUPP when the backend cannot; or another negative errno.
 */
int ipto_binder_addr_add(struct ipto_binder *binder, const char *ifname,
			 const struct ipto_addr *addr, unsigned int flags);

/**
 * ipto_binder_addr_add_batch - add several addresses, each as
 * ipto_binder_addr_add() would, through the backend's batch operation when
 * it has one (fewer system calls), else one by one.
 * @binder: the binder.
 * @reqs: the requests.
 * @n: how many (1 or more).
 * @results: receives each request's result: 0, -EEXIST when the address
 *	was there already, or another negative errno. A failing request does
 *	not stop the others, so a caller that wants all or nothing removes
 *	the ones that succeeded (the takeover engine does).
 *
 * Returns: 0 when every request has its result in @results (look there
 * for failures), or a negative errno when no request was tried (bad
 * arguments: -EINVAL; no way to add: -EOPNOTSUPP).
 */
int ipto_binder_addr_add_batch(struct ipto_binder *binder,
			       const struct ipto_addr_req *reqs, size_t n,
			       int *results);

/**
 * ipto_binder_addr_del - remove an address from an interface.
 * @binder: the binder.
 * @ifname: the interface name.
 * @addr: the address. With a known prefix, the interface's address must
 *	have that prefix; with IPTO_PREFIX_UNKNOWN, the prefix is looked up
 *	(needs the backend's addr_list).
 *
 * Returns: 0; -EADDRNOTAVAIL when the interface does not have it; -ENODEV;
 * -EPERM; or another negative errno.
 */
int ipto_binder_addr_del(struct ipto_binder *binder, const char *ifname,
			 const struct ipto_addr *addr);

/**
 * ipto_binder_addr_list - the addresses of an interface.
 * @binder: the binder.
 * @ifname: the interface name.
 * @out: receives up to @max addresses, in no particular order; may be NULL
 *	when @max is 0 (to ask for the count).
 * @max: the number of entries @out holds.
 *
 * Returns: the number of addresses the interface has (which may exceed
 * @max: call again with a larger array), or a negative errno (-ENODEV).
 */
int ipto_binder_addr_list(struct ipto_binder *binder, const char *ifname,
			  struct ipto_addr *out, size_t max);

/**
 * ipto_binder_adapter_get - read an interface's index, MAC and state.
 * @binder: the binder.
 * @ifname: the interface name.
 * @info: the caller sets info->sz; the rest is written on success only.
 *
 * Returns: 0, -ENODEV, or another negative errno.
 */
int ipto_binder_adapter_get(struct ipto_binder *binder, const char *ifname,
			 struct ipto_adapter_info *info);

/**
 * ipto_binder_adapter_set_up - bring an interface up or down.
 * @binder: the binder.
 * @ifname: the interface name.
 * @up: true for up.
 *
 * Returns: 0 (also when it already was in that state), -ENODEV, -EPERM, or
 * another negative errno.
 */
int ipto_binder_adapter_set_up(struct ipto_binder *binder, const char *ifname,
			    bool up);

/**
 * ipto_binder_devconf_get - read a per-interface IPv4 setting.
 * @binder: the binder.
 * @ifname: the interface name.
 * @key: the setting.
 * @value: written on success.
 *
 * Returns: 0, -ENODEV, -EINVAL for an unknown key, or a negative errno.
 */
int ipto_binder_devconf_get(struct ipto_binder *binder, const char *ifname,
			    enum ipto_devconf key, int *value);

/**
 * ipto_binder_devconf_set - write a per-interface IPv4 setting.
 * @binder: the binder.
 * @ifname: the interface name.
 * @key: the setting.
 * @value: the value, within the range enum ipto_devconf gives for @key
 *	(-EINVAL otherwise).
 *
 * Returns: 0, -ENODEV, -EPERM, or another negative errno.
 */
int ipto_binder_devconf_set(struct ipto_binder *binder, const char *ifname,
			    enum ipto_devconf key, int value);

/**
 * ipto_binder_addr_dump - the addresses of one interface or of all, with
 * their protocol (who added them) and flags, in one request.
 * @binder: the binder.
 * @ifindex: an interface index, or 0 for every interface.
 * @out: receives up to @max entries; each entry's sz must be set by the
 *	caller (the library fills what it covers). May be NULL when @max is
 *	0.
 * @max: the room in @out.
 *
 * The netlink binder asks the kernel about that one interface only
 * (strict dump checking, Linux 4.20+), else filters a full dump.
 *
 * Returns: the number of addresses (may exceed @max), -EOPNOTSUPP, or a
 * negative errno.
 */
int ipto_binder_addr_dump(struct ipto_binder *binder, int ifindex,
			  struct ipto_addr_entry *out, size_t max);

/**
 * ipto_binder_adapter_dump - every interface of the binder's namespace, in
 * one request.
 * @binder: the binder.
 * @out: up to @max entries, sz set by the caller; may be NULL when @max is 0.
 * @max: the room in @out.
 *
 * Returns: the number of interfaces (may exceed @max), -EOPNOTSUPP, or a
 * negative errno.
 */
int ipto_binder_adapter_dump(struct ipto_binder *binder,
			  struct ipto_adapter_entry *out, size_t max);

/**
 * ipto_binder_addr_dump_all - ipto_binder_addr_dump() into an array of the
 * right size, for a caller that wants every address without sizing it.
 * @binder: the binder.
 * @ifindex: an interface index, or 0 for every interface.
 * @out: receives, on success only, a malloc'd array of the returned count
 *	of entries (each entry's sz set to sizeof(struct ipto_addr_entry)),
 *	which the caller free()s (even when the count is 0).
 *
 * A dump that did not fit (addresses appeared meanwhile) is made again
 * with room for all.
 *
 * Returns: the number of entries in *@out; -EINVAL; -ENOMEM;
 * -EOPNOTSUPP; or another negative errno from the dump.
 */
int ipto_binder_addr_dump_all(struct ipto_binder *binder, int ifindex,
			      struct ipto_addr_entry **out);

/**
 * ipto_binder_adapter_dump_all - ipto_binder_adapter_dump() into an array
 * of the right size.
 * @binder: the binder.
 * @out: receives, on success only, a malloc'd array of the returned count
 *	of entries (each sz set), which the caller free()s (even when the
 *	count is 0).
 *
 * Returns: the number of entries in *@out; -EINVAL; -ENOMEM;
 * -EOPNOTSUPP; or another negative errno from the dump.
 */
int ipto_binder_adapter_dump_all(struct ipto_binder *binder,
				 struct ipto_adapter_entry **out);

/**
 * ipto_binder_record_get - read one value of the binder's record: what a
 * takeover must leave for a later process (e.g. the ARP settings it
 * changed, to restore on release). See record.md.
 * @binder: the binder.
 * @key: 1..64 characters of [A-Za-z0-9._:-].
 * @buf: receives the value, NUL-terminated.
 * @len: the size of @buf.
 *
 * Returns: 0, -ENOENT when absent, -ENOSPC when @buf is too small,
 * -EOPNOTSUPP, or a negative errno.
 */
int ipto_binder_record_get(struct ipto_binder *binder, const char *key,
			   char *buf, size_t len);

/**
 * ipto_binder_record_set - write (or with NULL delete) one value of the
 * binder's record.
 * @binder: the binder.
 * @key: as for ipto_binder_record_get().
 * @value: up to 255 bytes without newline, or NULL to delete.
 *
 * Returns: 0, -EOPNOTSUPP, or a negative errno.
 */
int ipto_binder_record_set(struct ipto_binder *binder, const char *key,
			   const char *value);

/**
 * ipto_binder_adapter_create_macvlan - create a macvlan link, down, tagged
 * and with its ARP settings, all or nothing.
 * @binder: the binder.
 * @req: the link (see struct ipto_macvlan_req); checked first: -EINVAL
 *	for a bad name or parent, a MAC that is not unicast, an unknown
 *	mode, a too long alias or ARP values out of range.
 *
 * Returns: 0; -EEXIST when a link of that name exists; -ENODEV without
 * the parent; -EPERM; -EOPNOTSUPP; or another negative errno.
 */
int ipto_binder_adapter_create_macvlan(struct ipto_binder *binder,
				    const struct ipto_macvlan_req *req);

/**
 * ipto_binder_adapter_delete - delete a link (and with it its addresses).
 * @binder: the binder.
 * @ifname: the link.
 *
 * Returns: 0; -ENODEV; -EPERM; -EOPNOTSUPP; or another negative errno.
 */
int ipto_binder_adapter_delete(struct ipto_binder *binder, const char *ifname);

/**
 * ipto_binder_adapter_get_alias - read a link's alias (IFLA_IFALIAS).
 * @binder: the binder.
 * @ifname: the link.
 * @buf: receives the alias, NUL-terminated, "" when it has none.
 * @len: the size of @buf (at least 1).
 *
 * Returns: the alias' length; -ENODEV; -ENOSPC when @buf is too small;
 * -EOPNOTSUPP; or another negative errno.
 */
int ipto_binder_adapter_get_alias(struct ipto_binder *binder, const char *ifname,
			       char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Injector                                                            */
/* ------------------------------------------------------------------ */

/** IPTO_INJECTOR_FRAME_MIN - the shortest frame an injector sends: an Ethernet header. */
#define IPTO_INJECTOR_FRAME_MIN 14
/** IPTO_INJECTOR_FRAME_MAX - the longest frame an injector accepts. */
#define IPTO_INJECTOR_FRAME_MAX 65535

struct ipto_injector;

/**
 * struct ipto_injector_ops - what an injector backend implements.
 * @sz: sizeof(struct ipto_injector_ops) as the backend was compiled.
 *
 * Every op gets the injector it belongs to first (userdata through
 * ipto_injector_get_userdata()).
 * @open: open @ifname for sending and store a per-interface handle in
 *	*@handle. -ENODEV, -EPERM. Required (NULL gives -EOPNOTSUPP).
 * @send: send one frame (a complete Ethernet frame without FCS,
 *	IPTO_INJECTOR_FRAME_MIN..IPTO_INJECTOR_FRAME_MAX bytes). Returns 0 or a negative errno.
 *	Required.
 * @send_batch: send @n (>= 1) frames, one per iovec, in order. Returns
 *	the number sent (1..n; stopping early means the next one failed), or
 *	a negative errno when none was sent. May be NULL: the library loops
 *	over @send.
 * @close: close a handle from @open. May be NULL.
 * @destroy: called once with the last reference, before the injector is
 *	freed; frees the userdata. May be NULL.
 */
struct ipto_injector_ops {
	size_t sz;
	int (*open)(struct ipto_injector *injector, const char *ifname, void **handle);
	int (*send)(struct ipto_injector *injector, void *handle, const void *frame,
		    size_t len);
	int (*send_batch)(struct ipto_injector *injector, void *handle,
			  const struct iovec *frames, size_t n);
	void (*close)(struct ipto_injector *injector, void *handle);
	void (*destroy)(struct ipto_injector *injector);
};

/** struct ipto_injector - a reference-counted frame injector. */
struct ipto_injector;

/**
 * struct ipto_injector_adapter - one interface opened for sending. It holds a
 * reference to its injector; close it with ipto_injector_close().
 */
struct ipto_injector_adapter;

/**
 * ipto_injector_new - wrap a caller's ops table in an injector.
 * @ctx: the context; the injector takes a reference.
 * @ops: the table, copied (same rules as ipto_binder_new()).
 * @userdata: passed to every op, released by ops->destroy.
 * @ret: the new injector.
 *
 * Returns: 0 or a negative errno. On failure ops->destroy is not called.
 */
int ipto_injector_new(struct ipto_ctx *ctx,
		      const struct ipto_injector_ops *ops, void *userdata,
		      struct ipto_injector **ret);

/**
 * ipto_injector_new_packet - the AF_PACKET injector: no libpcap needed,
 * batches go out with sendmmsg(). All its open adapters share one unbound
 * packet socket (one per network namespace they were opened in), made by
 * the first open and closed with the last adapter: opening one costs no
 * socket, and closing them all costs one close() (which waits for a
 * network RCU grace period, milliseconds). Opening an adapter
 * needs CAP_NET_RAW.
 *
 * Returns: 0 or a negative errno.
 */
int ipto_injector_new_packet(struct ipto_ctx *ctx,
			     struct ipto_injector **ret);

/**
 * ipto_injector_new_pcap - the libpcap injector (pcap_inject()). Opening an
 * adapter needs CAP_NET_RAW. libpcap is loaded (dlopen) by the first call
 * in the process, not when libipto is.
 *
 * Returns: 0, -EOPNOTSUPP when libipto was built without libpcap,
 * -ELIBACC when libpcap cannot be loaded (the log says why), or a
 * negative errno.
 */
int ipto_injector_new_pcap(struct ipto_ctx *ctx, struct ipto_injector **ret);

/** ipto_injector_ref - take a reference. Returns: @injector. */
struct ipto_injector *ipto_injector_ref(struct ipto_injector *injector);

/**
 * ipto_injector_unref - drop a reference; the last one calls
 * ops->destroy. Open adapters hold references of their own.
 *
 * Returns: NULL.
 */
struct ipto_injector *ipto_injector_unref(struct ipto_injector *injector);

/** ipto_injector_get_ctx - the injector's context (no new reference). */
struct ipto_ctx *ipto_injector_get_ctx(const struct ipto_injector *injector);

/**
 * ipto_injector_get_userdata - the userdata given to ipto_injector_new().
 * @injector: the injector, or NULL.
 *
 * Returns: the userdata, or NULL for a NULL injector.
 */
void *ipto_injector_get_userdata(const struct ipto_injector *injector);

/**
 * ipto_injector_open - open an interface for sending.
 * @injector: the injector.
 * @ifname: the interface name (1..15 characters).
 * @ret: the new open adapter, a closed handle owned by the caller.
 *
 * Returns: 0, -ENODEV, -EPERM (no CAP_NET_RAW), or a negative errno.
 */
int ipto_injector_open(struct ipto_injector *injector, const char *ifname,
		       struct ipto_injector_adapter **ret);

/** ipto_injector_adapter_get_ifname - the name the adapter was opened with. */
const char *ipto_injector_adapter_get_ifname(
	const struct ipto_injector_adapter *adapter);

/**
 * ipto_injector_send - send one frame.
 * @adapter: an open adapter.
 * @frame: a complete Ethernet frame without FCS.
 * @len: IPTO_INJECTOR_FRAME_MIN .. IPTO_INJECTOR_FRAME_MAX bytes (-EINVAL otherwise).
 *
 * Returns: 0, or a negative errno (-ENETDOWN, -EMSGSIZE, ...).
 */
int ipto_injector_send(struct ipto_injector_adapter *adapter, const void *frame,
		       size_t len);

/**
 * ipto_injector_send_batch - send several frames in order.
 * @adapter: an open adapter.
 * @frames: @n frames, one per iovec, each as for ipto_injector_send()
 *	(checked all before any is sent).
 * @n: how many; 0 sends nothing and returns 0.
 *
 * Returns: the number of frames sent (fewer than @n means frame number
 * <return value> failed and those after it were not tried), or a negative
 * errno when none was sent.
 */
int ipto_injector_send_batch(struct ipto_injector_adapter *adapter,
			     const struct iovec *frames, size_t n);

/**
 * ipto_injector_send_multi - send frames on several open adapters, in
 * order, in as few system calls as the backend allows.
 * @injector: the injector every adapter was opened with.
 * @adapters: @n open adapters; frame i goes out on @adapters[i] (repeats
 *	and any mix allowed; one of another injector gives -EINVAL).
 * @frames: @n frames, each as for ipto_injector_send() (all checked
 *	before any is sent).
 * @n: how many; 0 sends nothing and returns 0.
 *
 * The AF_PACKET injector sends up to 64 frames per sendmmsg(), whatever
 * their adapters (adapters opened in different network namespaces break
 * the batch). Other backends send each run of consecutive frames on one
 * adapter as ipto_injector_send_batch() would.
 *
 * Returns: the number of frames sent (fewer than @n means frame number
 * <return value> failed and those after it were not tried), or a negative
 * errno when none was sent.
 */
int ipto_injector_send_multi(struct ipto_injector *injector,
			     struct ipto_injector_adapter *const *adapters,
			     const struct iovec *frames, size_t n);

/**
 * ipto_injector_close - close an adapter and drop its injector reference.
 * @adapter: the adapter, or NULL.
 */
void ipto_injector_close(struct ipto_injector_adapter *adapter);

#ifdef __cplusplus
}
#endif

#endif /* IPTO_IPTO_BACKEND_H */
