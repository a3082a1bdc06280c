/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: ipto_mac_parse() on outside text. */
#include <stdint.h>
#include <stdlib.h>

#include <ipto/ipto.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), buf[IPTO_MAC_STRLEN];
	struct ipto_mac m, n;

	if (!s)
		return 0;
	if (ipto_mac_parse(s, &m) == 0) {
		if (ipto_mac_format(&m, buf, sizeof(buf)) < 0)
			abort();
		if (ipto_mac_parse(buf, &n) < 0 || !ipto_mac_equal(&m, &n))
			abort();
		(void)ipto_mac_classify(&m);
	}
	free(s);
	return 0;
}
