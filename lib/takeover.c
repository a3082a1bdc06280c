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
 */
#include "backend-private.h"
#include "macvlan-private.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define FIRST_STYLE IPTO_FRAME_STYLE_ARP_ANNOUNCE
#define LAST_STYLE IPTO_FRAME_STYLE_NA
#define N_STYLES (LAST_STYLE + 1)

static const uint32_t default_styles =
	IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
	IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET) |
	IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA);

static const struct ipto_announce_round default_rounds[] = {
	{ .delay_ms = 0, .styles = default_styles },
	{ .delay_ms = 1100, .styles = default_styles },
	{ .delay_ms = 1100, .styles = default_styles },
};

/* An adapter the plan touches. */
struct port {
	const char *ifname;           /* owned by the plan */
	const char *standby;          /* its standby (owned likewise); NULL for host guards */
	struct ipto_mac mac;          /* the plan's MAC for it */
	bool announces;               /* has BIND actions */
	bool has_v4_bind;             /* has IPv4 BIND actions: ARP flux matters */
	bool guard;                   /* no action: another adapter of the standby
				       * on the LAN, only kept from answering ARP
				       * for the taken-over addresses */
	bool absent;                  /* a guard the system does not have */
	bool from_dump;               /* a host guard read by the link dump */
	struct ipto_injector_adapter *inj;
	size_t first_frame, n_frames; /* its slice of the frame table */
	int arp[2];                   /* arp_ignore, arp_announce from adapter_get; -1 unknown */
	long refresh_report;          /* its refresh entry, updated in place; -1 none */
	size_t round_first;           /* send_round(): its first frame in t->iov */
	int ifindex;                  /* from adapter_get; 0 unknown */
	struct ipto_mac have_mac;     /* the MAC adapter_get read */
};

/* One address to bind or unbind. */
struct action {
	size_t port;
	enum ipto_plan_action kind;
	struct ipto_addr ip;
};

/* One entry of the undo log: a change this takeover made. */
enum undo_kind { UNDO_DEVCONF, UNDO_ADDR_ADDED, UNDO_ADDR_REMOVED, UNDO_LINK_RAISED,
		 UNDO_RECORD, UNDO_LINK_CREATED };
struct undo {
	enum undo_kind kind;
	size_t port;
	size_t report;                /* the report entry that recorded it */
	struct ipto_addr ip;
	enum ipto_devconf key;
	int old_value;
	bool had_record;              /* UNDO_RECORD: the value before, if any */
	char record[256];
};

/* What the record keeps about one link a takeover changed: the values
 * to restore on release (-1: not changed by a takeover). */
struct link_note {
	int ifindex;
	struct ipto_mac mac;
	int up, arp_ignore, arp_announce;
};

/* A prebuilt frame. */
struct frame {
	uint8_t style;
	uint8_t len;
	bool gone;                    /* its address left its adapter: never again */
	size_t action;
	uint8_t bytes[IPTO_FRAME_MAX_LEN];
};

struct ipto_takeover {
	int refcount;
	struct ipto_ctx *ctx;
	struct ipto_plan *plan;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	unsigned int flags;

	struct ipto_announce_round rounds[IPTO_ANNOUNCE_MAX_ROUNDS];
	size_t n_rounds;
	uint32_t refresh_ms;
	uint32_t refresh_count;

	struct port *ports;
	size_t n_ports;
	struct action *actions;
	size_t n_actions;
	struct frame *frames;
	size_t n_frames;
	size_t n_gone;                /* frames dropped by drop_released() */
	struct netlink_addr_watch *addr_watch; /* removals, for later rounds */
	struct iovec *iov;            /* scratch for one round's frames */
	struct ipto_injector_adapter **iov_port; /* ... and their adapters */
	struct ipto_addr_req *reqs;   /* scratch for the address batch */
	size_t *req_action;
	int *results;

	struct undo *undo;
	size_t n_undo, cap_undo;
	struct ipto_takeover_report *reports;
	size_t n_reports, cap_reports;

	char **host_names;            /* names of host-wide guard ports */
	size_t n_host_names;
	struct ipto_addr_entry *dump; /* the addresses at start; NULL: no dump op */
	size_t n_dump;

	int timerfd;
	bool started, failed, stopped;
	bool has_guards;              /* an IPv4 takeover: guard the host */
	bool is_release;              /* only UNBIND actions */
	uint64_t t0_ns;               /* when start() was called */
	size_t next_round;            /* index into rounds, then refreshes */
	uint32_t refreshes_done;
	uint64_t next_due_ns;
};

static bool reclaiming(const struct ipto_takeover *t);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

IPTO_EXPORT const struct ipto_announce_round *
ipto_takeover_default_schedule(size_t *n_rounds)
{
	if (n_rounds)
		*n_rounds = IPTO_ARRAY_SIZE(default_rounds);
	return default_rounds;
}

/* Appends a report entry; returns its index or a negative errno. */
static int report(struct ipto_takeover *t, enum ipto_report_op op,
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
	r->time_us = t->t0_ns ? (now_ns() - t->t0_ns) / 1000u : 0;
	return (int)t->n_reports++;
}

