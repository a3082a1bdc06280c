/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's private containers, directly: the Fenwick tree of counts
 * (lib/fenwick.c), the growable vector and binary heap (lib/heap.c) and
 * the open-addressing hash set (lib/hashset.c). They are not exported, so
 * this program compiles them in (tests/meson.build). Each is checked on
 * its edge cases (empty, one element, growth, duplicates, removal,
 * ordering, bounds) and against a naive model under random operations
 * from a fixed seed (the same run every time; a failure names the step).
 */
#include "test-common.h"
#include "prop.h"

#include "fenwick.h"
#include "hashset.h"
#include "heap.h"

#define SEED 0x1970c0ffee2026ull

/* ------------------------------------------------------------------------
 * Fenwick tree
 */

struct fw_fixture {
	struct fenwick fw;
	size_t *model; /* the counts, one by one */
};

static void fw_init(struct fw_fixture *f, size_t n)
{
	f->fw.n = n;
	f->fw.total = 0;
	f->fw.t = calloc(n + 1, sizeof(*f->fw.t));
	f->model = calloc(n ? n : 1, sizeof(*f->model));
	ck_assert_ptr_nonnull(f->fw.t);
	ck_assert_ptr_nonnull(f->model);
}

static void fw_fini(struct fw_fixture *f)
{
	free(f->fw.t);
	free(f->model);
}

static void fw_model_add(struct fw_fixture *f, size_t i, long delta)
{
	fw_add(&f->fw, i, delta);
	f->model[i] += (size_t)delta;
}

static size_t model_prefix(const struct fw_fixture *f, size_t i)
{
	size_t s = 0, k;

	for (k = 0; k < i; k++)
		s += f->model[k];
	return s;
}

/* The smallest i whose counts over 0..i reach target, by a scan. */
static size_t model_lower_bound(const struct fw_fixture *f, size_t target)
{
	size_t s = 0, k;

	for (k = 0; k < f->fw.n; k++) {
		s += f->model[k];
		if (s >= target)
			return k;
	}
	return f->fw.n;
}

START_TEST(fenwick_empty)
{
	struct fw_fixture f;

	fw_init(&f, 0);
	ck_assert_uint_eq(fw_prefix(&f.fw, 0), 0);
	ck_assert_uint_eq(f.fw.total, 0);
	fw_fini(&f);

	/* a tree of zeros: every prefix 0 */
	fw_init(&f, 9);
	for (size_t i = 0; i <= 9; i++)
		ck_assert_uint_eq(fw_prefix(&f.fw, i), 0);
	fw_fini(&f);
}
END_TEST

START_TEST(fenwick_one)
{
	struct fw_fixture f;

	fw_init(&f, 1);
	fw_add(&f.fw, 0, 4);
	ck_assert_uint_eq(f.fw.total, 4);
	ck_assert_uint_eq(fw_prefix(&f.fw, 0), 0);
	ck_assert_uint_eq(fw_prefix(&f.fw, 1), 4);
	ck_assert_uint_eq(fw_lower_bound(&f.fw, 1), 0);
	ck_assert_uint_eq(fw_lower_bound(&f.fw, 4), 0);
	fw_fini(&f);
}
END_TEST

START_TEST(fenwick_known)
{
	/* counts 3 0 2 5: prefixes 0 3 3 5 10 */
	static const size_t prefix[] = { 0, 3, 3, 5, 10 };
	/* target 1..10 -> index */
	static const size_t lb[] = { 0, 0, 0, 0, 2, 2, 3, 3, 3, 3, 3 };
	struct fw_fixture f;
	size_t i;

	fw_init(&f, 4);
	fw_add(&f.fw, 0, 3);
	fw_add(&f.fw, 2, 2);
	fw_add(&f.fw, 3, 5);
	ck_assert_uint_eq(f.fw.total, 10);
	for (i = 0; i <= 4; i++)
		ck_assert_uint_eq(fw_prefix(&f.fw, i), prefix[i]);
	/* index 1 holds nothing: no target ever lands on it */
	for (i = 1; i <= 10; i++)
		ck_assert_uint_eq(fw_lower_bound(&f.fw, i), lb[i]);
	fw_fini(&f);
}
END_TEST

