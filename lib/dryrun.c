/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The dry-run backends. The binder keeps an in-memory model of interfaces
 * that answers like the kernel does (-EEXIST, -EADDRNOTAVAIL, -ENODEV,
 * devconf defaults 0), records every call as a line of text and can fail
 * the n-th call on purpose. The injector keeps a copy of every frame.
 */
#include "backend-private.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#define DEVCONF_KEYS 5 /* enum ipto_devconf values are 1..4 */

struct fault {
	unsigned int ops; /* mask of counted operations */
	unsigned int countdown; /* 0: every counted call fails */
	int err; /* 0: no fault armed */
	/* A backend logs the failures it makes, as the layer that knows why;
	 * the injector's sends are logged by the generic injector. */
	struct ipto_ctx *ctx;
	const char *who;
	unsigned int logged_ops;
};

static int fault_fire(const struct fault *f, unsigned int op, int err)
{
	if (f->logged_ops & op)
		log_err(f->ctx, "%s: operation 0x%x fails by the armed fault: "
			"%s\n", f->who, op, ipto_strerror(err));
	return err;
}

/* Whether the call of operation @op fails, and with what. */
static int fault_hit(struct fault *f, unsigned int op)
{
	int err = f->err;

	if (!err || !(f->ops & op))
		return 0;
	if (f->countdown == 0)
		return fault_fire(f, op, err);
	if (--f->countdown > 0)
		return 0;
	f->err = 0; /* one-shot: spent */
	return fault_fire(f, op, err);
}

static int fault_set(struct fault *f, unsigned int known, unsigned int ops,
		     unsigned int nth, int err)
{
	if ((ops & ~known) || err > 0)
		return -EINVAL;
	f->ops = ops;
	f->countdown = nth;
	f->err = err;
	return 0;
}

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
static int call_begin(struct dr_binder *d, const char *fmt, ...)
	IPTO_PRINTF_ATTR(2, 3);

static int call_begin(struct dr_binder *d, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int r;

	if (ipto_grow((void **)&d->calls, &d->calls_cap, d->ncalls + 1,
		      sizeof(*d->calls)) < 0)
		return -ENOMEM;
	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
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

static int dr_addr_add(void *userdata, const char *ifname,
		       const struct ipto_addr *addr, unsigned int flags)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	char text[IPTO_ADDR_STRLEN];
	size_t i;
	int slot, err;

	ipto_addr_format(addr, text, sizeof(text));
	slot = call_begin(d, "addr_add %s %s%s%s", ifname, text,
			  (flags & IPTO_BIND_NODAD) ? " nodad" : "",
			  (flags & IPTO_BIND_TAKEOVER) ? " takeover" :
			  (flags & IPTO_BIND_RECLAIM) ? " reclaim" : "");
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_ADDR_ADD);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
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

static int dr_addr_del(void *userdata, const char *ifname,
		       const struct ipto_addr *addr)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	char text[IPTO_ADDR_STRLEN];
	size_t i;
	int slot, err;

	ipto_addr_format(addr, text, sizeof(text));
	slot = call_begin(d, "addr_del %s %s", ifname, text);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_ADDR_DEL);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
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

static int dr_addr_list(void *userdata, const char *ifname,
			struct ipto_addr *out, size_t max)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	size_t i;
	int slot, err;

	slot = call_begin(d, "addr_list %s", ifname);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_ADDR_LIST);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
	for (i = 0; i < l->naddrs && i < max; i++)
		out[i] = l->addrs[i];
	return call_end(d, slot, (int)l->naddrs);
}

static int dr_link_get(void *userdata, const char *ifname,
		       struct ipto_link_info *info)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	int slot, err;

	slot = call_begin(d, "link_get %s", ifname);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_LINK_GET);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
	info->ifindex = l->ifindex;
	info->mac = l->mac;
	info->up = l->up;
	info->mtu = l->mtu;
	info->carrier = l->carrier;
	info->arp_ignore = l->devconf[IPTO_DEVCONF_ARP_IGNORE];
	info->arp_announce = l->devconf[IPTO_DEVCONF_ARP_ANNOUNCE];
	return call_end(d, slot, 0);
}

static int dr_link_set_up(void *userdata, const char *ifname, bool up)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	int slot, err;

	slot = call_begin(d, "link_set_up %s %s", ifname, up ? "up" : "down");
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_LINK_SET_UP);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
	l->up = up;
	l->carrier = up;
	return call_end(d, slot, 0);
}

