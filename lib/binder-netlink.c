/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libnl-route-3 binder. One NETLINK_ROUTE socket per binder, opened in
 * the creating thread's network namespace. Every request is synchronous.
 *
 * Errors: libnl folds the kernel's errno into its own NLE_* codes, which
 * loses detail (several errnos become NLE_FAILURE). An error callback on
 * the socket records the kernel's errno and extended-ACK message, so a
 * caller gets the kernel's own errno; libnl's own errors (no kernel reply)
 * go through nle_to_errno(). Neither kind of code leaves this file.
 */
#include "backend-private.h"

#include <linux/ip.h> /* IPV4_DEVCONF_* */
#include <linux/if.h> /* IFF_UP, IFF_LOWER_UP */
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif
/* Linux 6.3 uapi; Debian 12's headers (6.1) lack it. */
#define IPTO_IFA_PROTO 11
#define IPTO_IFA_MAX 11

#define RECORD_ROOT "/run/ipto"


struct nl_binder {
	struct ipto_ctx *ctx;
	struct nl_sock *sk;
	/* A plain NETLINK_ROUTE socket of the binder's namespace: for
	 * SIOCGIFINDEX and for pipelined address batches. */
	int raw_fd;
	uint32_t raw_seq;
	int kernel_err; /* the kernel's negative errno of the last request */
	char kernel_msg[256]; /* its extended-ACK message, or "" */
	char record_dir[64]; /* RECORD_ROOT/<netns inode> */
	/* Whether the kernel keeps IFA_PROTO (Linux 6.3+): found out by
	 * reading the first marked address back. Without it, the marks go
	 * to the record ("addr.IFINDEX.ADDR_PREFIX" keys), which dumps check
	 * against the kernel. */
	enum { PROTO_UNKNOWN, PROTO_KERNEL, PROTO_RECORD } proto_mode;
};

static unsigned int proto_of_flags(unsigned int flags);

/* The protocol sent to the kernel. IPTO_TEST_NO_IFA_PROTO (a test hook)
 * makes the binder behave as on a kernel before 6.3: it sends none and
 * ignores what dumps carry, so the record under /run is exercised. */
static unsigned int wire_proto(unsigned int flags)
{
	return getenv("IPTO_TEST_NO_IFA_PROTO") ? 0 : proto_of_flags(flags);
}

static int nb_record_get(struct nl_binder *nb, const char *key, char *buf, size_t len);
static int nb_record_set(struct nl_binder *nb, const char *key, const char *value);
static int nb_addr_dump(struct nl_binder *nb, int ifindex, struct ipto_addr_entry *out,
			size_t max);

/* The record key of a mark kept for the kernel: addr.3.192.0.2.11_24. */
static void mark_key(int ifindex, const struct ipto_addr *a, char *buf, size_t len)
{
	char text[IPTO_ADDR_STRLEN], *slash;

	ipto_addr_format(a, text, sizeof(text));
	slash = strchr(text, '/');
	if (slash)
		*slash = '_';
	snprintf(buf, len, "addr.%d.%s", ifindex, text);
}

/* After a marked address was added: on a kernel that dropped the mark,
 * keep it in the record instead. */
static void keep_mark(struct nl_binder *nb, int ifindex, const struct ipto_addr *a,
		      unsigned int proto)
{
	char key[96], value[8];

	if (!proto)
		return;
	if (nb->proto_mode == PROTO_UNKNOWN) {
		struct ipto_addr_entry e[64];
		int i, n;

		for (i = 0; i < 64; i++)
			e[i].sz = sizeof(e[i]);
		nb->proto_mode = PROTO_KERNEL;
		n = nb_addr_dump(nb, ifindex, e, 64);
		for (i = 0; i < n && i < 64; i++)
			if (ipto_addr_equal(&e[i].addr, a) &&
			    (e[i].flags & IPTO_ADDR_ENTRY_PROTO_RECORDED || !e[i].proto))
				nb->proto_mode = PROTO_RECORD;
		if (getenv("IPTO_TEST_NO_IFA_PROTO"))
			nb->proto_mode = PROTO_RECORD;
		if (nb->proto_mode == PROTO_RECORD)
			log_info(nb->ctx, "netlink: the kernel keeps no address protocol "
				 "(IFA_PROTO, Linux 6.3+): marks go to %s\n", nb->record_dir);
	}
	if (nb->proto_mode != PROTO_RECORD)
		return;
	mark_key(ifindex, a, key, sizeof(key));
	snprintf(value, sizeof(value), "%u", proto);
	if (nb_record_set(nb, key, value) < 0)
		log_err(nb->ctx, "netlink: cannot keep the mark of an address in %s\n",
			nb->record_dir);
}

static unsigned int proto_of_flags(unsigned int flags)
{
	if (flags & IPTO_BIND_TAKEOVER)
		return IPTO_ADDR_PROTO_TAKEOVER;
	if (flags & IPTO_BIND_RECLAIM)
		return IPTO_ADDR_PROTO_RECLAIM;
	return 0;
}

/* libnl's codes for errors it raises itself. */
static int nle_to_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
	case NLE_DUMP_INTR:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
	case NLE_MISSING_ATTR:
	case NLE_OBJ_MISMATCH:
	case NLE_ATTRSIZE:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
	case NLE_MSG_TRUNC:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
	case NLE_SRCRT_NOSUPPORT:
	case NLE_MSGTYPE_NOSUPPORT:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
	case NLE_AF_MISMATCH:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
	case NLE_NOCACHE:
	case NLE_PKTLOC_FILE:
		return -ENOENT;
	case NLE_NOATTR:
		return -ENODATA;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TOOSHORT:
	case NLE_PARSE_ERR:
		return -EPROTO;
	case NLE_MSG_OVERFLOW:
		return -EOVERFLOW;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
	case NLE_IMMUTABLE:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	default:
		return -EIO;
	}
}

/* Records the kernel's errno and extended-ACK text, then lets libnl go on
 * as usual (NL_STOP: it returns its NLE_* code, which we then replace). */
static int on_kernel_error(struct sockaddr_nl *nla, struct nlmsgerr *e,
			   void *arg)
{
	struct nl_binder *nb = arg;
	const struct nlmsghdr *h =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	size_t off, total = h->nlmsg_len;

	nb->kernel_err = e->error < 0 ? e->error : -e->error;
	nb->kernel_msg[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	while (off + NLA_HDRLEN <= total) {
		const struct nlattr *a =
			(const struct nlattr *)((const char *)h + off);
		size_t alen = a->nla_len;

		if (alen < NLA_HDRLEN || off + alen > total)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG &&
		    alen > NLA_HDRLEN) {
			size_t n = alen - NLA_HDRLEN;

			if (n >= sizeof(nb->kernel_msg))
				n = sizeof(nb->kernel_msg) - 1;
			memcpy(nb->kernel_msg, (const char *)a + NLA_HDRLEN,
			       n);
			nb->kernel_msg[n] = '\0';
			break;
		}
		off += NLA_ALIGN(alen);
	}
	return NL_STOP;
}

