/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An open-addressing hash set of uint32 indices. Private. Its types keep
 * the pool_ names they had inside pool.c: the ABI baseline's debug
 * information sees them through the opaque struct ipto_pool, and the abi
 * test reads a renamed type as a change until the baseline is regenerated.
 */
#ifndef IPTO_HASHSET_H
#define IPTO_HASHSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What pool_set_find() returns for "absent". */
#define POOL_SET_NONE UINT32_MAX

/* An open-addressing (linear probing) set of uint32 indices. The caller
 * supplies hashes and an equality callback; a slot keeps the hash so the
 * set can grow without looking at the items. */
struct pool_slot {
	uint32_t idx1; /* index + 1; 0 marks an empty slot */
	uint32_t hash;
};

struct pool_set {
	struct pool_slot *slots;
	size_t mask; /* capacity - 1; capacity is a power of two or 0 */
	size_t n;
};

typedef bool (*pool_set_eq_fn)(const void *ctx, uint32_t idx, const void *key);

/* Room for @extra more entries (the load stays at most one half);
 * 0 or -ENOMEM (the set unchanged). */
int pool_set_reserve(struct pool_set *s, size_t extra);
/* The index whose slot has @hash and that @eq says matches @key, or
 * POOL_SET_NONE. */
uint32_t pool_set_find(const struct pool_set *s, uint32_t hash,
		       pool_set_eq_fn eq, const void *ctx, const void *key);
/* Adds @idx under @hash; room must have been reserved. */
void pool_set_insert(struct pool_set *s, uint32_t hash, uint32_t idx);
/* Frees the slots; the set is empty and reusable. */
void pool_set_free(struct pool_set *s);

/* FNV-1a over @n bytes, finished with murmur3's mixer. */
uint32_t pool_hash_bytes(const void *p, size_t n, uint32_t seed);

#endif /* IPTO_HASHSET_H */
