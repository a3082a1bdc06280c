/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one interface-name rule, for the pool, the binders and the injectors. */
#include "ipto-private.h"

bool ipto_ifname_valid(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strnlen(name, IPTO_IFNAME_MAX + 1);
	if (len == 0 || len > IPTO_IFNAME_MAX || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* Linux's dev_valid_name() refuses '/', ':' and white space;
		 * control characters would garble logs and JSON. */
		if (c == '/' || c == ':' || c == ' ' || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

int ipto_ifname_check(struct ipto_ctx *ctx, const char *who,
		      const char *ifname)
{
	if (!ifname) {
		log_err(ctx, "%s: no interface name\n", who);
		return -EINVAL;
	}
	if (!ipto_ifname_valid(ifname)) {
		log_err(ctx, "%s: invalid interface name \"%.*s\" (1..%d bytes, "
			"no '/', ':', blanks or control characters)\n", who,
			IPTO_IFNAME_MAX + 1, ifname, IPTO_IFNAME_MAX);
		return -EINVAL;
	}
	return 0;
}
