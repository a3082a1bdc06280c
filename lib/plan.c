/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plans: which IP goes on which takeover adapter (takeover), and back
 * (release). Pure computation over a pool; the pool is never changed here.
 *
 * Takeover, in short (doc/planning.md has the reasoning):
 *  - failed nodes in order: most IPs first, then name;
 *  - each goes whole to the standby with the fewest free usable adapters
 *    that still holds it (best fit), ties by standby name. A Fenwick tree
 *    over "how many standbys have f free adapters" finds the smallest
 *    f >= k in O(log), and a min-heap of standby ranks per f breaks ties;
 *  - within the standby, each IP (in address order) takes the free
 *    adapter that comes first in plan order (management last), skipping
 *    adapters whose MAC is one of the node's own. A per-standby min-heap
 *    keyed (load, position) gives that adapter, and with sharing allowed
 *    it gives the least-loaded one, which is the same rule extended.
 * Cost: O(S + F log F + sum over placed nodes of k log A + log S), with S
 * standbys, F failed nodes, k IPs per node, A adapters per standby, plus
 * O(A) per standby touched to build its heap.
 */
#include "pool-private.h"
#include "fenwick.h"
#include "heap.h"
#include "json-escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

struct ipto_plan *plan_alloc(struct ipto_pool *pool,
			     enum ipto_plan_action action)
{
	struct ipto_plan *plan = ipto_obj_alloc(ipto_plan);

	if (!plan)
		return NULL;
	plan->pool = ipto_pool_ref(pool);
	plan->action = action;
	return plan;
}

static void plan_free(struct ipto_plan *plan)
{
	ipto_free_all(plan->steps, plan->nodes, plan->epochs,
		      plan->all_adapters);
	ipto_pool_unref(plan->pool);
	free(plan);
}

IPTO_DEFINE_REF_UNREF(ipto_plan, plan_free)

/* ------------------------------------------------------------------ */
/* Takeover planning                                                   */
/* ------------------------------------------------------------------ */

struct planner {
	struct ipto_pool *pool;
	bool share;
	size_t max_free;	/* buckets 0..max_free */
	size_t *free;		/* per standby: adapters with no load */
	size_t *load;		/* per standby: committed + planned IPs */
	uint32_t *planned;	/* per adapter: IPs planned on it */
	bool *removed;		/* per standby: out of the buckets for now */
	struct fenwick fw;	/* standbys per free count */
	struct u32vec *bucket;	/* per free count: heap of standby ranks */
	struct u32vec *aheap;	/* per standby: heap of adapter positions */
	struct u32vec aside, barred;
	struct ipto_plan *plan;
	size_t cap_steps;
};

struct adapter_heap_ctx {
	const struct planner *p;
	const struct pool_standby *sb;
};

static uint32_t adapter_load(const struct planner *p, uint32_t a)
{
	return p->pool->adapters[a].load + p->planned[a];
}

/* Adapter order: least loaded first, then plan order (its position). */
static bool less_adapter(const void *ctx, uint32_t x, uint32_t y)
{
	const struct adapter_heap_ctx *c = ctx;
	uint32_t lx = adapter_load(c->p, c->sb->adapters[x]);
	uint32_t ly = adapter_load(c->p, c->sb->adapters[y]);

	return lx != ly ? lx < ly : x < y;
}

static void planner_free(struct planner *p)
{
	size_t i;

	if (p->bucket)
		for (i = 0; i <= p->max_free; i++)
			free(p->bucket[i].v);
	if (p->aheap)
		for (i = 0; i < p->pool->n_standbys; i++)
			free(p->aheap[i].v);
	free(p->bucket);
	free(p->aheap);
	free(p->free);
	free(p->load);
	free(p->planned);
	free(p->removed);
	free(p->fw.t);
	free(p->aside.v);
	free(p->barred.v);
}

