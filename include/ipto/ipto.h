/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto - network-address takeover for duplex (active/standby) clusters.
 *
 * This is the one header a program includes: <ipto/ipto.h>. It declares the
 * context, error and value API and pulls in the frame, pool/plan, backend and
 * takeover headers.
 *
 * "The patent" in these headers is Japanese patent application publication
 * JP 2001-144806 A (PFU Ltd., published 2001-05-25), "Network address
 * takeover method for duplex system, duplex system having network address
 * takeover function and recording medium", whose method libipto implements.
 *
 * Conventions (all public functions):
 * - A function that can fail returns 0 (or a count / a length) on success and
 *   a negative errno on failure. The set of errno values a function may
 *   return is not closed; callers should treat any negative value as failure
 *   and may pass it to ipto_strerror().
 * - Every pointer argument is checked; a NULL where an object is required
 *   gives -EINVAL. The library never aborts, never exits and never prints
 *   except through the context's log function.
 * - Constructors take a "struct ipto_x **ret" last and leave *ret untouched
 *   on failure. A reference-counted object is made by ipto_x_new() or
 *   ipto_x_new_VARIANT() (ipto_binder_new_netlink(), ipto_plan_new_takeover(),
 *   ipto_plan_new_release(), ipto_plan_new_moves(), ipto_status_new()); a
 *   closed handle by the verb its pair undoes (ipto_injector_open() /
 *   ipto_injector_close(), ipto_lock_acquire() / ipto_lock_release(),
 *   ipto_pcap_writer_new() / ipto_pcap_writer_close()).
 * - Options structs (and ops tables) begin with "size_t sz", set by the
 *   caller to sizeof(struct ...). Declare them with IPTO_OPTS(), which zeroes
 *   the whole struct, padding included, or memset() them to zero first. The
 *   library reads only the fields that sz covers, so old callers keep working
 *   when fields are added; every byte that sz covers past the end of the
 *   last field this library knows must be zero, else -EINVAL (logged): a
 *   newer caller asking for something this version cannot do.
 * - Sized output structs (struct ipto_adapter_info, ipto_frame_info,
 *   ipto_plan_step, ipto_takeover_report) also begin with "size_t sz", set
 *   by the caller. The library writes the fields both sides know, zeroes
 *   the caller's bytes beyond the end of its own struct, and leaves sz as
 *   the caller set it; a field the caller's sz does not cover is not written.
 * - Reference counted handles: struct ipto_ctx, ipto_pool, ipto_plan,
 *   ipto_binder, ipto_injector, ipto_takeover and ipto_status. Each has ipto_x_ref(),
 *   which passes NULL through, and ipto_x_unref(), which accepts NULL and
 *   always returns NULL; the last reference frees the object. An object
 *   holds a reference to each object it was made from (its context, the
 *   plan's pool, the takeover's plan, binder and injector).
 * - Closed handles, owned by one caller and not reference counted:
 *   struct ipto_injector_adapter (ipto_injector_close()), struct
 *   ipto_pcap_writer (ipto_pcap_writer_close()) and struct ipto_lock
 *   (ipto_lock_release()). Close each exactly once; close accepts NULL. An
 *   open adapter holds a reference to its injector.
 * - Vocabulary: an "adapter" is a network interface as libipto sees it,
 *   everywhere: in the pool and plan, the binder (struct ipto_adapter_info,
 *   ipto_binder_adapter_get()), the injector (struct ipto_injector_adapter,
 *   an adapter opened for sending) and the takeover report. "Link" appears
 *   only where the kernel's own object is meant: the netlink binder's
 *   rtnl_link (RTM_GETLINK), link-local addresses, the pcap link type.
 *   Interface names are "ifname", 1..15 characters.
 * - Names: the values of enum ipto_x are IPTO_X_* (IPTO_REPORT_OUTCOME_DONE
 *   of enum ipto_report_outcome, IPTO_LOG_PRIORITY_ERROR of enum
 *   ipto_log_priority); the flags of enum ipto_x_flags are IPTO_X_*
 *   (IPTO_TAKEOVER_DAD, IPTO_FRAME_ROUTER). Each enum has ipto_x_name().
 * - Since: every declaration below first appeared in libipto 1.0 (symbol
 *   version IPTO_1.0) unless its comment says otherwise. The ABI promise
 *   covers the headers this one includes; <ipto/ipto-dryrun.h> (symbol
 *   version IPTO_DRYRUN_1.0, test backends) is outside it.
 *
 * The documents these headers name (frames.md, planning.md, ...) are
 * installed with libipto's documentation, in <datadir>/doc/libipto (e.g.
 * /usr/share/doc/libipto/frames.md); libipto(3) is the overview.
 */
