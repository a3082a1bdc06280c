/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * neigh-watch: time when a host's neighbour entry (ARP or NDP) for one IP
 * address takes a given link-layer address. A test tool for the netns
 * harness (see tests/netns/README.md); it needs no libipto, only an
 * rtnetlink socket, and is meant to run inside a client namespace:
 *
 *   ip netns exec NS neigh-watch --wait IP LLADDR [options]
 *   ip netns exec NS neigh-watch --show IP [-i IFNAME]
 *   neigh-watch --now
 *
 * --wait subscribes to RTNLGRP_NEIGH first, then dumps the table (so no
 * change between start and subscription is lost), then waits for
 * notifications, re-reading the table every --poll milliseconds as a safety
 * net. As soon as the entry for IP holds LLADDR in a valid state (REACHABLE,
 * STALE, DELAY, PROBE, PERMANENT, NOARP) it prints one number and exits 0:
 * microseconds of CLOCK_MONOTONIC from --since (or from its own start) to
 * the moment it saw the change; with --abs it prints the CLOCK_MONOTONIC
 * time of that moment instead. On timeout, SIGTERM or SIGINT it prints the
 * last state it saw, as --show does, and exits 1. Usage and system errors
 * exit 2.
 *
 * The state line (--show, and --wait on failure) has four fields:
 *   IP IFNAME|- LLADDR|- STATE[,STATE...]
 * e.g. "192.0.2.11 eth0 02:00:5e:20:01:00 REACHABLE" or "192.0.2.11 - - NONE".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EXIT_MATCH 0
#define EXIT_NOMATCH 1
#define EXIT_ERROR 2

#define MAX_LLADDR 32

/* The kernel's NUD_VALID: states in which an entry carries a usable lladdr. */
#define WATCH_NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | \
			 NUD_PROBE | NUD_STALE | NUD_DELAY)

struct entry {
	bool present;
	int ifindex;
	uint16_t state;
	unsigned char lladdr[MAX_LLADDR];
	size_t lladdr_len;
};

struct watch {
	int family;
	unsigned char dst[16];
	size_t dst_len;
	int ifindex;			/* 0: any interface */
	unsigned char want[MAX_LLADDR];
	size_t want_len;
	struct entry last;
	bool verbose;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int parse_lladdr(const char *s, unsigned char *out, size_t *len)
{
	size_t n = 0;

	while (*s) {
		char *end;
		unsigned long v;

		if (n == MAX_LLADDR)
			return -1;
		errno = 0;
		v = strtoul(s, &end, 16);
		if (errno || end == s || end - s > 2 || v > 0xff)
			return -1;
		out[n++] = (unsigned char)v;
		s = end;
		if (*s == ':')
			s++;
		else if (*s)
			return -1;
		else
			break;
	}
	if (n == 0)
		return -1;
	*len = n;
	return 0;
}

static int parse_ip(const char *s, struct watch *w)
{
	if (inet_pton(AF_INET, s, w->dst) == 1) {
		w->family = AF_INET;
		w->dst_len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, w->dst) == 1) {
		w->family = AF_INET6;
		w->dst_len = 16;
		return 0;
	}
	return -1;
}

static int parse_ll(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return (errno || end == s || *end) ? -1 : 0;
}

static void format_state(uint16_t state, char *buf, size_t sz)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} names[] = {
		{ NUD_INCOMPLETE, "INCOMPLETE" }, { NUD_REACHABLE, "REACHABLE" },
		{ NUD_STALE, "STALE" },           { NUD_DELAY, "DELAY" },
		{ NUD_PROBE, "PROBE" },           { NUD_FAILED, "FAILED" },
		{ NUD_NOARP, "NOARP" },           { NUD_PERMANENT, "PERMANENT" },
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(state & names[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, used < sz ? sz - used : 0,
					 "%s%s", used ? "," : "", names[i].name);
	}
	if (!used)
		snprintf(buf, sz, "NONE");
}