static int planner_init(struct planner *p, struct ipto_pool *pool, bool share)
{
	size_t m = pool->n_standbys, i;
	int r;

	memset(p, 0, sizeof(*p));
	p->pool = pool;
	p->share = share;
	p->max_free = pool->max_adapters;
	r = pool_ensure_ranks(pool);
	if (r < 0)
		return r;
	p->free = calloc(m ? m : 1, sizeof(*p->free));
	p->load = calloc(m ? m : 1, sizeof(*p->load));
	p->removed = calloc(m ? m : 1, sizeof(*p->removed));
	p->aheap = calloc(m ? m : 1, sizeof(*p->aheap));
	p->planned = calloc(pool->n_adapters ? pool->n_adapters : 1,
			    sizeof(*p->planned));
	p->bucket = calloc(p->max_free + 1, sizeof(*p->bucket));
	p->fw.n = p->max_free + 1;
	p->fw.t = calloc(p->fw.n + 1, sizeof(*p->fw.t));
	if (!p->free || !p->load || !p->removed || !p->aheap || !p->planned ||
	    !p->bucket || !p->fw.t)
		return -ENOMEM;
	/* In name order, so each bucket starts sorted: a valid heap. */
	for (i = 0; i < m; i++) {
		uint32_t s = pool->by_rank[i];

		p->free[s] = pool->standbys[s].n_free;
		p->load[s] = pool->standbys[s].load;
		fw_add(&p->fw, p->free[s], 1);
		r = vec_push(&p->bucket[p->free[s]], (uint32_t)i);
		if (r < 0)
			return r;
	}
	return 0;
}

static int bucket_insert(struct planner *p, uint32_t s)
{
	fw_add(&p->fw, p->free[s], 1);
	return heap_push(&p->bucket[p->free[s]], p->pool->standbys[s].rank,
			 less_u32, NULL);
}

static void bucket_remove(struct planner *p, uint32_t s)
{
	/* Lazy: its heap entry goes stale and is dropped when met. */
	fw_add(&p->fw, p->free[s], -1);
}

/* The standby of lowest rank in bucket f, which must be non-empty. */
static uint32_t bucket_peek(struct planner *p, size_t f)
{
	struct u32vec *h = &p->bucket[f];

	for (;;) {
		uint32_t s = p->pool->by_rank[h->v[0]];

		if (p->free[s] == f && !p->removed[s])
			return s;
		heap_pop(h, less_u32, NULL);
	}
}

/* Standbys that have adapters with one of the node's MACs. */
struct affected {
	uint32_t standby;
	size_t free_clashes; /* such adapters with no load now */
	size_t all_clashes;
};

static size_t find_affected(const struct planner *p,
			    const struct pool_node *node, struct affected *out)
{
	size_t n = 0, i, j;

	for (i = 0; i < node->n_macs; i++) {
		uint32_t a = pool_find_adapter_by_mac(
			p->pool, &p->pool->node_macs[node->macs[i]].mac);
		uint32_t s;

		if (a == POOL_NONE)
			continue;
		s = p->pool->adapters[a].standby;
		for (j = 0; j < n && out[j].standby != s; j++)
			;
		if (j == n) {
			out[n].standby = s;
			out[n].free_clashes = 0;
			out[n++].all_clashes = 0;
		}
		out[j].all_clashes++;
		if (adapter_load(p, a) == 0)
			out[j].free_clashes++;
	}
	return n;
}

static size_t usable_free(const struct planner *p, uint32_t s,
			  const struct affected *aff, size_t n_aff)
{
	size_t j;

	for (j = 0; j < n_aff; j++)
		if (aff[j].standby == s)
			return p->free[s] - aff[j].free_clashes;
	return p->free[s];
}

/* (usable free, rank) lexicographic: is x better than the best so far? */
static bool fit_better(const struct ipto_pool *pool, size_t fx, uint32_t x,
		       size_t fbest, uint32_t best)
{
	if (best == POOL_NONE)
		return true;
	if (fx != fbest)
		return fx < fbest;
	return pool->standbys[x].rank < pool->standbys[best].rank;
}

/*
 * Best fit: the standby with the fewest usable free adapters >= k, ties by
 * rank. Also reports the standby with the most usable free adapters, for
 * the error message.
 */
