/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The AF_PACKET injector: ONE unbound SOCK_RAW packet socket per injector
 * (per network namespace its ports were opened in), protocol 0 so it never
 * receives anything. A port is only an ifindex: opening one costs an ioctl,
 * not a socket. Every frame goes out with a sockaddr_ll naming its
 * interface, so the frames of every port, in any mix, leave in one
 * sendmmsg() (ipto_injector_send_multi()).
 *
 * Why one socket: closing an AF_PACKET socket waits for a network RCU grace
 * period (packet_release() calls synchronize_net()), 8-16 ms apiece on a
 * loaded machine. A socket per port made a takeover of 16 adapters pay
 * 16 of them at teardown; this pays one, when the last port closes.
 *
 * The message headers and link addresses of a batch live on the stack
 * (PACKET_BATCH of each, about 5 KiB): no allocation per frame, and two
 * threads may send on different ports at once. Needs CAP_NET_RAW (the
 * first open says -EPERM otherwise).
 */
#include "backend-private.h"

#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PACKET_BATCH 64

/* One socket, shared by every port opened in one network namespace. */
struct packet_sock {
	struct packet_sock *next;
	int fd;
	dev_t ns_dev;
	ino_t ns_ino;
	unsigned int users; /* open ports */
};

struct packet_inj {
	struct ipto_ctx *ctx;
	struct packet_sock *socks;
};

struct packet_port {
	struct packet_sock *sock;
	int ifindex;
};

/* The calling thread's network namespace, as a key. Without /proc every
 * port shares one socket (and the namespace it was made in). */
static void netns_key(struct ipto_ctx *ctx, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) == 0) {
		*dev = st.st_dev;
		*ino = st.st_ino;
		return;
	}
	log_dbg(ctx, "packet: cannot read the network namespace (%s); one "
		"socket for every port\n", ipto_strerror(-errno));
	*dev = 0;
	*ino = 0;
}

