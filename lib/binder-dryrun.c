/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The dry-run binder: an in-memory model of interfaces that answers like
 * the kernel does (-EEXIST, -EADDRNOTAVAIL, -ENODEV, devconf defaults 0),
 * records every call as a line of text and can fail the n-th call on
 * purpose. Not part of the stable ABI (<ipto/ipto-dryrun.h>).
 */
#include "dryrun-private.h"

/* ------------------------------------------------------------------ */
/* Binder                                                              */
/* ------------------------------------------------------------------ */

struct dr_link {
	char name[IPTO_IFNAME_MAX + 1];
	int ifindex;
	struct ipto_mac mac;
	bool up;
	bool carrier;
	unsigned int mtu;
	int devconf[DEVCONF_KEYS];
	struct ipto_addr *addrs;
	unsigned char *protos; /* IFA_PROTO of each address */
	size_t naddrs, cap_addrs;
	char parent[IPTO_IFNAME_MAX + 1]; /* a macvlan's parent, or "" */
	enum ipto_macvlan_mode mode;
	char alias[256];
};

/* The record (what the netlink binder keeps under /run). */
struct dr_record {
	char *key;
	char *value;
};

struct dr_call {
	char *text;
	int result;
};

struct dr_binder {
	struct dr_link *links;
	size_t nlinks, cap_links;
	int next_ifindex;
	struct dr_call *calls;
	size_t ncalls, calls_cap;
	struct fault fault;
	struct dr_record *records;
	size_t nrecords;
};

static unsigned int proto_of_flags(unsigned int flags)
{
	if (flags & IPTO_BIND_TAKEOVER)
		return IPTO_ADDR_PROTO_TAKEOVER;
	if (flags & IPTO_BIND_RECLAIM)
		return IPTO_ADDR_PROTO_RECLAIM;
	return 0;
}

/* The kernel's IPv4 rule: an address is secondary when an earlier one of
 * the link has the same prefix length and network. */
static bool same_subnet(const struct ipto_addr *a, const struct ipto_addr *b)
{
	unsigned int i, bits = a->prefixlen;

	if (a->family != AF_INET || b->family != AF_INET ||
	    a->prefixlen != b->prefixlen)
		return false;
	for (i = 0; i < 4; i++) {
		unsigned int keep = bits >= 8 ? 8 : bits;
		unsigned char m = (unsigned char)(keep ? 0xff << (8 - keep) : 0);

		if ((a->bytes[i] & m) != (b->bytes[i] & m))
			return false;
		bits -= keep;
	}
	return true;
}

static bool is_secondary(const struct dr_link *l, size_t idx)
{
	size_t i;

	for (i = 0; i < idx; i++)
		if (same_subnet(&l->addrs[i], &l->addrs[idx]))
			return true;
	return false;
}

static void remove_addr_at(struct dr_link *l, size_t i)
{
	memmove(&l->addrs[i], &l->addrs[i + 1],
		(l->naddrs - i - 1) * sizeof(*l->addrs));
	memmove(&l->protos[i], &l->protos[i + 1],
		(l->naddrs - i - 1) * sizeof(*l->protos));
	l->naddrs--;
}

static struct dr_link *find_link(struct dr_binder *d, const char *ifname)
{
	size_t i;

	for (i = 0; i < d->nlinks; i++)
		if (strcmp(d->links[i].name, ifname) == 0)
			return &d->links[i];
	return NULL;
}

/*
 * Starts recording a call: reserves its slot and formats its text first,
 * so nothing can fail after the model changed. Returns the slot index or
 * -ENOMEM.
 */
static int call_vbegin(struct dr_binder *d, const char *fmt, va_list ap)
{
	char *text;

	if (ipto_grow((void **)&d->calls, &d->calls_cap, d->ncalls + 1,
		      sizeof(*d->calls)) < 0)
		return -ENOMEM;
	if (vasprintf(&text, fmt, ap) < 0)
		return -ENOMEM;
	d->calls[d->ncalls].text = text;
	d->calls[d->ncalls].result = 0;
	return (int)d->ncalls++;
}

static int call_end(struct dr_binder *d, int slot, int result)
{
	d->calls[slot].result = result;
	return result;
}