static void request_begin(struct nl_binder *nb)
{
	nb->kernel_err = 0;
	nb->kernel_msg[0] = '\0';
}

/*
 * Turns a libnl return value into 0 or a negative errno and logs the
 * failure with libnl's and the kernel's words. Answers a caller probes for
 * (@quiet_err) are logged as info only.
 */
static int request_end(struct nl_binder *nb, int nle, int quiet_err,
		       const char *what, const char *ifname)
{
	int r;

	if (nle >= 0)
		return 0;
	r = nb->kernel_err ? nb->kernel_err : nle_to_errno(nle);
	if (r == quiet_err)
		log_info(nb->ctx, "netlink: %s %s: %s%s%s\n", what, ifname,
			 ipto_strerror(r), nb->kernel_msg[0] ? ": " : "",
			 nb->kernel_msg);
	else
		log_err(nb->ctx, "netlink: %s %s: %s (libnl: %s)%s%s%s\n",
			what, ifname, ipto_strerror(r), nl_geterror(nle),
			nb->kernel_msg[0] ? " (kernel: " : "",
			nb->kernel_msg, nb->kernel_msg[0] ? ")" : "");
	return r;
}

/* The kernel's view of @ifname; -ENODEV when there is none. */
static int get_link(struct nl_binder *nb, const char *ifname,
		    struct rtnl_link **link)
{
	int nle;

	request_begin(nb);
	/* libnl picks up this reply with its own error handler, so the
	 * kernel's ENODEV arrives as NLE_NODEV (or NLE_OBJ_NOTFOUND). */
	nle = rtnl_link_get_kernel(nb->sk, 0, ifname, link);
	if (nle == -NLE_NODEV || nle == -NLE_OBJ_NOTFOUND ||
	    (nle < 0 && nb->kernel_err == -ENODEV)) {
		log_dbg(nb->ctx, "netlink: no interface %s\n", ifname);
		return -ENODEV;
	}
	return request_end(nb, nle, 0, "get link", ifname);
}

/* The index by SIOCGIFINDEX on a socket opened with the binder (so in the
 * binder's namespace): a fraction of an RTM_GETLINK parsed by libnl, and
 * it is on the hot path of every address change (tests/bench). */
static int ifindex_of(struct nl_binder *nb, const char *ifname)
{
	struct ifreq ifr;
	size_t len = strlen(ifname);

	if (len == 0 || len >= sizeof(ifr.ifr_name))
		return -ENODEV;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, len + 1);
	if (ioctl(nb->raw_fd, SIOCGIFINDEX, &ifr) < 0) {
		log_dbg(nb->ctx, "netlink: no interface %s\n", ifname);
		return errno == ENODEV ? -ENODEV : -errno;
	}
	return ifr.ifr_ifindex;
}

/* RTM_NEWADDR / RTM_DELADDR built directly: a third of the allocations
 * of an rtnl_addr object (tests/bench). Sent with ACK; frees @msg. */
static int addr_request(struct nl_binder *nb, int type, int flags, int ifindex,
			const struct ipto_addr *a, unsigned int ifa_flags,
			unsigned int proto)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (unsigned char)a->family,
		.ifa_prefixlen = (unsigned char)a->prefixlen,
		.ifa_index = (unsigned int)ifindex,
	};
	size_t len = ipto_addr_len(a);
	struct ipto_addr bcast;
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    (a->family == AF_INET && nla_put(msg, IFA_LOCAL, (int)len, a->bytes) < 0) ||
	    nla_put(msg, IFA_ADDRESS, (int)len, a->bytes) < 0 ||
	    (type == RTM_NEWADDR && a->family == AF_INET &&
	     ipto_addr_subnet_broadcast(a, &bcast) == 0 &&
	     nla_put(msg, IFA_BROADCAST, 4, bcast.bytes) < 0) ||
	    (ifa_flags && nla_put_u32(msg, IFA_FLAGS, ifa_flags) < 0) ||
	    (proto && nla_put_u8(msg, IPTO_IFA_PROTO, (uint8_t)proto) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	request_begin(nb);
	return nl_send_sync(nb->sk, msg); /* frees msg */
}

static int nl_addr_add(struct ipto_binder *binder, const char *ifname,
		       const struct ipto_addr *addr, unsigned int flags)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	int ifindex = ifindex_of(nb, ifname), nle, r;

	if (ifindex < 0)
		return ifindex;
	/* NLM_F_EXCL: an address that is there already is -EEXIST, never
	 * silently "replaced" (which would hide a rollback bug). */
	nle = addr_request(nb, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex,
			   addr, addr->family == AF_INET6 &&
			   (flags & IPTO_BIND_NODAD) ? IFA_F_NODAD : 0,
			   wire_proto(flags));
	r = request_end(nb, nle, -EEXIST, "add address on", ifname);
	if (r == 0)
		keep_mark(nb, ifindex, addr, proto_of_flags(flags));
	return r;
}

/* Appends one attribute; the caller reserved room. */
static size_t put_attr(char *buf, size_t off, unsigned short type,
		       const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(buf + off);

	a->nla_type = type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy(buf + off + NLA_HDRLEN, data, len);
	return off + NLA_ALIGN(NLA_HDRLEN + len);
}

/* Room for one RTM_NEWADDR: header, ifaddrmsg, five attributes. */
#define BATCH_MSG_MAX \
	(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifaddrmsg)) + 5 * NLA_ALIGN(NLA_HDRLEN + 16))
#define BATCH_CHUNK 256

/* Builds RTM_NEWADDR for @r at @buf; returns its length. */
/* The start of an address request at @buf: header, ifaddrmsg, the local
 * (IPv4) and the address attributes; returns the length so far. */
static size_t addr_msg_head(char *buf, uint16_t type, uint16_t flags, uint32_t seq,
			    int ifindex, const struct ipto_addr *a)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct ifaddrmsg *ifa = (struct ifaddrmsg *)(buf + NLMSG_HDRLEN);
	size_t len = ipto_addr_len(a), off;

	memset(buf, 0, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*ifa)));
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	ifa->ifa_family = (unsigned char)a->family;
	ifa->ifa_prefixlen = (unsigned char)a->prefixlen;
	ifa->ifa_index = (unsigned int)ifindex;
	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*ifa));
	if (a->family == AF_INET)
		off = put_attr(buf, off, IFA_LOCAL, a->bytes, len);
	return put_attr(buf, off, IFA_ADDRESS, a->bytes, len);
}

