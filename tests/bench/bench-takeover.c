/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-takeover: libipto's side of the takeover benchmarks, through the C
 * API. Run it inside the standby's namespace.
 *
 *   bench-takeover takeover WORKFILE ADAPTERS [INJECTOR]
 *	One takeover: a pool with one active node "a1" owning every address
 *	of WORKFILE (its interfaces are ignored: libipto plans its own) and
 *	one standby "sb" with the takeover adapters ADAPTERS ("tk1,tk2,..."),
 *	planned with IPTO_PLAN_SHARE_ADAPTERS, run through the netlink binder
 *	and the INJECTOR ("packet", the default, or "pcap") with a one-round
 *	schedule: one ARP announcement per IPv4 address, one unsolicited NA
 *	per IPv6 address. Times ipto_takeover_start(), which binds every
 *	address and sends the round. Prints
 *	  T_CALL T_DONE NEW_NS ALLOCS BYTES CHECKED_US BOUND_US ANNOUNCED_US
 *	  RETURNED_US
 *	(CLOCK_MONOTONIC ns of the call and return, the time
 *	ipto_takeover_new() took, the heap allocations and bytes made by
 *	start(), and from the takeover's report: when the adapter checks,
 *	the last bind and the last announcement were done, in microseconds
 *	after the call; RETURNED_US: start() plus the teardown, i.e. the
 *	ipto_takeover_unref() that closes the ports and the injector's
 *	socket). Does not undo: the caller flushes the addresses.
 *
 *   bench-takeover takeover WORKFILE ADAPTERS INJECTOR NEIGHFILE
 *	The same with the neighbours of NEIGHFILE (a neighbour list,
 *	neighbour-list.md) as the takeover's neighbour set, and the round's
 *	directed styles too: after the broadcast frames, one directed ARP
 *	request or NS per neighbour on each address's subnet. ALLOCS minus
 *	the run without NEIGHFILE is what the directed frames allocate.
 *
 *   bench-takeover inject IFNAME FRAMES BATCH [INJECTOR]
 *	Sends FRAMES copies of one ARP announcement on IFNAME through the
 *	injector, with ipto_injector_send() (BATCH 1) or
 *	ipto_injector_send_batch() of BATCH frames. Prints
 *	  FRAMES SECONDS FRAMES_PER_SECOND ALLOCS OPEN_US CLOSE_US
 *	(ALLOCS: heap allocations while sending; OPEN_US: how long
 *	ipto_injector_open() took; CLOSE_US: ipto_injector_close() and the
 *	last ipto_injector_unref(), i.e. what one port costs at teardown).
 *
 *   bench-takeover ports IFLIST FRAMES [INJECTOR]
 *	Opens a port on each interface of IFLIST ("pt1,pt2,..."), sends
 *	FRAMES frames round robin over them with ipto_injector_send_multi()
 *	in batches of 64, closes them all. Prints
 *	  PORTS OPEN_US FRAMES_PER_SECOND ALLOCS CLOSE_US SOCKETS
 *	(the time to open all ports; the heap allocations while sending; the
 *	time to close them all with the last unref; the packet sockets the
 *	process held with every port open).
 *
 *   bench-takeover ops IFNAME COUNT
 *	The netlink binder's calls one by one, COUNT times each on IFNAME:
 *	ipto_binder_adapter_get(), ipto_binder_devconf_get(), and
 *	ipto_binder_addr_add() / ipto_binder_addr_del() of 192.0.2.250/24.
 *	Prints the median microseconds and mean heap allocations of each:
 *	  LINK_GET_US DEVCONF_GET_US ADDR_ADD_US ADDR_DEL_US
 *	  LINK_GET_ALLOCS DEVCONF_GET_ALLOCS ADDR_ADD_ALLOCS ADDR_DEL_ALLOCS
 *
 *   bench-takeover allocs WORKFILE ADAPTERS ROUNDS [INJECTOR [NEIGHFILE]]
 *	A takeover whose schedule is one round plus ROUNDS refreshes 1 ms
 *	apart, driven by poll() and ipto_takeover_dispatch() (with NEIGHFILE,
 *	its directed frames too, as above). Counts the heap
 *	allocations made from the first dispatch to the last. Prints
 *	  ROUNDS FRAMES ALLOCS BYTES REPORT_ENTRIES
 *
 * Heap allocations are counted by this program's own malloc(), calloc(),
 * realloc() and posix_memalign()/aligned_alloc()/memalign(), which
 * interpose the C library's for libipto, libnl and libpcap alike (the
 * program exports them dynamically) and forward to glibc's __libc_*.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench-common.h"