static int choose_fit(struct planner *p, size_t k, const struct affected *aff,
		      size_t n_aff, uint32_t *best, size_t *most,
		      uint32_t *most_s)
{
	size_t fbest = 0, j;
	int r = 0;

	*best = POOL_NONE;
	*most = 0;
	*most_s = POOL_NONE;
	for (j = 0; j < n_aff; j++) {
		bucket_remove(p, aff[j].standby);
		p->removed[aff[j].standby] = true;
	}
	if (p->fw.total > 0) {
		size_t before = k <= p->max_free ? fw_prefix(&p->fw, k) : 0;
		size_t f;

		if (k <= p->max_free && before < p->fw.total) {
			f = fw_lower_bound(&p->fw, before + 1);
			*best = bucket_peek(p, f);
			fbest = f;
		}
		f = fw_lower_bound(&p->fw, p->fw.total);
		*most = f;
		*most_s = bucket_peek(p, f);
	}
	for (j = 0; j < n_aff; j++) {
		uint32_t s = aff[j].standby;
		size_t u = p->free[s] - aff[j].free_clashes;

		if (u >= k && fit_better(p->pool, u, s, fbest, *best)) {
			*best = s;
			fbest = u;
		}
		if (*most_s == POOL_NONE || u > *most ||
		    (u == *most &&
		     p->pool->standbys[s].rank <
			     p->pool->standbys[*most_s].rank)) {
			*most = u;
			*most_s = s;
		}
	}
	for (j = 0; j < n_aff; j++) {
		p->removed[aff[j].standby] = false;
		if (r == 0)
			r = bucket_insert(p, aff[j].standby);
	}
	return r;
}

/* Sharing: most usable free adapters, then fewest IPs carried, then rank;
 * the standby needs at least one usable adapter. */
static uint32_t choose_shared(const struct planner *p,
			      const struct affected *aff, size_t n_aff)
{
	const struct ipto_pool *pool = p->pool;
	uint32_t best = POOL_NONE;
	size_t bf = 0, i, j;

	for (i = 0; i < pool->n_standbys; i++) {
		uint32_t s = pool->by_rank[i];
		size_t usable = pool->standbys[s].n_adapters, f;

		for (j = 0; j < n_aff; j++)
			if (aff[j].standby == s)
				usable -= aff[j].all_clashes;
		if (usable == 0)
			continue;
		f = usable_free(p, s, aff, n_aff);
		if (best == POOL_NONE || f > bf ||
		    (f == bf && p->load[s] < p->load[best])) {
			best = s;
			bf = f;
		}
	}
	return best;
}

static int ensure_adapter_heap(struct planner *p, uint32_t s)
{
	struct pool_standby *sb = &p->pool->standbys[s];
	struct adapter_heap_ctx hc = { p, sb };
	struct u32vec *h = &p->aheap[s];
	size_t i;
	int r;

	if (h->v || sb->n_adapters == 0)
		return 0;
	pool_sort_standby_adapters(p->pool, sb);
	r = ipto_grow((void **)&h->v, &h->cap, sb->n_adapters, sizeof(*h->v));
	if (r < 0)
		return r;
	for (i = 0; i < sb->n_adapters; i++)
		h->v[i] = (uint32_t)i;
	h->n = sb->n_adapters;
	for (i = h->n / 2; i-- > 0;)
		heap_down(h, i, less_adapter, &hc);
	return 0;
}

static int add_step(struct planner *p, uint32_t ip, uint32_t adapter)
{
	struct ipto_plan *plan = p->plan;
	int r = ipto_grow((void **)&plan->steps, &p->cap_steps,
			  plan->n_steps + 1, sizeof(*plan->steps));

	if (r < 0)
		return r;
	plan->steps[plan->n_steps].ip = ip;
	plan->steps[plan->n_steps].adapter = adapter;
	plan->steps[plan->n_steps].flags = 0;
	plan->n_steps++;
	return 0;
}