static size_t build_newaddr(char *buf, uint32_t seq, int ifindex,
			    const struct ipto_addr_req *r)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct ipto_addr bcast;
	uint32_t flags = 0;
	size_t off;

	off = addr_msg_head(buf, RTM_NEWADDR,
			    NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq,
			    ifindex, &r->addr);
	if (r->addr.family == AF_INET &&
	    ipto_addr_subnet_broadcast(&r->addr, &bcast) == 0)
		off = put_attr(buf, off, IFA_BROADCAST, bcast.bytes, 4);
	if (r->addr.family == AF_INET6 && (r->flags & IPTO_BIND_NODAD))
		flags |= IFA_F_NODAD;
	if (flags)
		off = put_attr(buf, off, IFA_FLAGS, &flags, sizeof(flags));
	if (wire_proto(r->flags)) {
		uint8_t proto = (uint8_t)wire_proto(r->flags);

		off = put_attr(buf, off, IPTO_IFA_PROTO, &proto, 1);
	}
	h->nlmsg_len = (uint32_t)off;
	return off;
}

/* Reads ACKs until every request of [seq0, seq0 + n) has its result. */
static int read_acks(struct nl_binder *nb, uint32_t seq0, size_t n,
		     int *results, const bool *sent)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t pending = 0, i;

	for (i = 0; i < n; i++)
		pending += sent[i];
	while (pending > 0) {
		ssize_t len = recv(nb->raw_fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;
		size_t left;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		left = (size_t)len;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			uint32_t k = h->nlmsg_seq - seq0;

			if (h->nlmsg_type != NLMSG_ERROR || k >= n || !sent[k] ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				continue;
			results[k] = e->error > 0 ? -e->error : e->error;
			pending--;
		}
	}
	return 0;
}

/*
 * Builds request @i of a batch into @buf with sequence number @seq: its
 * length; or 0, the request not sent, with its result in *@result.
 */
typedef size_t (*batch_build_fn)(struct nl_binder *nb, const void *reqs,
				 size_t i, char *buf, uint32_t seq,
				 int *result);

/*
 * The one pipelined batch (addresses, settings): @n requests of at most
 * @msg_max bytes each, built by @build, sent BATCH_CHUNK to a sendmsg,
 * each with its own ACK, so every request gets its own result in
 * @results. Requests never sent, or whose answer did not come (the socket
 * failed; its buffer holds far more than a chunk's ACKs), fail with the
 * socket's error or -EIO. *@sock_err is 0 or the socket's negative errno,
 * logged naming @what. Returns 0, or -ENOMEM with nothing sent and
 * @results untouched.
 */
static int batch_send(struct nl_binder *nb, const void *reqs, size_t n,
		      size_t msg_max, batch_build_fn build, int *results,
		      const char *what, int *sock_err)
{
	bool sent[BATCH_CHUNK];
	size_t base, i;
	char *buf;
	int r = 0;

	buf = malloc(BATCH_CHUNK * NLMSG_ALIGN(msg_max));
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		results[i] = 1; /* no answer yet */
	for (base = 0; base < n && r == 0; base += BATCH_CHUNK) {
		size_t m = n - base < BATCH_CHUNK ? n - base : BATCH_CHUNK;
		uint32_t seq0 = nb->raw_seq;
		size_t off = 0, len;

		nb->raw_seq += (uint32_t)m;
		for (i = 0; i < m; i++) {
			len = build(nb, reqs, base + i, buf + off,
				    seq0 + (uint32_t)i, &results[base + i]);
			sent[i] = len > 0;
			off += len;
		}
		if (off > 0 && send(nb->raw_fd, buf, off, 0) < 0)
			r = -errno;
		if (r == 0)
			r = read_acks(nb, seq0, m, results + base, sent);
		if (r < 0)
			log_err(nb->ctx, "netlink: %s batch: %s\n", what,
				ipto_strerror(r));
	}
	free(buf);
	for (i = 0; i < n; i++)
		if (results[i] > 0)
			results[i] = r < 0 ? r : -EIO;
	*sock_err = r;
	return 0;
}

static size_t build_addr_req(struct nl_binder *nb, const void *reqs, size_t i,
			     char *buf, uint32_t seq, int *result)
{
	const struct ipto_addr_req *req = (const struct ipto_addr_req *)reqs + i;
	int ifindex = ifindex_of(nb, req->ifname);

	if (ifindex <= 0) {
		*result = ifindex < 0 ? ifindex : -ENODEV;
		return 0;
	}
	return build_newaddr(buf, seq, ifindex, req);
}

static int nl_devconf_set(struct ipto_binder *binder, const char *ifname,
			  enum ipto_devconf key, int value);

/* Builds RTM_DELADDR for @req at @buf (as addr_request() would). */
static size_t build_deladdr_req(struct nl_binder *nb, const void *reqs, size_t i,
				char *buf, uint32_t seq, int *result)
{
	const struct ipto_addr_req *req = (const struct ipto_addr_req *)reqs + i;
	int ifindex = ifindex_of(nb, req->ifname);
	size_t off;

	if (ifindex <= 0) {
		*result = ifindex < 0 ? ifindex : -ENODEV;
		return 0;
	}
	off = addr_msg_head(buf, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq, ifindex,
			    &req->addr);
	((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)off;
	return off;
}

static int nl_addr_del_batch(struct ipto_binder *b, const struct ipto_addr_req *reqs,
			     size_t n, int *results)
{
	struct nl_binder *nb = b->userdata;
	char key[96];
	size_t i;
	int r, err;

	err = batch_send(nb, reqs, n, BATCH_MSG_MAX, build_deladdr_req, results,
			 "address removal", &r);
	if (err < 0)
		return err;
	for (i = 0; i < n; i++) {
		int ifindex = ifindex_of(nb, reqs[i].ifname);

		if (r == 0 && results[i] < 0 && results[i] != -EADDRNOTAVAIL &&
		    results[i] != -ENODEV) {
			char text[IPTO_ADDR_STRLEN];

			ipto_addr_format(&reqs[i].addr, text, sizeof(text));
			log_err(nb->ctx, "netlink: delete address %s on %s: %s\n",
				text, reqs[i].ifname, ipto_strerror(results[i]));
		}
		if (results[i] == 0 && nb->proto_mode == PROTO_RECORD && ifindex > 0) {
			mark_key(ifindex, &reqs[i].addr, key, sizeof(key));
			nb_record_set(nb, key, NULL);
		}
	}
	return 0;
}

/* Pipelines RTM_NEWADDR requests (batch_send()). */
static int nl_addr_add_batch(struct ipto_binder *binder, const struct ipto_addr_req *reqs,
			     size_t n, int *results)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	size_t i;
	int r, err;

	err = batch_send(nb, reqs, n, BATCH_MSG_MAX, build_addr_req, results,
			 "address", &r);
	if (err < 0)
		return err;
	for (i = 0; i < n; i++) {
		/* each refusal logged here, where the kernel's answer is
		 * read (a failed socket was logged by batch_send(), once); an address
		 * already there is no error, a missing link the caller's to
		 * judge */
		if (r == 0 && results[i] < 0 && results[i] != -EEXIST &&
		    results[i] != -ENODEV) {
			char text[IPTO_ADDR_STRLEN];

			ipto_addr_format(&reqs[i].addr, text, sizeof(text));
			log_err(nb->ctx, "netlink: add address %s on %s: %s\n",
				text, reqs[i].ifname, ipto_strerror(results[i]));
		}
	}
	for (i = 0; i < n; i++)
		if (results[i] == 0 && proto_of_flags(reqs[i].flags))
			keep_mark(nb, ifindex_of(nb, reqs[i].ifname), &reqs[i].addr,
				  proto_of_flags(reqs[i].flags));
	return 0;
}

