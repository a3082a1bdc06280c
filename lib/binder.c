/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The generic binder: a reference-counted wrapper around an ops table. The
 * public wrappers check every argument, so an op never sees bad input, and
 * log every failure.
 */
#include "backend-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

IPTO_EXPORT const char *ipto_devconf_name(enum ipto_devconf key)
{
	switch (key) {
	case IPTO_DEVCONF_ARP_IGNORE:
		return "arp_ignore";
	case IPTO_DEVCONF_ARP_ANNOUNCE:
		return "arp_announce";
	case IPTO_DEVCONF_ARP_FILTER:
		return "arp_filter";
	case IPTO_DEVCONF_PROMOTE_SECONDARIES:
		return "promote_secondaries";
	}
	return NULL;
}

/* The largest value of each known setting (the kernel's range); index
 * only with a key ipto_devconf_name() knows. */
static const int devconf_max[] = {
	[IPTO_DEVCONF_ARP_IGNORE] = 8,
	[IPTO_DEVCONF_ARP_ANNOUNCE] = 2,
	[IPTO_DEVCONF_ARP_FILTER] = 1,
	[IPTO_DEVCONF_PROMOTE_SECONDARIES] = 1,
};

IPTO_DEFINE_BACKEND(ipto_binder, "binder")

/* Logs an op's failure at debug: the backend, which knows why, logged the
 * error; "state answers" (-EEXIST on add, -EADDRNOTAVAIL on delete) are
 * what a caller may probe for, so they are only info. */
int ipto_binder_op_result(struct ipto_binder *b, int r, bool state_answer,
			  const char *what, const char *ifname,
			  const char *detail)
{
	if (r >= 0)
		return r;
	if (state_answer)
		log_info(b->ctx, "binder: %s %s%s%s: %s\n", what, ifname,
			 detail ? " " : "", detail ? detail : "",
			 ipto_strerror(r));
	else
		log_dbg(b->ctx, "binder: %s %s%s%s failed: %s\n", what, ifname,
			detail ? " " : "", detail ? detail : "",
			ipto_strerror(r));
	return r;
}

int ipto_binder_check_op(struct ipto_binder *b, const char *op,
			 const char *ifname)
{
	char who[32];

	if (!b)
		return -EINVAL;
	snprintf(who, sizeof(who), "binder: %s", op);
	return ipto_ifname_check(b->ctx, who, ifname);
}

int ipto_binder_unsupported(struct ipto_binder *b, const char *what)
{
	log_err(b->ctx, "binder: this backend does not support %s\n", what);
	return -EOPNOTSUPP;
}

int ipto_binder_check_op_has(struct ipto_binder *b, const char *op,
			     const char *ifname, bool has, const char *what)
{
	int r = ipto_binder_check_op(b, op, ifname);

	if (r < 0)
		return r;
	return has ? 0 : ipto_binder_unsupported(b, what);
}

/* ipto_binder_check_op(), then a valid address. */
static int check_op_addr(struct ipto_binder *b, const char *op,
			 const char *ifname, const struct ipto_addr *addr)
{
	int r = ipto_binder_check_op(b, op, ifname);

	if (r < 0)
		return r;
	if (!addr || !ipto_addr_valid(addr)) {
		log_err(b->ctx, "binder: %s: invalid address\n", op);
		return -EINVAL;
	}
	return 0;
}

/* Checks an addr_add request; writes the address to add (prefix known)
 * and its text. */
static int prepare_add(struct ipto_binder *binder, const char *ifname,
		       const struct ipto_addr *addr, unsigned int flags,
		       struct ipto_addr *out, char *text, size_t text_size)
{
	int r, cls;