/*
 * The prologue of every modelled op: records the call (see call_vbegin()),
 * fires an armed fault for @op and, when @lp is set, finds @ifname's link.
 * Returns 0 with *slot (for call_end()) and *lp set, or the negative errno
 * the op returns, recorded as its result (-ENOMEM may go unrecorded).
 */
static int op_begin(struct dr_binder *d, unsigned int op, int *slot,
		    const char *ifname, struct dr_link **lp, const char *fmt,
		    ...) IPTO_PRINTF_ATTR(6, 7);

static int op_begin(struct dr_binder *d, unsigned int op, int *slot,
		    const char *ifname, struct dr_link **lp, const char *fmt,
		    ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	*slot = call_vbegin(d, fmt, ap);
	va_end(ap);
	if (*slot < 0)
		return *slot;
	err = fault_hit(&d->fault, op);
	if (err)
		return call_end(d, *slot, err);
	if (lp && !(*lp = find_link(d, ifname)))
		return call_end(d, *slot, -ENODEV);
	return 0;
}


static int dr_addr_add(struct ipto_binder *binder, const char *ifname,
		       const struct ipto_addr *addr, unsigned int flags)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	char text[IPTO_ADDR_STRLEN];
	size_t i;
	int slot, err;

	ipto_addr_format(addr, text, sizeof(text));
	err = op_begin(d, IPTO_BINDER_OP_ADDR_ADD, &slot, ifname, &l,
		       "addr_add %s %s%s%s%s", ifname, text,
		       (flags & IPTO_BIND_NODAD) ? " nodad" : "",
		       (flags & IPTO_BIND_TAKEOVER) ? " takeover" :
		       (flags & IPTO_BIND_RECLAIM) ? " reclaim" : "",
		       ipto_bind_deprecated(addr, flags) ? " deprecated" : "");
	if (err < 0)
		return err;
	for (i = 0; i < l->naddrs; i++) {
		/* IPv4 allows one address with two prefixes; IPv6 does not. */
		if (ipto_addr_equal(&l->addrs[i], addr) &&
		    (addr->family == AF_INET6 ||
		     l->addrs[i].prefixlen == addr->prefixlen))
			return call_end(d, slot, -EEXIST);
	}
	if (ipto_grow((void **)&l->addrs, &l->cap_addrs, l->naddrs + 1,
		      sizeof(*l->addrs)) < 0)
		return call_end(d, slot, -ENOMEM);
	{
		unsigned char *p = realloc(l->protos, l->naddrs + 1);

		if (!p)
			return call_end(d, slot, -ENOMEM);
		l->protos = p;
	}
	l->protos[l->naddrs] = (unsigned char)proto_of_flags(flags);
	l->addrs[l->naddrs++] = *addr;
	return call_end(d, slot, 0);
}

static int dr_addr_del(struct ipto_binder *binder, const char *ifname,
		       const struct ipto_addr *addr)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	char text[IPTO_ADDR_STRLEN];
	size_t i;
	int slot, err;

	ipto_addr_format(addr, text, sizeof(text));
	err = op_begin(d, IPTO_BINDER_OP_ADDR_DEL, &slot, ifname, &l,
		       "addr_del %s %s", ifname, text);
	if (err < 0)
		return err;
	for (i = 0; i < l->naddrs; i++) {
		if (ipto_addr_equal(&l->addrs[i], addr) &&
		    l->addrs[i].prefixlen == addr->prefixlen) {
			struct ipto_addr gone = l->addrs[i];
			bool primary = addr->family == AF_INET &&
				       !is_secondary(l, i);
			size_t j;

			remove_addr_at(l, i);
			/* Like the kernel: deleting a primary deletes the
			 * secondaries of its subnet, unless promoted. */
			if (primary &&
			    !l->devconf[IPTO_DEVCONF_PROMOTE_SECONDARIES])
				for (j = l->naddrs; j-- > i;)
					if (same_subnet(&l->addrs[j], &gone))
						remove_addr_at(l, j);
			return call_end(d, slot, 0);
		}
	}
	return call_end(d, slot, -EADDRNOTAVAIL);
}

static int dr_addr_list(struct ipto_binder *binder, const char *ifname,
			struct ipto_addr *out, size_t max)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	size_t i;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_ADDR_LIST, &slot, ifname, &l,
		       "addr_list %s", ifname);
	if (err < 0)
		return err;
	for (i = 0; i < l->naddrs && i < max; i++)
		out[i] = l->addrs[i];
	return call_end(d, slot, (int)l->naddrs);
}