static int dr_devconf_get(void *userdata, const char *ifname,
			  enum ipto_devconf key, int *value)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	int slot, err;

	slot = call_begin(d, "devconf_get %s %s", ifname,
			  ipto_devconf_name(key));
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_DEVCONF_GET);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
	*value = l->devconf[key];
	return call_end(d, slot, 0);
}

static int dr_devconf_set(void *userdata, const char *ifname,
			  enum ipto_devconf key, int value)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	int slot, err;

	slot = call_begin(d, "devconf_set %s %s %d", ifname,
			  ipto_devconf_name(key), value);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_DEVCONF_SET);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
	l->devconf[key] = value;
	return call_end(d, slot, 0);
}

static void clear_calls(struct dr_binder *d)
{
	size_t i;

	for (i = 0; i < d->ncalls; i++)
		free(d->calls[i].text);
	d->ncalls = 0;
}

static void dr_binder_destroy(void *userdata)
{
	struct dr_binder *d = userdata;
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
	free(d);
}

static int dr_addr_dump(void *userdata, int ifindex,
			struct ipto_addr_entry *out, size_t max)
{
	struct dr_binder *d = userdata;
	size_t i, j, n = 0;
	int slot, err;

	slot = call_begin(d, "addr_dump %d", ifindex);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_ADDR_DUMP);
	if (err)
		return call_end(d, slot, err);
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

static int dr_link_dump(void *userdata, struct ipto_link_entry *out,
			size_t max)
{
	struct dr_binder *d = userdata;
	size_t i;
	int slot, err;

	slot = call_begin(d, "link_dump");
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_LINK_DUMP);
	if (err)
		return call_end(d, slot, err);
	for (i = 0; i < d->nlinks && i < max; i++) {
		const struct dr_link *l = &d->links[i];
		struct ipto_link_entry e = { .sz = sizeof(e) };

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

static int dr_record_get(void *userdata, const char *key, char *buf,
			 size_t len)
{
	struct dr_binder *d = userdata;
	struct dr_record *r;
	int slot, err;

	slot = call_begin(d, "record_get %s", key);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_RECORD_GET);
	if (err)
		return call_end(d, slot, err);
	r = find_record(d, key);
	if (!r)
		return call_end(d, slot, -ENOENT);
	if (strlen(r->value) >= len)
		return call_end(d, slot, -ENOSPC);
	strcpy(buf, r->value);
	return call_end(d, slot, 0);
}

static int dr_record_set(void *userdata, const char *key, const char *value)
{
	struct dr_binder *d = userdata;
	struct dr_record *r, *grown;
	char *v = NULL, *k = NULL;
	int slot, err;

	slot = call_begin(d, "record_set %s %s", key, value ? value : "(delete)");
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_RECORD_SET);
	if (err)
		return call_end(d, slot, err);
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
	return mode == IPTO_MACVLAN_PRIVATE ? "private" :
	       mode == IPTO_MACVLAN_VEPA ? "vepa" : "bridge";
}

static struct dr_link *new_link(struct dr_binder *d, const char *ifname,
				int ifindex);

/* Like the kernel: the name must be free, the parent present; the new
 * link is down with every devconf value 0, then tagged and guarded. */
static int dr_link_create_macvlan(void *userdata,
				  const struct ipto_macvlan_req *req)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	char mac[IPTO_MAC_STRLEN];
	int slot, err;

	ipto_mac_format(&req->mac, mac, sizeof(mac));
	slot = call_begin(d, "link_create_macvlan %s parent %s mac %s mode %s "
			  "alias %s arp_ignore %d arp_announce %d", req->ifname,
			  req->parent, mac, mode_name(req->mode),
			  req->alias && req->alias[0] ? req->alias : "-",
			  req->arp_ignore, req->arp_announce);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_LINK_CREATE);
	if (err)
		return call_end(d, slot, err);
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

static int dr_link_delete(void *userdata, const char *ifname)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	int slot, err;

	slot = call_begin(d, "link_delete %s", ifname);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_LINK_DELETE);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
	free(l->addrs);
	free(l->protos);
	memmove(l, l + 1, (size_t)(d->links + d->nlinks - (l + 1)) * sizeof(*l));
	d->nlinks--;
	return call_end(d, slot, 0);
}

