/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the fuzz targets. */
#ifndef IPTO_FUZZ_H
#define IPTO_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string: up to its first NUL, in a buffer of its own. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
