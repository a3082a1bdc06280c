/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Probe before binding: RFC 5227 ARP probes (sender IP 0.0.0.0) for IPv4,
 * RFC 4862 DAD-style neighbour solicitations (from ::, to the
 * solicited-node group, no source link-layer option) for IPv6. Every
 * target is probed at once through one unbound packet socket (the
 * watcher's, with its BPF filter); what comes back is parsed with
 * ipto_frame_parse(). Another host's probe for a target at the same time
 * (an ARP probe, a DAD NS) is a conflict too. Sends probes only: nothing
 * on the system changes.
 */
#include "watch-private.h"
#include "wire-private.h"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_ARP_LEN 60
#define PROBE_NS_LEN 78

struct ptarget {
	const struct ipto_probe_target *t;
	int ifindex;
	struct ipto_mac mac;
	uint8_t frame[PROBE_NS_LEN];
	size_t len;
	uint8_t dst[6];
};

static void build_arp_probe(struct ptarget *p)
{
	uint8_t *f = p->frame;

	memset(f, 0, PROBE_ARP_LEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, p->mac.bytes, 6);
	f[12] = 0x08, f[13] = 0x06;
	f[14] = 0, f[15] = 1;          /* Ethernet */
	f[16] = 0x08, f[17] = 0x00;    /* IPv4 */
	f[18] = 6, f[19] = 4;
	f[20] = 0, f[21] = 1;          /* request */
	memcpy(f + 22, p->mac.bytes, 6);
	/* sender IP 0.0.0.0 (f + 28), target MAC 0 (f + 32) */
	memcpy(f + 38, p->t->addr.bytes, 4);
	memset(p->dst, 0xff, 6);
	p->len = PROBE_ARP_LEN;
}

static void build_dad_ns(struct ptarget *p)
{
	uint8_t *f = p->frame, *ip = f + 14, *icmp = f + 54;
	const uint8_t *a = p->t->addr.bytes;
	uint32_t sum;

	memset(f, 0, PROBE_NS_LEN);
	/* solicited-node group ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX */
	f[0] = 0x33, f[1] = 0x33, f[2] = 0xff;
	memcpy(f + 3, a + 13, 3);
	memcpy(f + 6, p->mac.bytes, 6);
	f[12] = 0x86, f[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = 0, ip[5] = 24;         /* payload: the NS without options */
	ip[6] = 58;                    /* ICMPv6 */
	ip[7] = 255;
	/* source :: (ip + 8) */
	ip[24] = 0xff, ip[25] = 0x02, ip[35] = 0x01, ip[36] = 0xff;
	memcpy(ip + 37, a + 13, 3);
	icmp[0] = 135;                 /* neighbour solicitation, code 0 */
	memcpy(icmp + 8, a, 16);
	sum = csum_add(0, ip + 8, 32); /* pseudo-header: addresses */
	sum += 24 + 58;                /* upper-layer length, next header */
	sum = csum_add(sum, icmp, 24);
	put16(icmp + 2, csum_fold(sum));
	memcpy(p->dst, f, 6);
	p->len = PROBE_NS_LEN;
}

static int send_probe(int fd, const struct ptarget *p)
{
	struct sockaddr_ll sll;
	ssize_t n;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = p->ifindex;
	sll.sll_protocol = htons(p->t->addr.family == AF_INET ? ETH_P_ARP : ETH_P_IPV6);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, p->dst, 6);
	do
		n = sendto(fd, p->frame, p->len, 0, (struct sockaddr *)&sll, sizeof(sll));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

static bool own_mac(const struct ptarget *pt, size_t n, const struct ipto_mac *m)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ipto_mac_equal(&pt[i].mac, m))
			return true;
	return false;
}

