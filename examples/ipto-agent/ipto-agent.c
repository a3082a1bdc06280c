/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto-agent - the patent's takeover flow over the management network, on
 * libipto's public API, authenticated and hardened against a hostile host
 * on the management LAN (doc/agent.md, ipto-agent(8)).
 *
 *   standby:      ipto-agent listen --key FILE --config FILE --standby NAME \
 *                                   --address ADDR:PORT [--allow PREFIX]...
 *   failing node: ipto-agent instruct --key FILE ADDR:PORT takeover NODE [IP]
 *                 ipto-agent instruct --key FILE ADDR:PORT release NODE
 *                 ipto-agent instruct --key FILE ADDR:PORT ping
 *   either:       ipto-agent keygen FILE
 *
 * The failing active node picks its addresses one at a time, tells the
 * standby to take each over, waits for the standby's reply, and only then
 * brings the address down (figures 3 and 5 of the patent). The standby
 * binds the address to a takeover adapter of its own, keeping that
 * adapter's MAC, and announces it. The standby's agent is an event loop
 * (epoll): its TCP socket, its client connections and the timerfd of every
 * takeover still announcing (ipto_takeover_get_fd()); it calls
 * ipto_takeover_dispatch() when one is due, so it answers the next
 * instruction while earlier announcement rounds are still going.
 *
 * The wire protocol (agent-proto.h): every request carries a timestamp, a
 * nonce and an HMAC-SHA-256 tag over the whole line; every reply to an
 * authenticated request carries a tag over the request's nonce and the
 * reply; everything refused gets the one line "denied".
 *
 *   instruction              reply body
 *   takeover NODE [IP]       ok 0 TEXT         the address(es) serve here
 *   release NODE             error ERRNO TEXT  ERRNO: positive errno value
 *   ping
 *
 * "takeover NODE" without IP takes over every address of NODE at once (all
 * or nothing). An instruction that is repeated (say, after a lost reply,
 * with a fresh nonce) is harmless: what is already bound stays and is
 * announced again.
 *
 * The kernel is the record (doc/record.md): the agent keeps no memory of
 * what it took over. Each takeover and release takes the host's lock
 * without waiting (a busy reply, EBUSY, that instruct retries until its
 * deadline: the loop never blocks), reads the description afresh and
 * loads what this standby holds from the kernel, then plans on that: a
 * release removes exactly the marked addresses whoever added them (ipto,
 * this agent, another), and a takeover lands only on adapters no other
 * node's address holds.
 *
 * Abuse: a peer outside the --allow list is refused at accept; each peer
 * holds at most --per-peer connections; each connection lives at most
 * --conn-timeout ms from its accept whatever it sends, carries at most
 * MAX_REQUESTS requests, and may have at most OUT_MAX bytes of replies
 * unread; when --max-conns are open, a new one pushes out the oldest.
 * Replies never block the loop.
 *
 * The failing node must reach the standby from an address it keeps (a
 * management address, best on its own subnet): once the standby holds an
 * address, the standby's replies to that address stay on the standby.
 * instruct refuses to hand over the address it is talking from, and listen
 * refuses to bind a wildcard or an address the pool could take over.
 *
 * Exit status of instruct: 0 the standby replied ok; 1 it replied an
 * error; 2 bad command line or key file; 3 no usable reply (cannot connect,
 * timeout, connection closed, malformed or unauthenticated reply); 4 the
 * standby denied the request (key, clock, allow-list, limits). listen runs
 * until SIGINT or SIGTERM and exits 0; addresses it took over stay bound.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ipto/ipto.h>

#include "agent-proto.h"
#include "cluster-config.h"

#define EXIT_USAGE 2
#define EXIT_NOREPLY 3
#define EXIT_DENIED 4
#define MAX_JOBS 64
#define MAX_ALLOW 64
#define MAX_REQUESTS 64         /* per connection */
#define OUT_MAX 4096            /* unread reply bytes per connection */
#define ACCEPT_BATCH 64         /* accepts per loop turn */
#define LOG_BURST 20            /* refusals logged per second and reason */
#define MAX_PEERS 1024          /* peers whose request rate is tracked */
#define MAX_REASONS 16          /* refusal reasons counted apart */

static void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ipto-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see ipto-agent --help)\n", stderr);
	exit(EXIT_USAGE);
}