START_TEST(fenwick_removal)
{
	struct fw_fixture f;

	fw_init(&f, 8);
	fw_add(&f.fw, 0, 1);
	fw_add(&f.fw, 5, 2);
	fw_add(&f.fw, 7, 1);
	ck_assert_uint_eq(fw_lower_bound(&f.fw, 1), 0);
	/* the first count goes: target 1 moves on to index 5 */
	fw_add(&f.fw, 0, -1);
	ck_assert_uint_eq(f.fw.total, 3);
	ck_assert_uint_eq(fw_prefix(&f.fw, 1), 0);
	ck_assert_uint_eq(fw_lower_bound(&f.fw, 1), 5);
	ck_assert_uint_eq(fw_lower_bound(&f.fw, 2), 5);
	ck_assert_uint_eq(fw_lower_bound(&f.fw, 3), 7);
	/* all removed: back to a tree of zeros */
	fw_add(&f.fw, 5, -2);
	fw_add(&f.fw, 7, -1);
	ck_assert_uint_eq(f.fw.total, 0);
	for (size_t i = 0; i <= 8; i++)
		ck_assert_uint_eq(fw_prefix(&f.fw, i), 0);
	fw_fini(&f);
}
END_TEST

START_TEST(fenwick_bounds)
{
	/* sizes around powers of two: the search's first step and the last
	 * index are where an off-by-one shows */
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 64, 100 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		struct fw_fixture f;

		fw_init(&f, n);
		fw_add(&f.fw, n - 1, 1); /* only the last index */
		ck_assert_uint_eq(fw_prefix(&f.fw, n - 1), 0);
		ck_assert_uint_eq(fw_prefix(&f.fw, n), 1);
		ck_assert_uint_eq(fw_lower_bound(&f.fw, 1), n - 1);
		fw_add(&f.fw, 0, 1); /* and the first */
		ck_assert_uint_eq(fw_lower_bound(&f.fw, 1), 0);
		ck_assert_uint_eq(fw_lower_bound(&f.fw, 2), n - 1);
		ck_assert_uint_eq(fw_prefix(&f.fw, n), f.fw.total);
		fw_fini(&f);
	}
}
END_TEST

START_TEST(fenwick_random)
{
	static const size_t sizes[] = { 1, 2, 3, 7, 8, 9, 33, 64, 100 };
	uint64_t s = SEED;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		struct fw_fixture f;

		fw_init(&f, n);
		for (int step = 0; step < 3000; step++) {
			size_t i = prop_rng_below(&s, n), t, q;
			/* adds up to 5, removes up to what is there */
			long delta = (long)prop_rng_below(&s, 6 + f.model[i]) -
				     (long)f.model[i];

			fw_model_add(&f, i, delta);
			REQUIRE(f.fw.total == model_prefix(&f, n),
				"n %zu step %d: total %zu, model %zu", n, step,
				f.fw.total, model_prefix(&f, n));
			q = prop_rng_below(&s, n + 1);
			REQUIRE(fw_prefix(&f.fw, q) == model_prefix(&f, q),
				"n %zu step %d: prefix(%zu) %zu, model %zu", n,
				step, q, fw_prefix(&f.fw, q), model_prefix(&f, q));
			if (!f.fw.total)
				continue;
			t = 1 + prop_rng_below(&s, f.fw.total);
			REQUIRE(fw_lower_bound(&f.fw, t) == model_lower_bound(&f, t),
				"n %zu step %d: lower_bound(%zu) %zu, model %zu",
				n, step, t, fw_lower_bound(&f.fw, t),
				model_lower_bound(&f, t));
		}
		fw_fini(&f);
	}
}
END_TEST

/* ------------------------------------------------------------------------
 * Vector and heap
 */

static void heap_assert_order(const struct u32vec *h, heap_less_fn less,
			      const void *ctx)
{
	for (size_t i = 1; i < h->n; i++)
		REQUIRE(!less(ctx, h->v[i], h->v[(i - 1) / 2]),
			"heap order broken at %zu: %u before its parent %u", i,
			h->v[i], h->v[(i - 1) / 2]);
}

START_TEST(vec_growth)
{
	struct u32vec v = { 0 };
	size_t last_cap = 0;

	for (uint32_t x = 0; x < 1000; x++) {
		ck_assert_int_eq(vec_push(&v, x * 7), 0);
		ck_assert_uint_eq(v.n, x + 1);
		ck_assert_uint_ge(v.cap, v.n);
		if (v.cap != last_cap) {
			/* it doubles (from 4): amortised O(1) per push */
			ck_assert_uint_eq(v.cap, last_cap ? 2 * last_cap : 4);
			last_cap = v.cap;
		}
	}
	/* growing kept what was there */
	for (uint32_t x = 0; x < 1000; x++)
		ck_assert_uint_eq(v.v[x], x * 7);
	free(v.v);
}
END_TEST

