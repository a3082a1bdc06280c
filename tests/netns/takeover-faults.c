/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Real-kernel rollback test, run inside a namespace made by
 * test-takeover-faults.sh. It takes over two IPv4 addresses and one IPv6
 * address onto the adapters named on the command line, through the
 * netlink binder wrapped in a fault-injecting binder of our own (public
 * ops table), and fails mutating call k for k = 1, 2, ... until the
 * takeover succeeds. After every failed run the system, as `ip addr` and
 * sysctl show it, must be exactly as before. Then it checks the success
 * and that undo restores the start.
 *
 * usage: takeover-faults INJECTOR IF1 IF2   (INJECTOR: packet | pcap)
 * Exit: 0 pass, 1 fail, 77 skip (no privileges).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ipto/ipto.h>

#include "wrap-binder.h"

struct faulty {
	struct wrap_binder w;
	unsigned int calls;  /* mutating calls so far */
	unsigned int fail_at; /* fail this one (1-based); 0 = never */
};

static int faulty_hit(struct wrap_binder *w, enum ipto_binder_op op,
		      const char *ifname)
{
	struct faulty *f = w->data;

	(void)op;
	(void)ifname;
	return ++f->calls == f->fail_at ? -EIO : 0;
}

static const char *if1, *if2;

/* What a user would look at: addresses, link state and ARP sysctls. */
static char *snapshot(void)
{
	char cmd[512], *buf;
	size_t len = 0, cap = 65536, n;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "ip -br addr show dev %s; ip -br addr show dev %s; "
		 "ip -br link show dev %s; ip -br link show dev %s; "
		 "for i in %s %s; do for k in arp_ignore arp_announce; do "
		 "echo $i $k $(cat /proc/sys/net/ipv4/conf/$i/$k); done; done",
		 if1, if2, if1, if2, if1, if2);
	buf = calloc(1, cap);
	p = popen(cmd, "r");
	if (!buf || !p) {
		perror("snapshot");
		exit(1);
	}
	while ((n = fread(buf + len, 1, cap - 1 - len, p)) > 0)
		len += n;
	pclose(p);
	return buf;
}

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
			exit(1);                                          \
		}                                                         \
	} while (0)

static void quiet(struct ipto_ctx *c, enum ipto_log_priority p, void *u,
		  const char *fmt, va_list ap)
{
	(void)c; (void)p; (void)u; (void)fmt; (void)ap;
}

