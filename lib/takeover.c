/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The takeover engine: runs a plan through a binder and an injector, all or
 * nothing, then drives the announcement schedule from a timerfd.
 *
 * Everything that can be prepared is prepared in ipto_takeover_new(): the
 * adapters (opened for sending) the plan touches, the address actions, and every
 * announcement frame. ipto_takeover_start() then only makes system calls,
 * and each change it makes is pushed on an undo log so that a failure (or
 * ipto_takeover_undo()) can reverse exactly what this takeover did.
 *
 * This file holds the object and its life: ipto_takeover_new(), start,
 * dispatch, run, undo, the report. The rest of the engine:
 * takeover-undo.c (the undo log), -addr.c (the addresses), -note.c (the
 * record's notes), -guard.c (the ARP guards and their restore),
 * -links.c (macvlan links) and -schedule.c (the frames and their
 * rounds); takeover-private.h is what they share.
 */
#include "takeover-private.h"

uint64_t takeover_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Appends a report entry; returns its index or a negative errno. */
int takeover_report(struct ipto_takeover *t, enum ipto_report_op op,
		    enum ipto_report_outcome outcome, int result, size_t port,
		    const struct ipto_addr *addr, unsigned int round,
		    unsigned int frames)
{
	struct ipto_takeover_report *r;
	int err;

	err = ipto_grow((void **)&t->reports, &t->cap_reports,
			t->n_reports + 1, sizeof(*t->reports));
	if (err)
		return err;
	r = &t->reports[t->n_reports];
	memset(r, 0, sizeof(*r));
	r->sz = sizeof(*r);
	r->op = op;
	r->outcome = outcome;
	r->result = result;
	r->ifname = t->ports[port].ifname;
	if (addr)
		r->addr = *addr;
	r->round = round;
	r->frames = frames;
	r->time_us = t->t0_ns ? (takeover_now_ns() - t->t0_ns) / 1000u : 0;
	return (int)t->n_reports++;
}

static size_t find_or_add_port(struct ipto_takeover *t,
			       const struct ipto_plan_step *step)
{
	size_t i;

	for (i = 0; i < t->n_ports; i++)
		if (strcmp(t->ports[i].ifname, step->ifname) == 0)
			return i;
	t->ports[t->n_ports].ifname = step->ifname;
	t->ports[t->n_ports].standby = step->standby;
	t->ports[t->n_ports].mac = step->mac;
	t->ports[t->n_ports].arp[0] = -1;
	t->ports[t->n_ports].arp[1] = -1;
	t->ports[t->n_ports].refresh_report = -1;
	return t->n_ports++;
}

/* Collects the plan's steps into ports and actions. */
static int load_plan(struct ipto_takeover *t, const char *standby)
{
	size_t n = ipto_plan_get_step_count(t->plan), i, n_adapters;
	bool v4 = false;
	int err;

	n_adapters = ipto_plan_get_adapter_count(t->plan);
	t->ports = calloc(n + n_adapters + 1, sizeof(*t->ports));
	t->actions = calloc(n ? n : 1, sizeof(*t->actions));
	if (!t->ports || !t->actions)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct ipto_plan_step step = { .sz = sizeof(step) };
		struct action *a;

		err = ipto_plan_get_step(t->plan, i, &step);
		if (err < 0)
			return err;
		if (standby && (!step.standby || strcmp(step.standby, standby)))
			continue;
		if (!step.ifname) {
			log_err(t->ctx, "takeover: plan step %zu names no adapter\n", i);
			return -EINVAL;
		}
		a = &t->actions[t->n_actions++];
		a->port = find_or_add_port(t, &step);
		a->kind = step.action;
		a->ip = step.ip;
		if (step.action == IPTO_PLAN_ACTION_BIND) {
			t->ports[a->port].announces = true;
			if (step.ip.family == AF_INET)
				t->ports[a->port].has_v4_bind = true;
		}
	}
	if (t->n_actions == 0) {
		log_err(t->ctx, "takeover: the plan has no step%s%s\n",
			standby ? " for standby " : "", standby ? standby : "");
		return -ENOENT;
	}
	for (i = 0; i < t->n_actions && !v4; i++)
		v4 = t->actions[i].kind == IPTO_PLAN_ACTION_BIND &&
		     t->actions[i].ip.family == AF_INET;
	t->is_release = true;
	for (i = 0; i < t->n_actions; i++)
		t->is_release &= t->actions[i].kind == IPTO_PLAN_ACTION_UNBIND;
	if (!v4)
		return 0;
	t->has_guards = true;
	/* ARP flux: every adapter of the standby on the LAN must leave ARP
	 * for a taken-over address to the adapter that has it. */
	for (i = 0; i < n_adapters; i++) {
		struct ipto_plan_step fake = { .sz = sizeof(fake) };
		const char *sb;
		size_t p, before = t->n_ports;

		err = ipto_plan_get_adapter(t->plan, i, &sb, &fake.ifname, NULL);
		if (err < 0)
			return err;
		if (standby && strcmp(sb, standby))
			continue;
		p = find_or_add_port(t, &fake);
		if (t->n_ports > before)
			t->ports[p].guard = true;
	}
	return 0;
}

