/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A binder of a test program's own (public ops table) around a real one,
 * for the programs that make the real kernel fail on cue (takeover-faults,
 * slow-fail). Every call goes to the real binder; a mutating one first
 * asks the program's hook, whose nonzero return fails the call instead.
 * Header only: each program includes it once.
 */
#ifndef IPTO_TEST_WRAP_BINDER_H
#define IPTO_TEST_WRAP_BINDER_H

#include <ipto/ipto.h>
#include <ipto/ipto-backend.h>
#include <ipto/ipto-dryrun.h>

struct wrap_binder {
	struct ipto_binder *real;
	/* Called before each mutating op (@ifname NULL for a batch of
	 * address additions, which counts as IPTO_BINDER_OP_ADDR_ADD):
	 * 0 lets it through, anything else is its result. */
	int (*before)(struct wrap_binder *w, enum ipto_binder_op op,
		      const char *ifname);
	void *data; /* the program's */
};

static struct wrap_binder *wrap_of(struct ipto_binder *binder)
{
	return ipto_binder_get_userdata(binder);
}

static int wrap_before(struct wrap_binder *w, enum ipto_binder_op op,
		       const char *ifname)
{
	return w->before ? w->before(w, op, ifname) : 0;
}

static int w_addr_add(struct ipto_binder *binder, const char *ifname,
		      const struct ipto_addr *a, unsigned int flags)
{
	struct wrap_binder *w = wrap_of(binder);
	int r = wrap_before(w, IPTO_BINDER_OP_ADDR_ADD, ifname);

	return r ? r : ipto_binder_addr_add(w->real, ifname, a, flags);
}

static int w_addr_add_batch(struct ipto_binder *binder,
			    const struct ipto_addr_req *reqs, size_t n,
			    int *results)
{
	struct wrap_binder *w = wrap_of(binder);
	int r = wrap_before(w, IPTO_BINDER_OP_ADDR_ADD, NULL);

	return r ? r : ipto_binder_addr_add_batch(w->real, reqs, n, results);
}

static int w_addr_del(struct ipto_binder *binder, const char *ifname,
		      const struct ipto_addr *a)
{
	struct wrap_binder *w = wrap_of(binder);
	int r = wrap_before(w, IPTO_BINDER_OP_ADDR_DEL, ifname);

	return r ? r : ipto_binder_addr_del(w->real, ifname, a);
}

static int w_adapter_set_up(struct ipto_binder *binder, const char *ifname,
			    bool up)
{
	struct wrap_binder *w = wrap_of(binder);
	int r = wrap_before(w, IPTO_BINDER_OP_ADAPTER_SET_UP, ifname);

	return r ? r : ipto_binder_adapter_set_up(w->real, ifname, up);
}

static int w_devconf_set(struct ipto_binder *binder, const char *ifname,
			 enum ipto_devconf key, int value)
{
	struct wrap_binder *w = wrap_of(binder);
	int r = wrap_before(w, IPTO_BINDER_OP_DEVCONF_SET, ifname);

	return r ? r : ipto_binder_devconf_set(w->real, ifname, key, value);
}

static int w_record_set(struct ipto_binder *binder, const char *key,
			const char *value)
{
	struct wrap_binder *w = wrap_of(binder);
	int r = wrap_before(w, IPTO_BINDER_OP_RECORD_SET, NULL);

	return r ? r : ipto_binder_record_set(w->real, key, value);
}

static int w_addr_list(struct ipto_binder *binder, const char *ifname,
		       struct ipto_addr *out, size_t max)
{
	return ipto_binder_addr_list(wrap_of(binder)->real, ifname, out, max);
}

static int w_adapter_get(struct ipto_binder *binder, const char *ifname,
			 struct ipto_adapter_info *info)
{
	return ipto_binder_adapter_get(wrap_of(binder)->real, ifname, info);
}

static int w_devconf_get(struct ipto_binder *binder, const char *ifname,
			 enum ipto_devconf key, int *value)
{
	return ipto_binder_devconf_get(wrap_of(binder)->real, ifname, key,
				       value);
}

static int w_addr_dump(struct ipto_binder *binder, int ifindex,
		       struct ipto_addr_entry *out, size_t max)
{
	return ipto_binder_addr_dump(wrap_of(binder)->real, ifindex, out, max);
}

static int w_adapter_dump(struct ipto_binder *binder,
			  struct ipto_adapter_entry *out, size_t max)
{
	return ipto_binder_adapter_dump(wrap_of(binder)->real, out, max);
}

static int w_record_get(struct ipto_binder *binder, const char *key,
			char *buf, size_t len)
{
	return ipto_binder_record_get(wrap_of(binder)->real, key, buf, len);
}

/*
 * A binder around @w->real (which @w, the caller's, outlives). It has the
 * seven operations of the first ops table; @full adds the batch of address
 * additions, the dumps and the record (without them the engine takes the
 * one-by-one paths, and a fault count sees every address).
 */
static int wrap_binder_new(struct ipto_ctx *ctx, struct wrap_binder *w,
			   bool full, struct ipto_binder **ret)
{
	struct ipto_binder_ops ops = { .sz = sizeof(ops) };

	ops.addr_add = w_addr_add;
	ops.addr_del = w_addr_del;
	ops.addr_list = w_addr_list;
	ops.adapter_get = w_adapter_get;
	ops.adapter_set_up = w_adapter_set_up;
	ops.devconf_get = w_devconf_get;
	ops.devconf_set = w_devconf_set;
	if (full) {
		ops.addr_add_batch = w_addr_add_batch;
		ops.addr_dump = w_addr_dump;
		ops.adapter_dump = w_adapter_dump;
		ops.record_get = w_record_get;
		ops.record_set = w_record_set;
	}
	return ipto_binder_new(ctx, &ops, w, ret);
}

#endif /* IPTO_TEST_WRAP_BINDER_H */
