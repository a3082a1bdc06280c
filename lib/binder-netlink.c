/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libnl-route-3 binder. One NETLINK_ROUTE socket per binder, opened in
 * the creating thread's network namespace. Every request is synchronous.
 *
 * Errors: libnl folds the kernel's errno into its own NLE_* codes, which
 * loses detail (several errnos become NLE_FAILURE). An error callback on
 * the socket records the kernel's errno and extended-ACK message, so a
 * caller gets the kernel's own errno; libnl's own errors (no kernel reply)
 * go through nb_nle_to_errno(). Neither kind of code leaves the netlink
 * binder's files.
 *
 * This file holds the ops that go through libnl one request at a time,
 * the binder's sockets and its constructor. The rest of the binder:
 * binder-netlink-batch.c (the pipelined requests), -record.c (the files
 * under /run/ipto), -macvlan.c (macvlan links) and -watch.c (the address
 * watch); binder-netlink-private.h is what they share.
 */
#include "binder-netlink-private.h"

unsigned int nb_proto_of_flags(unsigned int flags)
{
	if (flags & IPTO_BIND_TAKEOVER)
		return IPTO_ADDR_PROTO_TAKEOVER;
	if (flags & IPTO_BIND_RECLAIM)
		return IPTO_ADDR_PROTO_RECLAIM;
	return 0;
}

/* The protocol sent to the kernel. IPTO_TEST_NO_IFA_PROTO (a test hook)
 * makes the binder behave as on a kernel before 6.3: it sends none and
 * ignores what dumps carry, so the record under /run is exercised. */
unsigned int nb_wire_proto(unsigned int flags)
{
	return getenv("IPTO_TEST_NO_IFA_PROTO") ? 0 : nb_proto_of_flags(flags);
}

/* libnl's codes for errors it raises itself. */
int nb_nle_to_errno(int nle)
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

void nb_request_begin(struct nl_binder *nb)
{
	nb->kernel_err = 0;
	nb->kernel_msg[0] = '\0';
}

/*
 * Turns a libnl return value into 0 or a negative errno and logs the
 * failure with libnl's and the kernel's words. Answers a caller probes for
 * (@quiet_err) are logged as info only.
 */
int nb_request_end(struct nl_binder *nb, int nle, int quiet_err,
		   const char *what, const char *ifname)
{
	int r;

	if (nle >= 0)
		return 0;
	r = nb->kernel_err ? nb->kernel_err : nb_nle_to_errno(nle);
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
int nb_get_link(struct nl_binder *nb, const char *ifname,
		struct rtnl_link **link)
{
	int nle;

	nb_request_begin(nb);
	/* libnl picks up this reply with its own error handler, so the
	 * kernel's ENODEV arrives as NLE_NODEV (or NLE_OBJ_NOTFOUND). */
	nle = rtnl_link_get_kernel(nb->sk, 0, ifname, link);
	if (nle == -NLE_NODEV || nle == -NLE_OBJ_NOTFOUND ||
	    (nle < 0 && nb->kernel_err == -ENODEV)) {
		log_dbg(nb->ctx, "netlink: no interface %s\n", ifname);
		return -ENODEV;
	}
	return nb_request_end(nb, nle, 0, "get link", ifname);
}

/* The index by SIOCGIFINDEX on a socket opened with the binder (so in the
 * binder's namespace): a fraction of an RTM_GETLINK parsed by libnl, and
 * it is on the hot path of every address change (tests/bench). */
int nb_ifindex_of(struct nl_binder *nb, const char *ifname)
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
			unsigned int proto, bool deprecated)
{
	/* deprecated: preferred 0, valid forever (ipto-backend.h) */
	struct ifa_cacheinfo ci = { .ifa_prefered = 0,
				    .ifa_valid = NB_LIFETIME_INFINITY };
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
	    (type == RTM_NEWADDR && deprecated &&
	     nla_put(msg, IFA_CACHEINFO, sizeof(ci), &ci) < 0) ||
	    (proto && nla_put_u8(msg, IPTO_IFA_PROTO, (uint8_t)proto) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nb_request_begin(nb);
	return nl_send_sync(nb->sk, msg); /* frees msg */
}

static int nl_addr_add(struct ipto_binder *binder, const char *ifname,
		       const struct ipto_addr *addr, unsigned int flags)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	int ifindex = nb_ifindex_of(nb, ifname), nle, r;

	if (ifindex < 0)
		return ifindex;
	/* NLM_F_EXCL: an address that is there already is -EEXIST, never
	 * silently "replaced" (which would hide a rollback bug). */
	nle = addr_request(nb, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex,
			   addr, addr->family == AF_INET6 &&
			   (flags & IPTO_BIND_NODAD) ? IFA_F_NODAD : 0,
			   nb_wire_proto(flags), ipto_bind_deprecated(addr, flags));
	r = nb_request_end(nb, nle, -EEXIST, "add address on", ifname);
	if (r == 0)
		nb_record_keep_mark(nb, ifindex, addr, nb_proto_of_flags(flags));
	return r;
}

