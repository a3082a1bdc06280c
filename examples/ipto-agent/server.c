/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto-agent listen, the server side: the connections, the admission of
 * peers (allow-list, limits, request rate), the listening address and the
 * event loop (cmd_listen). What a request asks for is operations.c's.
 */
#include "agent.h"

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
void reply(struct conn *c, int err, const char *fmt, ...)
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

int cmd_listen(const struct listen_opts *o)
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