#include "../packet-fds.h"

#include <ipto/ipto.h>

#include <malloc.h>
#include <poll.h>
#include <unistd.h>

/* ---- counting allocator ------------------------------------------------ */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);

static unsigned long n_allocs;
static unsigned long long n_bytes;

void *malloc(size_t size)
{
	n_allocs++;
	n_bytes += size;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	n_allocs++;
	n_bytes += n * size;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	n_allocs++;
	n_bytes += size;
	return __libc_realloc(p, size);
}

void free(void *p)
{
	__libc_free(p);
}

void *memalign(size_t align, size_t size)
{
	n_allocs++;
	n_bytes += size;
	return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

int posix_memalign(void **ret, size_t align, size_t size)
{
	void *p = memalign(align, size);

	if (!p)
		return ENOMEM;
	*ret = p;
	return 0;
}

static void count_reset(void)
{
	n_allocs = 0;
	n_bytes = 0;
}

/* ---- helpers ------------------------------------------------------------ */

static struct bench_ip work[BENCH_MAX_IPS];

static void check(int r, const char *what)
{
	if (r < 0)
		bench_die("%s: %s", what, ipto_strerror(r));
}

static struct ipto_injector *new_injector(struct ipto_ctx *ctx, const char *name)
{
	struct ipto_injector *inj;

	if (!name || strcmp(name, "packet") == 0)
		check(ipto_injector_new_packet(ctx, &inj), "packet injector");
	else if (strcmp(name, "pcap") == 0)
		check(ipto_injector_new_pcap(ctx, &inj), "pcap injector");
	else
		bench_die("unknown injector '%s' (packet, pcap)", name);
	return inj;
}

static struct ipto_addr to_addr(const struct bench_ip *ip)
{
	struct ipto_addr a;

	memset(&a, 0, sizeof(a));
	a.family = ip->family;
	a.prefixlen = ip->prefix;
	memcpy(a.bytes, ip->addr, ip->family == AF_INET ? 4 : 16);
	return a;
}

/* The neighbours of NEIGHFILE, or NULL (load_neighbours()). */
static struct ipto_neigh_set *neigh_set;

static void load_neighbours(struct ipto_ctx *ctx, const char *path)
{
	if (!path)
		return;
	check(ipto_neigh_set_new(ctx, &neigh_set), "neighbour set");
	check(ipto_neigh_set_load_list(neigh_set, path, IPTO_NEIGH_NODE_LIST), path);
}

static const struct ipto_announce_round directed_round[] = {
	{ .delay_ms = 0,
	  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
		    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) |
		    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_DIRECTED) |
		    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NS) },
};

/* The pool, plan and takeover of WORKFILE on ADAPTERS; not started. */
static struct ipto_takeover *prepare(struct ipto_ctx *ctx, const char *workfile,
				     char *adapters, const char *injector_name,
				     const struct ipto_announce_round *rounds,
				     size_t n_rounds, uint32_t refresh_ms,
				     uint32_t refresh_count, uint64_t *new_ns)
{
	const char *failed[] = { "a1" };
	struct ipto_binder *binder;
	struct ipto_injector *inj;
	struct ipto_pool *pool;
	struct ipto_plan *plan;
	struct ipto_takeover *t;
	char *ifname, *save = NULL;
	size_t n, i;
	uint64_t t0;
	int r;

	n = bench_read_work(workfile, work, BENCH_MAX_IPS, 0);
	check(ipto_binder_new_netlink(ctx, &binder), "netlink binder");
	inj = new_injector(ctx, injector_name);
	check(ipto_pool_new(ctx, &pool), "pool");
	check(ipto_pool_add_node(pool, "a1"), "add node");
	for (i = 0; i < n; i++) {
		struct ipto_addr a = to_addr(&work[i]);

		r = ipto_pool_add_node_ip(pool, "a1", &a);
		if (r < 0)
			bench_die("add %s: %s", work[i].text, ipto_strerror(r));
	}
	check(ipto_pool_add_standby(pool, "sb"), "add standby");
	for (ifname = strtok_r(adapters, ",", &save); ifname;
	     ifname = strtok_r(NULL, ",", &save)) {
		struct ipto_adapter_info info = { .sz = sizeof(info) };

		r = ipto_binder_adapter_get(binder, ifname, &info);
		if (r < 0)
			bench_die("adapter %s: %s", ifname, ipto_strerror(r));
		check(ipto_pool_add_adapter(pool, "sb", ifname, &info.mac, 0),
		      "add adapter");
	}
	{
		IPTO_OPTS(ipto_plan_opts, popts, .flags = IPTO_PLAN_SHARE_ADAPTERS);

		check(ipto_plan_new_takeover(pool, failed, 1, &popts, &plan), "plan");
	}
	{
		IPTO_OPTS(ipto_takeover_opts, topts, .binder = binder,
			  .injector = inj, .rounds = rounds,
			  .n_rounds = n_rounds, .refresh_ms = refresh_ms,
			  .refresh_count = refresh_count, .neighbours = neigh_set);

		if (neigh_set)
			topts.rounds = directed_round;
		t0 = bench_now();
		check(ipto_takeover_new(ctx, plan, &topts, &t), "takeover");
		*new_ns = bench_now() - t0;
	}
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
	ipto_injector_unref(inj);
	ipto_binder_unref(binder);
	return t;
}