/* One line: IP IFNAME|- LLADDR|- STATE */
static void print_entry(const struct watch *w, FILE *f)
{
	char ip[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE] = "-";
	char ll[MAX_LLADDR * 3 + 1] = "-", state[128];
	const struct entry *e = &w->last;

	inet_ntop(w->family, w->dst, ip, sizeof(ip));
	if (!e->present) {
		fprintf(f, "%s - - NONE\n", ip);
		return;
	}
	if (!if_indextoname((unsigned)e->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "if%d", e->ifindex);
	for (size_t i = 0, o = 0; i < e->lladdr_len; i++)
		o += (size_t)snprintf(ll + o, sizeof(ll) - o, "%s%02x",
				      i ? ":" : "", e->lladdr[i]);
	format_state(e->state, state, sizeof(state));
	fprintf(f, "%s %s %s %s\n", ip, ifname, ll, state);
}

static bool matches(const struct watch *w)
{
	const struct entry *e = &w->last;

	return e->present && (e->state & WATCH_NUD_VALID) &&
	       e->lladdr_len == w->want_len &&
	       memcmp(e->lladdr, w->want, w->want_len) == 0;
}

/*
 * Apply one RTM_NEWNEIGH/RTM_DELNEIGH message to w->last if it is about
 * our address. Returns true if it was.
 */
static bool handle_msg(struct watch *w, const struct nlmsghdr *nh)
{
	const struct ndmsg *ndm;
	const struct rtattr *rta;
	int len;
	const unsigned char *dst = NULL, *ll = NULL;
	size_t dst_len = 0, ll_len = 0;

	if (nh->nlmsg_type != RTM_NEWNEIGH && nh->nlmsg_type != RTM_DELNEIGH)
		return false;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)))
		return false;
	ndm = NLMSG_DATA(nh);
	if (ndm->ndm_family != w->family)
		return false;
	if (w->ifindex && ndm->ndm_ifindex != w->ifindex)
		return false;
	len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ndm));
	for (rta = (const struct rtattr *)((const char *)ndm +
					   NLMSG_ALIGN(sizeof(*ndm)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST) {
			dst = RTA_DATA(rta);
			dst_len = RTA_PAYLOAD(rta);
		} else if (rta->rta_type == NDA_LLADDR) {
			ll = RTA_DATA(rta);
			ll_len = RTA_PAYLOAD(rta);
		}
	}
	if (!dst || dst_len != w->dst_len || memcmp(dst, w->dst, dst_len))
		return false;

	if (nh->nlmsg_type == RTM_DELNEIGH) {
		memset(&w->last, 0, sizeof(w->last));
	} else {
		w->last.present = true;
		w->last.ifindex = ndm->ndm_ifindex;
		w->last.state = ndm->ndm_state;
		w->last.lladdr_len = 0;
		if (ll && ll_len <= MAX_LLADDR) {
			memcpy(w->last.lladdr, ll, ll_len);
			w->last.lladdr_len = ll_len;
		}
	}
	if (w->verbose) {
		fprintf(stderr, "neigh-watch: %" PRId64 " %s ", now_us(),
			nh->nlmsg_type == RTM_DELNEIGH ? "del" : "new");
		print_entry(w, stderr);
	}
	return true;
}

/*
 * Read the whole neighbour table of w->family on a socket of its own and
 * apply it. An address absent from the dump has no entry. Returns 0 or -1.
 */
static int dump(struct watch *w)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg ndm;
	} req;
	static char buf[65536];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	bool seen = false, done = false;
	int fd, ret = -1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("neigh-watch: socket");
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ndm));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.ndm.ndm_family = (unsigned char)w->family;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		perror("neigh-watch: sendto");
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nh;
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("neigh-watch: recv");
			goto out;
		}
		left = (int)n;
		for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				fprintf(stderr, "neigh-watch: dump: %s\n",
					strerror(-e->error));
				goto out;
			}
			if (handle_msg(w, nh))
				seen = true;
		}
	}
	if (!seen)
		memset(&w->last, 0, sizeof(w->last));
	ret = 0;
out:
	close(fd);
	return ret;
}

static int subscribe(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int group = RTNLGRP_NEIGH, rcvbuf = 1 << 20;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0) {
		perror("neigh-watch: socket");
		return -1;
	}
	/* Best effort: a larger buffer makes ENOBUFS (handled) rarer. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)) < 0) {
		perror("neigh-watch: subscribe RTNLGRP_NEIGH");
		close(fd);
		return -1;
	}
	return fd;
}

/* Drain the event socket. Returns 0, or -1 on error. */
static int read_events(struct watch *w, int fd)
{
	static char buf[65536];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nh;
		int left;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				/* Lost notifications: read the table again. */
				if (dump(w) < 0)
					return -1;
				continue;
			}
			perror("neigh-watch: recv");
			return -1;
		}
		left = (int)n;
		for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			handle_msg(w, nh);
			/* The first matching message wins: a later one in the
			 * same batch may already move the entry on. */
			if (matches(w))
				return 0;
		}
	}
}

static void usage(FILE *f)
{
	fputs("usage: neigh-watch --wait IP LLADDR [-i IFNAME] [-t MS] [--since US | --abs]\n"
	      "                   [--ready FILE] [--poll MS] [-v]\n"
	      "       neigh-watch --show IP [-i IFNAME]\n"
	      "       neigh-watch --now\n"
	      "\n"
	      "  --wait IP LLADDR  exit 0 as soon as the neighbour entry for IP (IPv4 or\n"
	      "                    IPv6) holds LLADDR in a valid state; print microseconds\n"
	      "                    of CLOCK_MONOTONIC since --since, or since start\n"
	      "  --show IP         print the entry: IP IFNAME|- LLADDR|- STATE (NONE if absent)\n"
	      "  --now             print CLOCK_MONOTONIC in microseconds (for --since)\n"
	      "  -i, --interface   only entries on this interface\n"
	      "  -t, --timeout MS  give up after MS milliseconds (default 5000; 0 = never)\n"
	      "  -s, --since US    measure from this CLOCK_MONOTONIC time (microseconds)\n"
	      "  -a, --abs         print the CLOCK_MONOTONIC time of the change instead\n"
	      "  -r, --ready FILE  create FILE once subscribed and the table was read\n"
	      "  -p, --poll MS     also re-read the table every MS ms (default 100; 0 = off)\n"
	      "  -v, --verbose     log every change of the entry to stderr\n"
	      "exit: 0 matched, 1 timeout/SIGTERM/SIGINT (prints the last state), 2 error\n",
	      f);
}