IPTO_EXPORT int ipto_takeover_new(struct ipto_ctx *ctx, struct ipto_plan *plan,
				  const struct ipto_takeover_opts *opts,
				  struct ipto_takeover **ret)
{
	const struct ipto_announce_round *rounds;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	struct ipto_takeover *t;
	size_t n_rounds;
	int err;

	if (!ctx || !plan || !opts || !ret)
		return -EINVAL;
	err = ipto_opts_valid(ctx, "takeover", opts, ipto_takeover_opts,
			      neighbours);
	if (err < 0)
		return err;
	binder = ipto_opts_get(opts, ipto_takeover_opts, binder, NULL);
	injector = ipto_opts_get(opts, ipto_takeover_opts, injector, NULL);
	if (!binder || !injector) {
		log_err(ctx, "takeover: a binder and an injector are required\n");
		return -EINVAL;
	}

	t = ipto_obj_alloc(ipto_takeover);
	if (!t)
		return -ENOMEM;
	t->timerfd = -1;
	t->ctx = ipto_ctx_ref(ctx);
	t->plan = ipto_plan_ref(plan);
	t->binder = ipto_binder_ref(binder);
	t->injector = ipto_injector_ref(injector);
	t->flags = ipto_opts_get(opts, ipto_takeover_opts, flags, 0u);
	t->refresh_ms = ipto_opts_get(opts, ipto_takeover_opts, refresh_ms, 0u);
	t->refresh_count = ipto_opts_get(opts, ipto_takeover_opts, refresh_count, 0u);

	err = -EINVAL;
	if (t->flags & ~(unsigned int)(IPTO_TAKEOVER_KEEP_DEVCONF | IPTO_TAKEOVER_DAD |
				       IPTO_TAKEOVER_RECLAIM | IPTO_TAKEOVER_NO_DIRECTED)) {
		log_err(ctx, "takeover: unknown flags 0x%x\n", t->flags);
		goto fail;
	}
	rounds = ipto_opts_get(opts, ipto_takeover_opts, rounds, NULL);
	n_rounds = ipto_opts_get(opts, ipto_takeover_opts, n_rounds, 0);
	if (!rounds)
		rounds = ipto_takeover_default_schedule(&n_rounds);
	err = schedule_validate(t, rounds, n_rounds);
	if (err)
		goto fail;
	err = load_plan(t, ipto_opts_get(opts, ipto_takeover_opts, standby, NULL));
	if (err)
		goto fail;
	err = schedule_check_sends(t);
	if (err)
		goto fail;
	err = schedule_build_frames(t, t->flags & IPTO_TAKEOVER_NO_DIRECTED ? NULL :
				    ipto_opts_get(opts, ipto_takeover_opts, neighbours, NULL));
	if (err)
		goto fail;
	err = -ENOMEM;
	t->reqs = calloc(t->n_actions, sizeof(*t->reqs));
	t->req_action = calloc(t->n_actions, sizeof(*t->req_action));
	t->results = calloc(t->n_actions, sizeof(*t->results));
	if (!t->reqs || !t->req_action || !t->results)
		goto fail;
	/* Room for every entry a start and its schedule can make: per port a
	 * check, an open, two devconf and a link entry, one per action, and
	 * per port one per explicit round plus one for all refreshes. */
	err = ipto_grow((void **)&t->reports, &t->cap_reports,
			t->n_ports * (6 + t->n_rounds + 1) + t->n_actions,
			sizeof(*t->reports));
	if (err)
		goto fail;
	t->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->timerfd < 0) {
		err = -errno;
		log_err(ctx, "takeover: timerfd_create: %s\n", ipto_strerror(err));
		goto fail;
	}
	*ret = t;
	return 0;
