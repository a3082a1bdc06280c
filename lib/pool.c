/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pool: the cluster description (active nodes with their IPs and MACs,
 * standbys with their takeover adapters), its lookups and orders, and the
 * occupancy that committed plans leave behind. The capacity rule is
 * pool-check.c's.
 */
#include "pool-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

static uint32_t hash_name(const char *name)
{
	return pool_hash_bytes(name, strlen(name), 0x6e616d65u);
}

static uint32_t hash_addr(const struct ipto_addr *a)
{
	return pool_hash_bytes(a->bytes, ipto_addr_len(a),
			       (uint32_t)a->family);
}

static uint32_t hash_mac(const struct ipto_mac *m)
{
	return pool_hash_bytes(m->bytes, 6, 0x6d6163u);
}

static uint32_t hash_ifname(uint32_t standby, const char *ifname)
{
	return pool_hash_bytes(ifname, strlen(ifname), standby);
}

static const char *name_of(const struct ipto_pool *pool, uint32_t tagged)
{
	return tagged & 1 ? pool->standbys[tagged >> 1].name
			  : pool->nodes[tagged >> 1].name;
}

static bool eq_name(const void *ctx, uint32_t idx, const void *key)
{
	return strcmp(name_of(ctx, idx), key) == 0;
}

static bool eq_ip(const void *ctx, uint32_t idx, const void *key)
{
	const struct ipto_pool *pool = ctx;

	return ipto_addr_equal(&pool->ips[idx].addr, key);
}

static bool eq_node_mac(const void *ctx, uint32_t idx, const void *key)
{
	const struct ipto_pool *pool = ctx;

	return ipto_mac_equal(&pool->node_macs[idx].mac, key);
}

static bool eq_adapter_mac(const void *ctx, uint32_t idx, const void *key)
{
	const struct ipto_pool *pool = ctx;

	return ipto_mac_equal(&pool->adapters[idx].mac, key);
}

struct ifname_key {
	uint32_t standby;
	const char *ifname;
};

static bool eq_ifname(const void *ctx, uint32_t idx, const void *key)
{
	const struct ipto_pool *pool = ctx;
	const struct ifname_key *k = key;

	return pool->adapters[idx].standby == k->standby &&
	       strcmp(pool->adapters[idx].ifname, k->ifname) == 0;
}

/* The tagged name entry (2i node, 2i+1 standby), or POOL_NONE. */
static uint32_t find_name(const struct ipto_pool *pool, const char *name)
{
	return pool_set_find(&pool->names, hash_name(name), eq_name, pool,
			     name);
}

uint32_t pool_find_node(const struct ipto_pool *pool, const char *name)
{
	uint32_t t = find_name(pool, name);

	return t != POOL_NONE && !(t & 1) ? t >> 1 : POOL_NONE;
}

static uint32_t find_standby(const struct ipto_pool *pool, const char *name)
{
	uint32_t t = find_name(pool, name);

	return t != POOL_NONE && (t & 1) ? t >> 1 : POOL_NONE;
}

uint32_t pool_find_adapter_by_mac(const struct ipto_pool *pool,
				  const struct ipto_mac *mac)
{
	return pool_set_find(&pool->adapter_mac_set, hash_mac(mac),
			     eq_adapter_mac, pool, mac);
}

static uint32_t find_node_mac(const struct ipto_pool *pool,
			      const struct ipto_mac *mac)
{
	return pool_set_find(&pool->node_mac_set, hash_mac(mac), eq_node_mac,
			     pool, mac);
}

static uint32_t find_ip(const struct ipto_pool *pool,
			const struct ipto_addr *addr)
{
	return pool_set_find(&pool->ip_set, hash_addr(addr), eq_ip, pool,
			     addr);
}

uint32_t pool_find_ip(const struct ipto_pool *pool, const struct ipto_addr *addr)
{
	return find_ip(pool, addr);
}

uint32_t pool_find_standby(const struct ipto_pool *pool, const char *name)
{
	return find_standby(pool, name);
}

