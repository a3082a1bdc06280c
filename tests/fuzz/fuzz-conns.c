/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the connection-file line parser (ipto_conn_parse), the
 * only parser of outside text in the watch/tickle code. A libFuzzer entry
 * point; build with -DIPTO_FUZZ_STANDALONE for a main() that runs it over
 * the files given (or random lines for a few seconds without any).
 * Checks, beyond "no crash": a line that parses formats, the formatted
 * line parses back to the same connection, and builds a tickle.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[512], buf[IPTO_CONN_STRLEN];
	uint8_t pkt[IPTO_TICKLE_MAX_LEN];
	struct ipto_conn c, d;
	int r, n;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	r = ipto_conn_parse(line, &c);
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

#ifdef IPTO_FUZZ_STANDALONE
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
	static const char *seeds[] = {
		"192.0.2.11:80 192.0.2.101:51000", "[2001:db8::1]:443 [2001:db8::7]:5 # x",
	};
	uint8_t buf[512];
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	if (argc == 1) {
		time_t end = time(NULL) + 3;
		unsigned long runs = 0;

		srand(1);
		while (time(NULL) < end) {
			const char *s = seeds[runs % 2];
			size_t n = strlen(s), k;

			memcpy(buf, s, n);
			for (k = 0; k < 1 + (size_t)(rand() % 4); k++)
				buf[rand() % n] = (uint8_t)(rand() % 2 ? rand() : "0123456789:[]. #"[rand() % 16]);
			LLVMFuzzerTestOneInput(buf, n);
			runs++;
		}
		printf("fuzz-conns: %lu runs, no failure\n", runs);
	}
	return 0;
}
#endif
