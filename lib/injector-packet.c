/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The AF_PACKET injector: a SOCK_RAW packet socket bound to one interface,
 * protocol 0 so it never receives anything. Batches go out with sendmmsg()
 * through message headers preallocated in the port: no allocation per
 * frame. Needs CAP_NET_RAW (socket() says -EPERM otherwise).
 */
#include "backend-private.h"

#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define PACKET_BATCH 64

struct packet_port {
	int fd;
	struct mmsghdr msgs[PACKET_BATCH];
};

static int packet_open(struct ipto_injector *injector, const char *ifname, void **handle)
{
	struct ipto_ctx *ctx = ipto_injector_get_userdata(injector);
	struct packet_port *p;
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int fd, r;

	/* The socket first: without CAP_NET_RAW every open says -EPERM,
	 * whether or not the interface exists. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		log_err(ctx, "packet: socket(AF_PACKET): %s%s\n",
			ipto_strerror(r),
			r == -EPERM ? " (CAP_NET_RAW needed)" : "");
		return r;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		r = -errno;
		log_err(ctx, "packet: %s: %s\n", ifname, ipto_strerror(r));
		close(fd);
		return r;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0; /* send only */
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		r = -errno;
		log_err(ctx, "packet: bind to %s: %s\n", ifname,
			ipto_strerror(r));
		close(fd);
		return r;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	p->fd = fd;
	*handle = p;
	return 0;
}

static int packet_send(struct ipto_injector *injector, void *handle, const void *frame,
		       size_t len)
{
	struct packet_port *p = handle;
	ssize_t n;

	do
		n = send(p->fd, frame, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

static int packet_send_batch(struct ipto_injector *injector, void *handle,
			     const struct iovec *frames, size_t n)
{
	struct packet_port *p = handle;
	size_t done = 0, chunk, i;
	int r;

	while (done < n) {
		chunk = n - done < PACKET_BATCH ? n - done : PACKET_BATCH;
		for (i = 0; i < chunk; i++) {
			struct msghdr *h = &p->msgs[i].msg_hdr;

			memset(h, 0, sizeof(*h));
			/* sendmmsg() does not write through msg_iov */
			h->msg_iov = (struct iovec *)&frames[done + i];
			h->msg_iovlen = 1;
			p->msgs[i].msg_len = 0;
		}
		do
			r = sendmmsg(p->fd, p->msgs, (unsigned int)chunk, 0);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return done > 0 ? (int)done : -errno;
		for (i = 0; i < (size_t)r; i++)
			if (p->msgs[i].msg_len != frames[done + i].iov_len)
				return done + i > 0 ? (int)(done + i) : -EIO;
		done += (size_t)r;
		if ((size_t)r < chunk)
			break; /* the next one failed */
	}
	return (int)done;
}

static void packet_close(struct ipto_injector *injector, void *handle)
{
	struct packet_port *p = handle;

	close(p->fd);
	free(p);
}

static void packet_destroy(struct ipto_injector *injector)
{
	void *userdata = ipto_injector_get_userdata(injector);

	ipto_ctx_unref(userdata);
}

static const struct ipto_injector_ops packet_ops = {
	.sz = sizeof(struct ipto_injector_ops),
	.open = packet_open,
	.send = packet_send,
	.send_batch = packet_send_batch,
	.close = packet_close,
	.destroy = packet_destroy,
};

IPTO_EXPORT int ipto_injector_new_packet(struct ipto_ctx *ctx,
					 struct ipto_injector **ret)
{
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	/* userdata: a context reference, for the log */
	r = ipto_injector_new(ctx, &packet_ops, ipto_ctx_ref(ctx), ret);
	if (r < 0)
		ipto_ctx_unref(ctx);
	return r;
}
