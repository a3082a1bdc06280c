/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-watch: what a client sees of a takeover of many addresses, timed.
 * Run it in the client's namespace before the takeover starts:
 *
 *   bench-watch --ips FILE --old-mac MAC [--ifname eth0] [--timeout MS]
 *
 * FILE lists the addresses (the first word of each line, "ADDR[/PREFIX]").
 * It listens on two sockets at once:
 *
 * - "wire": a packet socket on the client's adapter sees every frame with
 *   its kernel receive timestamp; the first ARP frame whose sender IP, or
 *   the first neighbour advertisement whose target, is one of the
 *   addresses marks that address "on the wire";
 * - "moved": rtnetlink neighbour events (RTNLGRP_NEIGH); the first event
 *   that gives one of the addresses a link-layer address other than
 *   --old-mac marks it moved (netlink has no timestamps: the time the
 *   event was read).
 *
 * It prints "ready" once both sockets listen, and, when every address is
 * on the wire and moved (or at the timeout), one line:
 *
 *   WIRE_FIRST WIRE_LAST MOVED_FIRST MOVED_LAST N_WIRE N_MOVED N
 *
 * times in CLOCK_MONOTONIC ns (0 when none). Exit status 0 when all N were
 * seen both ways, 1 at the timeout, 2 for usage errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench-common.h"

#include <getopt.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <unistd.h>

struct key {
	int family;
	uint8_t addr[16];
	uint64_t wire;  /* 0 until seen */
	uint64_t moved;
};

static struct key keys[BENCH_MAX_IPS];
static size_t n_keys;

/* When the first and the last of the keys were seen one way, and how many. */
struct seen {
	size_t n;
	uint64_t first, last;
};

static struct seen wire, moved;
static uint8_t old_mac[6];
static int ifindex;
static int64_t real_minus_mono;

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static struct key *lookup(int family, const void *addr)
{
	struct key k = { .family = family };

	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	return bsearch(&k, keys, n_keys, sizeof(k), key_cmp);
}

/* Key @k (NULL: not one of ours) seen at @t in *@at, once, counted in *@s. */
static void mark(struct key *k, uint64_t *at, struct seen *s, uint64_t t)
{
	if (!k || *at)
		return;
	*at = t;
	s->n++;
	if (!s->first || t < s->first)
		s->first = t;
	if (t > s->last)
		s->last = t;
}

static void mark_wire(struct key *k, uint64_t t)
{
	mark(k, k ? &k->wire : NULL, &wire, t);
}

static void mark_moved(struct key *k, uint64_t t)
{
	mark(k, k ? &k->moved : NULL, &moved, t);
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, from the tightest of a few samples. */
static int64_t clock_offset(void)
{
	int64_t best = 0;
	uint64_t best_gap = UINT64_MAX;
	int i;

	for (i = 0; i < 16; i++) {
		struct timespec r;
		uint64_t m0 = bench_now(), m1, real;

		clock_gettime(CLOCK_REALTIME, &r);
		m1 = bench_now();
		real = (uint64_t)r.tv_sec * 1000000000u + (uint64_t)r.tv_nsec;
		if (m1 - m0 < best_gap) {
			best_gap = m1 - m0;
			best = (int64_t)(real - (m0 + (m1 - m0) / 2));
		}
	}
	return best;
}

static int open_packet(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			htons(ETH_P_ALL));
	int one = 1, sz = 32 << 20;

	if (fd < 0)
		bench_die("packet socket: %s", strerror(errno));
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		bench_die("bind to %s: %s", ifname, strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	return fd;
}

static void on_frame(const uint8_t *f, ssize_t len, uint64_t t)
{
	uint16_t type;

	if (len < 14)
		return;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == ETHERTYPE_ARP && len >= 42 && f[16] == 0x08 && f[17] == 0 &&
	    f[18] == 6 && f[19] == 4)
		mark_wire(lookup(AF_INET, f + 28), t);
	else if (type == ETHERTYPE_IPV6 && len >= 78 && f[20] == 58 &&
		 f[54] == 136)
		mark_wire(lookup(AF_INET6, f + 62), t);
}

static void read_packets(int fd)
{
	uint8_t buf[2048];
	union {
		char c[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;

	for (;;) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.c,
				     .msg_controllen = sizeof(ctl.c) };
		struct cmsghdr *c;
		uint64_t t = 0;
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				fprintf(stderr, "bench-watch: packet recv: %s\n",
					strerror(errno));
			return;
		}
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				t = (uint64_t)((int64_t)ts.tv_sec * 1000000000 +
					       ts.tv_nsec - real_minus_mono);
			}
		}
		on_frame(buf, n, t ? t : bench_now());
	}
}