static int push_undo(struct ipto_takeover *t, const struct undo *u)
{
	int err = ipto_grow((void **)&t->undo, &t->cap_undo, t->n_undo + 1,
			    sizeof(*t->undo));

	if (err)
		return err;
	t->undo[t->n_undo++] = *u;
	return 0;
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

static int validate_schedule(struct ipto_takeover *t,
			     const struct ipto_announce_round *rounds, size_t n)
{
	const uint32_t valid = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET) |
			       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_REPLY) |
			       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA);
	size_t i;

	if (n == 0 || n > IPTO_ANNOUNCE_MAX_ROUNDS) {
		log_err(t->ctx, "takeover: a schedule needs 1 to %d rounds, not %zu\n",
			IPTO_ANNOUNCE_MAX_ROUNDS, n);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (rounds[i].styles & ~valid) {
			log_err(t->ctx,
				"takeover: round %zu has unknown or unsupported styles 0x%x "
				"(explicit-target requests cannot be scheduled)\n",
				i, rounds[i].styles & ~valid);
			return -EINVAL;
		}
		t->rounds[i] = rounds[i];
	}
	t->n_rounds = n;
	return 0;
}

/* A schedule must send a frame for the plan's addresses: ARP styles for
 * IPv4, NA for IPv6. A plan that only unbinds announces nothing. */
static int check_schedule_sends(struct ipto_takeover *t)
{
	const uint32_t arp = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			     IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET) |
			     IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_REPLY);
	const uint32_t na = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA);
	bool v4 = false, v6 = false;
	uint32_t styles = 0;
	size_t i;

	for (i = 0; i < t->n_actions; i++) {
		if (t->actions[i].kind != IPTO_PLAN_ACTION_BIND)
			continue;
		if (t->actions[i].ip.family == AF_INET)
			v4 = true;
		else
			v6 = true;
	}
	if (!v4 && !v6)
		return 0;
	for (i = 0; i < t->n_rounds; i++)
		styles |= t->rounds[i].styles;
	if ((v4 && (styles & arp)) || (v6 && (styles & na)))
		return 0;
	log_err(t->ctx, "takeover: the schedule sends no frame for this plan "
		"(it needs %s)\n", v4 && v6 ? "an ARP style or na" :
		v4 ? "an ARP style for its IPv4 addresses" :
		"na for its IPv6 addresses");
	return -EINVAL;
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

static uint32_t styles_used(const struct ipto_takeover *t)
{
	uint32_t m = 0;
	size_t i;

	for (i = 0; i < t->n_rounds; i++)
		m |= t->rounds[i].styles;
	return m;
}

/* Builds every frame any round may send, grouped by port. */
static int build_frames(struct ipto_takeover *t)
{
	uint32_t used = styles_used(t);
	size_t p, i, max_batch = 0;
	int style, len;

	t->frames = calloc(t->n_actions * N_STYLES + 1, sizeof(*t->frames));
	if (!t->frames)
		return -ENOMEM;
	for (p = 0; p < t->n_ports; p++) {
		t->ports[p].first_frame = t->n_frames;
		for (i = 0; i < t->n_actions; i++) {
			const struct action *a = &t->actions[i];

			if (a->port != p || a->kind != IPTO_PLAN_ACTION_BIND)
				continue;
			for (style = FIRST_STYLE; style <= LAST_STYLE; style++) {
				struct frame *f = &t->frames[t->n_frames];
				bool v6 = a->ip.family == AF_INET6;

				if (!(used & IPTO_FRAME_STYLE_BIT(style)) ||
				    v6 != (style == IPTO_FRAME_STYLE_NA))
					continue;
				len = ipto_frame_build(t->ctx, style,
						       &t->ports[p].mac, &a->ip,
						       NULL, f->bytes,
						       sizeof(f->bytes));
				if (len < 0)
					return len;
				f->style = (uint8_t)style;
				f->len = (uint8_t)len;
				f->action = i;
				t->n_frames++;
			}
		}
		t->ports[p].n_frames = t->n_frames - t->ports[p].first_frame;
		if (t->ports[p].n_frames > max_batch)
			max_batch = t->ports[p].n_frames;
	}
	(void)max_batch;
	/* One round's frames of every adapter at once (send_round()). */
	t->iov = calloc(t->n_frames + 1, sizeof(*t->iov));
	t->iov_port = calloc(t->n_frames + 1, sizeof(*t->iov_port));
	return t->iov && t->iov_port ? 0 : -ENOMEM;
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
			      standby);
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
				       IPTO_TAKEOVER_RECLAIM)) {
		log_err(ctx, "takeover: unknown flags 0x%x\n", t->flags);
		goto fail;
	}
	rounds = ipto_opts_get(opts, ipto_takeover_opts, rounds, NULL);
	n_rounds = ipto_opts_get(opts, ipto_takeover_opts, n_rounds, 0);
	if (!rounds)
		rounds = ipto_takeover_default_schedule(&n_rounds);
	err = validate_schedule(t, rounds, n_rounds);
	if (err)
		goto fail;
	err = load_plan(t, ipto_opts_get(opts, ipto_takeover_opts, standby, NULL));
	if (err)
		goto fail;
	err = check_schedule_sends(t);
	if (err)
		goto fail;
	err = build_frames(t);
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
	netlink_addr_watch_close(t->addr_watch);
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

static bool addr_present(int err)
{
	return err == -EEXIST;
}

static bool addr_absent(int err)
{
	return err == -EADDRNOTAVAIL || err == -ENOENT || err == -ESRCH;
}

/* Reverses the undo log, newest first. Returns the first error. */
static int rollback(struct ipto_takeover *t)
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
				(reclaiming(t) ? IPTO_BIND_RECLAIM : IPTO_BIND_TAKEOVER);
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

/* Records a failed step; returns err. */
static int fail_step(struct ipto_takeover *t, enum ipto_report_op op, size_t port,
		     const struct ipto_addr *addr, int err)
{
	report(t, op, IPTO_REPORT_OUTCOME_FAILED, err, port, addr, 0, 0);
	return err;
}

