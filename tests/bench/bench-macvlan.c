/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-macvlan PARENT REPS N...: a takeover of a node with N addresses
 * onto N virtual (macvlan) takeover adapters on PARENT, created on demand
 * by the takeover, against one onto the same adapters pre-created with
 * ipto_macvlan_setup(); and what creating and deleting one link costs.
 * Runs in the calling thread's network namespace (tests/bench/macvlan.sh
 * gives it one) and prints a table. Times are from ipto_takeover_start()
 * to its return: every address bound and its first announcement sent; for
 * a release, every address removed (the emptied on-demand links are left
 * to ipto_macvlan_reap(), timed apart, per link).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ipto/ipto.h>

#define MAX_REPS 50

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench-macvlan: %s: %s\n", what, ipto_strerror(r));
	exit(1);
}

/* The time since @t0 per link of a call that had @r (dies unless it
 * handled the @n links). */
static uint64_t per_link(uint64_t t0, int r, unsigned int n, const char *what)
{
	uint64_t ns = (now_ns() - t0) / n;

	if (r != (int)n)
		die(what, r < 0 ? r : -EIO);
	return ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* "median [min-max]" in ms */
static const char *stats(uint64_t *v, size_t n, char *buf, size_t len)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	snprintf(buf, len, "%.2f [%.2f-%.2f]", v[n / 2] / 1e6, v[0] / 1e6,
		 v[n - 1] / 1e6);
	return buf;
}

struct bench {
	struct ipto_ctx *ctx;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	struct ipto_pool *pool;
	const char *parent;
};

static void make_pool(struct bench *b, unsigned int n)
{
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	unsigned int i;
	int r;

	ipto_pool_unref(b->pool);
	b->pool = NULL;
	if ((r = ipto_pool_new(b->ctx, &b->pool)) < 0)
		die("pool", r);
	if ((r = ipto_binder_adapter_get(b->binder, b->parent, &info)) < 0)
		die(b->parent, r);
	ipto_pool_add_node(b->pool, "a1");
	for (i = 0; i < n; i++) {
		char text[32];
		struct ipto_addr a;

		snprintf(text, sizeof(text), "198.51.100.%u/24", 10 + i);
		ipto_addr_parse(text, &a);
		if ((r = ipto_pool_add_node_ip(b->pool, "a1", &a)) < 0)
			die(text, r);
	}
	ipto_pool_add_standby(b->pool, "sb");
	if ((r = ipto_pool_add_adapter(b->pool, "sb", b->parent, &info.mac,
				       IPTO_ADAPTER_MANAGEMENT)) < 0)
		die("parent adapter", r);
	if ((r = ipto_pool_add_macvlan_adapters(b->pool, "sb", b->parent, n,
						NULL)) < 0)
		die("macvlan adapters", r);
}

static const struct ipto_announce_round one_round[] = {
	{ .delay_ms = 0, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) },
};

/* Runs a plan; returns the time start() took. */
static uint64_t run(struct bench *b, bool release)
{
	IPTO_OPTS(ipto_takeover_opts, o, .binder = b->binder,
		  .injector = b->injector, .rounds = one_round, .n_rounds = 1,
		  .standby = "sb");
	const char *nodes[] = { "a1" };
	struct ipto_plan *plan = NULL;
	struct ipto_takeover *t = NULL;
	uint64_t t0, t1;
	int r;

	r = release ? ipto_plan_new_release(b->pool, nodes, 1, &plan)
		    : ipto_plan_new_takeover(b->pool, nodes, 1, NULL, &plan);
	if (r < 0)
		die("plan", r);
	if ((r = ipto_takeover_new(b->ctx, plan, &o, &t)) < 0)
		die("takeover_new", r);
	t0 = now_ns();
	r = ipto_takeover_start(t);
	t1 = now_ns();
	if (r < 0)
		die(release ? "release" : "takeover", r);
	if ((r = ipto_takeover_run(t)) < 0)
		die("schedule", r);
	ipto_takeover_unref(t);
	if ((r = ipto_pool_commit(b->pool, plan)) < 0)
		die("commit", r);
	ipto_plan_unref(plan);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	struct bench b = { 0 };
	unsigned int reps;
	int a, r;

	if (argc < 4) {
		fprintf(stderr, "usage: bench-macvlan PARENT REPS N...\n");
		return 2;
	}
	b.parent = argv[1];
	reps = (unsigned int)atoi(argv[2]);
	if (reps < 1 || reps > MAX_REPS)
		return 2;
	if ((r = ipto_ctx_new(&b.ctx)) < 0 ||
	    (r = ipto_binder_new_netlink(b.ctx, &b.binder)) < 0 ||
	    (r = ipto_injector_new_packet(b.ctx, &b.injector)) < 0)
		die("backends", r);
	printf("%-4s %-24s %-24s %-24s %-24s %-20s %-20s %-20s\n", "N",
	       "on-demand takeover ms", "pre-created takeover ms", "on-demand release ms",
	       "pre-created release ms", "create ms/link", "reap ms/link",
	       "delete ms/link");
	for (a = 3; a < argc; a++) {
		uint64_t od[MAX_REPS], pre[MAX_REPS], rel[MAX_REPS], prel[MAX_REPS],
			 cr[MAX_REPS], reap[MAX_REPS], del[MAX_REPS];
		unsigned int n = (unsigned int)atoi(argv[a]), i;
		char s1[64], s2[64], s3[64], s4[64], s5[64], s6[64], s7[64];

		if (n < 1 || n > 200)
			return 2;
		make_pool(&b, n);
		for (i = 0; i < reps; i++) {
			uint64_t t0;

			/* on demand: the takeover creates, the release empties,
			 * the reaper deletes */
			od[i] = run(&b, false);
			rel[i] = run(&b, true);
			t0 = now_ns();
			r = ipto_macvlan_reap(b.binder, "sb", NULL);
			reap[i] = per_link(t0, r, n, "reap");
			/* pre-created: made and removed outside the timing */
			t0 = now_ns();
			r = ipto_macvlan_setup(b.pool, "sb", b.binder, IPTO_MACVLAN_KEEP);
			cr[i] = per_link(t0, r, n, "setup");
			pre[i] = run(&b, false);
			prel[i] = run(&b, true);
			t0 = now_ns();
			r = ipto_macvlan_cleanup(b.binder, "sb", IPTO_MACVLAN_KEEP);
			del[i] = per_link(t0, r, n, "cleanup");
		}
		printf("%-4u %-24s %-24s %-24s %-24s %-20s %-20s %-20s\n", n,
		       stats(od, reps, s1, sizeof(s1)), stats(pre, reps, s2, sizeof(s2)),
		       stats(rel, reps, s3, sizeof(s3)), stats(prel, reps, s4, sizeof(s4)),
		       stats(cr, reps, s5, sizeof(s5)), stats(reap, reps, s6, sizeof(s6)),
		       stats(del, reps, s7, sizeof(s7)));
		fflush(stdout);
	}
	ipto_pool_unref(b.pool);
	ipto_injector_unref(b.injector);
	ipto_binder_unref(b.binder);
	ipto_ctx_unref(b.ctx);
	return 0;
}
