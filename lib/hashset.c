/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An open-addressing hash set of uint32 indices, and its byte hash. */
#include "hashset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint32_t pool_hash_bytes(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u ^ seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	/* murmur3's finaliser: spread FNV's weak low bits over the word */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static void set_place(struct pool_slot *slots, size_t mask, uint32_t hash,
		      uint32_t idx1)
{
	size_t i = hash & mask;

	while (slots[i].idx1)
		i = (i + 1) & mask;
	slots[i].idx1 = idx1;
	slots[i].hash = hash;
}

int pool_set_reserve(struct pool_set *s, size_t extra)
{
	size_t cap = s->slots ? s->mask + 1 : 0, want = s->n + extra, ncap, i;
	struct pool_slot *ns;

	/* keep the load factor at or below one half */
	if (want <= cap / 2)
		return 0;
	ncap = cap ? cap : 16;
	while (want > ncap / 2) {
		if (ncap > SIZE_MAX / 2 / sizeof(*ns))
			return -ENOMEM;
		ncap *= 2;
	}
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < cap; i++)
		if (s->slots[i].idx1)
			set_place(ns, ncap - 1, s->slots[i].hash,
				  s->slots[i].idx1);
	free(s->slots);
	s->slots = ns;
	s->mask = ncap - 1;
	return 0;
}

uint32_t pool_set_find(const struct pool_set *s, uint32_t hash,
		       pool_set_eq_fn eq, const void *ctx, const void *key)
{
	size_t i;

	if (!s->slots)
		return POOL_SET_NONE;
	for (i = hash & s->mask; s->slots[i].idx1; i = (i + 1) & s->mask)
		if (s->slots[i].hash == hash &&
		    eq(ctx, s->slots[i].idx1 - 1, key))
			return s->slots[i].idx1 - 1;
	return POOL_SET_NONE;
}

void pool_set_insert(struct pool_set *s, uint32_t hash, uint32_t idx)
{
	set_place(s->slots, s->mask, hash, idx + 1);
	s->n++;
}

void pool_set_free(struct pool_set *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