#ifndef IPTO_IPTO_H
#define IPTO_IPTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h> /* memset(), for IPTO_OPTS() */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define IPTO_PRINTF_ATTR(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define IPTO_PRINTF_ATTR(fmt, args)
#endif

/**
 * IPTO_OPTS - declare (at block scope) an options struct "struct TYPE NAME",
 * zeroed whole (padding included, as the library checks every byte past the
 * fields it knows), with sz set and the given designated initialisers:
 *
 *	IPTO_OPTS(ipto_frame_opts, o, .flags = IPTO_FRAME_ROUTER);
 *	IPTO_OPTS(ipto_plan_opts, p);	(all defaults)
 *
 * Compiles warning-free with -Wall -Wextra -pedantic in C99 and later and in
 * C++11 and later; designated initialisers before C++20 are a GNU extension
 * that the macro's own diagnostic pragmas keep quiet, so from C++ either
 * pass them or set the fields afterwards (o.flags = ...).
 */
#define IPTO_OPTS(TYPE, ...) \
	IPTO_OPTS_(TYPE, IPTO_OPTS_NAME_(__VA_ARGS__, ), \
		   IPTO_OPTS_INIT_(__VA_ARGS__, ))
/* Helpers of IPTO_OPTS(): the first argument, and the rest (each call
 * gets one extra empty argument so that none is ever missing). */
#define IPTO_OPTS_NAME_(NAME, ...) NAME
#define IPTO_OPTS_INIT_(NAME, ...) __VA_ARGS__
#ifdef __cplusplus
#define IPTO_OPTS_(TYPE, NAME, INIT)                                      \
	_Pragma("GCC diagnostic push")                                    \
	_Pragma("GCC diagnostic ignored \"-Wpragmas\"")                   \
	_Pragma("GCC diagnostic ignored \"-Wunknown-warning-option\"")    \
	_Pragma("GCC diagnostic ignored \"-Wpedantic\"")                  \
	_Pragma("GCC diagnostic ignored \"-Wc++20-extensions\"")          \
	_Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"") \
	struct TYPE NAME = (::memset(&NAME, 0, sizeof(struct TYPE)),      \
			    (struct TYPE){ .sz = sizeof(struct TYPE), INIT }); \
	_Pragma("GCC diagnostic pop")
#else
#define IPTO_OPTS_(TYPE, NAME, INIT)                                      \
	struct TYPE NAME = (memset(&NAME, 0, sizeof(struct TYPE)),        \
			    (struct TYPE){ .sz = sizeof(struct TYPE), INIT })
#endif

/* ------------------------------------------------------------------ */
/* Version and errors                                                  */
/* ------------------------------------------------------------------ */

/**
 * ipto_version - the library's version, e.g. "1.0.0".
 *
 * Returns: a static string owned by the library.
 */
const char *ipto_version(void);

/**
 * ipto_strerror - describe an error code.
 * @err: a negative errno as returned by a libipto function (a positive
 *       errno is accepted too).
 *
 * The texts come from the library's own table of the errnos that it and
 * the systems below it return, worded as the C library does in the C
 * locale; any other value, INT_MIN included, is "Unknown error".
 * Thread-safe: it never uses a shared buffer.
 *
 * Returns: a static string owned by the library, never NULL.
 */
const char *ipto_strerror(int err);

