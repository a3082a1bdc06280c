/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: a received frame through the watcher (ipto_watch_feed:
 * ipto_frame_parse, the conflict test, the defence), with dry-run
 * backends; the input is copied to a buffer of exactly its size. Checks: a
 * conflict is only ever reported for a watched address, from a MAC other
 * than the adapter's own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>

#include "fuzz.h"

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
	uint8_t *copy = malloc(size ? size : 1);
	int r;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	setup();
	r = ipto_watch_feed(w, "tk1", copy, size, 1);
	free(copy);
	if (r != 0 && r != 1)
		abort();
	ipto_injector_dryrun_clear_frames(inj); /* bounded memory */
	return 0;
}
