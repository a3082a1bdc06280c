/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Virtual takeover adapters: macvlan links on one NIC, each with its own
 * MAC, that a takeover creates when its plan needs them and a release
 * deletes once they are empty (doc/macvlan.md).
 *
 * - In the pool they are ordinary adapters with a parent and an index
 *   (pool_adapter.mv_parent, .mv_index), so the capacity rule, plans and
 *   their output see them like any other adapter.
 * - Their names are PREFIX + index, their MACs derived from the standby's
 *   name and the index (or a base MAC + index): the same description
 *   always gives the same links.
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

#define MV_MAX_COUNT 4096
#define MV_STANDBY_MAX 240	/* "ipto:" + name + ":4095:keep" < 256 */
#define MV_PREFIX_MAX 12	/* + up to 3 digits of an index fits 15 */
#define MV_TAG_HEAD "ipto:"
#define MV_TAG_KEEP ":keep"

/*
 * FNV-1a, 64 bits: a few lines, well known, stable across versions and
 * machines, which is all a MAC derivation needs (it is no security
 * boundary: a clash with the description is refused, one with the LAN is
 * what locally administered addresses risk anyway). See doc/macvlan.md.
 */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void derive_mac(const char *standby, uint32_t index,
		       const struct ipto_mac *base, struct ipto_mac *out)
{
	static const struct ipto_mac zero;
	uint64_t v;
	int i;

	if (!ipto_mac_equal(base, &zero)) {
		/* base + index over the low 40 bits; byte 0 stays. */
		v = 0;
		for (i = 1; i < 6; i++)
			v = (v << 8) | base->bytes[i];
		v = (v + index) & ((1ull << 40) - 1);
		out->bytes[0] = base->bytes[0];
		for (i = 5; i >= 1; i--, v >>= 8)
			out->bytes[i] = (uint8_t)v;
		return;
	}
	{
		unsigned char idx[4] = { (unsigned char)(index >> 24),
					 (unsigned char)(index >> 16),
					 (unsigned char)(index >> 8),
					 (unsigned char)index };

		v = fnv1a(0xcbf29ce484222325ull, "ipto-macvlan", 13);
		v = fnv1a(v, standby, strlen(standby) + 1);
		v = fnv1a(v, idx, sizeof(idx));
		/* MurmurHash3's finaliser: FNV alone leaves neighbouring
		 * indices with equal high bytes. */
		v ^= v >> 33;
		v *= 0xff51afd7ed558ccdull;
		v ^= v >> 33;
		v *= 0xc4ceb9fe1a85ec53ull;
		v ^= v >> 33;
	}
	for (i = 5; i >= 0; i--, v >>= 8)
		out->bytes[i] = (uint8_t)v;
	/* locally administered, unicast */
	out->bytes[0] = (uint8_t)((out->bytes[0] & 0xfc) | 0x02);
}

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

static bool prefix_valid(const char *p)
{
	size_t i, n = strlen(p);

	if (n == 0 || n > MV_PREFIX_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':')
			return false;
	}
	return true;
}

