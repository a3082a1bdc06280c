/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: ipto_addr_parse() on outside text, and what a caller
 * does next with an accepted address (format, parse again, classify). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), buf[IPTO_ADDR_STRLEN];
	struct ipto_addr a, b;

	if (!s)
		return 0;
	if (ipto_addr_parse(s, &a) == 0) {
		/* An accepted address formats, and parses back to itself. */
		if (ipto_addr_format(&a, buf, sizeof(buf)) < 0)
			abort();
		if (ipto_addr_parse(buf, &b) < 0 || !ipto_addr_equal(&a, &b))
			abort();
		(void)ipto_addr_classify(&a);
		(void)ipto_addr_subnet_broadcast(&a, &b);
	}
	free(s);
	return 0;
}
