/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deleting the macvlan links a release left (doc/macvlan.md, "Failback
 * does not wait for link deletion"). A release removes the addresses and
 * restores what it changed at once and leaves its empty on-demand links
 * in place: the kernel takes 16-20 ms to delete one (an RCU grace period
 * per unregistered device), 2.2 s for 64, and a failback must not wait
 * for that. ipto_macvlan_reap() deletes them later, each one under the
 * host's lock with its tag and addresses read again under it, so a
 * takeover (which holds the lock from creating or finding its links to
 * binding) either finds a link whole and uses it, or finds it gone and
 * creates it.
 */
#include "backend-private.h"
#include "macvlan-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* Whether @ifname is still an on-demand link of @standby (any: NULL) with
 * no address but IPv6 link-local ones: 1, 0, or a negative errno
 * (-ENODEV: gone). */
static int still_empty(struct ipto_binder *b, const char *standby, const char *ifname)
{
	char alias[IPTO_LINK_ALIAS_MAX], sb[256];
	unsigned int index, flags;
	struct ipto_addr *addrs;
	int n, i, r;

	r = ipto_binder_adapter_get_alias(b, ifname, alias, sizeof(alias));
	if (r < 0)
		return r;
	if (ipto_macvlan_tag_parse(alias, sb, sizeof(sb), &index, &flags) < 0 ||
	    (flags & IPTO_MACVLAN_KEEP) || (standby && strcmp(sb, standby) != 0))
		return 0;
	n = ipto_binder_addr_list_alloc(b, ifname, &addrs);
	if (n < 0)
		return n;
	r = 1;
	for (i = 0; i < n && r; i++)
		if (!(addrs[i].family == AF_INET6 && addrs[i].bytes[0] == 0xfe &&
		      (addrs[i].bytes[1] & 0xc0) == 0x80))
			r = 0;
	free(addrs);
	return r;
}

IPTO_EXPORT int ipto_macvlan_reap(struct ipto_binder *binder, const char *standby,
				  const struct ipto_lock_opts *lock)
{
	struct ipto_macvlan_entry *e;
	int n, i, deleted = 0, r = 0;

	if (!binder)
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
		struct ipto_lock *held = NULL;

		if ((e[i].flags & IPTO_MACVLAN_KEEP) || e[i].n_addrs)
			continue;
		/* One link per hold: a takeover waits for one deletion at
		 * most, never for all of them. */
		r = ipto_lock_acquire(binder->ctx, lock, &held);
		if (r < 0)
			break;
		r = still_empty(binder, standby, e[i].ifname);
		if (r == 1) {
			r = ipto_binder_adapter_delete(binder, e[i].ifname);
			if (r == 0) {
				log_info(binder->ctx, "reap: deleted %s (ipto:%s:%u), "
					 "left by a release\n", e[i].ifname,
					 e[i].standby, e[i].index);
				deleted++;
			}
		} else if (r == 0) {
			log_info(binder->ctx, "reap: %s holds addresses again: kept\n",
				 e[i].ifname);
		}
		ipto_lock_release(held);
		if (r == -ENODEV)
			r = 0; /* gone meanwhile: what we wanted */
		if (r < 0)
			break;
	}
	free(e);
	if (n < 0)
		return n;
	return r < 0 ? r : deleted;
}
