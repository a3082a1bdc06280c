/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to the backend sources (binder.c, injector.c, binder-*.c,
 * injector-*.c). */
#ifndef IPTO_BACKEND_PRIVATE_H
#define IPTO_BACKEND_PRIVATE_H

#include "ipto-private.h"

#include <sys/socket.h> /* AF_INET6 */

struct ipto_binder_builtin;
struct ipto_injector_builtin;

struct ipto_binder {
	int refcount;
	struct ipto_ctx *ctx;
	struct ipto_binder_ops ops; /* the caller's table, NULL-padded */
	/* a built-in binder's kind and fast operations; NULL for a
	 * caller's binder (ipto_binder_new()) */
	const struct ipto_binder_builtin *builtin;
	void *userdata;
};

struct ipto_injector {
	int refcount;
	struct ipto_ctx *ctx;
	struct ipto_injector_ops ops;
	/* as in struct ipto_binder */
	const struct ipto_injector_builtin *builtin;
	void *userdata;
};

struct ipto_injector_adapter {
	struct ipto_injector *injector;
	void *handle;
	char ifname[IPTO_IFNAME_MAX + 1];
};

/* Which built-in backend an object is. */
enum ipto_backend_kind {
	IPTO_BACKEND_NETLINK = 1,
	IPTO_BACKEND_PACKET,
	IPTO_BACKEND_DRYRUN,
};

/* One IPv4 setting of one link, for the fast devconf_set_batch. */
struct ipto_devconf_req {
	int ifindex;
	const char *ifname; /* for messages */
	enum ipto_devconf key;
	int value;
};

/* A subscription to removed addresses (ipto_binder_addr_watch_open()). */
struct ipto_addr_watch;

/* Room for one link's alias, its NUL included. */
#define IPTO_LINK_ALIAS_MAX 256

/*
 * What a built-in binder carries beside its public ops table: which
 * backend it is, and the fast operations it has (NULL: it has not; the
 * engine then takes the public ops one by one, as for a caller's binder).
 * Private: a caller's binder has none. Reached through ipto_binder_fast()
 * and the ipto_binder_addr_watch_*() wrappers below.
 * - addr_del_batch: addr_del for @n addresses in one go (the netlink
 *   binder pipelines them, one sendmsg for up to 256 requests, each its
 *   own ACK): @results[i] is 0 or the negative errno of request i
 *   (-EADDRNOTAVAIL: it was not there). Returns 0, or a negative errno of
 *   the socket (then the requests without an answer failed with it).
 * - devconf_set_batch: devconf_set for @n settings in one go, as
 *   addr_del_batch.
 * - link_dump_aliases: the link dump with each link's IFLA_IFALIAS (""
 *   when none) in @aliases[i], in one request: the count, or a negative
 *   errno.
 * - addr_watch_open, _read, _close: see ipto_binder_addr_watch_open().
 */
struct ipto_binder_builtin {
	enum ipto_backend_kind kind;
	int (*addr_del_batch)(struct ipto_binder *b,
			      const struct ipto_addr_req *reqs, size_t n,
			      int *results);
	int (*devconf_set_batch)(struct ipto_binder *b,
				 const struct ipto_devconf_req *reqs,
				 size_t n, int *results);
	int (*link_dump_aliases)(struct ipto_binder *b,
				 struct ipto_adapter_entry *out,
				 char (*aliases)[IPTO_LINK_ALIAS_MAX], size_t max);
	int (*addr_watch_open)(struct ipto_binder *b,
			       struct ipto_addr_watch **ret);
	int (*addr_watch_read)(struct ipto_addr_watch *w,
			       void (*gone)(void *data, int ifindex,
					    const struct ipto_addr *addr),
			       void *data);
	void (*addr_watch_close)(struct ipto_addr_watch *w);
};

/* The fast operation @op of binder @b (a member of struct
 * ipto_binder_builtin), or NULL when @b has none: then the caller takes
 * the public ops. */
#define ipto_binder_fast(b, op) \
	((b) != NULL && (b)->builtin != NULL ? (b)->builtin->op : NULL)

/*
 * What a built-in injector carries beside its public ops table (as for
 * the binder): send_multi() sends frame i on @ports[i] (ports of @inj,
 * arguments checked by ipto_injector_send_multi()) in one go, and
 * returns as ops.send_batch.
 */
struct ipto_injector_builtin {
	enum ipto_backend_kind kind;
	int (*send_multi)(struct ipto_injector *inj,
			  struct ipto_injector_adapter *const *ports,
			  const struct iovec *frames, size_t n);
};

/* Whether @o (a binder or an injector, or NULL) is the built-in backend
 * @k. */
#define ipto_backend_is(o, k) ((o) != NULL && (o)->builtin != NULL && \
			       (o)->builtin->kind == (k))