static const struct ipto_announce_round one_round[] = {
	{ .delay_ms = 0,
	  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
		    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) },
};

static int run_takeover(struct ipto_ctx *ctx, char **argv, int argc)
{
	struct ipto_takeover *t;
	uint64_t new_ns, t_call, t_done, t_unref, checked = 0, bound = 0,
		 announced = 0;
	unsigned long allocs;
	unsigned long long bytes;
	size_t i, n;
	int r;

	if (argc < 4)
		return 2;
	load_neighbours(ctx, argc > 5 ? argv[5] : NULL);
	t = prepare(ctx, argv[2], argv[3], argc > 4 ? argv[4] : NULL,
		    one_round, 1, 0, 0, &new_ns);
	count_reset();
	t_call = bench_now();
	r = ipto_takeover_start(t);
	t_done = bench_now();
	allocs = n_allocs;
	bytes = n_bytes;
	check(r, "takeover start");
	n = ipto_takeover_get_report_count(t);
	for (i = 0; i < n; i++) {
		struct ipto_takeover_report rep = { .sz = sizeof(rep) };

		check(ipto_takeover_get_report(t, i, &rep), "report");
		if (rep.outcome == IPTO_REPORT_OUTCOME_FAILED)
			bench_die("report entry %zu failed: %s", i,
				  ipto_strerror(rep.result));
		switch (rep.op) {
		case IPTO_REPORT_OP_CHECK_ADAPTER:
			checked = rep.time_us;
			break;
		case IPTO_REPORT_OP_ADDR_ADD:
			bound = rep.time_us;
			break;
		case IPTO_REPORT_OP_ANNOUNCE:
			announced = rep.time_us;
			break;
		default:
			break;
		}
	}
	/* Teardown: the last reference closes the ports (and with them the
	 * injector's socket) and drops the backends. */
	t_unref = bench_now();
	ipto_takeover_unref(t);
	t_unref = bench_now() - t_unref;
	printf("%llu %llu %llu %lu %llu %llu %llu %llu %llu\n",
	       (unsigned long long)t_call, (unsigned long long)t_done,
	       (unsigned long long)new_ns, allocs, bytes,
	       (unsigned long long)checked, (unsigned long long)bound,
	       (unsigned long long)announced,
	       (unsigned long long)((t_done - t_call + t_unref) / 1000u));
	return 0;
}

static int run_inject(struct ipto_ctx *ctx, char **argv, int argc)
{
	static struct iovec iov[1024];
	struct ipto_injector_adapter *port;
	struct ipto_injector *inj;
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	struct ipto_binder *binder;
	struct ipto_addr ip;
	uint8_t frame[IPTO_FRAME_MAX_LEN];
	unsigned long total, batch, sent = 0, i;
	uint64_t t0, t1, t2, open_ns, close_ns;
	unsigned long allocs;
	int len, r;

	if (argc < 5)
		return 2;
	total = strtoul(argv[3], NULL, 10);
	batch = strtoul(argv[4], NULL, 10);
	if (batch < 1 || batch > 1024)
		bench_die("BATCH must be 1..1024");
	check(ipto_binder_new_netlink(ctx, &binder), "netlink binder");
	check(ipto_binder_adapter_get(binder, argv[2], &info), argv[2]);
	ipto_binder_unref(binder);
	check(ipto_addr_parse("192.0.2.250/24", &ip), "address");
	len = ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &info.mac, &ip,
			       NULL, frame, sizeof(frame));
	check(len, "frame");
	inj = new_injector(ctx, argc > 5 ? argv[5] : NULL);
	t0 = bench_now();
	check(ipto_injector_open(inj, argv[2], &port), "open");
	open_ns = bench_now() - t0;
	for (i = 0; i < batch; i++) {
		iov[i].iov_base = frame;
		iov[i].iov_len = (size_t)len;
	}
	count_reset();
	t0 = bench_now();
	while (sent < total) {
		if (batch == 1) {
			check(ipto_injector_send(port, frame, (size_t)len), "send");
			sent++;
			continue;
		}
		r = ipto_injector_send_batch(port, iov,
					     total - sent < batch ? total - sent : batch);
		check(r, "send_batch");
		sent += (unsigned long)r;
	}
	t1 = bench_now();
	allocs = n_allocs;
	t2 = bench_now();
	ipto_injector_close(port);
	ipto_injector_unref(inj);
	close_ns = bench_now() - t2;
	printf("%lu %.6f %.0f %lu %.1f %.1f\n", sent, (double)(t1 - t0) / 1e9,
	       (double)sent * 1e9 / (double)(t1 - t0), allocs, open_ns / 1e3,
	       close_ns / 1e3);
	return 0;
}

