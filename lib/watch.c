/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conflict watcher: one unbound packet socket with a BPF filter for
 * ARP and neighbour advertisements; each received frame is parsed with
 * ipto_frame_parse() and compared with the watched addresses of the
 * adapter it arrived on (sll_ifindex). A frame that binds a watched
 * address to another MAC is a conflict: reported, and with the defend
 * policy answered by one announcement, at most once per defend interval
 * per address (RFC 5227 2.4 (b)).
 */
#include "watch-private.h"

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

struct waddr {
	struct ipto_addr addr;
	char ifname[IF_NAMESIZE];
	int ifindex;
	struct ipto_mac mac;
	struct ipto_injector_adapter *port; /* not owned: see wport */
	uint64_t last_defend_mono; /* 0: never */
	uint64_t count;
};

struct wport {
	char ifname[IF_NAMESIZE];
	struct ipto_injector_adapter *port;
};

struct ipto_watch {
	int refcount;
	struct ipto_ctx *ctx;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	enum ipto_watch_policy policy;
	uint64_t interval_ns;
	ipto_watch_conflict_fn cb;
	void *userdata;
	int fd;
	struct waddr *addrs;
	size_t n_addrs;
	struct wport *ports;
	size_t n_ports;
	uint64_t conflicts;
};

uint64_t ipto_watch_now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t ipto_watch_now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Classic BPF: accept ethertype 0x0806 (ARP), or 0x86dd with next header
 * 58 (ICMPv6, no extension headers) and ICMPv6 type 136 (NA); drop the
 * rest in the kernel so that the watcher wakes up for nothing else.
 */
static struct sock_filter watch_filter[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 5, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 3),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 40),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0x40000),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

int ipto_watch_socket_open(struct ipto_ctx *ctx, const char *who)
{
	struct sock_fprog prog = {
		.len = IPTO_ARRAY_SIZE(watch_filter),
		.filter = watch_filter,
	};
	struct sockaddr_ll sll;
	int fd, one = 1, r;

	/* Protocol 0 until the filter is on, so that nothing unfiltered
	 * queues up; then bind to every interface (ifindex 0), all types. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		log_err(ctx, "%s: socket(AF_PACKET): %s%s\n", who,
			ipto_strerror(r), r == -EPERM ? " (CAP_NET_RAW needed)" : "");
		return r;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0) {
		r = -errno;
		log_err(ctx, "%s: packet socket options: %s\n", who, ipto_strerror(r));
		close(fd);
		return r;
	}
	/* Linux 4.20+; older kernels deliver our own frames as
	 * PACKET_OUTGOING, which the receive path skips anyway. */
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = 0;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		r = -errno;
		log_err(ctx, "%s: bind(AF_PACKET): %s\n", who, ipto_strerror(r));
		close(fd);
		return r;
	}
	return fd;
}

int ipto_watch_socket_recv(int fd, void *buf, size_t size, int *ifindex,
			   bool *outgoing, uint64_t *time_ns)
{
	struct sockaddr_ll sll;
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_name = &sll, .msg_namelen = sizeof(sll),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	*ifindex = sll.sll_ifindex;
	*outgoing = sll.sll_pkttype == PACKET_OUTGOING;
	*time_ns = 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			*time_ns = (uint64_t)ts.tv_sec * 1000000000u +
				   (uint64_t)ts.tv_nsec;
		}
	if (!*time_ns)
		*time_ns = ipto_watch_now_real_ns();
	if ((size_t)n > size) /* cannot happen without MSG_TRUNC */
		n = (ssize_t)size;
	return (int)n;
}

IPTO_EXPORT const char *ipto_watch_policy_name(enum ipto_watch_policy policy)
{
	switch (policy) {
	case IPTO_WATCH_POLICY_DEFEND: return "defend";
	case IPTO_WATCH_POLICY_REPORT: return "report";
	}
	return NULL;
}

