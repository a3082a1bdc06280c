/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Virtual takeover adapters: macvlan links on one NIC, each with its own
 * MAC, that a takeover creates when its plan needs them and a release
 * deletes once they are empty (doc/macvlan.md).
 *
 * - In the pool they are ordinary adapters with a parent and an index
 *   (pool-macvlan.c: their names and MACs, derived from the description).
 * - In the kernel each carries its tag as its alias (IFLA_IFALIAS):
 *   "ipto:STANDBY:INDEX" (made on demand: a release deletes it) or
 *   "ipto:STANDBY:INDEX:keep" (made at setup, left in place). Any process
 *   can tell libipto's links from others by it; cleanup acts on it only.
 */
#include "backend-private.h"
#include "pool-private.h"
#include "macvlan-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int macvlan_tag_format(const char *standby, uint32_t index, bool keep,
		       char *buf, size_t len)
{
	int n = snprintf(buf, len, MV_TAG_HEAD "%s:%u%s", standby,
			 (unsigned int)index, keep ? MV_TAG_KEEP : "");

	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

IPTO_EXPORT int ipto_macvlan_tag_parse(const char *alias, char *standby,
				       size_t len, unsigned int *index,
				       unsigned int *flags)
{
	size_t n, end, start;
	unsigned long v = 0;
	unsigned int f = 0;

	if (!alias || (standby && len == 0))
		return -EINVAL;
	n = strlen(alias);
	if (n <= strlen(MV_TAG_HEAD) ||
	    strncmp(alias, MV_TAG_HEAD, strlen(MV_TAG_HEAD)) != 0)
		return -ENODATA;
	end = n;
	if (n > strlen(MV_TAG_KEEP) &&
	    strcmp(alias + n - strlen(MV_TAG_KEEP), MV_TAG_KEEP) == 0) {
		f |= IPTO_MACVLAN_KEEP;
		end -= strlen(MV_TAG_KEEP);
	}
	start = end;
	while (start > 0 && alias[start - 1] >= '0' && alias[start - 1] <= '9')
		start--;
	if (start == end || end - start > 4 || start == 0 ||
	    alias[start - 1] != ':' || start - 1 <= strlen(MV_TAG_HEAD))
		return -ENODATA;
	for (size_t i = start; i < end; i++)
		v = v * 10 + (unsigned long)(alias[i] - '0');
	if (v >= MV_MAX_COUNT)
		return -ENODATA;
	if (standby) {
		size_t sl = start - 1 - strlen(MV_TAG_HEAD);

		if (sl + 1 > len)
			return -ENOSPC;
		memcpy(standby, alias + strlen(MV_TAG_HEAD), sl);
		standby[sl] = '\0';
	}
	if (index)
		*index = (unsigned int)v;
	if (flags)
		*flags = f;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Links in the kernel                                                 */
/* ------------------------------------------------------------------ */

/* Whether the existing link @ifname carries the tag of adapter @a of
 * @standby: 1 yes (*keep set), 0 no (logged), or a negative errno. */
static int link_is_ours(struct ipto_binder *b, const char *standby,
			const struct pool_adapter *a, const char *ifname,
			bool *keep)
{
	char alias[256], sb[256];
	unsigned int index, flags;
	int r;

	r = ipto_binder_adapter_get_alias(b, ifname, alias, sizeof(alias));
	if (r < 0)
		return r;
	if (ipto_macvlan_tag_parse(alias, sb, sizeof(sb), &index, &flags) == 0 &&
	    strcmp(sb, standby) == 0 && index == a->mv_index) {
		*keep = flags & IPTO_MACVLAN_KEEP;
		return 1;
	}
	log_err(b->ctx, "macvlan: %s exists but is not libipto's macvlan "
		"adapter %u of %s (its alias is \"%s\"): not touching it\n",
		ifname, (unsigned int)a->mv_index, standby, alias);
	return 0;
}

static int create_link(struct ipto_binder *b, const char *standby,
		       const struct pool_adapter *a, bool keep)
{
	IPTO_OPTS(ipto_macvlan_req, req, .ifname = a->ifname,
		  .parent = a->mv_parent, .mac = a->mac,
		  .mode = IPTO_MACVLAN_MODE_BRIDGE, .arp_ignore = 1,
		  .arp_announce = 2);
	char tag[256];
	int r;

	r = macvlan_tag_format(standby, a->mv_index, keep, tag, sizeof(tag));
	if (r < 0)
		return r;
	req.alias = tag;
	r = ipto_binder_adapter_create_macvlan(b, &req);
	if (r == -EEXIST) /* a backend's answer, not an error it logs */
		log_err(b->ctx, "macvlan: cannot create %s on %s: %s\n",
			a->ifname, a->mv_parent, ipto_strerror(r));
	else if (r < 0)
		log_dbg(b->ctx, "macvlan: cannot create %s on %s: %s\n",
			a->ifname, a->mv_parent, ipto_strerror(r));
	else
		log_info(b->ctx, "macvlan: created %s on %s (%s)\n", a->ifname,
			 a->mv_parent, tag);
	return r;
}

/* Whether @ifname exists: 1, 0, or a negative errno; probed through its
 * alias (an absent link is an answer here, not an error to log). */
static int link_exists(struct ipto_binder *b, const char *ifname)
{
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	char alias[256];
	int r;

	r = ipto_binder_adapter_get_alias(b, ifname, alias, sizeof(alias));
	if (r == -EOPNOTSUPP || r == -ENOSPC)
		r = ipto_binder_adapter_get(b, ifname, &info);
	if (r == -ENODEV)
		return 0;
	return r < 0 ? r : 1;
}

int macvlan_prepare(struct ipto_binder *b, const struct ipto_plan *plan,
		    const char *standby, const char *ifname, bool *created)
{
	const struct pool_adapter *a;
	bool keep;
	int r;

	*created = false;
	if (!standby)
		return 0;
	a = pool_plan_adapter(plan, standby, ifname);
	if (!a || !a->mv_parent)
		return 0;
	r = link_exists(b, ifname);
	if (r < 0)
		return r;
	if (r == 1) {
		r = link_is_ours(b, standby, a, ifname, &keep);
		if (r == -EOPNOTSUPP)
			return 0; /* no aliases: check_links checks its MAC */
		if (r < 0)
			return r;
		return r ? 0 : -EEXIST;
	}
	r = create_link(b, standby, a, false);
	if (r == 0)
		*created = true;
	return r;
}

static int count_addrs(struct ipto_binder *b, const char *ifname);

void macvlan_release(struct ipto_binder *b, const struct ipto_plan *plan,
		     const char *standby, const char *ifname)
{
	const struct pool_adapter *a;
	bool keep = false;

	if (!standby)
		return;
	a = pool_plan_adapter(plan, standby, ifname);
	if (!a || !a->mv_parent || link_exists(b, ifname) != 1 ||
	    link_is_ours(b, standby, a, ifname, &keep) != 1 || keep)
		return;
	if (count_addrs(b, ifname) != 0) {
		log_info(b->ctx, "release: %s still holds addresses: kept\n", ifname);
		return;
	}
	if (ipto_binder_adapter_delete(b, ifname) == 0)
		log_info(b->ctx, "release: deleted %s, the macvlan the takeover "
			 "created\n", ifname);
}

IPTO_EXPORT int ipto_macvlan_setup(struct ipto_pool *pool, const char *standby,
				   struct ipto_binder *binder,
				   unsigned int flags)
{
	const struct pool_standby *sb;
	bool *make = NULL, keep;
	uint32_t s;
	size_t k, made = 0;
	int r = 0;

	if (!pool || !standby || !binder || (flags & ~(unsigned int)IPTO_MACVLAN_KEEP))
		return -EINVAL;
	s = pool_find_standby(pool, standby);
	if (s == POOL_NONE) {
		log_err(pool->ctx, "macvlan: no standby %s\n", standby);
		return -ENOENT;
	}
	sb = &pool->standbys[s];
	make = calloc(sb->n_adapters + 1, sizeof(*make));
	if (!make)
		return -ENOMEM;
	for (k = 0; k < sb->n_adapters && r >= 0; k++) {
		const struct pool_adapter *a = &pool->adapters[sb->adapters[k]];

		if (!a->mv_parent)
			continue;
		r = link_exists(binder, a->ifname);
		if (r == 0) {
			make[k] = true;
		} else if (r == 1) {
			r = link_is_ours(binder, standby, a, a->ifname, &keep);
			if (r == 0)
				r = -EEXIST;
		}
	}
	for (k = 0; k < sb->n_adapters && r >= 0; k++) {
		if (!make[k])
			continue;
		r = create_link(binder, standby, &pool->adapters[sb->adapters[k]],
				flags & IPTO_MACVLAN_KEEP);
		if (r < 0)
			break;
		made++;
		/* Up at once: no link change left for the failover path, and
		 * the switch learns the MACs (and shows its MAC limit) now. */
		r = ipto_binder_adapter_set_up(binder,
					    pool->adapters[sb->adapters[k]].ifname, true);
		if (r < 0) {
			k++;
			break;
		}
	}
	if (r < 0) {
		/* all or nothing: delete what this call made */
		while (k-- > 0)
			if (make[k] && made-- > 0)
				ipto_binder_adapter_delete(binder,
							pool->adapters[sb->adapters[k]].ifname);
		free(make);
		return r;
	}
	free(make);
	return (int)made;
}

/* The number of addresses of @ifname other than IPv6 link-local ones. */
static int count_addrs(struct ipto_binder *b, const char *ifname)
{
	struct ipto_addr *addrs;
	int n, i, k = 0;

	n = ipto_binder_addr_list_alloc(b, ifname, &addrs);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		k += !(addrs[i].family == AF_INET6 && addrs[i].bytes[0] == 0xfe &&
		       (addrs[i].bytes[1] & 0xc0) == 0x80);
	free(addrs);
	return k;
}

/*
 * The tagged links of @standby (NULL: every standby) from one link dump,
 * in *@ret (malloc()ed, NULL for none); returns how many. One dump, so the
 * array and its count always agree, however the links change meanwhile.
 */
static int macvlan_collect(struct ipto_binder *binder, const char *standby,
			   struct ipto_macvlan_entry **ret)
{
	struct ipto_adapter_entry *links = NULL;
	char (*aliases)[IPTO_LINK_ALIAS_MAX] = NULL;
	struct ipto_macvlan_entry *out = NULL;
	size_t i, found = 0, cap = 0;
	int n;

	*ret = NULL;
	/* With the netlink binder, the aliases come with the one dump,
	 * instead of one request per link. */
	n = ipto_binder_adapter_dump_alloc_aliases(binder, &links, &aliases);
	if (n == -EOPNOTSUPP)
		n = ipto_binder_adapter_dump_alloc(binder, &links);
	if (n < 0)
		return n;
	for (i = 0; i < (size_t)n; i++) {
		struct ipto_macvlan_entry e = { .sz = sizeof(e) };
		char alias[IPTO_LINK_ALIAS_MAX];
		int c;

		if (aliases)
			memcpy(alias, aliases[i], sizeof(alias));
		else if (ipto_binder_adapter_get_alias(binder, links[i].ifname, alias,
						    sizeof(alias)) < 0)
			continue;
		if (ipto_macvlan_tag_parse(alias, e.standby, sizeof(e.standby),
					   &e.index, &e.flags) < 0 ||
		    (standby && strcmp(e.standby, standby) != 0))
			continue;
		memcpy(e.ifname, links[i].ifname, sizeof(e.ifname));
		e.ifindex = links[i].ifindex;
		e.mac = links[i].mac;
		e.up = links[i].up;
		c = count_addrs(binder, links[i].ifname);
		e.n_addrs = c < 0 ? 0 : (unsigned int)c;
		if (found == INT32_MAX ||
		    ipto_grow((void **)&out, &cap, found + 1, sizeof(*out)) < 0) {
			free(out);
			free(links);
			free(aliases);
			return -ENOMEM;
		}
		out[found++] = e;
	}
	free(links);
	free(aliases);
	*ret = out;
	return (int)found;
}

IPTO_EXPORT int ipto_macvlan_list(struct ipto_binder *binder,
				  const char *standby,
				  struct ipto_macvlan_entry *out, size_t max)
{
	struct ipto_macvlan_entry *all;
	size_t i;
	int n;

	if (!binder || !ipto_sized_array_ok(out, sizeof(*out), max))
		return -EINVAL;
	n = macvlan_collect(binder, standby, &all);
	if (n < 0)
		return n;
	for (i = 0; i < (size_t)n && i < max; i++)
		ipto_sized_copy_out(&out[i], &all[i], sizeof(all[i]));
	free(all);
	return n;
}

IPTO_EXPORT int ipto_macvlan_cleanup(struct ipto_binder *binder,
				     const char *standby, unsigned int flags)
{
	struct ipto_macvlan_entry *e;
	int n, i, deleted = 0, r;

	if (!binder || (flags & ~(unsigned int)IPTO_MACVLAN_KEEP))
		return -EINVAL;
	/* One list, walked as far as it was filled (never a count from one
	 * call and the entries from another: links come and go meanwhile). */
	n = macvlan_collect(binder, standby, &e);
	if (n <= 0)
		return n;
	for (i = 0; i < n; i++) {
		if ((e[i].flags & IPTO_MACVLAN_KEEP) && !(flags & IPTO_MACVLAN_KEEP))
			continue;
		/* read again: another process may have bound meanwhile */
		r = count_addrs(binder, e[i].ifname);
		if (r != 0) {
			log_info(binder->ctx, "cleanup: %s (ipto:%s:%u) holds "
				 "addresses: kept\n", e[i].ifname, e[i].standby,
				 e[i].index);
			continue;
		}
		r = ipto_binder_adapter_delete(binder, e[i].ifname);
		if (r == -ENODEV)
			continue;
		if (r < 0) {
			free(e);
			return r;
		}
		log_info(binder->ctx, "cleanup: deleted %s (ipto:%s:%u%s)\n",
			 e[i].ifname, e[i].standby, e[i].index,
			 e[i].flags & IPTO_MACVLAN_KEEP ? ":keep" : "");
		deleted++;
	}
	free(e);
	return deleted;
}