static int nl_addr_del(struct ipto_binder *binder, const char *ifname,
		       const struct ipto_addr *addr)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	int ifindex = ifindex_of(nb, ifname), nle, r;
	char key[96];

	if (ifindex < 0)
		return ifindex;
	nle = addr_request(nb, RTM_DELADDR, 0, ifindex, addr, 0, 0);
	r = request_end(nb, nle, -EADDRNOTAVAIL, "delete address on", ifname);
	if (r == 0 && nb->proto_mode == PROTO_RECORD) {
		mark_key(ifindex, addr, key, sizeof(key));
		nb_record_set(nb, key, NULL);
	}
	return r;
}

/*
 * Sends @msg (freed here) and reads the replies, each valid message to
 * @fn(@arg), through libnl's core message API: *@nle is libnl's answer.
 * -ENOMEM (nothing read) when no callback set can be made, else 0.
 */
static int send_recv(struct nl_binder *nb, struct nl_msg *msg,
		     nl_recvmsg_msg_cb_t fn, void *arg, int *nle)
{
	struct nl_cb *cb, *base;

	request_begin(nb);
	*nle = nl_send_auto(nb->sk, msg);
	nlmsg_free(msg);
	if (*nle < 0)
		return 0;
	base = nl_socket_get_cb(nb->sk);
	cb = base ? nl_cb_clone(base) : NULL;
	nl_cb_put(base);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	*nle = nl_recvmsgs(nb->sk, cb);
	nl_cb_put(cb);
	return 0;
}

/*
 * Dumps go through libnl's core message API (one request, a callback per
 * reply message): libnl 3.7's rtnl_addr knows no IFA_PROTO, and its
 * caches would parse every object of the namespace.
 */
static int dump(struct nl_binder *nb, int type, const void *hdr, size_t hdrlen,
		uint32_t ext_mask, nl_recvmsg_msg_cb_t fn, void *arg,
		const char *what)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_DUMP);
	int nle;

	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, (void *)hdr, hdrlen, NLMSG_ALIGNTO) < 0 ||
	    (ext_mask && nla_put_u32(msg, IFLA_EXT_MASK, ext_mask) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	if (send_recv(nb, msg, fn, arg, &nle) < 0)
		return -ENOMEM;
	return request_end(nb, nle < 0 ? nle : 0, 0, what, "");
}

struct addr_dump_ctx {
	struct nl_binder *nb;
	int ifindex;
	struct ipto_addr_entry *out;
	size_t max, n;
};

static int on_addr(struct nl_msg *msg, void *arg)
{
	struct addr_dump_ctx *c = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[IPTO_IFA_MAX + 1];
	struct ipto_addr_entry e = { .sz = sizeof(e) };
	const struct ifaddrmsg *ifa;
	struct nlattr *local;
	size_t len;

	if (h->nlmsg_type != RTM_NEWADDR ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IPTO_IFA_MAX, NULL) < 0)
		return NL_SKIP;
	ifa = nlmsg_data(h);
	if ((c->ifindex && (int)ifa->ifa_index != c->ifindex) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return NL_SKIP;
	e.addr.family = ifa->ifa_family;
	e.addr.prefixlen = ifa->ifa_prefixlen;
	len = ipto_addr_len(&e.addr);
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!local || nla_len(local) != (int)len)
		return NL_SKIP;
	memcpy(e.addr.bytes, nla_data(local), len);
	e.ifindex = (int)ifa->ifa_index;
	if (tb[IPTO_IFA_PROTO] && nla_len(tb[IPTO_IFA_PROTO]) >= 1 &&
	    !getenv("IPTO_TEST_NO_IFA_PROTO"))
		e.proto = nla_get_u8(tb[IPTO_IFA_PROTO]);
	if (!e.proto && c->nb->proto_mode == PROTO_RECORD) {
		/* The record's mark counts only while the kernel has the
		 * address on that interface: we are reading it now. */
		char key[96], value[8];

		mark_key(e.ifindex, &e.addr, key, sizeof(key));
		if (nb_record_get(c->nb, key, value, sizeof(value)) == 0) {
			e.proto = (unsigned int)atoi(value);
			e.flags |= IPTO_ADDR_ENTRY_PROTO_RECORDED;
		}
	}
	if ((tb[IFA_FLAGS] && nla_len(tb[IFA_FLAGS]) >= 4 ?
	     nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags) & IFA_F_SECONDARY)
		e.flags |= IPTO_ADDR_ENTRY_SECONDARY;
	if (c->n < c->max) {
		ipto_sized_copy_out(&c->out[c->n], &e, sizeof(e));
	}
	c->n++;
	return NL_OK;
}

static int nb_addr_dump(struct nl_binder *nb, int ifindex,
			struct ipto_addr_entry *out, size_t max)
{
	/* With strict checking (set at creation) the kernel dumps only
	 * ifa_index; older kernels dump all and on_addr filters. */
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC,
				 .ifa_index = (unsigned int)ifindex };
	struct addr_dump_ctx c = { nb, ifindex, out, max, 0 };
	int r;

	/* A reader (status, release) learns from the record itself that a
	 * writer kept marks there: a kernel that keeps IFA_PROTO never makes
	 * it write one. */
	if (nb->proto_mode == PROTO_UNKNOWN && nb->record_dir[0]) {
		DIR *dir = opendir(nb->record_dir);
		struct dirent *de;

		while (dir && (de = readdir(dir)))
			if (strncmp(de->d_name, "addr.", 5) == 0) {
				nb->proto_mode = PROTO_RECORD;
				break;
			}
		if (dir)
			closedir(dir);
	}
	r = dump(nb, RTM_GETADDR, &ifa, sizeof(ifa), 0, on_addr, &c,
		 "dump addresses");
	if (r < 0)
		return r;
	return c.n > INT32_MAX ? INT32_MAX : (int)c.n;
}

static int nl_addr_dump(struct ipto_binder *binder, int ifindex,
			struct ipto_addr_entry *out, size_t max)
{
	return nb_addr_dump(ipto_binder_get_userdata(binder), ifindex, out, max);
}

static int nl_addr_list(struct ipto_binder *binder, const char *ifname,
			struct ipto_addr *out, size_t max)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	struct ipto_addr_entry *e;
	int ifindex, n, i;
	size_t room = max < 64 ? 64 : max;

	ifindex = ifindex_of(nb, ifname);
	if (ifindex < 0)
		return ifindex;
	for (;;) {
		e = calloc(room, sizeof(*e));
		if (!e)
			return -ENOMEM;
		for (i = 0; i < (int)room; i++)
			e[i].sz = sizeof(*e);
		n = nb_addr_dump(nb, ifindex, e, room);
		if (n < 0 || (size_t)n <= room)
			break;
		room = (size_t)n + 8;
		free(e);
	}
	for (i = 0; i < n && (size_t)i < max; i++)
		out[i] = e[i].addr;
	free(e);
	return n;
}

