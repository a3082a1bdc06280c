/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A pool's macvlan adapters (doc/macvlan.md): ordinary adapters with a
 * parent and an index (pool_adapter.mv_parent, .mv_index), so the
 * capacity rule, plans and their output see them like any other adapter.
 * Their names are PREFIX + index, their MACs derived from the standby's
 * name and the index (or a base MAC + index): the same description always
 * gives the same links. macvlan.c makes and deletes them in the kernel.
 */
#include "pool-private.h"
#include "macvlan-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

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

const struct pool_adapter *pool_plan_adapter(const struct ipto_plan *plan,
					      const char *standby,
					      const char *ifname)
{
	return find_adapter(plan->pool, standby, ifname);
}