IPTO_EXPORT int ipto_pool_add_macvlan_adapters(struct ipto_pool *pool,
					       const char *standby,
					       const char *parent,
					       unsigned int count,
					       const struct ipto_macvlan_opts *opts)
{
	static const struct ipto_mac zero;
	char name[IPTO_IFNAME_MAX + 1], buf[IPTO_MAC_STRLEN];
	struct ipto_mac base = zero, *macs = NULL;
	const char *prefix = "ipto";
	struct pool_standby *sb;
	uint32_t s, first = 0, i;
	size_t k;
	int r;

	if (!pool || !standby || !parent)
		return -EINVAL;
	r = ipto_opts_valid(pool->ctx, "macvlan", opts, ipto_macvlan_opts,
			    name_prefix);
	if (r < 0)
		return r;
	if (opts) {
		base = ipto_opts_get(opts, ipto_macvlan_opts, base_mac, zero);
		prefix = ipto_opts_get(opts, ipto_macvlan_opts, name_prefix, NULL);
		if (!prefix)
			prefix = "ipto";
	}
	if (count == 0 || count > MV_MAX_COUNT) {
		log_err(pool->ctx, "macvlan: %s: count %u is not 1..%d\n",
			standby, count, MV_MAX_COUNT);
		return -EINVAL;
	}
	if (ipto_ifname_check(pool->ctx, "macvlan: parent", parent) < 0 ||
	    strchr(parent, ':') || strchr(parent, '/')) {
		log_err(pool->ctx, "macvlan: %s: bad parent interface name\n",
			standby);
		return -EINVAL;
	}
	if (!prefix_valid(prefix)) {
		log_err(pool->ctx, "macvlan: bad name prefix \"%s\" (1..%d "
			"characters, no blanks, '/' or ':')\n", prefix,
			MV_PREFIX_MAX);
		return -EINVAL;
	}
	if (!ipto_mac_equal(&base, &zero)) {
		int cls = ipto_mac_classify(&base);

		if (cls < 0 || !(cls & IPTO_MAC_CLASS_UNICAST) || !(cls & IPTO_MAC_CLASS_LOCAL)) {
			log_err(pool->ctx, "macvlan: base MAC %s is not a locally "
				"administered unicast MAC\n",
				ipto_mac_format(&base, buf, sizeof(buf)) > 0 ? buf : "?");
			return -EINVAL;
		}
	}
	s = pool_find_standby(pool, standby);
	if (s == POOL_NONE) {
		log_err(pool->ctx, "macvlan: no standby %s\n", standby);
		return -ENOENT;
	}
	if (strlen(standby) > MV_STANDBY_MAX) {
		log_err(pool->ctx, "macvlan: standby name longer than %d bytes "
			"cannot tag its links\n", MV_STANDBY_MAX);
		return -ENAMETOOLONG;
	}
	sb = &pool->standbys[s];
	for (k = 0; k < sb->n_adapters; k++) {
		const struct pool_adapter *a = &pool->adapters[sb->adapters[k]];

		if (a->mv_parent && a->mv_index + 1 > first)
			first = a->mv_index + 1;
	}
	if (first + count > MV_MAX_COUNT) {
		log_err(pool->ctx, "macvlan: %s would have more than %d macvlan "
			"adapters\n", standby, MV_MAX_COUNT);
		return -EINVAL;
	}
	if (strlen(prefix) + (first + count - 1 >= 1000 ? 4 :
			      first + count - 1 >= 100 ? 3 :
			      first + count - 1 >= 10 ? 2 : 1) > IPTO_IFNAME_MAX) {
		log_err(pool->ctx, "macvlan: prefix %s leaves no room for the "
			"index in a 15-character name\n", prefix);
		return -EINVAL;
	}
	macs = calloc(count, sizeof(*macs));
	if (!macs)
		return -ENOMEM;
	/* Check everything first: a pool never loses what was added. */
	r = 0;
	for (i = 0; i < count && !r; i++) {
		uint32_t other;

		derive_mac(standby, first + i, &base, &macs[i]);
		ipto_mac_format(&macs[i], buf, sizeof(buf));
		snprintf(name, sizeof(name), "%s%u", prefix, first + i);
		other = pool_find_adapter_by_mac(pool, &macs[i]);
		if (other != POOL_NONE) {
			log_err(pool->ctx,
				"macvlan: %s of standby %s would get MAC %s, which "
				"adapter %s of standby %s has\n", name, standby,
				buf, pool->adapters[other].ifname,
				pool->standbys[pool->adapters[other].standby].name);
			r = -EADDRINUSE;
		}
		for (k = 0; k < pool->n_node_macs && !r; k++)
			if (ipto_mac_equal(&pool->node_macs[k].mac, &macs[i])) {
				log_err(pool->ctx,
					"macvlan: %s of standby %s would get MAC %s, "
					"which node %s has\n", name, standby, buf,
					pool->nodes[pool->node_macs[k].node].name);
				r = -EADDRINUSE;
			}
		for (k = 0; k < i && !r; k++)
			if (ipto_mac_equal(&macs[k], &macs[i])) {
				log_err(pool->ctx, "macvlan: two adapters of %s "
					"would get MAC %s\n", standby, buf);
				r = -EADDRINUSE;
			}
		for (k = 0; k < sb->n_adapters && !r; k++)
			if (strcmp(pool->adapters[sb->adapters[k]].ifname, name) == 0) {
				log_err(pool->ctx, "macvlan: standby %s has an "
					"adapter %s already\n", standby, name);
				r = -EEXIST;
			}
	}
	for (i = 0; i < count && !r; i++) {
		char *p = strdup(parent);
		struct pool_adapter *a;

		snprintf(name, sizeof(name), "%s%u", prefix, first + i);
		r = p ? ipto_pool_add_adapter(pool, standby, name, &macs[i], 0)
		      : -ENOMEM;
		if (r < 0) {
			/* only -ENOMEM gets here after the checks: the
			 * adapters added so far stay ordinary adapters */
			free(p);
			break;
		}
		a = &pool->adapters[pool->n_adapters - 1];
		a->mv_parent = p;
		a->mv_index = first + i;
	}
	free(macs);
	if (r == 0)
		log_dbg(pool->ctx, "pool: standby %s has %u macvlan adapters on %s "
			"(%s%u..%s%u)\n", standby, count, parent, prefix, first,
			prefix, first + count - 1);
	return r;
}