static int nl_addr_del(struct ipto_binder *binder, const char *ifname,
		       const struct ipto_addr *addr)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	int ifindex = nb_ifindex_of(nb, ifname), nle, r;
	char key[96];

	if (ifindex < 0)
		return ifindex;
	nle = addr_request(nb, RTM_DELADDR, 0, ifindex, addr, 0, 0, false);
	r = nb_request_end(nb, nle, -EADDRNOTAVAIL, "delete address on", ifname);
	if (r == 0 && nb->proto_mode == PROTO_RECORD) {
		nb_record_mark_key(ifindex, addr, key, sizeof(key));
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

	nb_request_begin(nb);
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
	return nb_request_end(nb, nle < 0 ? nle : 0, 0, what, "");
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

		nb_record_mark_key(e.ifindex, &e.addr, key, sizeof(key));
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

int nb_addr_dump(struct nl_binder *nb, int ifindex,
		 struct ipto_addr_entry *out, size_t max)
{
	/* With strict checking (set at creation) the kernel dumps only
	 * ifa_index; older kernels dump all and on_addr filters. */
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC,
				 .ifa_index = (unsigned int)ifindex };
	struct addr_dump_ctx c = { nb, ifindex, out, max, 0 };
	unsigned long gen = ipto_ctx_lock_generation(nb->ctx);
	int r;

	/* The first read under a new hold of the host lock tidies the
	 * record first (what it holds of gone addresses and links). */
	if (gen && gen != nb->pruned_gen) {
		nb->pruned_gen = gen;
		nb_record_prune(nb);
	}
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

	ifindex = nb_ifindex_of(nb, ifname);
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

static int on_link(struct nl_msg *msg, void *arg);

/*
 * One RTM_GETLINK by name through libnl's core message API, parsed in
 * place by the link dump's parser: what a takeover reads for every
 * adapter, so it skips libnl's object model (no cache, no rtnl_link).
 */
int nb_link_get_raw(struct nl_binder *nb, const char *ifname,
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
		return nb_request_end(nb, nle, 0, "get link", ifname);
	return c->n == 1 ? 0 : -EPROTO;
}

static int nl_link_get(struct ipto_binder *binder, const char *ifname,
		       struct ipto_adapter_info *info)
{
	void *userdata = ipto_binder_get_userdata(binder);

	struct ipto_adapter_entry e = { .sz = sizeof(e) };
	struct link_dump_ctx c = { .out = &e, .max = 1 };
	int r = nb_link_get_raw(userdata, ifname, &c);

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
int nb_change_link(struct nl_binder *nb, struct rtnl_link *link,
		   struct rtnl_link *change, const char *what,
		   const char *ifname)
{
	int nle;

	nb_request_begin(nb);
	nle = rtnl_link_change(nb->sk, link, change, 0);
	return nb_request_end(nb, nle, 0, what, ifname);
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

unsigned int nb_devconf_id(enum ipto_devconf key)
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

	r = nb_get_link(nb, ifname, &link);
	if (r < 0)
		return r;
	nle = rtnl_link_inet_get_conf(link, nb_devconf_id(key), &v);
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

	ifindex = nb_ifindex_of(nb, ifname);
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
	nb_request_begin(nb);
	nle = nl_send_sync(nb->sk, msg); /* frees msg */
	if (nle < 0 && nb->kernel_err == -ENODEV) {
		log_dbg(nb->ctx, "netlink: no interface %s\n", ifname);
		return -ENODEV;
	}
	return nb_request_end(nb, nle, 0, what, ifname);
nomem:
	nlmsg_free(msg);
	return -ENOMEM;
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
	return link_request(nb, ifname, &ifi, (int)nb_devconf_id(key), value, what);
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
	return nb_link_dump(ipto_binder_get_userdata(binder), out, max);
}

int nb_link_dump(struct nl_binder *nb, struct ipto_adapter_entry *out, size_t max)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_dump_ctx c = { out, max, 0 };
	int r;

	r = dump(nb, RTM_GETLINK, &ifi, sizeof(ifi), LINK_EXT_MASK, on_link, &c,
		 "dump links");
	if (r < 0)
		return r;
	return c.n > INT32_MAX ? INT32_MAX : (int)c.n;
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
	.addr_add_batch = nb_batch_addr_add,
	.addr_dump = nl_addr_dump,
	.adapter_dump = nl_link_dump,
	.record_get = nb_record_get_op,
	.record_set = nb_record_set_op,
	.adapter_create_macvlan = nb_macvlan_create,
	.adapter_delete = nb_macvlan_delete,
	.adapter_get_alias = nb_macvlan_get_alias,
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
		r = nb_nle_to_errno(nle);
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

/* What the engine may do faster with this binder than op by op. */
static const struct ipto_binder_builtin netlink_builtin = {
	.kind = IPTO_BACKEND_NETLINK,
	.addr_del_batch = nb_batch_addr_del,
	.devconf_set_batch = nb_batch_devconf_set,
	.link_dump_aliases = nl_link_dump_aliases,
	.addr_watch_open = nb_watch_open,
	.addr_watch_read = nb_watch_read,
	.addr_watch_close = nb_watch_close,
};

IPTO_EXPORT int ipto_binder_new_netlink(struct ipto_ctx *ctx,
					struct ipto_binder **ret)
{
	return ipto_binder_new_builtin(ctx, &netlink_ops,
				       sizeof(struct nl_binder), nb_init,
				       nb_fini, &netlink_builtin, ret);
}

