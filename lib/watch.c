/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conflict watcher: one unbound packet socket with a BPF filter for
 * ARP and neighbour solicitations and advertisements; each received frame
 * is parsed with ipto_frame_parse() and compared with the watched
 * addresses of the adapter it arrived on (sll_ifindex). A frame that
 * binds a watched address to another MAC is a conflict: reported, and
 * with the defend policy answered by one announcement, at most once per
 * defend interval per address (RFC 5227 2.4 (b)). Another host's probe
 * for a watched address (ARP probe, DAD NS) is a conflict too, reported
 * only. A request that resolves a watched address (ARP request, NS)
 * names a neighbour: its sender goes into the bounded seen set, which
 * ipto_watch_write_seen() writes as a neighbour list.
 */
#include "watch-private.h"
#include "neigh-private.h"

#include <ipto/ipto-neigh.h>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The kernel record's root (binder-netlink.c keeps the record in
 * RECORD_ROOT_DIR/<netns inode>/). */
#define RECORD_ROOT_DIR "/run/ipto"

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
	uint64_t redefend_mono;    /* the defence's repeat is due; 0: none */
	uint64_t count;
};

struct wseen {
	struct ipto_addr addr; /* prefix IPTO_PREFIX_UNKNOWN */
	struct ipto_mac mac;
	uint64_t order;        /* larger: seen more recently */
	uint64_t time_ns;      /* CLOCK_REALTIME, last seen; 0: from the file */
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
	int fd;      /* the packet socket */
	int epfd;    /* what the caller polls: the socket and the timer */
	int timerfd; /* the defences' repeats */
	struct waddr *addrs;
	size_t n_addrs;
	struct wport *ports;
	size_t n_ports;
	uint64_t conflicts;
	struct wseen *seen;
	size_t n_seen, cap_seen;
	uint64_t seen_order;
	bool seen_dirty, seen_merged;
	uint64_t drops; /* frames the kernel dropped, PACKET_STATISTICS */
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
 * 58 (ICMPv6, no extension headers) and ICMPv6 type 135 (NS) or 136 (NA);
 * drop the rest in the kernel so that the watcher wakes up for nothing
 * else.
 */
/* What a frame the watcher reads needs: an NS or NA with its options is
 * under 100 bytes. Queueing no more keeps a burst's copies small. */
#define WATCH_SNAPLEN 256
/* Every interface's copy of a broadcast queues on the one socket (a
 * standby with 64 macvlans gets 65 of each): room for bursts, as root. */
#define WATCH_RCVBUF (4 << 20)
/* A defence is sent again this long after the first (see handle_frame()):
 * past a client's locktime (1 s by default), which the intruder's frame
 * has just restarted, as the takeover's rounds are 1.1 s apart. */
#define WATCH_REDEFEND_NS (1100u * 1000000u)

static struct sock_filter watch_filter[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 6, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 4),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 40),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, WATCH_SNAPLEN),
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
	{
		int size = WATCH_RCVBUF;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
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
	w->fd = w->epfd = w->timerfd = -1;
	*ret = w;
	return 0;
}

static void watch_free(struct ipto_watch *w)
{
	size_t i;

	if (w->fd >= 0)
		close(w->fd);
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->timerfd >= 0)
		close(w->timerfd);
	for (i = 0; i < w->n_ports; i++)
		ipto_injector_close(w->ports[i].port);
	ipto_free_all(w->ports, w->addrs, w->seen);
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

IPTO_EXPORT int ipto_watch_remove(struct ipto_watch *w, const struct ipto_addr *addr)
{
	size_t i;

	if (!w || !addr)
		return -EINVAL;
	for (i = 0; i < w->n_addrs; i++)
		if (ipto_addr_equal(&w->addrs[i].addr, addr)) {
			memmove(&w->addrs[i], &w->addrs[i + 1],
				(w->n_addrs - i - 1) * sizeof(w->addrs[0]));
			w->n_addrs--;
			return 0;
		}
	return -ENOENT;
}

