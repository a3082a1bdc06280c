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


#endif /* IPTO_BACKEND_PRIVATE_H */