bool pool_adapter_clashes(const struct ipto_pool *pool, uint32_t adapter,
			  const struct pool_node *node)
{
	const struct ipto_mac *m = &pool->adapters[adapter].mac;
	size_t i;

	for (i = 0; i < node->n_macs; i++)
		if (ipto_mac_equal(m, &pool->node_macs[node->macs[i]].mac))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Object life                                                         */
/* ------------------------------------------------------------------ */

/*
 * Room for one more item of a kind the pool keeps three ways (IPs, node
 * MACs, adapters): its hash @set, the pool-wide array *@all (@n_all used,
 * @elem bytes each, *@cap_all allocated) and its owner's index list
 * *@mine (@n_mine used, *@cap_mine allocated). 0 or -ENOMEM; what was
 * reserved stays reserved.
 */
static int reserve_item(struct pool_set *set, void **all, size_t *cap_all,
			size_t n_all, size_t elem, uint32_t **mine,
			size_t *cap_mine, size_t n_mine)
{
	int r = pool_set_reserve(set, 1);

	if (r == 0)
		r = ipto_grow(all, cap_all, n_all + 1, elem);
	if (r == 0)
		r = ipto_grow((void **)mine, cap_mine, n_mine + 1,
			      sizeof(**mine));
	return r;
}

IPTO_EXPORT int ipto_pool_new(struct ipto_ctx *ctx, struct ipto_pool **ret)
{
	struct ipto_pool *pool;

	if (!ctx || !ret)
		return -EINVAL;
	pool = ipto_obj_alloc(ipto_pool);
	if (!pool)
		return -ENOMEM;
	pool->ctx = ipto_ctx_ref(ctx);
	*ret = pool;
	return 0;
}

static void pool_free(struct ipto_pool *pool)
{
	size_t i;

	for (i = 0; i < pool->n_nodes; i++) {
		free(pool->nodes[i].name);
		free(pool->nodes[i].ips);
		free(pool->nodes[i].macs);
	}
	for (i = 0; i < pool->n_standbys; i++) {
		free(pool->standbys[i].name);
		free(pool->standbys[i].adapters);
	}
	for (i = 0; i < pool->n_adapters; i++) {
		free(pool->adapters[i].ifname);
		free(pool->adapters[i].mv_parent);
	}
	ipto_free_all(pool->nodes, pool->standbys, pool->adapters, pool->ips,
		      pool->node_macs, pool->by_rank, pool->by_size);
	pool_set_free(&pool->names);
	pool_set_free(&pool->ip_set);
	pool_set_free(&pool->node_mac_set);
	pool_set_free(&pool->adapter_mac_set);
	pool_set_free(&pool->adapter_name_set);
	ipto_ctx_unref(pool->ctx);
	free(pool);
}

IPTO_DEFINE_REF_UNREF(ipto_pool, pool_free)

/* ------------------------------------------------------------------ */
/* Describing the cluster                                              */
/* ------------------------------------------------------------------ */

static void description_changed(struct ipto_pool *pool)
{
	pool->check_passed = false;
}

static bool name_valid(const char *name, size_t max)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > max)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static int add_name(struct ipto_pool *pool, const char *name, bool standby,
		    const char *what)
{
	size_t count;
	uint32_t t;
	char *copy;
	int r;

	if (!pool || !name)
		return -EINVAL;
	count = standby ? pool->n_standbys : pool->n_nodes;
	if (!name_valid(name, POOL_NAME_MAX)) {
		log_err(pool->ctx,
			"cannot add %s: a name is 1..%d bytes without control characters\n",
			what, POOL_NAME_MAX);
		return -EINVAL;
	}
	t = find_name(pool, name);
	if (t != POOL_NONE) {
		log_err(pool->ctx, "cannot add %s %s: %s %s exists already\n",
			what, name, t & 1 ? "a standby" : "an active node",
			name);
		return -EEXIST;
	}
	if (count >= POOL_MAX_ITEMS) {
		log_err(pool->ctx, "cannot add %s %s: too many\n", what, name);
		return -E2BIG;
	}
	r = pool_set_reserve(&pool->names, 1);
	if (r == 0)
		r = standby ? ipto_grow((void **)&pool->standbys,
					&pool->cap_standbys, count + 1,
					sizeof(*pool->standbys))
			    : ipto_grow((void **)&pool->nodes, &pool->cap_nodes,
					count + 1, sizeof(*pool->nodes));
	copy = r == 0 ? strdup(name) : NULL;
	if (!copy) {
		log_err(pool->ctx, "cannot add %s %s: out of memory\n", what,
			name);
		return -ENOMEM;
	}
	if (standby) {
		struct pool_standby *sb = &pool->standbys[count];

		memset(sb, 0, sizeof(*sb));
		sb->name = copy;
		sb->adapters_sorted = true;
		pool->n_standbys++;
		pool->ranks_valid = false;
	} else {
		struct pool_node *n = &pool->nodes[count];

		memset(n, 0, sizeof(*n));
		n->name = copy;
		n->ips_sorted = true;
		n->epoch = ++pool->epoch_counter;
		pool->n_nodes++;
	}
	pool_set_insert(&pool->names, hash_name(name),
			(uint32_t)(count << 1 | (standby ? 1 : 0)));
	pool->by_size_valid = false;
	description_changed(pool);
	log_dbg(pool->ctx, "pool: %s %s added\n", what, name);
	return 0;
}