IPTO_EXPORT int ipto_watch_get_addr(const struct ipto_watch *w, size_t index,
				    struct ipto_addr *addr, char *ifname)
{
	if (!w || !addr)
		return -EINVAL;
	if (index >= w->n_addrs)
		return -ERANGE;
	*addr = w->addrs[index].addr;
	if (ifname)
		memcpy(ifname, w->addrs[index].ifname, strlen(w->addrs[index].ifname) + 1);
	return 0;
}

IPTO_EXPORT size_t ipto_watch_get_seen_count(const struct ipto_watch *w)
{
	return w ? w->n_seen : 0;
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
	/* One fd for the caller's loop: the socket and the repeats' timer
	 * behind an epoll set (readable when either is). */
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->epfd < 0 || w->timerfd < 0 ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->fd,
		      &(struct epoll_event){ .events = EPOLLIN }) < 0 ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->timerfd,
		      &(struct epoll_event){ .events = EPOLLIN }) < 0) {
		int r = -errno;

		log_err(w->ctx, "watch: epoll/timerfd: %s\n", ipto_strerror(r));
		close(w->fd);
		if (w->epfd >= 0)
			close(w->epfd);
		if (w->timerfd >= 0)
			close(w->timerfd);
		w->fd = w->epfd = w->timerfd = -1;
		return r;
	}
	return 0;
}

IPTO_EXPORT int ipto_watch_get_fd(const struct ipto_watch *w)
{
	if (!w)
		return -EINVAL;
	return w->epfd >= 0 ? w->epfd : -EBADF;
}