/* The target a received frame conflicts with, or NULL. */
static const struct ptarget *conflicting(const struct ptarget *pt, size_t n,
					 int ifindex, const struct ipto_frame_info *fi)
{
	size_t i;

	if (own_mac(pt, n, &fi->sender_mac) || own_mac(pt, n, &fi->eth_src))
		return NULL;
	for (i = 0; i < n; i++) {
		const struct ipto_addr *a = &pt[i].t->addr;

		if (pt[i].ifindex != ifindex)
			continue;
		/* It answers for, announces, or advertises the address. */
		if (ipto_addr_equal(&fi->sender_ip, a))
			return &pt[i];
		/* Another host probes for it at the same time (RFC 5227 2.1.1). */
		if (a->family == AF_INET && fi->ethertype == 0x0806 && fi->op == 1 &&
		    ipto_addr_equal(&fi->target_ip, a) && fi->sender_ip.family == AF_INET &&
		    !memcmp(fi->sender_ip.bytes, "\0\0\0\0", 4))
			return &pt[i];
		/* ... or runs duplicate address detection for it (RFC 4862
		 * 5.4.3: an NS from :: for a tentative address is a duplicate). */
		if (a->family == AF_INET6 && fi->ethertype == 0x86dd &&
		    fi->target_ip.family == AF_INET6 && ipto_addr_equal(&fi->target_ip, a) &&
		    fi->ip_src.family == AF_INET6 &&
		    !memcmp(fi->ip_src.bytes, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16))
			return &pt[i];
	}
	return NULL;
}

static int64_t ms_ns(uint32_t ms) { return (int64_t)ms * 1000000; }

IPTO_EXPORT int ipto_probe(struct ipto_ctx *ctx,
			   const struct ipto_probe_target *targets, size_t n,
			   const struct ipto_probe_opts *opts,
			   struct ipto_watch_conflict *conflict)
{
	struct ipto_binder *binder;
	struct ptarget *pt;
	unsigned int count, sent = 0;
	uint32_t interval, wait;
	uint64_t t0, deadline;
	size_t i;
	int fd = -1, r = 0;