static int dr_link_get(struct ipto_binder *binder, const char *ifname,
		       struct ipto_adapter_info *info)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_ADAPTER_GET, &slot, ifname, &l,
		       "adapter_get %s", ifname);
	if (err < 0)
		return err;
	info->ifindex = l->ifindex;
	info->mac = l->mac;
	info->up = l->up;
	info->mtu = l->mtu;
	info->carrier = l->carrier;
	info->arp_ignore = l->devconf[IPTO_DEVCONF_ARP_IGNORE];
	info->arp_announce = l->devconf[IPTO_DEVCONF_ARP_ANNOUNCE];
	return call_end(d, slot, 0);
}

static int dr_link_set_up(struct ipto_binder *binder, const char *ifname, bool up)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_ADAPTER_SET_UP, &slot, ifname, &l,
		       "adapter_set_up %s %s", ifname, up ? "up" : "down");
	if (err < 0)
		return err;
	l->up = up;
	l->carrier = up;
	return call_end(d, slot, 0);
}

static int dr_devconf_get(struct ipto_binder *binder, const char *ifname,
			  enum ipto_devconf key, int *value)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_DEVCONF_GET, &slot, ifname, &l,
		       "devconf_get %s %s", ifname,
		       ipto_devconf_name(key));
	if (err < 0)
		return err;
	*value = l->devconf[key];
	return call_end(d, slot, 0);
}

static int dr_devconf_set(struct ipto_binder *binder, const char *ifname,
			  enum ipto_devconf key, int value)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_DEVCONF_SET, &slot, ifname, &l,
		       "devconf_set %s %s %d", ifname,
		       ipto_devconf_name(key), value);
	if (err < 0)
		return err;
	l->devconf[key] = value;
	return call_end(d, slot, 0);
}

static void clear_calls(struct dr_binder *d)
{
	dr_log_clear(d->calls, d->ncalls, text);
}

static void dr_binder_fini(void *state)
{
	struct dr_binder *d = state;
	size_t i;

	for (i = 0; i < d->nlinks; i++) {
		free(d->links[i].addrs);
		free(d->links[i].protos);
	}
	free(d->links);
	for (i = 0; i < d->nrecords; i++) {
		free(d->records[i].key);
		free(d->records[i].value);
	}
	free(d->records);
	clear_calls(d);
	free(d->calls);
}

IPTO_DEFINE_BUILTIN_DESTROY(ipto_binder, dr_binder_destroy, dr_binder_fini)

static int dr_addr_dump(struct ipto_binder *binder, int ifindex,
			struct ipto_addr_entry *out, size_t max)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	size_t i, j, n = 0;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_ADDR_DUMP, &slot, NULL, NULL,
		       "addr_dump %d", ifindex);
	if (err < 0)
		return err;
	for (i = 0; i < d->nlinks; i++) {
		const struct dr_link *l = &d->links[i];

		if (ifindex && l->ifindex != ifindex)
			continue;
		for (j = 0; j < l->naddrs; j++, n++) {
			struct ipto_addr_entry e = { .sz = sizeof(e) };

			if (n >= max)
				continue;
			e.ifindex = l->ifindex;
			e.addr = l->addrs[j];
			e.proto = l->protos[j];
			e.flags = is_secondary(l, j) ? IPTO_ADDR_ENTRY_SECONDARY : 0;
			ipto_sized_copy_out(&out[n], &e, sizeof(e));
		}
	}
	return call_end(d, slot, (int)n);
}

static int dr_link_dump(struct ipto_binder *binder, struct ipto_adapter_entry *out,
			size_t max)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	size_t i;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_ADAPTER_DUMP, &slot, NULL, NULL,
		       "adapter_dump");
	if (err < 0)
		return err;
	for (i = 0; i < d->nlinks && i < max; i++) {
		const struct dr_link *l = &d->links[i];
		struct ipto_adapter_entry e = { .sz = sizeof(e) };

		snprintf(e.ifname, sizeof(e.ifname), "%s", l->name);
		e.ifindex = l->ifindex;
		e.mac = l->mac;
		e.up = l->up;
		e.carrier = l->carrier;
		e.loopback = strcmp(l->name, "lo") == 0;
		e.arp_ignore = l->devconf[IPTO_DEVCONF_ARP_IGNORE];
		e.arp_announce = l->devconf[IPTO_DEVCONF_ARP_ANNOUNCE];
		e.mtu = l->mtu;
		ipto_sized_copy_out(&out[i], &e, sizeof(e));
	}
	return call_end(d, slot, (int)d->nlinks);
}