/* Put every IP of node n on standby s. */
static int place_node(struct planner *p, uint32_t n, uint32_t s, bool strict)
{
	struct ipto_pool *pool = p->pool;
	struct pool_node *node = &pool->nodes[n];
	struct pool_standby *sb = &pool->standbys[s];
	struct adapter_heap_ctx hc = { p, sb };
	struct u32vec *h = &p->aheap[s];
	size_t old_free = p->free[s], i;
	int r;

	r = ensure_adapter_heap(p, s);
	if (r < 0)
		return r;
	pool_sort_node_ips(pool, node);
	p->aside.n = 0;
	p->barred.n = 0;
	for (i = 0; i < node->n_ips; i++) {
		uint32_t pos, a;

		for (;;) {
			if (h->n == 0) {
				/* Every usable adapter has one of this node's
				 * IPs: start another round (sharing only). */
				size_t j;

				if (strict || p->aside.n == 0)
					return -EIO;
				for (j = 0; j < p->aside.n; j++) {
					r = heap_push(h, p->aside.v[j],
						      less_adapter, &hc);
					if (r < 0)
						return r;
				}
				p->aside.n = 0;
			}
			pos = heap_pop(h, less_adapter, &hc);
			a = sb->adapters[pos];
			if (!pool_adapter_clashes(pool, a, node))
				break;
			r = vec_push(&p->barred, pos);
			if (r < 0)
				return r;
		}
		if (adapter_load(p, a) == 0)
			p->free[s]--;
		else if (strict)
			return -EIO; /* the fit said it was free */
		p->planned[a]++;
		p->load[s]++;
		r = add_step(p, node->ips[i], a);
		if (r == 0)
			r = vec_push(&p->aside, pos);
		if (r < 0)
			return r;
	}
	for (i = 0; i < p->aside.n; i++) {
		r = heap_push(h, p->aside.v[i], less_adapter, &hc);
		if (r < 0)
			return r;
	}
	for (i = 0; i < p->barred.n; i++) {
		r = heap_push(h, p->barred.v[i], less_adapter, &hc);
		if (r < 0)
			return r;
	}
	if (p->free[s] != old_free) {
		size_t new_free = p->free[s];

		p->free[s] = old_free;
		bucket_remove(p, s);
		p->free[s] = new_free;
		r = bucket_insert(p, s);
	}
	return r;
}

static int cmp_failed(const void *a, const void *b, void *ctx)
{
	const struct ipto_pool *pool = ctx;
	const struct pool_node *x = &pool->nodes[*(const uint32_t *)a];
	const struct pool_node *y = &pool->nodes[*(const uint32_t *)b];

	if (x->n_ips != y->n_ips)
		return x->n_ips > y->n_ips ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_node_name(const void *a, const void *b, void *ctx)
{
	const struct ipto_pool *pool = ctx;

	return strcmp(pool->nodes[*(const uint32_t *)a].name,
		      pool->nodes[*(const uint32_t *)b].name);
}

/*
 * Resolve, sort and vet the node list of a takeover or release. On success
 * *out holds node indices sorted with cmp.
 */
static int resolve_nodes(struct ipto_pool *pool, const char *const *names,
			 size_t n, bool want_taken_over, const char *what,
			 int (*cmp)(const void *, const void *, void *),
			 uint32_t **out)
{
	uint32_t *v;
	size_t i;

	if (n == 0 || n > SIZE_MAX / sizeof(*v)) {
		log_err(pool->ctx, "cannot plan %s: no nodes given\n", what);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!names[i]) {
			log_err(pool->ctx,
				"cannot plan %s: node name %zu is NULL\n",
				what, i);
			return -EINVAL;
		}
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		v[i] = pool_find_node(pool, names[i]);
		if (v[i] == POOL_NONE) {
			log_err(pool->ctx,
				"cannot plan %s: no active node %s\n", what,
				names[i]);
			free(v);
			return -ENOENT;
		}
	}
	qsort_r(v, n, sizeof(*v), cmp, pool);
	for (i = 1; i < n; i++)
		if (v[i] == v[i - 1]) {
			log_err(pool->ctx,
				"cannot plan %s: node %s is listed twice\n",
				what, pool->nodes[v[i]].name);
			free(v);
			return -EEXIST;
		}
	for (i = 0; i < n; i++)
		if (pool->nodes[v[i]].taken_over != want_taken_over) {
			log_err(pool->ctx,
				"cannot plan %s: node %s is %s\n", what,
				pool->nodes[v[i]].name,
				want_taken_over ? "not taken over"
						: "taken over already");
			free(v);
			return -EALREADY;
		}
	*out = v;
	return 0;
}

