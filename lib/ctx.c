/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: reference counting, logging, user data, errors. */
#include "ipto-private.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct ipto_ctx {
	int refcount;
	ipto_log_fn log_fn;
	void *log_userdata;
	enum ipto_log_priority log_priority;
	void *user_data;
	/* host locks held through this context (lock.c), and how many were
	 * ever taken: a binder's record is tidied once per lock */
	unsigned int locks_held;
	unsigned long lock_gen;
};

void ipto_ctx_lock_taken(struct ipto_ctx *ctx)
{
	ctx->locks_held++;
	ctx->lock_gen++;
}

void ipto_ctx_lock_dropped(struct ipto_ctx *ctx)
{
	if (ctx->locks_held)
		ctx->locks_held--;
}

unsigned long ipto_ctx_lock_generation(const struct ipto_ctx *ctx)
{
	return ctx && ctx->locks_held ? ctx->lock_gen : 0;
}

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

/*
 * The texts of the errnos that libipto and the systems below it (the
 * kernel through netlink and sockets, libnl, libpcap) return, as glibc's C
 * locale words them. A table, not strerror(): no shared buffer, no locale,
 * no glibc-only call; anything else is "Unknown error".
 */
static const char *errno_text(int err)
{
	switch (err) {
	case EPERM:
		return "Operation not permitted";
	case ENOENT:
		return "No such file or directory";
	case ESRCH:
		return "No such process";
	case EINTR:
		return "Interrupted system call";
	case EIO:
		return "Input/output error";
	case ENXIO:
		return "No such device or address";
	case E2BIG:
		return "Argument list too long";
	case EBADF:
		return "Bad file descriptor";
	case EAGAIN:
		return "Resource temporarily unavailable";
	case ENOMEM:
		return "Cannot allocate memory";
	case EACCES:
		return "Permission denied";
	case EFAULT:
		return "Bad address";
	case EBUSY:
		return "Device or resource busy";
	case EEXIST:
		return "File exists";
	case EXDEV:
		return "Invalid cross-device link";
	case ENODEV:
		return "No such device";
	case ENOTDIR:
		return "Not a directory";
	case EISDIR:
		return "Is a directory";
	case EINVAL:
		return "Invalid argument";
	case ENFILE:
		return "Too many open files in system";
	case EMFILE:
		return "Too many open files";
	case ENOSPC:
		return "No space left on device";
	case EROFS:
		return "Read-only file system";
	case EPIPE:
		return "Broken pipe";
	case ERANGE:
		return "Numerical result out of range";
	case ENOSYS:
		return "Function not implemented";
#ifdef ENODATA
	case ENODATA:
		return "No data available";
#endif
#ifdef ETIME
	case ETIME:
		return "Timer expired";
#endif
#ifdef EPROTO
	case EPROTO:
		return "Protocol error";
#endif
	case EOVERFLOW:
		return "Value too large for defined data type";
#ifdef EBADFD
	case EBADFD:
		return "File descriptor in bad state";
#endif
	case EMSGSIZE:
		return "Message too long";
	case EPROTONOSUPPORT:
		return "Protocol not supported";
	case EOPNOTSUPP:
		return "Operation not supported";
	case EAFNOSUPPORT:
		return "Address family not supported by protocol";
	case EADDRINUSE:
		return "Address already in use";
	case EADDRNOTAVAIL:
		return "Cannot assign requested address";
	case ENETDOWN:
		return "Network is down";
	case ENETUNREACH:
		return "Network is unreachable";
	case ECONNRESET:
		return "Connection reset by peer";
	case ENOBUFS:
		return "No buffer space available";
	case ENOTCONN:
		return "Transport endpoint is not connected";
	case ETIMEDOUT:
		return "Connection timed out";
	case ECONNREFUSED:
		return "Connection refused";
	case EHOSTUNREACH:
		return "No route to host";
	case EALREADY:
		return "Operation already in progress";
	case EINPROGRESS:
		return "Operation now in progress";
#ifdef ESTALE
	case ESTALE:
		return "Stale file handle";
#endif
	case ECANCELED:
		return "Operation canceled";
	case ENOTSOCK:
		return "Socket operation on non-socket";
#ifdef ELIBACC
	case ELIBACC:
		return "Can not access a needed shared library";
#endif
	}
	return NULL;
}

IPTO_EXPORT const char *ipto_strerror(int err)
{
	const char *s;

	/* -INT_MIN does not exist: no errno is that large anyway */
	if (err == INT_MIN)
		return "Unknown error";
	if (err < 0)
		err = -err;
	if (err == 0)
		return "Success";
	s = errno_text(err);
	return s ? s : "Unknown error";
}

IPTO_EXPORT int ipto_ctx_new(struct ipto_ctx **ret)
{
	struct ipto_ctx *ctx;

	if (!ret)
		return -EINVAL;
	ctx = ipto_obj_alloc(ipto_ctx);
	if (!ctx)
		return -ENOMEM;
	ctx->log_fn = log_to_stderr;
	ctx->log_priority = IPTO_LOG_PRIORITY_ERROR;
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
	return ctx ? ctx->log_priority : IPTO_LOG_PRIORITY_ERROR;
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