	r = check_op_addr(binder, "addr_add", ifname, addr);
	if (r < 0)
		return r;
	if ((flags & ~(unsigned int)(IPTO_BIND_NODAD | IPTO_BIND_TAKEOVER |
				     IPTO_BIND_RECLAIM | IPTO_BIND_PREFERRED)) ||
	    ((flags & IPTO_BIND_TAKEOVER) && (flags & IPTO_BIND_RECLAIM))) {
		log_err(binder->ctx, "binder: addr_add: unknown flags 0x%x\n",
			flags);
		return -EINVAL;
	}
	*out = *addr;
	if (out->prefixlen == IPTO_PREFIX_UNKNOWN)
		out->prefixlen = out->family == AF_INET ? 32 : 128;
	ipto_addr_format(out, text, text_size);
	cls = ipto_addr_classify(out);
	if (cls < 0 || !(cls & IPTO_ADDR_CLASS_UNICAST)) {
		log_err(binder->ctx,
			"binder: addr_add: %s is not a unicast address\n",
			text);
		return -EINVAL;
	}
	return 0;
}

IPTO_EXPORT int ipto_binder_addr_add(struct ipto_binder *binder,
				     const char *ifname,
				     const struct ipto_addr *addr,
				     unsigned int flags)
{
	struct ipto_addr a;
	char text[IPTO_ADDR_STRLEN];
	int r;

	r = prepare_add(binder, ifname, addr, flags, &a, text, sizeof(text));
	if (r < 0)
		return r;
	if (!binder->ops.addr_add)
		return ipto_binder_unsupported(binder, "adding addresses");
	log_dbg(binder->ctx, "binder: addr_add %s %s%s%s\n", ifname, text,
		(flags & IPTO_BIND_NODAD) ? " nodad" : "",
		ipto_bind_deprecated(&a, flags) ? " deprecated" : "");
	ipto_crash_point("addr_add", text);
	r = binder->ops.addr_add(binder, ifname, &a, flags);
	return ipto_binder_op_result(binder, r, r == -EEXIST, "addr_add", ifname, text);
}

IPTO_EXPORT int ipto_binder_addr_add_batch(struct ipto_binder *binder,
					   const struct ipto_addr_req *reqs,
					   size_t n, int *results)
{
	struct ipto_addr_req *checked;
	size_t i, *where, m = 0;
	char text[IPTO_ADDR_STRLEN];
	int r;

	if (!binder || !reqs || !results || n == 0)
		return -EINVAL;
	if (!binder->ops.addr_add_batch) {
		if (!binder->ops.addr_add)
			return ipto_binder_unsupported(binder, "adding addresses");
		for (i = 0; i < n; i++)
			results[i] = ipto_binder_addr_add(binder, reqs[i].ifname,
							  &reqs[i].addr,
							  reqs[i].flags);
		return 0;
	}
	/* Only checked requests reach the backend; a bad one gets its
	 * error here and the rest go on. */
	checked = calloc(n, sizeof(*checked));
	where = calloc(n, sizeof(*where));
	if (!checked || !where) {
		free(checked);
		free(where);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		results[i] = prepare_add(binder, reqs[i].ifname, &reqs[i].addr,
					 reqs[i].flags, &checked[m].addr, text,
					 sizeof(text));
		if (results[i] < 0)
			continue;
		checked[m].ifname = reqs[i].ifname;
		checked[m].flags = reqs[i].flags;
		where[m++] = i;
	}
	if (m > 0) {
		int *res = calloc(m, sizeof(*res));

		if (!res) {
			free(checked);
			free(where);
			return -ENOMEM;
		}
		log_dbg(binder->ctx, "binder: addr_add_batch of %zu\n", m);
		snprintf(text, sizeof(text), "%zu", m);
		ipto_crash_point("addr_add_batch", text);
		r = binder->ops.addr_add_batch(binder, checked, m, res);
		for (i = 0; i < m; i++) {
			int ri = r < 0 ? r : res[i];

			ipto_addr_format(&checked[i].addr, text, sizeof(text));
			results[where[i]] = ipto_binder_op_result(binder, ri, ri == -EEXIST,
						      "addr_add",
						      checked[i].ifname, text);
		}
		free(res);
	}
	free(checked);
	free(where);
	return 0;
}