/* ports IFLIST FRAMES [INJECTOR]: open a port on each interface of IFLIST
 * ("pt1,pt2,..."), send FRAMES frames round robin over them with
 * ipto_injector_send_multi() in batches of 64, close every port and drop
 * the injector. Prints
 *   PORTS OPEN_US FRAMES_PER_SECOND ALLOCS CLOSE_US SOCKETS
 * (OPEN_US: opening all the ports; CLOSE_US: closing them all and the
 * last unref; SOCKETS: packet sockets the process held with every port
 * open). */
static int run_ports(struct ipto_ctx *ctx, char **argv, int argc)
{
	static struct ipto_injector_adapter *ports[256], *of[64];
	static struct iovec iov[64];
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	struct ipto_injector *inj;
	struct ipto_binder *binder;
	struct ipto_addr ip;
	uint8_t frame[IPTO_FRAME_MAX_LEN];
	char *ifname, *save = NULL;
	unsigned long total, sent = 0, allocs, i;
	uint64_t t0, open_ns, send_ns, close_ns;
	size_t n = 0, k;
	int len, r, sockets;

	if (argc < 4)
		return 2;
	total = strtoul(argv[3], NULL, 10);
	check(ipto_binder_new_netlink(ctx, &binder), "netlink binder");
	inj = new_injector(ctx, argc > 4 ? argv[4] : NULL);
	t0 = bench_now();
	for (ifname = strtok_r(argv[2], ",", &save); ifname && n < 256;
	     ifname = strtok_r(NULL, ",", &save))
		check(ipto_injector_open(inj, ifname, &ports[n++]), ifname);
	open_ns = bench_now() - t0;
	sockets = count_packet_fds();
	check(ipto_binder_adapter_get(binder, ipto_injector_adapter_get_ifname(ports[0]),
				   &info), "link");
	ipto_binder_unref(binder);
	check(ipto_addr_parse("192.0.2.250/24", &ip), "address");
	len = ipto_frame_build(ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &info.mac, &ip,
			       NULL, frame, sizeof(frame));
	check(len, "frame");
	for (i = 0; i < 64; i++) {
		iov[i].iov_base = frame;
		iov[i].iov_len = (size_t)len;
	}
	count_reset();
	t0 = bench_now();
	for (k = 0; sent < total;) {
		unsigned long b = total - sent < 64 ? total - sent : 64;

		for (i = 0; i < b; i++)
			of[i] = ports[k++ % n];
		r = ipto_injector_send_multi(inj, of, iov, b);
		check(r, "send_multi");
		sent += (unsigned long)r;
	}
	send_ns = bench_now() - t0;
	allocs = n_allocs;
	t0 = bench_now();
	for (k = 0; k < n; k++)
		ipto_injector_close(ports[k]);
	ipto_injector_unref(inj);
	close_ns = bench_now() - t0;
	printf("%zu %.1f %.0f %lu %.1f %d\n", n, open_ns / 1e3,
	       (double)sent * 1e9 / (double)send_ns, allocs, close_ns / 1e3,
	       sockets);
	return 0;
}