IPTO_EXPORT int ipto_pool_add_node(struct ipto_pool *pool, const char *node)
{
	return add_name(pool, node, false, "active node");
}

IPTO_EXPORT int ipto_pool_add_standby(struct ipto_pool *pool,
				      const char *standby)
{
	return add_name(pool, standby, true, "standby");
}

/* The active node a per-node call is about, or a negative errno. */
static int lookup_node_for_change(struct ipto_pool *pool, const char *node,
				  const char *what)
{
	uint32_t t = find_name(pool, node);

	if (t == POOL_NONE || (t & 1)) {
		log_err(pool->ctx, "cannot add %s to %s: no active node %s%s\n",
			what, node, node,
			t == POOL_NONE ? "" : " (it is a standby)");
		return -ENOENT;
	}
	if (pool->nodes[t >> 1].taken_over) {
		log_err(pool->ctx,
			"cannot add %s to node %s: it is taken over; commit its release first\n",
			what, node);
		return -EBUSY;
	}
	return (int)(t >> 1);
}

/* Text for log messages, made only when a message is. */
static const char *addr_str(const struct ipto_addr *a, char *buf)
{
	if (ipto_addr_format(a, buf, IPTO_ADDR_STRLEN) < 0)
		return "?";
	return buf;
}

static const char *mac_str(const struct ipto_mac *m, char *buf)
{
	ipto_mac_format(m, buf, IPTO_MAC_STRLEN);
	return buf;
}