fail:
	ipto_takeover_unref(t);
	return err;
}

static void close_ports(struct ipto_takeover *t)
{
	size_t i;

	for (i = 0; i < t->n_ports; i++) {
		if (t->ports[i].inj)
			ipto_injector_close(t->ports[i].inj);
		t->ports[i].inj = NULL;
	}
}

static void takeover_free(struct ipto_takeover *t)
{
	if (t->ports)
		close_ports(t);
	if (t->timerfd >= 0)
		close(t->timerfd);
	free(t->iov_port);
	ipto_free_all(t->ports, t->actions, t->frames, t->iov, t->reqs,
		      t->req_action, t->results, t->undo, t->reports, t->dump);
	ipto_binder_addr_watch_close(t->binder, t->addr_watch);
	for (size_t i = 0; i < t->n_host_names; i++)
		free(t->host_names[i]);
	free(t->host_names);
	ipto_injector_unref(t->injector);
	ipto_binder_unref(t->binder);
	ipto_plan_unref(t->plan);
	ipto_ctx_unref(t->ctx);
	free(t);
}

IPTO_DEFINE_REF_UNREF(ipto_takeover, takeover_free)

bool takeover_reclaiming(const struct ipto_takeover *t)
{
	return t->flags & IPTO_TAKEOVER_RECLAIM;
}

/* Records a failed step; returns err. */
int takeover_fail_step(struct ipto_takeover *t, enum ipto_report_op op, size_t port,
		       const struct ipto_addr *addr, int err)
{
	takeover_report(t, op, IPTO_REPORT_OUTCOME_FAILED, err, port, addr, 0, 0);
	return err;
}

/* Records a done step and how to undo it. */
int takeover_done_step(struct ipto_takeover *t, enum ipto_report_op op,
		       struct undo *u)
{
	int r = takeover_report(t, op, IPTO_REPORT_OUTCOME_DONE, 0, u->port, &u->ip, 0, 0);

	if (r < 0)
		return r;
	u->report = (size_t)r;
	return undo_push(t, u);
}

/* Reads the links of the plan's adapters (@guards false) or of the
 * standby's other adapters (@guards true). */
