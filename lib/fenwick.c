/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A Fenwick (binary indexed) tree of counts. */
#include "fenwick.h"

void fw_add(struct fenwick *fw, size_t i, long delta)
{
	fw->total += (size_t)delta;
	for (i++; i <= fw->n; i += i & (~i + 1))
		fw->t[i] += (size_t)delta;
}

/* Sum of counts over 0..i-1. */
size_t fw_prefix(const struct fenwick *fw, size_t i)
{
	size_t s = 0;

	for (; i > 0; i -= i & (~i + 1))
		s += fw->t[i];
	return s;
}

/* The smallest i whose prefix sum over 0..i reaches target (1..total). */
size_t fw_lower_bound(const struct fenwick *fw, size_t target)
{
	size_t pos = 0, step = 1;

	while (step * 2 <= fw->n)
		step *= 2;
	for (; step; step /= 2)
		if (pos + step <= fw->n && fw->t[pos + step] < target) {
			pos += step;
			target -= fw->t[pos];
		}
	return pos; /* 0-based index = (1-based pos + 1) - 1 */
}