static struct dr_record *find_record(struct dr_binder *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->nrecords; i++)
		if (strcmp(d->records[i].key, key) == 0)
			return &d->records[i];
	return NULL;
}

static int dr_record_get(struct ipto_binder *binder, const char *key, char *buf,
			 size_t len)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_record *r;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_RECORD_GET, &slot, NULL, NULL,
		       "record_get %s", key);
	if (err < 0)
		return err;
	r = find_record(d, key);
	if (!r)
		return call_end(d, slot, -ENOENT);
	if (strlen(r->value) >= len)
		return call_end(d, slot, -ENOSPC);
	strcpy(buf, r->value);
	return call_end(d, slot, 0);
}

static int dr_record_set(struct ipto_binder *binder, const char *key, const char *value)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_record *r, *grown;
	char *v = NULL, *k = NULL;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_RECORD_SET, &slot, NULL, NULL,
		       "record_set %s %s", key, value ? value : "(delete)");
	if (err < 0)
		return err;
	r = find_record(d, key);
	if (!value) {
		if (r) {
			free(r->key);
			free(r->value);
			*r = d->records[--d->nrecords];
		}
		return call_end(d, slot, 0);
	}
	v = strdup(value);
	if (!v)
		return call_end(d, slot, -ENOMEM);
	if (r) {
		free(r->value);
		r->value = v;
		return call_end(d, slot, 0);
	}
	k = strdup(key);
	grown = k ? realloc(d->records, (d->nrecords + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(k);
		free(v);
		return call_end(d, slot, -ENOMEM);
	}
	d->records = grown;
	d->records[d->nrecords].key = k;
	d->records[d->nrecords++].value = v;
	return call_end(d, slot, 0);
}

static const char *mode_name(enum ipto_macvlan_mode mode)
{
	return mode == IPTO_MACVLAN_MODE_PRIVATE ? "private" :
	       mode == IPTO_MACVLAN_MODE_VEPA ? "vepa" : "bridge";
}

static struct dr_link *new_link(struct dr_binder *d, const char *ifname,
				int ifindex);

/* Like the kernel: the name must be free, the parent present; the new
 * link is down with every devconf value 0, then tagged and guarded. */
static int dr_link_create_macvlan(struct ipto_binder *binder,
				  const struct ipto_macvlan_req *req)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	char mac[IPTO_MAC_STRLEN];
	int slot, err;

	ipto_mac_format(&req->mac, mac, sizeof(mac));
	err = op_begin(d, IPTO_BINDER_OP_ADAPTER_CREATE, &slot, NULL, NULL,
		       "adapter_create_macvlan %s parent %s mac %s mode %s "
		       "alias %s arp_ignore %d arp_announce %d", req->ifname,
		       req->parent, mac, mode_name(req->mode),
		       req->alias && req->alias[0] ? req->alias : "-",
		       req->arp_ignore, req->arp_announce);
	if (err < 0)
		return err;
	if (find_link(d, req->ifname))
		return call_end(d, slot, -EEXIST);
	if (!find_link(d, req->parent))
		return call_end(d, slot, -ENODEV);
	l = new_link(d, req->ifname, 0);
	if (!l)
		return call_end(d, slot, -ENOMEM);
	l->mac = req->mac;
	memcpy(l->parent, req->parent, strlen(req->parent) + 1);
	l->mode = req->mode;
	snprintf(l->alias, sizeof(l->alias), "%s", req->alias ? req->alias : "");
	if (req->arp_ignore >= 0)
		l->devconf[IPTO_DEVCONF_ARP_IGNORE] = req->arp_ignore;
	if (req->arp_announce >= 0)
		l->devconf[IPTO_DEVCONF_ARP_ANNOUNCE] = req->arp_announce;
	return call_end(d, slot, 0);
}

static int dr_link_delete(struct ipto_binder *binder, const char *ifname)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_ADAPTER_DELETE, &slot, ifname, &l,
		       "adapter_delete %s", ifname);
	if (err < 0)
		return err;
	free(l->addrs);
	free(l->protos);
	memmove(l, l + 1, (size_t)(d->links + d->nlinks - (l + 1)) * sizeof(*l));
	d->nlinks--;
	return call_end(d, slot, 0);
}