	if (!ctx || !targets || n == 0 || n > 65536)
		return -EINVAL;
	if (ipto_opts_required(ctx, "probe", opts, ipto_probe_opts, wait_ms,
			       "a binder at least") < 0)
		return -EINVAL;
	if (conflict && ipto_sized_get_sz(conflict) < sizeof(size_t))
		return -EINVAL;
	binder = ipto_opts_get(opts, ipto_probe_opts, binder, NULL);
	count = ipto_opts_get(opts, ipto_probe_opts, count, 0);
	interval = ipto_opts_get(opts, ipto_probe_opts, interval_ms, 0);
	wait = ipto_opts_get(opts, ipto_probe_opts, wait_ms, 0);
	if (!binder) {
		log_err(ctx, "probe: a binder is required (to read the adapters)\n");
		return -EINVAL;
	}
	count = count ? count : 3;
	interval = interval ? interval : 200;
	wait = wait ? wait : 200;
	if (count > 100 || interval > 60000 || wait > 60000) {
		log_err(ctx, "probe: count (1..100), interval_ms, wait_ms (..60000) out of range\n");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		int cls = ipto_addr_classify(&targets[i].addr);

		if (!targets[i].ifname || !ipto_ifname_valid(targets[i].ifname) || cls < 0 ||
		    !(cls & IPTO_ADDR_CLASS_UNICAST) || (cls & IPTO_ADDR_CLASS_LOOPBACK)) {
			log_err(ctx, "probe: target %zu: an interface name and a "
				"unicast address are required\n", i);
			return -EINVAL;
		}
	}
	pt = calloc(n, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct ipto_adapter_info li = { .sz = sizeof(li) };

		pt[i].t = &targets[i];
		r = ipto_binder_adapter_get(binder, targets[i].ifname, &li);
		if (r < 0) {
			log_err(ctx, "probe: %s: %s\n", targets[i].ifname, ipto_strerror(r));
			goto out;
		}
		if (!li.up) {
			log_err(ctx, "probe: %s is down; bring it up to probe from it\n",
				targets[i].ifname);
			r = -ENETDOWN;
			goto out;
		}
		if (!(ipto_mac_classify(&li.mac) & IPTO_MAC_CLASS_UNICAST)) {
			log_err(ctx, "probe: %s has no unicast MAC\n", targets[i].ifname);
			r = -EINVAL;
			goto out;
		}
		pt[i].ifindex = li.ifindex;
		pt[i].mac = li.mac;
		if (targets[i].addr.family == AF_INET)
			build_arp_probe(&pt[i]);
		else
			build_dad_ns(&pt[i]);
	}
	fd = ipto_watch_socket_open(ctx, "probe");
	if (fd < 0) {
		r = fd;
		goto out;
	}
	t0 = ipto_watch_now_mono_ns();
	deadline = t0 + (uint64_t)ms_ns(interval) * (count - 1) + (uint64_t)ms_ns(wait);
	for (;;) {
		uint64_t now = ipto_watch_now_mono_ns(), until;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec ts;
		uint8_t buf[2048];

		while (sent < count && now >= t0 + (uint64_t)ms_ns(interval) * sent) {
			for (i = 0; i < n; i++) {
				r = send_probe(fd, &pt[i]);
				if (r < 0) {
					log_err(ctx, "probe: sending on %s: %s\n",
						targets[i].ifname, ipto_strerror(r));
					goto out;
				}
			}
			sent++;
		}
		if (sent == count && now >= deadline) {
			r = 0;
			break;
		}
		until = sent < count ? t0 + (uint64_t)ms_ns(interval) * sent : deadline;
		ts.tv_sec = (time_t)((until - now) / 1000000000u);
		ts.tv_nsec = (long)((until - now) % 1000000000u);
		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		for (;;) {
			IPTO_OPTS(ipto_frame_info, fi);
			const struct ptarget *c;
			uint64_t t;
			bool outgoing;
			int ifindex, len;

			len = ipto_watch_socket_recv(fd, buf, sizeof(buf), &ifindex,
						     &outgoing, &t);
			if (len == -EAGAIN)
				break;
			if (len < 0) {
				r = len;
				goto out;
			}
			if (outgoing || ipto_frame_parse(buf, (size_t)len, &fi) < 0)
				continue;
			c = conflicting(pt, n, ifindex, &fi);
			if (!c)
				continue;
			if (ipto_log_enabled(ctx, IPTO_LOG_PRIORITY_INFO)) {
				char at[IPTO_ADDR_STRLEN], mac[IPTO_MAC_STRLEN];

				ipto_addr_format(&c->t->addr, at, sizeof(at));
				ipto_mac_format(&fi.sender_mac, mac, sizeof(mac));
				log_info(ctx, "probe: %s is in use: %s answers on %s\n",
					 at, mac, c->t->ifname);
			}
			if (conflict) {
				struct ipto_watch_conflict wc;

				memset(&wc, 0, sizeof(wc));
				wc.sz = sizeof(wc);
				wc.addr = c->t->addr;
				wc.other_mac = fi.sender_mac;
				wc.own_mac = c->mac;
				wc.ifname = c->t->ifname;
				wc.ifindex = c->ifindex;
				wc.time_ns = t;
				wc.style = fi.style;
				wc.ethertype = fi.ethertype;
				wc.op = fi.op;
				wc.count = 1;
				/* from 0.0.0.0 or ::: a probe, not an answer */
				wc.probe = !memcmp(fi.sender_ip.bytes,
						   "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
						   ipto_addr_len(&fi.sender_ip));
				ipto_sized_copy_out(conflict, &wc, sizeof(wc));
			}
			r = -EADDRINUSE;
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(pt);
	return r;
}

IPTO_EXPORT int ipto_probe_plan(struct ipto_ctx *ctx,
				const struct ipto_plan *plan, const char *standby,
				const struct ipto_probe_opts *opts,
				struct ipto_watch_conflict *conflict)
{
	struct ipto_probe_target *t;
	size_t i, n, k = 0;
	int r;

	if (!ctx || !plan)
		return -EINVAL;
	n = ipto_plan_get_step_count(plan);
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		r = ipto_plan_get_step(plan, i, &s);
		if (r < 0)
			goto out;
		if (s.action != IPTO_PLAN_ACTION_BIND || (standby && strcmp(standby, s.standby)))
			continue;
		t[k].ifname = s.ifname; /* the pool's strings outlive the call */
		t[k++].addr = s.ip;
	}
	if (k == 0) {
		log_err(ctx, "probe: the plan has no takeover step%s%s\n",
			standby ? " for " : "", standby ? standby : "");
		r = -ENOENT;
		goto out;
	}
	r = ipto_probe(ctx, t, k, opts, conflict);
out:
	free(t);
	return r;
}
