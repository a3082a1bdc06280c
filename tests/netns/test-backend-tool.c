/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small command around the backends, run by the test-backend-*.sh
 * scripts inside network namespaces. Each command does one library call
 * (public API only) and exits 0, or with the errno the library returned
 * (so a script can check -EEXIST as exit status 17). "recv" is the test's
 * own capture: a plain AF_PACKET socket, independent of the library.
 *
 *   tool addr-add IF ADDR [nodad|takeover|takeover-preferred] | addr-del IF ADDR | addr-list IF
 *   tool link-get IF | link-set IF up|down
 *   tool devconf-get IF KEY | devconf-set IF KEY VALUE
 *   tool send packet|pcap IF FIRST COUNT single|batch
 *   tool recv IF FIRST COUNT READY_FIFO
 *
 * Frame k of a test run is test_frame(k): broadcast, source
 * 02:00:5e:00:53:aa, EtherType 0x88b5 (local experimental), k in the first
 * payload bytes, a pattern after, and a length that varies with k from 14
 * (a bare header) to 1514.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>

#include <ipto/ipto.h>

#define ETHERTYPE_TEST 0x88b5
#define MAX_FRAME 1514

static size_t test_frame(unsigned int k, uint8_t *buf)
{
	size_t len, i;

	if (k == 0)
		len = 14;
	else if (k == 1)
		len = MAX_FRAME;
	else
		len = 60 + (k * 37u) % 1400u;
	memset(buf, 0xff, 6);
	memcpy(buf + 6, "\x02\x00\x5e\x00\x53\xaa", 6);
	buf[12] = ETHERTYPE_TEST >> 8;
	buf[13] = ETHERTYPE_TEST & 0xff;
	for (i = 14; i < len; i++)
		buf[i] = (uint8_t)(k * 131u + i * 7u);
	if (len >= 18) {
		buf[14] = (uint8_t)(k >> 24);
		buf[15] = (uint8_t)(k >> 16);
		buf[16] = (uint8_t)(k >> 8);
		buf[17] = (uint8_t)k;
	}
	return len;
}

static int fail(int r, const char *what)
{
	fprintf(stderr, "error: %s: %s\n", what, ipto_strerror(r));
	return r < 0 ? -r : 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: see the comment at the top of the source\n");
	return 2;
}

static int parse_key(const char *s, enum ipto_devconf *key)
{
	if (!strcmp(s, "arp_ignore"))
		*key = IPTO_DEVCONF_ARP_IGNORE;
	else if (!strcmp(s, "arp_announce"))
		*key = IPTO_DEVCONF_ARP_ANNOUNCE;
	else if (!strcmp(s, "arp_filter"))
		*key = IPTO_DEVCONF_ARP_FILTER;
	else
		return -1;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return ipto_addr_compare(a, b);
}

static int binder_cmd(struct ipto_ctx *ctx, int argc, char **argv)
{
	const char *cmd = argv[1], *ifname = argv[2];
	struct ipto_binder *b = NULL;
	struct ipto_addr a;
	enum ipto_devconf key;
	int r, v;

	r = ipto_binder_new_netlink(ctx, &b);
	if (r < 0)
		return fail(r, "ipto_binder_new_netlink");
	if (!strcmp(cmd, "addr-add") && (argc == 4 || argc == 5)) {
		unsigned int flags = 0;

		if (ipto_addr_parse(argv[3], &a) < 0)
			return usage();
		if (argc == 5 && !strcmp(argv[4], "nodad"))
			flags = IPTO_BIND_NODAD;
		if (argc == 5 && !strcmp(argv[4], "takeover")) /* as a takeover adds it */
			flags = IPTO_BIND_NODAD | IPTO_BIND_TAKEOVER;
		if (argc == 5 && !strcmp(argv[4], "takeover-preferred"))
			flags = IPTO_BIND_NODAD | IPTO_BIND_TAKEOVER | IPTO_BIND_PREFERRED;
		r = ipto_binder_addr_add(b, ifname, &a, flags);
	} else if (!strcmp(cmd, "addr-del") && argc == 4) {
		if (ipto_addr_parse(argv[3], &a) < 0)
			return usage();
		r = ipto_binder_addr_del(b, ifname, &a);
	} else if (!strcmp(cmd, "addr-list") && argc == 3) {
		struct ipto_addr list[64];
		char text[IPTO_ADDR_STRLEN];
		int i;

		r = ipto_binder_addr_list(b, ifname, list, 64);
		if (r > 64)
			r = -ENOBUFS;
		if (r >= 0) {
			qsort(list, (size_t)r, sizeof(list[0]), cmp_addr);
			for (i = 0; i < r; i++) {
				ipto_addr_format(&list[i], text, sizeof(text));
				printf("%s\n", text);
			}
			r = 0;
		}
	} else if (!strcmp(cmd, "link-get") && argc == 3) {
		struct ipto_adapter_info info = { .sz = sizeof(info) };
		char m[IPTO_MAC_STRLEN];

		r = ipto_binder_adapter_get(b, ifname, &info);
		if (r == 0) {
			ipto_mac_format(&info.mac, m, sizeof(m));
			printf("ifindex %d mac %s %s mtu %u %s\n", info.ifindex,
			       m, info.up ? "up" : "down", info.mtu,
			       info.carrier ? "carrier" : "nocarrier");
		}
	} else if (!strcmp(cmd, "link-set") && argc == 4) {
		r = ipto_binder_adapter_set_up(b, ifname,
					    !strcmp(argv[3], "up"));
	} else if (!strcmp(cmd, "devconf-get") && argc == 4) {
		if (parse_key(argv[3], &key) < 0)
			return usage();
		r = ipto_binder_devconf_get(b, ifname, key, &v);
		if (r == 0)
			printf("%d\n", v);
	} else if (!strcmp(cmd, "devconf-set") && argc == 5) {
		if (parse_key(argv[3], &key) < 0)
			return usage();
		r = ipto_binder_devconf_set(b, ifname, key, atoi(argv[4]));
	} else {
		return usage();
	}
	ipto_binder_unref(b);
	return r < 0 ? fail(r, cmd) : 0;
}

