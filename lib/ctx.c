/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: reference counting, logging, user data, errors. */
#include "ipto-private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct ipto_ctx {
	int refcount;
	ipto_log_fn log_fn;
	void *log_userdata;
	enum ipto_log_priority log_priority;
	void *user_data;
};

static void log_to_stderr(struct ipto_ctx *ctx, enum ipto_log_priority priority,
			  void *userdata, const char *format, va_list args)
	IPTO_PRINTF_ATTR(4, 0);

static void log_to_stderr(struct ipto_ctx *ctx, enum ipto_log_priority priority,
			  void *userdata, const char *format, va_list args)
{
	fputs("libipto: ", stderr);
	vfprintf(stderr, format, args);
}

IPTO_EXPORT const char *ipto_version(void)
{
	return IPTO_VERSION_STRING;
}

IPTO_EXPORT const char *ipto_strerror(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "Success";
	/* strerrordesc_np() is glibc's thread-safe, locale-free table. */
	s = strerrordesc_np(err);
	return s ? s : "Unknown error";
}

IPTO_EXPORT int ipto_ctx_new(struct ipto_ctx **ret)
{
	struct ipto_ctx *ctx;

	if (!ret)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->refcount = 1;
	ctx->log_fn = log_to_stderr;
	ctx->log_priority = IPTO_LOG_ERROR;
	*ret = ctx;
	return 0;
}

static void ctx_free(struct ipto_ctx *ctx)
{
	free(ctx);
}

IPTO_DEFINE_REF_UNREF(ipto_ctx, ctx_free)

IPTO_EXPORT void ipto_ctx_set_log_fn(struct ipto_ctx *ctx, ipto_log_fn fn,
				     enum ipto_log_priority priority,
				     void *userdata)
{
	if (!ctx)
		return;
	ctx->log_fn = fn;
	ctx->log_priority = priority;
	ctx->log_userdata = userdata;
}

IPTO_EXPORT enum ipto_log_priority
ipto_ctx_get_log_priority(const struct ipto_ctx *ctx)
{
	return ctx ? ctx->log_priority : IPTO_LOG_ERROR;
}

IPTO_EXPORT void ipto_ctx_set_user_data(struct ipto_ctx *ctx, void *user_data)
{
	if (ctx)
		ctx->user_data = user_data;
}

IPTO_EXPORT void *ipto_ctx_get_user_data(const struct ipto_ctx *ctx)
{
	return ctx ? ctx->user_data : NULL;
}

bool ipto_log_enabled(const struct ipto_ctx *ctx,
		      enum ipto_log_priority priority)
{
	return ctx && ctx->log_fn && priority <= ctx->log_priority;
}

void ipto_log_priv(struct ipto_ctx *ctx, enum ipto_log_priority priority,
		   const char *format, ...)
{
	va_list args;

	if (!ipto_log_enabled(ctx, priority))
		return;
	va_start(args, format);
	ctx->log_fn(ctx, priority, ctx->log_userdata, format, args);
	va_end(args);
}