int ipto_binder_addr_list_alloc(struct ipto_binder *binder,
				const char *ifname, struct ipto_addr **ret)
{
	struct ipto_addr *list = NULL;
	size_t cap = 0, want = 16; /* one call for any usual interface */
	int n;

	for (;;) {
		if (ipto_grow((void **)&list, &cap, want, sizeof(*list)) < 0) {
			free(list);
			return -ENOMEM;
		}
		n = ipto_binder_addr_list(binder, ifname, list, cap);
		if (n < 0) {
			free(list);
			return n;
		}
		if ((size_t)n <= cap)
			break;
		want = (size_t)n + 4; /* it grew meanwhile: ask again */
	}
	*ret = list;
	return n;
}

/* The prefix an interface has @addr with, via addr_list. */
static int lookup_prefix(struct ipto_binder *b, const char *ifname,
			 const struct ipto_addr *addr, int *prefixlen)
{
	struct ipto_addr *list = NULL;
	int n, i, r = -EADDRNOTAVAIL;

	if (!b->ops.addr_list)
		return ipto_binder_unsupported(b, "listing addresses (needed to "
					       "delete an address given without prefix)");
	n = ipto_binder_addr_list_alloc(b, ifname, &list);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (ipto_addr_equal(&list[i], addr)) {
			*prefixlen = list[i].prefixlen;
			r = 0;
			break;
		}
	}
	free(list);
	return r;
}

IPTO_EXPORT int ipto_binder_addr_del(struct ipto_binder *binder,
				     const char *ifname,
				     const struct ipto_addr *addr)
{
	struct ipto_addr a;
	char text[IPTO_ADDR_STRLEN];
	int r;

	r = check_op_addr(binder, "addr_del", ifname, addr);
	if (r < 0)
		return r;
	if (!binder->ops.addr_del)
		return ipto_binder_unsupported(binder, "removing addresses");
	a = *addr;
	if (a.prefixlen == IPTO_PREFIX_UNKNOWN) {
		r = lookup_prefix(binder, ifname, addr, &a.prefixlen);
		if (r < 0) {
			ipto_addr_format(addr, text, sizeof(text));
			return ipto_binder_op_result(binder, r, r == -EADDRNOTAVAIL,
					 "addr_del", ifname, text);
		}
	}
	ipto_addr_format(&a, text, sizeof(text));
	log_dbg(binder->ctx, "binder: addr_del %s %s\n", ifname, text);
	ipto_crash_point("addr_del", text);
	r = binder->ops.addr_del(binder, ifname, &a);
	return ipto_binder_op_result(binder, r, r == -EADDRNOTAVAIL, "addr_del", ifname,
			 text);
}

IPTO_EXPORT int ipto_binder_addr_list(struct ipto_binder *binder,
				      const char *ifname,
				      struct ipto_addr *out, size_t max)
{
	int r;

	r = ipto_binder_check_op(binder, "addr_list", ifname);
	if (r < 0)
		return r;
	if (!out && max) {
		log_err(binder->ctx, "binder: addr_list: NULL array\n");
		return -EINVAL;
	}
	if (max > (size_t)1 << 20) {
		log_err(binder->ctx, "binder: addr_list: max too large\n");
		return -EINVAL;
	}
	if (!binder->ops.addr_list)
		return ipto_binder_unsupported(binder, "listing addresses");
	r = binder->ops.addr_list(binder, ifname, max ? out : NULL,
				  max);
	return ipto_binder_op_result(binder, r, false, "addr_list", ifname, NULL);
}

IPTO_EXPORT int ipto_binder_adapter_get(struct ipto_binder *binder,
				     const char *ifname,
				     struct ipto_adapter_info *info)
{
	struct ipto_adapter_info tmp;
	int r;

