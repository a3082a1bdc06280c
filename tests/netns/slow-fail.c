/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A takeover that is slow and then fails, deterministically, for the lock
 * race test (test-scenario-rec-race.sh). It takes the host lock as the
 * ipto command does, takes node "a1" (one address) over onto the adapters
 * given, through the netlink binder wrapped in a binder of our own (public
 * ops table) that, at the first ARP setting change on FAIL_IF, creates
 * READY, waits until GO exists (at most 30 s, by the clock) and fails that
 * change with -EIO: the takeover has bound its address and changed ARP
 * settings by then, and rolls them back after the wait.
 *
 * usage: slow-fail READY GO FAIL_IF ADDR/PREFIX IF...   (the last IF is
 *        the management adapter)
 * Exit: 1 when the takeover failed with -EIO as planned, 0 or 2 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ipto/ipto.h>

#include "wrap-binder.h"

struct slow {
	struct wrap_binder w;
	const char *ready, *go, *fail_if;
	bool fired;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first ARP setting change on FAIL_IF: READY, wait for GO, fail. */
static int s_before(struct wrap_binder *w, enum ipto_binder_op op,
		    const char *i)
{
	struct slow *s = w->data;

	if (op == IPTO_BINDER_OP_DEVCONF_SET && !s->fired &&
	    strcmp(i, s->fail_if) == 0) {
		double deadline = now() + 30.0;
		FILE *f = fopen(s->ready, "w");

		s->fired = true;
		if (f)
			fclose(f);
		while (access(s->go, F_OK) != 0 && now() < deadline) {
			struct timespec pause = { 0, 5 * 1000000L };

			nanosleep(&pause, NULL);
		}
		return -EIO;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct slow s = { .w = { .before = s_before } };
	struct ipto_ctx *ctx = NULL;
	struct ipto_pool *pool = NULL;
	struct ipto_plan *plan = NULL;
	struct ipto_binder *binder = NULL;
	struct ipto_injector *inj = NULL;
	struct ipto_takeover *t = NULL;
	struct ipto_lock *lock = NULL;
	struct ipto_addr ip;
	const char *fail[] = { "a1" };
	int i, r;

	if (argc < 6 || ipto_addr_parse(argv[4], &ip) < 0) {
		fprintf(stderr, "usage: slow-fail READY GO FAIL_IF ADDR/PREFIX IF...\n");
		return 2;
	}
	s.ready = argv[1];
	s.go = argv[2];
	s.fail_if = argv[3];
	s.w.data = &s;
	if (ipto_ctx_new(&ctx) < 0 || ipto_binder_new_netlink(ctx, &s.w.real) < 0 ||
	    ipto_injector_new_packet(ctx, &inj) < 0 ||
	    wrap_binder_new(ctx, &s.w, true, &binder) < 0 ||
	    ipto_pool_new(ctx, &pool) < 0 || ipto_pool_add_node(pool, "a1") < 0 ||
	    ipto_pool_add_node_ip(pool, "a1", &ip) < 0 ||
	    ipto_pool_add_standby(pool, "sb") < 0)
		return 2;
	for (i = 5; i < argc; i++) {
		struct ipto_adapter_info info = { .sz = sizeof(info) };

		if (ipto_binder_adapter_get(s.w.real, argv[i], &info) < 0 ||
		    ipto_pool_add_adapter(pool, "sb", argv[i], &info.mac,
					  i == argc - 1 ? IPTO_ADAPTER_MANAGEMENT : 0) < 0)
			return 2;
	}
	r = ipto_lock_acquire(ctx, NULL, &lock);
	if (r < 0) {
		fprintf(stderr, "slow-fail: lock: %s\n", ipto_strerror(r));
		return 2;
	}
	r = ipto_pool_load_occupancy(pool, "sb", s.w.real);
	if (r >= 0)
		r = ipto_plan_new_takeover(pool, fail, 1, NULL, &plan);
	if (r >= 0) {
		IPTO_OPTS(ipto_takeover_opts, o, .binder = binder, .injector = inj);

		r = ipto_takeover_new(ctx, plan, &o, &t);
	}
	if (r >= 0)
		r = ipto_takeover_start(t);
	printf("slow-fail: takeover of a1: %s\n", ipto_strerror(r));
	ipto_takeover_unref(t);
	ipto_lock_release(lock);
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
	ipto_injector_unref(inj);
	ipto_binder_unref(binder);
	ipto_binder_unref(s.w.real);
	ipto_ctx_unref(ctx);
	return r == -EIO ? 1 : r == 0 ? 0 : 2;
}
