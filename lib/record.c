/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel is the record: what a standby holds is read back from the
 * kernel (addresses carrying IPTO_ADDR_PROTO_TAKEOVER), never remembered
 * by a process. This file reads one snapshot of the kernel (links and
 * addresses) and loads that occupancy into a pool; status.c reads a
 * standby's status from the same snapshot. See doc/record.md.
 */
#include "backend-private.h"
#include "pool-private.h"
#include "record-private.h"

#include <stdlib.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------ */
/* One kernel snapshot: one link dump, one address dump                */
/* ------------------------------------------------------------------ */

void record_snapshot_free(struct snapshot *s)
{
	free(s->links);
	free(s->aliases);
	free(s->addrs);
	memset(s, 0, sizeof(*s));
}

int record_snapshot_read(struct ipto_binder *binder, struct snapshot *s)
{
	int n;

	memset(s, 0, sizeof(*s));
	n = ipto_binder_adapter_dump_alloc_aliases(binder, &s->links, &s->aliases);
	if (n == -EOPNOTSUPP)
		n = ipto_binder_adapter_dump_alloc(binder, &s->links);
	if (n < 0)
		return n;
	s->n_links = (size_t)n;
	n = ipto_binder_addr_dump_alloc(binder, 0, &s->addrs);
	if (n < 0) {
		record_snapshot_free(s);
		return n;
	}
	s->n_addrs = (size_t)n;
	return 0;
}

const struct ipto_adapter_entry *record_snapshot_link(const struct snapshot *s,
						      int ifindex)
{
	size_t i;

	for (i = 0; i < s->n_links; i++)
		if (s->links[i].ifindex == ifindex)
			return &s->links[i];
	return NULL;
}

/* The pool adapter a link is (same name and MAC, of @standby when not
 * POOL_NONE), or POOL_NONE. */
uint32_t record_adapter_of_link(const struct ipto_pool *pool,
				const struct ipto_adapter_entry *l,
				uint32_t standby)
{
	uint32_t a = pool_find_adapter_by_mac(pool, &l->mac);

	if (a == POOL_NONE || strcmp(pool->adapters[a].ifname, l->ifname) != 0)
		return POOL_NONE;
	if (standby != POOL_NONE && pool->adapters[a].standby != standby)
		return POOL_NONE;
	return a;
}

int record_resolve_standby(struct ipto_pool *pool, const char *standby,
			   uint32_t *out, const char *who)
{
	*out = POOL_NONE;
	if (!standby)
		return 0;
	*out = pool_find_standby(pool, standby);
	if (*out == POOL_NONE) {
		log_err(pool->ctx, "%s: no standby %s\n", who, standby);
		return -ENOENT;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Occupancy                                                           */
/* ------------------------------------------------------------------ */

IPTO_EXPORT int ipto_pool_load_occupancy(struct ipto_pool *pool,
					 const char *standby,
					 struct ipto_binder *binder)
{
	struct snapshot snap;
	uint32_t sbi;
	size_t i;
	int r, loaded = 0;

	if (!pool || !binder)
		return -EINVAL;
	r = record_resolve_standby(pool, standby, &sbi, "load occupancy");
	if (r < 0)
		return r;
	r = record_snapshot_read(binder, &snap);
	if (r < 0) {
		log_err(pool->ctx, "load occupancy: cannot read the kernel: %s\n",
			ipto_strerror(r));
		return r;
	}
	for (i = 0; i < snap.n_addrs; i++) {
		const struct ipto_addr_entry *e = &snap.addrs[i];
		const struct ipto_adapter_entry *l;
		char text[IPTO_ADDR_STRLEN];
		struct pool_adapter *a;
		struct pool_standby *sb;
		struct pool_node *node;
		uint32_t ai, ipi;

		if (e->proto != IPTO_ADDR_PROTO_TAKEOVER)
			continue;
		ipto_addr_format(&e->addr, text, sizeof(text));
		l = record_snapshot_link(&snap, e->ifindex);
		ai = l ? record_adapter_of_link(pool, l, sbi) : POOL_NONE;
		ipi = pool_find_ip(pool, &e->addr);
		if (ai == POOL_NONE || ipi == POOL_NONE) {
			log_info(pool->ctx,
				 "load occupancy: %s on %s is marked as taken over "
				 "but the description has no such %s; ignored\n",
				 text, l ? l->ifname : "?",
				 ipi == POOL_NONE ? "address" : "adapter");
			continue;
		}
		if (pool->ips[ipi].adapter != POOL_NONE)
			continue; /* loaded already */
		node = &pool->nodes[pool->ips[ipi].node];
		a = &pool->adapters[ai];
		sb = &pool->standbys[a->standby];
		pool->ips[ipi].adapter = ai;
		if (a->load++ == 0)
			sb->n_free--;
		sb->load++;
		if (!node->taken_over) {
			node->taken_over = true;
			node->epoch = ++pool->epoch_counter;
		}
		log_info(pool->ctx, "load occupancy: %s of %s is on %s %s\n", text,
			 node->name, sb->name, a->ifname);
		loaded++;
	}
	record_snapshot_free(&snap);
	return loaded;
}