/* Records a done step and how to undo it. */
static int done_step(struct ipto_takeover *t, enum ipto_report_op op,
		     struct undo *u)
{
	int r = report(t, op, IPTO_REPORT_OUTCOME_DONE, 0, u->port, &u->ip, 0, 0);

	if (r < 0)
		return r;
	u->report = (size_t)r;
	return push_undo(t, u);
}


/* ------------------------------------------------------------------ */
/* The record: the kernel's marks, and notes of what to restore         */
/* ------------------------------------------------------------------ */

static bool reclaiming(const struct ipto_takeover *t)
{
	return t->flags & IPTO_TAKEOVER_RECLAIM;
}

static unsigned int our_proto(const struct ipto_takeover *t)
{
	return reclaiming(t) ? IPTO_ADDR_PROTO_RECLAIM : IPTO_ADDR_PROTO_TAKEOVER;
}

/* Reads every address of the namespace into t->dump (one request).
 * A binder without dumps leaves t->dump NULL: no checks, no marks read. */
static int read_dump(struct ipto_takeover *t)
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

static const struct ipto_addr_entry *dump_find(const struct ipto_takeover *t,
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
static int check_in_use(struct ipto_takeover *t)
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
			return fail_step(t, IPTO_REPORT_OP_ADDR_ADD, a->port, &a->ip,
					 -EADDRINUSE);
		}
	}
	return 0;
}

static void note_format(const struct link_note *n, char *buf, size_t len)
{
	char mac[IPTO_MAC_STRLEN];
	size_t off;

	ipto_mac_format(&n->mac, mac, sizeof(mac));
	off = (size_t)snprintf(buf, len, "ifindex=%d mac=%s", n->ifindex, mac);
	if (n->up >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " up=%d", n->up);
	if (n->arp_ignore >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " arp_ignore=%d",
					n->arp_ignore);
	if (n->arp_announce >= 0 && off < len)
		snprintf(buf + off, len - off, " arp_announce=%d", n->arp_announce);
}

static bool note_parse(const char *s, struct link_note *n)
{
	char copy[256], *tok, *save = NULL;

	*n = (struct link_note){ .up = -1, .arp_ignore = -1, .arp_announce = -1 };
	snprintf(copy, sizeof(copy), "%s", s);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		int v;

		if (!eq)
			return false;
		*eq++ = '\0';
		if (strcmp(tok, "mac") == 0) {
			if (ipto_mac_parse(eq, &n->mac) < 0)
				return false;
			continue;
		}
		v = atoi(eq);
		if (strcmp(tok, "ifindex") == 0)
			n->ifindex = v;
		else if (strcmp(tok, "up") == 0)
			n->up = v;
		else if (strcmp(tok, "arp_ignore") == 0)
			n->arp_ignore = v;
		else if (strcmp(tok, "arp_announce") == 0)
			n->arp_announce = v;
	}
	return n->ifindex > 0;
}

enum note_field { NOTE_UP, NOTE_ARP_IGNORE, NOTE_ARP_ANNOUNCE };

/* Notes in the record the values a takeover is about to replace on port p
 * (@old, by enum note_field; < 0: not replaced), unless an earlier
 * takeover noted them already (its value is the one to restore). One read
 * and at most one write of the port's record for all of them. Undone with
 * the rest on rollback. */
static int note_changes(struct ipto_takeover *t, size_t p, const int old[3])
{
	struct port *port = &t->ports[p];
	struct undo u = { .kind = UNDO_RECORD, .port = p };
	struct link_note n;
	char key[32], value[256];
	bool changed = false;
	int r, f;

	if (!t->binder->ops.record_get || !t->binder->ops.record_set)
		return 0;
	snprintf(key, sizeof(key), "link.%s", port->ifname);
	r = ipto_binder_record_get(t->binder, key, u.record, sizeof(u.record));
	if (r == 0) {
		u.had_record = true;
		if (!note_parse(u.record, &n) || n.ifindex != port->ifindex ||
		    !ipto_mac_equal(&n.mac, &port->have_mac))
			/* a note of another link that had this name */
			n = (struct link_note){ .up = -1, .arp_ignore = -1,
						.arp_announce = -1 };
	} else if (r == -ENOENT) {
		n = (struct link_note){ .up = -1, .arp_ignore = -1, .arp_announce = -1 };
	} else {
		return r;
	}
	n.ifindex = port->ifindex;
	n.mac = port->have_mac;
	for (f = NOTE_UP; f <= NOTE_ARP_ANNOUNCE; f++) {
		int *field = f == NOTE_UP ? &n.up : f == NOTE_ARP_IGNORE
					? &n.arp_ignore : &n.arp_announce;

		if (old[f] < 0 || (*field >= 0 && u.had_record))
			continue;
		*field = old[f];
		changed = true;
	}
	if (!changed)
		return 0;
	note_format(&n, value, sizeof(value));
	r = ipto_binder_record_set(t->binder, key, value);
	if (r < 0)
		return r;
	return push_undo(t, &u);
}

