/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-plan: how the pool check and takeover planning scale.
 *
 * For clusters of 10^3 .. 10^6 IPs (active nodes with 1..16 IPs each,
 * drawn from a fixed seed) plus one cluster of exactly 100,000 nodes, it
 * builds the pool, checks the capacity rule, plans the failure of one node
 * and of 10% of the nodes at once (N+M with M standbys of 16 adapters,
 * enough for that 10%), commits that plan, plans and commits its release,
 * and renders it as JSON. Times are wall-clock; check and planning show
 * the best of three runs, the rest one run.
 *
 * usage: bench-plan [MAX_IPS]   (default 1000000)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <ipto/ipto.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench-plan: %s: %s\n", what, ipto_strerror(r));
	exit(1);
}

static struct ipto_mac mac_of(uint32_t kind, uint32_t n)
{
	struct ipto_mac m = { { 0x02, (uint8_t)kind, (uint8_t)(n >> 24),
				(uint8_t)(n >> 16), (uint8_t)(n >> 8),
				(uint8_t)n } };

	return m;
}

/* Check and planning are timed REPEAT times; the table shows the best. */
#define REPEAT 3

struct row {
	size_t ips, nodes, standbys, adapters, failed, steps;
	double build, check, plan1, plan_many, commit, release, json;
};

/* nodes == 0: as many nodes as it takes to reach target_ips. */
static void run(size_t target_ips, size_t want_nodes, struct row *row)
{
	struct ipto_ctx *ctx = NULL;
	struct ipto_pool *pool = NULL;
	struct ipto_plan *plan = NULL, *rel = NULL;
	size_t *counts, n_nodes = 0, total = 0, biggest = 0, i, j;
	const char **failed;
	char **names;
	uint64_t seed = 42;
	double t;
	char *json = NULL, sb[32], ifname[16];
	int r, rep;

	/* draw the node sizes first: 1..16 IPs each */
	counts = malloc((want_nodes ? want_nodes : target_ips) * sizeof(*counts));
	if (!counts)
		die("malloc", -ENOMEM);
	while (want_nodes ? n_nodes < want_nodes : total < target_ips) {
		size_t k = 1 + (size_t)(rng(&seed) % 16);

		if (!want_nodes && total + k > target_ips)
			k = target_ips - total;
		counts[n_nodes++] = k;
		total += k;
	}
	names = malloc(n_nodes * sizeof(*names));
	failed = malloc(n_nodes * sizeof(*failed));
	if (!names || !failed)
		die("malloc", -ENOMEM);

	if ((r = ipto_ctx_new(&ctx)) < 0)
		die("ctx", r);
	ipto_ctx_set_log_fn(ctx, NULL, IPTO_LOG_PRIORITY_ERROR, NULL);
	row->ips = total;
	row->nodes = n_nodes;
	row->failed = n_nodes / 10 ? n_nodes / 10 : 1;
	/* M standbys of 16 adapters: each holds at least one whole node,
	 * so M = failed nodes absorbs any such failure. */
	row->standbys = row->failed;
	row->adapters = row->standbys * 16;

	t = now_ms();
	if ((r = ipto_pool_new(ctx, &pool)) < 0)
		die("pool", r);
	for (i = 0; i < n_nodes; i++) {
		struct ipto_mac m = mac_of(0, (uint32_t)i);
		char name[32];

		snprintf(name, sizeof(name), "node%07zu", i);
		if ((r = ipto_pool_add_node(pool, name)) < 0)
			die("add node", r);
		names[i] = strdup(name);
		if ((r = ipto_pool_add_node_mac(pool, name, &m)) < 0)
			die("add node MAC", r);
		for (j = 0; j < counts[i]; j++) {
			/* 2001:db8::/32, one /64 per node, 16 hosts each */
			struct ipto_addr a = { .family = AF_INET6, .prefixlen = 64 };

			a.bytes[0] = 0x20;
			a.bytes[1] = 0x01;
			a.bytes[2] = 0x0d;
			a.bytes[3] = 0xb8;
			a.bytes[4] = (uint8_t)(i >> 24);
			a.bytes[5] = (uint8_t)(i >> 16);
			a.bytes[6] = (uint8_t)(i >> 8);
			a.bytes[7] = (uint8_t)i;
			a.bytes[15] = (uint8_t)(j + 1);
			if ((r = ipto_pool_add_node_ip(pool, name, &a)) < 0)
				die("add IP", r);
		}
		if (counts[i] > biggest)
			biggest = counts[i];
	}
	for (i = 0; i < row->standbys; i++) {
		snprintf(sb, sizeof(sb), "standby%06zu", i);
		if ((r = ipto_pool_add_standby(pool, sb)) < 0)
			die("add standby", r);
		for (j = 0; j < 16; j++) {
			struct ipto_mac m = mac_of(1, (uint32_t)(i * 16 + j));

			snprintf(ifname, sizeof(ifname), "eth%zu", j);
			if ((r = ipto_pool_add_adapter(pool, sb, ifname, &m,
						       j == 0 ? IPTO_ADAPTER_MANAGEMENT : 0)) < 0)
				die("add adapter", r);
		}
	}
	row->build = now_ms() - t;

	/* The check caches a pass until the description changes, so each
	 * round adds an empty standby first (which re-sorts the standbys:
	 * part of the cost). */
	row->check = 1e30;
	for (rep = 0; rep < REPEAT; rep++) {
		snprintf(sb, sizeof(sb), "empty%d", rep);
		if ((r = ipto_pool_add_standby(pool, sb)) < 0)
			die("add standby", r);
		t = now_ms();
		if ((r = ipto_pool_check(pool)) < 0)
			die("check", r);
		t = now_ms() - t;
		row->check = t < row->check ? t : row->check;
	}

	/* one failure: the first node of the largest size */
	for (i = 0; counts[i] != biggest; i++)
		;
	row->plan1 = 1e30;
	for (rep = 0; rep < REPEAT; rep++) {
		t = now_ms();
		if ((r = ipto_plan_new_takeover(pool, (const char *const *)&names[i],
					    1, NULL, &plan)) < 0)
			die("plan one", r);
		t = now_ms() - t;
		row->plan1 = t < row->plan1 ? t : row->plan1;
		ipto_plan_unref(plan);
	}

	/* 10% at once: every tenth node */
	for (i = 0; i < row->failed; i++)
		failed[i] = names[i * 10];
	row->plan_many = 1e30;
	for (rep = 0; rep < REPEAT; rep++) {
		if (rep)
			ipto_plan_unref(plan);
		t = now_ms();
		if ((r = ipto_plan_new_takeover(pool, failed, row->failed, NULL,
					    &plan)) < 0)
			die("plan many", r);
		t = now_ms() - t;
		row->plan_many = t < row->plan_many ? t : row->plan_many;
	}
	row->steps = ipto_plan_get_step_count(plan);

	t = now_ms();
	if ((r = ipto_pool_commit(pool, plan)) < 0)
		die("commit", r);
	row->commit = now_ms() - t;

	t = now_ms();
	if ((r = ipto_plan_new_release(pool, failed, row->failed, &rel)) < 0)
		die("release", r);
	if ((r = ipto_pool_commit(pool, rel)) < 0)
		die("commit release", r);
	row->release = now_ms() - t;

	t = now_ms();
	if ((r = ipto_plan_format(plan, IPTO_FORMAT_JSON, &json)) < 0)
		die("json", r);
	row->json = now_ms() - t;

	free(json);
	ipto_plan_unref(plan);
	ipto_plan_unref(rel);
	ipto_pool_unref(pool);
	ipto_ctx_unref(ctx);
	for (i = 0; i < n_nodes; i++)
		free(names[i]);
	free(names);
	free(failed);
	free(counts);
}

