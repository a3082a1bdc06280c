/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The AF_PACKET injector against a real kernel, several adapters at once:
 * frames for K veth adapters, interleaved in one ipto_injector_send_multi()
 * (more than one sendmmsg() chunk), then per-port send_batch() and send(),
 * must each arrive at the peer of ITS adapter, byte for byte; and the
 * process holds exactly one packet socket for all K ports (counted from
 * /proc/self/fd against /proc/self/net/packet), none once they are closed,
 * none after a failed open.
 *
 * The test makes its own network namespace with unshare(CLONE_NEWNET): it
 * is anonymous (unique by construction), nothing in it is reachable from
 * outside, and the kernel removes it with its veths when the process
 * exits, on failure too. Exit 77 without the privilege to make it.
 *
 * Every link is running (tests/link-wait.h) before the first frame: a
 * frame sent before the kernel starts a veth's queue is dropped, though
 * the send reports success.
 *
 * The receiver is one unbound packet socket for the test's EtherType
 * (0x88b5, IEEE "local experimental"): recvfrom() gives the ifindex each
 * frame arrived on. Only the copy received on a peer counts (outgoing
 * copies are ignored, by PACKET_IGNORE_OUTGOING where the kernel has it
 * and by sll_pkttype): it proves the frame left through that veth.
 *
 * usage: test-injector-ports IP   (the ip(8) program)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ipto/ipto.h>

#include "../link-wait.h"
#include "../packet-fds.h"

#define K 4
#define N_MULTI 150 /* > 64: three sendmmsg() chunks */
#define ETYPE 0x88b5
#define FRAME_LEN 60

static const char *ip_prog;
static int failures, tests;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	printf("%s %d - ", cond ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		failures++;
}

static void bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static int run_ip(const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s %s", ip_prog, args);
	return system(cmd);
}

