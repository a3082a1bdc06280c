/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The takeover's addresses: the kernel's marks of what takeovers added
 * (the address dump), the check that no address is in use elsewhere, and
 * binding and removing the plan's addresses, in batches where the binder
 * can.
 */
#include "takeover-private.h"

bool addr_present(int err)
{
	return err == -EEXIST;
}

bool addr_absent(int err)
{
	return err == -EADDRNOTAVAIL || err == -ENOENT || err == -ESRCH;
}

static unsigned int our_proto(const struct ipto_takeover *t)
{
	return takeover_reclaiming(t) ? IPTO_ADDR_PROTO_RECLAIM : IPTO_ADDR_PROTO_TAKEOVER;
}

/* Reads every address of the namespace into t->dump (one request).
 * A binder without dumps leaves t->dump NULL: no checks, no marks read. */
int addr_read_dump(struct ipto_takeover *t)
{
	int n;

	free(t->dump);
	t->dump = NULL;
	t->n_dump = 0;
	if (!t->binder->ops.addr_dump)
		return 0;
	n = ipto_binder_addr_dump_alloc(t->binder, 0, &t->dump);
	if (n < 0)
		return n;
	t->n_dump = (size_t)n;
	return 0;
}

const struct ipto_addr_entry *addr_dump_find(const struct ipto_takeover *t,
					     int ifindex,
					     const struct ipto_addr *ip)
{
	size_t i;

	for (i = 0; i < t->n_dump; i++)
		if ((!ifindex || t->dump[i].ifindex == ifindex) &&
		    ipto_addr_equal(&t->dump[i].addr, ip))
			return &t->dump[i];
	return NULL;
}

/* A taken address that already sits on another interface of the host
 * would be answered for by two MACs: refuse before changing anything. */
int addr_check_in_use(struct ipto_takeover *t)
{
	char buf[IPTO_ADDR_STRLEN];
	size_t i, k;

	for (i = 0; i < t->n_actions; i++) {
		const struct action *a = &t->actions[i];
		int ifindex = t->ports[a->port].ifindex;

		if (a->kind != IPTO_PLAN_ACTION_BIND)
			continue;
		for (k = 0; k < t->n_dump; k++) {
			if (!ipto_addr_equal(&t->dump[k].addr, &a->ip) ||
			    t->dump[k].ifindex == ifindex)
				continue;
			ipto_addr_format(&a->ip, buf, sizeof(buf));
			log_err(t->ctx,
				"takeover: %s is already on interface index %d of this "
				"host, not on %s: two MACs would answer for it\n",
				buf, t->dump[k].ifindex, t->ports[a->port].ifname);
			return takeover_fail_step(t, IPTO_REPORT_OP_ADDR_ADD, a->port, &a->ip,
					 -EADDRINUSE);
		}
	}
	return 0;
}

static void log_addr_failure(struct ipto_takeover *t, const struct action *a,
			     int err)
{
	char buf[IPTO_ADDR_STRLEN];
	bool add = a->kind == IPTO_PLAN_ACTION_BIND;

	ipto_addr_format(&a->ip, buf, sizeof(buf));
	log_dbg(t->ctx, "takeover: cannot %s %s %s %s: %s\n",
		add ? "add" : "remove", buf, add ? "to" : "from",
		t->ports[a->port].ifname, ipto_strerror(err));
}

static int unbind_addresses(struct ipto_takeover *t);

/* Records the outcome of one address action. Returns 0, the action's
 * error, or a negative errno from the bookkeeping. */
static int record_addr(struct ipto_takeover *t, const struct action *a, int r)
{
	bool add = a->kind == IPTO_PLAN_ACTION_BIND;
	enum ipto_report_op op = add ? IPTO_REPORT_OP_ADDR_ADD : IPTO_REPORT_OP_ADDR_DEL;
	struct undo u = { .kind = add ? UNDO_ADDR_ADDED : UNDO_ADDR_REMOVED,
			  .port = a->port, .ip = a->ip };
	int err;

	if (add ? addr_present(r) : addr_absent(r)) {
		err = takeover_report(t, op, IPTO_REPORT_OUTCOME_FOUND, 0, a->port, &a->ip, 0, 0);
		return err < 0 ? err : 0;
	}
	if (r < 0) {
		log_addr_failure(t, a, r);
		return takeover_fail_step(t, op, a->port, &a->ip, r);
	}
	return takeover_done_step(t, op, &u);
}

/*
 * Adds every address of the plan in one batch (the netlink binder
 * pipelines them), then records each result in plan order. A failed
 * addition does not stop the others in the batch, so every one that
 * succeeded is on the undo log before the first error is returned.
 * Removals (release plans) are unbind_addresses()'s: in one batch too when
 * the binder can (unbind_in_batch()).
 */
