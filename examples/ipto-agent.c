/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto-agent - the patent's takeover flow over the management network, on
 * libipto's public API.
 *
 *   standby:      ipto-agent listen --config FILE --standby NAME \
 *                                   --address ADDR:PORT
 *   failing node: ipto-agent instruct ADDR:PORT takeover NODE [IP]
 *                 ipto-agent instruct ADDR:PORT release NODE
 *                 ipto-agent instruct ADDR:PORT ping
 *
 * The failing active node picks its addresses one at a time, tells the
 * standby to take each over, waits for the standby's reply, and only then
 * brings the address down (figures 3 and 5 of the patent). The standby
 * binds the address to a takeover adapter of its own, keeping that
 * adapter's MAC, and announces it. The standby's agent is an event loop: it
 * polls its TCP socket, its client connections and the timerfd of every
 * takeover still announcing (ipto_takeover_get_fd()), and calls
 * ipto_takeover_dispatch() when one is due, so it answers the next
 * instruction while earlier announcement rounds are still going.
 *
 * Protocol (TCP, text, one line per message, at most 512 bytes with the
 * "\n"; a "\r" before the "\n" is ignored; words separated by spaces):
 *
 *   request                  reply (exactly one per request, in order)
 *   takeover NODE [IP]       ok 0 TEXT         the address(es) serve here
 *   release NODE             error ERRNO TEXT  ERRNO: positive errno value
 *   ping
 *
 * "takeover NODE" without IP takes over every address of NODE at once (all
 * or nothing). An instruction that is repeated (say, after a lost reply)
 * is harmless: what is already bound stays and is announced again. The
 * first instruction for a node plans the whole node and reserves its
 * adapters, so a second failing node is planned onto what is still free.
 * A connection may carry several requests; it is closed after 60 s without
 * one, or after a line that is too long.
 *
 * The failing node must reach the standby from an address it keeps (a
 * management address, best on its own subnet): once the standby holds an
 * address, the standby's replies to that address stay on the standby.
 * instruct refuses to hand over the address it is talking from.
 *
 * Exit status of instruct: 0 the standby replied ok; 1 it replied an
 * error; 2 bad command line; 3 no usable reply (cannot connect, timeout,
 * connection closed, malformed reply). listen runs until SIGINT or SIGTERM
 * and exits 0; addresses it took over stay bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ipto/ipto.h>

#include "cluster-config.h"