/* Reads IFLA_AF_SPEC -> AF_INET -> IFLA_INET_CONF for the ARP settings. */
static void parse_inet_conf(const struct nlattr *spec, struct ipto_adapter_info *info)
{
	const struct nlattr *af, *c;
	int rem, rem2;

	nla_for_each_nested(af, spec, rem) {
		if (nla_type(af) != AF_INET)
			continue;
		nla_for_each_nested(c, af, rem2) {
			const uint32_t *conf = nla_data(c);
			int n = nla_len(c) / (int)sizeof(uint32_t);

			if (nla_type(c) != IFLA_INET_CONF)
				continue;
			if (n >= IPV4_DEVCONF_ARP_IGNORE &&
			    conf[IPV4_DEVCONF_ARP_IGNORE - 1] <= (uint32_t)INT32_MAX)
				info->arp_ignore = (int)conf[IPV4_DEVCONF_ARP_IGNORE - 1];
			if (n >= IPV4_DEVCONF_ARP_ANNOUNCE &&
			    conf[IPV4_DEVCONF_ARP_ANNOUNCE - 1] <= (uint32_t)INT32_MAX)
				info->arp_announce = (int)conf[IPV4_DEVCONF_ARP_ANNOUNCE - 1];
		}
	}
}

/* Link reads leave out the statistics (RTEXT_FILTER_SKIP_STATS, Linux
 * 5.2; older kernels ignore the bit): the kernel gathered them for every
 * link of a dump, and libipto reads none (tests/bench: most of the kernel
 * time of a takeover on a host with many interfaces). */
#ifndef RTEXT_FILTER_SKIP_STATS
#define RTEXT_FILTER_SKIP_STATS (1 << 3)
#endif
#define LINK_EXT_MASK RTEXT_FILTER_SKIP_STATS

/* What on_link (with the link dump) fills: up to @max entries. */
struct link_dump_ctx {
	struct ipto_adapter_entry *out;
	size_t max, n;
	char (*aliases)[IPTO_LINK_ALIAS_MAX]; /* if set: IFLA_IFALIAS of each */
	char *alias; /* if set, IFLA_IFALIAS of the (one) link goes here */
	size_t alias_len;
	int alias_n; /* its length, or -ENOSPC */
};

static int on_link(struct nl_msg *msg, void *arg);

/*
 * One RTM_GETLINK by name through libnl's core message API, parsed in
 * place by the link dump's parser: what a takeover reads for every
 * adapter, so it skips libnl's object model (no cache, no rtnl_link).
 */
static int link_get_raw(struct nl_binder *nb, const char *ifname,
			struct link_dump_ctx *c)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	int nle;

	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, ifname) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, LINK_EXT_MASK) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	if (send_recv(nb, msg, on_link, c, &nle) < 0)
		return -ENOMEM;
	if (nle >= 0)
		nle = nl_wait_for_ack(nb->sk); /* the request's ACK */
	if (nle < 0 && nb->kernel_err == -ENODEV) {
		log_dbg(nb->ctx, "netlink: no interface %s\n", ifname);
		return -ENODEV;
	}
	if (nle < 0)
		return request_end(nb, nle, 0, "get link", ifname);
	return c->n == 1 ? 0 : -EPROTO;
}

static int nl_link_get(struct ipto_binder *binder, const char *ifname,
		       struct ipto_adapter_info *info)
{
	void *userdata = ipto_binder_get_userdata(binder);

	struct ipto_adapter_entry e = { .sz = sizeof(e) };
	struct link_dump_ctx c = { .out = &e, .max = 1 };
	int r = link_get_raw(userdata, ifname, &c);

	if (r < 0)
		return r;
	info->ifindex = e.ifindex;
	info->mac = e.mac;
	info->up = e.up;
	info->carrier = e.carrier;
	info->mtu = e.mtu;
	info->arp_ignore = e.arp_ignore;
	info->arp_announce = e.arp_announce;
	return 0;
}

/* Sends the difference between @link (the kernel's) and @change. */
static int change_link(struct nl_binder *nb, struct rtnl_link *link,
		       struct rtnl_link *change, const char *what,
		       const char *ifname)
{
	int nle;

	request_begin(nb);
	nle = rtnl_link_change(nb->sk, link, change, 0);
	return request_end(nb, nle, 0, what, ifname);
}

static int link_request(struct nl_binder *nb, const char *ifname,
			const struct ifinfomsg *tmpl, int key, int value,
			const char *what);

static int nl_link_set_up(struct ipto_binder *binder, const char *ifname, bool up)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	struct ifinfomsg ifi = { .ifi_flags = up ? IFF_UP : 0,
				 .ifi_change = IFF_UP };

	return link_request(nb, ifname, &ifi, 0, 0, up ? "set up" : "set down");
}

static unsigned int devconf_id(enum ipto_devconf key)
{
	switch (key) {
	case IPTO_DEVCONF_ARP_IGNORE:
		return IPV4_DEVCONF_ARP_IGNORE;
	case IPTO_DEVCONF_ARP_ANNOUNCE:
		return IPV4_DEVCONF_ARP_ANNOUNCE;
	case IPTO_DEVCONF_ARP_FILTER:
		return IPV4_DEVCONF_ARPFILTER;
	case IPTO_DEVCONF_PROMOTE_SECONDARIES:
		return IPV4_DEVCONF_PROMOTE_SECONDARIES;
	}
	return 0;
}

static int nl_devconf_get(struct ipto_binder *binder, const char *ifname,
			  enum ipto_devconf key, int *value)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	struct rtnl_link *link;
	uint32_t v;
	int r, nle;

	r = get_link(nb, ifname, &link);
	if (r < 0)
		return r;
	nle = rtnl_link_inet_get_conf(link, devconf_id(key), &v);
	rtnl_link_put(link);
	if (nle < 0) {
		/* The kernel sent no IPv4 settings: no IPv4 on this link. */
		log_err(nb->ctx, "netlink: %s has no IPv4 %s (libnl: %s)\n",
			ifname, ipto_devconf_name(key), nl_geterror(nle));
		return -EAFNOSUPPORT;
	}
	if (v > (uint32_t)INT32_MAX)
		return -ERANGE;
	*value = (int)v;
	return 0;
}

/*
 * Sends one RTM_NEWLINK for the link @ifname (index by SIOCGIFINDEX) with
 * what @fill adds, and waits for its ACK. Built directly: a change through
 * libnl's rtnl_link objects first reads and parses the whole link (an
 * RTM_GETLINK with its statistics) only to diff it; with the ARP guard on
 * every interface of the host that read was most of a takeover's and of a
 * release's time (tests/bench, doc/benchmarks.md).
 */