	r = ipto_binder_check_op(binder, "adapter_get", ifname);
	if (r < 0)
		return r;
	if (!info || info->sz < offsetof(struct ipto_adapter_info, ifindex) +
					sizeof(info->ifindex)) {
		log_err(binder->ctx, "binder: adapter_get: info NULL or its sz "
			"too small\n");
		return -EINVAL;
	}
	if (!binder->ops.adapter_get)
		return ipto_binder_unsupported(binder, "reading links");
	memset(&tmp, 0, sizeof(tmp));
	tmp.sz = sizeof(tmp);
	tmp.arp_ignore = -1; /* "not read", unless the backend fills them */
	tmp.arp_announce = -1;
	r = binder->ops.adapter_get(binder, ifname, &tmp);
	if (r < 0)
		return ipto_binder_op_result(binder, r, false, "adapter_get", ifname, NULL);
	if (tmp.ifindex <= 0) {
		log_err(binder->ctx, "binder: adapter_get %s: backend gave no "
			"ifindex\n", ifname);
		return -EIO;
	}
	ipto_sized_copy_out(info, &tmp, sizeof(tmp));
	return 0;
}

IPTO_EXPORT int ipto_binder_adapter_set_up(struct ipto_binder *binder,
					const char *ifname, bool up)
{
	int r;

	r = ipto_binder_op_begin(binder, adapter_set_up, ifname,
				 "setting links up or down");
	if (r < 0)
		return r;
	log_dbg(binder->ctx, "binder: adapter_set_up %s %s\n", ifname,
		up ? "up" : "down");
	ipto_crash_point(up ? "link_up" : "link_down", ifname);
	r = binder->ops.adapter_set_up(binder, ifname, up);
	return ipto_binder_op_result(binder, r, false, "adapter_set_up", ifname,
			 up ? "up" : "down");
}

/* ipto_binder_check_op(), then a known devconf key. */
static int check_op_key(struct ipto_binder *b, const char *op,
			const char *ifname, enum ipto_devconf key)
{
	int r = ipto_binder_check_op(b, op, ifname);

	if (r < 0)
		return r;
	if (!ipto_devconf_name(key)) {
		log_err(b->ctx, "binder: %s: unknown devconf key %d\n", op,
			(int)key);
		return -EINVAL;
	}
	return 0;
}

IPTO_EXPORT int ipto_binder_devconf_get(struct ipto_binder *binder,
					const char *ifname,
					enum ipto_devconf key, int *value)
{
	int r, v = 0;

	r = check_op_key(binder, "devconf_get", ifname, key);
	if (r < 0)
		return r;
	if (!value) {
		log_err(binder->ctx, "binder: devconf_get: NULL value\n");
		return -EINVAL;
	}
	if (!binder->ops.devconf_get)
		return ipto_binder_unsupported(binder, "reading devconf values");
	r = binder->ops.devconf_get(binder, ifname, key, &v);
	if (r < 0)
		return ipto_binder_op_result(binder, r, false, "devconf_get", ifname,
				 ipto_devconf_name(key));
	*value = v;
	return 0;
}

IPTO_EXPORT int ipto_binder_devconf_set(struct ipto_binder *binder,
					const char *ifname,
					enum ipto_devconf key, int value)
{
	char detail[48];
	int r;

	r = check_op_key(binder, "devconf_set", ifname, key);
	if (r < 0)
		return r;
	if (value < 0 || value > devconf_max[key]) {
		log_err(binder->ctx, "binder: devconf_set: %s must be 0..%d, "
			"not %d\n", ipto_devconf_name(key), devconf_max[key],
			value);
		return -EINVAL;
	}
	if (!binder->ops.devconf_set)
		return ipto_binder_unsupported(binder, "writing devconf values");
	snprintf(detail, sizeof(detail), "%s %d", ipto_devconf_name(key),
		 value);
	log_dbg(binder->ctx, "binder: devconf_set %s %s\n", ifname, detail);
	ipto_crash_point("devconf_set", ifname);
	r = binder->ops.devconf_set(binder, ifname, key, value);
	return ipto_binder_op_result(binder, r, false, "devconf_set", ifname, detail);
}