static int record_nodes(struct ipto_plan *plan, uint32_t *nodes, size_t n)
{
	size_t i;

	plan->epochs = malloc(n * sizeof(*plan->epochs));
	if (!plan->epochs)
		return -ENOMEM;
	plan->nodes = nodes;
	plan->n_nodes = n;
	for (i = 0; i < n; i++)
		plan->epochs[i] = plan->pool->nodes[nodes[i]].epoch;
	return 0;
}

/* A new plan of @action for the @n nodes (pool indices) in @nodes, which
 * it owns from here on (freed on failure too); NULL when out of memory. */
static struct ipto_plan *plan_new_nodes(struct ipto_pool *pool,
					enum ipto_plan_action action,
					uint32_t *nodes, size_t n)
{
	struct ipto_plan *plan = plan_alloc(pool, action);

	if (!plan || record_nodes(plan, nodes, n) < 0) {
		free(nodes);
		ipto_plan_unref(plan);
		return NULL;
	}
	return plan;
}

static void mark_shared(struct planner *p)
{
	struct ipto_plan *plan = p->plan;
	size_t i;

	for (i = 0; i < plan->n_steps; i++) {
		struct plan_step_priv *st = &plan->steps[i];

		if (adapter_load(p, st->adapter) > 1)
			st->flags |= IPTO_PLAN_STEP_SHARED;
		if (p->pool->adapters[st->adapter].flags &
		    IPTO_ADAPTER_MANAGEMENT)
			st->flags |= IPTO_PLAN_STEP_MANAGEMENT;
	}
}

static int plan_nodes(struct planner *p, const uint32_t *nodes, size_t n)
{
	struct ipto_pool *pool = p->pool;
	struct affected *aff = NULL;
	size_t max_macs = 1, i;
	int r = 0;

	for (i = 0; i < n; i++)
		if (pool->nodes[nodes[i]].n_macs > max_macs)
			max_macs = pool->nodes[nodes[i]].n_macs;
	aff = malloc(max_macs * sizeof(*aff));
	if (!aff)
		return -ENOMEM;
	for (i = 0; i < n && r == 0; i++) {
		const struct pool_node *node = &pool->nodes[nodes[i]];
		size_t k = node->n_ips, n_aff, most;
		uint32_t s, most_s;

		if (k == 0)
			continue;
		n_aff = find_affected(p, node, aff);
		r = choose_fit(p, k, aff, n_aff, &s, &most, &most_s);
		if (r < 0)
			break;
		if (s != POOL_NONE) {
			r = place_node(p, nodes[i], s, true);
			continue;
		}
		if (p->share) {
			s = choose_shared(p, aff, n_aff);
			if (s != POOL_NONE) {
				log_info(pool->ctx,
					 "plan: node %s has %zu IPs, standby %s has %zu free usable adapters: sharing adapters\n",
					 node->name, k, pool->standbys[s].name,
					 usable_free(p, s, aff, n_aff));
				r = place_node(p, nodes[i], s, false);
				continue;
			}
			log_err(pool->ctx,
				"cannot plan takeover: node %s has %zu IPs and no standby has an adapter it may use\n",
				node->name, k);
		} else if (most_s == POOL_NONE) {
			log_err(pool->ctx,
				"cannot plan takeover: node %s has %zu IPs and there is no standby\n",
				node->name, k);
		} else {
			log_err(pool->ctx,
				"cannot plan takeover: node %s has %zu IPs, standby %s has the most free usable adapters, %zu: %zu missing (%zu of the %zu failed nodes placed before it)\n",
				node->name, k, pool->standbys[most_s].name,
				most, k - most, i, n);
		}
		r = -ENOSPC;
	}
	free(aff);
	if (r == -EIO)
		log_err(pool->ctx, "cannot plan takeover: internal error\n");
	else if (r == -ENOMEM)
		log_err(pool->ctx, "cannot plan takeover: out of memory\n");
	return r;
}

