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

struct ipto_injector {
	int refcount;
	struct ipto_ctx *ctx;
	struct ipto_injector_ops ops;
	void *userdata;
};


/*
 * All of @ifname's addresses through ipto_binder_addr_list(), in an array
 * grown until they fit: the count, with *@ret to free(), or a negative
 * errno.
 */
int ipto_binder_addr_list_alloc(struct ipto_binder *binder,
				const char *ifname, struct ipto_addr **ret);

#endif /* IPTO_BACKEND_PRIVATE_H */
