/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals shared by pool.c (the description, the capacity rule, commit),
 * plan.c (takeover, release and move planning), plan-format.c, and the
 * record's readers (record.c, status.c) and the macvlan files. Not installed.
 *
 * Everything is stored in insertion-order arrays that only grow, so an
 * index stays valid for the life of the pool; plans refer to nodes, IPs
 * and adapters by index and hold a pool reference. Lookups go through
 * open-addressing hash sets of indices. Every order a caller can observe
 * (plans, logs, JSON) comes from sorting by names and ipto_addr_compare(),
 * never from insertion order or pointers.
 */
#ifndef IPTO_POOL_PRIVATE_H
#define IPTO_POOL_PRIVATE_H

#include "hashset.h"
#include "ipto-private.h"

#include <stdint.h>

#define POOL_NONE POOL_SET_NONE
/* Names share one set, nodes as 2i and standbys as 2i+1, so counts stay
 * below 2^31. */
#define POOL_MAX_ITEMS ((size_t)INT32_MAX - 1)
#define POOL_NAME_MAX 255
#define POOL_IFNAME_MAX 15

struct pool_ip {
	struct ipto_addr addr;
	uint32_t node;
	uint32_t adapter; /* committed on this adapter, or POOL_NONE */
};

struct pool_node_mac {
	struct ipto_mac mac;
	uint32_t node;
};

struct pool_node {
	char *name;
	uint32_t *ips; /* indices into pool->ips */
	size_t n_ips, cap_ips;
	uint32_t *macs; /* indices into pool->node_macs */
	size_t n_macs, cap_macs;
	bool ips_sorted; /* ips[] in ipto_addr_compare() order */
	bool taken_over; /* by a committed takeover plan */
	uint64_t epoch;	 /* changes whenever the node's state does */
};

struct pool_adapter {
	char *ifname;
	struct ipto_mac mac;
	uint32_t standby;
	unsigned int flags; /* enum ipto_adapter_flags */
	uint32_t load;	    /* committed addresses on it */
	char *mv_parent;    /* a macvlan on this parent (pool-macvlan.c), or NULL */
	uint32_t mv_index;  /* its index among its standby's macvlans */
};

struct pool_standby {
	char *name;
	uint32_t *adapters; /* indices into pool->adapters */
	size_t n_adapters, cap_adapters;
	bool adapters_sorted; /* in plan order: management last, then ifname */
	bool has_management;
	size_t n_free; /* adapters with load 0 */
	size_t load;   /* committed addresses on its adapters */
	uint32_t rank; /* position in name order, when pool->ranks_valid */
};

struct ipto_pool {
	int refcount;
	struct ipto_ctx *ctx;

	struct pool_node *nodes;
	size_t n_nodes, cap_nodes;
	struct pool_standby *standbys;
	size_t n_standbys, cap_standbys;
	struct pool_adapter *adapters;
	size_t n_adapters, cap_adapters;
	struct pool_ip *ips;
	size_t n_ips, cap_ips;
	struct pool_node_mac *node_macs;
	size_t n_node_macs, cap_node_macs;

	struct pool_set names;	      /* nodes (2i) and standbys (2i+1) */
	struct pool_set ip_set;	      /* pool->ips by address */
	struct pool_set node_mac_set; /* pool->node_macs by MAC */
	struct pool_set adapter_mac_set;  /* pool->adapters by MAC */
	struct pool_set adapter_name_set; /* pool->adapters by standby+ifname */

	size_t max_ips;	     /* required capacity */
	size_t max_adapters; /* available capacity */

	/* Caches, dropped by any change to the description. */
	bool ranks_valid;
	uint32_t *by_rank; /* standby indices in name order */
	bool by_size_valid;
	uint32_t *by_size; /* standby indices, most adapters first, then name */
	bool check_passed;

	uint64_t epoch_counter;
};

struct plan_step_priv {
	uint32_t ip;
	uint32_t adapter;
	unsigned int flags; /* enum ipto_plan_step_flags */
};

struct ipto_plan {
	int refcount;
	struct ipto_pool *pool;
	enum ipto_plan_action action;
	struct plan_step_priv *steps;
	size_t n_steps;
	uint32_t *nodes;     /* in the plan's order */
	uint64_t *epochs;    /* each node's epoch when planned */
	size_t n_nodes;
	uint32_t *all_adapters; /* its standbys' adapters, made on first ask */
	size_t n_all_adapters;
	bool all_adapters_done;
};

/* Lookups; POOL_NONE when absent. */
uint32_t pool_find_node(const struct ipto_pool *pool, const char *name);
uint32_t pool_find_adapter_by_mac(const struct ipto_pool *pool,
				  const struct ipto_mac *mac);
uint32_t pool_find_ip(const struct ipto_pool *pool, const struct ipto_addr *addr);
uint32_t pool_find_standby(const struct ipto_pool *pool, const char *name);

/* Sort caches; -ENOMEM is the only failure. */
int pool_ensure_ranks(struct ipto_pool *pool);
void pool_sort_node_ips(struct ipto_pool *pool, struct pool_node *node);
void pool_sort_standby_adapters(struct ipto_pool *pool,
				struct pool_standby *sb);

/* True when adapter a has one of node's MACs. */
bool pool_adapter_clashes(const struct ipto_pool *pool, uint32_t adapter,
			  const struct pool_node *node);

/* The capacity rule; logs each failure when log is set. */
int pool_check_rule(struct ipto_pool *pool, bool log);

/* pool-macvlan.c: the plan's adapter of @ifname on @standby, or NULL. */
const struct pool_adapter *pool_plan_adapter(const struct ipto_plan *plan,
					      const char *standby,
					      const char *ifname);

struct ipto_plan *plan_alloc(struct ipto_pool *pool,
			     enum ipto_plan_action action);
/* Step @index of @plan as the public struct (ipto_plan_get_step()). */
void plan_fill_step(const struct ipto_plan *plan, size_t index,
		    struct ipto_plan_step *s);

#endif /* IPTO_POOL_PRIVATE_H */
