/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A growable vector of uint32 and a binary min-heap kept in one. Private. */
#ifndef IPTO_HEAP_H
#define IPTO_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u32vec {
	uint32_t *v;
	size_t n, cap;
};

/* Appends @x; 0 or -ENOMEM (the vector unchanged). */
int vec_push(struct u32vec *vec, uint32_t x);

/* The heap's order: true when @a comes before @b. */
typedef bool (*heap_less_fn)(const void *ctx, uint32_t a, uint32_t b);

/* Restores the heap order below position @i. */
void heap_down(struct u32vec *h, size_t i, heap_less_fn less, const void *ctx);
/* Adds @x; 0 or -ENOMEM. */
int heap_push(struct u32vec *h, uint32_t x, heap_less_fn less,
	      const void *ctx);
/* Removes and returns the first element; the heap must not be empty. */
uint32_t heap_pop(struct u32vec *h, heap_less_fn less, const void *ctx);
/* The plain order of the values. */
bool less_u32(const void *ctx, uint32_t a, uint32_t b);

#endif /* IPTO_HEAP_H */