static const struct pool_adapter *find_adapter(const struct ipto_pool *pool,
					       const char *standby,
					       const char *ifname)
{
	uint32_t s = pool_find_standby(pool, standby);
	const struct pool_standby *sb;
	size_t k;

	if (s == POOL_NONE)
		return NULL;
	sb = &pool->standbys[s];
	for (k = 0; k < sb->n_adapters; k++)
		if (strcmp(pool->adapters[sb->adapters[k]].ifname, ifname) == 0)
			return &pool->adapters[sb->adapters[k]];
	return NULL;
}

IPTO_EXPORT int ipto_pool_get_adapter_macvlan(const struct ipto_pool *pool,
					      const char *standby,
					      const char *ifname,
					      const char **parent,
					      unsigned int *index)
{
	const struct pool_adapter *a;

	if (!pool || !standby || !ifname)
		return -EINVAL;
	a = find_adapter(pool, standby, ifname);
	if (!a)
		return -ENOENT;
	if (!a->mv_parent)
		return -ENODATA;
	if (parent)
		*parent = a->mv_parent;
	if (index)
		*index = a->mv_index;
	return 0;
}

IPTO_EXPORT size_t ipto_pool_get_macvlan_count(const struct ipto_pool *pool,
					       const char *standby)
{
	uint32_t s = POOL_NONE;
	size_t i, n = 0;

	if (!pool)
		return 0;
	if (standby) {
		s = pool_find_standby(pool, standby);
		if (s == POOL_NONE)
			return 0;
	}
	for (i = 0; i < pool->n_adapters; i++)
		n += pool->adapters[i].mv_parent &&
		     (s == POOL_NONE || pool->adapters[i].standby == s);
	return n;
}

const struct pool_adapter *macvlan_plan_adapter(const struct ipto_plan *plan,
						 const char *standby,
						 const char *ifname)
{
	return find_adapter(plan->pool, standby, ifname);
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
	a = macvlan_plan_adapter(plan, standby, ifname);
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
	a = macvlan_plan_adapter(plan, standby, ifname);
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

IPTO_EXPORT int ipto_macvlan_list(struct ipto_binder *binder,
				  const char *standby,
				  struct ipto_macvlan_entry *out, size_t max)
{
	struct ipto_adapter_entry *links = NULL;
	char (*aliases)[IPTO_LINK_ALIAS_MAX] = NULL;
	size_t i, found = 0;
	int n;

	if (!binder || (max && !out))
		return -EINVAL;
	for (i = 0; i < max; i++)
		if (out[i].sz < sizeof(size_t))
			return -EINVAL;
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
		if (found < max)
			ipto_sized_copy_out(&out[found], &e, sizeof(e));
		found++;
	}
	free(links);
	free(aliases);
	return found > INT32_MAX ? INT32_MAX : (int)found;
}

IPTO_EXPORT int ipto_macvlan_cleanup(struct ipto_binder *binder,
				     const char *standby, unsigned int flags)
{
	struct ipto_macvlan_entry *e;
	int n, i, deleted = 0, r;

	if (!binder || (flags & ~(unsigned int)IPTO_MACVLAN_KEEP))
		return -EINVAL;
	n = ipto_macvlan_list(binder, standby, NULL, 0);
	if (n <= 0)
		return n;
	e = calloc((size_t)n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		e[i].sz = sizeof(*e);
	n = ipto_macvlan_list(binder, standby, e, (size_t)n);
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
	return n < 0 ? n : deleted;
}

/* ------------------------------------------------------------------ */
/* The binder's link operations                                        */
/* ------------------------------------------------------------------ */

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