static void usage(FILE *out)
{
	fputs(
"Usage: ipto-agent listen --key FILE --config FILE --standby NAME --address ADDR:PORT\n"
"                         [--allow PREFIX]... [--window S] [--conn-timeout MS]\n"
"                         [--max-conns N] [--per-peer N] [--rate N]\n"
"                         [--allow-unsafe-address] [-v]\n"
"       ipto-agent instruct --key FILE ADDR:PORT takeover NODE [IP] [--timeout MS]\n"
"       ipto-agent instruct --key FILE ADDR:PORT release NODE [--timeout MS]\n"
"       ipto-agent instruct --key FILE ADDR:PORT ping [--timeout MS]\n"
"       ipto-agent keygen FILE\n"
"\n"
"listen    run on the standby: take over what the active nodes instruct,\n"
"          on the takeover adapters of standby NAME in the cluster FILE\n"
"          (the format of ipto(1)); ADDR is on the management adapter\n"
"instruct  run on a failing active node: send one instruction, wait for\n"
"          the reply, print it; exit 0 ok, 1 error reply, 3 no reply,\n"
"          4 denied\n"
"keygen    write a new random key to FILE (mode 0600; FILE must not exist)\n"
"\n"
"  -k, --key FILE            the shared secret (owner only, mode 0600)\n"
"  -c, --config FILE         the cluster description\n"
"  -s, --standby NAME        this standby's name in it\n"
"  -l, --address A:P         listen here (IPv6: [ADDR]:PORT)\n"
"  -a, --allow PREFIX        accept peers in PREFIX only (repeatable)\n"
"  -w, --window S            refuse requests older or newer than S s (default 30)\n"
"      --conn-timeout MS     close every connection MS ms after its accept\n"
"                            (default 5000)\n"
"      --max-conns N         connections open at once (default 1024)\n"
"      --per-peer N          connections open at once per peer (default 8)\n"
"      --rate N              requests a second per peer, bursts of 10 s\n"
"                            worth (default 100)\n"
"      --allow-unsafe-address  bind a wildcard or a pool address anyway\n"
"  -t, --timeout MS          instruct: give up after MS ms (default 10000)\n"
"  -v, --verbose             more messages\n"
"  -h, --help                this text\n",
	      out);
}