/* Every entry of a dump array (of @stride bytes each) has its sz set. */
static int check_entries(struct ipto_binder *b, const char *what,
			 const void *out, size_t max, size_t stride)
{
	size_t i;

	for (i = 0; i < max; i++)
		if (ipto_sized_get_sz((const char *)out + i * stride) <
		    sizeof(size_t)) {
			log_err(b->ctx, "binder: %s: entry sz not set\n", what);
			return -EINVAL;
		}
	return 0;
}

IPTO_EXPORT int ipto_binder_addr_dump(struct ipto_binder *binder, int ifindex,
				      struct ipto_addr_entry *out, size_t max)
{
	int r;

	if (!binder || ifindex < 0 || (max && !out))
		return -EINVAL;
	if (check_entries(binder, "addr_dump", out, max, sizeof(*out)) < 0)
		return -EINVAL;
	if (!binder->ops.addr_dump)
		return ipto_binder_unsupported(binder, "address dumps");
	r = binder->ops.addr_dump(binder, ifindex, out, max);
	return ipto_binder_op_result(binder, r, false, "addr_dump", "", "");
}

IPTO_EXPORT int ipto_binder_adapter_dump(struct ipto_binder *binder,
				      struct ipto_adapter_entry *out, size_t max)
{
	int r;

	if (!binder || (max && !out))
		return -EINVAL;
	if (check_entries(binder, "adapter_dump", out, max, sizeof(*out)) < 0)
		return -EINVAL;
	if (!binder->ops.adapter_dump)
		return ipto_binder_unsupported(binder, "link dumps");
	r = binder->ops.adapter_dump(binder, out, max);
	return ipto_binder_op_result(binder, r, false, "adapter_dump", "", "");
}

static int check_record_key(struct ipto_binder *b, const char *key)
{
	size_t i, len = key ? strnlen(key, 65) : 0;

	if (len == 0 || len > 64)
		goto bad;
	for (i = 0; i < len; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == ':' || c == '-'))
			goto bad;
	}
	if (key[0] == '.')
		goto bad;
	return 0;
bad:
	log_err(b->ctx, "binder: record: bad key\n");
	return -EINVAL;
}

IPTO_EXPORT int ipto_binder_record_get(struct ipto_binder *binder,
				       const char *key, char *buf, size_t len)
{
	int r;

	if (!binder || !buf || len == 0)
		return -EINVAL;
	r = check_record_key(binder, key);
	if (r < 0)
		return r;
	if (!binder->ops.record_get)
		return ipto_binder_unsupported(binder, "a record");
	r = binder->ops.record_get(binder, key, buf, len);
	return ipto_binder_op_result(binder, r, r == -ENOENT, "record_get", key, "");
}

IPTO_EXPORT int ipto_binder_record_set(struct ipto_binder *binder,
				       const char *key, const char *value)
{
	int r;

	if (!binder)
		return -EINVAL;
	r = check_record_key(binder, key);
	if (r < 0)
		return r;
	if (value && (strnlen(value, 256) > 255 || strchr(value, '\n'))) {
		log_err(binder->ctx, "binder: record_set %s: bad value\n", key);
		return -EINVAL;
	}
	if (!binder->ops.record_set)
		return ipto_binder_unsupported(binder, "a record");
	ipto_crash_point(value ? "record_write" : "record_remove", key);
	r = binder->ops.record_set(binder, key, value);
	return ipto_binder_op_result(binder, r, false, "record_set", key, "");
}