/*
 * The generic wrapper object around a caller's ops table, one way for the
 * binder and the injector: defines the exported name_new() (checks and
 * copies the table, takes a context reference), name_ref()/name_unref()
 * (the last reference calls the table's destroy(object) and drops the
 * context), name_get_ctx() and name_get_userdata(), and the internal
 * name_new_builtin() below. Written without a trailing semicolon.
 */
#define IPTO_DEFINE_BACKEND(name, who)                                    \
	IPTO_EXPORT int name##_new(struct ipto_ctx *ctx,                  \
				   const struct name##_ops *ops,          \
				   void *userdata, struct name **ret)     \
	{                                                                 \
		struct name##_ops copy;                                   \
		struct name *o;                                           \
		int r;                                                    \
									  \
		if (!ctx || !ret)                                         \
			return -EINVAL;                                   \
		r = ipto_ops_copy(ctx, who, &copy, sizeof(copy), ops);    \
		if (r < 0)                                                \
			return r;                                         \
		o = ipto_obj_alloc(name);                                 \
		if (!o)                                                   \
			return -ENOMEM;                                   \
		o->ctx = ipto_ctx_ref(ctx);                               \
		o->ops = copy;                                            \
		o->userdata = userdata;                                   \
		*ret = o;                                                 \
		return 0;                                                 \
	}                                                                 \
	static void name##_free(struct name *o)                           \
	{                                                                 \
		if (o->ops.destroy)                                       \
			o->ops.destroy(o);                                \
		ipto_ctx_unref(o->ctx);                                   \
		free(o);                                                  \
	}                                                                 \
	IPTO_DEFINE_REF_UNREF(name, name##_free)                          \
	IPTO_EXPORT struct ipto_ctx *name##_get_ctx(const struct name *o) \
	{                                                                 \
		return o ? o->ctx : NULL;                                 \
	}                                                                 \
	IPTO_EXPORT void *name##_get_userdata(const struct name *o)       \
	{                                                                 \
		return o ? o->userdata : NULL;                            \
	}                                                                 \
	int name##_new_builtin(struct ipto_ctx *ctx,                      \
			       const struct name##_ops *ops,              \
			       size_t state_sz,                           \
			       int (*init)(struct ipto_ctx *, void *),    \
			       void (*fini)(void *),                      \
			       const struct name##_builtin *builtin,      \
			       struct name **ret)                         \
	{                                                                 \
		void *state;                                              \
		int r;                                                    \
									  \
		if (!ctx || !ret)                                         \
			return -EINVAL;                                   \
		state = calloc(1, state_sz);                              \
		if (!state)                                               \
			return -ENOMEM;                                   \
		r = init ? init(ctx, state) : 0;                          \
		if (r == 0) {                                             \
			r = name##_new(ctx, ops, state, ret);             \
			if (r < 0 && fini)                                \
				fini(state);                              \
		}                                                         \
		if (r == 0)                                               \
			(*ret)->builtin = builtin;                        \
		if (r < 0)                                                \
			free(state);                                      \
		return r;                                                 \
	}

/* The destroy op @fn of a built-in backend made by name_new_builtin():
 * @fini (the state's whole teardown, also the constructor's undo), then
 * the state itself is freed. */
#define IPTO_DEFINE_BUILTIN_DESTROY(name, fn, fini)                       \
	static void fn(struct name *o)                                    \
	{                                                                 \
		void *state = name##_get_userdata(o);                     \
									  \
		fini(state);                                              \
		free(state);                                              \
	}

/* A built-in backend's constructor @fn when libipto was built without
 * @lib: -EOPNOTSUPP, logged by ipto_not_built() naming @who. */
#define IPTO_DEFINE_NOT_BUILT(name, fn, who, lib)                         \
	IPTO_EXPORT int fn(struct ipto_ctx *ctx, struct name **ret)       \
	{                                                                 \
		return ctx && ret ? ipto_not_built(ctx, who, lib)         \
				  : -EINVAL;                              \
	}

/*
 * The constructor of a built-in backend (netlink, packet, dry runs), one
 * way for all: checks @ctx and @ret, allocates @state_sz zeroed bytes of
 * the backend's state, runs @init on them (NULL: nothing to do; on failure
 * it undoes its own work and returns a negative errno) and wraps the state,
 * as userdata, in a new object with @ops (whose destroy releases it from
 * then on) and @builtin (the backend's kind and fast operations). On
 * failure *@ret is untouched and the state is gone: @fini (NULL: nothing
 * to undo) undoes a successful @init, then it is freed.
 */
int ipto_binder_new_builtin(struct ipto_ctx *ctx,
			    const struct ipto_binder_ops *ops, size_t state_sz,
			    int (*init)(struct ipto_ctx *ctx, void *state),
			    void (*fini)(void *state),
			    const struct ipto_binder_builtin *builtin,
			    struct ipto_binder **ret);
int ipto_injector_new_builtin(struct ipto_ctx *ctx,
			      const struct ipto_injector_ops *ops,
			      size_t state_sz,
			      int (*init)(struct ipto_ctx *ctx, void *state),
			      void (*fini)(void *state),
			      const struct ipto_injector_builtin *builtin,
			      struct ipto_injector **ret);