/* ------------------------------------------------------------------ */
/* Context                                                             */
/* ------------------------------------------------------------------ */

/**
 * struct ipto_ctx - the library context: logging and user data.
 *
 * Every other object is created from a context and holds a reference to it.
 * A context and the objects made from it must be used from one thread at a
 * time; different contexts are independent.
 */
struct ipto_ctx;

/** enum ipto_log_priority - log message priorities, most severe first. */
enum ipto_log_priority {
	IPTO_LOG_PRIORITY_ERROR = 10,
	IPTO_LOG_PRIORITY_INFO = 20,
	IPTO_LOG_PRIORITY_DEBUG = 30,
};

/**
 * ipto_log_priority_name - a short stable name for @v, one of enum ipto_log_priority ("error", "info", "debug").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * one of its values.
 */
const char *ipto_log_priority_name(enum ipto_log_priority v);

/**
 * ipto_log_fn - a log handler.
 * @ctx: the context that logs.
 * @priority: the message priority.
 * @userdata: the pointer given to ipto_ctx_set_log_fn().
 * @format: a printf format; the message ends in a newline.
 * @args: its arguments.
 */
typedef void (*ipto_log_fn)(struct ipto_ctx *ctx,
			    enum ipto_log_priority priority, void *userdata,
			    const char *format, va_list args)
	IPTO_PRINTF_ATTR(4, 0);

/**
 * ipto_ctx_new - create a context.
 * @ret: on success, the new context with one reference.
 *
 * The new context logs messages of priority IPTO_LOG_PRIORITY_ERROR to stderr,
 * prefixed with "libipto: ", until ipto_ctx_set_log_fn() changes that.
 *
 * Returns: 0, or a negative errno (-ENOMEM, -EINVAL).
 */
int ipto_ctx_new(struct ipto_ctx **ret);

/** ipto_ctx_ref - take a reference. Returns: @ctx. */
struct ipto_ctx *ipto_ctx_ref(struct ipto_ctx *ctx);

/**
 * ipto_ctx_unref - drop a reference; the last one frees the context.
 * @ctx: the context, or NULL.
 *
 * Returns: NULL.
 */
struct ipto_ctx *ipto_ctx_unref(struct ipto_ctx *ctx);

/**
 * ipto_ctx_set_log_fn - route the context's messages.
 * @ctx: the context.
 * @fn: the handler, or NULL to discard every message.
 * @priority: the least severe priority passed to @fn; messages of a higher
 *            value (less severe) are not even formatted.
 * @userdata: passed to @fn unchanged.
 */
void ipto_ctx_set_log_fn(struct ipto_ctx *ctx, ipto_log_fn fn,
			 enum ipto_log_priority priority, void *userdata);

/** ipto_ctx_get_log_priority - the priority set by ipto_ctx_set_log_fn(). */
enum ipto_log_priority ipto_ctx_get_log_priority(const struct ipto_ctx *ctx);

/** ipto_ctx_set_user_data - attach a caller pointer to @ctx. */
void ipto_ctx_set_user_data(struct ipto_ctx *ctx, void *user_data);

/** ipto_ctx_get_user_data - the pointer set by ipto_ctx_set_user_data(). */
void *ipto_ctx_get_user_data(const struct ipto_ctx *ctx);

/* ------------------------------------------------------------------ */
/* Values: IP addresses with prefix, MAC addresses                     */
/* ------------------------------------------------------------------ */

/** IPTO_PREFIX_UNKNOWN - prefix length of an address given without one. */
#define IPTO_PREFIX_UNKNOWN (-1)

/** IPTO_ADDR_STRLEN - buffer size that holds any formatted address. */
#define IPTO_ADDR_STRLEN 50

/**
 * struct ipto_addr - an IPv4 or IPv6 address with an optional prefix length.
 * @family: AF_INET or AF_INET6.
 * @prefixlen: 0..32 (IPv4) or 0..128 (IPv6), or IPTO_PREFIX_UNKNOWN.
 * @bytes: the address in network byte order; IPv4 uses bytes[0..3] and
 *         the rest must be zero.
 *
 * A plain value: copy it freely. Its layout is part of the ABI. Every call
 * that takes one and can fail refuses an invalid one with -EINVAL: an
 * unknown family, a prefix length out of range, or an IPv4 address with a
 * non-zero byte in bytes[4..15]. ipto_addr_parse() always zeroes them.
 */
