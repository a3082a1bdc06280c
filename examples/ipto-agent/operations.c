/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto-agent listen, the operations: what an authenticated instruction
 * does (takeover, release, ping) on one request's view of the host, and
 * the announcement jobs still running after a takeover.
 */
#include "agent.h"

static void add_job(struct ipto_takeover *t, struct ipto_plan *plan, const char *node,
		    const char *what)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = EV(EV_JOB, ag.n_jobs) };
	struct job *j;

	if (ag.n_jobs == MAX_JOBS ||
	    epoll_ctl(ag.epfd, EPOLL_CTL_ADD, ipto_takeover_get_fd(t), &ev) < 0) {
		/* Cannot track it: its later rounds are dropped, the binding
		 * stays. */
		logf_("too many takeovers announcing; %s gets one round only", what);
		ipto_takeover_unref(t);
		return;
	}
	j = &ag.jobs[ag.n_jobs++];
	j->t = t;
	j->plan = ipto_plan_ref(plan);
	snprintf(j->node, sizeof(j->node), "%s", node);
	snprintf(j->what, sizeof(j->what), "%s", what);
}

void drop_job(size_t i)
{
	epoll_ctl(ag.epfd, EPOLL_CTL_DEL, ipto_takeover_get_fd(ag.jobs[i].t), NULL);
	ipto_takeover_unref(ag.jobs[i].t);
	ipto_plan_unref(ag.jobs[i].plan);
	ag.jobs[i] = ag.jobs[--ag.n_jobs];
	if (i < ag.n_jobs) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV(EV_JOB, i) };

		epoll_ctl(ag.epfd, EPOLL_CTL_MOD, ipto_takeover_get_fd(ag.jobs[i].t), &ev);
	}
}

/* Runs @plan on this standby: start (all or nothing); the rest of the
 * schedule goes on in the event loop. Writes what it bound to @done. */
static int run(struct ipto_plan *plan, const char *node, bool keep_job,
	       char *done, size_t donelen, char *why, size_t whylen)
{
	IPTO_OPTS(ipto_takeover_opts, opts, .binder = ag.binder,
		  .injector = ag.injector, .standby = ag.standby);
	struct ipto_takeover *t = NULL;
	size_t i, n, off = 0;
	int r;

	diag_reset();
	r = ipto_takeover_new(ag.ctx, plan, &opts, &t);
	if (r == 0)
		r = ipto_takeover_start(t);
	if (r < 0) {
		snprintf(why, whylen, "%s", diag_why(r));
		ipto_takeover_unref(t);
		return r;
	}
	done[0] = '\0';
	n = ipto_plan_get_step_count(plan);
	for (i = 0; i < n && off < donelen; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };
		char ip[IPTO_ADDR_STRLEN], mac[IPTO_MAC_STRLEN];

		if (ipto_plan_get_step(plan, i, &s) < 0)
			continue;
		ipto_addr_format(&s.ip, ip, sizeof(ip));
		ipto_mac_format(&s.mac, mac, sizeof(mac));
		off += (size_t)snprintf(done + off, donelen - off, "%s%s on %s %s",
					i ? "; " : "", ip, s.ifname, mac);
	}
	if (keep_job)
		add_job(t, plan, node, done);
	else
		ipto_takeover_unref(t);
	return 0;
}

/* ---- one request's view of the host ----------------------------------- */

/*
 * What one takeover or release works on: the host's lock, held for the
 * request, and the description read afresh with what this standby holds
 * now loaded from the kernel (the kernel is the record, doc/record.md).
 * The agent keeps no memory of its own of what it took over, so an
 * `ipto takeover` or `ipto release` run (or another program) between two
 * instructions is seen, and nothing it did is undone or doubled.
 */
struct view {
	struct ipto_lock *lock;
	struct cluster *cluster;
};

static void view_close(struct view *v)
{
	cluster_free(v->cluster);
	v->cluster = NULL;
	v->lock = ipto_lock_release(v->lock);
}

/* Takes the lock without waiting (the loop must not block: the
 * instructing node retries a busy reply), then reads the description and
 * the occupancy. Replies and returns a negative errno on failure. */
