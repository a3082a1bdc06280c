/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole dumps for callers outside the library: the address and adapter
 * dumps in an array that grows until the kernel's answer fits, the loop
 * the library's own readers use (binder.c), so programs keep no copy of it.
 */
#include "backend-private.h"

IPTO_EXPORT int ipto_binder_addr_dump_all(struct ipto_binder *binder,
					  int ifindex,
					  struct ipto_addr_entry **out)
{
	if (!binder || ifindex < 0 || !out)
		return -EINVAL;
	return ipto_binder_addr_dump_alloc(binder, ifindex, out);
}

IPTO_EXPORT int ipto_binder_adapter_dump_all(struct ipto_binder *binder,
					     struct ipto_adapter_entry **out)
{
	if (!binder || !out)
		return -EINVAL;
	return ipto_binder_adapter_dump_alloc(binder, out);
}
