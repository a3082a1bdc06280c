/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How fast frames are built and parsed: the takeover hot path builds one
 * frame per IP and style. Prints a table of nanoseconds per call.
 * usage: bench-frame [ITERATIONS]   (default 5000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <ipto/ipto.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 5000000;
	struct ipto_mac mac;
	struct ipto_addr v4, v6;
	IPTO_OPTS(ipto_frame_opts, o);
	unsigned char buf[IPTO_FRAME_MAX_LEN];
	volatile unsigned sink = 0;
	int s;

	if (iters <= 0 || ipto_mac_parse("00:00:5e:00:53:01", &mac) ||
	    ipto_addr_parse("192.0.2.10/24", &v4) ||
	    ipto_addr_parse("2001:db8::10/64", &v6) ||
	    ipto_addr_parse("198.51.100.1", &o.target))
		return 1;
	printf("%-18s %12s %12s\n", "style", "build ns", "parse ns");
	for (s = IPTO_FRAME_STYLE_ARP_ANNOUNCE; s <= IPTO_FRAME_STYLE_NA; s++) {
		const struct ipto_addr *ip = s == IPTO_FRAME_STYLE_NA ? &v6 : &v4;
		struct ipto_frame_info fi = { .sz = sizeof(fi) };
		double t0, t1, t2;
		int len = 0;
		long i;

		t0 = now();
		for (i = 0; i < iters; i++) {
			o.target.bytes[3] = (unsigned char)i;
			len = ipto_frame_build(NULL, s, &mac, ip, &o, buf,
					       sizeof(buf));
			sink += buf[41];
		}
		t1 = now();
		for (i = 0; i < iters; i++)
			sink += (unsigned)ipto_frame_parse(buf, (size_t)len, &fi);
		t2 = now();
		if (len <= 0)
			return 1;
		printf("%-18s %12.1f %12.1f\n", ipto_frame_style_name(s),
		       (t1 - t0) / (double)iters, (t2 - t1) / (double)iters);
	}
	return sink == 12345 ? 2 : 0;
}