int addr_bind(struct ipto_takeover *t)
{
	size_t i, n = 0;
	int err, first = 0;

	for (i = 0; i < t->n_actions; i++) {
		const struct action *a = &t->actions[i];

		if (a->kind != IPTO_PLAN_ACTION_BIND)
			continue;
		t->reqs[n].ifname = t->ports[a->port].ifname;
		t->reqs[n].addr = a->ip;
		t->reqs[n].flags = (a->ip.family == AF_INET6 &&
				    !(t->flags & IPTO_TAKEOVER_DAD) ?
				    IPTO_BIND_NODAD : 0) |
				   (takeover_reclaiming(t) ? IPTO_BIND_RECLAIM : IPTO_BIND_TAKEOVER);
		t->req_action[n++] = i;
	}
	if (n > 0) {
		err = ipto_binder_addr_add_batch(t->binder, t->reqs, n, t->results);
		if (err < 0) {
			log_addr_failure(t, &t->actions[t->req_action[0]], err);
			return takeover_fail_step(t, IPTO_REPORT_OP_ADDR_ADD,
					 t->actions[t->req_action[0]].port,
					 &t->actions[t->req_action[0]].ip, err);
		}
		for (i = 0; i < n; i++) {
			err = record_addr(t, &t->actions[t->req_action[i]],
					  t->results[i]);
			if (err < 0 && !first)
				first = err;
		}
		if (first)
			return first;
	}
	return unbind_addresses(t);
}

/* True when removing @e (an IPv4 primary) would take other addresses of
 * its subnet on the link with it. */