static int link_request(struct nl_binder *nb, const char *ifname,
			const struct ifinfomsg *tmpl, int key, int value,
			const char *what)
{
	struct ifinfomsg ifi = *tmpl;
	struct nlattr *spec, *af, *conf;
	struct nl_msg *msg;
	int ifindex, nle;

	ifindex = ifindex_of(nb, ifname);
	if (ifindex < 0)
		return ifindex;
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = ifindex;
	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_ACK);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto nomem;
	if (key > 0) {
		if (!(spec = nla_nest_start(msg, IFLA_AF_SPEC)) ||
		    !(af = nla_nest_start(msg, AF_INET)) ||
		    !(conf = nla_nest_start(msg, IFLA_INET_CONF)) ||
		    nla_put_u32(msg, key, (uint32_t)value) < 0)
			goto nomem;
		nla_nest_end(msg, conf);
		nla_nest_end(msg, af);
		nla_nest_end(msg, spec);
	}
	request_begin(nb);
	nle = nl_send_sync(nb->sk, msg); /* frees msg */
	if (nle < 0 && nb->kernel_err == -ENODEV) {
		log_dbg(nb->ctx, "netlink: no interface %s\n", ifname);
		return -ENODEV;
	}
	return request_end(nb, nle, 0, what, ifname);
nomem:
	nlmsg_free(msg);
	return -ENOMEM;
}

/* Room for one RTM_NEWLINK with one IPv4 setting: header, ifinfomsg,
 * IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { key: u32 } } }. */
#define DEVCONF_MSG_LEN \
	(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg)) + 4 * NLA_HDRLEN + 4)

static size_t build_devconf(char *buf, uint32_t seq,
			    const struct ipto_devconf_req *r)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi = (struct ifinfomsg *)(buf + NLMSG_HDRLEN);
	struct nlattr *a;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*ifi));
	uint32_t v = (uint32_t)r->value;
	unsigned short types[3] = { IFLA_AF_SPEC, AF_INET, IFLA_INET_CONF };
	int i;

	memset(buf, 0, DEVCONF_MSG_LEN);
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = r->ifindex;
	for (i = 0; i < 3; i++) { /* the nests, each around the rest */
		a = (struct nlattr *)(buf + off);
		a->nla_type = types[i];
		/* the nests below it, then the setting's attribute */
		a->nla_len = (unsigned short)((3 - i) * NLA_HDRLEN + NLA_HDRLEN + 4);
		off += NLA_HDRLEN;
	}
	off = put_attr(buf, off, (unsigned short)devconf_id(r->key), &v, sizeof(v));
	h->nlmsg_len = (uint32_t)off;
	return off;
}

static int nl_devconf_set(struct ipto_binder *binder, const char *ifname,
			  enum ipto_devconf key, int value);

static size_t build_devconf_req(struct nl_binder *nb, const void *reqs,
				size_t i, char *buf, uint32_t seq, int *result)
{
	const struct ipto_devconf_req *req =
		(const struct ipto_devconf_req *)reqs + i;

	(void)nb;
	if (req->ifindex <= 0 || req->value < 0) {
		*result = -EINVAL;
		return 0;
	}
	return build_devconf(buf, seq, req);
}

static int nl_devconf_set_batch(struct ipto_binder *b,
				const struct ipto_devconf_req *reqs, size_t n,
				int *results)
{
	struct nl_binder *nb = b->userdata;
	size_t i;
	int r, err;

	err = batch_send(nb, reqs, n, DEVCONF_MSG_LEN, build_devconf_req,
			 results, "settings", &r);
	if (err < 0)
		return err;
	for (i = 0; i < n; i++) {
		if (r == 0 && results[i] < 0)
			log_err(nb->ctx, "netlink: set %s=%d on %s: %s\n",
				ipto_devconf_name(reqs[i].key), reqs[i].value,
				reqs[i].ifname, ipto_strerror(results[i]));
	}
	return r;
}

static int nl_devconf_set(struct ipto_binder *binder, const char *ifname,
			  enum ipto_devconf key, int value)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	char what[48];

	if (value < 0)
		return -EINVAL;
	snprintf(what, sizeof(what), "set %s=%d on", ipto_devconf_name(key),
		 value);
	return link_request(nb, ifname, &ifi, (int)devconf_id(key), value, what);
}

static int on_link(struct nl_msg *msg, void *arg)
{
	struct link_dump_ctx *c = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1];
	struct ipto_adapter_entry e = { .sz = sizeof(e) };
	struct ipto_adapter_info info = { .sz = sizeof(info), .arp_ignore = -1,
				       .arp_announce = -1 };
	const struct ifinfomsg *ifi;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return NL_SKIP;
	ifi = nlmsg_data(h);
	e.ifindex = ifi->ifi_index;
	e.up = (ifi->ifi_flags & IFF_UP) != 0;
	e.carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
	e.loopback = (ifi->ifi_flags & IFF_LOOPBACK) != 0;
	if (tb[IFLA_IFNAME])
		snprintf(e.ifname, sizeof(e.ifname), "%.*s",
			 nla_len(tb[IFLA_IFNAME]), (const char *)nla_data(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == (int)sizeof(e.mac.bytes))
		memcpy(e.mac.bytes, nla_data(tb[IFLA_ADDRESS]), sizeof(e.mac.bytes));
	if (tb[IFLA_MTU] && nla_len(tb[IFLA_MTU]) >= 4)
		e.mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_AF_SPEC])
		parse_inet_conf(tb[IFLA_AF_SPEC], &info);
	e.arp_ignore = info.arp_ignore;
	e.arp_announce = info.arp_announce;
	if (c->alias) {
		size_t n = 0;
		const char *a = "";

		if (tb[IFLA_IFALIAS]) {
			a = nla_data(tb[IFLA_IFALIAS]);
			n = strnlen(a, (size_t)nla_len(tb[IFLA_IFALIAS]));
		}
		if (n + 1 > c->alias_len) {
			c->alias_n = -ENOSPC;
		} else {
			memcpy(c->alias, a, n);
			c->alias[n] = '\0';
			c->alias_n = (int)n;
		}
	}
	if (c->aliases && c->n < c->max) {
		const char *a = tb[IFLA_IFALIAS] ? nla_data(tb[IFLA_IFALIAS]) : "";
		int n = tb[IFLA_IFALIAS] ? nla_len(tb[IFLA_IFALIAS]) : 0;

		snprintf(c->aliases[c->n], sizeof(c->aliases[c->n]), "%.*s", n, a);
	}
	if (c->n < c->max) {
		ipto_sized_copy_out(&c->out[c->n], &e, sizeof(e));
	}
	c->n++;
	return NL_OK;
}

static int nl_link_dump(struct ipto_binder *binder, struct ipto_adapter_entry *out,
			size_t max);

