/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Removed addresses, as the kernel announces them: the netlink binder's
 * address watch (ipto_binder_addr_watch_open() in backend-private.h).
 */
#include "binder-netlink-private.h"

struct ipto_addr_watch {
	struct nl_sock *sk;
	/* one read's worth of notifications; parsed in place */
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
};

int nb_watch_open(struct ipto_binder *b, struct ipto_addr_watch **ret)
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
		return nb_nle_to_errno(nle);
	}
	*ret = w;
	return 0;
}

int nb_watch_read(struct ipto_addr_watch *w,
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

void nb_watch_close(struct ipto_addr_watch *w)
{
	nl_socket_free(w->sk);
	free(w);
}