static int send_cmd(struct ipto_ctx *ctx, int argc, char **argv)
{
	struct ipto_injector *inj = NULL;
	struct ipto_injector_adapter *port = NULL;
	unsigned int first, count, i;
	struct iovec *iov;
	uint8_t *bufs;
	int r;

	if (argc != 7)
		return usage();
	first = (unsigned int)strtoul(argv[4], NULL, 10);
	count = (unsigned int)strtoul(argv[5], NULL, 10);
	if (!strcmp(argv[2], "packet"))
		r = ipto_injector_new_packet(ctx, &inj);
	else if (!strcmp(argv[2], "pcap"))
		r = ipto_injector_new_pcap(ctx, &inj);
	else
		return usage();
	if (r < 0)
		return fail(r, "new injector");
	r = ipto_injector_open(inj, argv[3], &port);
	if (r < 0)
		return fail(r, "open");
	bufs = malloc((size_t)count * MAX_FRAME + 1);
	iov = calloc(count + 1, sizeof(*iov));
	if (!bufs || !iov)
		return fail(-ENOMEM, "malloc");
	for (i = 0; i < count; i++) {
		iov[i].iov_base = bufs + (size_t)i * MAX_FRAME;
		iov[i].iov_len = test_frame(first + i, iov[i].iov_base);
	}
	if (!strcmp(argv[6], "batch")) {
		r = ipto_injector_send_batch(port, iov, count);
		if (r >= 0 && (unsigned int)r != count) {
			fprintf(stderr, "error: batch sent %d of %u\n", r,
				count);
			return 1;
		}
	} else {
		for (i = 0, r = 0; i < count && r >= 0; i++)
			r = ipto_injector_send(port, iov[i].iov_base,
					       iov[i].iov_len);
	}
	if (r < 0)
		return fail(r, "send");
	ipto_injector_close(port);
	ipto_injector_unref(inj);
	free(bufs);
	free(iov);
	return 0;
}

/* The capture: frames of the test EtherType arriving on IF must be
 * test_frame(FIRST .. FIRST+COUNT-1), in order, byte for byte. */
static int recv_cmd(int argc, char **argv)
{
	unsigned int first, count, got = 0;
	struct sockaddr_ll sll;
	struct timeval tv = { .tv_sec = 60 }; /* hang guard only */
	uint8_t buf[65536], want[MAX_FRAME];
	FILE *ready;
	int fd, rcvbuf = 16 << 20;

	if (argc != 6)
		return usage();
	first = (unsigned int)strtoul(argv[3], NULL, 10);
	count = (unsigned int)strtoul(argv[4], NULL, 10);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return fail(-errno, "socket");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(argv[2]);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll,
				     sizeof(sll)) < 0)
		return fail(-errno, "bind");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* room for a whole batch: the test must not lose frames itself */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	ready = fopen(argv[5], "w");
	if (!ready)
		return fail(-errno, "ready fifo");
	fputs("ready\n", ready);
	fclose(ready);
	while (got < count) {
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
				     (struct sockaddr *)&from, &fromlen);
		size_t wlen;

		if (n < 0) {
			struct tpacket_stats st = { 0 };
			socklen_t stlen = sizeof(st);

			getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st,
				   &stlen);
			fprintf(stderr, "recv: got %u of %u frames (%u dropped "
				"by the capture socket)\n", got, count,
				st.tp_drops);
			return fail(-errno, "recvfrom");
		}
		if (from.sll_pkttype == PACKET_OUTGOING || n < 14 ||
		    buf[12] != (ETHERTYPE_TEST >> 8) ||
		    buf[13] != (ETHERTYPE_TEST & 0xff))
			continue;
		wlen = test_frame(first + got, want);
		if ((size_t)n != wlen || memcmp(buf, want, wlen) != 0) {
			fprintf(stderr, "recv: frame %u differs (%zd bytes, "
				"want %zu)\n", first + got, n, wlen);
			return 1;
		}
		got++;
	}
	printf("received %u frames, byte-exact\n", got);
	return 0;
}

/*
 * The tool's error paths return straight out of main() with the injector or
 * binder still referenced: the process ends there, so LeakSanitizer would
 * only report the tool's own shortcuts. The library's objects are released
 * on the success paths, which is where a leak in libipto would show.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

int main(int argc, char **argv)
{
	struct ipto_ctx *ctx = NULL;
	int r;

	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "recv"))
		return recv_cmd(argc, argv);
	r = ipto_ctx_new(&ctx);
	if (r < 0)
		return fail(r, "ipto_ctx_new");
	if (!strcmp(argv[1], "send"))
		r = send_cmd(ctx, argc, argv);
	else
		r = binder_cmd(ctx, argc, argv);
	ipto_ctx_unref(ctx);
	return r;
}