static int dr_link_get_alias(struct ipto_binder *binder, const char *ifname, char *buf,
			     size_t len)
{
	struct dr_binder *d = ipto_binder_get_userdata(binder);
	struct dr_link *l;
	size_t n;
	int slot, err;

	err = op_begin(d, IPTO_BINDER_OP_ADAPTER_GET_ALIAS, &slot, ifname, &l,
		       "adapter_get_alias %s", ifname);
	if (err < 0)
		return err;
	n = strlen(l->alias);
	if (n + 1 > len)
		return call_end(d, slot, -ENOSPC);
	memcpy(buf, l->alias, n + 1);
	return call_end(d, slot, (int)n);
}

static const struct ipto_binder_ops dryrun_binder_ops = {
	.sz = sizeof(struct ipto_binder_ops),
	.addr_add = dr_addr_add,
	.addr_del = dr_addr_del,
	.addr_list = dr_addr_list,
	.adapter_get = dr_link_get,
	.adapter_set_up = dr_link_set_up,
	.devconf_get = dr_devconf_get,
	.devconf_set = dr_devconf_set,
	.destroy = dr_binder_destroy,
	.addr_dump = dr_addr_dump,
	.adapter_dump = dr_link_dump,
	.record_get = dr_record_get,
	.record_set = dr_record_set,
	.adapter_create_macvlan = dr_link_create_macvlan,
	.adapter_delete = dr_link_delete,
	.adapter_get_alias = dr_link_get_alias,
};

static int dr_binder_init(struct ipto_ctx *ctx, void *state)
{
	struct dr_binder *d = state;

	(void)ctx;
	d->next_ifindex = 1;
	return 0;
}

/* No fast operations: the engine takes the public ops one by one, as for a
 * caller's binder. */
static const struct ipto_binder_builtin dryrun_builtin = {
	.kind = IPTO_BACKEND_DRYRUN,
};

IPTO_EXPORT int ipto_binder_new_dryrun(struct ipto_ctx *ctx,
				       struct ipto_binder **ret)
{
	return ipto_binder_new_builtin(ctx, &dryrun_binder_ops,
				       sizeof(struct dr_binder), dr_binder_init,
				       NULL, &dryrun_builtin, ret);
}

/* The model behind a dry-run binder, or NULL (logged) for any other. */
static struct dr_binder *dr_binder_of(const struct ipto_binder *b,
				      const char *who)
{
	return b ? dr_model_of(b->ctx, b->userdata,
			       ipto_backend_is(b, IPTO_BACKEND_DRYRUN), who,
			       "binder")
		 : NULL;
}

static int ifindex_used(struct dr_binder *d, int ifindex)
{
	size_t i;

	for (i = 0; i < d->nlinks; i++)
		if (d->links[i].ifindex == ifindex)
			return 1;
	return 0;
}

/* Appends a link to the model; returns it or NULL on -ENOMEM. */
static struct dr_link *new_link(struct dr_binder *d, const char *ifname,
				int ifindex)
{
	struct dr_link *l;

	if (ipto_grow((void **)&d->links, &d->cap_links, d->nlinks + 1,
		      sizeof(*d->links)) < 0)
		return NULL;
	l = &d->links[d->nlinks++];
	memset(l, 0, sizeof(*l));
	memcpy(l->name, ifname, strlen(ifname) + 1);
	if (ifindex <= 0 || ifindex_used(d, ifindex))
		ifindex = d->next_ifindex;
	while (ifindex_used(d, ifindex))
		ifindex++;
	l->ifindex = ifindex;
	if (ifindex >= d->next_ifindex)
		d->next_ifindex = ifindex + 1;
	l->mtu = 1500;
	return l;
}

IPTO_EXPORT int ipto_binder_dryrun_add_adapter(struct ipto_binder *binder,
					    const char *ifname,
					    const struct ipto_mac *mac,
					    bool up)
{
	const char *who = "binder: dryrun_add_link";
	struct dr_binder *d = dr_binder_of(binder, who);
	struct dr_link *l;
	int r;

	if (!d)
		return -EINVAL;
	r = ipto_ifname_check(binder->ctx, who, ifname);
	if (r < 0)
		return r;
	if (find_link(d, ifname)) {
		log_err(binder->ctx, "%s: %s exists already\n", who, ifname);
		return -EEXIST;
	}
	l = new_link(d, ifname, 0);
	if (!l)
		return -ENOMEM;
	if (mac)
		l->mac = *mac;
	l->up = up;
	l->carrier = up;
	return 0;
}