IPTO_EXPORT int ipto_pool_add_node_ip(struct ipto_pool *pool, const char *node,
				      const struct ipto_addr *ip)
{
	char buf[IPTO_ADDR_STRLEN];
	struct pool_node *n;
	struct ipto_addr a;
	uint32_t other;
	int idx, cls, r;

	if (!pool || !node || !ip)
		return -EINVAL;
	cls = ipto_addr_classify(ip);
	if (cls < 0) {
		log_err(pool->ctx,
			"cannot add an IP to node %s: malformed address (family %d, prefix %d)\n",
			node, ip->family, ip->prefixlen);
		return -EINVAL;
	}
	a = *ip;
	/* IPv4 keeps bytes[4..15] zero, so equal addresses hash alike. */
	if (a.family == AF_INET)
		memset(a.bytes + 4, 0, sizeof(a.bytes) - 4);
	if (!(cls & IPTO_ADDR_CLASS_UNICAST) || (cls & IPTO_ADDR_CLASS_LOOPBACK)) {
		log_err(pool->ctx,
			"cannot add IP %s to node %s: not a unicast host address\n",
			addr_str(&a, buf), node);
		return -EINVAL;
	}
	idx = lookup_node_for_change(pool, node, "an IP");
	if (idx < 0)
		return idx;
	n = &pool->nodes[idx];
	other = find_ip(pool, &a);
	if (other != POOL_NONE) {
		log_err(pool->ctx,
			"cannot add IP %s to node %s: node %s has it already\n",
			addr_str(&a, buf), node,
			pool->nodes[pool->ips[other].node].name);
		return -EEXIST;
	}
	if (pool->n_ips >= POOL_MAX_ITEMS) {
		log_err(pool->ctx, "cannot add IP %s: too many IPs\n",
			addr_str(&a, buf));
		return -E2BIG;
	}
	r = reserve_item(&pool->ip_set, (void **)&pool->ips, &pool->cap_ips,
			 pool->n_ips, sizeof(*pool->ips), &n->ips, &n->cap_ips,
			 n->n_ips);
	if (r < 0) {
		log_err(pool->ctx, "cannot add IP %s: out of memory\n",
			addr_str(&a, buf));
		return r;
	}
	pool->ips[pool->n_ips].addr = a;
	pool->ips[pool->n_ips].node = (uint32_t)idx;
	pool->ips[pool->n_ips].adapter = POOL_NONE;
	if (n->n_ips > 0 &&
	    ipto_addr_compare(&pool->ips[n->ips[n->n_ips - 1]].addr, &a) > 0)
		n->ips_sorted = false;
	n->ips[n->n_ips++] = (uint32_t)pool->n_ips;
	pool_set_insert(&pool->ip_set, hash_addr(&a), (uint32_t)pool->n_ips);
	pool->n_ips++;
	if (n->n_ips > pool->max_ips)
		pool->max_ips = n->n_ips;
	n->epoch = ++pool->epoch_counter;
	description_changed(pool);
	log_dbg(pool->ctx, "pool: node %s has IP %s\n", node,
		addr_str(&a, buf));
	return 0;
}

static int check_mac(struct ipto_pool *pool, const struct ipto_mac *mac,
		     const char *what, const char *owner, char *buf)
{
	int cls = ipto_mac_classify(mac);

	if (cls < 0 || !(cls & IPTO_MAC_CLASS_UNICAST)) {
		log_err(pool->ctx, "cannot add %s %s of %s: not a unicast MAC\n",
			what, mac_str(mac, buf), owner);
		return -EINVAL;
	}
	return 0;
}