IPTO_EXPORT int ipto_plan_new_takeover(struct ipto_pool *pool,
				   const char *const *failed_nodes,
				   size_t n_failed,
				   const struct ipto_plan_opts *opts,
				   struct ipto_plan **ret)
{
	struct planner p;
	struct ipto_plan *plan;
	uint32_t *nodes = NULL;
	unsigned int flags;
	int r;

	if (!pool || !failed_nodes || !ret)
		return -EINVAL;
	r = ipto_opts_valid(pool->ctx, "cannot plan takeover", opts,
			    ipto_plan_opts, flags);
	if (r < 0)
		return r;
	flags = ipto_opts_get(opts, ipto_plan_opts, flags, 0);
	if (flags & ~(unsigned int)IPTO_PLAN_SHARE_ADAPTERS) {
		log_err(pool->ctx, "cannot plan takeover: unknown flags 0x%x\n",
			flags);
		return -EINVAL;
	}
	r = resolve_nodes(pool, failed_nodes, n_failed, false, "takeover",
			  cmp_failed, &nodes);
	if (r < 0)
		return r;
	if (!(flags & IPTO_PLAN_SHARE_ADAPTERS)) {
		r = pool_check_rule(pool, true);
		if (r < 0) {
			log_err(pool->ctx,
				"cannot plan takeover: the pool fails the capacity rule (allow IPTO_PLAN_SHARE_ADAPTERS or add adapters)\n");
			free(nodes);
			return r;
		}
	}
	plan = plan_new_nodes(pool, IPTO_PLAN_ACTION_BIND, nodes, n_failed);
	if (!plan)
		return -ENOMEM;
	log_dbg(pool->ctx, "plan: takeover of %zu nodes%s\n", n_failed,
		flags & IPTO_PLAN_SHARE_ADAPTERS ? ", sharing allowed" : "");
	r = planner_init(&p, pool, flags & IPTO_PLAN_SHARE_ADAPTERS);
	p.plan = plan;
	if (r == 0)
		r = plan_nodes(&p, nodes, n_failed);
	if (r == 0)
		mark_shared(&p);
	planner_free(&p);
	if (r < 0) {
		ipto_plan_unref(plan);
		return r;
	}
	*ret = plan;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Release planning                                                    */
/* ------------------------------------------------------------------ */

IPTO_EXPORT int ipto_plan_new_release(struct ipto_pool *pool,
				  const char *const *nodes, size_t n,
				  struct ipto_plan **ret)
{
	struct ipto_plan *plan;
	uint32_t *v = NULL;
	size_t cap = 0, i, j;
	int r;

