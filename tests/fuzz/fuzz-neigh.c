/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the neighbour-list parser (doc/neighbour-list.md) on
 * outside bytes, as a list received from another node would be. The
 * input is copied to a buffer of exactly its size, so ASan catches any
 * read past the end. A list is taken whole or not at all: on failure the
 * set must be as it was. Then the targets and frames of what was read. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipto_neigh_frame frames[IPTO_NEIGH_MAX + 1];
	struct ipto_ctx *ctx = NULL;
	struct ipto_neigh_set *set = NULL;
	IPTO_OPTS(ipto_neigh, first, .sources = IPTO_NEIGH_TABLE);
	struct ipto_addr t4, t6;
	struct ipto_mac mac;
	char *copy = malloc(size ? size : 1);
	size_t before;
	int r, n;

	if (!copy || ipto_ctx_new(&ctx) < 0 || ipto_neigh_set_new(ctx, &set) < 0)
		abort();
	ipto_ctx_set_log_fn(ctx, NULL, IPTO_LOG_PRIORITY_ERROR, NULL);
	memcpy(copy, data, size);
	ipto_addr_parse("192.0.2.1", &first.addr);
	if (ipto_neigh_set_add(set, &first) != 0)
		abort();
	before = ipto_neigh_set_get_count(set);
	r = ipto_neigh_set_parse_list(set, "fuzz", copy, size,
				      IPTO_NEIGH_NODE_LIST);
	if (r < 0) {
		if (r != -EINVAL && r != -E2BIG && r != -ENOMEM)
			abort();
		if (ipto_neigh_set_get_count(set) != before)
			abort(); /* all or nothing */
	} else if (ipto_neigh_set_get_count(set) > (size_t)r + before ||
		   ipto_neigh_set_get_count(set) > IPTO_NEIGH_MAX) {
		abort();
	}
	ipto_addr_parse("192.0.2.10/24", &t4);
	ipto_addr_parse("2001:db8::10/64", &t6);
	ipto_mac_parse("00:00:5e:00:53:01", &mac);
	n = ipto_neigh_set_targets(set, &t4, NULL, 0);
	if (n < 0 || ipto_neigh_set_build_frames(set, &mac, &t4, frames,
						 IPTO_NEIGH_MAX + 1) != n)
		abort();
	n = ipto_neigh_set_targets(set, &t6, NULL, 0);
	if (n < 0 || ipto_neigh_set_build_frames(set, &mac, &t6, frames,
						 IPTO_NEIGH_MAX + 1) != n)
		abort();
	ipto_neigh_set_unref(set);
	ipto_ctx_unref(ctx);
	free(copy);
	return 0;
}
