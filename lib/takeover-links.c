/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan's macvlan links (doc/macvlan.md): created before the takeover,
 * raised with the adapters, deleted by a release once empty.
 */
#include "takeover-private.h"
#include "pool-private.h"

/* The virtual (macvlan) adapters the plan binds to and the system lacks:
 * created down, tagged and with their ARP settings before anything else
 * changes, and deleted last on rollback. */
int links_create(struct ipto_takeover *t)
{
	size_t p;
	int err;

	for (p = 0; p < t->n_ports; p++) {
		struct undo u = { .kind = UNDO_LINK_CREATED, .port = p };
		bool created;

		if (!t->ports[p].announces)
			continue;
		err = macvlan_prepare(t->binder, t->plan, t->ports[p].standby,
				      t->ports[p].ifname, &created);
		if (err < 0)
			return takeover_fail_step(t, IPTO_REPORT_OP_ADAPTER_CREATE, p, NULL, err);
		if (!created)
			continue;
		err = takeover_done_step(t, IPTO_REPORT_OP_ADAPTER_CREATE, &u);
		if (err < 0)
			return err;
	}
	return 0;
}

/* After a release: the macvlans made on demand stay, empty, for
 * ipto_macvlan_reap() (lib/macvlan-reap.c) to delete once the caller has
 * let go of the lock: a deletion costs the kernel 16-20 ms each, and the
 * failback must not wait for it. */
void links_delete_empty(struct ipto_takeover *t)
{
	size_t p;

	for (p = 0; p < t->n_ports; p++) {
		const struct pool_adapter *a;

		if (t->ports[p].guard || !t->ports[p].standby)
			continue;
		a = pool_plan_adapter(t->plan, t->ports[p].standby, t->ports[p].ifname);
		if (a && a->mv_parent)
			log_dbg(t->ctx, "release: %s left for ipto_macvlan_reap()\n",
				t->ports[p].ifname);
	}
}

/* Whether this takeover created port @p's link (links_create()). */
static bool created_here(const struct ipto_takeover *t, size_t p)
{
	size_t i;

	for (i = 0; i < t->n_undo; i++)
		if (t->undo[i].kind == UNDO_LINK_CREATED && t->undo[i].port == p)
			return true;
	return false;
}

int links_raise(struct ipto_takeover *t, const bool *up)
{
	size_t p;
	int err;

	for (p = 0; p < t->n_ports; p++) {
		struct undo u = { .kind = UNDO_LINK_RAISED, .port = p };

		if (!t->ports[p].announces)
			continue;
		if (up[p]) {
			err = takeover_report(t, IPTO_REPORT_OP_ADAPTER_UP, IPTO_REPORT_OUTCOME_FOUND, 0,
				     p, NULL, 0, 0);
			if (err < 0)
				return err;
			continue;
		}
		/* A link this takeover created has no state of before to
		 * bring back: no note, so the release leaves it up and empty
		 * for ipto_macvlan_reap() (setting a link down costs the
		 * kernel about as much as deleting it). */
		err = takeover_reclaiming(t) || created_here(t, p) ? 0
			: note_change(t, p, NOTE_UP, 0);
		if (err < 0)
			return takeover_fail_step(t, IPTO_REPORT_OP_ADAPTER_UP, p, NULL, err);
		err = ipto_binder_adapter_set_up(t->binder, t->ports[p].ifname, true);
		if (err < 0) {
			log_dbg(t->ctx, "takeover: cannot bring %s up: %s\n",
				t->ports[p].ifname, ipto_strerror(err));
			return takeover_fail_step(t, IPTO_REPORT_OP_ADAPTER_UP, p, NULL, err);
		}
		err = takeover_done_step(t, IPTO_REPORT_OP_ADAPTER_UP, &u);
		if (err < 0)
			return err;
	}
	return 0;
}