static int note_change(struct ipto_takeover *t, size_t p, enum note_field f,
		       int old)
{
	int olds[3] = { -1, -1, -1 };

	olds[f] = old;
	return note_changes(t, p, olds);
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
			/* a host guard: add_host_guards() read it with the
			 * link dump just now, no second request */
			err = report(t, IPTO_REPORT_OP_CHECK_ADAPTER, IPTO_REPORT_OUTCOME_FOUND,
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
			return fail_step(t, IPTO_REPORT_OP_CHECK_ADAPTER, p, NULL, err);
		}
		if (err < 0) {
			log_dbg(t->ctx, "takeover: adapter %s: %s\n", port->ifname,
				ipto_strerror(err));
			return fail_step(t, IPTO_REPORT_OP_CHECK_ADAPTER, p, NULL, err);
		}
		if (!ipto_mac_equal(&port->mac, &zero) &&
		    !ipto_mac_equal(&port->mac, &info.mac)) {
			ipto_mac_format(&port->mac, want, sizeof(want));
			ipto_mac_format(&info.mac, have, sizeof(have));
			log_err(t->ctx,
				"takeover: adapter %s has MAC %s but the plan expects %s\n",
				port->ifname, have, want);
			return fail_step(t, IPTO_REPORT_OP_CHECK_ADAPTER, p, NULL, -EADDRNOTAVAIL);
		}
		up[p] = info.up;
		port->ifindex = info.ifindex;
		port->have_mac = info.mac;
		port->arp[0] = info.arp_ignore;
		port->arp[1] = info.arp_announce;
		err = report(t, IPTO_REPORT_OP_CHECK_ADAPTER, IPTO_REPORT_OUTCOME_FOUND, 0, p,
			     NULL, 0, 0);
		if (err < 0)
			return err;
	}
	return 0;
}

/* Opens the injector ports of links that are up (@up_now) or of all the
 * rest. Links that are up are opened before anything changes, so a missing
 * CAP_NET_RAW fails early; some injectors (libpcap) cannot open a link
 * that is down, so those wait until raise_links() has raised them. */
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
			return fail_step(t, IPTO_REPORT_OP_OPEN_ADAPTER, p, NULL, err);
		}
		err = report(t, IPTO_REPORT_OP_OPEN_ADAPTER, IPTO_REPORT_OUTCOME_DONE, 0, p,
			     NULL, 0, 0);
		if (err < 0)
			return err;
	}
	return 0;
}

/* arp_ignore=1: answer only for addresses on the receiving adapter.
 * arp_announce=2: use the best local address of the outgoing adapter. */
static int set_devconf_batch(struct ipto_takeover *t,
			     const struct netlink_devconf_req *reqs,
			     const size_t *req_port, const int *req_old,
			     size_t n);

