/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers shared by the library's source files. Not installed. */
#ifndef IPTO_PRIVATE_H
#define IPTO_PRIVATE_H

#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <ipto/ipto.h>

/* Marks a definition as part of the public ABI (see lib/libipto.sym). */
#define IPTO_EXPORT __attribute__((visibility("default")))

#define IPTO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void ipto_log_priv(struct ipto_ctx *ctx, enum ipto_log_priority priority,
		   const char *format, ...) IPTO_PRINTF_ATTR(3, 4);

/* True when messages of this priority would reach the handler. */
bool ipto_log_enabled(const struct ipto_ctx *ctx,
		      enum ipto_log_priority priority);

#define ipto_log_cond(ctx, prio, ...)                                     \
	do {                                                              \
		if (ipto_log_enabled((ctx), (prio)))                      \
			ipto_log_priv((ctx), (prio), __VA_ARGS__);        \
	} while (0)

#define log_err(ctx, ...) ipto_log_cond((ctx), IPTO_LOG_ERROR, __VA_ARGS__)
#define log_info(ctx, ...) ipto_log_cond((ctx), IPTO_LOG_INFO, __VA_ARGS__)
#define log_dbg(ctx, ...) ipto_log_cond((ctx), IPTO_LOG_DEBUG, __VA_ARGS__)

/*
 * Options structs: "opts" points to a caller struct whose first member is
 * size_t sz. ipto_opts_valid() accepts NULL, a struct no larger than ours,
 * or a larger one whose unknown tail is all zero.
 */
bool ipto_opts_valid_impl(const void *opts, size_t known_size);
#define ipto_opts_valid(opts, type) \
	ipto_opts_valid_impl((opts), sizeof(struct type))

/* True when the caller's struct is large enough to contain @field. */
#define ipto_opts_has(opts, type, field)                                  \
	((opts) != NULL &&                                                \
	 (opts)->sz >= offsetof(struct type, field) + sizeof((opts)->field))

/* The caller's @field, or @fallback when opts is NULL or too short. */
#define ipto_opts_get(opts, type, field, fallback)                        \
	(ipto_opts_has(opts, type, field) ? (opts)->field : (fallback))

/* Address helpers used across the library. */
size_t ipto_addr_len(const struct ipto_addr *addr); /* 4, 16 or 0 */
bool ipto_addr_valid(const struct ipto_addr *addr); /* family + prefix sane */

#endif /* IPTO_PRIVATE_H */
