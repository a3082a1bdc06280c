/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers shared by the library's source files. Not installed. */
#ifndef IPTO_PRIVATE_H
#define IPTO_PRIVATE_H

#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
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

/*
 * Each failure is logged as an ERROR once, by the layer that knows why:
 * - a function that rejects its arguments says which and why;
 * - a built-in backend logs what failed below it (the kernel's answer,
 *   libnl's, libpcap's, a missing capability, a dry run's armed fault),
 *   except answers it cannot judge (no such link, an address already there
 *   or already gone), which it logs at debug or info;
 * - the generic binder and injector log a backend's failure at debug, with
 *   one exception: a failed injector send is logged there, as the packet
 *   backend keeps its send path silent;
 * - the takeover logs at debug what came up from a backend, and as an
 *   ERROR what it judges itself (a link of the plan missing, a wrong MAC).
 * A backend from a caller's ops table reports through its errno only.
 */
#define log_err(ctx, ...) ipto_log_cond((ctx), IPTO_LOG_PRIORITY_ERROR, __VA_ARGS__)
#define log_info(ctx, ...) ipto_log_cond((ctx), IPTO_LOG_PRIORITY_INFO, __VA_ARGS__)
#define log_dbg(ctx, ...) ipto_log_cond((ctx), IPTO_LOG_PRIORITY_DEBUG, __VA_ARGS__)

/*
 * Reference counting, one way for every object: the struct has an
 * "int refcount", set to 1 by its allocation (ipto_obj_alloc()), and a
 * "static void free_fn(struct name *)" that releases it. This defines the
 * exported name_ref() (NULL passes through) and name_unref() (NULL
 * accepted; the last reference calls free_fn; always returns NULL).
 * Written without a trailing semicolon: IPTO_DEFINE_REF_UNREF(ipto_pool, pool_free)
 */
#define IPTO_DEFINE_REF_UNREF(name, free_fn)                              \
	IPTO_EXPORT struct name *name##_ref(struct name *p)               \
	{                                                                 \
		if (p)                                                    \
			p->refcount++;                                    \
		return p;                                                 \
	}                                                                 \
	IPTO_EXPORT struct name *name##_unref(struct name *p)             \
	{                                                                 \
		if (p && --p->refcount == 0)                              \
			free_fn(p);                                       \
		return NULL;                                              \
	}

/*
 * The allocation of every reference-counted object: a zeroed struct @type
 * holding its one reference (refcount 1), or NULL. Used with
 * IPTO_DEFINE_REF_UNREF().
 */
#define ipto_obj_alloc(type)                                              \
	((struct type *)ipto_obj_alloc_sz(sizeof(struct type),            \
					  offsetof(struct type, refcount)))
static inline void *ipto_obj_alloc_sz(size_t sz, size_t refcount_off)
{
	char *p = calloc(1, sz);
	int one = 1;

	if (p)
		memcpy(p + refcount_off, &one, sizeof(one));
	return p;
}

/* free() each argument (NULL ones too): the arrays an object owns, in
 * one statement of its destructor. */
#define ipto_free_all(...)                                                \
	ipto_free_n((void *[]){ __VA_ARGS__ },                            \
		    sizeof((void *[]){ __VA_ARGS__ }) / sizeof(void *))
static inline void ipto_free_n(void *const *ptrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ptrs[i]);
}

/* The end of @field in struct @type: the size a caller's struct must
 * reach to contain it. */
#define ipto_offsetofend(type, field)                                     \
	(offsetof(struct type, field) + sizeof(((struct type *)0)->field))

/*
 * Options structs (and ops tables): "opts" points to a caller struct whose
 * first member is size_t sz. One rule for all of them: NULL is valid (all
 * defaults); sz must cover sz itself; the library knows the fields up to
 * the end of @last, and any bytes the caller's sz covers beyond that must
 * be zero (a newer caller asking for something this library cannot do).
 * Otherwise -EINVAL, logged as an error naming @who.
 */
int ipto_opts_check(struct ipto_ctx *ctx, const char *who, const void *opts,
		    size_t known_end);
#define ipto_opts_valid(ctx, who, opts, type, last)                       \
	ipto_opts_check((ctx), (who), (opts), ipto_offsetofend(type, last))

/* ipto_opts_valid() for options a call cannot do without: NULL is -EINVAL
 * as well, logged as "<who>: options are required (@what)". */
#define ipto_opts_required(ctx, who, opts, type, last, what)              \
	ipto_opts_check_required((ctx), (who), (opts),                    \
				 ipto_offsetofend(type, last), (what))
int ipto_opts_check_required(struct ipto_ctx *ctx, const char *who,
			     const void *opts, size_t known_end,
			     const char *what);

