/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to the backend sources (binder.c, injector.c, dryrun.c, ...). */
#ifndef IPTO_BACKEND_PRIVATE_H
#define IPTO_BACKEND_PRIVATE_H

#include "ipto-private.h"

struct ipto_binder {
	int refcount;
	struct ipto_ctx *ctx;
	struct ipto_binder_ops ops; /* the caller's table, NULL-padded */
	void *userdata;
};

/* The longest interface name (IFNAMSIZ - 1). */
#define IPTO_IFNAME_MAX 15

struct ipto_injector {
	int refcount;
	struct ipto_ctx *ctx;
	struct ipto_injector_ops ops;
	void *userdata;
};

struct ipto_injector_port {
	struct ipto_injector *injector;
	void *handle;
	char ifname[IPTO_IFNAME_MAX + 1];
};

/*
 * The AF_PACKET injector's batch across ports (injector-packet.c). The
 * hook is not in struct ipto_injector_ops (public, its layout is ABI) nor
 * in struct ipto_injector (the ABI check reads its layout too): the
 * generic layer asks whether @inj is the packet backend.
 * ipto_packet_send_multi() sends frame i on @ports[i] (ports of @inj,
 * arguments checked) and returns as ops.send_batch.
 */
bool ipto_injector_is_packet(const struct ipto_injector *inj);
int ipto_packet_send_multi(struct ipto_injector *inj,
			   struct ipto_injector_port *const *ports,
			   const struct iovec *frames, size_t n);

/* 0 when @ifname is a plausible interface name, else -EINVAL (logged). */
int ipto_ifname_check(struct ipto_ctx *ctx, const char *who,
		      const char *ifname);

/* "arp_ignore" etc., or NULL for an unknown key. */
const char *ipto_devconf_name(enum ipto_devconf key);

/*
 * Copy a caller's ops table of @caller_sz bytes into @out of @our_sz bytes:
 * members past @caller_sz stay NULL. -EINVAL for a table shorter than
 * size_t or a longer one with a non-zero unknown tail.
 */
int ipto_ops_copy(void *out, size_t our_sz, const void *ops);

#endif /* IPTO_BACKEND_PRIVATE_H */