#define EXIT_USAGE 2
#define EXIT_NOREPLY 3
#define MAX_LINE 512
#define MAX_CONNS 16
#define MAX_JOBS 64
#define IDLE_MS 60000

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
"Usage: ipto-agent listen --config FILE --standby NAME --address ADDR:PORT [-v]\n"
"       ipto-agent instruct ADDR:PORT takeover NODE [IP] [--timeout MS]\n"
"       ipto-agent instruct ADDR:PORT release NODE [--timeout MS]\n"
"       ipto-agent instruct ADDR:PORT ping [--timeout MS]\n"
"\n"
"listen    run on the standby: take over what the active nodes instruct,\n"
"          on the takeover adapters of standby NAME in the cluster FILE\n"
"          (the format of ipto(1)); ADDR is on the management adapter\n"
"instruct  run on a failing active node: send one instruction, wait for\n"
"          the reply, print it; exit 0 ok, 1 error reply, 3 no reply\n"
"\n"
"  -c, --config FILE    the cluster description\n"
"  -s, --standby NAME   this standby's name in it\n"
"  -l, --address A:P    listen here (IPv6: [ADDR]:PORT)\n"
"  -t, --timeout MS     instruct: give up after MS ms (default 10000)\n"
"  -v, --verbose        more messages\n"
"  -h, --help           this text\n",
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

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A word of the protocol: printable, no spaces. */
static bool protocol_word(const char *s)
{
	if (!*s || strlen(s) > 255)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

/* ================================================================== */
/* listen: the standby                                                 */
/* ================================================================== */

struct node_state {
	char *name;
	struct ipto_plan *plan;  /* the committed whole-node plan */
};

/* A takeover whose announcement schedule is still running. */
struct job {
	struct ipto_takeover *t;
	char node[256];
	char what[128];
};

struct conn {
	int fd;
	char buf[MAX_LINE];
	size_t len;
	int64_t last;
};

static struct agent {
	struct ipto_ctx *ctx;
	struct cluster *cluster;
	const char *standby;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	struct node_state *nodes;
	size_t n_nodes;
	struct job jobs[MAX_JOBS];
	size_t n_jobs;
	struct conn conns[MAX_CONNS];
	size_t n_conns;
	int verbose;
} ag;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	fputs("ipto-agent: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static struct node_state *node_state(const char *name)
{
	struct node_state *n;
	size_t i;

	for (i = 0; i < ag.n_nodes; i++)
		if (strcmp(ag.nodes[i].name, name) == 0)
			return &ag.nodes[i];
	n = realloc(ag.nodes, (ag.n_nodes + 1) * sizeof(*n));
	if (!n)
		return NULL;
	ag.nodes = n;
	n = &ag.nodes[ag.n_nodes];
	n->name = strdup(name);
	n->plan = NULL;
	if (!n->name)
		return NULL;
	ag.n_nodes++;
	return n;
}

/* Writes one reply: "ok 0 TEXT" or "error ERRNO TEXT" (@err <= 0). */
static void reply(struct conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reply(struct conn *c, int err, const char *fmt, ...)
{
	char line[MAX_LINE], text[MAX_LINE - 24];
	va_list ap;
	size_t off = 0, len;
	char *p;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	snprintf(line, sizeof(line) - 1, "%s %d %s", err ? "error" : "ok", -err, text);
	len = strlen(line);
	line[len++] = '\n';
	if (ag.verbose)
		logf_("-> %.*s", (int)len - 1, line);
	while (off < len) {
		ssize_t w = send(c->fd, line + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the peer went away; it will retry */
		off += (size_t)w;
	}
}

static void add_job(struct ipto_takeover *t, const char *node, const char *what)
{
	struct job *j;

	if (ag.n_jobs == MAX_JOBS) {
		/* Cannot track it: its later rounds are dropped, the binding
		 * stays. */
		logf_("too many takeovers announcing; %s gets one round only", what);
		ipto_takeover_unref(t);
		return;
	}
	j = &ag.jobs[ag.n_jobs++];
	j->t = t;
	snprintf(j->node, sizeof(j->node), "%s", node);
	snprintf(j->what, sizeof(j->what), "%s", what);
}

static void drop_job(size_t i)
{
	ipto_takeover_unref(ag.jobs[i].t);
	ag.jobs[i] = ag.jobs[--ag.n_jobs];
}

/* A one-step plan for @step alone: a pool with just its address and its
 * adapter gives exactly that placement. */
static int single_step_plan(const char *node, const struct ipto_plan_step *step,
			    struct ipto_plan **ret)
{
	const char *nodes[1] = { node };
	struct ipto_pool *pool = NULL;
	int r;

	if (step->flags & IPTO_PLAN_STEP_MACVLAN) {
		/* A virtual adapter is known to the description only (its
		 * parent and index): an explicit move in the cluster's pool. */
		struct ipto_plan_move m = { .standby = step->standby,
					    .ifname = step->ifname, .ip = step->ip };

		(void)nodes;
		return ipto_plan_new_moves(cluster_pool(ag.cluster), IPTO_PLAN_BIND,
					   &m, 1, ret);
	}
	r = ipto_pool_new(ag.ctx, &pool);
	if (r == 0)
		r = ipto_pool_add_node(pool, node);
	if (r == 0)
		r = ipto_pool_add_node_ip(pool, node, &step->ip);
	if (r == 0)
		r = ipto_pool_add_standby(pool, step->standby);
	if (r == 0)
		r = ipto_pool_add_adapter(pool, step->standby, step->ifname, &step->mac,
					  step->flags & IPTO_PLAN_STEP_MANAGEMENT ?
					  IPTO_ADAPTER_MANAGEMENT : 0);
	if (r == 0)
		r = ipto_plan_takeover(pool, nodes, 1, NULL, ret);
	ipto_pool_unref(pool);
	return r;
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
		add_job(t, node, done);
	else
		ipto_takeover_unref(t);
	return 0;
}

static void do_takeover(struct conn *c, const char *node, const char *ip_text)
{
	const char *nodes[1] = { node };
	struct node_state *st;
	struct ipto_plan *one = NULL;
	struct ipto_addr ip;
	char done[400], why[400];
	size_t i, n;
	int r;

	if (!cluster_is_node(ag.cluster, node))
		return reply(c, -ENOENT, "no active node '%s' in the cluster description",
			     node);
	if (ip_text && ipto_addr_parse(ip_text, &ip) < 0)
		return reply(c, -EINVAL, "'%s' is not an IP address", ip_text);
	st = node_state(node);
	if (!st)
		return reply(c, -ENOMEM, "out of memory");
	if (!st->plan) {
		struct ipto_plan *plan = NULL;

		diag_reset();
		r = ipto_plan_takeover(cluster_pool(ag.cluster), nodes, 1, NULL, &plan);
		if (r < 0)
			return reply(c, r, "cannot plan the takeover of %s: %s", node,
				     diag_why(r));
		n = ipto_plan_get_step_count(plan);
		for (i = 0; i < n; i++) {
			struct ipto_plan_step s = { .sz = sizeof(s) };

			if (ipto_plan_get_step(plan, i, &s) == 0 &&
			    strcmp(s.standby, ag.standby) != 0) {
				reply(c, -EXDEV, "the plan puts %s on standby %s, not %s",
				      node, s.standby, ag.standby);
				ipto_plan_unref(plan);
				return;
			}
		}
		diag_reset();
		r = ipto_pool_commit(cluster_pool(ag.cluster), plan);
		if (r < 0) {
			ipto_plan_unref(plan);
			return reply(c, r, "cannot reserve adapters for %s: %s", node,
				     diag_why(r));
		}
		st->plan = plan;
		if (ag.verbose)
			logf_("planned %s: %zu address(es), adapters reserved", node, n);
	}
	if (ip_text) {
		n = ipto_plan_get_step_count(st->plan);
		for (i = 0; i < n; i++) {
			struct ipto_plan_step s = { .sz = sizeof(s) };

			if (ipto_plan_get_step(st->plan, i, &s) == 0 &&
			    ipto_addr_equal(&s.ip, &ip)) {
				diag_reset();
				r = single_step_plan(node, &s, &one);
				if (r < 0)
					return reply(c, r, "cannot plan %s alone: %s",
						     ip_text, diag_why(r));
				break;
			}
		}
		if (!one)
			return reply(c, -ENOENT, "%s is not an address of %s", ip_text,
				     node);
	}
	r = run(one ? one : st->plan, node, true, done, sizeof(done), why, sizeof(why));
	ipto_plan_unref(one);
	if (r < 0) {
		logf_("takeover %s%s%s failed, nothing changed: %s", node,
		      ip_text ? " " : "", ip_text ? ip_text : "", why);
		return reply(c, r, "takeover failed and was undone: %s", why);
	}
	logf_("took over %s: %s", node, done);
	reply(c, 0, "%s", done);
}

static void do_release(struct conn *c, const char *node)
{
	const char *nodes[1] = { node };
	struct node_state *st;
	struct ipto_plan *plan = NULL;
	char done[400], why[400];
	size_t i;
	int r;

	if (!cluster_is_node(ag.cluster, node))
		return reply(c, -ENOENT, "no active node '%s' in the cluster description",
			     node);
	st = node_state(node);
	if (!st)
		return reply(c, -ENOMEM, "out of memory");
	if (!st->plan)
		return reply(c, -EALREADY, "%s is not taken over here", node);
	/* Its schedules must not announce addresses we are giving back. */
	for (i = ag.n_jobs; i-- > 0;)
		if (strcmp(ag.jobs[i].node, node) == 0)
			drop_job(i);
	diag_reset();
	r = ipto_plan_release(cluster_pool(ag.cluster), nodes, 1, &plan);
	if (r < 0)
		return reply(c, r, "cannot plan the release of %s: %s", node,
			     diag_why(r));
	r = run(plan, node, false, done, sizeof(done), why, sizeof(why));
	if (r == 0) {
		diag_reset();
		r = ipto_pool_commit(cluster_pool(ag.cluster), plan);
		if (r < 0)
			snprintf(why, sizeof(why), "%s", diag_why(r));
	}
	ipto_plan_unref(plan);
	if (r < 0) {
		logf_("release %s failed: %s", node, why);
		return reply(c, r, "release failed: %s", why);
	}
	st->plan = ipto_plan_unref(st->plan);
	logf_("released %s: %s", node, done);
	reply(c, 0, "released %s", done);
}

/* One request line (without the newline). */
static void request(struct conn *c, char *line)
{
	char *w[4], *save = NULL, *t;
	size_t n = 0;

	if (ag.verbose)
		logf_("<- %s", line);
	for (t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 4)
			return reply(c, -E2BIG, "too many words");
		w[n++] = t;
	}
	if (n == 0)
		return reply(c, -EINVAL, "empty request (takeover, release, ping)");
	if (strcmp(w[0], "takeover") == 0 && (n == 2 || n == 3))
		return do_takeover(c, w[1], n == 3 ? w[2] : NULL);
	if (strcmp(w[0], "release") == 0 && n == 2)
		return do_release(c, w[1]);
	if (strcmp(w[0], "ping") == 0 && n == 1)
		return reply(c, 0, "standby %s is listening", ag.standby);
	reply(c, -EINVAL, "bad request '%s' (takeover NODE [IP], release NODE, ping)",
	      w[0]);
}

static void close_conn(size_t i)
{
	close(ag.conns[i].fd);
	ag.conns[i] = ag.conns[--ag.n_conns];
}

/* Reads what is there; handles every complete line. Returns false to close. */
static bool conn_readable(struct conn *c)
{
	ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	char *nl;

	if (r < 0)
		return errno == EINTR || errno == EAGAIN;
	if (r == 0)
		return false;
	c->len += (size_t)r;
	c->last = now_ms();
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t used = (size_t)(nl - c->buf) + 1, llen = used - 1;

		if (llen && c->buf[llen - 1] == '\r')
			llen--;
		c->buf[llen] = '\0';
		if (strlen(c->buf) != llen)
			reply(c, -EINVAL, "NUL byte in request");
		else
			request(c, c->buf);
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
	if (c->len == sizeof(c->buf)) {
		reply(c, -EMSGSIZE, "line longer than %d bytes", MAX_LINE - 1);
		return false;
	}
	return true;
}

static void accept_conn(int lfd)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (ag.n_conns == MAX_CONNS) {
		struct conn tmp = { .fd = fd };

		reply(&tmp, -EBUSY, "too many connections");
		close(fd);
		return;
	}
	/* Replies are tiny; never let a stuck peer block the loop long. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ag.conns[ag.n_conns] = (struct conn){ .fd = fd, .last = now_ms() };
	ag.n_conns++;
}

static int listen_on(const char *address)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (parse_endpoint(address, &ss, &len) < 0)
		die_usage("--address: '%s' is not ADDR:PORT or [ADDR]:PORT", address);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fprintf(stderr, "ipto-agent: socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		fprintf(stderr, "ipto-agent: --address %s: %s\n", address, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void on_job_due(size_t i)
{
	int r = ipto_takeover_dispatch(ag.jobs[i].t);

	if (r < 0)
		logf_("announcing %s: a round failed (the addresses stay bound): %s",
		      ag.jobs[i].what, ipto_strerror(r));
	else if (r == 0) {
		if (ag.verbose)
			logf_("announced %s: schedule complete", ag.jobs[i].what);
		drop_job(i);
	}
}

static int cmd_listen(const char *config, const char *standby, const char *address)
{
	struct pollfd pfd[2 + MAX_CONNS + MAX_JOBS];
	char err[1024];
	sigset_t mask;
	int sfd, lfd, r, status = EXIT_FAILURE;
	bool stop = false;
	size_t i;

	if (!config || !standby || !address)
		die_usage("listen: --config, --standby and --address are required");
	r = ipto_ctx_new(&ag.ctx);
	if (r < 0) {
		fprintf(stderr, "ipto-agent: %s\n", ipto_strerror(r));
		return EXIT_FAILURE;
	}
	diag_setup(ag.ctx, "ipto-agent", ag.verbose);
	ag.standby = standby;
	r = cluster_new(ag.ctx, &ag.cluster);
	if (r == 0 && cluster_load_file(ag.cluster, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipto-agent: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	if (r == 0 && !cluster_is_standby(ag.cluster, standby)) {
		fprintf(stderr, "ipto-agent: --standby: no standby '%s' in %s\n", standby,
			config);
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
	if (cluster_resolve_macs(ag.cluster, ag.binder, standby, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipto-agent: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	lfd = listen_on(address);
	if (sfd < 0 || lfd < 0)
		goto out;
	logf_("standby %s listening on %s", standby, address);

	while (!stop) {
		size_t nfds = 0, first_conn, first_job;
		int64_t now;

		pfd[nfds++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[nfds++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		first_conn = nfds;
		for (i = 0; i < ag.n_conns; i++)
			pfd[nfds++] = (struct pollfd){ .fd = ag.conns[i].fd, .events = POLLIN };
		first_job = nfds;
		for (i = 0; i < ag.n_jobs; i++)
			pfd[nfds++] = (struct pollfd){ .fd = ipto_takeover_get_fd(ag.jobs[i].t),
						       .events = POLLIN };
		r = poll(pfd, nfds, 1000);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "ipto-agent: poll: %s\n", strerror(errno));
			break;
		}
		if (r <= 0)
			goto idle;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				stop = true;
		}
		/* Jobs first (their slots move when one ends: walk backwards). */
		for (i = ag.n_jobs; i-- > 0;)
			if (pfd[first_job + i].revents)
				on_job_due(i);
		for (i = ag.n_conns; i-- > 0;)
			if (pfd[first_conn + i].revents && !conn_readable(&ag.conns[i]))
				close_conn(i);
		if (pfd[1].revents & POLLIN)
			accept_conn(lfd);
idle:
		now = now_ms();
		for (i = ag.n_conns; i-- > 0;)
			if (now - ag.conns[i].last > IDLE_MS)
				close_conn(i);
	}
	logf_("stopping; the addresses taken over stay bound");
	status = EXIT_SUCCESS;
	close(lfd);
	close(sfd);
out:
	while (ag.n_conns)
		close_conn(0);
	while (ag.n_jobs)
		drop_job(0);
	for (i = 0; i < ag.n_nodes; i++) {
		ipto_plan_unref(ag.nodes[i].plan);
		free(ag.nodes[i].name);
	}
	free(ag.nodes);
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

static int cmd_instruct(const char *address, char **words, int n, unsigned int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char line[MAX_LINE + 1], reply_buf[MAX_LINE + 1], *text, *end;
	size_t off = 0, got = 0;
	int64_t deadline = now_ms() + timeout_ms;
	int fd, r, soerr = 0, i;
	long code;

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
	for (i = 0; i < n; i++) {
		if (!protocol_word(words[i]))
			die_usage("instruct: '%s' is not a valid word (printable, "
				  "no spaces, at most 255 bytes)", words[i]);
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s",
					i ? " " : "", words[i]);
		if (off >= MAX_LINE - 1)
			die_usage("instruct: the request is too long");
	}
	line[off++] = '\n';

	signal(SIGPIPE, SIG_IGN);
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
		if (strchr(reply_buf, '\n'))
			break;
		if (got == sizeof(reply_buf) - 1) {
			close(fd);
			return noreply(address, "reply", -EMSGSIZE);
		}
	}
	close(fd);
	reply_buf[strcspn(reply_buf, "\r\n")] = '\0';
	/* "ok 0 TEXT" or "error ERRNO TEXT" */
	text = strchr(reply_buf, ' ');
	if (text) {
		errno = 0;
		code = strtol(text + 1, &end, 10);
		if (errno || end == text + 1 || (*end && *end != ' '))
			text = NULL;
		else
			text = *end ? end + 1 : end;
	}
	if (text && strncmp(reply_buf, "ok ", 3) == 0 && code == 0) {
		printf("%s\n", text);
		return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (text && strncmp(reply_buf, "error ", 6) == 0 && code > 0) {
		fprintf(stderr, "ipto-agent: standby at %s refused %s: %s (errno %ld, %s)\n",
			address, words[0], text, code, strerror((int)code));
		return EXIT_FAILURE;
	}
	fprintf(stderr, "ipto-agent: %s: malformed reply '%s'\n", address, reply_buf);
	return EXIT_NOREPLY;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "standby", required_argument, NULL, 's' },
		{ "address", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *standby = NULL, *address = NULL;
	unsigned int timeout_ms = 10000;
	bool seen_listen_opt = false, seen_timeout = false;
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:s:l:t:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; seen_listen_opt = true; break;
		case 's': standby = optarg; seen_listen_opt = true; break;
		case 'l': address = optarg; seen_listen_opt = true; break;
		case 't':
			errno = 0;
			timeout_ms = (unsigned int)strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-' ||
			    timeout_ms < 1 || timeout_ms > 3600000)
				die_usage("--timeout: '%s' is not a number from 1 to 3600000",
					  optarg);
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
		die_usage("no command given (listen, instruct)");
	if (strcmp(argv[optind], "listen") == 0) {
		if (seen_timeout)
			die_usage("--timeout: not an option of 'listen'");
		if (optind + 1 < argc)
			die_usage("listen: unexpected argument '%s'", argv[optind + 1]);
		return cmd_listen(config, standby, address);
	}
	if (strcmp(argv[optind], "instruct") == 0) {
		if (seen_listen_opt)
			die_usage("instruct: --config, --standby and --address belong to listen");
		if (optind + 1 >= argc)
			die_usage("instruct: ADDR:PORT is required");
		return cmd_instruct(argv[optind + 1], argv + optind + 2,
				    argc - optind - 2, timeout_ms);
	}
	die_usage("unknown command '%s' (listen, instruct)", argv[optind]);
}
