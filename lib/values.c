/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Values: IPv4/IPv6 addresses with prefix length, and MAC addresses. */
#include "ipto-private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

size_t ipto_addr_len(const struct ipto_addr *addr)
{
	if (!addr)
		return 0;
	if (addr->family == AF_INET)
		return 4;
	if (addr->family == AF_INET6)
		return 16;
	return 0;
}

static int max_prefix(int family)
{
	return family == AF_INET ? 32 : 128;
}

/*
 * The one check of an address that enters the library: a known family, a
 * prefix length in range (or unknown), and for IPv4 bytes[4..15] all zero
 * (struct ipto_addr's contract), so that no two addresses that compare
 * unequal can ever stand for the same IPv4 address.
 */
bool ipto_addr_valid(const struct ipto_addr *addr)
{
	size_t len = ipto_addr_len(addr), i;

	if (!len)
		return false;
	if (addr->prefixlen != IPTO_PREFIX_UNKNOWN &&
	    (addr->prefixlen < 0 || addr->prefixlen > max_prefix(addr->family)))
		return false;
	for (i = len; i < sizeof(addr->bytes); i++)
		if (addr->bytes[i])
			return false;
	return true;
}

/* Strict decimal: 1..3 digits, no sign, no leading zero except "0". */
static int parse_prefix(const char *s, int max)
{
	int v = 0;
	size_t n;

	for (n = 0; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 3)
			return -EINVAL;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || (n > 1 && s[0] == '0') || v > max)
		return -EINVAL;
	return v;
}