/* First room for the entries of a link or address dump: a dump that
 * does not fit is made again with room for all, so too small a guess
 * costs a second whole dump (with 129 links, a second tenth of a takeover
 * on a loaded machine: tests/bench). A few tens of kilobytes. */
#define IPTO_DUMP_ROOM_LINKS 512
#define IPTO_DUMP_ROOM_ADDRS 1024

/* What every link op's public wrapper checks first: a binder, and a valid
 * interface name (-EINVAL otherwise, logged naming "binder: @op"). */
int ipto_binder_check_op(struct ipto_binder *b, const char *op,
			 const char *ifname);

/* ipto_binder_check_op(), then the op @member in the binder's table
 * (ipto_binder_unsupported(@what) otherwise): 0 or a negative errno. For
 * wrappers with nothing else to check in between. */
int ipto_binder_check_op_has(struct ipto_binder *b, const char *op,
			     const char *ifname, bool has, const char *what);
#define ipto_binder_op_begin(b, member, ifname, what)                     \
	ipto_binder_check_op_has((b), #member, (ifname),                  \
				 (b) != NULL && (b)->ops.member != NULL,  \
				 (what))

/* Logs an op's failure @r at debug (the backend, which knows why, logged
 * the error), or at info for a "state answer" a caller may probe for;
 * returns @r. @detail (or NULL) follows @ifname in the message. */
int ipto_binder_op_result(struct ipto_binder *b, int r, bool state_answer,
			  const char *what, const char *ifname,
			  const char *detail);

/*
 * A whole dump in an array grown until it fits, one way for every caller:
 * first room for IPTO_DUMP_ROOM_LINKS (or _ADDRS) entries, each entry's
 * sz set; a dump that did not fit is made again with room for all. The
 * count, with *@ret to free(), or a negative errno (*@ret untouched).
 * - ipto_binder_adapter_dump_alloc(): every link (ipto_binder_adapter_dump());
 * - ..._aliases(): the same with each link's alias in (*@aliases)[i], to
 *   free() as well (-EOPNOTSUPP for a binder without the fast
 *   link_dump_aliases);
 * - ipto_binder_addr_dump_alloc(): the addresses of @ifindex, 0 for all
 *   (ipto_binder_addr_dump()).
 */
int ipto_binder_adapter_dump_alloc(struct ipto_binder *binder,
				   struct ipto_adapter_entry **ret);
int ipto_binder_adapter_dump_alloc_aliases(
	struct ipto_binder *binder, struct ipto_adapter_entry **ret,
	char (**aliases)[IPTO_LINK_ALIAS_MAX]);
int ipto_binder_addr_dump_alloc(struct ipto_binder *binder, int ifindex,
				struct ipto_addr_entry **ret);

/* An op the backend's table lacks: -EOPNOTSUPP, logged as an error
 * ("this backend does not support @what"). */
int ipto_binder_unsupported(struct ipto_binder *b, const char *what);

/*
 * Removed addresses, as the kernel announces them: for a takeover's later
 * rounds, which must not announce an address that left its adapter. The
 * netlink binder opens a socket of its own in the current namespace,
 * subscribed to the IPv4 and IPv6 address groups; reading drains what
 * arrived since, without blocking and without allocating, and calls @gone
 * for each RTM_DELADDR. ipto_binder_addr_watch_read() returns 0, 1 when
 * the kernel dropped notifications (the socket overflowed: read the
 * addresses instead), or a negative errno. _open() returns -EOPNOTSUPP
 * for a binder without it; _close() takes NULL.
 */
int ipto_binder_addr_watch_open(struct ipto_binder *b,
				struct ipto_addr_watch **ret);
int ipto_binder_addr_watch_read(struct ipto_binder *b,
				struct ipto_addr_watch *w,
				void (*gone)(void *data, int ifindex,
					     const struct ipto_addr *addr),
				void *data);
void ipto_binder_addr_watch_close(struct ipto_binder *b,
				  struct ipto_addr_watch *w);

/* All of @ifname's addresses through ipto_binder_addr_list(), in an array
 * grown until they fit: the count, with *@ret to free(), or a negative
 * errno. */
int ipto_binder_addr_list_alloc(struct ipto_binder *binder,
				const char *ifname, struct ipto_addr **ret);

/* An IPv6 address a takeover adds goes in deprecated (preferred lifetime
 * 0, valid forever), so that the kernel's source address selection never
 * picks it for the standby's own traffic, unless the caller asks for
 * IPTO_BIND_PREFERRED (ipto-backend.h). */
static inline bool ipto_bind_deprecated(const struct ipto_addr *addr,
					unsigned int flags)
{
	return addr->family == AF_INET6 && (flags & IPTO_BIND_TAKEOVER) &&
	       !(flags & IPTO_BIND_PREFERRED);
}

#endif /* IPTO_BACKEND_PRIVATE_H */
