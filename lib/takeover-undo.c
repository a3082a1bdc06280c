/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The takeover's undo log: every change start makes is pushed here, and
 * a failure (or ipto_takeover_undo()) rolls back exactly those, newest
 * first.
 */
#include "takeover-private.h"

int undo_push(struct ipto_takeover *t, const struct undo *u)
{
	int err = ipto_grow((void **)&t->undo, &t->cap_undo, t->n_undo + 1,
			    sizeof(*t->undo));

	if (err)
		return err;
	t->undo[t->n_undo++] = *u;
	return 0;
}

/* Reverses the undo log, newest first. Returns the first error. */
int undo_rollback(struct ipto_takeover *t)
{
	int first = 0, err = 0;

	while (t->n_undo > 0) {
		struct undo *u = &t->undo[--t->n_undo];
		const char *ifname = t->ports[u->port].ifname;
		unsigned int flags;

		switch (u->kind) {
		case UNDO_DEVCONF:
			err = ipto_binder_devconf_set(t->binder, ifname, u->key,
						      u->old_value);
			break;
		case UNDO_ADDR_ADDED:
			/* Lowering a link flushes its IPv6 addresses: gone
			 * is what undo wants. */
			err = ipto_binder_addr_del(t->binder, ifname, &u->ip);
			if (addr_absent(err))
				err = 0;
			break;
		case UNDO_ADDR_REMOVED:
			flags = (u->ip.family == AF_INET6 &&
				 !(t->flags & IPTO_TAKEOVER_DAD) ?
				 IPTO_BIND_NODAD : 0) |
				(takeover_reclaiming(t) ? IPTO_BIND_RECLAIM : IPTO_BIND_TAKEOVER);
			err = ipto_binder_addr_add(t->binder, ifname, &u->ip, flags);
			if (addr_present(err))
				err = 0;
			break;
		case UNDO_LINK_RAISED:
			err = ipto_binder_adapter_set_up(t->binder, ifname, false);
			break;
		case UNDO_LINK_CREATED:
			err = ipto_binder_adapter_delete(t->binder, ifname);
			if (err == -ENODEV)
				err = 0;
			break;
		case UNDO_RECORD: {
			char key[32];

			snprintf(key, sizeof(key), "link.%s", ifname);
			err = ipto_binder_record_set(t->binder, key,
						     u->had_record ? u->record : NULL);
			break;
		}
		}
		if (err < 0) {
			log_dbg(t->ctx, "takeover: could not undo a change on %s: %s\n",
				ifname, ipto_strerror(err));
			if (!first)
				first = err;
		} else if (u->kind != UNDO_RECORD) {
			t->reports[u->report].outcome = IPTO_REPORT_OUTCOME_UNDONE;
		}
	}
	return first;
}