IPTO_EXPORT int ipto_watch_new(struct ipto_ctx *ctx,
			       const struct ipto_watch_opts *opts,
			       struct ipto_watch **ret)
{
	struct ipto_watch *w;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	int policy;
	uint32_t interval;

	if (!ctx || !ret)
		return -EINVAL;
	if (ipto_opts_required(ctx, "watch", opts, ipto_watch_opts, userdata,
			       "a binder at least") < 0)
		return -EINVAL;
	binder = ipto_opts_get(opts, ipto_watch_opts, binder, NULL);
	injector = ipto_opts_get(opts, ipto_watch_opts, injector, NULL);
	policy = ipto_opts_get(opts, ipto_watch_opts, policy, 0);
	interval = ipto_opts_get(opts, ipto_watch_opts, defend_interval_ms, 0);
	if (policy == 0)
		policy = IPTO_WATCH_POLICY_DEFEND;
	if (policy != IPTO_WATCH_POLICY_DEFEND && policy != IPTO_WATCH_POLICY_REPORT) {
		log_err(ctx, "watch: unknown policy %d\n", policy);
		return -EINVAL;
	}
	if (!binder) {
		log_err(ctx, "watch: a binder is required (to read the adapters)\n");
		return -EINVAL;
	}
	if (policy == IPTO_WATCH_POLICY_DEFEND && !injector) {
		log_err(ctx, "watch: the defend policy needs an injector\n");
		return -EINVAL;
	}
	w = ipto_obj_alloc(ipto_watch);
	if (!w)
		return -ENOMEM;
	w->ctx = ipto_ctx_ref(ctx);
	w->binder = ipto_binder_ref(binder);
	w->injector = policy == IPTO_WATCH_POLICY_DEFEND ? ipto_injector_ref(injector) : NULL;
	w->policy = policy;
	w->interval_ns = (uint64_t)(interval ? interval : IPTO_WATCH_DEFEND_INTERVAL_MS) *
			 1000000u;
	w->cb = ipto_opts_get(opts, ipto_watch_opts, on_conflict, NULL);
	w->userdata = ipto_opts_get(opts, ipto_watch_opts, userdata, NULL);
	w->fd = -1;
	*ret = w;
	return 0;
}

static void watch_free(struct ipto_watch *w)
{
	size_t i;

	if (w->fd >= 0)
		close(w->fd);
	for (i = 0; i < w->n_ports; i++)
		ipto_injector_close(w->ports[i].port);
	ipto_free_all(w->ports, w->addrs);
	ipto_injector_unref(w->injector);
	ipto_binder_unref(w->binder);
	ipto_ctx_unref(w->ctx);
	free(w);
}

IPTO_DEFINE_REF_UNREF(ipto_watch, watch_free)

static int get_port(struct ipto_watch *w, const char *ifname,
		    struct ipto_injector_adapter **ret)
{
	struct wport *np;
	size_t i;
	int r;