START_TEST(heap_basics)
{
	struct u32vec h = { 0 };

	/* one element, then empty again */
	ck_assert_int_eq(heap_push(&h, 5, less_u32, NULL), 0);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_uint_eq(heap_pop(&h, less_u32, NULL), 5);
	ck_assert_uint_eq(h.n, 0);

	/* descending input, duplicates, the extremes of uint32 */
	static const uint32_t in[] = { 9, 8, 8, 7, UINT32_MAX, 0, 3, 8, 0 };
	static const uint32_t out[] = { 0, 0, 3, 7, 8, 8, 8, 9, UINT32_MAX };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		ck_assert_int_eq(heap_push(&h, in[i], less_u32, NULL), 0);
		heap_assert_order(&h, less_u32, NULL);
	}
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		ck_assert_uint_eq(heap_pop(&h, less_u32, NULL), out[i]);
		heap_assert_order(&h, less_u32, NULL);
	}
	ck_assert_uint_eq(h.n, 0);
	free(h.v);
}
END_TEST

/* An order through the context: by key[x], larger first, ties by x. */
static bool by_key_desc(const void *ctx, uint32_t a, uint32_t b)
{
	const uint32_t *key = ctx;

	return key[a] != key[b] ? key[a] > key[b] : a < b;
}

START_TEST(heap_ctx_order)
{
	uint32_t key[6] = { 10, 40, 40, 20, 0, 30 };
	static const uint32_t want[] = { 1, 2, 5, 3, 0, 4 };
	struct u32vec h = { 0 };

	for (uint32_t x = 0; x < 6; x++)
		ck_assert_int_eq(heap_push(&h, x, by_key_desc, key), 0);
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(heap_pop(&h, by_key_desc, key), want[i]);

	/* heap_down after the first's key drops: it sinks to its place */
	for (uint32_t x = 0; x < 6; x++)
		ck_assert_int_eq(heap_push(&h, x, by_key_desc, key), 0);
	ck_assert_uint_eq(h.v[0], 1);
	key[1] = 15; /* now between 20 (3) and 10 (0) */
	heap_down(&h, 0, by_key_desc, key);
	heap_assert_order(&h, by_key_desc, key);
	static const uint32_t after[] = { 2, 5, 3, 1, 0, 4 };
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(heap_pop(&h, by_key_desc, key), after[i]);
	free(h.v);
}
END_TEST

START_TEST(heap_random)
{
	uint64_t s = SEED;
	uint32_t model[4096]; /* kept sorted */
	size_t mn = 0;
	struct u32vec h = { 0 };

	for (int step = 0; step < 20000; step++) {
		/* more pushes than pops early, then drains: empty and full */
		bool push = mn == 0 ||
			    (mn < 4096 && prop_rng_below(&s, 100) < (step < 12000 ? 60 : 35));

		if (push) {
			uint32_t x = (uint32_t)prop_rng_below(&s, 50); /* many duplicates */
			size_t at = mn;

			ck_assert_int_eq(heap_push(&h, x, less_u32, NULL), 0);
			while (at > 0 && model[at - 1] > x) {
				model[at] = model[at - 1];
				at--;
			}
			model[at] = x;
			mn++;
		} else {
			uint32_t got = heap_pop(&h, less_u32, NULL);

			REQUIRE(got == model[0], "step %d: pop %u, model's least %u",
				step, got, model[0]);
			memmove(model, model + 1, --mn * sizeof(model[0]));
		}
		REQUIRE(h.n == mn, "step %d: %zu in the heap, model %zu", step, h.n, mn);
		if (step % 64 == 0)
			heap_assert_order(&h, less_u32, NULL);
	}
	while (mn) {
		uint32_t got = heap_pop(&h, less_u32, NULL);

		REQUIRE(got == model[0], "drain: pop %u, model %u", got, model[0]);
		memmove(model, model + 1, --mn * sizeof(model[0]));
	}
	ck_assert_uint_eq(h.n, 0);
	free(h.v);
}
END_TEST

/* ------------------------------------------------------------------------
 * Hash set: items are uint32 keys in an array, the set holds their
 * indices, as the pool's sets hold node and address indices.
 */

struct items {
	uint32_t key[8192];
	uint32_t n;
};

static bool item_eq(const void *ctx, uint32_t idx, const void *key)
{
	const struct items *it = ctx;

	return it->key[idx] == *(const uint32_t *)key;
}