static bool has_secondaries(const struct ipto_takeover *t,
			    const struct ipto_addr_entry *e)
{
	size_t i;

	/* Not only primaries: after an earlier deletion promoted it, a
	 * secondary of the dump may be the primary now. */
	if (e->addr.family != AF_INET)
		return false;
	for (i = 0; i < t->n_dump; i++) {
		const struct ipto_addr_entry *o = &t->dump[i];
		struct ipto_addr x = o->addr, y = e->addr;
		unsigned int b;

		if (o == e || o->ifindex != e->ifindex || o->addr.family != AF_INET ||
		    o->addr.prefixlen != e->addr.prefixlen)
			continue;
		for (b = e->addr.prefixlen; b < 32; b++) {
			x.bytes[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
			y.bytes[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		}
		if (memcmp(x.bytes, y.bytes, 4) == 0)
			return true;
	}
	return false;
}

/* Whether the removals can go in one pipelined batch: a binder with the
 * fast addr_del_batch (the netlink binder),
 * a dump to check them against, and no address to remove with
 * secondaries of its own (those go one by one, promote_secondaries set
 * around each). */
static bool unbind_in_batch(struct ipto_takeover *t)
{
	size_t i;

	if (!t->dump || !ipto_binder_fast(t->binder, addr_del_batch))
		return false;
	for (i = 0; i < t->n_actions; i++) {
		const struct action *a = &t->actions[i];
		const struct ipto_addr_entry *e;

		if (a->kind != IPTO_PLAN_ACTION_UNBIND)
			continue;
		e = addr_dump_find(t, t->ports[a->port].ifindex, &a->ip);
		if (e && e->proto == our_proto(t) && has_secondaries(t, e))
			return false;
	}
	return true;
}

/* Removes the batch unbind_addresses() gathered; records each result in
 * plan order (every success on the undo log before the first error is
 * returned, as addr_bind() does). */
static int unbind_batch(struct ipto_takeover *t, const size_t *which,
			const struct ipto_addr *dels, size_t n)
{
	struct ipto_addr_req *reqs = calloc(n + 1, sizeof(*reqs));
	int *results = calloc(n + 1, sizeof(*results));
	int err = 0, first = 0;
	size_t k;

	if (!reqs || !results) {
		free(reqs);
		free(results);
		return -ENOMEM;
	}
	for (k = 0; k < n; k++) {
		const struct action *a = &t->actions[which[k]];

		reqs[k].ifname = t->ports[a->port].ifname;
		reqs[k].addr = dels[k];
	}
	ipto_crash_point("addr_del_batch", NULL);
	err = ipto_binder_fast(t->binder, addr_del_batch)(t->binder, reqs, n,
							   results);
	for (k = 0; k < n && err == 0; k++) {
		const struct action *a = &t->actions[which[k]];
		const struct ipto_addr_entry *e = addr_dump_find(t, t->ports[a->port].ifindex,
							    &a->ip);
		int r = record_addr(t, a, results[k]);

		if (r == 0 && e)
			((struct ipto_addr_entry *)e)->ifindex = -1; /* gone */
		if (r == 0 && t->n_undo && t->undo[t->n_undo - 1].kind == UNDO_ADDR_REMOVED)
			t->undo[t->n_undo - 1].ip = dels[k];
		if (r < 0 && !first)
			first = r;
	}
	free(reqs);
	free(results);
	return err < 0 ? err : first;
}

/*
 * Removes exactly what takeovers added: an address is removed only when
 * the kernel marks it as ours. Removing a primary IPv4 address with
 * secondaries in its subnet (an administrator's, another node's) is done
 * with promote_secondaries=1 for the moment, so they stay.
 */
static int unbind_addresses(struct ipto_takeover *t)
{
	char buf[IPTO_ADDR_STRLEN];
	bool batch = unbind_in_batch(t);
	struct ipto_addr *dels = NULL;
	size_t i, *which = NULL, n_batch = 0;
	int err;

	if (batch) {
		which = calloc(t->n_actions + 1, sizeof(*which));
		dels = calloc(t->n_actions + 1, sizeof(*dels));
		if (!which || !dels) {
			free(which);
			free(dels);
			return -ENOMEM;
		}
	}
	for (i = 0; i < t->n_actions; i++) {
		const struct action *a = &t->actions[i];
		const char *ifname = t->ports[a->port].ifname;
		const struct ipto_addr_entry *e = NULL;
		struct ipto_addr del = a->ip;
		int old_promote = -1;

		if (a->kind != IPTO_PLAN_ACTION_UNBIND)
			continue;
		if (t->dump) {
			e = addr_dump_find(t, t->ports[a->port].ifindex, &a->ip);
			if (!e) {
				err = record_addr(t, a, -EADDRNOTAVAIL);
				if (err < 0)
					goto out;
				continue;
			}
			if (e->proto != our_proto(t)) {
				ipto_addr_format(&e->addr, buf, sizeof(buf));
				log_info(t->ctx,
					 "takeover: %s on %s was not added by a %s "
					 "(protocol %u); left alone\n", buf, ifname,
					 takeover_reclaiming(t) ? "reclaim" : "takeover", e->proto);
				err = takeover_report(t, IPTO_REPORT_OP_ADDR_DEL, IPTO_REPORT_OUTCOME_FOUND, 0,
					     a->port, &a->ip, 0, 0);
				if (err < 0)
					goto out;
				continue;
			}
			del = e->addr; /* the kernel's prefix length */
			if (has_secondaries(t, e) && !t->ports[a->port].promote_set) {
				/* Set once per link, noted first, and put back
				 * after the last deletion (below). */
				err = ipto_binder_devconf_get(t->binder, ifname,
							      IPTO_DEVCONF_PROMOTE_SECONDARIES,
							      &old_promote);
				if (err == 0 && old_promote == 0)
					err = note_change(t, a->port, NOTE_PROMOTE, 0);
				if (err == 0 && old_promote == 0)
					err = ipto_binder_devconf_set(t->binder, ifname,
								      IPTO_DEVCONF_PROMOTE_SECONDARIES,
								      1);
				if (err == 0 && old_promote == 0)
					t->ports[a->port].promote_set = true;
				if (err < 0) {
					err = takeover_fail_step(t, IPTO_REPORT_OP_ADDR_DEL, a->port,
							&a->ip, err);
					goto out;
				}
			}
		}
		if (batch) {
			which[n_batch] = i;
			dels[n_batch++] = del;
			continue;
		}
		err = record_addr(t, a, ipto_binder_addr_del(t->binder, ifname, &del));
		if (t->dump && err == 0 && e)
			((struct ipto_addr_entry *)e)->ifindex = -1; /* gone */
		if (err < 0)
			goto out;
		if (t->dump && t->n_undo &&
		    t->undo[t->n_undo - 1].kind == UNDO_ADDR_REMOVED)
			t->undo[t->n_undo - 1].ip = del;
	}
	err = n_batch ? unbind_batch(t, which, dels, n_batch) : 0;
out:
	for (i = 0; i < t->n_ports; i++) {
		if (!t->ports[i].promote_set)
			continue;
		t->ports[i].promote_set = false;
		if (ipto_binder_devconf_set(t->binder, t->ports[i].ifname,
					    IPTO_DEVCONF_PROMOTE_SECONDARIES, 0) == 0)
			note_restored(t, i, NOTE_PROMOTE);
	}
	free(which);
	free(dels);
	return err;
}
