/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The netlink binder's pipelined requests: RTM_NEWADDR, RTM_DELADDR and
 * RTM_NEWLINK (one IPv4 setting) built by hand on the binder's plain
 * NETLINK_ROUTE socket, up to 256 to a sendmsg, each with its own ACK.
 */
#include "binder-netlink-private.h"

/* Appends one attribute; the caller reserved room. */
static size_t put_attr(char *buf, size_t off, unsigned short type,
		       const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(buf + off);

	a->nla_type = type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy(buf + off + NLA_HDRLEN, data, len);
	/* the padding goes to the kernel too: no stray heap bytes in it */
	memset(buf + off + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(NLA_HDRLEN + len) - (NLA_HDRLEN + len));
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
	if (ipto_bind_deprecated(&r->addr, r->flags)) {
		/* deprecated: preferred 0, valid forever (ipto-backend.h) */
		struct ifa_cacheinfo ci = { .ifa_prefered = 0,
					    .ifa_valid = NB_LIFETIME_INFINITY };

		off = put_attr(buf, off, IFA_CACHEINFO, &ci, sizeof(ci));
	}
	if (nb_wire_proto(r->flags)) {
		uint8_t proto = (uint8_t)nb_wire_proto(r->flags);

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
	int ifindex = nb_ifindex_of(nb, req->ifname);

	if (ifindex <= 0) {
		*result = ifindex < 0 ? ifindex : -ENODEV;
		return 0;
	}
	return build_newaddr(buf, seq, ifindex, req);
}

/* Builds RTM_DELADDR for @req at @buf (as addr_request() would). */
static size_t build_deladdr_req(struct nl_binder *nb, const void *reqs, size_t i,
				char *buf, uint32_t seq, int *result)
{
	const struct ipto_addr_req *req = (const struct ipto_addr_req *)reqs + i;
	int ifindex = nb_ifindex_of(nb, req->ifname);
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

/* Logs the kernel's refusal @result of request @req ("netlink: @what
 * address ADDR on IFNAME: why"). */
static void log_addr_refusal(struct nl_binder *nb, const struct ipto_addr_req *req,
			     int result, const char *what)
{
	char text[IPTO_ADDR_STRLEN];

	ipto_addr_format(&req->addr, text, sizeof(text));
	log_err(nb->ctx, "netlink: %s address %s on %s: %s\n", what, text,
		req->ifname, ipto_strerror(result));
}

int nb_batch_addr_del(struct ipto_binder *b, const struct ipto_addr_req *reqs,
		      size_t n, int *results)
{
	struct nl_binder *nb = b->userdata;
	char key[96];
	size_t i;
	int r, err;

	if (n == 0)
		return 0;
	err = batch_send(nb, reqs, n, BATCH_MSG_MAX, build_deladdr_req, results,
			 "address removal", &r);
	if (err < 0)
		return err;
	for (i = 0; i < n; i++) {
		int ifindex = nb_ifindex_of(nb, reqs[i].ifname);

		if (r == 0 && results[i] < 0 && results[i] != -EADDRNOTAVAIL &&
		    results[i] != -ENODEV)
			log_addr_refusal(nb, &reqs[i], results[i], "delete");
		if (results[i] == 0 && nb->proto_mode == PROTO_RECORD && ifindex > 0) {
			nb_record_mark_key(ifindex, &reqs[i].addr, key, sizeof(key));
			nb_record_set(nb, key, NULL);
		}
	}
	return 0;
}

/* Pipelines RTM_NEWADDR requests (batch_send()). */
int nb_batch_addr_add(struct ipto_binder *binder, const struct ipto_addr_req *reqs,
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
		    results[i] != -ENODEV)
			log_addr_refusal(nb, &reqs[i], results[i], "add");
	}
	for (i = 0; i < n; i++)
		if (results[i] == 0 && nb_proto_of_flags(reqs[i].flags))
			nb_record_keep_mark(nb, nb_ifindex_of(nb, reqs[i].ifname), &reqs[i].addr,
				  nb_proto_of_flags(reqs[i].flags));
	return 0;
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
	off = put_attr(buf, off, (unsigned short)nb_devconf_id(r->key), &v, sizeof(v));
	h->nlmsg_len = (uint32_t)off;
	return off;
}

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

int nb_batch_devconf_set(struct ipto_binder *b,
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
