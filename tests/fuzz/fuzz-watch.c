/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: a received frame through the watcher (ipto_watch_feed:
 * ipto_frame_parse, the conflict test, the defence), with dry-run
 * backends. A libFuzzer entry point; -DIPTO_FUZZ_STANDALONE gives a main()
 * that mutates a gratuitous ARP and an NA for a few seconds. Checks: a
 * conflict is only ever reported for the watched address, from a MAC other
 * than the adapter's own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ipto_ctx *ctx;
static struct ipto_watch *w;
static struct ipto_injector *inj;
static struct ipto_mac own = { { 2, 0, 0x5e, 0x30, 1, 1 } };
static struct ipto_addr a4, a6;

static void on_conflict(struct ipto_watch *wt, const struct ipto_watch_conflict *c, void *u)
{
	(void)wt;
	(void)u;
	if ((!ipto_addr_equal(&c->addr, &a4) && !ipto_addr_equal(&c->addr, &a6)) ||
	    ipto_mac_equal(&c->other_mac, &own))
		abort();
}

static void setup(void)
{
	struct ipto_binder *b;

	if (w)
		return;
	if (ipto_ctx_new(&ctx) < 0 || ipto_binder_new_dryrun(ctx, &b) < 0 ||
	    ipto_injector_new_dryrun(ctx, &inj) < 0)
		abort();
	ipto_ctx_set_log_fn(ctx, NULL, IPTO_LOG_ERROR, NULL);
	ipto_binder_dryrun_add_link(b, "tk1", &own, true);
	ipto_addr_parse("192.0.2.11/24", &a4);
	ipto_addr_parse("2001:db8:2::11/64", &a6);
	{
		IPTO_OPTS(ipto_watch_opts, o, .binder = b, .injector = inj,
			  .defend_interval_ms = 1, .on_conflict = on_conflict);
		if (ipto_watch_new(ctx, &o, &w) < 0 || ipto_watch_add(w, "tk1", &a4) < 0 ||
		    ipto_watch_add(w, "tk1", &a6) < 0)
			abort();
	}
	ipto_binder_unref(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int r;

	setup();
	r = ipto_watch_feed(w, "tk1", data, size, 1);
	if (r != 0 && r != 1)
		abort();
	ipto_injector_dryrun_clear_frames(inj); /* bounded memory */
	return 0;
}

#ifdef IPTO_FUZZ_STANDALONE
#include <stdio.h>
#include <time.h>

int main(void)
{
	uint8_t seed[2][IPTO_FRAME_MAX_LEN], buf[IPTO_FRAME_MAX_LEN];
	struct ipto_mac other = { { 2, 0, 0x5e, 0x20, 1, 0 } };
	struct ipto_addr ip4, ip6;
	int len[2];
	time_t end = time(NULL) + 3;
	unsigned long runs = 0, hits = 0;

	ipto_addr_parse("192.0.2.11", &ip4);
	ipto_addr_parse("2001:db8:2::11", &ip6);
	len[0] = ipto_frame_build(NULL, IPTO_FRAME_ARP_ANNOUNCE, &other, &ip4, NULL, seed[0], sizeof(seed[0]));
	len[1] = ipto_frame_build(NULL, IPTO_FRAME_NA, &other, &ip6, NULL, seed[1], sizeof(seed[1]));
	srand(1);
	setup();
	while (time(NULL) < end) {
		int s = (int)(runs % 2), k;
		size_t n = (size_t)len[s];

		memcpy(buf, seed[s], n);
		for (k = 0; k < rand() % 3; k++)
			buf[rand() % n] = (uint8_t)rand();
		if (rand() % 8 == 0)
			n = (size_t)(rand() % (int)n);
		hits += ipto_watch_feed(w, "tk1", buf, n, 1) == 1;
		ipto_injector_dryrun_clear_frames(inj);
		runs++;
	}
	printf("fuzz-watch: %lu runs, %lu conflicts, no failure\n", runs, hits);
	ipto_watch_unref(w);
	ipto_injector_unref(inj);
	ipto_ctx_unref(ctx);
	return 0;
}
#endif
