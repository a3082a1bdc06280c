/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The smallest program that uses libipto through pkg-config:
 *   cc -std=c99 consumer.c $(pkg-config --cflags --libs libipto)
 * It parses an address and a MAC and prints them back.
 */
#include <stdio.h>

#include <ipto/ipto.h>

int main(void)
{
	struct ipto_addr addr;
	struct ipto_mac mac;
	char abuf[IPTO_ADDR_STRLEN], mbuf[IPTO_MAC_STRLEN];
	int r;

	r = ipto_addr_parse("192.0.2.10/24", &addr);
	if (r == 0)
		r = ipto_mac_parse("02:00:5e:00:53:01", &mac);
	if (r < 0) {
		fprintf(stderr, "consumer: %s\n", ipto_strerror(r));
		return 1;
	}
	ipto_addr_format(&addr, abuf, sizeof(abuf));
	ipto_mac_format(&mac, mbuf, sizeof(mbuf));
	printf("libipto %s: %s at %s\n", ipto_version(), abuf, mbuf);
	return 0;
}
