/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef IPTO_EXAMPLES_MACVLAN_REAP_H
#define IPTO_EXAMPLES_MACVLAN_REAP_H

#include <ipto/ipto.h>

/*
 * After a release, shared by ipto and ipto-agent: deletes the empty
 * on-demand macvlan links the release left (ipto_macvlan_reap()) in a
 * detached grandchild (its own session, stdio on /dev/null, no inherited
 * descriptor, a context and binder of its own), so neither the caller nor
 * the host's lock waits for the kernel's 16-20 ms a link. The caller must
 * have let go of the lock: the reaper takes it for one link at a time.
 * Returns 1 when the reaper was started, 0 when there is nothing to
 * delete (no fork), or a negative errno (the links stay, for the next
 * reap or `ipto cleanup`).
 */
int macvlan_reap_detached(struct ipto_ctx *ctx, const char *standby);

#endif
