/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the dry-run backends (dryrun-binder.c, dryrun-injector.c):
 * the armed fault both of them offer, and the headers they share. Their
 * public side is <ipto/ipto-dryrun.h>, outside the stable ABI.
 */
#ifndef IPTO_DRYRUN_PRIVATE_H
#define IPTO_DRYRUN_PRIVATE_H

#include "backend-private.h"

#include <ipto/ipto-dryrun.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#define DEVCONF_KEYS 5 /* enum ipto_devconf values are 1..4 */

struct fault {
	unsigned int ops; /* mask of counted operations */
	unsigned int countdown; /* 0: every counted call fails */
	int err; /* 0: no fault armed */
	/* A backend logs the failures it makes, as the layer that knows why;
	 * the injector's sends are logged by the generic injector. */
	struct ipto_ctx *ctx;
	const char *who;
	unsigned int logged_ops;
};

static inline int fault_fire(const struct fault *f, unsigned int op, int err)
{
	if (f->logged_ops & op)
		log_err(f->ctx, "%s: operation 0x%x fails by the armed fault: "
			"%s\n", f->who, op, ipto_strerror(err));
	return err;
}

/* Whether the call of operation @op fails, and with what. */
static inline int fault_hit(struct fault *f, unsigned int op)
{
	int err = f->err;

	if (!err || !(f->ops & op))
		return 0;
	if (f->countdown == 0)
		return fault_fire(f, op, err);
	if (--f->countdown > 0)
		return 0;
	f->err = 0; /* one-shot: spent */
	return fault_fire(f, op, err);
}

static inline int fault_set(struct fault *f, unsigned int known, unsigned int ops,
		     unsigned int nth, int err)
{
	if ((ops & ~known) || err > 0)
		return -EINVAL;
	f->ops = ops;
	f->countdown = nth;
	f->err = err;
	return 0;
}

#endif /* IPTO_DRYRUN_PRIVATE_H */