	for (i = 0; i < w->n_ports; i++)
		if (strcmp(w->ports[i].ifname, ifname) == 0) {
			*ret = w->ports[i].port;
			return 0;
		}
	np = realloc(w->ports, (w->n_ports + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	w->ports = np;
	r = ipto_injector_open(w->injector, ifname, &np[w->n_ports].port);
	if (r < 0) {
		log_err(w->ctx, "watch: cannot open %s to defend from it: %s\n",
			ifname, ipto_strerror(r));
		return r;
	}
	memcpy(np[w->n_ports].ifname, ifname, strlen(ifname) + 1);
	*ret = np[w->n_ports++].port;
	return 0;
}

IPTO_EXPORT int ipto_watch_add(struct ipto_watch *w, const char *ifname,
			       const struct ipto_addr *addr)
{
	struct ipto_adapter_info li = { .sz = sizeof(li) };
	struct ipto_injector_adapter *port = NULL;
	struct waddr *na, *a;
	size_t i, len;
	int r, cls;

	if (!w || !ifname || !addr)
		return -EINVAL;
	r = ipto_ifname_check(w->ctx, "watch", ifname);
	if (r < 0)
		return r;
	len = strlen(ifname);
	cls = ipto_addr_classify(addr);
	if (cls < 0 || !(cls & IPTO_ADDR_CLASS_UNICAST) || (cls & IPTO_ADDR_CLASS_LOOPBACK)) {
		log_err(w->ctx, "watch: not a unicast address\n");
		return -EINVAL;
	}
	for (i = 0; i < w->n_addrs; i++)
		if (ipto_addr_equal(&w->addrs[i].addr, addr)) {
			char t[IPTO_ADDR_STRLEN];

			ipto_addr_format(addr, t, sizeof(t));
			log_err(w->ctx, "watch: %s is watched already\n", t);
			return -EEXIST;
		}
	r = ipto_binder_adapter_get(w->binder, ifname, &li);
	if (r < 0) {
		log_err(w->ctx, "watch: %s: %s\n", ifname, ipto_strerror(r));
		return r;
	}
	if (!(ipto_mac_classify(&li.mac) & IPTO_MAC_CLASS_UNICAST)) {
		log_err(w->ctx, "watch: %s has no unicast MAC\n", ifname);
		return -EINVAL;
	}
	if (w->policy == IPTO_WATCH_POLICY_DEFEND) {
		r = get_port(w, ifname, &port);
		if (r < 0)
			return r;
	}
	na = realloc(w->addrs, (w->n_addrs + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	w->addrs = na;
	a = &na[w->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->addr = *addr;
	memcpy(a->ifname, ifname, len + 1);
	a->ifindex = li.ifindex;
	a->mac = li.mac;
	a->port = port;
	return 0;
}

IPTO_EXPORT int ipto_watch_add_plan(struct ipto_watch *w,
				    const struct ipto_plan *plan,
				    const char *standby)
{
	size_t i, n;
	int added = 0, r;

	if (!w || !plan)
		return -EINVAL;
	n = ipto_plan_get_step_count(plan);
	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		r = ipto_plan_get_step(plan, i, &s);
		if (r < 0)
			return r;
		if (s.action != IPTO_PLAN_ACTION_BIND ||
		    (standby && strcmp(standby, s.standby) != 0))
			continue;
		r = ipto_watch_add(w, s.ifname, &s.ip);
		if (r < 0)
			return r;
		added++;
	}
	return added;
}

IPTO_EXPORT size_t ipto_watch_get_addr_count(const struct ipto_watch *w)
{
	return w ? w->n_addrs : 0;
}

IPTO_EXPORT uint64_t ipto_watch_get_conflict_count(const struct ipto_watch *w)
{
	return w ? w->conflicts : 0;
}

IPTO_EXPORT int ipto_watch_start(struct ipto_watch *w)
{
	int fd;

	if (!w)
		return -EINVAL;
	if (w->fd >= 0)
		return -EALREADY;
	fd = ipto_watch_socket_open(w->ctx, "watch");
	if (fd < 0)
		return fd;
	w->fd = fd;
	return 0;
}

IPTO_EXPORT int ipto_watch_get_fd(const struct ipto_watch *w)
{
	if (!w)
		return -EINVAL;
	return w->fd >= 0 ? w->fd : -EBADF;
}

static int defend(struct ipto_watch *w, struct waddr *a)
{
	uint8_t frame[IPTO_FRAME_MAX_LEN];
	enum ipto_frame_style style = a->addr.family == AF_INET ?
		IPTO_FRAME_STYLE_ARP_ANNOUNCE : IPTO_FRAME_STYLE_NA;
	int len;

	len = ipto_frame_build(w->ctx, style, &a->mac, &a->addr, NULL, frame,
			       sizeof(frame));
	if (len < 0)
		return len;
	return ipto_injector_send(a->port, frame, (size_t)len);
}

/* One frame that arrived on @ifindex: 1 for a conflict, else 0. */
static int handle_frame(struct ipto_watch *w, int ifindex, const void *buf,
			size_t len, uint64_t time_ns)
{
	IPTO_OPTS(ipto_frame_info, fi);
	struct ipto_watch_conflict c;
	struct waddr *a = NULL;
	size_t i;

	if (ipto_frame_parse(buf, len, &fi) < 0)
		return 0;
	for (i = 0; i < w->n_addrs; i++)
		if (w->addrs[i].ifindex == ifindex &&
		    ipto_addr_equal(&w->addrs[i].addr, &fi.sender_ip)) {
			a = &w->addrs[i];
			break;
		}
	/* Our own announcements (and anything from the adapter's own MAC)
	 * are no conflict. */
	if (!a || ipto_mac_equal(&fi.sender_mac, &a->mac) ||
	    ipto_mac_equal(&fi.eth_src, &a->mac))
		return 0;

	memset(&c, 0, sizeof(c));
	c.sz = sizeof(c);
	c.addr = a->addr;
	c.other_mac = fi.sender_mac;
	c.own_mac = a->mac;
	c.ifname = a->ifname;
	c.ifindex = a->ifindex;
	c.time_ns = time_ns ? time_ns : ipto_watch_now_real_ns();
	c.style = fi.style;
	c.ethertype = fi.ethertype;
	c.op = fi.op;
	c.count = ++a->count;
	w->conflicts++;
	if (w->policy == IPTO_WATCH_POLICY_DEFEND) {
		uint64_t now = ipto_watch_now_mono_ns();

		if (!a->last_defend_mono || now - a->last_defend_mono >= w->interval_ns) {
			a->last_defend_mono = now;
			c.defend_result = defend(w, a);
			c.defended = c.defend_result == 0;
		}
	}
	if (ipto_log_enabled(w->ctx, IPTO_LOG_PRIORITY_INFO)) {
		char at[IPTO_ADDR_STRLEN], mac[IPTO_MAC_STRLEN];

		ipto_addr_format(&c.addr, at, sizeof(at));
		ipto_mac_format(&c.other_mac, mac, sizeof(mac));
		log_info(w->ctx, "watch: conflict on %s: %s claims %s%s\n",
			 a->ifname, mac, at, c.defended ? " (defended)" : "");
	}
	if (c.defend_result < 0)
		log_err(w->ctx, "watch: defending on %s failed: %s\n", a->ifname,
			ipto_strerror(c.defend_result));
	if (w->cb)
		w->cb(w, &c, w->userdata);
	return 1;
}

IPTO_EXPORT int ipto_watch_feed(struct ipto_watch *w, const char *ifname,
				const void *frame, size_t len, uint64_t time_ns)
{
	size_t i;

	if (!w || !ifname || (!frame && len))
		return -EINVAL;
	for (i = 0; i < w->n_addrs; i++)
		if (strcmp(w->addrs[i].ifname, ifname) == 0)
			return handle_frame(w, w->addrs[i].ifindex, frame, len, time_ns);
	return 0;
}

IPTO_EXPORT int ipto_watch_dispatch(struct ipto_watch *w)
{
	uint8_t buf[2048];
	int found = 0, budget = 256;

	if (!w)
		return -EINVAL;
	if (w->fd < 0)
		return -EBADF;
	/* A bounded batch: under a flood the caller's loop gets control back
	 * (the fd stays readable, so the rest comes with the next call). */
	while (budget-- > 0) {
		uint64_t t;
		bool out;
		int ifindex;
		int n = ipto_watch_socket_recv(w->fd, buf, sizeof(buf), &ifindex,
					       &out, &t);

		if (n == -EAGAIN)
			return found;
		if (n < 0) {
			log_err(w->ctx, "watch: recvmsg: %s\n", ipto_strerror(n));
			return n;
		}
		if (!out)
			found += handle_frame(w, ifindex, buf, (size_t)n, t);
	}
	return found;
}