static int check_links(struct ipto_takeover *t, bool *up, bool guards)
{
	static const struct ipto_mac zero;
	char want[IPTO_MAC_STRLEN], have[IPTO_MAC_STRLEN];
	size_t p;
	int err;

	for (p = 0; p < t->n_ports; p++) {
		struct ipto_adapter_info info = { .sz = sizeof(info) };
		struct port *port = &t->ports[p];

		if (port->guard != guards)
			continue;
		if (port->from_dump) {
			/* a host guard: guard_add_host() read it with the
			 * link dump just now, no second request */
			err = takeover_report(t, IPTO_REPORT_OP_CHECK_ADAPTER, IPTO_REPORT_OUTCOME_FOUND,
				     0, p, NULL, 0, 0);
			if (err < 0)
				return err;
			continue;
		}
		err = ipto_binder_adapter_get(t->binder, port->ifname, &info);
		if (err == -ENODEV && port->guard) {
			log_info(t->ctx, "takeover: %s, an adapter of the pool, is "
				 "not on this system\n", port->ifname);
			port->absent = true;
			continue;
		}
		if (err == -ENODEV) {
			/* The backend cannot judge a missing link; here it is
			 * an adapter of the plan, so a failure. */
			log_err(t->ctx, "takeover: adapter %s is not on this "
				"system\n", port->ifname);
			return takeover_fail_step(t, IPTO_REPORT_OP_CHECK_ADAPTER, p, NULL, err);
		}
		if (err < 0) {
			log_dbg(t->ctx, "takeover: adapter %s: %s\n", port->ifname,
				ipto_strerror(err));
			return takeover_fail_step(t, IPTO_REPORT_OP_CHECK_ADAPTER, p, NULL, err);
		}
		if (!ipto_mac_equal(&port->mac, &zero) &&
		    !ipto_mac_equal(&port->mac, &info.mac)) {
			ipto_mac_format(&port->mac, want, sizeof(want));
			ipto_mac_format(&info.mac, have, sizeof(have));
			log_err(t->ctx,
				"takeover: adapter %s has MAC %s but the plan expects %s\n",
				port->ifname, have, want);
			return takeover_fail_step(t, IPTO_REPORT_OP_CHECK_ADAPTER, p, NULL, -EADDRNOTAVAIL);
		}
		up[p] = info.up;
		port->ifindex = info.ifindex;
		port->have_mac = info.mac;
		port->arp[0] = info.arp_ignore;
		port->arp[1] = info.arp_announce;
		err = takeover_report(t, IPTO_REPORT_OP_CHECK_ADAPTER, IPTO_REPORT_OUTCOME_FOUND, 0, p,
			     NULL, 0, 0);
		if (err < 0)
			return err;
	}
	return 0;
}

/* Opens the injector ports of links that are up (@up_now) or of all the
 * rest. Links that are up are opened before anything changes, so a missing
 * CAP_NET_RAW fails early; some injectors (libpcap) cannot open a link
 * that is down, so those wait until links_raise() has raised them. */
static int open_ports(struct ipto_takeover *t, const bool *up, bool up_now)
{
	size_t p;
	int err;

	for (p = 0; p < t->n_ports; p++) {
		if (!t->ports[p].announces || t->ports[p].inj || up[p] != up_now)
			continue;
		err = ipto_injector_open(t->injector, t->ports[p].ifname,
					 &t->ports[p].inj);
		if (err < 0) {
			t->ports[p].inj = NULL;
			log_dbg(t->ctx, "takeover: cannot send frames on %s: %s\n",
				t->ports[p].ifname, ipto_strerror(err));
			return takeover_fail_step(t, IPTO_REPORT_OP_OPEN_ADAPTER, p, NULL, err);
		}
		err = takeover_report(t, IPTO_REPORT_OP_OPEN_ADAPTER, IPTO_REPORT_OUTCOME_DONE, 0, p,
			     NULL, 0, 0);
		if (err < 0)
			return err;
	}
	return 0;
}