IPTO_EXPORT int ipto_addr_parse(const char *str, struct ipto_addr *out)
{
	/* Longest valid input: an IPv6 address in its longest textual form
	 * (45 characters with an embedded IPv4 tail) plus "/128". */
	char buf[INET6_ADDRSTRLEN + 8];
	struct ipto_addr a = { 0 };
	const char *slash;
	size_t len;
	int r;

	if (!str || !out)
		return -EINVAL;
	len = strlen(str);
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, str, len + 1);
	slash = strchr(str, '/');
	if (slash)
		buf[slash - str] = '\0';

	if (inet_pton(AF_INET, buf, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;

	a.prefixlen = IPTO_PREFIX_UNKNOWN;
	if (slash) {
		r = parse_prefix(slash + 1, max_prefix(a.family));
		if (r < 0)
			return r;
		a.prefixlen = r;
	}
	*out = a;
	return 0;
}

IPTO_EXPORT int ipto_addr_format(const struct ipto_addr *addr, char *buf,
				 size_t size)
{
	char tmp[IPTO_ADDR_STRLEN];
	size_t len;

	if (!buf || !ipto_addr_valid(addr))
		return -EINVAL;
	if (!inet_ntop(addr->family, addr->bytes, tmp, sizeof(tmp)))
		return -EINVAL;
	len = strlen(tmp);
	if (addr->prefixlen != IPTO_PREFIX_UNKNOWN)
		len += (size_t)snprintf(tmp + len, sizeof(tmp) - len, "/%d",
					addr->prefixlen);
	if (len + 1 > size)
		return -ENOBUFS;
	memcpy(buf, tmp, len + 1);
	return (int)len;
}

static uint32_t v4_host_order(const struct ipto_addr *addr)
{
	return (uint32_t)addr->bytes[0] << 24 | (uint32_t)addr->bytes[1] << 16 |
	       (uint32_t)addr->bytes[2] << 8 | addr->bytes[3];
}

static uint32_t v4_hostmask(int prefixlen)
{
	return prefixlen >= 32 ? 0 : 0xffffffffu >> prefixlen;
}

static int classify_v4(const struct ipto_addr *addr)
{
	uint32_t a = v4_host_order(addr);
	int c = 0;

	if (a == 0)
		return IPTO_ADDR_UNSPECIFIED;
	if ((a & 0xf0000000u) == 0xe0000000u)
		return IPTO_ADDR_MULTICAST;
	if (a == 0xffffffffu)
		return IPTO_ADDR_BROADCAST;
	if (addr->prefixlen != IPTO_PREFIX_UNKNOWN && addr->prefixlen <= 30) {
		uint32_t hm = v4_hostmask(addr->prefixlen);

		if ((a & hm) == hm)
			c |= IPTO_ADDR_BROADCAST;
		else if ((a & hm) == 0)
			c |= IPTO_ADDR_NETWORK;
	}
	if ((a & 0xff000000u) == 0x7f000000u)
		c |= IPTO_ADDR_LOOPBACK;
	if ((a & 0xffff0000u) == 0xa9fe0000u)
		c |= IPTO_ADDR_LINK_LOCAL;
	if (!(c & IPTO_ADDR_BROADCAST) && (a & 0xf0000000u) != 0xf0000000u)
		c |= IPTO_ADDR_UNICAST;
	return c;
}

static int classify_v6(const struct ipto_addr *addr)
{
	static const uint8_t zero[16];
	const uint8_t *b = addr->bytes;

	if (b[0] == 0xff)
		return IPTO_ADDR_MULTICAST;
	if (memcmp(b, zero, 16) == 0)
		return IPTO_ADDR_UNSPECIFIED;
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return IPTO_ADDR_UNICAST | IPTO_ADDR_LOOPBACK;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return IPTO_ADDR_UNICAST | IPTO_ADDR_LINK_LOCAL;
	return IPTO_ADDR_UNICAST;
}

IPTO_EXPORT int ipto_addr_classify(const struct ipto_addr *addr)
{
	if (!ipto_addr_valid(addr))
		return -EINVAL;
	return addr->family == AF_INET ? classify_v4(addr) : classify_v6(addr);
}

/* Equal exactly when ipto_addr_compare() says 0 once the prefix lengths
 * are set aside: same family, all 16 bytes (a valid IPv4 address has
 * zeros after its 4). */
IPTO_EXPORT bool ipto_addr_equal(const struct ipto_addr *a,
				 const struct ipto_addr *b)
{
	return a && b && a->family == b->family &&
	       memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

IPTO_EXPORT int ipto_addr_compare(const struct ipto_addr *a,
				  const struct ipto_addr *b)
{
	int r;

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(a->bytes, b->bytes, sizeof(a->bytes));
	if (r)
		return r < 0 ? -1 : 1;
	if (a->prefixlen != b->prefixlen)
		return a->prefixlen < b->prefixlen ? -1 : 1;
	return 0;
}

IPTO_EXPORT int ipto_addr_subnet_broadcast(const struct ipto_addr *addr,
					   struct ipto_addr *out)
{
	uint32_t a;

	if (!out || !ipto_addr_valid(addr))
		return -EINVAL;
	if (addr->family != AF_INET)
		return -EAFNOSUPPORT;
	if (addr->prefixlen == IPTO_PREFIX_UNKNOWN || addr->prefixlen > 30)
		return -ENOENT;
	a = v4_host_order(addr) | v4_hostmask(addr->prefixlen);
	*out = *addr;
	out->bytes[0] = (uint8_t)(a >> 24);
	out->bytes[1] = (uint8_t)(a >> 16);
	out->bytes[2] = (uint8_t)(a >> 8);
	out->bytes[3] = (uint8_t)a;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

IPTO_EXPORT int ipto_mac_parse(const char *str, struct ipto_mac *out)
{
	struct ipto_mac m;
	char sep;
	int i;

	if (!str || !out || strlen(str) != 17)
		return -EINVAL;
	sep = str[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		const char *p = str + 3 * i;
		int hi = hexval(p[0]), lo = hexval(p[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < 5 && p[2] != sep)
			return -EINVAL;
		m.bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = m;
	return 0;
}

IPTO_EXPORT int ipto_mac_format(const struct ipto_mac *mac, char *buf,
				size_t size)
{
	if (!mac || !buf)
		return -EINVAL;
	if (size < IPTO_MAC_STRLEN)
		return -ENOBUFS;
	return snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x",
			mac->bytes[0], mac->bytes[1], mac->bytes[2],
			mac->bytes[3], mac->bytes[4], mac->bytes[5]);
}

IPTO_EXPORT int ipto_mac_classify(const struct ipto_mac *mac)
{
	static const uint8_t zero[6];
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int c = 0;

	if (!mac)
		return -EINVAL;
	if (memcmp(mac->bytes, zero, 6) == 0)
		return IPTO_MAC_ZERO;
	if (mac->bytes[0] & 0x01) {
		c |= IPTO_MAC_MULTICAST;
		if (memcmp(mac->bytes, bcast, 6) == 0)
			c |= IPTO_MAC_BROADCAST;
	} else {
		c |= IPTO_MAC_UNICAST;
	}
	if (mac->bytes[0] & 0x02)
		c |= IPTO_MAC_LOCAL;
	return c;
}

IPTO_EXPORT bool ipto_mac_equal(const struct ipto_mac *a,
				const struct ipto_mac *b)
{
	return a && b && memcmp(a->bytes, b->bytes, 6) == 0;
}