static int view_open(struct conn *c, const char *what, struct view *v)
{
	IPTO_OPTS(ipto_lock_opts, lo, .flags = IPTO_LOCK_NOWAIT);
	char err[1024];
	int r;

	*v = (struct view){ 0 };
	diag_reset();
	r = ipto_lock_acquire(ag.ctx, &lo, &v->lock);
	if (r == -EBUSY || r == -ETIMEDOUT) {
		logf_("%s: busy: another takeover or release runs on this host", what);
		reply(c, -EBUSY, "busy: another takeover or release runs on this host; "
		      "retry");
		return -EBUSY;
	}
	if (r < 0) {
		reply(c, r, "cannot take the host's takeover lock: %s", diag_why(r));
		return r;
	}
	r = cluster_new(ag.ctx, &v->cluster);
	if (r < 0) {
		view_close(v);
		reply(c, r, "out of memory");
		return r;
	}
	err[0] = '\0';
	diag_reset();
	r = cluster_load_file(v->cluster, ag.config, err, sizeof(err));
	if (r >= 0)
		/* An adapter of the description that left the host since
		 * start fails here: -ENODEV, naming it. */
		r = cluster_resolve_macs(v->cluster, ag.binder, ag.standby, err,
					 sizeof(err));
	if (r < 0) {
		view_close(v);
		logf_("%s: cannot read the cluster description: %s", what, err);
		reply(c, r, "cannot read the cluster description: %s", err);
		return r;
	}
	diag_reset();
	r = ipto_pool_load_occupancy(cluster_pool(v->cluster), ag.standby, ag.binder);
	if (r < 0) {
		view_close(v);
		reply(c, r, "cannot read what this host holds: %s", diag_why(r));
		return r;
	}
	return 0;
}

/* What the kernel shows taken over here for @node: its release plan on the
 * loaded pool (NULL when nothing is held). */
static struct ipto_plan *held_plan(struct view *v, const char *node)
{
	const char *nodes[1] = { node };
	struct ipto_plan *p = NULL;

	if (ipto_plan_new_release(cluster_pool(v->cluster), nodes, 1, &p) < 0)
		return NULL;
	if (ipto_plan_get_step_count(p) == 0)
		p = ipto_plan_unref(p);
	return p;
}

/* Index of the step of @plan for @ip, or -1. */
static ssize_t step_of(const struct ipto_plan *plan, const struct ipto_addr *ip,
		       struct ipto_plan_step *out)
{
	size_t i, n = plan ? ipto_plan_get_step_count(plan) : 0;

	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		if (ipto_plan_get_step(plan, i, &s) == 0 && ipto_addr_equal(&s.ip, ip)) {
			if (out)
				*out = s;
			return (ssize_t)i;
		}
	}
	return -1;
}

/* Whether @plan has a step on adapter @ifname (of this standby). */
static bool uses_adapter(const struct ipto_plan *plan, const char *ifname)
{
	size_t i, n = plan ? ipto_plan_get_step_count(plan) : 0;

	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		if (ipto_plan_get_step(plan, i, &s) == 0 && strcmp(s.ifname, ifname) == 0)
			return true;
	}
	return false;
}

/*
 * The moves that put @want (@n addresses of @node) on this standby, with
 * the occupancy loaded: an address the kernel shows here already keeps its
 * adapter (it is announced again); each other one goes where the planner
 * puts it on the pool with @node's own held addresses set aside, unless
 * that adapter carries one of them (a takeover by another process chose
 * differently), then on another adapter of the node's plan that is free.
 */
static int takeover_moves(struct conn *c, struct view *v, const char *node,
			  const struct ipto_addr *want, size_t n, bool all,
			  struct ipto_plan **ret)
{
	const char *nodes[1] = { node };
	struct ipto_pool *pool = cluster_pool(v->cluster);
	struct ipto_plan *held = held_plan(v, node), *whole = NULL;
	struct ipto_plan_move moves[64];
	size_t i, k, nw;
	int r = 0;