struct ipto_addr {
	int family;
	int prefixlen;
	uint8_t bytes[16];
};

/**
 * enum ipto_addr_class - bits returned by ipto_addr_classify().
 * @IPTO_ADDR_CLASS_UNICAST: usable as a host's own address: not multicast, not
 *	a broadcast address, not unspecified, not in 240.0.0.0/4.
 * @IPTO_ADDR_CLASS_MULTICAST: 224.0.0.0/4 or ff00::/8.
 * @IPTO_ADDR_CLASS_BROADCAST: 255.255.255.255, or the subnet broadcast address of
 *	its own prefix (prefix 0..30 only).
 * @IPTO_ADDR_CLASS_UNSPECIFIED: 0.0.0.0 or ::.
 * @IPTO_ADDR_CLASS_LOOPBACK: 127.0.0.0/8 or ::1.
 * @IPTO_ADDR_CLASS_LINK_LOCAL: 169.254.0.0/16 or fe80::/10.
 * @IPTO_ADDR_CLASS_NETWORK: the host part is all zero (IPv4 prefix 0..30 only).
 */
enum ipto_addr_class {
	IPTO_ADDR_CLASS_UNICAST = 1 << 0,
	IPTO_ADDR_CLASS_MULTICAST = 1 << 1,
	IPTO_ADDR_CLASS_BROADCAST = 1 << 2,
	IPTO_ADDR_CLASS_UNSPECIFIED = 1 << 3,
	IPTO_ADDR_CLASS_LOOPBACK = 1 << 4,
	IPTO_ADDR_CLASS_LINK_LOCAL = 1 << 5,
	IPTO_ADDR_CLASS_NETWORK = 1 << 6,
};

/**
 * ipto_addr_class_name - a short stable name for @v, one of enum ipto_addr_class (a single flag: "unicast", "link_local", ...).
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_addr_class_name(enum ipto_addr_class v);

/**
 * ipto_addr_parse - parse "192.0.2.1", "192.0.2.1/24", "2001:db8::1/64".
 * @str: the text; nothing may follow the address or prefix.
 * @out: written only on success.
 *
 * Dotted-quad IPv4 only (no octal, hex or short forms); the prefix is
 * decimal without sign or leading zeros.
 *
 * Returns: 0, or -EINVAL for a NULL argument or a malformed string.
 */
int ipto_addr_parse(const char *str, struct ipto_addr *out);

/**
 * ipto_addr_format - write @addr as text, with "/prefix" when known.
 * @addr: the address.
 * @buf: the output buffer; IPTO_ADDR_STRLEN bytes always suffice.
 * @size: its size.
 *
 * Returns: the length written (without the NUL), -ENOBUFS when @size is too
 * small (nothing written), or -EINVAL for an invalid @addr.
 */
int ipto_addr_format(const struct ipto_addr *addr, char *buf, size_t size);

/**
 * ipto_addr_classify - classify an address.
 *
 * Returns: a mask of enum ipto_addr_class bits, or -EINVAL.
 */
int ipto_addr_classify(const struct ipto_addr *addr);

/**
 * ipto_addr_equal - whether two addresses are the same address (family and
 * bytes; the prefix length is ignored). NULL equals nothing.
 *
 * For any two non-NULL addresses it agrees with ipto_addr_compare(): they
 * are equal exactly when ipto_addr_compare() returns 0 for them with the
 * same prefix length.
 */
bool ipto_addr_equal(const struct ipto_addr *a, const struct ipto_addr *b);

/**
 * ipto_addr_compare - a total order on addresses (family, then bytes, then
 * prefix length), like strcmp(). NULL sorts first.
 */
int ipto_addr_compare(const struct ipto_addr *a, const struct ipto_addr *b);

