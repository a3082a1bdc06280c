/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: ipto_frame_parse() on bytes from the wire. The input
 * is copied to a buffer of exactly its size, so ASan catches any read
 * past the end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipto_frame_info info = { .sz = sizeof(info) };
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (ipto_frame_parse(copy, size, &info) == 0) {
		char buf[IPTO_ADDR_STRLEN];

		if (info.len > size)
			abort();
		ipto_addr_format(&info.sender_ip, buf, sizeof(buf));
	}
	free(copy);
	return 0;
}