	if (n > 64)
		n = 64;
	for (i = 0; i < n && step_of(held, &want[i], NULL) >= 0; i++)
		;
	if (i < n) {
		/* Something to place: plan the node as if active, its held
		 * addresses' adapters then excluded below. */
		diag_reset();
		if (held)
			r = ipto_pool_commit(pool, held);
		if (r == 0)
			r = ipto_plan_new_takeover(pool, nodes, 1, NULL, &whole);
		if (r < 0) {
			ipto_plan_unref(held);
			reply(c, r, "cannot plan the takeover of %s: %s", node, diag_why(r));
			return r;
		}
		nw = ipto_plan_get_step_count(whole);
		for (k = 0; k < nw; k++) {
			struct ipto_plan_step s = { .sz = sizeof(s) };

			if (ipto_plan_get_step(whole, k, &s) == 0 &&
			    strcmp(s.standby, ag.standby) != 0) {
				reply(c, -EXDEV, "the plan puts %s on standby %s, not %s",
				      node, s.standby, ag.standby);
				ipto_plan_unref(whole);
				ipto_plan_unref(held);
				return -EXDEV;
			}
		}
		if (all && !held) {
			/* Nothing of the node here: the planner's own plan. */
			*ret = whole;
			return 0;
		}
	}
	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };
		const char *ifname = NULL;

		if (step_of(held, &want[i], &s) >= 0) {
			ifname = s.ifname;
		} else {
			size_t j;
			bool taken;

			if (step_of(whole, &want[i], &s) >= 0) {
				taken = uses_adapter(held, s.ifname);
				for (j = 0; j < i && !taken; j++)
					taken = strcmp(moves[j].ifname, s.ifname) == 0;
				if (!taken)
					ifname = s.ifname;
			}
			nw = ipto_plan_get_step_count(whole);
			for (k = 0; k < nw && !ifname; k++) {
				if (ipto_plan_get_step(whole, k, &s) < 0 ||
				    uses_adapter(held, s.ifname))
					continue;
				taken = false;
				for (j = 0; j < i && !taken; j++)
					taken = strcmp(moves[j].ifname, s.ifname) == 0;
				if (!taken)
					ifname = s.ifname;
			}
		}
		if (!ifname) {
			char ip[IPTO_ADDR_STRLEN];

			ipto_addr_format(&want[i], ip, sizeof(ip));
			reply(c, -ENOSPC, "no free takeover adapter for %s", ip);
			ipto_plan_unref(whole);
			ipto_plan_unref(held);
			return -ENOSPC;
		}
		/* The name lives in the plans until they go, after the moves
		 * have become a plan of their own. */
		moves[i] = (struct ipto_plan_move){ .standby = ag.standby, .ifname = ifname,
						    .ip = want[i] };
	}
	diag_reset();
	r = ipto_plan_new_moves(pool, IPTO_PLAN_ACTION_BIND, moves, n, ret);
	if (r < 0)
		reply(c, r, "cannot plan the takeover of %s: %s", node, diag_why(r));
	ipto_plan_unref(whole);
	ipto_plan_unref(held);
	return r;
}

static void do_takeover(struct conn *c, const char *node, const char *ip_text)
{
	struct ipto_addr ip, ips[64];
	struct ipto_plan *plan = NULL;
	struct view v;
	char done[400], why[400];
	const char *owner;
	size_t n;
	int r;

	if (!cluster_is_node(ag.cluster, node))
		return reply(c, -ENOENT, "no active node '%s' in the cluster description",
			     node);
	if (ip_text && ipto_addr_parse(ip_text, &ip) < 0)
		return reply(c, -EINVAL, "'%s' is not an IP address", ip_text);
	if (view_open(c, "takeover", &v) < 0)
		return;
	if (!cluster_is_node(v.cluster, node)) {
		view_close(&v);
		return reply(c, -ENOENT, "no active node '%s' in the cluster description",
			     node);
	}
	if (ip_text) {
		owner = cluster_node_of(v.cluster, &ip);
		if (!owner || strcmp(owner, node) != 0) {
			view_close(&v);
			return reply(c, -ENOENT, "%s is not an address of %s", ip_text, node);
		}
		ips[0] = ip;
		n = 1;
	} else {
		n = cluster_node_ips(v.cluster, node, ips, 64);
		if (n > 64) {
			view_close(&v);
			return reply(c, -E2BIG, "%s has more than 64 addresses", node);
		}
	}
	if (takeover_moves(c, &v, node, ips, n, !ip_text, &plan) < 0) {
		view_close(&v);
		return;
	}
	r = run(plan, node, true, done, sizeof(done), why, sizeof(why));
	ipto_plan_unref(plan);
	view_close(&v);
	if (r < 0) {
		logf_("takeover %s%s%s failed, nothing changed: %s", node,
		      ip_text ? " " : "", ip_text ? ip_text : "", why);
		return reply(c, r, "takeover failed and was undone: %s", why);
	}
	logf_("took over %s: %s", node, done);
	reply(c, 0, "%s", done);
}