IPTO_EXPORT int ipto_binder_dryrun_copy_adapter(struct ipto_binder *binder,
					     struct ipto_binder *source,
					     const char *ifname)
{
	const char *who = "binder: dryrun_copy_link";
	struct dr_binder *d = dr_binder_of(binder, who);
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	struct ipto_addr *addrs = NULL;
	int devconf[DEVCONF_KEYS] = { 0 };
	struct dr_link *l;
	int r, n, key;

	if (!d)
		return -EINVAL;
	if (!source || source == binder) {
		log_err(binder->ctx, "%s: no (other) source binder\n", who);
		return -EINVAL;
	}
	r = ipto_ifname_check(binder->ctx, who, ifname);
	if (r < 0)
		return r;
	if (find_link(d, ifname)) {
		log_err(binder->ctx, "%s: %s exists already\n", who, ifname);
		return -EEXIST;
	}
	r = ipto_binder_adapter_get(source, ifname, &info);
	if (r < 0)
		return r;
	n = ipto_binder_addr_list_alloc(source, ifname, &addrs);
	if (n < 0)
		return n;
	for (key = 1; key < DEVCONF_KEYS; key++) {
		r = ipto_binder_devconf_get(source, ifname,
					    (enum ipto_devconf)key,
					    &devconf[key]);
		if (r == -EOPNOTSUPP)
			devconf[key] = 0;
		else if (r < 0) {
			free(addrs);
			return r;
		}
	}
	l = new_link(d, ifname, info.ifindex);
	if (!l) {
		free(addrs);
		return -ENOMEM;
	}
	l->mac = info.mac;
	l->up = info.up;
	l->carrier = info.carrier;
	l->mtu = info.mtu;
	memcpy(l->devconf, devconf, sizeof(devconf));
	l->addrs = n > 0 ? addrs : NULL;
	l->naddrs = (size_t)n;
	l->cap_addrs = (size_t)n; /* at least */
	if (n == 0)
		free(addrs);
	else if (!(l->protos = calloc((size_t)n, 1)))
		l->naddrs = 0; /* out of memory: an empty link */
	return 0;
}

IPTO_EXPORT int ipto_binder_dryrun_set_fault(struct ipto_binder *binder,
					     unsigned int ops,
					     unsigned int nth, int err)
{
	const char *who = "binder: dryrun_set_fault";
	struct dr_binder *d = dr_binder_of(binder, who);

	const unsigned int all = IPTO_BINDER_OP_ALL | IPTO_BINDER_OP_ADAPTER_CREATE |
		IPTO_BINDER_OP_ADAPTER_DELETE | IPTO_BINDER_OP_ADAPTER_GET_ALIAS;

	if (!d)
		return -EINVAL;
	return fault_arm(&d->fault, binder->ctx, who, "dryrun binder", all, all,
			 ops, nth, err);
}

IPTO_EXPORT size_t ipto_binder_dryrun_get_call_count(
	const struct ipto_binder *binder)
{
	struct dr_binder *d = dr_binder_of(binder, "binder: dryrun_get_call_count");

	return d ? d->ncalls : 0;
}

IPTO_EXPORT int ipto_binder_dryrun_get_call(const struct ipto_binder *binder,
					    size_t index, const char **text,
					    int *result)
{
	struct dr_binder *d = dr_binder_of(binder, "binder: dryrun_get_call");

	if (!d)
		return -EINVAL;
	if (index >= d->ncalls)
		return -ERANGE;
	if (text)
		*text = d->calls[index].text;
	if (result)
		*result = d->calls[index].result;
	return 0;
}

IPTO_EXPORT int ipto_binder_dryrun_clear_calls(struct ipto_binder *binder)
{
	struct dr_binder *d = dr_binder_of(binder, "binder: dryrun_clear_calls");

	if (!d)
		return -EINVAL;
	clear_calls(d);
	return 0;
}