/* Arms the timer for the earliest repeat due, or disarms it. */
static void redefend_arm(struct ipto_watch *w)
{
	struct itimerspec its = { 0 };
	uint64_t next = 0;
	size_t i;

	if (w->timerfd < 0)
		return;
	for (i = 0; i < w->n_addrs; i++)
		if (w->addrs[i].redefend_mono &&
		    (!next || w->addrs[i].redefend_mono < next))
			next = w->addrs[i].redefend_mono;
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000000000u);
		its.it_value.tv_nsec = (long)(next % 1000000000u);
	}
	(void)timerfd_settime(w->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
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

static bool watched_addr(const struct ipto_watch *w, const struct ipto_addr *a)
{
	size_t i;

	for (i = 0; i < w->n_addrs; i++)
		if (ipto_addr_equal(&w->addrs[i].addr, a))
			return true;
	return false;
}

/* Remembers @addr at @mac as seen now (@time_ns), or as seen before all
 * else (@time_ns 0: an entry of an older file). Bounded: when full, the
 * entry seen longest ago makes room. */
static void seen_put(struct ipto_watch *w, const struct ipto_addr *addr,
		     const struct ipto_mac *mac, uint64_t time_ns)
{
	struct wseen *e = NULL;
	size_t i;

	for (i = 0; i < w->n_seen; i++)
		if (ipto_addr_equal(&w->seen[i].addr, addr)) {
			e = &w->seen[i];
			break;
		}
	if (e && !time_ns)
		return; /* the file is older than what this watcher saw */
	if (!e) {
		if (w->n_seen == IPTO_NEIGH_MAX) {
			if (!time_ns)
				return;
			e = &w->seen[0];
			for (i = 1; i < w->n_seen; i++)
				if (w->seen[i].order < e->order)
					e = &w->seen[i];
		} else {
			if (w->n_seen == w->cap_seen &&
			    ipto_grow((void **)&w->seen, &w->cap_seen, w->n_seen + 1,
				      sizeof(*w->seen)) < 0)
				return; /* out of memory: this sender is not kept */
			e = &w->seen[w->n_seen++];
		}
		memset(e, 0, sizeof(*e));
		e->addr = *addr;
		e->addr.prefixlen = IPTO_PREFIX_UNKNOWN;
		e->mac = *mac;
		w->seen_dirty = true;
	} else if (!ipto_mac_equal(&e->mac, mac)) {
		e->mac = *mac;
		w->seen_dirty = true;
	}
	/* entries of the file come before anything seen (order 0 .. ) */
	e->order = time_ns ? ++w->seen_order + ((uint64_t)1 << 32) : ++w->seen_order;
	e->time_ns = time_ns;
}

/* A request from another host that resolves watched address @a: keep its
 * sender, unless anything about it is not one host's unicast address. */
static void saw_request(struct ipto_watch *w, const struct waddr *a,
			const struct ipto_frame_info *fi, uint64_t time_ns)
{
	struct ipto_addr on = fi->sender_ip;
	int cls;

	/* classified with the prefix of the watched address: its subnet's
	 * broadcast and network addresses are no host */
	on.prefixlen = a->addr.prefixlen;
	cls = ipto_addr_classify(&on);

	if (!(ipto_mac_classify(&fi->sender_mac) & IPTO_MAC_CLASS_UNICAST) ||
	    !(ipto_mac_classify(&fi->eth_src) & IPTO_MAC_CLASS_UNICAST) ||
	    ipto_mac_equal(&fi->sender_mac, &a->mac) || ipto_mac_equal(&fi->eth_src, &a->mac) ||
	    cls < 0 || !(cls & IPTO_ADDR_CLASS_UNICAST) ||
	    (cls & (IPTO_ADDR_CLASS_LOOPBACK | IPTO_ADDR_CLASS_UNSPECIFIED |
		    IPTO_ADDR_CLASS_MULTICAST | IPTO_ADDR_CLASS_BROADCAST |
		    IPTO_ADDR_CLASS_NETWORK)) ||
	    watched_addr(w, &fi->sender_ip))
		return;
	seen_put(w, &fi->sender_ip, &fi->sender_mac, time_ns ? time_ns : ipto_watch_now_real_ns());
}

static bool unspecified(const struct ipto_addr *a)
{
	static const uint8_t zero[16];

	return (a->family == AF_INET || a->family == AF_INET6) &&
	       !memcmp(a->bytes, zero, ipto_addr_len(a));
}

/* One frame that arrived on @ifindex: 1 for a conflict, else 0. */
static int handle_frame(struct ipto_watch *w, int ifindex, const void *buf,
			size_t len, uint64_t time_ns)
{
	IPTO_OPTS(ipto_frame_info, fi);
	struct ipto_watch_conflict c;
	struct waddr *a = NULL;
	bool is_ns, request, probe = false;
	size_t i;

	if (ipto_frame_parse(buf, len, &fi) < 0)
		return 0;
	/* An NS is the IPv6 frame with a target; an ARP request op 1. */
	is_ns = fi.ethertype == 0x86dd && fi.target_ip.family == AF_INET6;
	request = is_ns || (fi.ethertype == 0x0806 && fi.op == 1);
	for (i = 0; i < w->n_addrs; i++)
		if (w->addrs[i].ifindex == ifindex &&
		    ipto_addr_equal(&w->addrs[i].addr, &fi.sender_ip)) {
			a = &w->addrs[i];
			break;
		}
	if (!a && request && unspecified(&fi.sender_ip)) {
		/* Another host probes for a watched address before it takes
		 * it (RFC 5227 2.1.1, RFC 4862 5.4.2). */
		for (i = 0; i < w->n_addrs; i++)
			if (w->addrs[i].ifindex == ifindex &&
			    ipto_addr_equal(&w->addrs[i].addr, &fi.target_ip)) {
				a = &w->addrs[i];
				probe = true;
				break;
			}
	} else if (!a && request) {
		/* A host resolves a watched address: a neighbour to tell at
		 * the next takeover (not a conflict). */
		for (i = 0; i < w->n_addrs; i++)
			if (w->addrs[i].ifindex == ifindex &&
			    ipto_addr_equal(&w->addrs[i].addr, &fi.target_ip)) {
				saw_request(w, &w->addrs[i], &fi, time_ns);
				break;
			}
		return 0;
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
	c.probe = probe;
	w->conflicts++;
	/* A probe is a question the holder's kernel answers: not defended. */
	if (w->policy == IPTO_WATCH_POLICY_DEFEND && !probe) {
		uint64_t now = ipto_watch_now_mono_ns();

		if (!a->last_defend_mono || now - a->last_defend_mono >= w->interval_ns) {
			a->last_defend_mono = now;
			c.defend_result = defend(w, a);
			c.defended = c.defend_result == 0;
			/* A client that took the intruder's frame ignores
			 * ours for its locktime (measured on Linux 6.18 with
			 * the announcement too): once more after it. */
			if (c.defended && w->timerfd >= 0) {
				a->redefend_mono = now + WATCH_REDEFEND_NS;
				redefend_arm(w);
			}
		}
	}
	if (ipto_log_enabled(w->ctx, IPTO_LOG_PRIORITY_INFO)) {
		char at[IPTO_ADDR_STRLEN], mac[IPTO_MAC_STRLEN];

		ipto_addr_format(&c.addr, at, sizeof(at));
		ipto_mac_format(&c.other_mac, mac, sizeof(mac));
		log_info(w->ctx, "watch: conflict on %s: %s %s %s%s\n",
			 a->ifname, mac, probe ? "probes for" : "claims", at,
			 c.defended ? " (defended)" : "");
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

/* The repeats that are due, sent. */
static void redefend_due(struct ipto_watch *w)
{
	uint64_t expirations, now = ipto_watch_now_mono_ns();
	size_t i;
	int r;

	if (w->timerfd < 0 ||
	    read(w->timerfd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	for (i = 0; i < w->n_addrs; i++) {
		struct waddr *a = &w->addrs[i];

		if (!a->redefend_mono || a->redefend_mono > now)
			continue;
		a->redefend_mono = 0;
		r = defend(w, a);
		if (r < 0)
			log_err(w->ctx, "watch: defending on %s again failed: %s\n",
				a->ifname, ipto_strerror(r));
	}
	redefend_arm(w);
}

/* The kernel drops what a full receive queue has no room for, and says
 * so only when asked: said once per batch that lost some (reading the
 * statistics resets them), so nobody takes a quiet log for a quiet LAN. */
static void watch_check_drops(struct ipto_watch *w)
{
	struct tpacket_stats st = { 0 };
	socklen_t len = sizeof(st);

	if (getsockopt(w->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0 ||
	    st.tp_drops == 0)
		return;
	w->drops += st.tp_drops;
	log_err(w->ctx, "watch: the kernel dropped %u frame(s) (receive queue full, "
		 "%" PRIu64 " in all): a conflict among them was missed\n",
		 st.tp_drops, w->drops);
}

IPTO_EXPORT int ipto_watch_dispatch(struct ipto_watch *w)
{
	uint8_t buf[2048];
	int found = 0, budget = 256;

	if (!w)
		return -EINVAL;
	if (w->fd < 0)
		return -EBADF;
	redefend_due(w);
	/* A bounded batch: under a flood the caller's loop gets control back
	 * (the fd stays readable, so the rest comes with the next call). */
	while (budget-- > 0) {
		uint64_t t;
		bool out;
		int ifindex;
		int n = ipto_watch_socket_recv(w->fd, buf, sizeof(buf), &ifindex,
					       &out, &t);

		if (n == -EAGAIN) {
			watch_check_drops(w);
			return found;
		}
		if (n < 0) {
			log_err(w->ctx, "watch: recvmsg: %s\n", ipto_strerror(n));
			return n;
		}
		if (!out)
			found += handle_frame(w, ifindex, buf, (size_t)n, t);
	}
	return found;
}

static int seen_cmp(const void *x, const void *y)
{
	const struct wseen *a = x, *b = y;

	return a->order < b->order ? -1 : a->order > b->order;
}

/* The entries of an existing list at @path, as seen before everything
 * this watcher saw. A missing file adds nothing; a bad one is logged and
 * left to be replaced. */
static void seen_merge_file(struct ipto_watch *w, const char *path)
{
	struct ipto_neigh_set *set = NULL;
	size_t i, n;

	if (ipto_neigh_set_new(w->ctx, &set) < 0)
		return;
	if (ipto_neigh_set_add_seen(set, path, NULL) >= 0) {
		n = ipto_neigh_set_get_count(set);
		for (i = 0; i < n; i++) {
			IPTO_OPTS(ipto_neigh, e);

			if (ipto_neigh_set_get(set, i, &e) == 0 &&
			    (ipto_mac_classify(&e.mac) & IPTO_MAC_CLASS_UNICAST))
				seen_put(w, &e.addr, &e.mac, 0);
		}
	}
	ipto_neigh_set_unref(set);
}

/* @dir exists (made 0755 when missing, with its parent when @make_parent),
 * is no symbolic link, belongs to us and nobody else may write to it: an
 * O_DIRECTORY fd, or a negative errno (logged). */
static int seen_dir_open(struct ipto_watch *w, const char *dir, bool make_parent)
{
	struct stat st;
	int fd, r;

	if (make_parent)
		(void)mkdir(RECORD_ROOT_DIR, 0755);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		log_err(w->ctx, "watch: cannot make %s: %s\n", dir, ipto_strerror(r));
		return r;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = errno == ELOOP || errno == ENOTDIR ? -EPERM : -errno;
		log_err(w->ctx, "watch: %s: %s\n", dir,
			r == -EPERM ? "not a directory (a symbolic link?): refused"
				    : ipto_strerror(r));
		return r;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		log_err(w->ctx, "watch: %s is not a directory of user %u that only it may "
			"write to: refused\n", dir, (unsigned int)geteuid());
		close(fd);
		return -EPERM;
	}
	return fd;
}

IPTO_EXPORT int ipto_watch_write_seen(struct ipto_watch *w, const char *path,
				      bool force)
{
	char def[128], dir[4096], tmp[64];
	const char *name;
	struct wseen *v = NULL;
	FILE *f = NULL;
	size_t i, n;
	int dfd = -1, fd = -1, r;

	if (!w)
		return -EINVAL;
	if (!path) {
		r = ipto_neigh_seen_default(w->ctx, "watch", def, sizeof(def));
		if (r < 0)
			return r;
		path = def;
	}
	name = strrchr(path, '/');
	if (!name) {
		snprintf(dir, sizeof(dir), ".");
		name = path;
	} else if ((size_t)(name - path) >= sizeof(dir)) {
		return -ENAMETOOLONG;
	} else {
		memcpy(dir, path, (size_t)(name - path));
		dir[name - path] = '\0';
		if (!dir[0])
			snprintf(dir, sizeof(dir), "/");
		name++;
	}
	if (!*name)
		return -EINVAL;
	if (!w->seen_merged) {
		w->seen_merged = true;
		seen_merge_file(w, path);
	}
	if (!force && !w->seen_dirty)
		return 0;
	dfd = seen_dir_open(w, dir, path == def);
	if (dfd < 0)
		return dfd;
	n = w->n_seen;
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(v, w->seen, n * sizeof(*v));
	qsort(v, n, sizeof(*v), seen_cmp);
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", IPTO_NEIGH_SEEN_FILE, (long)getpid());
	(void)unlinkat(dfd, tmp, 0); /* left by a crash of this pid's namesake */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		log_err(w->ctx, "watch: cannot write %s/%s: %s\n", dir, tmp, ipto_strerror(r));
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		goto unlink;
	}
	fprintf(f, "# ipto watch: hosts that resolved a watched address, least recently "
		"seen first (doc/neighbour-list.md)\n");
	for (i = 0; i < n; i++) {
		char a[IPTO_ADDR_STRLEN], m[IPTO_MAC_STRLEN];

		ipto_addr_format(&v[i].addr, a, sizeof(a));
		ipto_mac_format(&v[i].mac, m, sizeof(m));
		if (v[i].time_ns) {
			time_t t = (time_t)(v[i].time_ns / 1000000000u);
			struct tm tm;
			char when[32];

			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			fprintf(f, "%s %s # seen %s\n", a, m, when);
		} else {
			fprintf(f, "%s %s # seen by an earlier watcher\n", a, m);
		}
	}
	if (ferror(f) | (fclose(f) != 0)) {
		r = -EIO;
		goto unlink;
	}
	if (renameat(dfd, tmp, dfd, name) < 0) {
		r = -errno;
		goto unlink;
	}
	w->seen_dirty = false;
	r = (int)n;
	goto out;
unlink:
	log_err(w->ctx, "watch: cannot write %s: %s\n", path, ipto_strerror(r));
	(void)unlinkat(dfd, tmp, 0);
out:
	free(v);
	if (dfd >= 0)
		close(dfd);
	return r;
}
