/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TCP tickles (doc/watch.md): the connection file's line parser and
 * formatter, the tickle packet builder, and a sender that uses raw IP
 * sockets with the IP header included (IPPROTO_RAW), bound to the adapter
 * that holds the server address, so the kernel resolves the client's MAC
 * and the frame leaves with that adapter's own MAC.
 */
#include "ipto-private.h"
#include "wire-private.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36
#endif

#define BLANKS " \t\r\n\v\f"

/* "1".."65535", decimal, no sign, no leading zero. */
static int parse_port(const char *s, uint16_t *out)
{
	unsigned long v = 0;
	size_t i, len = strlen(s);

	if (len == 0 || len > 5 || s[0] == '0')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* "192.0.2.1:80" or "[2001:db8::1]:80" (@tok is a writable copy). */
static int parse_endpoint(char *tok, struct ipto_addr *addr, uint16_t *port)
{
	char *host, *p;
	int cls;

	if (tok[0] == '[') {
		host = tok + 1;
		p = strchr(host, ']');
		if (!p || p[1] != ':')
			return -EINVAL;
		*p = '\0';
		p += 2;
		if (!strchr(host, ':'))
			return -EINVAL; /* brackets are for IPv6 only */
	} else {
		p = strchr(tok, ':');
		if (!p || strchr(p + 1, ':'))
			return -EINVAL; /* IPv6 needs brackets */
		*p++ = '\0';
		host = tok;
	}
	if (strchr(host, '/') || ipto_addr_parse(host, addr) < 0 ||
	    parse_port(p, port) < 0)
		return -EINVAL;
	if ((tok[0] == '[') != (addr->family == AF_INET6))
		return -EINVAL;
	cls = ipto_addr_classify(addr);
	if (cls < 0 || !(cls & IPTO_ADDR_CLASS_UNICAST) || (cls & IPTO_ADDR_CLASS_LOOPBACK))
		return -EINVAL;
	return 0;
}

IPTO_EXPORT int ipto_conn_parse(const char *line, struct ipto_conn *out)
{
	char tok[2][64];
	struct ipto_conn c;
	const char *p, *end;
	size_t n = 0;

	if (!line || !out)
		return -EINVAL;
	end = line + strcspn(line, "#");
	p = line;
	for (;;) {
		size_t len;

		while (p < end && strchr(BLANKS, *p))
			p++;
		if (p >= end)
			break;
		len = 0;
		while (p + len < end && !strchr(BLANKS, p[len]))
			len++;
		if (n == 2 || len >= sizeof(tok[0]))
			return -EINVAL;
		memcpy(tok[n], p, len);
		tok[n++][len] = '\0';
		p += len;
	}
	if (n == 0)
		return 0;
	if (n != 2)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	if (parse_endpoint(tok[0], &c.server, &c.server_port) < 0 ||
	    parse_endpoint(tok[1], &c.client, &c.client_port) < 0 ||
	    c.server.family != c.client.family)
		return -EINVAL;
	c.server.prefixlen = c.client.prefixlen = IPTO_PREFIX_UNKNOWN;
	*out = c;
	return 1;
}

static bool conn_valid(const struct ipto_conn *c)
{
	int a, b;

	if (!c || c->server.family != c->client.family ||
	    (c->server.family != AF_INET && c->server.family != AF_INET6) ||
	    !c->server_port || !c->client_port)
		return false;
	a = ipto_addr_classify(&c->server);
	b = ipto_addr_classify(&c->client);
	return a > 0 && b > 0 && (a & b & IPTO_ADDR_CLASS_UNICAST) &&
	       !((a | b) & IPTO_ADDR_CLASS_LOOPBACK);
}

IPTO_EXPORT int ipto_conn_format(const struct ipto_conn *conn, char *buf,
				 size_t size)
{
	char s[IPTO_ADDR_STRLEN], c[IPTO_ADDR_STRLEN];
	struct ipto_addr a;
	bool v6;
	int n;

	if (!buf || !conn_valid(conn))
		return -EINVAL;
	v6 = conn->server.family == AF_INET6;
	a = conn->server;
	a.prefixlen = IPTO_PREFIX_UNKNOWN;
	if (ipto_addr_format(&a, s, sizeof(s)) < 0)
		return -EINVAL;
	a = conn->client;
	a.prefixlen = IPTO_PREFIX_UNKNOWN;
	if (ipto_addr_format(&a, c, sizeof(c)) < 0)
		return -EINVAL;
	n = snprintf(NULL, 0, v6 ? "[%s]:%u [%s]:%u" : "%s:%u %s:%u", s,
		     conn->server_port, c, conn->client_port);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENOBUFS;
	snprintf(buf, size, v6 ? "[%s]:%u [%s]:%u" : "%s:%u %s:%u", s,
		 conn->server_port, c, conn->client_port);
	return n;
}

IPTO_EXPORT int ipto_tickle_build(const struct ipto_conn *conn, void *buf,
				  size_t size)
{
	uint8_t *p = buf, *tcp;
	size_t alen, hlen, len;
	uint32_t sum;

	if (!buf || !conn_valid(conn))
		return -EINVAL;
	alen = conn->server.family == AF_INET ? 4 : 16;
	hlen = alen == 4 ? 20 : 40;
	len = hlen + 20;
	if (size < len)
		return -ENOBUFS;
	memset(p, 0, len);
	if (alen == 4) {
		p[0] = 0x45;
		put16(p + 2, (uint16_t)len);
		p[6] = 0x40;        /* don't fragment */
		p[8] = 64;          /* TTL */
		p[9] = IPPROTO_TCP;
		memcpy(p + 12, conn->server.bytes, 4);
		memcpy(p + 16, conn->client.bytes, 4);
		put16(p + 10, csum_fold(csum_add(0, p, 20)));
	} else {
		p[0] = 0x60;
		put16(p + 4, 20);
		p[6] = IPPROTO_TCP;
		p[7] = 64;          /* hop limit */
		memcpy(p + 8, conn->server.bytes, 16);
		memcpy(p + 24, conn->client.bytes, 16);
	}
	tcp = p + hlen;
	put16(tcp, conn->server_port);
	put16(tcp + 2, conn->client_port);
	/* sequence and acknowledgement numbers 0 (tcp + 4 .. + 11) */
	tcp[12] = 5 << 4;           /* data offset: 20 bytes, no options */
	tcp[13] = 0x10;             /* ACK */
	/* window 0, urgent pointer 0 */
	sum = csum_add(0, conn->server.bytes, alen);
	sum = csum_add(sum, conn->client.bytes, alen);
	sum += IPPROTO_TCP + 20;
	sum = csum_add(sum, tcp, 20);
	put16(tcp + 16, csum_fold(sum));
	return (int)len;
}

/* The interface that holds @a on this host, from @ifa (NULL: none). */
static const char *holder(const struct ifaddrs *ifa, const struct ipto_addr *a)
{
	for (; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;

		if (!sa || sa->sa_family != a->family)
			continue;
		if (a->family == AF_INET &&
		    !memcmp(&((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			    a->bytes, 4))
			return ifa->ifa_name;
		if (a->family == AF_INET6 &&
		    !memcmp(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			    a->bytes, 16))
			return ifa->ifa_name;
	}
	return NULL;
}

static int raw_socket(struct ipto_ctx *ctx, int family)
{
	int fd, one = 1, r;

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0) {
		r = -errno;
		log_err(ctx, "tickle: socket(%s, SOCK_RAW): %s%s\n",
			family == AF_INET ? "AF_INET" : "AF_INET6", ipto_strerror(r),
			r == -EPERM ? " (CAP_NET_RAW needed)" : "");
		return r;
	}
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one)) < 0) {
		r = -errno;
		log_err(ctx, "tickle: IPV6_HDRINCL: %s\n", ipto_strerror(r));
		close(fd);
		return r;
	}
	return fd;
}