static void on_neigh(const struct nlmsghdr *h, uint64_t t)
{
	const struct ndmsg *nd = NLMSG_DATA(h);
	const struct rtattr *a;
	const uint8_t *dst = NULL, *ll = NULL;
	int len;

	if (h->nlmsg_type != RTM_NEWNEIGH ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) || nd->ndm_ifindex != ifindex)
		return;
	len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*nd));
	for (a = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == NDA_DST &&
		    RTA_PAYLOAD(a) == (nd->ndm_family == AF_INET ? 4u : 16u))
			dst = RTA_DATA(a);
		else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6)
			ll = RTA_DATA(a);
	}
	if (dst && ll && memcmp(ll, old_mac, 6) != 0)
		mark_moved(lookup(nd->ndm_family, dst), t);
}

static void parse_nl(const uint8_t *buf, ssize_t n, uint64_t t)
{
	const struct nlmsghdr *h;
	int len = (int)n;

	for (h = (const struct nlmsghdr *)buf; NLMSG_OK(h, len);
	     h = NLMSG_NEXT(h, len))
		on_neigh(h, t);
}

/* After an overflow: read the whole table and take what moved as of now. */
static void dump_neigh(void)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req = { .h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP } };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static uint8_t buf[1 << 16];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	uint64_t t = bench_now();

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, &req, sizeof(req), 0) < 0)
		bench_die("neighbour dump: %s", strerror(errno));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *h = (const void *)buf;

		if (n <= 0 || h->nlmsg_type == NLMSG_DONE ||
		    h->nlmsg_type == NLMSG_ERROR)
			break;
		parse_nl(buf, n, t);
	}
	close(fd);
}

static void read_netlink(int fd)
{
	static uint8_t buf[1 << 16];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr, "bench-watch: netlink overflow; "
					"reading the table instead\n");
				dump_neigh();
				continue;
			}
			if (errno != EAGAIN)
				fprintf(stderr, "bench-watch: netlink recv: %s\n",
					strerror(errno));
			return;
		}
		parse_nl(buf, n, bench_now());
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ips", required_argument, NULL, 'i' },
		{ "old-mac", required_argument, NULL, 'm' },
		{ "ifname", required_argument, NULL, 'I' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 }
	};
	static struct bench_ip ips[BENCH_MAX_IPS];
	const char *file = NULL, *ifname = "eth0";
	long timeout_ms = 30000;
	struct pollfd pfd[2];
	uint64_t deadline;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': file = optarg; break;
		case 'm':
			if (bench_parse_mac(optarg, old_mac) < 0)
				bench_die("bad --old-mac");
			break;
		case 'I': ifname = optarg; break;
		case 't': timeout_ms = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "usage: bench-watch --ips FILE --old-mac MAC "
				"[--ifname IF] [--timeout MS]\n");
		return 2;
	}
	n_keys = bench_read_work(file, ips, BENCH_MAX_IPS, 0);
	for (i = 0; i < n_keys; i++) {
		keys[i].family = ips[i].family;
		memcpy(keys[i].addr, ips[i].addr, 16);
	}
	qsort(keys, n_keys, sizeof(keys[0]), key_cmp);
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		bench_die("%s: %s", ifname, strerror(errno));
	real_minus_mono = clock_offset();
	pfd[0].fd = open_packet(ifname);
	pfd[1].fd = bench_nl_open(RTMGRP_NEIGH, SOCK_NONBLOCK, 32 << 20);
	pfd[0].events = pfd[1].events = POLLIN;
	printf("ready\n");
	fflush(stdout);
	deadline = bench_now() + (uint64_t)timeout_ms * 1000000u;
	while (wire.n < n_keys || moved.n < n_keys) {
		uint64_t now = bench_now();

		if (now >= deadline)
			break;
		if (poll(pfd, 2, (int)((deadline - now) / 1000000u) + 1) < 0 &&
		    errno != EINTR)
			bench_die("poll: %s", strerror(errno));
		if (pfd[1].revents)
			read_netlink(pfd[1].fd);
		if (pfd[0].revents)
			read_packets(pfd[0].fd);
	}
	printf("%llu %llu %llu %llu %zu %zu %zu\n",
	       (unsigned long long)wire.first, (unsigned long long)wire.last,
	       (unsigned long long)moved.first, (unsigned long long)moved.last,
	       wire.n, moved.n, n_keys);
	return wire.n == n_keys && moved.n == n_keys ? 0 : 1;
}
