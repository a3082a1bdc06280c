/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to macvlan.c and takeover.c: the virtual adapters of a plan. */
#ifndef IPTO_MACVLAN_PRIVATE_H
#define IPTO_MACVLAN_PRIVATE_H

#include "ipto-private.h"

/* Writes the tag "ipto:STANDBY:INDEX[:keep]"; -ENOSPC if it does not fit. */
int macvlan_tag_format(const char *standby, uint32_t index, bool keep,
		       char *buf, size_t len);

/*
 * Before a takeover binds to @ifname (an adapter of @standby in @plan):
 * when it is a macvlan adapter the system lacks, create it (down, tagged,
 * arp_ignore=1, arp_announce=2) and set *created. An existing link of
 * that name must carry the adapter's tag (-EEXIST otherwise, logged).
 * 0 for any other adapter.
 */
int macvlan_prepare(struct ipto_binder *b, const struct ipto_plan *plan,
		    const char *standby, const char *ifname, bool *created);

/* After a release: delete @ifname when it is a macvlan adapter made on
 * demand (tag without ":keep") with no address left. Best effort. */
void macvlan_release(struct ipto_binder *b, const struct ipto_plan *plan,
		     const char *standby, const char *ifname);

#endif /* IPTO_MACVLAN_PRIVATE_H */