static int dr_link_get_alias(void *userdata, const char *ifname, char *buf,
			     size_t len)
{
	struct dr_binder *d = userdata;
	struct dr_link *l;
	size_t n;
	int slot, err;

	slot = call_begin(d, "link_get_alias %s", ifname);
	if (slot < 0)
		return slot;
	err = fault_hit(&d->fault, IPTO_BINDER_OP_LINK_GET_ALIAS);
	if (err)
		return call_end(d, slot, err);
	l = find_link(d, ifname);
	if (!l)
		return call_end(d, slot, -ENODEV);
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
	.link_get = dr_link_get,
	.link_set_up = dr_link_set_up,
	.devconf_get = dr_devconf_get,
	.devconf_set = dr_devconf_set,
	.destroy = dr_binder_destroy,
	.addr_dump = dr_addr_dump,
	.link_dump = dr_link_dump,
	.record_get = dr_record_get,
	.record_set = dr_record_set,
	.link_create_macvlan = dr_link_create_macvlan,
	.link_delete = dr_link_delete,
	.link_get_alias = dr_link_get_alias,
};

IPTO_EXPORT int ipto_binder_new_dryrun(struct ipto_ctx *ctx,
				       struct ipto_binder **ret)
{
	struct dr_binder *d;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->next_ifindex = 1;
	r = ipto_binder_new(ctx, &dryrun_binder_ops, d, ret);
	if (r < 0)
		free(d);
	return r;
}

