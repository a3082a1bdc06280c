/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to record.c and status.c: one kernel snapshot, and finding the
 * pool's adapters and standbys in it. */
#ifndef IPTO_RECORD_PRIVATE_H
#define IPTO_RECORD_PRIVATE_H

#include "backend-private.h"
#include "pool-private.h"

/* One link dump and one address dump, each an array to free. */
struct snapshot {
	struct ipto_adapter_entry *links;
	char (*aliases)[IPTO_LINK_ALIAS_MAX]; /* each link's alias, or NULL */
	size_t n_links;
	struct ipto_addr_entry *addrs;
	size_t n_addrs;
};

/* Reads @s (zeroed first): 0, or a negative errno with @s empty. The
 * links come with their aliases from the same dump where the binder can
 * (the netlink binder), else @s->aliases is NULL. */
int record_snapshot_read(struct ipto_binder *binder, struct snapshot *s);
/* Frees @s's arrays and zeroes it. */
void record_snapshot_free(struct snapshot *s);
/* The link of @s with index @ifindex, or NULL. */
const struct ipto_adapter_entry *record_snapshot_link(const struct snapshot *s,
						      int ifindex);
/* The pool adapter a link is (same name and MAC, of @standby when not
 * POOL_NONE), or POOL_NONE. */
uint32_t record_adapter_of_link(const struct ipto_pool *pool,
				const struct ipto_adapter_entry *l,
				uint32_t standby);
/* *@out: the index of the standby named @standby (POOL_NONE for NULL):
 * 0, or -ENOENT logged naming @who. */
int record_resolve_standby(struct ipto_pool *pool, const char *standby,
			   uint32_t *out, const char *who);

#endif /* IPTO_RECORD_PRIVATE_H */