/* Resolves "ADDR:PORT" or "[ADDR]:PORT" (numeric only). */
static int parse_endpoint(const char *text, struct sockaddr_storage *ss,
			  socklen_t *len)
{
	char host[128], *port;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char *end;
	long p;

	if (strlen(text) >= sizeof(host))
		return -EINVAL;
	strcpy(host, text);
	port = strrchr(host, ':');
	if (!port || port == host)
		return -EINVAL;
	*port++ = '\0';
	p = strtol(port, &end, 10);
	if (!*port || *end || p < 1 || p > 65535)
		return -EINVAL;
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = '\0';
		memmove(host, host + 1, n - 1);
	} else if (strchr(host, ':')) {
		return -EINVAL; /* IPv6 needs brackets */
	}
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		return -EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* The address of @sa as an ipto_addr (full prefix) and as text. */
static int sockaddr_to_addr(const struct sockaddr_storage *ss, struct ipto_addr *a,
			    char *text, size_t textlen)
{
	char host[INET6_ADDRSTRLEN];

	if (getnameinfo((const struct sockaddr *)ss,
			ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
						   sizeof(struct sockaddr_in6),
			host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		return -EINVAL;
	if (text)
		snprintf(text, textlen, "%s", host);
	return ipto_addr_parse(host, a);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ================================================================== */
/* listen: the standby                                                 */
/* ================================================================== */

/* A takeover whose announcement schedule is still running. */
struct job {
	struct ipto_takeover *t;
	struct ipto_plan *plan;  /* what it bound, checked before each round */
	char node[256];
	char what[128];
};

struct conn {
	int fd;
	struct ipto_addr peer;
	char peer_text[INET6_ADDRSTRLEN];
	char in[AGENT_MAX_LINE];
	size_t in_len;
	char out[OUT_MAX];
	size_t out_len;
	int64_t deadline;       /* absolute: accept + --conn-timeout */
	unsigned int requests;
	bool closing;           /* refused or done: flush, then close */
	bool dead;              /* close at the end of this event */
	bool want_out;          /* EPOLLOUT registered */
	const char *nonce_hex;  /* of the request being answered */
};

enum { EV_SIGNAL = 1, EV_LISTEN, EV_CONN, EV_JOB };
#define EV(kind, idx) (((uint64_t)(kind) << 32) | (uint32_t)(idx))

static struct agent {
	struct ipto_ctx *ctx;
	struct cluster *cluster;
	const char *standby;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	const char *config;     /* read afresh for each takeover / release */
	struct job jobs[MAX_JOBS];
	size_t n_jobs;
	struct conn **conns;    /* slots; NULL is free */
	size_t max_conns, n_conns;
	int per_peer;
	int64_t conn_timeout_ms;
	struct ipto_addr allow[MAX_ALLOW];
	size_t n_allow;
	struct agent_key key;
	struct agent_replay *replay;
	/* per-peer request rate: a token bucket each, --rate a second,
	 * bursts of 10 s worth */
	struct peer_rate {
		struct ipto_addr addr;
		double tokens;
		int64_t last;
	} peers[MAX_PEERS];
	size_t n_peers;
	double rate;
	int epfd;
	int verbose;
	/* refusal log limiter: the reasons seen in this second */
	int64_t log_window;
	struct reason {
		const char *why;        /* a string constant: compared by address */
		unsigned int logged, suppressed;
	} reasons[MAX_REASONS];
	size_t n_reasons;
} ag;

/* Every log line is escaped: node names, peers' bytes, library text. */
static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char raw[1024], esc[4 * sizeof(raw)];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	agent_escape(raw, strnlen(raw, sizeof(raw)), esc, sizeof(esc));
	printf("ipto-agent: %s\n", esc);
	fflush(stdout);
}

/* A refusal: logged, at most LOG_BURST a second for each reason, then
 * counted (so one kind of flood neither fills the log nor hides another). */
static void refusal(const char *peer, const char *why, const void *bytes, size_t len)
{
	char esc[200];
	int64_t now = now_ms();
	size_t i;

	if (now - ag.log_window >= 1000) {
		for (i = 0; i < ag.n_reasons; i++)
			if (ag.reasons[i].suppressed)
				logf_("denied %u more: %s (in the last second; not logged "
				      "one by one)", ag.reasons[i].suppressed,
				      ag.reasons[i].why);
		ag.log_window = now;
		ag.n_reasons = 0;
	}
	for (i = 0; i < ag.n_reasons && ag.reasons[i].why != why; i++)
		;
	if (i == ag.n_reasons && i < MAX_REASONS)
		ag.reasons[ag.n_reasons++] = (struct reason){ .why = why };
	if (i < ag.n_reasons && ag.reasons[i].logged++ >= LOG_BURST) {
		ag.reasons[i].suppressed++;
		return;
	}
	if (bytes) {
		agent_escape(bytes, len > 120 ? 120 : len, esc, sizeof(esc));
		logf_("denied %s: %s: '%s%s'", peer, why, esc, len > 120 ? "..." : "");
	} else {
		logf_("denied %s: %s", peer, why);
	}
}

/* ---- connections ---------------------------------------------------- */

static void conn_update_events(struct conn *c, size_t idx)
{
	struct epoll_event ev = { .events = (c->closing ? 0 : EPOLLIN) |
					    (c->out_len ? EPOLLOUT : 0),
				  .data.u64 = EV(EV_CONN, idx) };
	bool want = c->out_len != 0;

	if (want == c->want_out && !c->closing)
		return;
	c->want_out = want;
	epoll_ctl(ag.epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Sends what is queued without blocking; marks the connection dead on an
 * error or when it was closing and everything went out. */
static void conn_flush(struct conn *c)
{
	while (c->out_len) {
		ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w <= 0) {
			c->dead = true;
			return;
		}
		memmove(c->out, c->out + w, c->out_len - (size_t)w);
		c->out_len -= (size_t)w;
	}
	if (c->closing)
		c->dead = true;
}

/* Queues @len bytes; a peer that lets OUT_MAX bytes pile up is closed. */
static void conn_queue(struct conn *c, const char *data, size_t len)
{
	if (c->dead)
		return;
	if (c->out_len + len > sizeof(c->out)) {
		refusal(c->peer_text, "does not read its replies (output limit)", NULL, 0);
		c->dead = true;
		return;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	conn_flush(c);
}

static void deny(struct conn *c, const char *why, const void *bytes, size_t len)
{
	refusal(c->peer_text, why, bytes, len);
	conn_queue(c, "denied\n", 7);
	c->closing = true;
	conn_flush(c);
}

/* Writes one authenticated reply: "ok 0 TEXT" or "error ERRNO TEXT" (@err <= 0). */
static void reply(struct conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reply(struct conn *c, int err, const char *fmt, ...)
{
	char text[AGENT_MAX_LINE], line[AGENT_MAX_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = agent_reply_build(&ag.key, c->nonce_hex, err, text, line, sizeof(line));
	if (n < 0)
		return;
	if (ag.verbose)
		logf_("-> %s: %.*s", c->peer_text, n - 1 - 2 * AGENT_TAG_LEN - 1, line);
	conn_queue(c, line, (size_t)n);
}


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

static void drop_job(size_t i)
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
static void instruction(struct conn *c, char **w, size_t n)
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

/* Takes one request from @peer's bucket; false when it is empty. */
static bool rate_ok(const struct ipto_addr *peer)
{
	int64_t now = now_ms();
	struct peer_rate *p = NULL;
	size_t i, lru = 0;

	for (i = 0; i < ag.n_peers; i++) {
		if (ipto_addr_equal(&ag.peers[i].addr, peer)) {
			p = &ag.peers[i];
			break;
		}
		if (ag.peers[i].last < ag.peers[lru].last)
			lru = i;
	}
	if (!p) {
		p = ag.n_peers < MAX_PEERS ? &ag.peers[ag.n_peers++] : &ag.peers[lru];
		*p = (struct peer_rate){ .addr = *peer, .tokens = 10 * ag.rate, .last = now };
	}
	p->tokens += (double)(now - p->last) * ag.rate / 1000;
	if (p->tokens > 10 * ag.rate)
		p->tokens = 10 * ag.rate;
	p->last = now;
	if (p->tokens < 1)
		return false;
	p->tokens -= 1;
	return true;
}

/* One request line (without the newline). */
static void request(struct conn *c, char *line, size_t len)
{
	char copy[AGENT_MAX_LINE];
	struct agent_request req;
	enum agent_verdict v;

	if (!rate_ok(&c->peer))
		return deny(c, "too many requests from this peer (--rate)", NULL, 0);
	memcpy(copy, line, len);
	v = agent_request_verify(&ag.key, ag.replay, line, len, wall_ms(), &req);
	if (v != AGENT_OK)
		return deny(c, agent_verdict_name(v), copy, len);
	c->nonce_hex = req.nonce_hex;
	instruction(c, req.words, req.n_words);
	c->nonce_hex = NULL;
}

/* Reads what is there; handles every complete line. */
static void conn_readable(struct conn *c)
{
	char *nl;

	for (;;) {
		ssize_t r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
				 MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			c->dead = true;
			return;
		}
		c->in_len += (size_t)r;
		while (!c->closing && !c->dead && (nl = memchr(c->in, '\n', c->in_len))) {
			size_t used = (size_t)(nl - c->in) + 1;

			if (++c->requests > MAX_REQUESTS)
				deny(c, "too many requests on one connection", NULL, 0);
			else
				request(c, c->in, used - 1);
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
		}
		if (c->closing || c->dead)
			return;
		if (c->in_len == sizeof(c->in))
			return deny(c, "line too long", c->in, c->in_len);
	}
}

static void close_conn(size_t i)
{
	struct conn *c = ag.conns[i];

	close(c->fd);
	free(c);
	ag.conns[i] = NULL;
	ag.n_conns--;
}

static bool allowed(const struct ipto_addr *peer)
{
	size_t i;

	if (ag.n_allow == 0)
		return true;
	for (i = 0; i < ag.n_allow; i++) {
		const struct ipto_addr *p = &ag.allow[i];
		int bits = p->prefixlen, k;

		if (p->family != peer->family)
			continue;
		for (k = 0; k < bits / 8; k++)
			if (p->bytes[k] != peer->bytes[k])
				break;
		if (k < bits / 8)
			continue;
		if (bits % 8 && ((p->bytes[k] ^ peer->bytes[k]) & (0xff00 >> (bits % 8))))
			continue;
		return true;
	}
	return false;
}

/* Refuses a connection before it is one: "denied", best effort, close. */
static void refuse_fd(int fd, const char *peer, const char *why)
{
	refusal(peer, why, NULL, 0);
	(void)!send(fd, "denied\n", 7, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void accept_conns(int lfd)
{
	int k;

	for (k = 0; k < ACCEPT_BATCH; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct ipto_addr peer;
		char text[INET6_ADDRSTRLEN] = "?";
		struct epoll_event ev;
		struct conn *c;
		size_t i, slot = SIZE_MAX, oldest = SIZE_MAX;
		int fd, same = 0, sndbuf = 8192;

		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		if (sockaddr_to_addr(&ss, &peer, text, sizeof(text)) < 0) {
			refuse_fd(fd, text, "unknown peer address");
			continue;
		}
		if (!allowed(&peer)) {
			refuse_fd(fd, text, "peer not in the --allow list");
			continue;
		}
		for (i = 0; i < ag.max_conns; i++) {
			struct conn *o = ag.conns[i];

			if (!o) {
				if (slot == SIZE_MAX)
					slot = i;
				continue;
			}
			if (ipto_addr_equal(&o->peer, &peer))
				same++;
			if (oldest == SIZE_MAX || o->deadline < ag.conns[oldest]->deadline)
				oldest = i;
		}
		if (same >= ag.per_peer) {
			refuse_fd(fd, text, "too many connections from this peer (--per-peer)");
			continue;
		}
		if (slot == SIZE_MAX) {
			/* Full: the oldest goes, so a flood cannot keep a
			 * newcomer out for longer than it takes to send. */
			refusal(ag.conns[oldest]->peer_text,
				"pushed out by a newer connection (--max-conns)", NULL, 0);
			close_conn(oldest);
			slot = oldest;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		/* A small send buffer: the output limit bites early. */
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		c->fd = fd;
		c->peer = peer;
		snprintf(c->peer_text, sizeof(c->peer_text), "%s", text);
		c->deadline = now_ms() + ag.conn_timeout_ms;
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = EV(EV_CONN, slot) };
		if (epoll_ctl(ag.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		ag.conns[slot] = c;
		ag.n_conns++;
	}
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

static void on_job_due(size_t i)
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

/* ---- the listening address ------------------------------------------ */

/* Whether @a is an address of an active node in the description, that is
 * one this standby (or another) may take over. Plans each node alone. */
static int pool_address(const struct ipto_addr *a, char *node_out, size_t len)
{
	size_t i, k, n;

	for (i = 0; i < cluster_node_count(ag.cluster); i++) {
		const char *nodes[1] = { cluster_node_name(ag.cluster, i) };
		struct ipto_plan *plan = NULL;

		diag_reset();
		if (ipto_plan_new_takeover(cluster_pool(ag.cluster), nodes, 1, NULL, &plan) < 0)
			return -1;
		n = ipto_plan_get_step_count(plan);
		for (k = 0; k < n; k++) {
			struct ipto_plan_step s = { .sz = sizeof(s) };
			struct ipto_addr host;

			if (ipto_plan_get_step(plan, k, &s) < 0)
				continue;
			host = s.ip;
			host.prefixlen = a->prefixlen;
			if (ipto_addr_equal(&host, a)) {
				snprintf(node_out, len, "%s", nodes[0]);
				ipto_plan_unref(plan);
				return 1;
			}
		}
		ipto_plan_unref(plan);
	}
	return 0;
}

static int listen_on(const char *address, bool unsafe)
{
	struct sockaddr_storage ss;
	struct ipto_addr a;
	char node[256];
	socklen_t len;
	int fd, one = 1, r, backlog = (int)ag.max_conns;

	if (parse_endpoint(address, &ss, &len) < 0 ||
	    sockaddr_to_addr(&ss, &a, NULL, 0) < 0)
		die_usage("--address: '%s' is not ADDR:PORT or [ADDR]:PORT", address);
	if (!unsafe && (ipto_addr_classify(&a) & IPTO_ADDR_CLASS_UNSPECIFIED)) {
		fprintf(stderr, "ipto-agent: --address %s: a wildcard address answers on "
			"every address of the host, taken-over service addresses "
			"included; give the management address "
			"(or --allow-unsafe-address)\n", address);
		return -2;
	}
	r = unsafe ? 0 : pool_address(&a, node, sizeof(node));
	if (r < 0) {
		fprintf(stderr, "ipto-agent: --address %s: cannot check it against the "
			"pool: %s (or --allow-unsafe-address)\n", address, diag_why(-EINVAL));
		return -2;
	}
	if (r > 0) {
		fprintf(stderr, "ipto-agent: --address %s: that is an address of active "
			"node %s, one the pool can take over; give the management "
			"address (or --allow-unsafe-address)\n", address, node);
		return -2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fprintf(stderr, "ipto-agent: socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog) < 0) {
		fprintf(stderr, "ipto-agent: --address %s: %s\n", address, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Room for --max-conns descriptors: raise the soft RLIMIT_NOFILE up to the
 * hard one; with less, fewer connections. */
static void fit_nofile(void)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)ag.max_conns + MAX_JOBS + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ?
			      need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < need) {
		size_t fit = rl.rlim_cur > MAX_JOBS + 64 ? rl.rlim_cur - MAX_JOBS - 32 : 16;

		logf_("RLIMIT_NOFILE is %llu: --max-conns lowered from %zu to %zu",
		      (unsigned long long)rl.rlim_cur, ag.max_conns, fit);
		ag.max_conns = fit;
	}
}

struct listen_opts {
	const char *config, *standby, *address, *key;
	int64_t window_ms;
	bool unsafe;
};

static int cmd_listen(const struct listen_opts *o)
{
	struct epoll_event evs[64], ev;
	char err[1024];
	sigset_t mask;
	int sfd = -1, lfd = -1, r, status = EXIT_FAILURE;
	bool stop = false;
	size_t i;

	if (!o->config || !o->standby || !o->address || !o->key)
		die_usage("listen: --key, --config, --standby and --address are required");
	if (agent_key_load(o->key, &ag.key, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipto-agent: %s\n", err);
		return EXIT_USAGE;
	}
	ag.epfd = -1;
	r = ipto_ctx_new(&ag.ctx);
	if (r < 0) {
		fprintf(stderr, "ipto-agent: %s\n", ipto_strerror(r));
		return EXIT_FAILURE;
	}
	diag_setup(ag.ctx, "ipto-agent", ag.verbose);
	ag.standby = o->standby;
	ag.config = o->config;
	r = cluster_new(ag.ctx, &ag.cluster);
	if (r == 0 && cluster_load_file(ag.cluster, o->config, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipto-agent: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	if (r == 0 && !cluster_is_standby(ag.cluster, o->standby)) {
		fprintf(stderr, "ipto-agent: --standby: no standby '%s' in %s\n", o->standby,
			o->config);
		status = EXIT_USAGE;
		goto out;
	}
	if (r == 0)
		r = ipto_binder_new_netlink(ag.ctx, &ag.binder);
	if (r == 0)
		r = ipto_injector_new_packet(ag.ctx, &ag.injector);
	if (r < 0) {
		fprintf(stderr, "ipto-agent: %s\n", diag_why(r));
		goto out;
	}
	if (cluster_resolve_macs(ag.cluster, ag.binder, o->standby, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipto-agent: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	ag.replay = malloc(sizeof(*ag.replay));
	fit_nofile();
	ag.conns = calloc(ag.max_conns, sizeof(*ag.conns));
	ag.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!ag.replay || !ag.conns || ag.epfd < 0) {
		fprintf(stderr, "ipto-agent: %s\n", strerror(errno ? errno : ENOMEM));
		goto out;
	}
	/* Requests timestamped before this start may be replays of what an
	 * earlier process accepted: refused. */
	agent_replay_init(ag.replay, o->window_ms, wall_ms());
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	lfd = listen_on(o->address, o->unsafe);
	if (lfd == -2)
		status = EXIT_USAGE;
	if (sfd < 0 || lfd < 0)
		goto out;
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = EV(EV_SIGNAL, 0) };
	epoll_ctl(ag.epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = EV(EV_LISTEN, 0) };
	epoll_ctl(ag.epfd, EPOLL_CTL_ADD, lfd, &ev);
	if (ag.n_allow == 0)
		logf_("no --allow list: any peer that holds the key is served");
	logf_("standby %s listening on %s", o->standby, o->address);

	while (!stop) {
		int64_t now = now_ms(), next = now + 1000;
		int n, k;

		for (i = 0; i < ag.max_conns; i++)
			if (ag.conns[i] && ag.conns[i]->deadline < next)
				next = ag.conns[i]->deadline;
		n = epoll_wait(ag.epfd, evs, 64, next > now ? (int)(next - now) : 0);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "ipto-agent: epoll_wait: %s\n", strerror(errno));
			break;
		}
		/* Takeover timers first: announcement rounds are due now. */
		for (k = 0; k < n; k++) {
			uint32_t idx = (uint32_t)evs[k].data.u64;

			if (evs[k].data.u64 >> 32 == EV_JOB && idx < ag.n_jobs)
				on_job_due(idx);
		}
		for (k = 0; k < n; k++) {
			uint32_t kind = (uint32_t)(evs[k].data.u64 >> 32);
			uint32_t idx = (uint32_t)evs[k].data.u64;
			struct conn *c;

			if (kind == EV_SIGNAL) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == sizeof(si))
					stop = true;
			} else if (kind == EV_LISTEN) {
				accept_conns(lfd);
			} else if (kind == EV_CONN && idx < ag.max_conns &&
				   (c = ag.conns[idx])) {
				if (evs[k].events & EPOLLOUT)
					conn_flush(c);
				if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR) &&
				    !c->closing && !c->dead)
					conn_readable(c);
				if (c->closing && !c->dead && !c->out_len)
					c->dead = true;
				if (c->dead)
					close_conn(idx);
				else
					conn_update_events(c, idx);
			}
		}
		now = now_ms();
		for (i = 0; i < ag.max_conns; i++) {
			struct conn *c = ag.conns[i];

			if (c && c->deadline <= now) {
				if (!c->requests || c->in_len)
					refusal(c->peer_text, "connection deadline passed "
						"(--conn-timeout)", NULL, 0);
				close_conn(i);
			}
		}
	}
	logf_("stopping; the addresses taken over stay bound");
	status = EXIT_SUCCESS;
out:
	if (lfd >= 0)
		close(lfd);
	if (sfd >= 0)
		close(sfd);
	for (i = 0; ag.conns && i < ag.max_conns; i++)
		if (ag.conns[i])
			close_conn(i);
	while (ag.n_jobs)
		drop_job(0);
	if (ag.epfd >= 0)
		close(ag.epfd);
	free(ag.conns);
	free(ag.replay);
	ipto_injector_unref(ag.injector);
	ipto_binder_unref(ag.binder);
	cluster_free(ag.cluster);
	ipto_ctx_unref(ag.ctx);
	return status;
}

/* ================================================================== */
/* instruct: the failing active node                                   */
/* ================================================================== */

/* Waits for @events on @fd until @deadline; -ETIMEDOUT when it passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int noreply(const char *address, const char *what, int err)
{
	fprintf(stderr, "ipto-agent: %s: %s: %s\n", address, what, strerror(-err));
	return EXIT_NOREPLY;
}

static int cmd_instruct(const char *keyfile, const char *address, char **words, int n,
			unsigned int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char line[AGENT_MAX_LINE + 1], reply_buf[AGENT_MAX_LINE + 1], err[512];
	char nonce_hex[2 * AGENT_NONCE_LEN + 1], esc[4 * AGENT_MAX_LINE];
	unsigned char nonce[AGENT_NONCE_LEN];
	const char *text;
	size_t got = 0, off, rlen;
	int64_t deadline = now_ms() + timeout_ms;
	int fd, r, soerr = 0, i, busy_tries = 0;
	int64_t busy_ms = 50;
	long code;

	if (!keyfile)
		die_usage("instruct: --key FILE is required");
	if (parse_endpoint(address, &ss, &len) < 0)
		die_usage("instruct: '%s' is not ADDR:PORT or [ADDR]:PORT", address);
	if (n < 1)
		die_usage("instruct: no request (takeover NODE [IP], release NODE, ping)");
	if (strcmp(words[0], "takeover") == 0) {
		if (n < 2 || n > 3)
			die_usage("instruct: takeover NODE [IP]");
		if (n == 3) {
			struct ipto_addr a;

			if (ipto_addr_parse(words[2], &a) < 0)
				die_usage("instruct: '%s' is not an IP address", words[2]);
		}
	} else if (strcmp(words[0], "release") == 0) {
		if (n != 2)
			die_usage("instruct: release NODE");
	} else if (strcmp(words[0], "ping") == 0) {
		if (n != 1)
			die_usage("instruct: ping takes no argument");
	} else {
		die_usage("instruct: unknown request '%s' (takeover, release, ping)",
			  words[0]);
	}
	for (i = 0; i < n; i++)
		if (!agent_word_ok(words[i]))
			die_usage("instruct: '%s' is not a valid word (printable, "
				  "no spaces, at most 255 bytes)", words[i]);
	if (agent_key_load(keyfile, &ag.key, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipto-agent: %s\n", err);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
again:
	got = 0;
	if (agent_random(nonce, sizeof(nonce)) < 0) {
		fprintf(stderr, "ipto-agent: no random bytes for a nonce\n");
		return EXIT_FAILURE;
	}
	for (i = 0; i < AGENT_NONCE_LEN; i++)
		snprintf(nonce_hex + 2 * i, 3, "%02x", nonce[i]);
	r = agent_request_build(&ag.key, wall_ms(), nonce, (const char *const *)words,
				(size_t)n, line, sizeof(line));
	if (r < 0)
		die_usage("instruct: the request is too long");
	off = (size_t)r;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return noreply(address, "socket", -errno);
	r = connect(fd, (struct sockaddr *)&ss, len);
	if (r < 0 && errno != EINPROGRESS) {
		r = -errno;
		close(fd);
		return noreply(address, "connect", r);
	}
	if (r < 0) {
		socklen_t sl = sizeof(soerr);

		r = wait_fd(fd, POLLOUT, deadline);
		if (r == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr)
			r = -soerr;
		if (r < 0) {
			close(fd);
			return noreply(address, "connect", r);
		}
	}
	if (strcmp(words[0], "takeover") == 0 && n == 3) {
		/* If this host talks from the very address it hands over, the
		 * standby's reply goes to the standby itself once the address
		 * is bound there, and never comes back. */
		struct sockaddr_storage local;
		socklen_t ll = sizeof(local);
		char host[INET6_ADDRSTRLEN + 1];
		struct ipto_addr want, have;

		if (getsockname(fd, (struct sockaddr *)&local, &ll) == 0 &&
		    getnameinfo((struct sockaddr *)&local, ll, host, sizeof(host), NULL, 0,
				NI_NUMERICHOST) == 0 &&
		    ipto_addr_parse(host, &have) == 0 &&
		    ipto_addr_parse(words[2], &want) == 0 && ipto_addr_equal(&want, &have)) {
			close(fd);
			fprintf(stderr, "ipto-agent: %s: this host talks to the standby from %s, "
				"the address to take over: the reply could not come back; "
				"use a management address (another subnet) for the standby\n",
				address, host);
			return EXIT_NOREPLY;
		}
	}
	for (size_t sent = 0; sent < off;) {
		ssize_t w;

		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0) {
			close(fd);
			return noreply(address, "send", r);
		}
		w = send(fd, line + sent, off - sent, MSG_NOSIGNAL);
		if (w < 0 && errno != EINTR && errno != EAGAIN) {
			r = -errno;
			close(fd);
			return noreply(address, "send", r);
		}
		if (w > 0)
			sent += (size_t)w;
	}
	for (;;) {
		ssize_t rd;

		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0) {
			close(fd);
			return noreply(address, "no reply", r);
		}
		rd = recv(fd, reply_buf + got, sizeof(reply_buf) - 1 - got, 0);
		if (rd < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (rd <= 0) {
			close(fd);
			return noreply(address, "connection closed before a reply",
				       rd < 0 ? -errno : -ECONNRESET);
		}
		got += (size_t)rd;
		reply_buf[got] = '\0';
		if (memchr(reply_buf, '\n', got))
			break;
		if (got == sizeof(reply_buf) - 1) {
			close(fd);
			return noreply(address, "reply", -EMSGSIZE);
		}
	}
	close(fd);
	rlen = (size_t)((char *)memchr(reply_buf, '\n', got) - reply_buf);
	agent_escape(reply_buf, rlen, esc, sizeof(esc));
	r = agent_reply_verify(&ag.key, nonce_hex, reply_buf, rlen, &code, &text);
	if (r == 1) {
		fprintf(stderr, "ipto-agent: standby at %s denied the request (a wrong "
			"key, clocks further apart than its window, a peer not on its "
			"--allow list, or a limit; its log says which)\n", address);
		return EXIT_DENIED;
	}
	if (r < 0) {
		fprintf(stderr, "ipto-agent: %s: malformed or unauthenticated reply '%s'\n",
			address, esc);
		return EXIT_NOREPLY;
	}
	if (code == EBUSY) {
		/* Another takeover or release holds the standby's lock: ask
		 * again (a fresh nonce) until our own deadline. */
		int64_t left = deadline - now_ms();

		if (left > busy_ms) {
			struct timespec ts = { .tv_sec = busy_ms / 1000,
					       .tv_nsec = (busy_ms % 1000) * 1000000 };

			nanosleep(&ts, NULL);
			busy_ms = busy_ms * 2 > 1000 ? 1000 : busy_ms * 2;
			busy_tries++;
			goto again;
		}
	}
	if (busy_tries)
		fprintf(stderr, "ipto-agent: standby at %s was busy; asked %d more "
			"time(s)\n", address, busy_tries);
	agent_escape(text, strlen(text), esc, sizeof(esc));
	if (code == 0) {
		printf("%s\n", esc);
		return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	fprintf(stderr, "ipto-agent: standby at %s refused %s: %s (errno %ld, %s)\n",
		address, words[0], esc, code, strerror((int)code));
	return EXIT_FAILURE;
}

/* keygen FILE: 32 random bytes as hex, a new file, mode 0600. */
static int cmd_keygen(const char *path)
{
	unsigned char k[32];
	char hex[2 * sizeof(k) + 2];
	size_t i;
	int fd;

	if (agent_random(k, sizeof(k)) < 0) {
		fprintf(stderr, "ipto-agent: keygen: no random bytes\n");
		return EXIT_FAILURE;
	}
	for (i = 0; i < sizeof(k); i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);
	hex[2 * sizeof(k)] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		fprintf(stderr, "ipto-agent: keygen %s: %s\n", path, strerror(errno));
		return errno == EEXIST ? EXIT_USAGE : EXIT_FAILURE;
	}
	if (fchmod(fd, 0600) < 0 || write(fd, hex, 2 * sizeof(k) + 1) != 2 * sizeof(k) + 1 ||
	    close(fd) < 0) {
		fprintf(stderr, "ipto-agent: keygen %s: %s\n", path, strerror(errno));
		unlink(path);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* A whole number from @lo to @hi, or a usage error naming @opt. */
static long number(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-' || s[0] == '+' || v < lo || v > hi)
		die_usage("%s: '%s' is not a number from %ld to %ld", opt, s, lo, hi);
	return v;
}

int main(int argc, char **argv)
{
	enum { OPT_CONN_TIMEOUT = 256, OPT_MAX_CONNS, OPT_PER_PEER, OPT_UNSAFE, OPT_RATE };
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'c' },
		{ "standby", required_argument, NULL, 's' },
		{ "address", required_argument, NULL, 'l' },
		{ "allow", required_argument, NULL, 'a' },
		{ "window", required_argument, NULL, 'w' },
		{ "conn-timeout", required_argument, NULL, OPT_CONN_TIMEOUT },
		{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
		{ "per-peer", required_argument, NULL, OPT_PER_PEER },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "allow-unsafe-address", no_argument, NULL, OPT_UNSAFE },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct listen_opts lo = { .window_ms = 30000 };
	const char *key = NULL;
	unsigned int timeout_ms = 10000;
	bool seen_listen_opt = false, seen_timeout = false;
	int c;

	ag.max_conns = 1024;
	ag.per_peer = 8;
	ag.conn_timeout_ms = 5000;
	ag.rate = 100;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:c:s:l:a:w:t:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'c': lo.config = optarg; seen_listen_opt = true; break;
		case 's': lo.standby = optarg; seen_listen_opt = true; break;
		case 'l': lo.address = optarg; seen_listen_opt = true; break;
		case 'a':
			if (ag.n_allow == MAX_ALLOW)
				die_usage("--allow: at most %d prefixes", MAX_ALLOW);
			if (ipto_addr_parse(optarg, &ag.allow[ag.n_allow]) < 0)
				die_usage("--allow: '%s' is not an address or ADDR/PREFIX",
					  optarg);
			ag.n_allow++;
			seen_listen_opt = true;
			break;
		case 'w':
			lo.window_ms = number("--window", optarg, 1, 3600) * 1000;
			seen_listen_opt = true;
			break;
		case OPT_CONN_TIMEOUT:
			ag.conn_timeout_ms = number("--conn-timeout", optarg, 100, 600000);
			seen_listen_opt = true;
			break;
		case OPT_MAX_CONNS:
			ag.max_conns = (size_t)number("--max-conns", optarg, 1, 65536);
			seen_listen_opt = true;
			break;
		case OPT_PER_PEER:
			ag.per_peer = (int)number("--per-peer", optarg, 1, 65536);
			seen_listen_opt = true;
			break;
		case OPT_RATE:
			ag.rate = (double)number("--rate", optarg, 1, 100000);
			seen_listen_opt = true;
			break;
		case OPT_UNSAFE: lo.unsafe = true; seen_listen_opt = true; break;
		case 't':
			timeout_ms = (unsigned int)number("--timeout", optarg, 1, 3600000);
			seen_timeout = true;
			break;
		case 'v': ag.verbose++; break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case ':': die_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			die_usage("unknown option '%s'", optopt ? (char[]){ '-', (char)optopt, 0 }
							: argv[optind - 1]);
		}
	}
	if (optind >= argc)
		die_usage("no command given (listen, instruct, keygen)");
	if (strcmp(argv[optind], "listen") == 0) {
		if (seen_timeout)
			die_usage("--timeout: not an option of 'listen'");
		if (optind + 1 < argc)
			die_usage("listen: unexpected argument '%s'", argv[optind + 1]);
		lo.key = key;
		return cmd_listen(&lo);
	}
	if (strcmp(argv[optind], "instruct") == 0) {
		if (seen_listen_opt)
			die_usage("instruct: --config, --standby, --address, --allow, "
				  "--window and the limits belong to listen");
		if (optind + 1 >= argc)
			die_usage("instruct: ADDR:PORT is required");
		return cmd_instruct(key, argv[optind + 1], argv + optind + 2,
				    argc - optind - 2, timeout_ms);
	}
	if (strcmp(argv[optind], "keygen") == 0) {
		if (seen_listen_opt || seen_timeout || key)
			die_usage("keygen takes no option, only FILE");
		if (optind + 2 != argc)
			die_usage("keygen FILE");
		return cmd_keygen(argv[optind + 1]);
	}
	die_usage("unknown command '%s' (listen, instruct, keygen)", argv[optind]);
}