static int get_mac(const char *ifname, unsigned char mac[6])
{
	struct ifreq ifr;
	int fd, r;

	/* not /sys/class/net: sysfs shows the namespace it was mounted in */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	r = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (r < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Frame number @id for adapter @a: broadcast, from the adapter's MAC, our
 * EtherType, then the id and a pattern of it, so every byte is checked. */
static void make_frame(unsigned char *f, unsigned int id, const unsigned char *mac)
{
	size_t i;

	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = ETYPE >> 8;
	f[13] = ETYPE & 0xff;
	f[14] = (unsigned char)(id >> 8);
	f[15] = (unsigned char)id;
	for (i = 16; i < FRAME_LEN; i++)
		f[i] = (unsigned char)(id * 7 + i);
}

struct expect {
	int ifindex; /* the peer the frame must arrive on */
	unsigned char bytes[FRAME_LEN];
	int seen;
	int wrong_if;
	int wrong_bytes;
};

static struct expect want[1024];
static unsigned int n_want;

/* Reads frames until every expected one came in or 10 s passed (a guard,
 * not a timing assertion: on time the loop ends as the last frame lands).
 * Returns the number of unexpected frames of our EtherType. */
static int receive(int rx)
{
	unsigned char buf[2048];
	unsigned int seen = 0, i;
	double deadline = now_s() + 10;
	int stray = 0;

	for (i = 0; i < n_want; i++)
		if (want[i].seen)
			seen++;
	while (seen < n_want && now_s() < deadline) {
		struct pollfd pfd = { .fd = rx, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n;
		unsigned int id;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(rx, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (n < 16) {
			stray++;
			continue;
		}
		id = (unsigned int)buf[14] << 8 | buf[15];
		if (id >= n_want || want[id].seen) {
			stray++;
			continue;
		}
		want[id].seen = 1;
		seen++;
		if (from.sll_ifindex != want[id].ifindex)
			want[id].wrong_if = 1;
		if (n != FRAME_LEN || memcmp(buf, want[id].bytes, FRAME_LEN))
			want[id].wrong_bytes = 1;
	}
	return stray;
}

static void check_received(int rx, unsigned int from, const char *what)
{
	unsigned int i, missing = 0, wrong_if = 0, wrong_bytes = 0;
	int stray = receive(rx);

	for (i = from; i < n_want; i++) {
		missing += !want[i].seen;
		wrong_if += want[i].wrong_if;
		wrong_bytes += want[i].wrong_bytes;
	}
	ok(missing == 0 && wrong_if == 0 && wrong_bytes == 0 && stray == 0,
	   "%s: %u frames, %u missing, %u on the wrong adapter's peer, "
	   "%u with wrong bytes, %d unexpected", what, n_want - from,
	   missing, wrong_if, wrong_bytes, stray);
}

int main(int argc, char **argv)
{
	struct ipto_injector_adapter *ports[K], *multi_ports[N_MULTI];
	struct iovec iov[N_MULTI];
	unsigned char mac[K][6];
	int peer_if[K];
	struct ipto_injector *inj = NULL, *other = NULL;
	struct ipto_injector_adapter *stray_port = NULL, *foreign = NULL;
	struct ipto_ctx *ctx = NULL;
	char args[256], name[IFNAMSIZ];
	unsigned int i, base;
	int rx, r, before;

	if (argc != 2)
		bail("usage: %s IP", argv[0]);
	ip_prog = argv[1];
	if (unshare(CLONE_NEWNET) < 0) {
		printf("1..0 # SKIP unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 77;
	}
	/* No IPv6 on the new links: no router solicitations in the capture. */
	system("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null");
	for (i = 0; i < K; i++) {
		snprintf(args, sizeof(args),
			 "link add inj%u type veth peer name cap%u", i, i);
		if (run_ip(args) != 0)
			bail("ip %s failed", args);
		/* The peer first: inj%u then has carrier when it comes up, and
		 * the kernel starts its queue at once (tests/link-wait.h). */
		snprintf(args, sizeof(args), "link set cap%u up", i);
		r = run_ip(args);
		snprintf(args, sizeof(args), "link set inj%u up", i);
		if (r != 0 || run_ip(args) != 0)
			bail("cannot bring inj%u/cap%u up", i, i);
		snprintf(name, sizeof(name), "inj%u", i);
		if (get_mac(name, mac[i]) < 0)
			bail("no MAC for %s", name);
		snprintf(name, sizeof(name), "cap%u", i);
		peer_if[i] = (int)if_nametoindex(name);
		if (peer_if[i] <= 0)
			bail("no ifindex for %s", name);
	}
	for (i = 0; i < K; i++) {
		const char *side[2] = { "inj", "cap" };
		unsigned int j;

		for (j = 0; j < 2; j++) {
			snprintf(name, sizeof(name), "%s%u", side[j], i);
			r = test_link_wait_running(name, 10);
			if (r < 0)
				bail("%s is not running after 10 s: %s", name, strerror(-r));
		}
	}
	rx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETYPE));
	if (rx < 0)
		bail("receiver socket: %s", strerror(errno));
	/* Every frame is sent before any is read: room for all of them, and
	 * no copies of our own outgoing frames (Linux >= 4.20). */
	{
		int one = 1, room = 8 << 20;

		if (setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, &room,
			       sizeof(room)) < 0)
			setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &room, sizeof(room));
		setsockopt(rx, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			   sizeof(one));
	}
	before = count_packet_fds();
	if (before < 0)
		bail("cannot count the packet sockets in /proc: %s", strerror(errno));
	ok(before == 1, "only the receiver's packet socket before (%d)", before);

	if (ipto_ctx_new(&ctx) < 0 || ipto_injector_new_packet(ctx, &inj) < 0 ||
	    ipto_injector_new_packet(ctx, &other) < 0)
		bail("cannot make the context or the injectors");
	ok(count_packet_fds() == before, "a new injector opens no socket");

	for (i = 0; i < K; i++) {
		snprintf(name, sizeof(name), "inj%u", i);
		r = ipto_injector_open(inj, name, &ports[i]);
		if (r < 0)
			bail("open %s: %s", name, ipto_strerror(r));
	}
	ok(count_packet_fds() == before + 1,
	   "%d ports share one packet socket (%d open)", K,
	   count_packet_fds() - before);

	r = ipto_injector_open(inj, "nosuch0", &stray_port);
	ok(r == -ENODEV && count_packet_fds() == before + 1,
	   "open of a missing interface: -ENODEV (%d), no socket left", r);

	/* Interleaved across the adapters, several chunks of sendmmsg(). */
	for (i = 0; i < N_MULTI; i++) {
		unsigned int a = (i * 3 + i / 5) % K; /* mixed runs */

		make_frame(want[i].bytes, i, mac[a]);
		want[i].ifindex = peer_if[a];
		multi_ports[i] = ports[a];
		iov[i].iov_base = want[i].bytes;
		iov[i].iov_len = FRAME_LEN;
	}
	n_want = N_MULTI;
	r = ipto_injector_send_multi(inj, multi_ports, iov, N_MULTI);
	ok(r == N_MULTI, "send_multi returned %d of %d", r, N_MULTI);
	check_received(rx, 0, "send_multi over 4 adapters");

	/* Per-port calls on the shared socket still go to their own port. */
	base = n_want;
	for (i = 0; i < 3; i++) {
		make_frame(want[base + i].bytes, base + i, mac[2]);
		want[base + i].ifindex = peer_if[2];
		iov[i].iov_base = want[base + i].bytes;
		iov[i].iov_len = FRAME_LEN;
	}
	make_frame(want[base + 3].bytes, base + 3, mac[1]);
	want[base + 3].ifindex = peer_if[1];
	n_want = base + 4;
	r = ipto_injector_send_batch(ports[2], iov, 3);
	ok(r == 3, "send_batch on inj2 returned %d", r);
	r = ipto_injector_send(ports[1], want[base + 3].bytes, FRAME_LEN);
	ok(r == 0, "send on inj1 returned %d", r);
	check_received(rx, base, "send_batch on inj2 and send on inj1");

	/* A port of another injector is refused before anything is sent. */
	r = ipto_injector_open(other, "inj0", &foreign);
	ok(r == 0 && count_packet_fds() == before + 2,
	   "a second injector has its own socket (%d)", r);
	if (r == 0) {
		multi_ports[0] = ports[0];
		multi_ports[1] = foreign;
		r = ipto_injector_send_multi(inj, multi_ports, iov, 2);
		ok(r == -EINVAL, "send_multi with a port of another injector: "
		   "-EINVAL (%d)", r);
		ipto_injector_close(foreign);
	}
	ok(count_packet_fds() == before + 1,
	   "closing the other injector's only port closes its socket");

	/* A link that goes down: the error comes back, per frame. */
	run_ip("link set inj3 down");
	multi_ports[0] = ports[0];
	multi_ports[1] = ports[3];
	iov[0].iov_base = want[0].bytes;
	iov[1].iov_base = want[1].bytes;
	r = ipto_injector_send_multi(inj, multi_ports, iov, 2);
	ok(r == 1, "send_multi with its second port down sent 1 (%d)", r);
	r = ipto_injector_send(ports[3], want[1].bytes, FRAME_LEN);
	ok(r == -ENETDOWN, "send on a down link: -ENETDOWN (%d)", r);

	for (i = 0; i < K; i++) {
		ipto_injector_close(ports[i]);
		if (i < K - 1 && count_packet_fds() != before + 1)
			break;
	}
	ok(i == K, "the socket stays open while ports use it");
	ok(count_packet_fds() == before, "closing the last port closes the "
	   "socket (%d left)", count_packet_fds() - before);
	ipto_injector_unref(inj);
	ipto_injector_unref(other);
	ipto_ctx_unref(ctx);
	close(rx);
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