/* The link dump with each link's alias (ipto_macvlan_list(): tagged
 * links are found by their alias), in the one request. */
static int nl_link_dump_aliases(struct ipto_binder *b, struct ipto_adapter_entry *out,
				char (*aliases)[IPTO_LINK_ALIAS_MAX], size_t max)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_dump_ctx c = { .out = out, .max = max, .aliases = aliases };
	int r;

	r = dump(b->userdata, RTM_GETLINK, &ifi, sizeof(ifi), LINK_EXT_MASK,
		 on_link, &c, "dump links");
	if (r < 0)
		return r;
	return c.n > INT32_MAX ? INT32_MAX : (int)c.n;
}

static int nl_link_dump(struct ipto_binder *binder, struct ipto_adapter_entry *out,
			size_t max)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_dump_ctx c = { out, max, 0 };
	int r;

	r = dump(nb, RTM_GETLINK, &ifi, sizeof(ifi), LINK_EXT_MASK, on_link, &c,
		 "dump links");
	if (r < 0)
		return r;
	return c.n > INT32_MAX ? INT32_MAX : (int)c.n;
}

/*
 * The record: one small file per key under RECORD_ROOT/<inode of the
 * binder's network namespace>/, so it belongs to the namespace and any
 * process of the host finds it; /run is a tmpfs, so it goes with a reboot,
 * as the addresses do.
 */