int main(int argc, char **argv)
{
	enum { MODE_NONE, MODE_WAIT, MODE_SHOW, MODE_NOW } mode = MODE_NONE;
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'W' },
		{ "show", no_argument, NULL, 'S' },
		{ "now", no_argument, NULL, 'N' },
		{ "interface", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "since", required_argument, NULL, 's' },
		{ "abs", no_argument, NULL, 'a' },
		{ "ready", required_argument, NULL, 'r' },
		{ "poll", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct watch w;
	long long timeout_ms = 5000, poll_ms = 100, since = 0;
	bool have_since = false, abs_time = false;
	const char *ifname = NULL, *ready = NULL;
	int64_t start = now_us(), deadline, next_poll, seen_at;
	struct sigaction sa;
	int c, fd;

	memset(&w, 0, sizeof(w));
	while ((c = getopt_long(argc, argv, "i:t:s:ar:p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'W': mode = MODE_WAIT; break;
		case 'S': mode = MODE_SHOW; break;
		case 'N': mode = MODE_NOW; break;
		case 'i': ifname = optarg; break;
		case 't':
			if (parse_ll(optarg, &timeout_ms) || timeout_ms < 0)
				goto bad;
			break;
		case 's':
			if (parse_ll(optarg, &since))
				goto bad;
			have_since = true;
			break;
		case 'a': abs_time = true; break;
		case 'r': ready = optarg; break;
		case 'p':
			if (parse_ll(optarg, &poll_ms) || poll_ms < 0)
				goto bad;
			break;
		case 'v': w.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: goto bad;
		}
	}

	if (mode == MODE_NOW) {
		if (optind != argc)
			goto bad;
		printf("%" PRId64 "\n", now_us());
		return 0;
	}
	if (mode == MODE_NONE ||
	    argc - optind != (mode == MODE_WAIT ? 2 : 1))
		goto bad;
	if (parse_ip(argv[optind], &w) < 0) {
		fprintf(stderr, "neigh-watch: not an IPv4 or IPv6 address: %s\n",
			argv[optind]);
		return EXIT_ERROR;
	}
	if (mode == MODE_WAIT &&
	    parse_lladdr(argv[optind + 1], w.want, &w.want_len) < 0) {
		fprintf(stderr, "neigh-watch: not a link-layer address: %s\n",
			argv[optind + 1]);
		return EXIT_ERROR;
	}
	if (ifname) {
		w.ifindex = (int)if_nametoindex(ifname);
		if (!w.ifindex) {
			fprintf(stderr, "neigh-watch: no interface %s\n", ifname);
			return EXIT_ERROR;
		}
	}

	if (mode == MODE_SHOW) {
		if (dump(&w) < 0)
			return EXIT_ERROR;
		print_entry(&w, stdout);
		return 0;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* Subscribe before reading the table, so no change falls between. */
	fd = subscribe();
	if (fd < 0 || dump(&w) < 0)
		return EXIT_ERROR;
	if (ready) {
		int rfd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (rfd < 0) {
			fprintf(stderr, "neigh-watch: %s: %s\n", ready,
				strerror(errno));
			return EXIT_ERROR;
		}
		close(rfd);
	}

	deadline = timeout_ms ? start + timeout_ms * 1000 : INT64_MAX;
	next_poll = poll_ms ? now_us() + poll_ms * 1000 : INT64_MAX;
	seen_at = now_us();
	while (!matches(&w)) {
		int64_t now = now_us(), wake = deadline < next_poll ? deadline : next_poll;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r, wait_ms;

		if (stop_signal || now >= deadline) {
			if (stop_signal)
				fprintf(stderr, "neigh-watch: stopped by signal %d\n",
					(int)stop_signal);
			else
				fprintf(stderr, "neigh-watch: timeout after %lld ms\n",
					timeout_ms);
			print_entry(&w, stdout);
			return EXIT_NOMATCH;
		}
		if (now >= next_poll) {
			if (dump(&w) < 0)
				return EXIT_ERROR;
			seen_at = now_us();
			next_poll = now_us() + poll_ms * 1000;
			continue;
		}
		wait_ms = wake == INT64_MAX ? -1 :
			  (int)((wake - now + 999) / 1000);
		r = poll(&pfd, 1, wait_ms);
		seen_at = now_us();
		if (r < 0 && errno != EINTR) {
			perror("neigh-watch: poll");
			return EXIT_ERROR;
		}
		if (r > 0 && read_events(&w, fd) < 0)
			return EXIT_ERROR;
	}
	if (abs_time)
		printf("%" PRId64 "\n", seen_at);
	else
		printf("%" PRId64 "\n",
		       seen_at - (have_since ? (int64_t)since : start));
	return EXIT_MATCH;

bad:
	usage(stderr);
	return EXIT_ERROR;
}