static void print_row(const struct row *r)
{
	printf("%9zu %8zu %7zu %8zu | %9.2f %8.3f %7.3f | %8zu %9.3f %7.3f %8.3f %8.3f | %7.1f %7.1f\n",
	       r->ips, r->nodes, r->standbys, r->adapters, r->build, r->check,
	       r->plan1, r->steps, r->plan_many, r->commit, r->release,
	       r->json, r->check * 1e6 / (double)r->ips,
	       r->plan_many * 1e6 / (double)(r->steps ? r->steps : 1));
}

int main(int argc, char **argv)
{
	size_t max = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, n;
	struct row row;

	printf("libipto %s: pool check and takeover planning (ms; check and plans best of 3)\n",
	       ipto_version());
	printf("plan 1 = one node with 16 IPs fails; plan 10%% = every tenth node fails at once\n\n");
	printf("%9s %8s %7s %8s | %9s %8s %7s | %8s %9s %7s %8s %8s | %7s %7s\n",
	       "IPs", "nodes", "standby", "adapters", "build", "check",
	       "plan 1", "steps", "plan 10%", "commit", "release", "json",
	       "ns/IP", "ns/step");
	printf("%9s %8s %7s %8s | %9s %8s %7s | %8s %9s %7s %8s %8s | %7s %7s\n",
	       "", "", "", "", "", "", "", "", "", "", "", "", "check",
	       "plan");
	for (n = 1000; n <= max; n *= 10) {
		memset(&row, 0, sizeof(row));
		run(n, 0, &row);
		print_row(&row);
		fflush(stdout);
	}
	if (max >= 1000000) {
		memset(&row, 0, sizeof(row));
		run(0, 100000, &row);
		printf("\n100,000 active nodes with 1..16 IPs each:\n");
		print_row(&row);
		printf("check + plan of 10%% failing: %.1f ms\n",
		       row.check + row.plan_many);
	}
	return 0;
}
