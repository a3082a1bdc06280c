/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared scaffolding for the Check-based unit tests. */
#ifndef IPTO_TEST_COMMON_H
#define IPTO_TEST_COMMON_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>
#include <ipto/ipto-dryrun.h>

/*
 * A log handler that keeps the last message so tests can assert that an
 * error was explained, not just returned.
 */
struct test_log {
	char last[1024];
	char all[16384]; /* every message, concatenated (truncated when full) */
	int count;
};

static inline void test_log_fn(struct ipto_ctx *ctx,
			       enum ipto_log_priority priority, void *userdata,
			       const char *format, va_list args)
	IPTO_PRINTF_ATTR(4, 0);

static inline void test_log_fn(struct ipto_ctx *ctx,
			       enum ipto_log_priority priority, void *userdata,
			       const char *format, va_list args)
{
	struct test_log *log = userdata;
	(void)ctx;
	(void)priority;
	size_t used;

	vsnprintf(log->last, sizeof(log->last), format, args);
	used = strlen(log->all);
	snprintf(log->all + used, sizeof(log->all) - used, "%s", log->last);
	log->count++;
}

/* A context whose messages (all priorities) land in *log. */
static inline struct ipto_ctx *test_ctx_new(struct test_log *log)
{
	struct ipto_ctx *ctx = NULL;

	memset(log, 0, sizeof(*log));
	ck_assert_int_eq(ipto_ctx_new(&ctx), 0);
	ipto_ctx_set_log_fn(ctx, test_log_fn, IPTO_LOG_PRIORITY_DEBUG, log);
	return ctx;
}

/* Parse a literal the test knows is valid; a typo fails the test. */
static inline struct ipto_addr test_addr(const char *s)
{
	struct ipto_addr a;

	ck_assert_msg(ipto_addr_parse(s, &a) == 0, "bad test address %s", s);
	return a;
}

static inline struct ipto_mac test_mac(const char *s)
{
	struct ipto_mac m;

	ck_assert_msg(ipto_mac_parse(s, &m) == 0, "bad test MAC %s", s);
	return m;
}

/* main() for a test program made of one suite. */
#define IPTO_TEST_MAIN(suite_fn)                                          \
	int main(void)                                                    \
	{                                                                 \
		SRunner *sr = srunner_create(suite_fn());                 \
		int failed;                                               \
		srunner_run_all(sr, CK_ENV);                              \
		failed = srunner_ntests_failed(sr);                       \
		srunner_free(sr);                                         \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;              \
	}

#endif /* IPTO_TEST_COMMON_H */
