/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A program that uses IPTO_OPTS() the way users do, with and without
 * designated initialisers, then passes the options through the library.
 * Written in the common subset of C and C++: check-cxx.sh builds it as
 * C++11, C++14 and C++17 (and as C99 and C11) with -Wall -Wextra -pedantic
 * -Werror and runs each; it exits non-zero when a check fails.
 */
#include <ipto/ipto.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what)
{
	fprintf(stderr, "consumer-opts: %s\n", what);
	return 1;
}

int main(void)
{
	IPTO_OPTS(ipto_frame_opts, na, .flags = IPTO_FRAME_F_ROUTER);
	IPTO_OPTS(ipto_frame_opts, arp);
	IPTO_OPTS(ipto_plan_opts, plan);
	struct ipto_ctx *ctx = NULL;
	struct ipto_addr ip6, ip4;
	struct ipto_mac mac;
	unsigned char buf[IPTO_FRAME_MAX_LEN];
	unsigned char zero[sizeof(arp)] = { 0 };
	IPTO_OPTS(ipto_frame_info, info);
	int n;

	if (na.sz != sizeof(na) || arp.sz != sizeof(arp) ||
	    plan.sz != sizeof(plan))
		return fail("IPTO_OPTS did not set sz");
	/* everything but sz is zero, padding included */
	if (memcmp((unsigned char *)&arp + sizeof(size_t),
			zero, sizeof(arp) - sizeof(size_t)) != 0)
		return fail("IPTO_OPTS left a non-zero byte");
	plan.flags = IPTO_PLAN_SHARE_ADAPTERS;
	arp.tha = IPTO_FRAME_THA_BROADCAST;

	if (ipto_ctx_new(&ctx) < 0)
		return fail("ipto_ctx_new");
	if (ipto_addr_parse("2001:db8::7", &ip6) < 0 ||
	    ipto_addr_parse("192.0.2.7/24", &ip4) < 0 ||
	    ipto_mac_parse("02:00:5e:00:53:07", &mac) < 0)
		return fail("parse");

	n = ipto_frame_build(ctx, IPTO_FRAME_NA, &mac, &ip6, &na, buf,
			     sizeof(buf));
	if (n != IPTO_FRAME_NA_LEN)
		return fail("NA with the router flag not built");
	if (ipto_frame_parse(buf, (size_t)n, &info) < 0 || !info.router)
		return fail("the NA does not carry the router flag");

	n = ipto_frame_build(ctx, IPTO_FRAME_ARP_ANNOUNCE, &mac, &ip4, &arp,
			     buf, sizeof(buf));
	if (n < IPTO_FRAME_ARP_LEN)
		return fail("ARP announcement not built");
	if (ipto_frame_parse(buf, (size_t)n, &info) < 0 ||
	    memcmp(info.target_mac.bytes, "\xff\xff\xff\xff\xff\xff", 6) != 0)
		return fail("the ARP target MAC is not the broadcast one asked for");

	ipto_ctx_unref(ctx);
	puts("ok: IPTO_OPTS consumer");
	return 0;
}