IPTO_EXPORT int ipto_takeover_start(struct ipto_takeover *t)
{
	bool *up;
	int err;

	if (!t)
		return -EINVAL;
	if (t->started) {
		log_err(t->ctx, "takeover: already started\n");
		return -EALREADY;
	}
	up = calloc(t->n_ports, sizeof(*up));
	if (!up)
		return -ENOMEM;
	t->started = true;
	t->t0_ns = takeover_now_ns();
	err = t->is_release || takeover_reclaiming(t) ? 0 : links_create(t);
	if (!err)
		err = check_links(t, up, false);
	if (!err)
		err = addr_read_dump(t);
	if (!err)
		err = addr_check_in_use(t);
	if (!err)
		err = open_ports(t, up, true);
	if (!err)
		err = guard_fix_devconf(t, false);
	/* A schedule with later rounds hears of removals from before the
	 * first bind on (schedule_drop_released()). */
	if (!err && t->n_frames && (t->n_rounds > 1 || t->refresh_ms) &&
	    ipto_binder_addr_watch_open(t->binder, &t->addr_watch) < 0)
		t->addr_watch = NULL;
	if (!err)
		err = addr_bind(t);
	if (!err)
		err = links_raise(t, up);
	if (!err)
		err = open_ports(t, up, false);
	if (!err) {
		t->next_round = 0;
		t->next_due_ns = t->t0_ns + (uint64_t)t->rounds[0].delay_ms * 1000000u;
		err = schedule_send_due(t, takeover_now_ns());
	}
	/* The standby's other adapters (guards) come right after the first
	 * round: they keep ARP for the new addresses to the owning adapter,
	 * which matters from the first request a client makes, not for the
	 * announcement itself, so their reads stay off the path from the
	 * call to the wire. Still all or nothing. */
	if (!err && t->has_guards)
		err = guard_add_host(t, &up);
	if (!err)
		err = check_links(t, up, true);
	if (!err)
		err = guard_fix_devconf(t, true);
	if (!err && t->is_release)
		guard_restore_after_release(t);
	if (!err && t->is_release && !takeover_reclaiming(t))
		links_delete_empty(t);
	free(up);
	if (err < 0) {
		t->failed = true;
		t->stopped = true;
		undo_rollback(t);
		close_ports(t);
		schedule_arm_timer(t);
		return err;
	}
	return 0;
}

IPTO_EXPORT int ipto_takeover_get_fd(const struct ipto_takeover *t)
{
	return t ? t->timerfd : -EINVAL;
}

IPTO_EXPORT int ipto_takeover_dispatch(struct ipto_takeover *t)
{
	uint64_t expirations;
	size_t left;
	int err;

	if (!t)
		return -EINVAL;
	if (!t->started || t->failed)
		return -ENOTCONN;
	/* Drain the timerfd; it is non-blocking, so -EAGAIN just means we
	 * were called early. */
	if (read(t->timerfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		return -errno;
	err = schedule_send_due(t, takeover_now_ns());
	if (err < 0)
		return err;
	left = schedule_rounds_left(t);
	return left > INT_MAX ? INT_MAX : (int)left;
}

IPTO_EXPORT int ipto_takeover_run(struct ipto_takeover *t)
{
	int first = 0, r;

	if (!t)
		return -EINVAL;
	if (t->refresh_ms && t->refresh_count == 0) {
		log_err(t->ctx, "takeover: run() needs a finite refresh_count\n");
		return -EINVAL;
	}
	if (!t->started) {
		r = ipto_takeover_start(t);
		if (r < 0)
			return r;
	}
	while (schedule_rounds_left(t) > 0) {
		struct pollfd pfd = { .fd = t->timerfd, .events = POLLIN };

		r = poll(&pfd, 1, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		r = ipto_takeover_dispatch(t);
		if (r < 0 && !first)
			first = r;
	}
	return first;
}

IPTO_EXPORT int ipto_takeover_undo(struct ipto_takeover *t)
{
	int err;

	if (!t)
		return -EINVAL;
	t->stopped = true;
	schedule_arm_timer(t);
	err = undo_rollback(t);
	close_ports(t);
	return err;
}

IPTO_EXPORT size_t ipto_takeover_get_report_count(const struct ipto_takeover *t)
{
	return t ? t->n_reports : 0;
}

IPTO_EXPORT int ipto_takeover_get_report(const struct ipto_takeover *t,
					 size_t index,
					 struct ipto_takeover_report *r)
{
	if (!t || !r || r->sz < sizeof(size_t))
		return -EINVAL;
	if (index >= t->n_reports)
		return -ERANGE;
	ipto_sized_copy_out(r, &t->reports[index], sizeof(*r));
	return 0;
}