/**
 * ipto_addr_subnet_broadcast - the IPv4 subnet broadcast address of @addr.
 * @addr: an IPv4 address with a prefix length of 0..30.
 * @out: the broadcast address, with @addr's prefix length.
 *
 * Returns: 0; -ENOENT when the subnet has no broadcast address (prefix 31
 * or 32, RFC 3021) or the prefix is unknown; -EAFNOSUPPORT for IPv6;
 * -EINVAL for bad arguments.
 */
int ipto_addr_subnet_broadcast(const struct ipto_addr *addr,
			       struct ipto_addr *out);

/** IPTO_MAC_STRLEN - buffer size that holds a formatted MAC address. */
#define IPTO_MAC_STRLEN 18

/** struct ipto_mac - a 48-bit Ethernet MAC address, a plain value. */
struct ipto_mac {
	uint8_t bytes[6];
};

/**
 * enum ipto_mac_class - bits returned by ipto_mac_classify().
 * @IPTO_MAC_CLASS_UNICAST: the group bit is clear and the address is not zero.
 * @IPTO_MAC_CLASS_MULTICAST: the group bit is set (broadcast included).
 * @IPTO_MAC_CLASS_BROADCAST: ff:ff:ff:ff:ff:ff.
 * @IPTO_MAC_CLASS_ZERO: 00:00:00:00:00:00.
 * @IPTO_MAC_CLASS_LOCAL: the locally-administered bit is set.
 */
enum ipto_mac_class {
	IPTO_MAC_CLASS_UNICAST = 1 << 0,
	IPTO_MAC_CLASS_MULTICAST = 1 << 1,
	IPTO_MAC_CLASS_BROADCAST = 1 << 2,
	IPTO_MAC_CLASS_ZERO = 1 << 3,
	IPTO_MAC_CLASS_LOCAL = 1 << 4,
};

/**
 * ipto_mac_class_name - a short stable name for @v, one of enum ipto_mac_class (a single flag: "unicast", "zero", ...).
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_mac_class_name(enum ipto_mac_class v);

/**
 * ipto_mac_parse - parse "02:00:5e:00:53:01" (or with '-' separators, the
 * same separator throughout; hex digits in either case, two per octet).
 * @str: the text.
 * @out: written only on success.
 *
 * Returns: 0, or -EINVAL.
 */
int ipto_mac_parse(const char *str, struct ipto_mac *out);

/**
 * ipto_mac_format - write @mac as "xx:xx:xx:xx:xx:xx" in lower case.
 *
 * Returns: 17, -ENOBUFS when @size < IPTO_MAC_STRLEN (nothing written), or
 * -EINVAL.
 */
int ipto_mac_format(const struct ipto_mac *mac, char *buf, size_t size);

/** ipto_mac_classify - Returns: a mask of enum ipto_mac_class bits, or -EINVAL. */
int ipto_mac_classify(const struct ipto_mac *mac);

/** ipto_mac_equal - whether two MAC addresses are equal; NULL equals nothing. */
bool ipto_mac_equal(const struct ipto_mac *a, const struct ipto_mac *b);

/** enum ipto_format - output formats of ipto_plan_format() and ipto_status_format(). */
enum ipto_format {
	IPTO_FORMAT_TEXT = 0,
	IPTO_FORMAT_JSON = 1,
};

/* The opaque objects of the other headers, declared once here so that each
 * header compiles whichever of them a program includes first. */
struct ipto_pool;
struct ipto_plan;
struct ipto_binder;
struct ipto_injector;
struct ipto_injector_adapter;
struct ipto_pcap_writer;
struct ipto_takeover;
struct ipto_watch;

#ifdef __cplusplus
}
#endif

#include <ipto/ipto-frame.h>
#include <ipto/ipto-pool.h>
#include <ipto/ipto-backend.h>
#include <ipto/ipto-takeover.h>
#include <ipto/ipto-watch.h>
#include <ipto/ipto-neigh.h>

#endif /* IPTO_IPTO_H */
