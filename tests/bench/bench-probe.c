/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-probe: what ipto_probe() costs (doc/watch.md). Run by
 * tests/bench/bench-probe.sh inside the standby's namespace of a LAN it
 * builds; standalone:
 *
 *   bench-probe IFNAME TAKEN4 TAKEN6 [REPS]
 *
 * TAKEN4/TAKEN6 are addresses another host on the LAN holds; the free
 * ones are 198.51.100.1.. and 2001:db8:ffff::1.. (nobody holds them on
 * the bench LAN). Prints one table: for each setting (count x interval,
 * wait), family and number of addresses probed at once, the wall time of
 * the call (CLOCK_MONOTONIC), median [min-max] over REPS (default 5).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ipto/ipto.h>

#define MAXN 256

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct ipto_probe_target t[MAXN];

static void row(struct ipto_ctx *ctx, struct ipto_binder *b, const char *ifname,
		unsigned int count, unsigned int interval, unsigned int wait,
		int family, const char *taken, size_t n, int reps)
{
	IPTO_OPTS(ipto_probe_opts, o, .binder = b, .count = count,
		  .interval_ms = interval, .wait_ms = wait);
	double v[64];
	size_t i;
	int k, r = 0;
	char set[48];

	for (i = 0; i < n; i++) {
		char s[64];

		t[i].ifname = ifname;
		if (taken)
			snprintf(s, sizeof(s), "%s", taken);
		else if (family == 4)
			snprintf(s, sizeof(s), "198.51.100.%zu/24", i + 1);
		else
			snprintf(s, sizeof(s), "2001:db8:ffff::%zx/64", i + 1);
		if (ipto_addr_parse(s, &t[i].addr) < 0) {
			fprintf(stderr, "bench-probe: bad address %s\n", s);
			exit(2);
		}
	}
	for (k = 0; k < reps; k++) {
		double t0 = now_ms();

		r = ipto_probe(ctx, t, n, &o, NULL);
		v[k] = now_ms() - t0;
		if (r != (taken ? -EADDRINUSE : 0)) {
			fprintf(stderr, "bench-probe: unexpected result %s\n", ipto_strerror(r));
			exit(1);
		}
	}
	qsort(v, (size_t)reps, sizeof(*v), cmp);
	snprintf(set, sizeof(set), "%ux%ums, wait %ums", count, interval, wait);
	printf("%-26s v%d   %-5zu %-7s %8.1f [%.1f-%.1f]\n", set, family, n,
	       taken ? "in use" : "free", v[reps / 2], v[0], v[reps - 1]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct ipto_ctx *ctx;
	struct ipto_binder *b;
	int reps = argc > 4 ? atoi(argv[4]) : 5;
	static const struct { unsigned int c, i, w; } set[] = {
		{ 1, 1, 100 }, { 3, 200, 200 }, { 3, 1000, 2000 },
	};
	size_t s;

	if (argc < 4 || reps < 1 || reps > 64) {
		fprintf(stderr, "usage: bench-probe IFNAME TAKEN4 TAKEN6 [REPS]\n");
		return 2;
	}
	if (ipto_ctx_new(&ctx) < 0 || ipto_binder_new_netlink(ctx, &b) < 0)
		return 1;
	printf("%-26s fam  N     result  ms median [min-max], %d reps\n", "setting", reps);
	for (s = 0; s < sizeof(set) / sizeof(*set); s++) {
		int r = set[s].c == 3 && set[s].i == 1000 ? (reps < 3 ? reps : 3) : reps;

		row(ctx, b, argv[1], set[s].c, set[s].i, set[s].w, 4, NULL, 1, r);
		row(ctx, b, argv[1], set[s].c, set[s].i, set[s].w, 6, NULL, 1, r);
		row(ctx, b, argv[1], set[s].c, set[s].i, set[s].w, 4, argv[2], 1, reps);
		row(ctx, b, argv[1], set[s].c, set[s].i, set[s].w, 6, argv[3], 1, reps);
	}
	row(ctx, b, argv[1], 3, 200, 200, 4, NULL, 16, reps);
	row(ctx, b, argv[1], 3, 200, 200, 4, NULL, 250, reps);
	row(ctx, b, argv[1], 3, 200, 200, 6, NULL, 256, reps);
	ipto_binder_unref(b);
	ipto_ctx_unref(ctx);
	return 0;
}
