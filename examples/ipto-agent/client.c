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

int cmd_instruct(const char *keyfile, const char *address, char **words, int n,
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

