/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto_binder_addr_dump_all() and ipto_binder_adapter_dump_all(): every
 * entry, however many there are (more than the first array holds), each
 * sz set; a failed dump leaves *out alone and says why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto-dryrun.h>

#include "test-common.h"

/* More than the library's first guess for either dump (512 links, 1024
 * addresses), so the array has to grow. */
#define N_LINKS 600
#define ADDRS_PER_LINK 2

static struct ipto_binder *big_binder(struct ipto_ctx *ctx)
{
	struct ipto_binder *b = NULL;
	unsigned int i, k;

	ck_assert_int_eq(ipto_binder_new_dryrun(ctx, &b), 0);
	for (i = 0; i < N_LINKS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%u", i);
		ck_assert_int_eq(ipto_binder_dryrun_add_adapter(b, name, NULL, true), 0);
		for (k = 0; k < ADDRS_PER_LINK; k++) {
			char ip[64];
			struct ipto_addr a;

			snprintf(ip, sizeof(ip), "2001:db8:%x::%u/64", i, k + 1);
			a = test_addr(ip);
			ck_assert_int_eq(ipto_binder_addr_add(b, name, &a, 0), 0);
		}
	}
	return b;
}

START_TEST(dump_all_grows)
{
	struct test_log log = { 0 };
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_binder *b = big_binder(ctx);
	struct ipto_adapter_entry *links = NULL;
	struct ipto_addr_entry *addrs = NULL;
	int n, i, d7 = 0;

	n = ipto_binder_adapter_dump_all(b, &links);
	ck_assert_int_eq(n, N_LINKS);
	for (i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%d", i);
		ck_assert_uint_eq(links[i].sz, sizeof(links[i]));
		ck_assert_str_eq(links[i].ifname, name);
		if (i == 7)
			d7 = links[i].ifindex;
	}
	ck_assert_int_gt(d7, 0);

	n = ipto_binder_addr_dump_all(b, 0, &addrs);
	ck_assert_int_eq(n, N_LINKS * ADDRS_PER_LINK);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(addrs[i].sz, sizeof(addrs[i]));
	free(addrs);

	/* one interface: its two addresses only, in either order */
	n = ipto_binder_addr_dump_all(b, d7, &addrs);
	ck_assert_int_eq(n, ADDRS_PER_LINK);
	{
		struct ipto_addr one = test_addr("2001:db8:7::1/64");
		struct ipto_addr two = test_addr("2001:db8:7::2/64");

		ck_assert_int_eq(addrs[0].ifindex, d7);
		ck_assert_int_eq(addrs[1].ifindex, d7);
		ck_assert((ipto_addr_equal(&addrs[0].addr, &one) &&
			   ipto_addr_equal(&addrs[1].addr, &two)) ||
			  (ipto_addr_equal(&addrs[0].addr, &two) &&
			   ipto_addr_equal(&addrs[1].addr, &one)));
	}
	free(addrs);
	free(links);
	ipto_binder_unref(b);
	ipto_ctx_unref(ctx);
}
END_TEST

START_TEST(dump_all_empty_and_errors)
{
	struct test_log log = { 0 };
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_binder *b = NULL;
	struct ipto_adapter_entry *links = NULL, *keep_links;
	struct ipto_addr_entry *addrs = NULL, *keep_addrs;

	ck_assert_int_eq(ipto_binder_new_dryrun(ctx, &b), 0);
	/* nothing modelled: a count of 0 and an array to free */
	ck_assert_int_eq(ipto_binder_adapter_dump_all(b, &links), 0);
	ck_assert_ptr_nonnull(links);
	free(links);

	/* bad arguments */
	ck_assert_int_eq(ipto_binder_adapter_dump_all(NULL, &links), -EINVAL);
	ck_assert_int_eq(ipto_binder_adapter_dump_all(b, NULL), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_dump_all(b, -1, &addrs), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_dump_all(b, 0, NULL), -EINVAL);

	/* the dump fails: its errno, and *out is not written */
	keep_links = links = (void *)&log;
	keep_addrs = addrs = (void *)&log;
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(b, IPTO_BINDER_OP_ADAPTER_DUMP,
						       1, -ENOBUFS), 0);
	ck_assert_int_eq(ipto_binder_adapter_dump_all(b, &links), -ENOBUFS);
	ck_assert_ptr_eq(links, keep_links);
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(b, IPTO_BINDER_OP_ADDR_DUMP,
						       1, -EPERM), 0);
	ck_assert_int_eq(ipto_binder_addr_dump_all(b, 0, &addrs), -EPERM);
	ck_assert_ptr_eq(addrs, keep_addrs);

	ipto_binder_unref(b);
	ipto_ctx_unref(ctx);
}
END_TEST

static Suite *dump_suite(void)
{
	Suite *s = suite_create("dump");

	test_tcase(s, "dump_all", dump_all_grows, dump_all_empty_and_errors);
	return s;
}

IPTO_TEST_MAIN(dump_suite)