IPTO_EXPORT int ipto_pool_add_node_mac(struct ipto_pool *pool,
				       const char *node,
				       const struct ipto_mac *mac)
{
	char buf[IPTO_MAC_STRLEN];
	struct pool_node *n;
	uint32_t other;
	int idx, r;

	if (!pool || !node || !mac)
		return -EINVAL;
	r = check_mac(pool, mac, "MAC", node, buf);
	if (r < 0)
		return r;
	idx = lookup_node_for_change(pool, node, "a MAC");
	if (idx < 0)
		return idx;
	n = &pool->nodes[idx];
	other = pool_find_adapter_by_mac(pool, mac);
	if (other != POOL_NONE && pool->adapters[other].mv_parent) {
		/* A virtual adapter's MAC is the standby's alone. */
		log_err(pool->ctx,
			"cannot add MAC %s to node %s: macvlan adapter %s of standby %s has it\n",
			mac_str(mac, buf), node, pool->adapters[other].ifname,
			pool->standbys[pool->adapters[other].standby].name);
		return -EADDRINUSE;
	}
	other = find_node_mac(pool, mac);
	if (other != POOL_NONE) {
		log_err(pool->ctx,
			"cannot add MAC %s to node %s: node %s has it already\n",
			mac_str(mac, buf), node,
			pool->nodes[pool->node_macs[other].node].name);
		return -EEXIST;
	}
	if (pool->n_node_macs >= POOL_MAX_ITEMS)
		return -E2BIG;
	r = reserve_item(&pool->node_mac_set, (void **)&pool->node_macs,
			 &pool->cap_node_macs, pool->n_node_macs,
			 sizeof(*pool->node_macs), &n->macs, &n->cap_macs,
			 n->n_macs);
	if (r < 0) {
		log_err(pool->ctx, "cannot add MAC %s: out of memory\n",
			mac_str(mac, buf));
		return r;
	}
	pool->node_macs[pool->n_node_macs].mac = *mac;
	pool->node_macs[pool->n_node_macs].node = (uint32_t)idx;
	n->macs[n->n_macs++] = (uint32_t)pool->n_node_macs;
	pool_set_insert(&pool->node_mac_set, hash_mac(mac),
			(uint32_t)pool->n_node_macs);
	pool->n_node_macs++;
	n->epoch = ++pool->epoch_counter;
	description_changed(pool);
	log_dbg(pool->ctx, "pool: node %s has MAC %s\n", node,
		mac_str(mac, buf));
	other = pool_find_adapter_by_mac(pool, mac);
	if (other != POOL_NONE)
		log_info(pool->ctx,
			 "pool: adapter %s of standby %s has MAC %s of node %s: it will never take over that node's IPs\n",
			 pool->adapters[other].ifname,
			 pool->standbys[pool->adapters[other].standby].name,
			 mac_str(mac, buf), node);
	return 0;
}