/* The macvlan link operations (doc/macvlan.md). */
IPTO_EXPORT int ipto_binder_adapter_create_macvlan(struct ipto_binder *binder,
						const struct ipto_macvlan_req *req)
{
	struct ipto_macvlan_req r = { 0 };
	int err, cls;

	if (!binder || !req)
		return -EINVAL;
	err = ipto_opts_valid(binder->ctx, "binder: adapter_create_macvlan", req,
			      ipto_macvlan_req, arp_announce);
	if (err < 0)
		return err;
	memcpy(&r, req, req->sz < sizeof(r) ? req->sz : sizeof(r));
	r.sz = sizeof(r);
	if (req->sz < offsetof(struct ipto_macvlan_req, arp_ignore) + sizeof(int))
		r.arp_ignore = -1;
	if (req->sz < offsetof(struct ipto_macvlan_req, arp_announce) + sizeof(int))
		r.arp_announce = -1;
	err = ipto_ifname_check(binder->ctx, "binder: adapter_create_macvlan", r.ifname);
	if (err == 0)
		err = ipto_ifname_check(binder->ctx,
					"binder: adapter_create_macvlan parent", r.parent);
	if (err < 0)
		return err;
	cls = ipto_mac_classify(&r.mac);
	if (cls < 0 || !(cls & IPTO_MAC_CLASS_UNICAST) ||
	    r.mode < IPTO_MACVLAN_MODE_BRIDGE || r.mode > IPTO_MACVLAN_MODE_VEPA ||
	    (r.alias && strnlen(r.alias, 256) > 255) ||
	    r.arp_ignore < -1 || r.arp_ignore > 8 ||
	    r.arp_announce < -1 || r.arp_announce > 2 ||
	    strcmp(r.ifname, r.parent) == 0) {
		log_err(binder->ctx, "binder: adapter_create_macvlan %s: bad request "
			"(MAC, mode, alias or ARP values)\n", r.ifname);
		return -EINVAL;
	}
	if (!binder->ops.adapter_create_macvlan)
		return ipto_binder_unsupported(binder, "creating links");
	log_dbg(binder->ctx, "binder: adapter_create_macvlan %s on %s\n", r.ifname,
		r.parent);
	ipto_crash_point("link_create", r.ifname);
	err = binder->ops.adapter_create_macvlan(binder, &r);
	return ipto_binder_op_result(binder, err, false,
				     "adapter_create_macvlan", r.ifname,
				     r.parent);
}

IPTO_EXPORT int ipto_binder_adapter_delete(struct ipto_binder *binder,
					const char *ifname)
{
	int err;

	err = ipto_binder_op_begin(binder, adapter_delete, ifname,
				   "deleting links");
	if (err < 0)
		return err;
	log_dbg(binder->ctx, "binder: adapter_delete %s\n", ifname);
	ipto_crash_point("link_delete", ifname);
	err = binder->ops.adapter_delete(binder, ifname);
	return ipto_binder_op_result(binder, err, false, "adapter_delete",
				     ifname, NULL);
}

IPTO_EXPORT int ipto_binder_adapter_get_alias(struct ipto_binder *binder,
					   const char *ifname, char *buf,
					   size_t len)
{
	int err;

	if (!buf || len == 0)
		return -EINVAL;
	err = ipto_binder_check_op(binder, "adapter_get_alias", ifname);
	if (err < 0)
		return err;
	if (!binder->ops.adapter_get_alias) {
		log_info(binder->ctx, "binder: this backend cannot read aliases\n");
		return -EOPNOTSUPP;
	}
	buf[0] = '\0';
	err = binder->ops.adapter_get_alias(binder, ifname, buf, len);
	return ipto_binder_op_result(binder, err, false, "adapter_get_alias",
				     ifname, NULL);
}

/* How a dump array is filled: links, links with aliases (a binder with
 * the fast link_dump_aliases), or addresses. */
enum dump_kind { DUMP_LINKS, DUMP_LINKS_ALIASES, DUMP_ADDRS };

