/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A growable vector of uint32 and a binary min-heap kept in one. */
#include "heap.h"

#include "ipto-private.h"

int vec_push(struct u32vec *vec, uint32_t x)
{
	int r = ipto_grow((void **)&vec->v, &vec->cap, vec->n + 1,
			  sizeof(*vec->v));

	if (r < 0)
		return r;
	vec->v[vec->n++] = x;
	return 0;
}

void heap_down(struct u32vec *h, size_t i, heap_less_fn less, const void *ctx)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		uint32_t t;

		if (l < h->n && less(ctx, h->v[l], h->v[m]))
			m = l;
		if (l + 1 < h->n && less(ctx, h->v[l + 1], h->v[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
}

int heap_push(struct u32vec *h, uint32_t x, heap_less_fn less,
	      const void *ctx)
{
	size_t i;
	int r = vec_push(h, x);

	if (r < 0)
		return r;
	for (i = h->n - 1; i > 0; i = (i - 1) / 2) {
		size_t p = (i - 1) / 2;
		uint32_t t;

		if (!less(ctx, h->v[i], h->v[p]))
			break;
		t = h->v[i];
		h->v[i] = h->v[p];
		h->v[p] = t;
	}
	return 0;
}

uint32_t heap_pop(struct u32vec *h, heap_less_fn less, const void *ctx)
{
	uint32_t top = h->v[0];

	h->v[0] = h->v[--h->n];
	heap_down(h, 0, less, ctx);
	return top;
}

bool less_u32(const void *ctx, uint32_t a, uint32_t b)
{
	return a < b;
}
