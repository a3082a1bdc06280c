/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ABI mechanics, one way each: options structs and ops tables checked
 * up to the last field this library knows, sized output structs copied out
 * by one rule. See the conventions block of <ipto/ipto.h>.
 */
#include "ipto-private.h"

static bool all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int ipto_opts_check(struct ipto_ctx *ctx, const char *who, const void *opts,
		    size_t known_end)
{
	size_t sz;

	if (!opts)
		return 0;
	sz = ipto_sized_get_sz(opts);
	if (sz < sizeof(size_t)) {
		log_err(ctx, "%s: options sz %zu is smaller than sz itself\n",
			who, sz);
		return -EINVAL;
	}
	if (sz > known_end &&
	    !all_zero((const unsigned char *)opts + known_end, sz - known_end)) {
		log_err(ctx, "%s: options of %zu bytes set fields past byte %zu, "
			"which this libipto does not know\n", who, sz,
			known_end);
		return -EINVAL;
	}
	return 0;
}

int ipto_opts_check_required(struct ipto_ctx *ctx, const char *who,
			     const void *opts, size_t known_end,
			     const char *what)
{
	if (!opts) {
		log_err(ctx, "%s: options are required (%s)\n", who, what);
		return -EINVAL;
	}
	return ipto_opts_check(ctx, who, opts, known_end);
}

void ipto_sized_copy_out(void *out, const void *ours, size_t our_sz)
{
	size_t caller_sz = ipto_sized_get_sz(out);
	size_t n = caller_sz < our_sz ? caller_sz : our_sz;

	if (n > sizeof(size_t))
		memcpy((char *)out + sizeof(size_t),
		       (const char *)ours + sizeof(size_t), n - sizeof(size_t));
	if (caller_sz > our_sz)
		memset((char *)out + our_sz, 0, caller_sz - our_sz);
}

bool ipto_sized_array_ok(const void *out, size_t stride, size_t max)
{
	size_t i;

	if (max && !out)
		return false;
	for (i = 0; i < max; i++)
		if (ipto_sized_get_sz((const char *)out + i * stride) < sizeof(size_t))
			return false;
	return true;
}

int ipto_ops_copy(struct ipto_ctx *ctx, const char *who, void *out,
		  size_t our_sz, const void *ops)
{
	size_t caller_sz;
	int r;

	if (!ops) {
		log_err(ctx, "%s: no ops table\n", who);
		return -EINVAL;
	}
	caller_sz = ipto_sized_get_sz(ops);
	/* Every member is a size_t or a function pointer: a size that cuts
	 * one in two is a mistake, not an older table. */
	if (caller_sz % sizeof(void *)) {
		log_err(ctx, "%s: ops sz %zu is not a whole number of members\n",
			who, caller_sz);
		return -EINVAL;
	}
	r = ipto_opts_check(ctx, who, ops, our_sz);
	if (r < 0)
		return r;
	memset(out, 0, our_sz);
	memcpy(out, ops, caller_sz < our_sz ? caller_sz : our_sz);
	memcpy(out, &our_sz, sizeof(our_sz));
	return 0;
}

int ipto_not_built(struct ipto_ctx *ctx, const char *who, const char *lib)
{
	log_err(ctx, "%s: libipto was built without %s\n", who, lib);
	return -EOPNOTSUPP;
}