static int fix_devconf(struct ipto_takeover *t, bool guards)
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
	struct netlink_devconf_req *reqs = NULL;
	size_t p, k, n_reqs = 0, *req_port = NULL;
	int err = 0, value, *req_old = NULL;

	/* A reclaim leaves the node's own interface as its administrator
	 * set it; the host's other interfaces are guarded as on a standby
	 * (one on the same LAN would answer ARP for the reclaimed address
	 * with its own MAC). */
	if (reclaiming(t) && !guards)
		return 0;
	/* With the netlink binder the changes go in one pipelined batch
	 * after all their notes are written (each note still before its
	 * change): one sendmsg instead of a round trip per setting, which
	 * on a host with a hundred interfaces to guard was most of the
	 * takeover (tests/bench). Other binders: one call each. */
	if (netlink_devconf_set_batch(t->binder, NULL, 0, NULL) == 0) {
		reqs = calloc(2 * t->n_ports + 1, sizeof(*reqs));
		req_port = calloc(2 * t->n_ports + 1, sizeof(*req_port));
		req_old = calloc(2 * t->n_ports + 1, sizeof(*req_old));
		if (!reqs || !req_port || !req_old) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (p = 0; p < t->n_ports; p++) {
		int values[2], olds[3] = { -1, -1, -1 };
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
				err = fail_step(t, IPTO_REPORT_OP_DEVCONF, p, NULL, err);
				goto out;
			}
			if (value >= knobs[k].want) {
				err = report(t, IPTO_REPORT_OP_DEVCONF, IPTO_REPORT_OUTCOME_FOUND,
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
			err = fail_step(t, IPTO_REPORT_OP_DEVCONF, p, NULL, err);
			goto out;
		}
		for (k = 0; k < IPTO_ARRAY_SIZE(knobs); k++) {
			struct undo u = { .kind = UNDO_DEVCONF, .port = p,
					  .key = knobs[k].key };

			if (!set[k])
				continue;
			if (reqs && t->ports[p].ifindex > 0) {
				reqs[n_reqs] = (struct netlink_devconf_req){
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
				err = fail_step(t, IPTO_REPORT_OP_DEVCONF, p, NULL, err);
				goto out;
			}
			u.old_value = values[k];
			err = done_step(t, IPTO_REPORT_OP_DEVCONF, &u);
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

/* Sends the batch of fix_devconf(), then puts every change that took on
 * the undo log before the first failure is returned (all or nothing). */
static int set_devconf_batch(struct ipto_takeover *t,
			     const struct netlink_devconf_req *reqs,
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
	netlink_devconf_set_batch(t->binder, reqs, n, results);
	for (i = 0; i < n; i++) {
		struct undo u = { .kind = UNDO_DEVCONF, .port = req_port[i],
				  .key = reqs[i].key, .old_value = req_old[i] };

		if (results[i] < 0) {
			if (failed == n)
				failed = i;
			continue;
		}
		err = done_step(t, IPTO_REPORT_OP_DEVCONF, &u);
		if (err < 0) {
			free(results);
			return err;
		}
	}
	err = failed < n ? results[failed] : 0;
	free(results);
	if (failed < n)
		return fail_step(t, IPTO_REPORT_OP_DEVCONF, req_port[failed], NULL, err);
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
		err = report(t, op, IPTO_REPORT_OUTCOME_FOUND, 0, a->port, &a->ip, 0, 0);
		return err < 0 ? err : 0;
	}
	if (r < 0) {
		log_addr_failure(t, a, r);
		return fail_step(t, op, a->port, &a->ip, r);
	}
	return done_step(t, op, &u);
}

/*
 * Adds every address of the plan in one batch (the netlink binder
 * pipelines them), then records each result in plan order. A failed
 * addition does not stop the others in the batch, so every one that
 * succeeded is on the undo log before the first error is returned.
 * Removals (release plans) go one by one.
 */
static int bind_addresses(struct ipto_takeover *t)
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
				   (reclaiming(t) ? IPTO_BIND_RECLAIM : IPTO_BIND_TAKEOVER);
		t->req_action[n++] = i;
	}
	if (n > 0) {
		err = ipto_binder_addr_add_batch(t->binder, t->reqs, n, t->results);
		if (err < 0) {
			log_addr_failure(t, &t->actions[t->req_action[0]], err);
			return fail_step(t, IPTO_REPORT_OP_ADDR_ADD,
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

/*
 * Removes exactly what takeovers added: an address is removed only when
 * the kernel marks it as ours. Removing a primary IPv4 address with
 * secondaries in its subnet (an administrator's, another node's) is done
 * with promote_secondaries=1 for the moment, so they stay.
 */
/* Whether the removals can go in one pipelined batch: a netlink binder,
 * a dump to check them against, and no address to remove with
 * secondaries of its own (those go one by one, promote_secondaries set
 * around each). */
static bool unbind_in_batch(struct ipto_takeover *t)
{
	size_t i;

	if (!t->dump || netlink_addr_del_batch(t->binder, NULL, 0, NULL) < 0)
		return false;
	for (i = 0; i < t->n_actions; i++) {
		const struct action *a = &t->actions[i];
		const struct ipto_addr_entry *e;

		if (a->kind != IPTO_PLAN_ACTION_UNBIND)
			continue;
		e = dump_find(t, t->ports[a->port].ifindex, &a->ip);
		if (e && e->proto == our_proto(t) && has_secondaries(t, e))
			return false;
	}
	return true;
}

/* Removes the batch unbind_addresses() gathered; records each result in
 * plan order (every success on the undo log before the first error is
 * returned, as bind_addresses() does). */
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
	err = netlink_addr_del_batch(t->binder, reqs, n, results);
	for (k = 0; k < n && err == 0; k++) {
		const struct action *a = &t->actions[which[k]];
		const struct ipto_addr_entry *e = dump_find(t, t->ports[a->port].ifindex,
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
			e = dump_find(t, t->ports[a->port].ifindex, &a->ip);
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
					 reclaiming(t) ? "reclaim" : "takeover", e->proto);
				err = report(t, IPTO_REPORT_OP_ADDR_DEL, IPTO_REPORT_OUTCOME_FOUND, 0,
					     a->port, &a->ip, 0, 0);
				if (err < 0)
					goto out;
				continue;
			}
			del = e->addr; /* the kernel's prefix length */
			if (has_secondaries(t, e)) {
				err = ipto_binder_devconf_get(t->binder, ifname,
							      IPTO_DEVCONF_PROMOTE_SECONDARIES,
							      &old_promote);
				if (err == 0 && old_promote == 0)
					err = ipto_binder_devconf_set(t->binder, ifname,
								      IPTO_DEVCONF_PROMOTE_SECONDARIES,
								      1);
				else
					old_promote = -1;
				if (err < 0) {
					err = fail_step(t, IPTO_REPORT_OP_ADDR_DEL, a->port,
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
		if (old_promote == 0)
			ipto_binder_devconf_set(t->binder, ifname,
						IPTO_DEVCONF_PROMOTE_SECONDARIES, 0);
		if (err < 0)
			goto out;
		if (t->dump && t->n_undo &&
		    t->undo[t->n_undo - 1].kind == UNDO_ADDR_REMOVED)
			t->undo[t->n_undo - 1].ip = del;
	}
	err = n_batch ? unbind_batch(t, which, dels, n_batch) : 0;
out:
	free(which);
	free(dels);
	return err;
}

/* After a release: a link the takeovers raised goes down once it has no
 * address left, and the ARP settings they changed are restored once the
 * host holds no taken-over or reclaimed address at all (until then every interface
 * must keep leaving ARP to the owning adapter). Best effort: the
 * addresses are gone already, so a failure is logged, never undone. */
/* A link's note read by restore_after_release(), to write back once its
 * settings are restored. */
struct restore_note {
	struct link_note note;
	char key[32];
};

static void restore_after_release(struct ipto_takeover *t)
{
	struct ipto_adapter_entry *links = NULL;
	struct restore_note *notes = NULL;
	struct netlink_devconf_req *reqs = NULL;
	size_t *req_note = NULL;
	int *results = NULL;
	bool host_holds = false, batch;
	size_t i, k, n_notes = 0, n_reqs = 0;
	int n;

	if (!t->binder->ops.adapter_dump || !t->binder->ops.record_get ||
	    !t->binder->ops.record_set || read_dump(t) < 0 || !t->dump)
		return;
	n = ipto_binder_adapter_dump_alloc(t->binder, &links);
	if (n <= 0)
		goto out;
	/* With the netlink binder the settings to restore go in one
	 * pipelined batch (as fix_devconf() sets them), the notes are
	 * written after it from its results. */
	batch = netlink_devconf_set_batch(t->binder, NULL, 0, NULL) == 0;
	notes = calloc((size_t)n, sizeof(*notes));
	reqs = calloc(2 * (size_t)n, sizeof(*reqs));
	req_note = calloc(2 * (size_t)n, sizeof(*req_note));
	results = calloc(2 * (size_t)n, sizeof(*results));
	if (!notes || !reqs || !req_note || !results)
		goto out;
	for (i = 0; i < t->n_dump; i++)
		host_holds |= t->dump[i].proto == IPTO_ADDR_PROTO_TAKEOVER ||
			      t->dump[i].proto == IPTO_ADDR_PROTO_RECLAIM;
	for (k = 0; k < (size_t)n; k++) {
		const struct ipto_adapter_entry *l = &links[k];
		struct restore_note *rn = &notes[n_notes];
		struct link_note *note = &rn->note;
		char value[256];
		bool busy = false, any = false;

		snprintf(rn->key, sizeof(rn->key), "link.%s", l->ifname);
		if (ipto_binder_record_get(t->binder, rn->key, value, sizeof(value)) < 0)
			continue;
		if (!note_parse(value, note) || note->ifindex != l->ifindex ||
		    !ipto_mac_equal(&note->mac, &l->mac)) {
			ipto_binder_record_set(t->binder, rn->key, NULL); /* stale */
			continue;
		}
		n_notes++;
		for (i = 0; i < t->n_dump; i++) {
			const struct ipto_addr_entry *e = &t->dump[i];

			if (e->ifindex != l->ifindex)
				continue;
			busy |= e->proto == IPTO_ADDR_PROTO_TAKEOVER;
			/* IPv6 link-local addresses come back by themselves. */
			any |= !(e->addr.family == AF_INET6 && e->addr.bytes[0] == 0xfe &&
				 (e->addr.bytes[1] & 0xc0) == 0x80);
		}
		if (!busy && !any && note->up == 0) {
			if (ipto_binder_adapter_set_up(t->binder, l->ifname, false) == 0) {
				log_info(t->ctx, "release: %s is down again, as the "
					 "takeover found it\n", l->ifname);
				note->up = -1;
			}
		} else if (!busy && note->up == 0) {
			note->up = -1; /* another address serves on it now: leave it up */
		}
		if (host_holds)
			continue;
		for (i = 0; i < 2; i++) {
			int *field = i == 0 ? &note->arp_ignore : &note->arp_announce;
			enum ipto_devconf key = i == 0 ? IPTO_DEVCONF_ARP_IGNORE
						       : IPTO_DEVCONF_ARP_ANNOUNCE;

			if (*field < 0)
				continue;
			if (batch) {
				reqs[n_reqs] = (struct netlink_devconf_req){
					.ifindex = l->ifindex, .ifname = l->ifname,
					.key = key, .value = *field };
				req_note[n_reqs++] = n_notes - 1;
			} else if (ipto_binder_devconf_set(t->binder, l->ifname, key,
							   *field) == 0) {
				*field = -1;
			}
		}
	}
	if (n_reqs)
		netlink_devconf_set_batch(t->binder, reqs, n_reqs, results);
	for (i = 0; i < n_reqs; i++) {
		struct link_note *note = &notes[req_note[i]].note;

		if (results[i] != 0)
			continue; /* logged by the binder; the note keeps it */
		if (reqs[i].key == IPTO_DEVCONF_ARP_IGNORE)
			note->arp_ignore = -1;
		else
			note->arp_announce = -1;
	}
	for (k = 0; k < n_notes; k++) {
		struct link_note *note = &notes[k].note;
		char value[256];

		if (note->up < 0 && note->arp_ignore < 0 && note->arp_announce < 0) {
			ipto_binder_record_set(t->binder, notes[k].key, NULL);
		} else {
			note_format(note, value, sizeof(value));
			ipto_binder_record_set(t->binder, notes[k].key, value);
		}
	}
out:
	free(links);
	free(notes);
	free(reqs);
	free(req_note);
	free(results);
}

/* Adds every other interface of the host with IPv4 settings as a guard:
 * with arp_ignore=0 it would answer ARP for the taken-over addresses. */
static int add_host_guards(struct ipto_takeover *t, bool **up)
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

/* The virtual (macvlan) adapters the plan binds to and the system lacks:
 * created down, tagged and with their ARP settings before anything else
 * changes, and deleted last on rollback. */
static int create_links(struct ipto_takeover *t)
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
			return fail_step(t, IPTO_REPORT_OP_ADAPTER_CREATE, p, NULL, err);
		if (!created)
			continue;
		err = done_step(t, IPTO_REPORT_OP_ADAPTER_CREATE, &u);
		if (err < 0)
			return err;
	}
	return 0;
}

/* After a release: the macvlans made on demand go once empty. */
static void delete_empty_links(struct ipto_takeover *t)
{
	size_t p;

	for (p = 0; p < t->n_ports; p++)
		if (!t->ports[p].guard && t->ports[p].standby)
			macvlan_release(t->binder, t->plan, t->ports[p].standby,
					t->ports[p].ifname);
}

static int raise_links(struct ipto_takeover *t, const bool *up)
{
	size_t p;
	int err;

	for (p = 0; p < t->n_ports; p++) {
		struct undo u = { .kind = UNDO_LINK_RAISED, .port = p };

		if (!t->ports[p].announces)
			continue;
		if (up[p]) {
			err = report(t, IPTO_REPORT_OP_ADAPTER_UP, IPTO_REPORT_OUTCOME_FOUND, 0,
				     p, NULL, 0, 0);
			if (err < 0)
				return err;
			continue;
		}
		err = reclaiming(t) ? 0 : note_change(t, p, NOTE_UP, 0);
		if (err < 0)
			return fail_step(t, IPTO_REPORT_OP_ADAPTER_UP, p, NULL, err);
		err = ipto_binder_adapter_set_up(t->binder, t->ports[p].ifname, true);
		if (err < 0) {
			log_dbg(t->ctx, "takeover: cannot bring %s up: %s\n",
				t->ports[p].ifname, ipto_strerror(err));
			return fail_step(t, IPTO_REPORT_OP_ADAPTER_UP, p, NULL, err);
		}
		err = done_step(t, IPTO_REPORT_OP_ADAPTER_UP, &u);
		if (err < 0)
			return err;
	}
	return 0;
}

/* Sends a batch; a short count is retried once for the real error. */
static int send_all(struct ipto_injector_adapter *port, struct iovec *iov, size_t n)
{
	size_t done = 0;
	int r;

	while (done < n) {
		r = ipto_injector_send_batch(port, iov + done, n - done);
		if (r < 0)
			return r;
		if (r == 0)
			return -EAGAIN;
		done += (size_t)r;
	}
	return (int)done;
}

/* Sends one round: one batch per port, frames in the prebuilt order. */
/* Records a round's outcome on a port. Refresh rounds, which may go on
 * for ever, update one entry per port in place, so the report stays
 * bounded and, with the room reserved by ipto_takeover_new(), the
 * announcement path never allocates. */
static void report_round(struct ipto_takeover *t, size_t p, bool refresh,
			 unsigned int round, int result, unsigned int frames)
{
	enum ipto_report_outcome outcome = result < 0 ? IPTO_REPORT_OUTCOME_FAILED
						      : IPTO_REPORT_OUTCOME_DONE;
	struct port *port = &t->ports[p];
	struct ipto_takeover_report *r;
	int idx;

	if (refresh && port->refresh_report >= 0) {
		r = &t->reports[port->refresh_report];
		r->outcome = outcome;
		r->result = result;
		r->round = round;
		r->frames = frames;
		r->time_us = (now_ns() - t->t0_ns) / 1000u;
		return;
	}
	idx = report(t, IPTO_REPORT_OP_ANNOUNCE, outcome, result, p, NULL, round,
		     frames);
	if (refresh && idx >= 0)
		port->refresh_report = idx;
}

static int send_round(struct ipto_takeover *t, unsigned int round,
		      uint32_t styles, bool refresh)
{
	size_t p, i, n = 0, done;
	int first_err = 0, sent;

	/* Every adapter's frames of this round in one call: the AF_PACKET
	 * injector sends them in one sendmmsg() (up to 64 per call). */
	for (p = 0; p < t->n_ports; p++) {
		struct port *port = &t->ports[p];

		port->round_first = n;
		if (!port->inj)
			continue;
		for (i = 0; i < port->n_frames; i++) {
			struct frame *f = &t->frames[port->first_frame + i];

			if (f->gone || !(styles & IPTO_FRAME_STYLE_BIT(f->style)))
				continue;
			t->iov[n].iov_base = f->bytes;
			t->iov[n].iov_len = f->len;
			t->iov_port[n] = port->inj;
			n++;
		}
	}
	sent = n ? ipto_injector_send_multi(t->injector, t->iov_port, t->iov, n) : 0;
	done = sent > 0 ? (size_t)sent : 0;
	for (p = 0; p < t->n_ports; p++) {
		struct port *port = &t->ports[p];
		size_t from = port->round_first;
		size_t to = p + 1 < t->n_ports ? t->ports[p + 1].round_first : n;
		int r;

		if (!port->inj || from == to)
			continue;
		if (to <= done) {
			report_round(t, p, refresh, round, 0, (unsigned int)(to - from));
			continue;
		}
		/* The batch stopped in or before this adapter's frames. None
		 * sent at all: the error is the first frame's, this adapter's.
		 * Otherwise the rest goes adapter by adapter, for each one's
		 * own result (a short count retried once, as send_all()
		 * does). */
		if (sent < 0 && from == 0)
			r = sent;
		else
			r = send_all(port->inj, t->iov + (done > from ? done : from),
				     to - (done > from ? done : from));
		if (r < 0) {
			log_dbg(t->ctx, "takeover: round %u on %s: %s\n", round,
				port->ifname, ipto_strerror(r));
			report_round(t, p, refresh, round, r, 0);
			if (!first_err)
				first_err = r;
			continue;
		}
		report_round(t, p, refresh, round, 0, (unsigned int)(to - from));
	}
	return first_err;
}

static size_t rounds_left(const struct ipto_takeover *t)
{
	size_t left;

	if (t->stopped || t->n_frames == 0)
		return 0; /* a release sends nothing: never wait for a schedule */
	if (t->n_gone == t->n_frames)
		return 0; /* nothing it announces is held here any more */
	left = t->n_rounds - (t->next_round < t->n_rounds ? t->next_round : t->n_rounds);
	if (t->refresh_ms) {
		if (t->refresh_count == 0)
			return left + 1; /* never ends */
		left += t->refresh_count - t->refreshes_done;
	}
	return left;
}

static void arm_timer(struct ipto_takeover *t)
{
	struct itimerspec its = { 0 };

	if (rounds_left(t) > 0) {
		its.it_value.tv_sec = (time_t)(t->next_due_ns / 1000000000u);
		its.it_value.tv_nsec = (long)(t->next_due_ns % 1000000000u);
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(t->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Stops announcing action @a's address: every frame of it is dropped. */
static void drop_action(struct ipto_takeover *t, size_t a)
{
	char text[IPTO_ADDR_STRLEN];
	size_t k;

	for (k = 0; k < t->n_frames; k++) {
		if (t->frames[k].action == a && !t->frames[k].gone) {
			t->frames[k].gone = true;
			t->n_gone++;
		}
	}
	ipto_addr_format(&t->actions[a].ip, text, sizeof(text));
	log_info(t->ctx, "takeover: %s is no longer on %s: its announcements "
		 "stop\n", text, t->ports[t->actions[a].port].ifname);
}

/* netlink_addr_watch_read()'s callback: @addr left interface @ifindex. */
static void on_addr_gone(void *data, int ifindex, const struct ipto_addr *addr)
{
	struct ipto_takeover *t = data;
	size_t i;

	for (i = 0; i < t->n_frames; i++) {
		const struct frame *f = &t->frames[i];
		const struct action *a = &t->actions[f->action];
		int at = t->ports[a->port].ifindex;

		if (!f->gone && (!at || at == ifindex) && ipto_addr_equal(&a->ip, addr))
			drop_action(t, f->action);
	}
}

/*
 * Before every round after the first: drops the frames of the addresses
 * that are no longer where this run bound them (a release in another
 * process, an administrator, a cluster manager that moved them back).
 * A later round, or a refresh, must never pull clients to this host for
 * an address another node serves now. With the netlink binder the
 * kernel's own removal notices say so (subscribed before binding; read
 * without blocking or allocating); when they overflowed, and with other
 * binders, one address dump per round does. Off the path to the first
 * round; a binder without dumps keeps them all.
 */
static void drop_released(struct ipto_takeover *t)
{
	size_t i;

	if (t->addr_watch) {
		int r = netlink_addr_watch_read(t->addr_watch, on_addr_gone, t);

		if (r == 0)
			return;
		if (r < 0) { /* the notices cannot be trusted: dumps from now on */
			netlink_addr_watch_close(t->addr_watch);
			t->addr_watch = NULL;
		}
	}
	if (!t->binder->ops.addr_dump || read_dump(t) < 0 || !t->dump)
		return;
	for (i = 0; i < t->n_frames; i++) {
		const struct frame *f = &t->frames[i];
		const struct action *a = &t->actions[f->action];

		if (!f->gone && !dump_find(t, t->ports[a->port].ifindex, &a->ip))
			drop_action(t, f->action);
	}
}

/* Sends every round that is due at @now; advances the schedule. */
static int send_due(struct ipto_takeover *t, uint64_t now)
{
	int first = 0, err;

	while (rounds_left(t) > 0 && t->next_due_ns <= now) {
		bool refresh = t->next_round >= t->n_rounds;
		const struct ipto_announce_round *r =
			&t->rounds[refresh ? t->n_rounds - 1 : t->next_round];
		unsigned int number = (unsigned int)t->next_round + t->refreshes_done;

		if (number > 0) {
			drop_released(t);
			if (rounds_left(t) == 0)
				break;
		}
		err = send_round(t, number, r->styles, refresh);
		if (err < 0 && !first)
			first = err;
		if (refresh)
			t->refreshes_done++;
		else
			t->next_round++;
		if (t->next_round < t->n_rounds) {
			t->next_due_ns += (uint64_t)t->rounds[t->next_round].delay_ms * 1000000u;
		} else {
			t->next_due_ns += (uint64_t)t->refresh_ms * 1000000u;
			/* After a stall (a suspended process, a busy loop), send
			 * one refresh now, not every one that was missed. */
			if (t->refresh_ms && t->next_due_ns <= now)
				t->next_due_ns = now + (uint64_t)t->refresh_ms * 1000000u;
		}
	}
	arm_timer(t);
	return first;
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
	t->t0_ns = now_ns();
	err = t->is_release || reclaiming(t) ? 0 : create_links(t);
	if (!err)
		err = check_links(t, up, false);
	if (!err)
		err = read_dump(t);
	if (!err)
		err = check_in_use(t);
	if (!err)
		err = open_ports(t, up, true);
	if (!err)
		err = fix_devconf(t, false);
	/* A schedule with later rounds hears of removals from before the
	 * first bind on (drop_released()). */
	if (!err && t->n_frames && (t->n_rounds > 1 || t->refresh_ms) &&
	    netlink_addr_watch_open(t->binder, &t->addr_watch) < 0)
		t->addr_watch = NULL;
	if (!err)
		err = bind_addresses(t);
	if (!err)
		err = raise_links(t, up);
	if (!err)
		err = open_ports(t, up, false);
	if (!err) {
		t->next_round = 0;
		t->next_due_ns = t->t0_ns + (uint64_t)t->rounds[0].delay_ms * 1000000u;
		err = send_due(t, now_ns());
	}
	/* The standby's other adapters (guards) come right after the first
	 * round: they keep ARP for the new addresses to the owning adapter,
	 * which matters from the first request a client makes, not for the
	 * announcement itself, so their reads stay off the path from the
	 * call to the wire. Still all or nothing. */
	if (!err && t->has_guards)
		err = add_host_guards(t, &up);
	if (!err)
		err = check_links(t, up, true);
	if (!err)
		err = fix_devconf(t, true);
	if (!err && t->is_release)
		restore_after_release(t);
	if (!err && t->is_release && !reclaiming(t))
		delete_empty_links(t);
	free(up);
	if (err < 0) {
		t->failed = true;
		t->stopped = true;
		rollback(t);
		close_ports(t);
		arm_timer(t);
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
	err = send_due(t, now_ns());
	if (err < 0)
		return err;
	left = rounds_left(t);
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
	while (rounds_left(t) > 0) {
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
	arm_timer(t);
	err = rollback(t);
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