	if (!pool || !nodes || !ret)
		return -EINVAL;
	r = resolve_nodes(pool, nodes, n, true, "release", cmp_node_name, &v);
	if (r < 0)
		return r;
	plan = plan_new_nodes(pool, IPTO_PLAN_ACTION_UNBIND, v, n);
	if (!plan) {
		log_err(pool->ctx, "cannot plan release: out of memory\n");
		return -ENOMEM;
	}
	for (i = 0; i < n && r == 0; i++) {
		struct pool_node *node = &pool->nodes[v[i]];

		pool_sort_node_ips(pool, node);
		for (j = 0; j < node->n_ips && r == 0; j++) {
			const struct pool_ip *ip = &pool->ips[node->ips[j]];
			struct plan_step_priv *st;

			if (ip->adapter == POOL_NONE)
				continue;
			r = ipto_grow((void **)&plan->steps, &cap,
				      plan->n_steps + 1, sizeof(*plan->steps));
			if (r < 0)
				break;
			st = &plan->steps[plan->n_steps++];
			st->ip = node->ips[j];
			st->adapter = ip->adapter;
			st->flags = 0;
			if (pool->adapters[ip->adapter].load > 1)
				st->flags |= IPTO_PLAN_STEP_SHARED;
			if (pool->adapters[ip->adapter].flags &
			    IPTO_ADAPTER_MANAGEMENT)
				st->flags |= IPTO_PLAN_STEP_MANAGEMENT;
		}
	}
	if (r < 0) {
		log_err(pool->ctx, "cannot plan release: out of memory\n");
		ipto_plan_unref(plan);
		return r;
	}
	*ret = plan;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading a plan                                                      */
/* ------------------------------------------------------------------ */

IPTO_EXPORT size_t ipto_plan_get_step_count(const struct ipto_plan *plan)
{
	return plan ? plan->n_steps : 0;
}

/* Lists the adapters of the plan's standbys once; the pool only grows,
 * so the list stays valid. */
static int plan_list_adapters(struct ipto_plan *plan)
{
	struct ipto_pool *pool = plan->pool;
	size_t i, r, n = 0;
	bool *used;
	int err;

	if (plan->all_adapters_done)
		return 0;
	used = calloc(pool->n_standbys + 1, sizeof(*used));
	if (!used)
		return -ENOMEM;
	for (i = 0; i < plan->n_steps; i++)
		used[pool->adapters[plan->steps[i].adapter].standby] = true;
	err = pool_ensure_ranks(pool);
	if (err < 0)
		goto out;
	for (r = 0; r < pool->n_standbys; r++)
		if (used[pool->by_rank[r]])
			n += pool->standbys[pool->by_rank[r]].n_adapters;
	plan->all_adapters = calloc(n + 1, sizeof(*plan->all_adapters));
	if (!plan->all_adapters) {
		err = -ENOMEM;
		goto out;
	}
	for (r = 0; r < pool->n_standbys; r++) {
		struct pool_standby *sb = &pool->standbys[pool->by_rank[r]];

		if (!used[pool->by_rank[r]])
			continue;
		pool_sort_standby_adapters(pool, sb);
		for (i = 0; i < sb->n_adapters; i++)
			plan->all_adapters[plan->n_all_adapters++] = sb->adapters[i];
	}
	plan->all_adapters_done = true;
out:
	free(used);
	return err;
}

IPTO_EXPORT size_t ipto_plan_get_adapter_count(const struct ipto_plan *plan)
{
	if (!plan || plan_list_adapters((struct ipto_plan *)plan) < 0)
		return 0;
	return plan->n_all_adapters;
}

IPTO_EXPORT int ipto_plan_get_adapter(const struct ipto_plan *plan, size_t index,
				      const char **standby, const char **ifname,
				      struct ipto_mac *mac)
{
	const struct pool_adapter *a;
	int err;

	if (!plan)
		return -EINVAL;
	err = plan_list_adapters((struct ipto_plan *)plan);
	if (err < 0)
		return err;
	if (index >= plan->n_all_adapters)
		return -ERANGE;
	a = &plan->pool->adapters[plan->all_adapters[index]];
	if (standby)
		*standby = plan->pool->standbys[a->standby].name;
	if (ifname)
		*ifname = a->ifname;
	if (mac)
		*mac = a->mac;
	return 0;
}

void plan_fill_step(const struct ipto_plan *plan, size_t index,
		    struct ipto_plan_step *s)
{
	const struct ipto_pool *pool = plan->pool;
	const struct plan_step_priv *st = &plan->steps[index];
	const struct pool_ip *ip = &pool->ips[st->ip];
	const struct pool_adapter *a = &pool->adapters[st->adapter];

	memset(s, 0, sizeof(*s));
	s->sz = sizeof(*s);
	s->action = plan->action;
	s->node = pool->nodes[ip->node].name;
	s->standby = pool->standbys[a->standby].name;
	s->ifname = a->ifname;
	s->ip = ip->addr;
	s->mac = a->mac;
	ipto_announce_target(&ip->addr, &s->announce_target);
	s->flags = st->flags;
	if (a->mv_parent)
		s->flags |= IPTO_PLAN_STEP_MACVLAN;
}

IPTO_EXPORT int ipto_plan_get_step(const struct ipto_plan *plan, size_t index,
				   struct ipto_plan_step *step)
{
	struct ipto_plan_step full;

	if (!plan || !step || step->sz < sizeof(size_t))
		return -EINVAL;
	if (index >= plan->n_steps)
		return -ERANGE;
	plan_fill_step(plan, index, &full);
	ipto_sized_copy_out(step, &full, sizeof(full));
	return 0;
}
