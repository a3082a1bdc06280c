/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared bits of the takeover benchmarks (tests/bench/): the clock, the
 * work file, small parsers. Header-only; no libipto here, so the floor
 * programs stay free of it.
 *
 * Work file: one address a line, "ADDR/PREFIX IFNAME", the address to bind
 * and the adapter to bind it to (run.sh writes it).
 *
 * Every time the benchmarks print is CLOCK_MONOTONIC in nanoseconds: one
 * clock for every namespace on the machine, so the standby's "call" and
 * the client's "entry moved" can be subtracted.
 */
#ifndef IPTO_BENCH_COMMON_H
#define IPTO_BENCH_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BENCH_MAX_IPS 8192
#define BENCH_IFNAMSIZ 16

struct bench_ip {
	int family;        /* AF_INET or AF_INET6 */
	int prefix;
	uint8_t addr[16];
	char ifname[BENCH_IFNAMSIZ];
	char text[64];     /* "ADDR/PREFIX" as read */
};

static inline uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* A NETLINK_ROUTE socket (@flags: more socket type flags) bound to the
 * multicast @groups, with a receive buffer of @rcvbuf bytes (forced when
 * the process may); dies when it cannot be had. */
static inline int bench_nl_open(uint32_t groups, int flags, int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags,
			NETLINK_ROUTE);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bench_die("netlink: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

/* Parses "ADDR" or "ADDR/PREFIX" into @ip (ifname untouched). */
static inline int bench_parse_addr(const char *s, struct bench_ip *ip)
{
	char buf[64], *slash;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(ip->addr, 0, sizeof(ip->addr));
	if (inet_pton(AF_INET, buf, ip->addr) == 1) {
		ip->family = AF_INET;
		ip->prefix = 32;
	} else if (inet_pton(AF_INET6, buf, ip->addr) == 1) {
		ip->family = AF_INET6;
		ip->prefix = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		char *end;
		long p = strtol(slash, &end, 10);

		if (*end || p < 0 || p > (ip->family == AF_INET ? 32 : 128))
			return -EINVAL;
		ip->prefix = (int)p;
	}
	snprintf(ip->text, sizeof(ip->text), "%s", s);
	return 0;
}

/* Reads a work file ("ADDR/PREFIX IFNAME" lines; IFNAME optional when
 * @need_if is 0). Returns the number of entries; exits on errors. */
static inline size_t bench_read_work(const char *path, struct bench_ip *out,
				     size_t max, int need_if)
{
	char line[256], a[128], ifn[64];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		bench_die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		int k = sscanf(line, "%127s %63s", a, ifn);

		if (k < 1 || a[0] == '#')
			continue;
		if (n >= max)
			bench_die("%s: more than %zu addresses", path, max);
		if (bench_parse_addr(a, &out[n]) < 0)
			bench_die("%s: bad address '%s'", path, a);
		out[n].ifname[0] = '\0';
		if (k == 2) {
			if (strlen(ifn) >= BENCH_IFNAMSIZ)
				bench_die("%s: bad interface '%s'", path, ifn);
			strcpy(out[n].ifname, ifn);
		} else if (need_if) {
			bench_die("%s: '%s' has no interface", path, a);
		}
		n++;
	}
	fclose(f);
	if (n == 0)
		bench_die("%s: no addresses", path);
	return n;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n samples, in microseconds; sorts @v. */
static inline double bench_median_us(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_u64);
	return n % 2 ? (double)v[n / 2] / 1e3
		     : (double)(v[n / 2 - 1] + v[n / 2]) / 2e3;
}

static inline int bench_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

#endif /* IPTO_BENCH_COMMON_H */
