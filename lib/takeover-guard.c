/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ARP guards: the IPv4 settings (arp_ignore, arp_announce) a takeover
 * sets on its adapters and, host-wide, on every interface, and their
 * restore on release from the record's notes.
 */
#include "takeover-private.h"

/* arp_ignore=1: answer only for addresses on the receiving adapter.
 * arp_announce=2: use the best local address of the outgoing adapter. */
static int set_devconf_batch(struct ipto_takeover *t,
			     const struct ipto_devconf_req *reqs,
			     const size_t *req_port, const int *req_old,
			     size_t n);

int guard_fix_devconf(struct ipto_takeover *t, bool guards)
{
	static const struct {
		enum ipto_devconf key;
		const char *name;
		int want;
	} knobs[] = {
		{ IPTO_DEVCONF_ARP_IGNORE, "arp_ignore", 1 },
		{ IPTO_DEVCONF_ARP_ANNOUNCE, "arp_announce", 2 },
	};
	bool keep = t->flags & IPTO_TAKEOVER_KEEP_DEVCONF;
	struct ipto_devconf_req *reqs = NULL;
	size_t p, k, n_reqs = 0, *req_port = NULL;
	int err = 0, value, *req_old = NULL;

	/* A reclaim leaves the node's own interface as its administrator
	 * set it; the host's other interfaces are guarded as on a standby
	 * (one on the same LAN would answer ARP for the reclaimed address
	 * with its own MAC). */
	if (takeover_reclaiming(t) && !guards)
		return 0;
	/* With the fast devconf_set_batch (the netlink binder's) the
	 * changes go in one pipelined batch after all their notes are
	 * written (each note still before its change): one sendmsg instead
	 * of a round trip per setting, which on a host with a hundred
	 * interfaces to guard was most of the takeover (tests/bench).
	 * Other binders: one call each. */
	if (ipto_binder_fast(t->binder, devconf_set_batch)) {
		reqs = calloc(2 * t->n_ports + 1, sizeof(*reqs));
		req_port = calloc(2 * t->n_ports + 1, sizeof(*req_port));
		req_old = calloc(2 * t->n_ports + 1, sizeof(*req_old));
		if (!reqs || !req_port || !req_old) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (p = 0; p < t->n_ports; p++) {
		int values[2], olds[4] = { -1, -1, -1, -1 };
		bool set[2] = { false, false };

		/* An adapter of the plan that gets only IPv6 addresses is
		 * guarded too when the takeover binds IPv4 elsewhere: with
		 * arp_ignore=0 it would answer ARP for those with its MAC. */
		if (t->ports[p].guard != guards || t->ports[p].absent ||
		    (!guards && !t->ports[p].has_v4_bind && !t->has_guards))
			continue;
		for (k = 0; k < IPTO_ARRAY_SIZE(knobs); k++) {
			if (t->ports[p].arp[k] >= 0) {
				/* adapter_get read it already: no second request. */
				value = t->ports[p].arp[k];
				err = 0;
			} else {
				err = ipto_binder_devconf_get(t->binder,
							      t->ports[p].ifname,
							      knobs[k].key, &value);
			}
			if (err == -EOPNOTSUPP) {
				log_info(t->ctx,
					 "takeover: binder cannot read %s on %s; "
					 "check it allows no ARP flux\n",
					 knobs[k].name, t->ports[p].ifname);
				err = 0;
				continue;
			}
			if (err < 0) {
				err = takeover_fail_step(t, IPTO_REPORT_OP_DEVCONF, p, NULL, err);
				goto out;
			}
			if (value >= knobs[k].want) {
				err = takeover_report(t, IPTO_REPORT_OP_DEVCONF, IPTO_REPORT_OUTCOME_FOUND,
					     0, p, NULL, 0, 0);
				if (err < 0)
					goto out;
				err = 0;
				continue;
			}
			if (keep) {
				log_info(t->ctx,
					 "takeover: %s=%d on %s lets other adapters "
					 "answer ARP for its addresses (ARP flux)\n",
					 knobs[k].name, value, t->ports[p].ifname);
				continue;
			}
			values[k] = value;
			set[k] = true;
			olds[k == 0 ? NOTE_ARP_IGNORE : NOTE_ARP_ANNOUNCE] = value;
		}
		if (!set[0] && !set[1])
			continue;
		/* both old values in one note: one write of the record */
		err = note_changes(t, p, olds);
		if (err < 0) {
			err = takeover_fail_step(t, IPTO_REPORT_OP_DEVCONF, p, NULL, err);
			goto out;
		}
		for (k = 0; k < IPTO_ARRAY_SIZE(knobs); k++) {
			struct undo u = { .kind = UNDO_DEVCONF, .port = p,
					  .key = knobs[k].key };

			if (!set[k])
				continue;
			if (reqs && t->ports[p].ifindex > 0) {
				reqs[n_reqs] = (struct ipto_devconf_req){
					.ifindex = t->ports[p].ifindex,
					.ifname = t->ports[p].ifname,
					.key = knobs[k].key, .value = knobs[k].want };
				req_port[n_reqs] = p;
				req_old[n_reqs++] = values[k];
				continue;
			}
			err = ipto_binder_devconf_set(t->binder, t->ports[p].ifname,
						      knobs[k].key, knobs[k].want);
			if (err < 0) {
				log_dbg(t->ctx, "takeover: cannot set %s on %s: %s\n",
					knobs[k].name, t->ports[p].ifname,
					ipto_strerror(err));
				err = takeover_fail_step(t, IPTO_REPORT_OP_DEVCONF, p, NULL, err);
				goto out;
			}
			u.old_value = values[k];
			err = takeover_done_step(t, IPTO_REPORT_OP_DEVCONF, &u);
			if (err < 0)
				goto out;
		}
	}
	err = set_devconf_batch(t, reqs, req_port, req_old, n_reqs);
out:
	free(reqs);
	free(req_port);
	free(req_old);
	return err < 0 ? err : 0;
}

/* Sends the batch of guard_fix_devconf(), then puts every change that took on
 * the undo log before the first failure is returned (all or nothing). */
static int set_devconf_batch(struct ipto_takeover *t,
			     const struct ipto_devconf_req *reqs,
			     const size_t *req_port, const int *req_old,
			     size_t n)
{
	size_t i, failed = n;
	int *results, err;

	if (n == 0)
		return 0;
	results = calloc(n, sizeof(*results));
	if (!results)
		return -ENOMEM;
	ipto_crash_point("devconf_set_batch", NULL);
	ipto_binder_fast(t->binder, devconf_set_batch)(t->binder, reqs, n, results);
	for (i = 0; i < n; i++) {
		struct undo u = { .kind = UNDO_DEVCONF, .port = req_port[i],
				  .key = reqs[i].key, .old_value = req_old[i] };

		if (results[i] < 0) {
			if (failed == n)
				failed = i;
			continue;
		}
		err = takeover_done_step(t, IPTO_REPORT_OP_DEVCONF, &u);
		if (err < 0) {
			free(results);
			return err;
		}
	}
	err = failed < n ? results[failed] : 0;
	free(results);
	if (failed < n)
		return takeover_fail_step(t, IPTO_REPORT_OP_DEVCONF, req_port[failed], NULL, err);
	return 0;
}

/* After a release: a link the takeovers raised goes down once it has no
 * address left, and the ARP settings they changed are restored once the
 * host holds no taken-over or reclaimed address at all (until then every
 * interface must keep leaving ARP to the owning adapter): what
 * record_orphans() finds orphaned now that the addresses are gone. Best
 * effort: the addresses are gone already, so a failure is logged, never
 * undone, and the note keeps what is still to restore. */
void guard_restore_after_release(struct ipto_takeover *t)
{
	struct ipto_adapter_entry *links = NULL;
	int n;

	if (!t->binder->ops.adapter_dump || !t->binder->ops.record_get ||
	    !t->binder->ops.record_set || addr_read_dump(t) < 0 || !t->dump)
		return;
	n = ipto_binder_adapter_dump_alloc(t->binder, &links);
	if (n > 0)
		record_orphans(t->ctx, t->binder, links, (size_t)n, NULL, t->dump,
			       t->n_dump, true, "release", NULL);
	free(links);
}

/* Adds every other interface of the host with IPv4 settings as a guard:
 * with arp_ignore=0 it would answer ARP for the taken-over addresses. */
int guard_add_host(struct ipto_takeover *t, bool **up)
{
	struct ipto_adapter_entry *links = NULL;
	size_t i, k, extra = 0;
	struct port *ports;
	bool *grown;
	char **names;
	int n;

	if (!t->binder->ops.adapter_dump)
		return 0;
	n = ipto_binder_adapter_dump_alloc(t->binder, &links);
	if (n < 0)
		return n;
	ports = realloc(t->ports, (t->n_ports + (size_t)n + 1) * sizeof(*ports));
	if (ports)
		t->ports = ports;
	grown = realloc(*up, (t->n_ports + (size_t)n + 1) * sizeof(*grown));
	if (grown)
		*up = grown;
	names = realloc(t->host_names, (t->n_host_names + (size_t)n + 1) * sizeof(*names));
	if (names)
		t->host_names = names;
	if (!ports || !grown || !names) {
		free(links);
		return -ENOMEM;
	}
	for (k = 0; k < (size_t)n; k++) {
		const struct ipto_adapter_entry *l = &links[k];
		struct port *port;

		if (l->loopback || l->arp_ignore < 0 || !l->ifname[0])
			continue;
		for (i = 0; i < t->n_ports; i++)
			if (strcmp(t->ports[i].ifname, l->ifname) == 0)
				break;
		if (i < t->n_ports)
			continue;
		names[t->n_host_names] = strdup(l->ifname);
		if (!names[t->n_host_names]) {
			free(links);
			return -ENOMEM;
		}
		port = &t->ports[t->n_ports];
		memset(port, 0, sizeof(*port));
		port->ifname = names[t->n_host_names++];
		port->guard = true;
		port->from_dump = true;
		port->ifindex = l->ifindex;
		port->have_mac = l->mac;
		port->arp[0] = l->arp_ignore;
		port->arp[1] = l->arp_announce;
		port->refresh_report = -1;
		(*up)[t->n_ports++] = l->up;
		extra++;
	}
	free(links);
	/* Their entries (a check and two devconf each) get room now, with
	 * the rest reserved by ipto_takeover_new(): the announcements that
	 * follow append without allocating. */
	if (extra && ipto_grow((void **)&t->reports, &t->cap_reports,
			       t->cap_reports + 3 * extra, sizeof(*t->reports)))
		return -ENOMEM;
	if (extra)
		log_info(t->ctx, "takeover: guarding %zu other interface(s) of the "
			 "host against ARP flux\n", extra);
	return 0;
}