static int cmp_link_name(const void *a, const void *b)
{
	const struct dr_link *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static int cmp_str(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	if (!*x || !*y)
		return !*x - !*y;
	return strcmp(*x, *y);
}

static int cmp_addr(const void *a, const void *b)
{
	return ipto_addr_compare(a, b);
}

IPTO_EXPORT int ipto_binder_dryrun_dump(const struct ipto_binder *binder,
					char **out)
{
	/* devconf keys in the order of their names */
	static const enum ipto_devconf keys[] = {
		IPTO_DEVCONF_ARP_ANNOUNCE,
		IPTO_DEVCONF_ARP_FILTER,
		IPTO_DEVCONF_ARP_IGNORE,
	};
	struct dr_binder *d = dr_binder_of(binder, "binder: dryrun_dump");
	struct dr_link **sorted = NULL;
	struct ipto_addr *addrs = NULL;
	char *buf = NULL;
	size_t size = 0, i, j;
	FILE *f;
	int r = -ENOMEM;

	if (!d || !out)
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	if (d->nlinks) {
		sorted = calloc(d->nlinks, sizeof(*sorted));
		if (!sorted)
			goto out;
	}
	for (i = 0; i < d->nlinks; i++)
		sorted[i] = &d->links[i];
	if (d->nlinks)
		qsort(sorted, d->nlinks, sizeof(*sorted), cmp_link_name);
	for (i = 0; i < d->nlinks; i++) {
		const struct dr_link *l = sorted[i];
		char mac[IPTO_MAC_STRLEN], text[IPTO_ADDR_STRLEN];

		ipto_mac_format(&l->mac, mac, sizeof(mac));
		fprintf(f, "link %s ifindex %d mac %s %s mtu %u%s\n", l->name,
			l->ifindex, mac, l->up ? "up" : "down", l->mtu,
			l->carrier ? " carrier" : "");
		/* Shown only for created links, so older dumps read the same. */
		if (l->parent[0])
			fprintf(f, "macvlan %s parent %s mode %s alias %s\n",
				l->name, l->parent, mode_name(l->mode),
				l->alias[0] ? l->alias : "-");
		if (l->naddrs) {
			free(addrs);
			addrs = malloc(l->naddrs * sizeof(*addrs));
			if (!addrs)
				goto out;
			memcpy(addrs, l->addrs, l->naddrs * sizeof(*addrs));
			qsort(addrs, l->naddrs, sizeof(*addrs), cmp_addr);
		}
		for (j = 0; j < l->naddrs; j++) {
			size_t k;
			unsigned int proto = 0;

			for (k = 0; k < l->naddrs; k++)
				if (ipto_addr_equal(&l->addrs[k], &addrs[j]) &&
				    l->addrs[k].prefixlen == addrs[j].prefixlen)
					proto = l->protos[k];
			ipto_addr_format(&addrs[j], text, sizeof(text));
			if (proto)
				fprintf(f, "addr %s %s proto %u\n", l->name, text,
					proto);
			else
				fprintf(f, "addr %s %s\n", l->name, text);
		}
		for (j = 0; j < IPTO_ARRAY_SIZE(keys); j++)
			fprintf(f, "devconf %s %s %d\n", l->name,
				ipto_devconf_name(keys[j]),
				l->devconf[keys[j]]);
		/* Shown only when set, so older dumps read the same. */
		if (l->devconf[IPTO_DEVCONF_PROMOTE_SECONDARIES])
			fprintf(f, "devconf %s promote_secondaries %d\n",
				l->name,
				l->devconf[IPTO_DEVCONF_PROMOTE_SECONDARIES]);
	}
	{
		char **lines = d->nrecords ? calloc(d->nrecords, sizeof(*lines)) : NULL;

		if (d->nrecords && !lines)
			goto out;
		for (i = 0; i < d->nrecords; i++)
			if (asprintf(&lines[i], "record %s %s", d->records[i].key,
				     d->records[i].value) < 0)
				lines[i] = NULL;
		if (d->nrecords)
			qsort(lines, d->nrecords, sizeof(*lines), cmp_str);
		for (i = 0; i < d->nrecords; i++) {
			if (lines[i])
				fprintf(f, "%s\n", lines[i]);
			free(lines[i]);
		}
		free(lines);
	}
	r = 0;
out:
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	free(sorted);
	free(addrs);
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	return 0;
}