/* The one loop behind the *_dump_alloc() calls below. */
static int dump_alloc(struct ipto_binder *b, enum dump_kind kind, int ifindex,
		      void **ret, char (**aliases)[IPTO_LINK_ALIAS_MAX])
{
	size_t elem = kind == DUMP_ADDRS ? sizeof(struct ipto_addr_entry)
					 : sizeof(struct ipto_adapter_entry);
	size_t room = kind == DUMP_ADDRS ? IPTO_DUMP_ROOM_ADDRS
					 : IPTO_DUMP_ROOM_LINKS;
	char (*al)[IPTO_LINK_ALIAS_MAX] = NULL;
	char *out;
	size_t i;
	int n;

	for (;;) {
		out = calloc(room, elem);
		if (kind == DUMP_LINKS_ALIASES)
			al = calloc(room, sizeof(*al));
		if (!out || (kind == DUMP_LINKS_ALIASES && !al)) {
			free(out);
			free(al);
			return -ENOMEM;
		}
		for (i = 0; i < room; i++)
			memcpy(out + i * elem, &elem, sizeof(elem));
		if (kind == DUMP_ADDRS)
			n = ipto_binder_addr_dump(b, ifindex, (void *)out, room);
		else if (kind == DUMP_LINKS)
			n = ipto_binder_adapter_dump(b, (void *)out, room);
		else
			n = ipto_binder_fast(b, link_dump_aliases)
				    ? b->builtin->link_dump_aliases(b, (void *)out, al, room)
				    : -EOPNOTSUPP;
		if (n >= 0 && (size_t)n <= room)
			break;
		free(out);
		free(al);
		if (n < 0)
			return n;
		/* it grew meanwhile: again, with room to spare */
		room = (size_t)n + (kind == DUMP_ADDRS ? 32 : 16);
	}
	*ret = out;
	if (aliases)
		*aliases = al;
	return n;
}

int ipto_binder_adapter_dump_alloc(struct ipto_binder *binder,
				   struct ipto_adapter_entry **ret)
{
	return dump_alloc(binder, DUMP_LINKS, 0, (void **)ret, NULL);
}

int ipto_binder_adapter_dump_alloc_aliases(
	struct ipto_binder *binder, struct ipto_adapter_entry **ret,
	char (**aliases)[IPTO_LINK_ALIAS_MAX])
{
	return dump_alloc(binder, DUMP_LINKS_ALIASES, 0, (void **)ret,
			  aliases);
}

int ipto_binder_addr_dump_alloc(struct ipto_binder *binder, int ifindex,
				struct ipto_addr_entry **ret)
{
	return dump_alloc(binder, DUMP_ADDRS, ifindex, (void **)ret, NULL);
}

#if !HAVE_NETLINK
IPTO_DEFINE_NOT_BUILT(ipto_binder, ipto_binder_new_netlink, "netlink binder",
		      "libnl")
#endif

/* The address watch, through the binder's fast operations
 * (backend-private.h). */
int ipto_binder_addr_watch_open(struct ipto_binder *b,
				struct ipto_addr_watch **ret)
{
	if (!ipto_binder_fast(b, addr_watch_open))
		return -EOPNOTSUPP;
	return b->builtin->addr_watch_open(b, ret);
}

int ipto_binder_addr_watch_read(struct ipto_binder *b,
				struct ipto_addr_watch *w,
				void (*gone)(void *data, int ifindex,
					     const struct ipto_addr *addr),
				void *data)
{
	if (!w || !ipto_binder_fast(b, addr_watch_read))
		return -EOPNOTSUPP;
	return b->builtin->addr_watch_read(w, gone, data);
}

void ipto_binder_addr_watch_close(struct ipto_binder *b,
				  struct ipto_addr_watch *w)
{
	if (w && ipto_binder_fast(b, addr_watch_close))
		b->builtin->addr_watch_close(w);
}
