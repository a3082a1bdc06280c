/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The capacity rule (ipto_pool_check(), doc/planning.md): whether every
 * node that may fail fits on the standbys that may hold it, and the
 * capacity counts.
 */
#include "pool-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static int cmp_standby_size(const void *a, const void *b, void *ctx)
{
	const struct ipto_pool *pool = ctx;
	const struct pool_standby *x = &pool->standbys[*(const uint32_t *)a];
	const struct pool_standby *y = &pool->standbys[*(const uint32_t *)b];

	if (x->n_adapters != y->n_adapters)
		return x->n_adapters > y->n_adapters ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static int ensure_by_size(struct ipto_pool *pool)
{
	uint32_t *v;
	int r;

	if (pool->by_size_valid)
		return 0;
	r = pool_ensure_ranks(pool);
	if (r < 0)
		return r;
	v = realloc(pool->by_size,
		    (pool->n_standbys ? pool->n_standbys : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	pool->by_size = v;
	memcpy(v, pool->by_rank, pool->n_standbys * sizeof(*v));
	qsort_r(v, pool->n_standbys, sizeof(*v), cmp_standby_size, pool);
	pool->by_size_valid = true;
	return 0;
}

struct check_failure {
	uint32_t node;
	uint32_t standby; /* the best standby for it, or POOL_NONE */
	size_t usable;	  /* its adapters without a MAC clash */
	size_t clashes;	  /* its adapters with one of the node's MACs */
};

static int cmp_failure(const void *a, const void *b, void *ctx)
{
	const struct ipto_pool *pool = ctx;

	return strcmp(pool->nodes[((const struct check_failure *)a)->node].name,
		      pool->nodes[((const struct check_failure *)b)->node].name);
}

struct clash {
	uint32_t standby;
	size_t count;
};

/* Whether node n passes: some standby has n_ips adapters free of its MACs.
 * Fills *f with the best standby either way. */
static bool node_passes(const struct ipto_pool *pool, uint32_t n,
			struct clash *clashes, struct check_failure *f)
{
	const struct pool_node *node = &pool->nodes[n];
	size_t nc = 0, i, j;

	f->node = n;
	f->standby = POOL_NONE;
	f->usable = 0;
	f->clashes = 0;
	if (node->n_ips == 0)
		return true;
	/* Adapter MACs are unique, so each node MAC bars at most one. */
	for (i = 0; i < node->n_macs; i++) {
		uint32_t a = pool_find_adapter_by_mac(
			pool, &pool->node_macs[node->macs[i]].mac);

		if (a == POOL_NONE)
			continue;
		for (j = 0; j < nc && clashes[j].standby !=
					      pool->adapters[a].standby;
		     j++)
			;
		if (j == nc) {
			clashes[nc].standby = pool->adapters[a].standby;
			clashes[nc++].count = 0;
		}
		clashes[j].count++;
	}
	/* The largest standby without a clash, then those with one. */
	for (i = 0; i < pool->n_standbys; i++) {
		uint32_t s = pool->by_size[i];

		for (j = 0; j < nc && clashes[j].standby != s; j++)
			;
		if (j == nc) {
			f->standby = s;
			f->usable = pool->standbys[s].n_adapters;
			break;
		}
	}
	for (j = 0; j < nc; j++) {
		const struct pool_standby *sb =
			&pool->standbys[clashes[j].standby];
		size_t usable = sb->n_adapters - clashes[j].count;

		if (f->standby == POOL_NONE || usable > f->usable ||
		    (usable == f->usable &&
		     sb->rank < pool->standbys[f->standby].rank)) {
			f->standby = clashes[j].standby;
			f->usable = usable;
			f->clashes = clashes[j].count;
		}
	}
	return f->usable >= node->n_ips;
}

static void log_failure(const struct ipto_pool *pool,
			const struct check_failure *f)
{
	const struct pool_node *node = &pool->nodes[f->node];
	size_t missing = node->n_ips - f->usable;

	if (f->standby == POOL_NONE)
		log_err(pool->ctx,
			"capacity rule: node %s has %zu IPs but there is no standby: %zu adapters missing\n",
			node->name, node->n_ips, missing);
	else if (f->clashes)
		log_err(pool->ctx,
			"capacity rule: node %s has %zu IPs, standby %s has %zu adapters, %zu of them with a MAC of node %s: %zu missing\n",
			node->name, node->n_ips,
			pool->standbys[f->standby].name,
			pool->standbys[f->standby].n_adapters, f->clashes,
			node->name, missing);
	else
		log_err(pool->ctx,
			"capacity rule: node %s has %zu IPs, standby %s has %zu adapters: %zu missing\n",
			node->name, node->n_ips,
			pool->standbys[f->standby].name, f->usable, missing);
}

#define CHECK_LOG_MAX 10

int pool_check_rule(struct ipto_pool *pool, bool log)
{
	struct check_failure *fails = NULL, f;
	size_t n_fails = 0, cap_fails = 0, max_macs = 0, i;
	struct clash *clashes;
	int r;

	if (pool->check_passed)
		return 0;
	r = ensure_by_size(pool);
	if (r < 0)
		return r;
	for (i = 0; i < pool->n_nodes; i++)
		if (pool->nodes[i].n_macs > max_macs)
			max_macs = pool->nodes[i].n_macs;
	clashes = malloc((max_macs ? max_macs : 1) * sizeof(*clashes));
	if (!clashes)
		return -ENOMEM;
	for (i = 0; i < pool->n_nodes; i++) {
		if (node_passes(pool, (uint32_t)i, clashes, &f))
			continue;
		if (!log) {
			n_fails++;
			break;
		}
		r = ipto_grow((void **)&fails, &cap_fails, n_fails + 1,
			      sizeof(*fails));
		if (r < 0) {
			free(fails);
			free(clashes);
			return r;
		}
		fails[n_fails++] = f;
	}
	free(clashes);
	if (n_fails == 0) {
		pool->check_passed = true;
		return 0;
	}
	if (log) {
		qsort_r(fails, n_fails, sizeof(*fails), cmp_failure, pool);
		for (i = 0; i < n_fails && i < CHECK_LOG_MAX; i++)
			log_failure(pool, &fails[i]);
		if (n_fails > CHECK_LOG_MAX)
			log_err(pool->ctx,
				"capacity rule: %zu more nodes fail it\n",
				n_fails - CHECK_LOG_MAX);
	}
	free(fails);
	return -ENOSPC;
}

IPTO_EXPORT int ipto_pool_check(struct ipto_pool *pool)
{
	int r;

	if (!pool)
		return -EINVAL;
	r = pool_check_rule(pool, true);
	if (r == -ENOMEM)
		log_err(pool->ctx, "cannot check the pool: out of memory\n");
	return r;
}

IPTO_EXPORT size_t
ipto_pool_get_required_capacity(const struct ipto_pool *pool)
{
	return pool ? pool->max_ips : 0;
}

IPTO_EXPORT size_t
ipto_pool_get_available_capacity(const struct ipto_pool *pool)
{
	return pool ? pool->max_adapters : 0;
}

IPTO_EXPORT size_t ipto_pool_get_free_capacity(const struct ipto_pool *pool)
{
	size_t best = 0, i;

	if (!pool)
		return 0;
	for (i = 0; i < pool->n_standbys; i++)
		if (pool->standbys[i].n_free > best)
			best = pool->standbys[i].n_free;
	return best;
}
