/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The announcement frames and their schedule: the default rounds, the
 * checks of a caller's schedule, building every frame up front, and
 * sending each round when the timerfd says it is due.
 */
#include "takeover-private.h"

#define FIRST_STYLE IPTO_FRAME_STYLE_ARP_ANNOUNCE
#define LAST_STYLE IPTO_FRAME_STYLE_NA
#define N_STYLES (LAST_STYLE + 1)

#define DIRECTED_STYLES (IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_DIRECTED) | \
			 IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NS))

/* Every round: the broadcast frames, then the directed ones (which send
 * nothing without a neighbour set). */
static const uint32_t default_styles =
	IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
	IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET) |
	IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) | DIRECTED_STYLES;

static const struct ipto_announce_round default_rounds[] = {
	{ .delay_ms = 0, .styles = default_styles },
	{ .delay_ms = 1100, .styles = default_styles },
	{ .delay_ms = 1100, .styles = default_styles },
};

IPTO_EXPORT const struct ipto_announce_round *
ipto_takeover_default_schedule(size_t *n_rounds)
{
	if (n_rounds)
		*n_rounds = IPTO_ARRAY_SIZE(default_rounds);
	return default_rounds;
}

int schedule_validate(struct ipto_takeover *t,
		      const struct ipto_announce_round *rounds, size_t n)
{
	const uint32_t valid = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET) |
			       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_REPLY) |
			       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) |
			       DIRECTED_STYLES;
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
int schedule_check_sends(struct ipto_takeover *t)
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

static uint32_t styles_used(const struct ipto_takeover *t)
{
	uint32_t m = 0;
	size_t i;

	for (i = 0; i < t->n_rounds; i++)
		m |= t->rounds[i].styles;
	return m;
}

/* The directed frames of action @i (to the set's targets of its
 * address) appended to the frame table, built in @scratch. */
static int build_directed(struct ipto_takeover *t, const struct ipto_neigh_set *set,
			  size_t i, struct ipto_neigh_frame *scratch, size_t room)
{
	const struct action *a = &t->actions[i];
	int n, k;

	n = ipto_neigh_set_build_frames(set, &t->ports[a->port].mac, &a->ip,
					scratch, room);
	if (n < 0)
		return n;
	for (k = 0; k < n; k++) {
		struct frame *f = &t->frames[t->n_frames++];

		memcpy(f->bytes, scratch[k].data, scratch[k].len);
		f->style = (uint8_t)scratch[k].style;
		f->len = (uint8_t)scratch[k].len;
		f->action = i;
	}
	return n;
}

/*
 * Builds every frame any round may send, grouped by port: on each port
 * the broadcast frames of every address first, then the directed frames
 * of every address (when a round has their style and @set is given), so
 * the frames every client accepts leave before the per-neighbour ones.
 */