/* The model behind a dry-run binder, or NULL (logged) for any other. */
static struct dr_binder *dr_binder_of(const struct ipto_binder *b,
				      const char *who)
{
	if (!b)
		return NULL;
	if (b->ops.addr_add != dr_addr_add) {
		log_err(b->ctx, "%s: not a dry-run binder\n", who);
		return NULL;
	}
	return b->userdata;
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

IPTO_EXPORT int ipto_binder_dryrun_add_link(struct ipto_binder *binder,
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

IPTO_EXPORT int ipto_binder_dryrun_copy_link(struct ipto_binder *binder,
					     struct ipto_binder *source,
					     const char *ifname)
{
	const char *who = "binder: dryrun_copy_link";
	struct dr_binder *d = dr_binder_of(binder, who);
	struct ipto_link_info info = { .sz = sizeof(info) };
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
	r = ipto_binder_link_get(source, ifname, &info);
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

	if (!d)
		return -EINVAL;
	d->fault.ctx = binder->ctx;
	d->fault.who = "dryrun binder";
	d->fault.logged_ops = IPTO_BINDER_OPS_ALL | IPTO_BINDER_OP_LINK_CREATE |
			      IPTO_BINDER_OP_LINK_DELETE | IPTO_BINDER_OP_LINK_GET_ALIAS;
	if (fault_set(&d->fault, IPTO_BINDER_OPS_ALL | IPTO_BINDER_OP_LINK_CREATE |
		      IPTO_BINDER_OP_LINK_DELETE | IPTO_BINDER_OP_LINK_GET_ALIAS,
		      ops, nth, err) < 0) {
		log_err(binder->ctx, "%s: unknown op bits 0x%x or positive "
			"error %d\n", who, ops, err);
		return -EINVAL;
	}
	return 0;
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

/* ------------------------------------------------------------------ */
/* Injector                                                            */
/* ------------------------------------------------------------------ */

struct dr_frame {
	char ifname[IPTO_IFNAME_MAX + 1];
	uint8_t *data;
	size_t len;
};

struct dr_injector {
	struct dr_frame *frames;
	size_t nframes, cap;
	size_t open_ports;
	struct fault fault;
};

struct dr_port {
	char ifname[IPTO_IFNAME_MAX + 1];
};

static int dri_open(void *userdata, const char *ifname, void **handle)
{
	struct dr_injector *d = userdata;
	struct dr_port *p;
	int err;

	err = fault_hit(&d->fault, IPTO_INJECTOR_OP_OPEN);
	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	memcpy(p->ifname, ifname, strlen(ifname) + 1);
	d->open_ports++;
	*handle = p;
	return 0;
}

static int record_frame(struct dr_injector *d, struct dr_port *p,
			const void *frame, size_t len)
{
	struct dr_frame *f;
	int err;

	err = fault_hit(&d->fault, IPTO_INJECTOR_OP_SEND);
	if (err)
		return err;
	if (ipto_grow((void **)&d->frames, &d->cap, d->nframes + 1,
		      sizeof(*d->frames)) < 0)
		return -ENOMEM;
	f = &d->frames[d->nframes];
	f->data = malloc(len);
	if (!f->data)
		return -ENOMEM;
	memcpy(f->data, frame, len);
	f->len = len;
	memcpy(f->ifname, p->ifname, sizeof(f->ifname));
	d->nframes++;
	return 0;
}

static int dri_send(void *userdata, void *handle, const void *frame,
		    size_t len)
{
	return record_frame(userdata, handle, frame, len);
}

static int dri_send_batch(void *userdata, void *handle,
			  const struct iovec *frames, size_t n)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = record_frame(userdata, handle, frames[i].iov_base,
				 frames[i].iov_len);
		if (r < 0)
			return i > 0 ? (int)i : r;
	}
	return (int)n;
}

static void dri_close(void *userdata, void *handle)
{
	struct dr_injector *d = userdata;

	d->open_ports--;
	free(handle);
}

static void clear_frames(struct dr_injector *d)
{
	size_t i;

	for (i = 0; i < d->nframes; i++)
		free(d->frames[i].data);
	d->nframes = 0;
}

static void dri_destroy(void *userdata)
{
	struct dr_injector *d = userdata;

	clear_frames(d);
	free(d->frames);
	free(d);
}

static const struct ipto_injector_ops dryrun_injector_ops = {
	.sz = sizeof(struct ipto_injector_ops),
	.open = dri_open,
	.send = dri_send,
	.send_batch = dri_send_batch,
	.close = dri_close,
	.destroy = dri_destroy,
};

IPTO_EXPORT int ipto_injector_new_dryrun(struct ipto_ctx *ctx,
					 struct ipto_injector **ret)
{
	struct dr_injector *d;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	r = ipto_injector_new(ctx, &dryrun_injector_ops, d, ret);
	if (r < 0)
		free(d);
	return r;
}

static struct dr_injector *dr_injector_of(const struct ipto_injector *inj,
					  const char *who)
{
	if (!inj)
		return NULL;
	if (inj->ops.open != dri_open) {
		log_err(inj->ctx, "%s: not a dry-run injector\n", who);
		return NULL;
	}
	return inj->userdata;
}

IPTO_EXPORT int ipto_injector_dryrun_set_fault(struct ipto_injector *injector,
					       unsigned int ops,
					       unsigned int nth, int err)
{
	const char *who = "injector: dryrun_set_fault";
	struct dr_injector *d = dr_injector_of(injector, who);

	if (!d)
		return -EINVAL;
	d->fault.ctx = injector->ctx;
	d->fault.who = "dryrun injector";
	d->fault.logged_ops = IPTO_INJECTOR_OP_OPEN;
	if (fault_set(&d->fault,
		      IPTO_INJECTOR_OP_OPEN | IPTO_INJECTOR_OP_SEND, ops, nth,
		      err) < 0) {
		log_err(injector->ctx, "%s: unknown op bits 0x%x or positive "
			"error %d\n", who, ops, err);
		return -EINVAL;
	}
	return 0;
}

IPTO_EXPORT size_t ipto_injector_dryrun_get_frame_count(
	const struct ipto_injector *injector)
{
	struct dr_injector *d =
		dr_injector_of(injector, "injector: dryrun_get_frame_count");

	return d ? d->nframes : 0;
}

IPTO_EXPORT int ipto_injector_dryrun_get_frame(
	const struct ipto_injector *injector, size_t index,
	const char **ifname, const void **frame, size_t *len)
{
	struct dr_injector *d =
		dr_injector_of(injector, "injector: dryrun_get_frame");

	if (!d)
		return -EINVAL;
	if (index >= d->nframes)
		return -ERANGE;
	if (ifname)
		*ifname = d->frames[index].ifname;
	if (frame)
		*frame = d->frames[index].data;
	if (len)
		*len = d->frames[index].len;
	return 0;
}

IPTO_EXPORT int ipto_injector_dryrun_clear_frames(struct ipto_injector *injector)
{
	struct dr_injector *d =
		dr_injector_of(injector, "injector: dryrun_clear_frames");

	if (!d)
		return -EINVAL;
	clear_frames(d);
	return 0;
}

IPTO_EXPORT size_t ipto_injector_dryrun_get_open_count(
	const struct ipto_injector *injector)
{
	struct dr_injector *d =
		dr_injector_of(injector, "injector: dryrun_get_open_count");

	return d ? d->open_ports : 0;
}
