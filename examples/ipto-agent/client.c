/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto-agent instruct and keygen, the client side: the failing active
 * node's instruction to the standby, and the key file.
 */
#include "agent.h"

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

/* The local address the kernel would send to @to from: 0, or a negative
 * errno (no route). A UDP connect: nothing goes on the wire. */
static int route_source(const struct sockaddr_storage *to, socklen_t tolen,
			struct sockaddr_storage *out, socklen_t *outlen)
{
	int fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	*outlen = sizeof(*out);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)to, tolen) < 0 ||
	    getsockname(fd, (struct sockaddr *)out, outlen) < 0)
		r = -errno;
	close(fd);
	return r;
}

static bool same_host(const struct ipto_addr *a, const struct ipto_addr *b)
{
	struct ipto_addr x = *a, y = *b;

	x.prefixlen = y.prefixlen = 0;
	return ipto_addr_equal(&x, &y);
}

static int source_refused(const char *address, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int source_refused(const char *address, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ipto-agent: %s: refused here, nothing sent: ", address);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	return EXIT_SOURCE;
}

/*
 * The address the instruction leaves from, never the one it hands over
 * (@handed, "takeover NODE IP"; NULL otherwise): once the standby holds
 * it, the standby's reply would go to its own copy and never come back,
 * and this host would keep the address too. With --source (@source) that
 * address, checked; otherwise the kernel's choice when it is not @handed,
 * else another address of this host in the same family (on the same
 * adapter first; no loopback, no IPv6 link-local). Fills @src (*src_len 0:
 * leave it to the kernel). 0, or the exit status.
 */
static int pick_source(const char *address, const struct sockaddr_storage *to,
		       socklen_t tolen, const char *source, const char *handed,
		       struct sockaddr_storage *src, socklen_t *src_len, char *text,
		       size_t textlen)
{
	struct ipto_addr give, have, other;
	struct sockaddr_storage kern;
	struct ifaddrs *ifa, *i;
	char kern_if[IF_NAMESIZE + 1] = "", best_text[INET6_ADDRSTRLEN] = "";
	int pass, r;

	*src_len = 0;
	if (handed && ipto_addr_parse(handed, &give) < 0)
		handed = NULL;
	if (source) {
		if (strchr(source, '/') || ipto_addr_parse(source, &have) < 0 ||
		    have.family != to->ss_family)
			die_usage("--source: '%s' is not an address of the family of %s",
				  source, address);
		if (handed && same_host(&have, &give))
			return source_refused(address, "--source %s is the address this "
					      "takeover hands over: the standby's reply "
					      "would go to its own copy of it", source);
		memset(src, 0, sizeof(*src));
		if (have.family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)src;

			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, have.bytes, 4);
			*src_len = sizeof(*s4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)src;

			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, have.bytes, 16);
			*src_len = sizeof(*s6);
		}
		snprintf(text, textlen, "%s", source);
		return 0;
	}
	if (!handed)
		return 0;
	r = route_source(to, tolen, &kern, &(socklen_t){ 0 });
	if (r < 0 || sockaddr_to_addr(&kern, &have, text, textlen) < 0 ||
	    !same_host(&have, &give)) {
		text[0] = '\0';
		return 0; /* no route: connect says so; or the kernel's choice is fine */
	}
	if (getifaddrs(&ifa) < 0)
		return source_refused(address, "this host sends to the standby from %s, "
				      "the address it hands over, and cannot list its "
				      "other addresses: %s", handed, strerror(errno));
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr && i->ifa_addr->sa_family == to->ss_family &&
		    sockaddr_to_addr((struct sockaddr_storage *)i->ifa_addr, &other, NULL,
				     0) == 0 && same_host(&other, &give)) {
			snprintf(kern_if, sizeof(kern_if), "%s", i->ifa_name);
			break;
		}
	}
	/* pass 0: on the adapter of the kernel's choice; pass 1: any */
	for (pass = 0; pass < 2 && !*src_len; pass++) {
		for (i = ifa; i && !*src_len; i = i->ifa_next) {
			struct sockaddr_storage cand;
			char ct[INET6_ADDRSTRLEN];
			size_t sl;

			if (!i->ifa_addr || i->ifa_addr->sa_family != to->ss_family ||
			    !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK) ||
			    (pass == 0 && strcmp(i->ifa_name, kern_if) != 0))
				continue;
			sl = to->ss_family == AF_INET ? sizeof(struct sockaddr_in)
						      : sizeof(struct sockaddr_in6);
			memset(&cand, 0, sizeof(cand));
			memcpy(&cand, i->ifa_addr, sl);
			if (sockaddr_to_addr(&cand, &other, ct, sizeof(ct)) < 0 ||
			    same_host(&other, &give) ||
			    (ipto_addr_classify(&other) &
			     (IPTO_ADDR_CLASS_LOOPBACK | IPTO_ADDR_CLASS_LINK_LOCAL)))
				continue;
			if (cand.ss_family == AF_INET6)
				((struct sockaddr_in6 *)&cand)->sin6_port = 0;
			else
				((struct sockaddr_in *)&cand)->sin_port = 0;
			*src = cand;
			*src_len = (socklen_t)sl;
			snprintf(best_text, sizeof(best_text), "%s", ct);
		}
	}
	freeifaddrs(ifa);
	if (!*src_len)
		return source_refused(address, "this host sends to the standby from %s, "
				      "the address this takeover hands over, and has no "
				      "other address to send from: the standby's reply "
				      "would go to its own copy of %s; add a management "
				      "address (best on its own subnet) or give --source",
				      handed, handed);
	snprintf(text, textlen, "%s", best_text);
	return 0;
}

int cmd_instruct(const char *keyfile, const char *address, const char *source,
		 char **words, int n, unsigned int timeout_ms)
{
	struct sockaddr_storage ss, src;
	socklen_t len, src_len = 0;
	char src_text[INET6_ADDRSTRLEN] = "";
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
	r = pick_source(address, &ss, len, source, strcmp(words[0], "takeover") == 0 &&
			n == 3 ? words[2] : NULL, &src, &src_len, src_text, sizeof(src_text));
	if (r != 0)
		return r;
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
	if (src_len && bind(fd, (struct sockaddr *)&src, src_len) < 0) {
		r = -errno;
		close(fd);
		fprintf(stderr, "ipto-agent: %s: cannot send from %s: %s\n", address,
			src_text, strerror(-r));
		return r == -EADDRNOTAVAIL && source ? EXIT_USAGE : EXIT_NOREPLY;
	}
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
	if (code == EDESTADDRREQ && strcmp(words[0], "takeover") == 0) {
		/* listen's own check: the reply would have gone to the
		 * standby's new copy of our address; it bound nothing. */
		fprintf(stderr, "ipto-agent: standby at %s refused %s, nothing bound: %s "
			"(errno %ld, %s)\n", address, words[0], esc, code, strerror((int)code));
		return EXIT_SOURCE;
	}
	fprintf(stderr, "ipto-agent: standby at %s refused %s: %s (errno %ld, %s)\n",
		address, words[0], esc, code, strerror((int)code));
	return EXIT_FAILURE;
}

/* keygen FILE: 32 random bytes as hex, a new file, mode 0600. */
int cmd_keygen(const char *path)
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

