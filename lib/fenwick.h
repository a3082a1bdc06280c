/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A Fenwick (binary indexed) tree of counts over 0..n-1. Private. */
#ifndef IPTO_FENWICK_H
#define IPTO_FENWICK_H

#include <stddef.h>

struct fenwick {
	size_t n;
	size_t *t; /* 1-based, n + 1 entries, allocated by the user */
	size_t total;
};

/* Adds @delta to the count of @i. */
void fw_add(struct fenwick *fw, size_t i, long delta);
/* Sum of counts over 0..i-1. */
size_t fw_prefix(const struct fenwick *fw, size_t i);
/* The smallest i whose prefix sum over 0..i reaches target (1..total). */
size_t fw_lower_bound(const struct fenwick *fw, size_t target);

#endif /* IPTO_FENWICK_H */