/* True when the caller's struct is large enough to contain @field. */
#define ipto_opts_has(opts, type, field)                                  \
	((opts) != NULL &&                                                \
	 (opts)->sz >= offsetof(struct type, field) + sizeof((opts)->field))

/* The caller's @field, or @fallback when opts is NULL or too short. */
#define ipto_opts_get(opts, type, field, fallback)                        \
	(ipto_opts_has(opts, type, field) ? (opts)->field : (fallback))

/*
 * Copy a caller's ops table into @out of @our_sz bytes (its sz set to
 * ours): members past the caller's sz stay NULL. The table is checked by
 * the options rule (ipto_opts_check(), every member known up to @our_sz)
 * and its sz must be whole members; -EINVAL otherwise, logged.
 */
int ipto_ops_copy(struct ipto_ctx *ctx, const char *who, void *out,
		  size_t our_sz, const void *ops);

/*
 * Sized output structs (first member size_t sz, set by the caller): one
 * rule for copying out. @ours is the library's complete struct of @our_sz
 * bytes. The bytes both sides know (after sz, up to the shorter of the two)
 * are copied; a caller's tail beyond @our_sz is zeroed; the caller's sz is
 * left as the caller set it. The caller checks first that out->sz covers
 * at least sz (and whatever else it requires).
 */
void ipto_sized_copy_out(void *out, const void *ours, size_t our_sz);

/*
 * An output array of @max sized structs of @stride bytes each at @out, as
 * the list calls take it: true when @out is set (or @max is 0) and each
 * element's sz covers at least sz itself.
 */
bool ipto_sized_array_ok(const void *out, size_t stride, size_t max);

/* The caller's sz of a sized struct at @p (read without aliasing games). */
static inline size_t ipto_sized_get_sz(const void *p)
{
	size_t sz;

	memcpy(&sz, p, sizeof(sz));
	return sz;
}

/*
 * Arrays that grow: make *@arr (of elements of @elem bytes, @cap of them
 * allocated) hold at least @need elements, doubling from 4. 0, or -ENOMEM
 * with *arr and *cap unchanged. The one growth idiom of the library.
 */
int ipto_grow(void **arr, size_t *cap, size_t need, size_t elem);

/*
 * The host lock (ipto_lock_acquire()) held through @ctx: lock.c counts it;
 * ipto_ctx_lock_generation() is 0 while none is held, else a number that
 * changes with every acquisition (a binder tidies its record once per
 * lock, see binder-netlink-record.c).
 */
void ipto_ctx_lock_taken(struct ipto_ctx *ctx);
void ipto_ctx_lock_dropped(struct ipto_ctx *ctx);
unsigned long ipto_ctx_lock_generation(const struct ipto_ctx *ctx);

/* What a constructor of a part libipto was built without returns:
 * -EOPNOTSUPP, logged as "<who>: libipto was built without <lib>". */
int ipto_not_built(struct ipto_ctx *ctx, const char *who, const char *lib);

/* Address helpers used across the library. */
size_t ipto_addr_len(const struct ipto_addr *addr); /* 4, 16 or 0 */
bool ipto_addr_valid(const struct ipto_addr *addr); /* family + prefix sane */

/* The longest interface name (IFNAMSIZ - 1). */
#define IPTO_IFNAME_MAX 15

/* The one interface-name rule (ifname.c): 1..IPTO_IFNAME_MAX bytes, not "."
 * or "..", no '/', ':', blanks or control characters. */
bool ipto_ifname_valid(const char *name);

/* 0 when @ifname is a valid interface name, else -EINVAL (logged as an
 * error naming @who). */
int ipto_ifname_check(struct ipto_ctx *ctx, const char *who,
		      const char *ifname);

/*
 * The one announce-target rule (frame.c): where an announcement for @ip is
 * addressed. IPv4: its subnet broadcast address, or 255.255.255.255 for a
 * /31, /32 or unknown prefix (the target IP of IPTO_FRAME_STYLE_ARP_BCAST_TARGET);
 * IPv6: ff02::1, all nodes (the destination of IPTO_FRAME_STYLE_NA). The prefix
 * of @out is IPTO_PREFIX_UNKNOWN.
 */
void ipto_announce_target(const struct ipto_addr *ip, struct ipto_addr *out);

/*
 * The crash-point test hook (crash.c, doc/record.md): called just
 * before each change the library makes to the system. With
 * IPTO_TEST_CRASH_AT=K the process SIGKILLs itself before step K; with
 * IPTO_TEST_CRASH_COUNT=1 each step is logged to stderr. Otherwise a
 * no-op. Not part of the ABI.
 */
void ipto_crash_point(const char *what, const char *detail);

#endif /* IPTO_PRIVATE_H */
