/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-floor: the kernel floor of a takeover, in a minimal C loop of the
 * same system calls, without libnl or libipto.
 *
 *   bench-floor seq WORKFILE     for each address: RTM_NEWADDR with
 *                                NLM_F_ACK, wait for the ACK; then one
 *                                AF_PACKET send() per frame
 *   bench-floor batch WORKFILE   the same work pipelined: up to 256
 *                                RTM_NEWADDR in one send(), their ACKs in
 *                                one recvmmsg(); frames with one sendmmsg()
 *                                per adapter
 *   bench-floor inject IFNAME FRAMES BATCH
 *                                send FRAMES copies of one ARP announcement
 *                                on IFNAME, with send() (BATCH 1) or
 *                                sendmmsg() of BATCH frames; prints the rate
 *
 *   bench-floor sends IFLIST COUNT LEN
 *				  the sequential floor of directed frames:
 *				  COUNT frames of LEN bytes (an ARP request
 *				  to a unicast MAC no port has, padded),
 *				  built first, then one send() each on the
 *				  packet sockets of IFLIST ("tk1,tk2,...")
 *				  in turn; prints COUNT and the microseconds
 *				  of the send loop
 *
 *   bench-floor ops IFNAME COUNT
 *                                single requests, COUNT times each: an
 *                                RTM_GETLINK by name, if_nametoindex(),
 *                                RTM_NEWADDR and RTM_DELADDR (with ACK)
 *                                of 192.0.2.250/24; prints the median
 *                                microseconds of each
 *
 *   bench-floor close COUNT
 *                                COUNT times: socket(AF_PACKET, SOCK_RAW,
 *                                0) (unbound, as the injector's), then
 *                                close() timed; prints the median, min and
 *                                max microseconds of the close (it waits
 *                                for a network RCU grace period)
 *
 * seq/batch print "T_CALL T_DONE T_BOUND" (CLOCK_MONOTONIC ns; T_BOUND:
 * the last address was bound, the frames not sent yet). The timed part
 * starts like ipto_takeover_start(): with the configuration known and the
 * frames built (the netlink socket open, as a binder's is), and includes
 * resolving each adapter's index and opening and binding its packet
 * socket. One frame per address: the RFC 5227 ARP announcement for IPv4,
 * an unsolicited NA with Override for IPv6 -- the same frames the libipto
 * benchmark's one-round schedule sends.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench-common.h"

#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define FRAME_LEN 128
#define NL_CHUNK 256
#define MAX_ADAPTERS 128

struct adapter {
	char ifname[BENCH_IFNAMSIZ];
	uint8_t mac[6];
	int ifindex;
	int fd;
	size_t n_frames;
	size_t *frames; /* indexes into the work */
};

static struct bench_ip work[BENCH_MAX_IPS];
static uint8_t frames[BENCH_MAX_IPS][FRAME_LEN];
static size_t frame_len[BENCH_MAX_IPS];
static size_t frame_adapter[BENCH_MAX_IPS];
static struct adapter adapters[MAX_ADAPTERS];
static size_t n_adapters;
static uint8_t nl_out[NL_CHUNK * 128], nl_acks[NL_CHUNK][256];
static struct mmsghdr mm[1024];
static struct iovec iov[1024];
static uint64_t t_bound; /* when the last address was bound */

static void get_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		bench_die("%s: %s", ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The RFC 5227 announcement: request, sender IP = target IP, tha zero. */
static size_t build_arp(uint8_t *f, const uint8_t mac[6], const uint8_t ip[4])
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	f[14] = 0, f[15] = 1;        /* Ethernet */
	f[16] = 0x08, f[17] = 0x00;  /* IPv4 */
	f[18] = 6, f[19] = 4;
	f[20] = 0, f[21] = 1;        /* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, ip, 4);
	memcpy(f + 38, ip, 4);
	return 60;
}

/* Unsolicited NA from @ip to ff02::1, Override, target LL option. */
static size_t build_na(uint8_t *f, const uint8_t mac[6], const uint8_t ip[16])
{
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
	uint8_t *ip6 = f + 14, *icmp = f + 54;
	uint8_t pseudo[40] = { 0 };
	uint32_t sum;

	memset(f, 0, 86);
	f[0] = 0x33, f[1] = 0x33, f[5] = 1;
	memcpy(f + 6, mac, 6);
	f[12] = 0x86, f[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[5] = 32;                 /* payload length */
	ip6[6] = 58;                 /* ICMPv6 */
	ip6[7] = 255;
	memcpy(ip6 + 8, ip, 16);
	memcpy(ip6 + 24, all_nodes, 16);
	icmp[0] = 136;
	icmp[4] = 0x20;              /* Override */
	memcpy(icmp + 8, ip, 16);
	icmp[24] = 2, icmp[25] = 1;  /* target link-layer address */
	memcpy(icmp + 26, mac, 6);
	memcpy(pseudo, ip6 + 8, 32);
	pseudo[35] = 32;
	pseudo[39] = 58;
	sum = csum_add(0, pseudo, sizeof(pseudo));
	sum = csum_add(sum, icmp, 32);
	sum = csum_fold(sum);
	icmp[2] = (uint8_t)(sum >> 8), icmp[3] = (uint8_t)sum;
	return 86;
}

static size_t adapter_of(const char *ifname)
{
	size_t i;

	for (i = 0; i < n_adapters; i++)
		if (strcmp(adapters[i].ifname, ifname) == 0)
			return i;
	if (n_adapters == MAX_ADAPTERS)
		bench_die("more than %d adapters", MAX_ADAPTERS);
	snprintf(adapters[i].ifname, sizeof(adapters[i].ifname), "%s", ifname);
	get_mac(ifname, adapters[i].mac);
	adapters[i].fd = -1;
	return n_adapters++;
}

/* Everything before the call: adapters' MACs, frames, per-adapter lists. */
static void prepare(size_t n)
{
	size_t i, a;

	for (i = 0; i < n; i++) {
		a = adapter_of(work[i].ifname);
		frame_adapter[i] = a;
		frame_len[i] = work[i].family == AF_INET ?
			build_arp(frames[i], adapters[a].mac, work[i].addr) :
			build_na(frames[i], adapters[a].mac, work[i].addr);
		adapters[a].n_frames++;
	}
	for (a = 0; a < n_adapters; a++) {
		adapters[a].frames = calloc(adapters[a].n_frames, sizeof(size_t));
		if (!adapters[a].frames)
			bench_die("out of memory");
		adapters[a].n_frames = 0;
	}
	for (i = 0; i < n; i++) {
		a = frame_adapter[i];
		adapters[a].frames[adapters[a].n_frames++] = i;
	}
	/* Touch the batch buffers now, as libipto allocates its own in
	 * ipto_takeover_new(): page faults are not part of the floor. */
	memset(nl_out, 0, sizeof(nl_out));
	memset(nl_acks, 0, sizeof(nl_acks));
	memset(mm, 0, sizeof(mm));
	memset(iov, 0, sizeof(iov));
}

static void add_attr(struct nlmsghdr *h, unsigned short type, const void *data,
		     size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static size_t build_addr_msg(void *buf, size_t i, int ifindex, uint32_t seq,
			     unsigned short type);

/* Writes one RTM_NEWADDR for work[i] at @buf; returns its length. */
static size_t build_newaddr(void *buf, size_t i, int ifindex, uint32_t seq)
{
	return build_addr_msg(buf, i, ifindex, seq, RTM_NEWADDR);
}

static size_t build_addr_msg(void *buf, size_t i, int ifindex, uint32_t seq,
			     unsigned short type)
{
	const struct bench_ip *ip = &work[i];
	struct nlmsghdr *h = buf;
	struct ifaddrmsg *ifa;

	memset(buf, 0, 128);
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWADDR)
		h->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	h->nlmsg_seq = seq;
	ifa = NLMSG_DATA(h);
	ifa->ifa_family = (unsigned char)ip->family;
	ifa->ifa_prefixlen = (unsigned char)ip->prefix;
	ifa->ifa_index = (unsigned int)ifindex;
	if (ip->family == AF_INET) {
		uint8_t bcast[4];
		uint32_t a, mask;

		add_attr(h, IFA_LOCAL, ip->addr, 4);
		add_attr(h, IFA_ADDRESS, ip->addr, 4);
		if (ip->prefix <= 30) {
			memcpy(&a, ip->addr, 4);
			mask = ip->prefix ? htonl(~0u << (32 - ip->prefix)) : 0;
			a |= ~mask;
			memcpy(bcast, &a, 4);
			add_attr(h, IFA_BROADCAST, bcast, 4);
		}
	} else {
		uint32_t flags = IFA_F_NODAD;

		add_attr(h, IFA_ADDRESS, ip->addr, 16);
		add_attr(h, IFA_FLAGS, &flags, sizeof(flags));
	}
	return h->nlmsg_len;
}

static int ack_error(const void *buf, ssize_t len)
{
	const struct nlmsghdr *h = buf;

	if (len < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    h->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
}

/* The per-call part both modes share: indexes, packet sockets. */
static void open_adapters(void)
{
	size_t a;

	for (a = 0; a < n_adapters; a++) {
		struct sockaddr_ll sll = { .sll_family = AF_PACKET };

		adapters[a].ifindex = (int)if_nametoindex(adapters[a].ifname);
		if (adapters[a].ifindex == 0)
			bench_die("%s: %s", adapters[a].ifname, strerror(errno));
		adapters[a].fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		sll.sll_ifindex = adapters[a].ifindex;
		if (adapters[a].fd < 0 ||
		    bind(adapters[a].fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			bench_die("packet socket on %s: %s", adapters[a].ifname,
				  strerror(errno));
	}
}

static void run_seq(int nl, size_t n)
{
	uint8_t msg[128], ack[1024];
	size_t i, len;
	ssize_t r;
	int err;

	open_adapters();
	for (i = 0; i < n; i++) {
		len = build_newaddr(msg, i, adapters[frame_adapter[i]].ifindex,
				    (uint32_t)i + 1);
		if (send(nl, msg, len, 0) != (ssize_t)len)
			bench_die("netlink send: %s", strerror(errno));
		r = recv(nl, ack, sizeof(ack), 0);
		err = ack_error(ack, r);
		if (err)
			bench_die("add %s: %s", work[i].text, strerror(-err));
	}
	t_bound = bench_now();
	for (i = 0; i < n; i++) {
		r = send(adapters[frame_adapter[i]].fd, frames[i], frame_len[i], 0);
		if (r != (ssize_t)frame_len[i])
			bench_die("send on %s: %s", work[i].ifname, strerror(errno));
	}
}

static void run_batch(int nl, size_t n)
{
	uint8_t *out = nl_out, (*acks)[256] = nl_acks;
	size_t i, a, k, done, chunk, off;
	int r, err;

	open_adapters();
	for (done = 0; done < n; done += chunk) {
		chunk = n - done < NL_CHUNK ? n - done : NL_CHUNK;
		for (off = 0, i = 0; i < chunk; i++)
			off += build_newaddr(out + off, done + i,
					     adapters[frame_adapter[done + i]].ifindex,
					     (uint32_t)(done + i) + 1);
		if (send(nl, out, off, 0) != (ssize_t)off)
			bench_die("netlink send: %s", strerror(errno));
		for (k = 0; k < chunk; k += (size_t)r) {
			for (i = 0; i < chunk - k; i++) {
				iov[i].iov_base = acks[i];
				iov[i].iov_len = sizeof(acks[i]);
				memset(&mm[i], 0, sizeof(mm[i]));
				mm[i].msg_hdr.msg_iov = &iov[i];
				mm[i].msg_hdr.msg_iovlen = 1;
			}
			r = recvmmsg(nl, mm, (unsigned int)(chunk - k), MSG_WAITFORONE, NULL);
			if (r <= 0)
				bench_die("netlink recvmmsg: %s", strerror(errno));
			for (i = 0; i < (size_t)r; i++) {
				err = ack_error(acks[i], mm[i].msg_len);
				if (err)
					bench_die("add: %s", strerror(-err));
			}
		}
	}
	t_bound = bench_now();
	for (a = 0; a < n_adapters; a++) {
		struct adapter *ad = &adapters[a];

		for (done = 0; done < ad->n_frames; done += (size_t)r) {
			chunk = ad->n_frames - done < 1024 ? ad->n_frames - done : 1024;
			for (i = 0; i < chunk; i++) {
				size_t f = ad->frames[done + i];

				iov[i].iov_base = frames[f];
				iov[i].iov_len = frame_len[f];
				memset(&mm[i], 0, sizeof(mm[i]));
				mm[i].msg_hdr.msg_iov = &iov[i];
				mm[i].msg_hdr.msg_iovlen = 1;
			}
			r = sendmmsg(ad->fd, mm, (unsigned int)chunk, 0);
			if (r <= 0)
				bench_die("sendmmsg on %s: %s", ad->ifname, strerror(errno));
		}
	}
}

static void run_inject(const char *ifname, unsigned long total, unsigned long batch)
{
	static struct iovec one;
	uint8_t frame[FRAME_LEN];
	const uint8_t ip[4] = { 192, 0, 2, 250 };
	unsigned long sent = 0, i;
	uint64_t t0, t1;
	size_t len;
	int r;

	if (batch < 1 || batch > 1024)
		bench_die("BATCH must be 1..1024");
	adapter_of(ifname);
	open_adapters();
	len = build_arp(frame, adapters[0].mac, ip);
	one.iov_base = frame;
	one.iov_len = len;
	for (i = 0; i < batch; i++) {
		mm[i].msg_hdr.msg_iov = &one;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = bench_now();
	while (sent < total) {
		if (batch == 1) {
			if (send(adapters[0].fd, frame, len, 0) != (ssize_t)len)
				bench_die("send: %s", strerror(errno));
			sent++;
			continue;
		}
		r = sendmmsg(adapters[0].fd, mm,
			     (unsigned int)(total - sent < batch ? total - sent : batch), 0);
		if (r <= 0)
			bench_die("sendmmsg: %s", strerror(errno));
		sent += (unsigned long)r;
	}
	t1 = bench_now();
	printf("%lu %.6f %.0f\n", sent, (double)(t1 - t0) / 1e9,
	       (double)sent * 1e9 / (double)(t1 - t0));
}

static void run_sends(char *iflist, unsigned long count, size_t len)
{
	static const uint8_t to[6] = { 0x02, 0x00, 0x5e, 0x50, 0x00, 0x01 };
	const uint8_t ip[4] = { 192, 0, 2, 250 };
	static uint8_t frame[FRAME_LEN];
	char *save = NULL, *ifn;
	unsigned long i;
	uint64_t t0, t1;

	if (len < 60 || len > FRAME_LEN)
		bench_die("LEN must be 60..%d", FRAME_LEN);
	for (ifn = strtok_r(iflist, ",", &save); ifn; ifn = strtok_r(NULL, ",", &save))
		adapter_of(ifn);
	if (!n_adapters)
		bench_die("no adapter");
	open_adapters();
	build_arp(frame, adapters[0].mac, ip);
	memcpy(frame, to, 6);
	frame[41] = 251; /* target 192.0.2.251 */
	t0 = bench_now();
	for (i = 0; i < count; i++)
		if (send(adapters[i % n_adapters].fd, frame, len, 0) != (ssize_t)len)
			bench_die("send: %s", strerror(errno));
	t1 = bench_now();
	printf("%lu %.1f\n", count, (double)(t1 - t0) / 1e3);
}

static void run_ops(const char *ifname, unsigned long count)
{
	static uint8_t buf[1 << 16];
	uint8_t msg[128];
	static uint64_t samples[4][100000];
	uint64_t t;
	unsigned long i;
	int nl = bench_nl_open(0, 0, 4 << 20), k, ifindex;
	size_t len;
	ssize_t r;

	if (count < 1 || count > 100000)
		bench_die("COUNT must be 1..100000");
	if (bench_parse_addr("192.0.2.250/24", &work[0]) < 0)
		bench_die("address");
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		bench_die("%s: %s", ifname, strerror(errno));
	for (i = 0; i < count; i++) {
		for (k = 0; k < 4; k++) {
			t = bench_now();
			switch (k) {
			case 0: {
				struct nlmsghdr *h = (struct nlmsghdr *)msg;
				struct ifinfomsg *ifi;

				memset(msg, 0, sizeof(msg));
				h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
				h->nlmsg_type = RTM_GETLINK;
				h->nlmsg_flags = NLM_F_REQUEST;
				ifi = NLMSG_DATA(h);
				ifi->ifi_family = AF_UNSPEC;
				add_attr(h, IFLA_IFNAME, ifname, strlen(ifname) + 1);
				if (send(nl, msg, h->nlmsg_len, 0) < 0 ||
				    recv(nl, buf, sizeof(buf), 0) <= 0 ||
				    ((struct nlmsghdr *)buf)->nlmsg_type != RTM_NEWLINK)
					bench_die("RTM_GETLINK failed");
				break;
			}
			case 1:
				if (!if_nametoindex(ifname))
					bench_die("if_nametoindex failed");
				break;
			default:
				len = build_addr_msg(msg, 0, ifindex, (uint32_t)i,
						     k == 2 ? RTM_NEWADDR : RTM_DELADDR);
				if (send(nl, msg, len, 0) != (ssize_t)len)
					bench_die("send: %s", strerror(errno));
				r = recv(nl, buf, sizeof(buf), 0);
				if (ack_error(buf, r))
					bench_die("address %s failed: %s",
						  k == 2 ? "add" : "delete",
						  strerror(-ack_error(buf, r)));
				break;
			}
			samples[k][i] = bench_now() - t;
		}
	}
	printf("%.1f %.1f %.1f %.1f\n", bench_median_us(samples[0], count),
	       bench_median_us(samples[1], count), bench_median_us(samples[2], count),
	       bench_median_us(samples[3], count));
}

static void run_close(size_t count)
{
	static uint64_t samples[1000];
	size_t i;

	if (count < 1 || count > 1000)
		bench_die("close: COUNT is 1..1000");
	for (i = 0; i < count; i++) {
		int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		uint64_t t0;

		if (fd < 0)
			bench_die("socket(AF_PACKET): %s", strerror(errno));
		t0 = bench_now();
		close(fd);
		samples[i] = bench_now() - t0;
	}
	printf("%.1f", bench_median_us(samples, count)); /* sorts */
	printf(" %.1f %.1f\n", samples[0] / 1e3, samples[count - 1] / 1e3);
}

int main(int argc, char **argv)
{
	uint64_t t_call, t_done;
	size_t n;
	int nl;

	if (argc == 5 && strcmp(argv[1], "inject") == 0) {
		run_inject(argv[2], strtoul(argv[3], NULL, 10),
			   strtoul(argv[4], NULL, 10));
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "sends") == 0) {
		run_sends(argv[2], strtoul(argv[3], NULL, 10),
			  strtoul(argv[4], NULL, 10));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "close") == 0) {
		run_close(strtoul(argv[2], NULL, 10));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "ops") == 0) {
		run_ops(argv[2], strtoul(argv[3], NULL, 10));
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "seq") && strcmp(argv[1], "batch"))) {
		fprintf(stderr, "usage: bench-floor seq|batch WORKFILE\n"
				"       bench-floor inject IFNAME FRAMES BATCH\n"
				"       bench-floor sends IFLIST COUNT LEN\n"
				"       bench-floor ops IFNAME COUNT\n"
				"       bench-floor close COUNT\n");
		return 2;
	}
	n = bench_read_work(argv[2], work, BENCH_MAX_IPS, 1);
	prepare(n);
	nl = bench_nl_open(0, 0, 4 << 20);
	t_call = bench_now();
	if (strcmp(argv[1], "seq") == 0)
		run_seq(nl, n);
	else
		run_batch(nl, n);
	t_done = bench_now();
	printf("%llu %llu %llu\n", (unsigned long long)t_call,
	       (unsigned long long)t_done, (unsigned long long)t_bound);
	return 0;
}