static uint32_t good_hash(uint32_t key)
{
	return pool_hash_bytes(&key, sizeof(key), 0x5eed);
}

/* Every key in one probe run, from the table's last slot (wraps). */
static uint32_t one_hash(uint32_t key)
{
	(void)key;
	return UINT32_MAX;
}

static uint32_t set_find(const struct pool_set *set, const struct items *it,
			 uint32_t (*hash)(uint32_t), uint32_t key)
{
	return pool_set_find(set, hash(key), item_eq, it, &key);
}

/* Adds key as a new item (room reserved first, as the pool does). */
static uint32_t set_add(struct pool_set *set, struct items *it,
			uint32_t (*hash)(uint32_t), uint32_t key)
{
	uint32_t idx = it->n++;

	ck_assert_int_eq(pool_set_reserve(set, 1), 0);
	it->key[idx] = key;
	pool_set_insert(set, hash(key), idx);
	return idx;
}

START_TEST(hashset_empty)
{
	struct pool_set set = { 0 };
	struct items it = { .n = 0 };

	/* never allocated: every look-up misses */
	ck_assert_uint_eq(set_find(&set, &it, good_hash, 1), POOL_SET_NONE);
	/* reserving nothing allocates nothing */
	ck_assert_int_eq(pool_set_reserve(&set, 0), 0);
	ck_assert_ptr_null(set.slots);
	/* reserving some: 16 slots, still empty */
	ck_assert_int_eq(pool_set_reserve(&set, 1), 0);
	ck_assert_uint_eq(set.mask + 1, 16);
	ck_assert_uint_eq(set.n, 0);
	ck_assert_uint_eq(set_find(&set, &it, good_hash, 1), POOL_SET_NONE);
	pool_set_free(&set);
	ck_assert_ptr_null(set.slots);
}
END_TEST

START_TEST(hashset_growth)
{
	struct pool_set set = { 0 };
	static struct items it;
	size_t cap = 0;

	it.n = 0;
	for (uint32_t k = 0; k < 5000; k++) {
		set_add(&set, &it, good_hash, k * 2654435761u);
		/* the load stays at most one half; the capacity doubles */
		ck_assert_uint_le(2 * set.n, set.mask + 1);
		if (set.mask + 1 != cap) {
			ck_assert_uint_eq(set.mask + 1, cap ? 2 * cap : 16);
			cap = set.mask + 1;
			/* after a growth every item is still found */
			for (uint32_t j = 0; j <= k; j++)
				REQUIRE(set_find(&set, &it, good_hash,
						 j * 2654435761u) == j,
					"after growth to %zu: key #%u lost", cap, j);
		}
	}
	ck_assert_uint_eq(set.n, 5000);
	/* a reserve that fits changes nothing */
	struct pool_slot *slots = set.slots;
	ck_assert_int_eq(pool_set_reserve(&set, (set.mask + 1) / 2 - set.n), 0);
	ck_assert_ptr_eq(set.slots, slots);
	pool_set_free(&set);
}
END_TEST

START_TEST(hashset_collisions)
{
	/* one hash for all: one probe run that wraps past the last slot;
	 * equality alone tells the items apart */
	struct pool_set set = { 0 };
	static struct items it;

	it.n = 0;
	for (uint32_t k = 100; k < 107; k++)
		set_add(&set, &it, one_hash, k);
	ck_assert_uint_eq(set.mask + 1, 16);
	for (uint32_t k = 100; k < 107; k++)
		ck_assert_uint_eq(set_find(&set, &it, one_hash, k), k - 100);
	ck_assert_uint_eq(set_find(&set, &it, one_hash, 99), POOL_SET_NONE);
	ck_assert_uint_eq(set_find(&set, &it, one_hash, 107), POOL_SET_NONE);
	/* the same hash under a different key is not a match */
	ck_assert_uint_eq(pool_set_find(&set, good_hash(100), item_eq, &it,
					&(uint32_t){ 100 }),
			  POOL_SET_NONE);
	pool_set_free(&set);
}
END_TEST

START_TEST(hashset_duplicates)
{
	/* two items with one key: the set keeps both, find gives the
	 * first inserted (the pool looks up before it inserts) */
	struct pool_set set = { 0 };
	static struct items it;

	it.n = 0;
	ck_assert_uint_eq(set_add(&set, &it, good_hash, 42), 0);
	ck_assert_uint_eq(set_add(&set, &it, good_hash, 42), 1);
	ck_assert_uint_eq(set.n, 2);
	ck_assert_uint_eq(set_find(&set, &it, good_hash, 42), 0);
	pool_set_free(&set);
}
END_TEST