static int record_path(struct nl_binder *nb, const char *key, char *buf,
		       size_t len)
{
	if (!nb->record_dir[0])
		return -EOPNOTSUPP;
	if ((size_t)snprintf(buf, len, "%s/%s", nb->record_dir, key) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int nb_record_get(struct nl_binder *nb, const char *key, char *buf,
			 size_t len)
{
	char path[160];
	FILE *f;
	size_t n;
	int r = record_path(nb, key, path, sizeof(path));

	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len, f);
	fclose(f);
	if (n >= len)
		return -ENOSPC;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int nl_record_get(struct ipto_binder *binder, const char *key, char *buf,
			 size_t len)
{
	return nb_record_get(ipto_binder_get_userdata(binder), key, buf, len);
}

static int nb_record_set(struct nl_binder *nb, const char *key, const char *value)
{
	char path[160], tmp[176];
	FILE *f;
	int r = record_path(nb, key, path, sizeof(path));

	if (r < 0)
		return r;
	if (!value) {
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	f = fopen(tmp, "we");
	if (!f && errno == ENOENT) {
		/* the first write of this namespace (or since a reboot) */
		if (mkdir(RECORD_ROOT, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (mkdir(nb->record_dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		f = fopen(tmp, "we");
	}
	if (!f)
		return -errno;
	fprintf(f, "%s\n", value);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

static int nl_record_set(struct ipto_binder *binder, const char *key, const char *value)
{
	return nb_record_set(ipto_binder_get_userdata(binder), key, value);
}

/* Undoes nb_init(). */
static void nb_fini(void *state)
{
	struct nl_binder *nb = state;

	nl_socket_free(nb->sk);
	if (nb->raw_fd >= 0)
		close(nb->raw_fd);
	ipto_ctx_unref(nb->ctx);
}

/* ------------------------------------------------------------------ */
/* Macvlan links (doc/macvlan.md)                                      */
/* ------------------------------------------------------------------ */

/* linux/if_link.h's MACVLAN_MODE_* */
static int macvlan_mode_of(enum ipto_macvlan_mode mode)
{
	switch (mode) {
	case IPTO_MACVLAN_MODE_PRIVATE:
		return 1;
	case IPTO_MACVLAN_MODE_VEPA:
		return 2;
	case IPTO_MACVLAN_MODE_BRIDGE:
		break;
	}
	return 4;
}

static int nl_link_delete_by_name(struct nl_binder *nb, const char *ifname)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int nle;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, ifname);
	request_begin(nb);
	nle = rtnl_link_delete(nb->sk, link);
	rtnl_link_put(link);
	if (nle < 0 && (nle == -NLE_NODEV || nb->kernel_err == -ENODEV))
		return -ENODEV;
	return request_end(nb, nle, 0, "delete link", ifname);
}

/*
 * Two requests: RTM_NEWLINK (kind macvlan, parent, MAC, mode; down), then
 * one RTM_NEWLINK change with the alias and the IPv4 ARP settings (the
 * kernel applies neither on creation). Should the second fail, the link
 * goes again, so the caller sees all or nothing.
 */
static int nl_link_create_macvlan(struct ipto_binder *binder,
				  const struct ipto_macvlan_req *req)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	struct rtnl_link *link, *kern = NULL, *change = NULL;
	struct nl_addr *addr;
	int parent, nle, r;

	parent = ifindex_of(nb, req->parent);
	if (parent < 0) {
		log_err(nb->ctx, "netlink: no parent interface %s for %s\n",
			req->parent, req->ifname);
		return parent;
	}
	link = rtnl_link_macvlan_alloc();
	addr = nl_addr_build(AF_LLC, req->mac.bytes, sizeof(req->mac.bytes));
	if (!link || !addr) {
		rtnl_link_put(link);
		nl_addr_put(addr);
		return -ENOMEM;
	}
	rtnl_link_set_name(link, req->ifname);
	rtnl_link_set_link(link, parent);
	rtnl_link_set_addr(link, addr);
	nl_addr_put(addr);
	nle = rtnl_link_macvlan_set_mode(link, (uint32_t)macvlan_mode_of(req->mode));
	if (nle < 0) {
		rtnl_link_put(link);
		return nle_to_errno(nle);
	}
	request_begin(nb);
	nle = rtnl_link_add(nb->sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	r = request_end(nb, nle, -EEXIST, "create macvlan", req->ifname);
	if (r < 0)
		return r;
	r = get_link(nb, req->ifname, &kern);
	if (r == 0 && !(change = rtnl_link_alloc()))
		r = -ENOMEM;
	if (r == 0 && req->alias && req->alias[0])
		rtnl_link_set_ifalias(change, req->alias);
	if (r == 0 && req->arp_ignore >= 0)
		r = nle_to_errno(rtnl_link_inet_set_conf(change, IPV4_DEVCONF_ARP_IGNORE,
							 (uint32_t)req->arp_ignore));
	if (r == 0 && req->arp_announce >= 0)
		r = nle_to_errno(rtnl_link_inet_set_conf(change, IPV4_DEVCONF_ARP_ANNOUNCE,
							 (uint32_t)req->arp_announce));
	if (r == 0)
		r = change_link(nb, kern, change, "tag and guard", req->ifname);
	rtnl_link_put(change);
	if (kern)
		rtnl_link_put(kern);
	if (r < 0)
		nl_link_delete_by_name(nb, req->ifname);
	return r;
}

static int nl_link_delete(struct ipto_binder *binder, const char *ifname)
{
	void *userdata = ipto_binder_get_userdata(binder);

	return nl_link_delete_by_name(userdata, ifname);
}

/* One RTM_GETLINK parsed in place, as nl_link_get: ipto_macvlan_list()
 * asks for every link of the namespace (status, cleanup). */
static int nl_link_get_alias(struct ipto_binder *binder, const char *ifname, char *buf,
			     size_t len)
{
	void *userdata = ipto_binder_get_userdata(binder);

	struct ipto_adapter_entry e = { .sz = sizeof(e) };
	struct link_dump_ctx c = { .out = &e, .max = 1, .alias = buf,
				   .alias_len = len, .alias_n = -EPROTO };
	int r;

	if (!buf || !len)
		return -EINVAL;
	r = link_get_raw(userdata, ifname, &c);
	return r < 0 ? r : c.alias_n;
}

IPTO_DEFINE_BUILTIN_DESTROY(ipto_binder, nl_destroy, nb_fini)

static const struct ipto_binder_ops netlink_ops = {
	.sz = sizeof(struct ipto_binder_ops),
	.addr_add = nl_addr_add,
	.addr_del = nl_addr_del,
	.addr_list = nl_addr_list,
	.adapter_get = nl_link_get,
	.adapter_set_up = nl_link_set_up,
	.devconf_get = nl_devconf_get,
	.devconf_set = nl_devconf_set,
	.destroy = nl_destroy,
	.addr_add_batch = nl_addr_add_batch,
	.addr_dump = nl_addr_dump,
	.adapter_dump = nl_link_dump,
	.record_get = nl_record_get,
	.record_set = nl_record_set,
	.adapter_create_macvlan = nl_link_create_macvlan,
	.adapter_delete = nl_link_delete,
	.adapter_get_alias = nl_link_get_alias,
};

/* The sockets of a new netlink binder; undone by nb_fini(). */
static int nb_init(struct ipto_ctx *ctx, void *state)
{
	struct nl_binder *nb = state;
	int one = 1, nle, r;

	nb->raw_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nb->raw_fd >= 0)
		/* Error replies without a copy of the request: smaller. */
		setsockopt(nb->raw_fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
			   sizeof(one));
	nb->sk = nl_socket_alloc();
	if (!nb->sk || nb->raw_fd < 0) {
		if (nb->raw_fd >= 0)
			close(nb->raw_fd);
		nl_socket_free(nb->sk);
		return -ENOMEM;
	}
	nle = nl_connect(nb->sk, NETLINK_ROUTE);
	if (nle < 0) {
		r = nle_to_errno(nle);
		log_err(ctx, "netlink: cannot open a NETLINK_ROUTE socket: "
			"%s\n", nl_geterror(nle));
		nl_socket_free(nb->sk);
		close(nb->raw_fd);
		return r;
	}
	/* Ask for the kernel's reason with each error (best effort). */
	setsockopt(nl_socket_get_fd(nb->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl_socket_modify_err_cb(nb->sk, NL_CB_CUSTOM, on_kernel_error, nb);
	/* Dumps of one link's addresses ask about that link only (4.20+). */
	setsockopt(nl_socket_get_fd(nb->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK,
		   &one, sizeof(one));
	{
		struct stat st;

		if (stat("/proc/thread-self/ns/net", &st) == 0)
			snprintf(nb->record_dir, sizeof(nb->record_dir), "%s/%lu",
				 RECORD_ROOT, (unsigned long)st.st_ino);
	}
	nb->ctx = ipto_ctx_ref(ctx);
	return 0;
}


/* ------------------------------------------------------------------ */
/* Removed addresses, as the kernel announces them                      */
/* ------------------------------------------------------------------ */

struct ipto_addr_watch {
	struct nl_sock *sk;
	/* one read's worth of notifications; parsed in place */
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static int nl_addr_watch_open(struct ipto_binder *b, struct ipto_addr_watch **ret)
{
	struct ipto_addr_watch *w;
	struct nl_binder *nb = b->userdata;
	int nle;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->sk = nl_socket_alloc();
	if (!w->sk) {
		free(w);
		return -ENOMEM;
	}
	nl_socket_disable_seq_check(w->sk);
	nle = nl_connect(w->sk, NETLINK_ROUTE);
	if (nle >= 0)
		nle = nl_socket_add_memberships(w->sk, RTNLGRP_IPV4_IFADDR,
						RTNLGRP_IPV6_IFADDR, 0);
	if (nle >= 0)
		nle = nl_socket_set_nonblocking(w->sk);
	if (nle < 0) {
		log_dbg(nb->ctx, "netlink: no address notifications: %s\n",
			nl_geterror(nle));
		nl_socket_free(w->sk);
		free(w);
		return nle_to_errno(nle);
	}
	*ret = w;
	return 0;
}

static int nl_addr_watch_read(struct ipto_addr_watch *w,
			      void (*gone)(void *data, int ifindex, const struct ipto_addr *addr),
			      void *data)
{
	int fd = nl_socket_get_fd(w->sk);

	for (;;) {
		struct nlmsghdr *h;
		ssize_t n = recv(fd, w->buf, sizeof(w->buf), MSG_DONTWAIT);
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return errno == ENOBUFS ? 1 : -errno;
		}
		left = (int)n;
		for (h = (struct nlmsghdr *)w->buf; nlmsg_ok(h, left); h = nlmsg_next(h, &left)) {
			struct nlattr *tb[IPTO_IFA_MAX + 1];
			const struct ifaddrmsg *ifa;
			struct nlattr *local;
			struct ipto_addr a = { 0 };

			if (h->nlmsg_type != RTM_DELADDR ||
			    nlmsg_parse(h, sizeof(*ifa), tb, IPTO_IFA_MAX, NULL) < 0)
				continue;
			ifa = nlmsg_data(h);
			if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
				continue;
			a.family = ifa->ifa_family;
			a.prefixlen = ifa->ifa_prefixlen;
			local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
			if (!local || nla_len(local) != (int)ipto_addr_len(&a))
				continue;
			memcpy(a.bytes, nla_data(local), ipto_addr_len(&a));
			gone(data, (int)ifa->ifa_index, &a);
		}
	}
}

static void nl_addr_watch_close(struct ipto_addr_watch *w)
{
	nl_socket_free(w->sk);
	free(w);
}

/* What the engine may do faster with this binder than op by op. */
static const struct ipto_binder_builtin netlink_builtin = {
	.kind = IPTO_BACKEND_NETLINK,
	.addr_del_batch = nl_addr_del_batch,
	.devconf_set_batch = nl_devconf_set_batch,
	.link_dump_aliases = nl_link_dump_aliases,
	.addr_watch_open = nl_addr_watch_open,
	.addr_watch_read = nl_addr_watch_read,
	.addr_watch_close = nl_addr_watch_close,
};

IPTO_EXPORT int ipto_binder_new_netlink(struct ipto_ctx *ctx,
					struct ipto_binder **ret)
{
	return ipto_binder_new_builtin(ctx, &netlink_ops,
				       sizeof(struct nl_binder), nb_init,
				       nb_fini, &netlink_builtin, ret);
}
