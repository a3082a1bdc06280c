/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Between neigh.c and the netlink sources of neighbour sets
 * (neigh-netlink.c). Not installed.
 */
#ifndef IPTO_NEIGH_PRIVATE_H
#define IPTO_NEIGH_PRIVATE_H

#include <ipto/ipto-neigh.h>

/* Whether neighbour @n is on @subnet's link (NULL: every neighbour is):
 * same family, and inside the prefix or an IPv6 link-local address. */
bool ipto_neigh_on_subnet(const struct ipto_addr *subnet,
			  const struct ipto_addr *n);

/* Add or merge a neighbour a source read (valid address; @mac unicast,
 * or NULL / all zero for unknown): 0, 1 (merged), -E2BIG, -ENOMEM. */
int ipto_neigh_add_read(struct ipto_neigh_set *set, const struct ipto_addr *addr,
			const struct ipto_mac *mac, unsigned int sources);

/* The set's context, for messages. */
struct ipto_ctx *ipto_neigh_set_ctx(const struct ipto_neigh_set *set);

/* The default place of the watch-seen file for the calling thread's
 * network namespace, RECORD_ROOT/<netns inode>/IPTO_NEIGH_SEEN_FILE, into
 * @buf of @len bytes: 0, or -errno when the namespace cannot be found
 * (logged as "@who: cannot find the network namespace: ...", @ctx). */
int ipto_neigh_seen_default(struct ipto_ctx *ctx, const char *who, char *buf,
			    size_t len);

#endif /* IPTO_NEIGH_PRIVATE_H */