START_TEST(hashset_free_reuse)
{
	/* removal is of everything at once: free, and the set starts over */
	struct pool_set set = { 0 };
	static struct items it;

	it.n = 0;
	for (uint32_t k = 0; k < 40; k++)
		set_add(&set, &it, good_hash, k);
	pool_set_free(&set);
	ck_assert_ptr_null(set.slots);
	ck_assert_uint_eq(set.n, 0);
	ck_assert_uint_eq(set.mask, 0);
	ck_assert_uint_eq(set_find(&set, &it, good_hash, 3), POOL_SET_NONE);
	it.n = 0;
	ck_assert_uint_eq(set_add(&set, &it, good_hash, 7), 0);
	ck_assert_uint_eq(set_find(&set, &it, good_hash, 7), 0);
	ck_assert_uint_eq(set_find(&set, &it, good_hash, 3), POOL_SET_NONE);
	pool_set_free(&set);
}
END_TEST

START_TEST(hashset_hash_bytes)
{
	uint32_t a = 0x0a000001, b = 0x0a000002;
	unsigned int bucket[256] = { 0 }, most = 0;

	/* a function of the bytes and the seed */
	ck_assert_uint_eq(pool_hash_bytes(&a, 4, 1), pool_hash_bytes(&a, 4, 1));
	ck_assert_uint_ne(pool_hash_bytes(&a, 4, 1), pool_hash_bytes(&a, 4, 2));
	ck_assert_uint_ne(pool_hash_bytes(&a, 4, 1), pool_hash_bytes(&b, 4, 1));
	ck_assert_uint_ne(pool_hash_bytes(&a, 3, 1), pool_hash_bytes(&a, 4, 1));
	(void)pool_hash_bytes(NULL, 0, 1); /* no bytes: touches none */
	/* the set indexes by the low bits: 4096 consecutive addresses spread
	 * over 256 buckets within 3x the mean of 16 */
	for (uint32_t k = 0; k < 4096; k++) {
		uint32_t ip = 0xc0000200u + k;

		bucket[pool_hash_bytes(&ip, 4, 0) & 255]++;
	}
	for (int i = 0; i < 256; i++)
		most = bucket[i] > most ? bucket[i] : most;
	ck_assert_uint_le(most, 48);
}
END_TEST

START_TEST(hashset_random)
{
	/* inserts and look-ups of keys 0..599 against a presence table, under
	 * the good hash and under a weak one (key % 8: long runs) */
	static uint32_t (*const hashes[])(uint32_t) = { good_hash, NULL };
	uint64_t s = SEED;

	for (int hk = 0; hk < 2; hk++) {
		struct pool_set set = { 0 };
		static struct items it;
		uint32_t where[600];

		it.n = 0;
		for (size_t i = 0; i < 600; i++)
			where[i] = POOL_SET_NONE;
		for (int step = 0; step < 6000; step++) {
			uint32_t key = (uint32_t)prop_rng_below(&s, 600);
			uint32_t h = hashes[hk] ? hashes[hk](key) : key % 8;
			uint32_t got = pool_set_find(&set, h, item_eq, &it, &key);

			REQUIRE(got == where[key], "hash %d step %d: key %u found at %d, model %d",
				hk, step, key, (int)got, (int)where[key]);
			if (got == POOL_SET_NONE && prop_rng_below(&s, 2)) {
				uint32_t idx = it.n++;

				ck_assert_int_eq(pool_set_reserve(&set, 1), 0);
				it.key[idx] = key;
				pool_set_insert(&set, h, idx);
				where[key] = idx;
			}
			REQUIRE(set.n == it.n, "hash %d step %d: %zu in the set, %u items",
				hk, step, set.n, it.n);
		}
		pool_set_free(&set);
	}
}
END_TEST

static Suite *containers_suite(void)
{
	Suite *s = suite_create("containers");

	test_tcase(s, "fenwick", fenwick_empty, fenwick_one, fenwick_known,
		   fenwick_removal, fenwick_bounds, fenwick_random);
	test_tcase(s, "heap", vec_growth, heap_basics, heap_ctx_order,
		   heap_random);
	test_tcase(s, "hashset", hashset_empty, hashset_growth,
		   hashset_collisions, hashset_duplicates, hashset_free_reuse,
		   hashset_hash_bytes, hashset_random);
	return s;
}

IPTO_TEST_MAIN(containers_suite)
