/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the netlink binder's files (binder-netlink*.c): its state,
 * and what each file offers the others. Each file's names share one
 * prefix: nb_ (binder-netlink.c: requests through libnl, the sockets),
 * nb_batch_, nb_record_, nb_macvlan_ and nb_watch_.
 */
#ifndef IPTO_BINDER_NETLINK_PRIVATE_H
#define IPTO_BINDER_NETLINK_PRIVATE_H

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
	/* the lock generation (ipto_ctx_lock_generation()) under which the
	 * record was last tidied (nb_record_prune()) */
	unsigned long pruned_gen;
};

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

/* binder-netlink.c */
unsigned int nb_proto_of_flags(unsigned int flags);
unsigned int nb_wire_proto(unsigned int flags);

/* The kernel's "forever" lifetime of an IPv6 address (INFINITY_LIFE_TIME). */
#define NB_LIFETIME_INFINITY 0xffffffffu
int nb_nle_to_errno(int nle);
void nb_request_begin(struct nl_binder *nb);
int nb_request_end(struct nl_binder *nb, int nle, int quiet_err,
		   const char *what, const char *ifname);
int nb_get_link(struct nl_binder *nb, const char *ifname,
		struct rtnl_link **link);
int nb_ifindex_of(struct nl_binder *nb, const char *ifname);
int nb_addr_dump(struct nl_binder *nb, int ifindex,
		 struct ipto_addr_entry *out, size_t max);
int nb_link_dump(struct nl_binder *nb, struct ipto_adapter_entry *out, size_t max);
int nb_link_get_raw(struct nl_binder *nb, const char *ifname,
		    struct link_dump_ctx *c);
int nb_change_link(struct nl_binder *nb, struct rtnl_link *link,
		   struct rtnl_link *change, const char *what,
		   const char *ifname);
unsigned int nb_devconf_id(enum ipto_devconf key);

/* binder-netlink-record.c */
void nb_record_mark_key(int ifindex, const struct ipto_addr *a, char *buf,
			size_t len);
void nb_record_keep_mark(struct nl_binder *nb, int ifindex,
			 const struct ipto_addr *a, unsigned int proto);
int nb_record_get(struct nl_binder *nb, const char *key, char *buf,
		  size_t len);
int nb_record_set(struct nl_binder *nb, const char *key, const char *value);
void nb_record_prune(struct nl_binder *nb);
int nb_record_get_op(struct ipto_binder *binder, const char *key, char *buf,
		     size_t len);
int nb_record_set_op(struct ipto_binder *binder, const char *key,
		     const char *value);

/* binder-netlink-batch.c */
int nb_batch_addr_add(struct ipto_binder *binder,
		      const struct ipto_addr_req *reqs, size_t n,
		      int *results);
int nb_batch_addr_del(struct ipto_binder *b, const struct ipto_addr_req *reqs,
		      size_t n, int *results);
int nb_batch_devconf_set(struct ipto_binder *b,
			 const struct ipto_devconf_req *reqs, size_t n,
			 int *results);

/* binder-netlink-macvlan.c */
int nb_macvlan_create(struct ipto_binder *binder,
		      const struct ipto_macvlan_req *req);
int nb_macvlan_delete(struct ipto_binder *binder, const char *ifname);
int nb_macvlan_get_alias(struct ipto_binder *binder, const char *ifname,
			 char *buf, size_t len);

/* binder-netlink-watch.c */
int nb_watch_open(struct ipto_binder *b, struct ipto_addr_watch **ret);
int nb_watch_read(struct ipto_addr_watch *w,
		  void (*gone)(void *data, int ifindex,
			       const struct ipto_addr *addr),
		  void *data);
void nb_watch_close(struct ipto_addr_watch *w);

#endif /* IPTO_BINDER_NETLINK_PRIVATE_H */