int schedule_build_frames(struct ipto_takeover *t, const struct ipto_neigh_set *set)
{
	uint32_t used = styles_used(t);
	struct ipto_neigh_frame *scratch = NULL;
	size_t p, i, n_directed = 0, room = 0;
	int style, len, r;

	if (!(used & DIRECTED_STYLES))
		set = NULL;
	for (i = 0; set && i < t->n_actions; i++) {
		const struct action *a = &t->actions[i];
		uint32_t bit = IPTO_FRAME_STYLE_BIT(a->ip.family == AF_INET6 ?
						    IPTO_FRAME_STYLE_NS :
						    IPTO_FRAME_STYLE_ARP_DIRECTED);

		if (a->kind != IPTO_PLAN_ACTION_BIND || !(used & bit))
			continue;
		r = ipto_neigh_set_targets(set, &a->ip, NULL, 0);
		if (r < 0)
			return r;
		n_directed += (size_t)r;
		if ((size_t)r > room)
			room = (size_t)r;
	}
	if (room) {
		scratch = calloc(room, sizeof(*scratch));
		if (!scratch)
			return -ENOMEM;
	}
	t->frames = calloc(t->n_actions * N_STYLES + n_directed + 1, sizeof(*t->frames));
	if (!t->frames) {
		free(scratch);
		return -ENOMEM;
	}
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
				if (len < 0) {
					free(scratch);
					return len;
				}
				f->style = (uint8_t)style;
				f->len = (uint8_t)len;
				f->action = i;
				t->n_frames++;
			}
		}
		for (i = 0; room && i < t->n_actions; i++) {
			const struct action *a = &t->actions[i];
			uint32_t bit = IPTO_FRAME_STYLE_BIT(a->ip.family == AF_INET6 ?
							    IPTO_FRAME_STYLE_NS :
							    IPTO_FRAME_STYLE_ARP_DIRECTED);

			if (a->port != p || a->kind != IPTO_PLAN_ACTION_BIND ||
			    !(used & bit))
				continue;
			r = build_directed(t, set, i, scratch, room);
			if (r < 0) {
				free(scratch);
				return r;
			}
		}
		t->ports[p].n_frames = t->n_frames - t->ports[p].first_frame;
	}
	free(scratch);
	/* One round's frames of every adapter at once (send_round()). */
	t->iov = calloc(t->n_frames + 1, sizeof(*t->iov));
	t->iov_port = calloc(t->n_frames + 1, sizeof(*t->iov_port));
	return t->iov && t->iov_port ? 0 : -ENOMEM;
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
		r->time_us = (takeover_now_ns() - t->t0_ns) / 1000u;
		return;
	}
	idx = takeover_report(t, IPTO_REPORT_OP_ANNOUNCE, outcome, result, p, NULL, round,
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
	if (n)
		ipto_crash_point("send_round", NULL);
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

size_t schedule_rounds_left(const struct ipto_takeover *t)
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

void schedule_arm_timer(struct ipto_takeover *t)
{
	struct itimerspec its = { 0 };

	if (schedule_rounds_left(t) > 0) {
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

/* Whether frame @i is the first of a run of one action's frames: the
 * frames of an action are at most two runs per port (its broadcast
 * frames, then its directed ones), so the checks below look at each run
 * once, not at each of thousands of directed frames. */
static bool run_start(const struct ipto_takeover *t, size_t i)
{
	return i == 0 || t->frames[i - 1].action != t->frames[i].action;
}

/* ipto_binder_addr_watch_read()'s callback: @addr left interface @ifindex. */
static void on_addr_gone(void *data, int ifindex, const struct ipto_addr *addr)
{
	struct ipto_takeover *t = data;
	size_t i;

	for (i = 0; i < t->n_frames; i++) {
		const struct frame *f = &t->frames[i];
		const struct action *a = &t->actions[f->action];
		int at = t->ports[a->port].ifindex;

		if (!f->gone && run_start(t, i) && (!at || at == ifindex) &&
		    ipto_addr_equal(&a->ip, addr))
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
void schedule_drop_released(struct ipto_takeover *t)
{
	size_t i;

	if (t->addr_watch) {
		int r = ipto_binder_addr_watch_read(t->binder, t->addr_watch,
						    on_addr_gone, t);

		if (r == 0)
			return;
		if (r < 0) { /* the notices cannot be trusted: dumps from now on */
			ipto_binder_addr_watch_close(t->binder, t->addr_watch);
			t->addr_watch = NULL;
		}
	}
	if (!t->binder->ops.addr_dump || addr_read_dump(t) < 0 || !t->dump)
		return;
	for (i = 0; i < t->n_frames; i++) {
		const struct frame *f = &t->frames[i];
		const struct action *a = &t->actions[f->action];

		if (!f->gone && run_start(t, i) &&
		    !addr_dump_find(t, t->ports[a->port].ifindex, &a->ip))
			drop_action(t, f->action);
	}
}

/* Sends every round that is due at @now; advances the schedule. */
int schedule_send_due(struct ipto_takeover *t, uint64_t now)
{
	int first = 0, err;

	while (schedule_rounds_left(t) > 0 && t->next_due_ns <= now) {
		bool refresh = t->next_round >= t->n_rounds;
		const struct ipto_announce_round *r =
			&t->rounds[refresh ? t->n_rounds - 1 : t->next_round];
		unsigned int number = (unsigned int)t->next_round + t->refreshes_done;

		if (number > 0) {
			schedule_drop_released(t);
			if (schedule_rounds_left(t) == 0)
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
	schedule_arm_timer(t);
	return first;
}