/* Removes what the kernel shows takeovers added here for @node, by
 * whichever process: exactly the marked addresses. */
static void do_release(struct conn *c, const char *node)
{
	struct ipto_plan *plan;
	struct view v;
	char done[400], why[400];
	size_t i;
	int r;

	if (!cluster_is_node(ag.cluster, node))
		return reply(c, -ENOENT, "no active node '%s' in the cluster description",
			     node);
	if (view_open(c, "release", &v) < 0)
		return;
	plan = held_plan(&v, node);
	if (!plan) {
		view_close(&v);
		return reply(c, -EALREADY, "%s is not taken over here", node);
	}
	/* Its schedules must not announce addresses we are giving back. */
	for (i = ag.n_jobs; i-- > 0;)
		if (strcmp(ag.jobs[i].node, node) == 0)
			drop_job(i);
	r = run(plan, node, false, done, sizeof(done), why, sizeof(why));
	ipto_plan_unref(plan);
	view_close(&v);
	if (r < 0) {
		logf_("release %s failed: %s", node, why);
		return reply(c, r, "release failed: %s", why);
	}
	logf_("released %s: %s", node, done);
	reply(c, 0, "released %s", done);
}

/* One authenticated instruction. */
void instruction(struct conn *c, char **w, size_t n)
{
	if (ag.verbose)
		logf_("<- %s: %s%s%s%s%s%s", c->peer_text, w[0], n > 1 ? " " : "",
		      n > 1 ? w[1] : "", n > 2 ? " " : "", n > 2 ? w[2] : "",
		      n > 3 ? " ..." : "");
	if (strcmp(w[0], "takeover") == 0 && (n == 2 || n == 3))
		return do_takeover(c, w[1], n == 3 ? w[2] : NULL);
	if (strcmp(w[0], "release") == 0 && n == 2)
		return do_release(c, w[1]);
	if (strcmp(w[0], "ping") == 0 && n == 1)
		return reply(c, 0, "standby %s is listening", ag.standby);
	reply(c, -EINVAL, "bad request '%s' (takeover NODE [IP], release NODE, ping)",
	      w[0]);
}

/*
 * Whether every address job @j bound still carries the takeover mark on
 * its adapter: another process (`ipto release`, another agent) may have
 * released it since, and announcing an address this host no longer has
 * would draw its clients here. 1 yes, 0 no, a negative errno when the
 * kernel cannot be read (then the round goes on: the binding is ours).
 */
static int job_still_held(const struct job *j)
{
	struct ipto_adapter_entry *links;
	struct ipto_addr_entry *addrs;
	size_t i, n = ipto_plan_get_step_count(j->plan);
	int nl, na, k, m, held = 1;

	nl = ipto_binder_adapter_dump_all(ag.binder, &links);
	if (nl < 0)
		return nl;
	na = ipto_binder_addr_dump_all(ag.binder, 0, &addrs);
	if (na < 0) {
		free(links);
		return na;
	}
	for (i = 0; i < n && held; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };
		int ifindex = 0;

		if (ipto_plan_get_step(j->plan, i, &s) < 0)
			continue;
		for (k = 0; k < nl; k++)
			if (strcmp(links[k].ifname, s.ifname) == 0)
				ifindex = links[k].ifindex;
		for (m = 0; m < na; m++)
			if (addrs[m].ifindex == ifindex &&
			    addrs[m].proto == IPTO_ADDR_PROTO_TAKEOVER &&
			    ipto_addr_equal(&addrs[m].addr, &s.ip))
				break;
		if (!ifindex || m == na)
			held = 0;
	}
	free(links);
	free(addrs);
	return held;
}

void on_job_due(size_t i)
{
	int r = job_still_held(&ag.jobs[i]);

	if (r == 0) {
		logf_("announcing %s: released on this host since; its announcements stop",
		      ag.jobs[i].what);
		drop_job(i);
		return;
	}
	r = ipto_takeover_dispatch(ag.jobs[i].t);
	if (r < 0)
		logf_("announcing %s: a round failed (the addresses stay bound): %s",
		      ag.jobs[i].what, ipto_strerror(r));
	else if (r == 0) {
		if (ag.verbose)
			logf_("announced %s: schedule complete", ag.jobs[i].what);
		drop_job(i);
	}
}

