/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan's macvlan links (doc/macvlan.md): created before the takeover,
 * raised with the adapters, deleted by a release once empty.
 */
#include "takeover-private.h"

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

/* After a release: the macvlans made on demand go once empty. */
void links_delete_empty(struct ipto_takeover *t)
{
	size_t p;

	for (p = 0; p < t->n_ports; p++)
		if (!t->ports[p].guard && t->ports[p].standby)
			macvlan_release(t->binder, t->plan, t->ports[p].standby,
					t->ports[p].ifname);
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
		err = takeover_reclaiming(t) ? 0 : note_change(t, p, NOTE_UP, 0);
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
