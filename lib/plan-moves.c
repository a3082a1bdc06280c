/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plans from explicit moves (ipto_plan_new_moves()): a caller's own list of
 * which address goes on which adapter, checked against every rule the
 * planner of plan.c obeys, for releases and the agent's one-address moves.
 */
#include "pool-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/*
 * The planner's rules for one BIND move (@ipi onto adapter @ai; @done:
 * the @i moves before it): the node's address never goes on an adapter
 * with one of the node's MACs (-EPERM), an address the pool holds stays
 * where it is (-EALREADY; bound again on the same adapter is fine), and a
 * node goes to one standby (-EXDEV). The address listed twice and the
 * adapter's standby are checked by the caller.
 */
static int move_allowed(const struct ipto_pool *pool, const struct ipto_plan_move *moves,
			const struct plan_step_priv *done, size_t i, uint32_t ipi,
			uint32_t ai, const char *text)
{
	const struct pool_ip *ip = &pool->ips[ipi];
	const struct pool_node *node = &pool->nodes[ip->node];
	const struct pool_adapter *a = &pool->adapters[ai];
	size_t j, k;

	if (pool_adapter_clashes(pool, ai, node)) {
		log_err(pool->ctx,
			"plan from moves: %s of node %s cannot go on %s %s: the adapter "
			"has one of %s's own MACs\n", text, node->name,
			pool->standbys[a->standby].name, a->ifname, node->name);
		return -EPERM;
	}
	if (ip->adapter != POOL_NONE && ip->adapter != ai) {
		const struct pool_adapter *h = &pool->adapters[ip->adapter];

		log_err(pool->ctx,
			"plan from moves: %s of node %s is held on %s %s already; "
			"release it before moving it to %s %s\n", text, node->name,
			pool->standbys[h->standby].name, h->ifname, moves[i].standby,
			a->ifname);
		return -EALREADY;
	}
	/* the node's other addresses, held or moved in this plan */
	for (k = 0; k < node->n_ips; k++) {
		uint32_t other = pool->ips[node->ips[k]].adapter;

		if (other != POOL_NONE && pool->adapters[other].standby != a->standby) {
			log_err(pool->ctx,
				"plan from moves: node %s is held on standby %s; "
				"%s cannot go to standby %s\n", node->name,
				pool->standbys[pool->adapters[other].standby].name,
				text, moves[i].standby);
			return -EXDEV;
		}
	}
	for (j = 0; j < i; j++)
		if (pool->ips[done[j].ip].node == ip->node &&
		    pool->adapters[done[j].adapter].standby != a->standby) {
			log_err(pool->ctx,
				"plan from moves: node %s goes to standby %s in move %zu; "
				"%s cannot go to standby %s\n", node->name,
				moves[j].standby, j, text, moves[i].standby);
			return -EXDEV;
		}
	return 0;
}

IPTO_EXPORT int ipto_plan_new_moves(struct ipto_pool *pool,
				    enum ipto_plan_action action,
				    const struct ipto_plan_move *moves,
				    size_t n, struct ipto_plan **ret)
{
	struct ipto_plan *plan;
	uint32_t *nodes = NULL;
	size_t i, j, n_nodes = 0;
	int r = 0;

	if (!pool || !moves || n == 0 || !ret ||
	    (action != IPTO_PLAN_ACTION_BIND && action != IPTO_PLAN_ACTION_UNBIND) ||
	    n > POOL_MAX_ITEMS)
		return -EINVAL;
	plan = plan_alloc(pool, action);
	if (!plan)
		return -ENOMEM;
	plan->steps = calloc(n, sizeof(*plan->steps));
	nodes = calloc(n, sizeof(*nodes));
	plan->epochs = calloc(n, sizeof(*plan->epochs));
	if (!plan->steps || !nodes || !plan->epochs) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		const struct ipto_plan_move *m = &moves[i];
		struct plan_step_priv *st = &plan->steps[i];
		char text[IPTO_ADDR_STRLEN] = "?";
		const struct pool_standby *sb;
		uint32_t sbi, ipi, ai = POOL_NONE, node;

		if (!m->standby || !m->ifname || !ipto_addr_valid(&m->ip)) {
			log_err(pool->ctx, "plan from moves: move %zu is incomplete\n", i);
			r = -EINVAL;
			goto fail;
		}
		ipto_addr_format(&m->ip, text, sizeof(text));
		ipi = pool_find_ip(pool, &m->ip);
		sbi = pool_find_standby(pool, m->standby);
		if (ipi == POOL_NONE || sbi == POOL_NONE) {
			log_err(pool->ctx, "plan from moves: %s %s\n",
				ipi == POOL_NONE ? "no node has" : "no standby",
				ipi == POOL_NONE ? text : m->standby);
			r = -ENOENT;
			goto fail;
		}
		sb = &pool->standbys[sbi];
		for (j = 0; j < sb->n_adapters; j++)
			if (strcmp(pool->adapters[sb->adapters[j]].ifname,
				   m->ifname) == 0)
				ai = sb->adapters[j];
		if (ai == POOL_NONE) {
			log_err(pool->ctx, "plan from moves: standby %s has no adapter %s\n",
				m->standby, m->ifname);
			r = -ENOENT;
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (plan->steps[j].ip == ipi) {
				log_err(pool->ctx, "plan from moves: %s listed twice\n",
					text);
				r = -EEXIST;
				goto fail;
			}
		node = pool->ips[ipi].node;
		if (action == IPTO_PLAN_ACTION_BIND) {
			r = move_allowed(pool, moves, plan->steps, i, ipi, ai, text);
			if (r < 0)
				goto fail;
		}
		st->ip = ipi;
		st->adapter = ai;
		if (pool->adapters[ai].flags & IPTO_ADAPTER_MANAGEMENT)
			st->flags |= IPTO_PLAN_STEP_MANAGEMENT;
		for (j = 0; j < n_nodes && nodes[j] != node; j++)
			;
		if (j == n_nodes) {
			plan->epochs[n_nodes] = pool->nodes[node].epoch;
			nodes[n_nodes++] = node;
		}
	}
	plan->n_steps = n;
	/* Shared: the adapter carries more than one taken-over address
	 * after a BIND plan (an address it holds already, bound again,
	 * counts once), or before an UNBIND plan. */
	for (i = 0; i < n; i++) {
		uint32_t ai = plan->steps[i].adapter;
		size_t same = 0;

		for (j = 0; j < n; j++)
			same += plan->steps[j].adapter == ai &&
				(action != IPTO_PLAN_ACTION_BIND ||
				 pool->ips[plan->steps[j].ip].adapter != ai);
		if (action == IPTO_PLAN_ACTION_BIND ? pool->adapters[ai].load + same > 1
					     : pool->adapters[ai].load > 1 || same > 1)
			plan->steps[i].flags |= IPTO_PLAN_STEP_SHARED;
	}
	plan->nodes = nodes;
	plan->n_nodes = n_nodes;
	*ret = plan;
	return 0;
fail:
	free(nodes);
	ipto_plan_unref(plan);
	return r;
}