IPTO_EXPORT int ipto_tickle_send(struct ipto_ctx *ctx,
				 const struct ipto_conn *conns, size_t n,
				 const struct ipto_tickle_opts *opts,
				 int *results)
{
	struct ifaddrs *ifa = NULL;
	const char *fixed;
	char bound[2][IF_NAMESIZE] = { "", "" };
	int fds[2] = { -1, -1 };
	int sent = 0, r;
	size_t i;

	if (!ctx || (!conns && n))
		return -EINVAL;
	if (ipto_opts_valid(ctx, "tickle", opts, ipto_tickle_opts, ifname) < 0)
		return -EINVAL;
	fixed = ipto_opts_get(opts, ipto_tickle_opts, ifname, NULL);
	if (fixed && ipto_ifname_check(ctx, "tickle", fixed) < 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!conn_valid(&conns[i])) {
			log_err(ctx, "tickle: connection %zu is invalid\n", i);
			return -EINVAL;
		}
	if (getifaddrs(&ifa) < 0) {
		r = -errno;
		log_err(ctx, "tickle: getifaddrs: %s\n", ipto_strerror(r));
		return r;
	}
	for (i = 0; i < n; i++) {
		const struct ipto_conn *c = &conns[i];
		int v6 = c->server.family == AF_INET6;
		const char *ifname = holder(ifa, &c->server);
		uint8_t pkt[IPTO_TICKLE_MAX_LEN];
		struct sockaddr_storage ss;
		socklen_t sslen;
		ssize_t k;
		int len;

		if (!ifname) {
			char t[IPTO_CONN_STRLEN];

			ipto_conn_format(c, t, sizeof(t));
			log_info(ctx, "tickle: %s: this host does not hold the "
				 "server address; skipped\n", t);
			r = -EADDRNOTAVAIL;
			goto next;
		}
		if (fixed)
			ifname = fixed;
		if (fds[v6] < 0) {
			r = raw_socket(ctx, v6 ? AF_INET6 : AF_INET);
			if (r < 0) {
				if (r == -EPERM || r == -EACCES) {
					for (; results && i < n; i++)
						results[i] = r;
					sent = sent ? sent : r;
					goto out;
				}
				goto next;
			}
			fds[v6] = r;
		}
		if (strcmp(bound[v6], ifname) != 0) {
			if (setsockopt(fds[v6], SOL_SOCKET, SO_BINDTODEVICE, ifname,
				       (socklen_t)strlen(ifname)) < 0) {
				r = -errno;
				log_err(ctx, "tickle: bind to %s: %s\n", ifname,
					ipto_strerror(r));
				bound[v6][0] = '\0';
				goto next;
			}
			memcpy(bound[v6], ifname, strlen(ifname) + 1);
		}
		len = ipto_tickle_build(c, pkt, sizeof(pkt));
		memset(&ss, 0, sizeof(ss));
		if (v6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, c->client.bytes, 16);
			if (ipto_addr_classify(&c->client) & IPTO_ADDR_CLASS_LINK_LOCAL)
				s6->sin6_scope_id = if_nametoindex(ifname);
			sslen = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, c->client.bytes, 4);
			sslen = sizeof(*s4);
		}
		do
			k = sendto(fds[v6], pkt, (size_t)len, 0,
				   (struct sockaddr *)&ss, sslen);
		while (k < 0 && errno == EINTR);
		if (k < 0) {
			r = -errno;
			log_err(ctx, "tickle: sendto: %s\n", ipto_strerror(r));
			goto next;
		}
		r = 0;
		sent++;
next:
		if (results)
			results[i] = r;
	}
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	freeifaddrs(ifa);
	return sent;
}
