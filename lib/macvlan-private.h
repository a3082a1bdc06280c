/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to macvlan.c, pool-macvlan.c and the takeover engine: the
 * virtual adapters of a plan. */
#ifndef IPTO_MACVLAN_PRIVATE_H
#define IPTO_MACVLAN_PRIVATE_H

#include "ipto-private.h"

#define MV_MAX_COUNT 4096
#define MV_STANDBY_MAX 240	/* "ipto:" + name + ":4095:keep" < 256 */
#define MV_PREFIX_MAX 12	/* + up to 3 digits of an index fits 15 */
#define MV_TAG_HEAD "ipto:"
#define MV_TAG_KEEP ":keep"

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
