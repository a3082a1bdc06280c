/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the dry-run backends (binder-dryrun.c, injector-dryrun.c):
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

/*
 * A dry run's set_fault call: arms @f to fail the @nth call (0: every
 * call) of the @ops (of the @known bits) with @err; the failures of the
 * @logged ops are logged by the backend, as @backend. -EINVAL, logged
 * naming @who, for unknown bits or a positive @err.
 */
static inline int fault_arm(struct fault *f, struct ipto_ctx *ctx,
			    const char *who, const char *backend,
			    unsigned int known, unsigned int logged,
			    unsigned int ops, unsigned int nth, int err)
{
	f->ctx = ctx;
	f->who = backend;
	f->logged_ops = logged;
	if ((ops & ~known) || err > 0) {
		log_err(ctx, "%s: unknown op bits 0x%x or positive error %d\n",
			who, ops, err);
		return -EINVAL;
	}
	f->ops = ops;
	f->countdown = nth;
	f->err = err;
	return 0;
}

/* The model behind a dry-run backend (its @userdata), or NULL when the
 * object is another backend (@is_dryrun false), logged as "<who>: not a
 * dry-run <kind>". */
static inline void *dr_model_of(struct ipto_ctx *ctx, void *userdata,
				bool is_dryrun, const char *who,
				const char *kind)
{
	if (!is_dryrun) {
		log_err(ctx, "%s: not a dry-run %s\n", who, kind);
		return NULL;
	}
	return userdata;
}

/* Empties a dry run's log (the binder's calls, the injector's frames):
 * frees the heap member @field of each of its @n records, sets @n to 0. */
#define dr_log_clear(records, n, field)                                   \
	do {                                                              \
		for (size_t i_ = 0; i_ < (n); i_++)                       \
			free((records)[i_].field);                        \
		(n) = 0;                                                  \
	} while (0)

#endif /* IPTO_DRYRUN_PRIVATE_H */