IPTO_EXPORT int ipto_pool_add_adapter(struct ipto_pool *pool,
				      const char *standby, const char *ifname,
				      const struct ipto_mac *mac,
				      unsigned int flags)
{
	char buf[IPTO_MAC_STRLEN];
	struct ifname_key key;
	struct pool_adapter *ad;
	struct pool_standby *sb;
	uint32_t s, other;
	int r;

	if (!pool || !standby || !ifname || !mac)
		return -EINVAL;
	if (flags & ~(unsigned int)IPTO_ADAPTER_MANAGEMENT) {
		log_err(pool->ctx,
			"cannot add adapter %s to %s: unknown flags 0x%x\n",
			ifname, standby, flags);
		return -EINVAL;
	}
	if (!ipto_ifname_valid(ifname)) {
		log_err(pool->ctx,
			"cannot add adapter to %s: bad interface name (1..%d bytes, no '/', ':', blanks or control characters)\n",
			standby, POOL_IFNAME_MAX);
		return -EINVAL;
	}
	r = check_mac(pool, mac, "takeover adapter with MAC", standby, buf);
	if (r < 0)
		return r;
	s = find_standby(pool, standby);
	if (s == POOL_NONE) {
		log_err(pool->ctx,
			"cannot add adapter %s to %s: no standby %s\n", ifname,
			standby, standby);
		return -ENOENT;
	}
	sb = &pool->standbys[s];
	key.standby = s;
	key.ifname = ifname;
	if (pool_set_find(&pool->adapter_name_set, hash_ifname(s, ifname),
			  eq_ifname, pool, &key) != POOL_NONE) {
		log_err(pool->ctx,
			"cannot add adapter %s to standby %s: listed already\n",
			ifname, standby);
		return -EEXIST;
	}
	other = pool_find_adapter_by_mac(pool, mac);
	if (other != POOL_NONE) {
		log_err(pool->ctx,
			"cannot add adapter %s to standby %s: adapter %s of standby %s has MAC %s already\n",
			ifname, standby, pool->adapters[other].ifname,
			pool->standbys[pool->adapters[other].standby].name,
			mac_str(mac, buf));
		return -EEXIST;
	}
	if ((flags & IPTO_ADAPTER_MANAGEMENT) && sb->has_management) {
		log_err(pool->ctx,
			"cannot add adapter %s to standby %s: it has a management adapter already\n",
			ifname, standby);
		return -EEXIST;
	}
	if (pool->n_adapters >= POOL_MAX_ITEMS)
		return -E2BIG;
	r = pool_set_reserve(&pool->adapter_mac_set, 1);
	if (r == 0)
		r = reserve_item(&pool->adapter_name_set, (void **)&pool->adapters,
				 &pool->cap_adapters, pool->n_adapters,
				 sizeof(*pool->adapters), &sb->adapters,
				 &sb->cap_adapters, sb->n_adapters);
	ad = &pool->adapters[pool->n_adapters];
	ad->ifname = r == 0 ? strdup(ifname) : NULL;
	if (!ad->ifname) {
		log_err(pool->ctx, "cannot add adapter %s: out of memory\n",
			ifname);
		return -ENOMEM;
	}
	ad->mac = *mac;
	ad->standby = s;
	ad->flags = flags;
	ad->load = 0;
	ad->mv_parent = NULL;
	ad->mv_index = 0;
	sb->adapters[sb->n_adapters++] = (uint32_t)pool->n_adapters;
	sb->adapters_sorted = false;
	sb->n_free++;
	if (flags & IPTO_ADAPTER_MANAGEMENT)
		sb->has_management = true;
	pool_set_insert(&pool->adapter_name_set, hash_ifname(s, ifname),
			(uint32_t)pool->n_adapters);
	pool_set_insert(&pool->adapter_mac_set, hash_mac(mac),
			(uint32_t)pool->n_adapters);
	pool->n_adapters++;
	if (sb->n_adapters > pool->max_adapters)
		pool->max_adapters = sb->n_adapters;
	pool->by_size_valid = false;
	description_changed(pool);
	log_dbg(pool->ctx, "pool: standby %s has adapter %s (%s)%s\n", standby,
		ifname, mac_str(mac, buf),
		flags & IPTO_ADAPTER_MANAGEMENT ? ", management" : "");
	other = find_node_mac(pool, mac);
	if (other != POOL_NONE)
		log_info(pool->ctx,
			 "pool: adapter %s of standby %s has MAC %s of node %s: it will never take over that node's IPs\n",
			 ifname, standby, mac_str(mac, buf),
			 pool->nodes[pool->node_macs[other].node].name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Orders                                                              */
/* ------------------------------------------------------------------ */

static int cmp_standby_name(const void *a, const void *b, void *ctx)
{
	const struct ipto_pool *pool = ctx;

	return strcmp(pool->standbys[*(const uint32_t *)a].name,
		      pool->standbys[*(const uint32_t *)b].name);
}

int pool_ensure_ranks(struct ipto_pool *pool)
{
	uint32_t *v;
	size_t i;

	if (pool->ranks_valid)
		return 0;
	v = realloc(pool->by_rank,
		    (pool->n_standbys ? pool->n_standbys : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	pool->by_rank = v;
	for (i = 0; i < pool->n_standbys; i++)
		v[i] = (uint32_t)i;
	qsort_r(v, pool->n_standbys, sizeof(*v), cmp_standby_name, pool);
	for (i = 0; i < pool->n_standbys; i++)
		pool->standbys[v[i]].rank = (uint32_t)i;
	pool->ranks_valid = true;
	return 0;
}

static int cmp_ip(const void *a, const void *b, void *ctx)
{
	const struct ipto_pool *pool = ctx;

	return ipto_addr_compare(&pool->ips[*(const uint32_t *)a].addr,
				 &pool->ips[*(const uint32_t *)b].addr);
}

void pool_sort_node_ips(struct ipto_pool *pool, struct pool_node *node)
{
	if (node->ips_sorted)
		return;
	qsort_r(node->ips, node->n_ips, sizeof(*node->ips), cmp_ip, pool);
	node->ips_sorted = true;
}

/* Plan order of a standby's adapters: dedicated takeover adapters first,
 * the management adapter last (the patent's paragraph [0093]), then by
 * interface name, unique within a standby. */
static int cmp_adapter(const void *a, const void *b, void *ctx)
{
	const struct ipto_pool *pool = ctx;
	const struct pool_adapter *x = &pool->adapters[*(const uint32_t *)a];
	const struct pool_adapter *y = &pool->adapters[*(const uint32_t *)b];
	unsigned int mx = x->flags & IPTO_ADAPTER_MANAGEMENT;
	unsigned int my = y->flags & IPTO_ADAPTER_MANAGEMENT;

	if (mx != my)
		return mx ? 1 : -1;
	return strcmp(x->ifname, y->ifname);
}

void pool_sort_standby_adapters(struct ipto_pool *pool,
				struct pool_standby *sb)
{
	if (sb->adapters_sorted)
		return;
	qsort_r(sb->adapters, sb->n_adapters, sizeof(*sb->adapters),
		cmp_adapter, pool);
	sb->adapters_sorted = true;
}


/* ------------------------------------------------------------------ */
/* Occupancy                                                           */
/* ------------------------------------------------------------------ */

IPTO_EXPORT int ipto_pool_commit(struct ipto_pool *pool,
				 const struct ipto_plan *plan)
{
	bool takeover;
	size_t i;

	if (!pool || !plan)
		return -EINVAL;
	if (plan->pool != pool) {
		log_err(pool->ctx,
			"cannot commit plan: it was made from another pool\n");
		return -EINVAL;
	}
	takeover = plan->action == IPTO_PLAN_ACTION_BIND;
	for (i = 0; i < plan->n_nodes; i++) {
		const struct pool_node *n = &pool->nodes[plan->nodes[i]];

		if (n->epoch != plan->epochs[i]) {
			log_err(pool->ctx,
				"cannot commit %s plan: node %s changed since it was planned (%s)\n",
				takeover ? "takeover" : "release", n->name,
				n->taken_over == takeover
					? "committed already"
					: "its description or state changed");
			return -ESTALE;
		}
	}
	if (takeover) {
		for (i = 0; i < plan->n_steps; i++) {
			const struct plan_step_priv *st = &plan->steps[i];
			const struct pool_adapter *a =
				&pool->adapters[st->adapter];

			if (!(st->flags & IPTO_PLAN_STEP_SHARED) && a->load) {
				log_err(pool->ctx,
					"cannot commit takeover plan: adapter %s of standby %s was planned free and is busy now\n",
					a->ifname,
					pool->standbys[a->standby].name);
				return -ESTALE;
			}
		}
	}
	if (!takeover) {
		for (i = 0; i < plan->n_steps; i++) {
			const struct plan_step_priv *st = &plan->steps[i];

			if (pool->ips[st->ip].adapter != st->adapter) {
				log_err(pool->ctx,
					"cannot commit release plan: the pool does not record %s's address on adapter %s\n",
					pool->nodes[pool->ips[st->ip].node].name,
					pool->adapters[st->adapter].ifname);
				return -ESTALE;
			}
		}
	}
	/* Valid: apply it. Nothing below can fail. */
	for (i = 0; i < plan->n_steps; i++) {
		const struct plan_step_priv *st = &plan->steps[i];
		struct pool_adapter *a = &pool->adapters[st->adapter];
		struct pool_standby *sb = &pool->standbys[a->standby];

		if (takeover) {
			pool->ips[st->ip].adapter = st->adapter;
			if (a->load++ == 0)
				sb->n_free--;
			sb->load++;
		} else {
			pool->ips[st->ip].adapter = POOL_NONE;
			if (--a->load == 0)
				sb->n_free++;
			sb->load--;
		}
	}
	for (i = 0; i < plan->n_nodes; i++) {
		struct pool_node *n = &pool->nodes[plan->nodes[i]];

		n->taken_over = takeover;
		n->epoch = ++pool->epoch_counter;
	}
	log_info(pool->ctx, "pool: committed %s of %zu nodes, %zu IPs\n",
		 takeover ? "takeover" : "release", plan->n_nodes,
		 plan->n_steps);
	return 0;
}