static int run_ops(struct ipto_ctx *ctx, char **argv, int argc)
{
	struct ipto_binder *binder;
	struct ipto_addr ip;
	static uint64_t samples[4][100000];
	uint64_t t;
	unsigned long allocs[4] = { 0 }, count, i, a;
	int k, v;

	if (argc < 4)
		return 2;
	count = strtoul(argv[3], NULL, 10);
	if (count < 1 || count > 100000)
		bench_die("COUNT must be 1..100000");
	check(ipto_binder_new_netlink(ctx, &binder), "netlink binder");
	check(ipto_addr_parse("192.0.2.250/24", &ip), "address");
	for (i = 0; i < count; i++) {
		for (k = 0; k < 4; k++) {
			struct ipto_adapter_info info = { .sz = sizeof(info) };

			a = n_allocs;
			t = bench_now();
			switch (k) {
			case 0:
				check(ipto_binder_adapter_get(binder, argv[2], &info), "adapter_get");
				break;
			case 1:
				check(ipto_binder_devconf_get(binder, argv[2],
							      IPTO_DEVCONF_ARP_IGNORE, &v),
				      "devconf_get");
				break;
			case 2:
				check(ipto_binder_addr_add(binder, argv[2], &ip, 0), "addr_add");
				break;
			case 3:
				check(ipto_binder_addr_del(binder, argv[2], &ip), "addr_del");
				break;
			}
			samples[k][i] = bench_now() - t;
			allocs[k] += n_allocs - a;
		}
	}
	printf("%.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f\n",
	       bench_median_us(samples[0], count), bench_median_us(samples[1], count),
	       bench_median_us(samples[2], count), bench_median_us(samples[3], count),
	       (double)allocs[0] / count,
	       (double)allocs[1] / count, (double)allocs[2] / count,
	       (double)allocs[3] / count);
	ipto_binder_unref(binder);
	return 0;
}

static int run_allocs(struct ipto_ctx *ctx, char **argv, int argc)
{
	struct ipto_takeover *t;
	uint64_t new_ns;
	unsigned long rounds, frames = 0;
	unsigned long allocs;
	unsigned long long bytes;
	size_t i, n, before;
	int r;

	if (argc < 5)
		return 2;
	rounds = strtoul(argv[4], NULL, 10);
	if (rounds < 1 || rounds > 1000000)
		bench_die("ROUNDS must be 1..1000000");
	load_neighbours(ctx, argc > 6 ? argv[6] : NULL);
	t = prepare(ctx, argv[2], argv[3], argc > 5 ? argv[5] : NULL,
		    one_round, 1, 1, (uint32_t)rounds, &new_ns);
	check(ipto_takeover_start(t), "takeover start");
	before = ipto_takeover_get_report_count(t);
	count_reset();
	do {
		struct pollfd pfd = { .fd = ipto_takeover_get_fd(t),
				      .events = POLLIN };

		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			bench_die("poll: %s", strerror(errno));
		r = ipto_takeover_dispatch(t);
		check(r, "dispatch");
	} while (r > 0);
	allocs = n_allocs;
	bytes = n_bytes;
	n = ipto_takeover_get_report_count(t);
	for (i = before; i < n; i++) {
		struct ipto_takeover_report rep = { .sz = sizeof(rep) };

		check(ipto_takeover_get_report(t, i, &rep), "report");
		if (rep.op == IPTO_REPORT_OP_ANNOUNCE)
			frames += rep.frames;
	}
	printf("%lu %lu %lu %llu %zu\n", rounds, frames, allocs, bytes, n);
	ipto_takeover_unref(t);
	return 0;
}

int main(int argc, char **argv)
{
	struct ipto_ctx *ctx;
	int r = 2;

	if (ipto_ctx_new(&ctx) < 0)
		bench_die("no context");
	if (argc >= 2 && strcmp(argv[1], "takeover") == 0)
		r = run_takeover(ctx, argv, argc);
	else if (argc >= 2 && strcmp(argv[1], "inject") == 0)
		r = run_inject(ctx, argv, argc);
	else if (argc >= 2 && strcmp(argv[1], "ops") == 0)
		r = run_ops(ctx, argv, argc);
	else if (argc >= 2 && strcmp(argv[1], "ports") == 0)
		r = run_ports(ctx, argv, argc);
	else if (argc >= 2 && strcmp(argv[1], "allocs") == 0)
		r = run_allocs(ctx, argv, argc);
	if (r == 2)
		fprintf(stderr,
			"usage: bench-takeover takeover WORKFILE ADAPTERS [INJECTOR [NEIGHFILE]]\n"
			"       bench-takeover inject IFNAME FRAMES BATCH [INJECTOR]\n"
			"       bench-takeover ports IFLIST FRAMES [INJECTOR]\n"
			"       bench-takeover ops IFNAME COUNT\n"
			"       bench-takeover allocs WORKFILE ADAPTERS ROUNDS [INJECTOR [NEIGHFILE]]\n");
	ipto_neigh_set_unref(neigh_set);
	ipto_ctx_unref(ctx);
	return r;
}