int main(int argc, char **argv)
{
	struct ipto_ctx *ctx;
	struct ipto_pool *pool;
	struct ipto_plan *plan;
	struct ipto_binder *real, *binder;
	struct ipto_injector *inj;
	struct faulty f = { .w = { .before = faulty_hit } };
	struct ipto_addr a;
	struct ipto_adapter_info li = { .sz = sizeof(li) };
	const char *failed[] = { "alpha" };
	const char *ips[] = { "192.0.2.10/24", "198.51.100.10/24", "2001:db8::10/64" };
	char *before, *after;
	unsigned int k, failures = 0;
	size_t i;
	int r = -1;

	if (argc != 4) {
		fprintf(stderr, "usage: takeover-faults packet|pcap IF1 IF2\n");
		return 2;
	}
	if1 = argv[2];
	if2 = argv[3];
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: needs root in a namespace\n");
		return 77;
	}
	CHECK(ipto_ctx_new(&ctx) == 0, "ctx");
	if (!getenv("IPTO_TEST_VERBOSE")) ipto_ctx_set_log_fn(ctx, quiet, IPTO_LOG_PRIORITY_ERROR, NULL);
	CHECK(ipto_binder_new_netlink(ctx, &real) == 0, "netlink binder");
	r = strcmp(argv[1], "pcap") == 0 ? ipto_injector_new_pcap(ctx, &inj)
					 : ipto_injector_new_packet(ctx, &inj);
	CHECK(r == 0, "injector %s: %s", argv[1], ipto_strerror(r));
	f.w.real = real;
	f.w.data = &f;
	CHECK(wrap_binder_new(ctx, &f.w, false, &binder) == 0, "faulty binder");

	/* alpha has three addresses; the standby two adapters, so one
	 * adapter must carry two: share them. */
	CHECK(ipto_pool_new(ctx, &pool) == 0, "pool");
	CHECK(ipto_pool_add_node(pool, "alpha") == 0, "node");
	for (i = 0; i < 3; i++) {
		CHECK(ipto_addr_parse(ips[i], &a) == 0, "addr");
		CHECK(ipto_pool_add_node_ip(pool, "alpha", &a) == 0, "node ip");
	}
	CHECK(ipto_pool_add_standby(pool, "sb") == 0, "standby");
	CHECK(ipto_binder_adapter_get(real, if1, &li) == 0, "link %s", if1);
	CHECK(ipto_pool_add_adapter(pool, "sb", if1, &li.mac, 0) == 0, "adapter 1");
	CHECK(ipto_binder_adapter_get(real, if2, &li) == 0, "link %s", if2);
	CHECK(ipto_pool_add_adapter(pool, "sb", if2, &li.mac, 0) == 0, "adapter 2");
	{
		IPTO_OPTS(ipto_plan_opts, po, .flags = IPTO_PLAN_SHARE_ADAPTERS);

		r = ipto_plan_new_takeover(pool, failed, 1, &po, &plan);
		CHECK(r == 0, "plan: %s", ipto_strerror(r));
	}

	CHECK(ipto_binder_adapter_get(real, if1, &li) == 0, "adapter_get");
	CHECK(li.arp_ignore == 0 && li.arp_announce == 0,
	      "adapter_get gave arp_ignore %d arp_announce %d before", li.arp_ignore,
	      li.arp_announce);
	before = snapshot();
	for (k = 1; k < 100; k++) {
		struct ipto_takeover *t;
		IPTO_OPTS(ipto_takeover_opts, o, .binder = binder, .injector = inj);
		struct ipto_announce_round once = { 0,
			IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
			IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) };

		o.rounds = &once;
		o.n_rounds = 1;
		f.calls = 0;
		f.fail_at = k;
		CHECK(ipto_takeover_new(ctx, plan, &o, &t) == 0, "takeover_new");
		r = ipto_takeover_start(t);
		after = snapshot();
		if (r == 0) {
			f.fail_at = 0;
			CHECK(strcmp(before, after) != 0, "success changed nothing");
			CHECK(strstr(after, "192.0.2.10/24"), "v4 address missing:\n%s", after);
			CHECK(strstr(after, "198.51.100.10/24"), "v4 address missing:\n%s", after);
			CHECK(strstr(after, "2001:db8::10/64"), "v6 address missing:\n%s", after);
			/* adapter_get reads the ARP settings with the link. */
			CHECK(ipto_binder_adapter_get(real, if1, &li) == 0, "adapter_get");
			CHECK(li.arp_ignore == 1 && li.arp_announce == 2,
			      "adapter_get gave arp_ignore %d arp_announce %d",
			      li.arp_ignore, li.arp_announce);
			CHECK(ipto_takeover_undo(t) == 0, "undo");
			free(after);
			after = snapshot();
			CHECK(strcmp(before, after) == 0,
			      "undo left:\n%s\ninstead of:\n%s", after, before);
			free(after);
			ipto_takeover_unref(t);
			break;
		}
		CHECK(r == -EIO, "fault %u gave %s", k, ipto_strerror(r));
		CHECK(strcmp(before, after) == 0,
		      "fault at mutating call %u left:\n%s\ninstead of:\n%s", k, after,
		      before);
		free(after);
		failures++;
		ipto_takeover_unref(t);
	}
	CHECK(r == 0, "never succeeded");

	/* The netlink binder's own batch: every request its own answer. */
	{
		struct ipto_addr_req reqs[4] = {
			{ .ifname = if1 }, { .ifname = if1 },
			{ .ifname = "nosuchif0" }, { .ifname = if2 },
		};
		int res[4] = { 1, 1, 1, 1 };

		ipto_addr_parse("192.0.2.50/24", &reqs[0].addr);
		reqs[1].addr = reqs[0].addr;
		ipto_addr_parse("192.0.2.51/24", &reqs[2].addr);
		ipto_addr_parse("198.51.100.50/24", &reqs[3].addr);
		CHECK(ipto_binder_addr_add_batch(real, reqs, 4, res) == 0, "batch");
		CHECK(res[0] == 0 && res[1] == -EEXIST && res[2] == -ENODEV &&
		      res[3] == 0, "batch results %d %d %d %d", res[0], res[1],
		      res[2], res[3]);
		after = snapshot();
		CHECK(strstr(after, "192.0.2.50/24") && strstr(after, "198.51.100.50/24") &&
		      !strstr(after, "192.0.2.51"), "batch left:\n%s", after);
		free(after);
		CHECK(ipto_binder_addr_del(real, if1, &reqs[0].addr) == 0, "del");
		CHECK(ipto_binder_addr_del(real, if2, &reqs[3].addr) == 0, "del");
	}

	/* A real kernel refusal inside the batch (IPv6 disabled on both
	 * adapters): the IPv4 addresses the same batch added are removed. */
	{
		struct ipto_takeover *t;
		char cmd[256];
		IPTO_OPTS(ipto_takeover_opts, o, .binder = real, .injector = inj);

		snprintf(cmd, sizeof(cmd),
			 "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 net.ipv6.conf.%s.disable_ipv6=1",
			 if1, if2);
		CHECK(system(cmd) == 0, "disable ipv6");
		free(before);
		before = snapshot();
		CHECK(ipto_takeover_new(ctx, plan, &o, &t) == 0, "takeover_new");
		r = ipto_takeover_start(t);
		after = snapshot();
		CHECK(r < 0, "takeover with IPv6 disabled succeeded");
		CHECK(strcmp(before, after) == 0,
		      "refused IPv6 left:\n%s\ninstead of:\n%s", after, before);
		free(after);
		ipto_takeover_unref(t);
		snprintf(cmd, sizeof(cmd),
			 "sysctl -qw net.ipv6.conf.%s.disable_ipv6=0 net.ipv6.conf.%s.disable_ipv6=0",
			 if1, if2);
		CHECK(system(cmd) == 0, "enable ipv6");
	}
	/* devconf x2 per IPv4 adapter, 3 addresses, 2 links raised. */
	CHECK(failures >= 7, "only %u faults were injected", failures);
	printf("ok: %u faults at every mutating step, each rolled back to the "
	       "exact prior state; then success and undo; the netlink batch "
	       "answers each address, and a kernel refusal inside it is rolled "
	       "back (%s injector)\n",
	       failures, argv[1]);
	free(before);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
	ipto_injector_unref(inj);
	ipto_binder_unref(binder);
	ipto_binder_unref(real);
	ipto_ctx_unref(ctx);
	return 0;
}