static int sock_get(struct packet_inj *pi, struct packet_sock **ret)
{
	struct packet_sock *s;
	dev_t dev;
	ino_t ino;
	int fd, r;

	netns_key(pi->ctx, &dev, &ino);
	for (s = pi->socks; s; s = s->next)
		if (s->ns_dev == dev && s->ns_ino == ino) {
			*ret = s;
			return 0;
		}
	/* The socket first: without CAP_NET_RAW every open says -EPERM,
	 * whether or not the interface exists. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		log_err(pi->ctx, "packet: socket(AF_PACKET): %s%s\n",
			ipto_strerror(r),
			r == -EPERM ? " (CAP_NET_RAW needed)" : "");
		return r;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->fd = fd;
	s->ns_dev = dev;
	s->ns_ino = ino;
	s->next = pi->socks;
	pi->socks = s;
	log_dbg(pi->ctx, "packet: opened the injector's socket (fd %d)\n", fd);
	*ret = s;
	return 0;
}

/* Drops a port's use of @s; the last one closes the socket. */
static void sock_put(struct packet_inj *pi, struct packet_sock *s)
{
	struct packet_sock **pp;

	if (--s->users > 0)
		return;
	for (pp = &pi->socks; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	close(s->fd);
	free(s);
}

static int packet_open(struct ipto_injector *injector, const char *ifname, void **handle)
{
	struct packet_inj *pi = ipto_injector_get_userdata(injector);
	struct packet_port *p;
	struct packet_sock *s = NULL;
	struct ifreq ifr;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r = sock_get(pi, &s);
	if (r < 0) {
		free(p);
		return r;
	}
	s->users++;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	if (ioctl(s->fd, SIOCGIFINDEX, &ifr) < 0) {
		r = -errno;
		log_err(pi->ctx, "packet: %s: %s\n", ifname, ipto_strerror(r));
		sock_put(pi, s);
		free(p);
		return r;
	}
	p->sock = s;
	p->ifindex = ifr.ifr_ifindex;
	*handle = p;
	return 0;
}

/* The link address of a frame for @p: its interface and its EtherType
 * (bytes 12-13, already in network order). */
static void fill_sll(struct sockaddr_ll *sll, const struct packet_port *p,
		     const void *frame)
{
	const unsigned char *b = frame;

	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = p->ifindex;
	memcpy(&sll->sll_protocol, b + 12, sizeof(sll->sll_protocol));
}

static int packet_send(struct ipto_injector *injector, void *handle, const void *frame,
		       size_t len)
{
	struct packet_port *p = handle;
	struct sockaddr_ll sll;
	ssize_t n;

	fill_sll(&sll, p, frame);
	do
		n = sendto(p->sock->fd, frame, len, 0,
			   (const struct sockaddr *)&sll, sizeof(sll));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

/*
 * Sends @n frames, frame i on port @one or, when @one is NULL, on
 * @ports[i]'s handle. Chunks of PACKET_BATCH frames, each one sendmmsg();
 * a chunk also ends where the socket changes (ports opened in another
 * namespace). Returns as send_batch does.
 */
static int packet_sendv(struct packet_port *one,
			struct ipto_injector_adapter *const *ports,
			const struct iovec *frames, size_t n)
{
	struct mmsghdr msgs[PACKET_BATCH];
	struct sockaddr_ll addrs[PACKET_BATCH];
	size_t done = 0, chunk, i;
	int r;

	while (done < n) {
		struct packet_port *first = one ? one : ports[done]->handle;
		struct packet_sock *s = first->sock;

		for (chunk = 0; chunk < PACKET_BATCH && done + chunk < n;
		     chunk++) {
			struct packet_port *p =
				one ? one : ports[done + chunk]->handle;
			struct msghdr *h = &msgs[chunk].msg_hdr;

			if (p->sock != s)
				break;
			fill_sll(&addrs[chunk], p,
				 frames[done + chunk].iov_base);
			memset(h, 0, sizeof(*h));
			h->msg_name = &addrs[chunk];
			h->msg_namelen = sizeof(addrs[chunk]);
			/* sendmmsg() does not write through msg_iov */
			h->msg_iov = (struct iovec *)&frames[done + chunk];
			h->msg_iovlen = 1;
			msgs[chunk].msg_len = 0;
		}
		do
			r = sendmmsg(s->fd, msgs, (unsigned int)chunk, 0);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return done > 0 ? (int)done : -errno;
		for (i = 0; i < (size_t)r; i++)
			if (msgs[i].msg_len != frames[done + i].iov_len)
				return done + i > 0 ? (int)(done + i) : -EIO;
		done += (size_t)r;
		if ((size_t)r < chunk)
			break; /* the next one failed */
	}
	return (int)done;
}

static int packet_send_batch(struct ipto_injector *injector, void *handle,
			     const struct iovec *frames, size_t n)
{
	return packet_sendv(handle, NULL, frames, n);
}

static int packet_send_multi(struct ipto_injector *inj,
			     struct ipto_injector_adapter *const *ports,
			     const struct iovec *frames, size_t n)
{
	return packet_sendv(NULL, ports, frames, n);
}

static void packet_close(struct ipto_injector *injector, void *handle)
{
	struct packet_port *p = handle;

	sock_put(ipto_injector_get_userdata(injector), p->sock);
	free(p);
}

static int packet_init(struct ipto_ctx *ctx, void *state)
{
	struct packet_inj *pi = state;

	pi->ctx = ipto_ctx_ref(ctx); /* for the log */
	return 0;
}

static void packet_fini(void *state)
{
	struct packet_inj *pi = state;

	ipto_ctx_unref(pi->ctx);
}

/* Ports hold injector references: none is open by the destroy. */
IPTO_DEFINE_BUILTIN_DESTROY(ipto_injector, packet_destroy, packet_fini)

static const struct ipto_injector_ops packet_ops = {
	.sz = sizeof(struct ipto_injector_ops),
	.open = packet_open,
	.send = packet_send,
	.send_batch = packet_send_batch,
	.close = packet_close,
	.destroy = packet_destroy,
};

/* One sendmmsg() across ports (ipto_injector_send_multi()). */
static const struct ipto_injector_builtin packet_builtin = {
	.kind = IPTO_BACKEND_PACKET,
	.send_multi = packet_send_multi,
};

IPTO_EXPORT int ipto_injector_new_packet(struct ipto_ctx *ctx,
					 struct ipto_injector **ret)
{
	return ipto_injector_new_builtin(ctx, &packet_ops,
					 sizeof(struct packet_inj), packet_init,
					 packet_fini, &packet_builtin, ret);
}
