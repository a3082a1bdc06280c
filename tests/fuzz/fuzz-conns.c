/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: the connection-file line parser (ipto_conn_parse), the
 * only parser of outside text in the watch/tickle code. The input is one
 * line (up to its first NUL) in a buffer of exactly its size.
 * Checks, beyond "no crash": a line that parses formats, the formatted
 * line parses back to the same connection, and builds a tickle.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_strndup(data, size), buf[IPTO_CONN_STRLEN];
	uint8_t pkt[IPTO_TICKLE_MAX_LEN];
	struct ipto_conn c, d;
	int r, n;

	if (!line)
		return 0;
	r = ipto_conn_parse(line, &c);
	free(line);
	if (r < 0 || r == 0)
		return 0;
	if (r != 1)
		abort();
	n = ipto_conn_format(&c, buf, sizeof(buf));
	if (n <= 0 || (size_t)n >= sizeof(buf) || ipto_conn_parse(buf, &d) != 1 ||
	    !ipto_addr_equal(&c.server, &d.server) || !ipto_addr_equal(&c.client, &d.client) ||
	    c.server_port != d.server_port || c.client_port != d.client_port)
		abort();
	n = ipto_tickle_build(&c, pkt, sizeof(pkt));
	if (n != (c.server.family == 2 ? 40 : 60))
		abort();
	return 0;
}
