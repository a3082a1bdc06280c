/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conventions every part of the library shares: one ERROR line per
 * failure, ipto_strerror(), the _name() functions of the public enums, the
 * options and sized-struct rules, and schedules that must send something.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>

#include "test-common.h"

/* Counts ERROR lines apart from the rest and keeps them. */
struct prio_log {
	int errors, others;
	char error_text[4096];
};

static void prio_log_fn(struct ipto_ctx *ctx, enum ipto_log_priority priority,
			void *userdata, const char *format, va_list args)
	IPTO_PRINTF_ATTR(4, 0);

static void prio_log_fn(struct ipto_ctx *ctx, enum ipto_log_priority priority,
			void *userdata, const char *format, va_list args)
{
	struct prio_log *log = userdata;
	size_t used;

	(void)ctx;
	if (priority != IPTO_LOG_ERROR) {
		log->others++;
		return;
	}
	log->errors++;
	used = strlen(log->error_text);
	vsnprintf(log->error_text + used, sizeof(log->error_text) - used,
		  format, args);
}

struct fixture {
	struct prio_log log;
	struct ipto_ctx *ctx;
	struct ipto_pool *pool;
	struct ipto_plan *plan;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
};

static void fixture_init(struct fixture *f)
{
	const char *failed[] = { "alpha" };
	struct ipto_addr a;
	struct ipto_mac m;

	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(ipto_ctx_new(&f->ctx), 0);
	ipto_ctx_set_log_fn(f->ctx, prio_log_fn, IPTO_LOG_DEBUG, &f->log);
	ck_assert_int_eq(ipto_pool_new(f->ctx, &f->pool), 0);
	ck_assert_int_eq(ipto_pool_add_node(f->pool, "alpha"), 0);
	a = test_addr("192.0.2.10/24");
	ck_assert_int_eq(ipto_pool_add_node_ip(f->pool, "alpha", &a), 0);
	a = test_addr("2001:db8::10/64");
	ck_assert_int_eq(ipto_pool_add_node_ip(f->pool, "alpha", &a), 0);
	ck_assert_int_eq(ipto_pool_add_standby(f->pool, "standby"), 0);
	m = test_mac("02:00:5e:10:02:01");
	ck_assert_int_eq(ipto_pool_add_adapter(f->pool, "standby", "eth1", &m, 0), 0);
	ck_assert_int_eq(ipto_binder_new_dryrun(f->ctx, &f->binder), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_link(f->binder, "eth1", &m, false), 0);
	m = test_mac("02:00:5e:10:02:02");
	ck_assert_int_eq(ipto_pool_add_adapter(f->pool, "standby", "eth2", &m, 0), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_link(f->binder, "eth2", &m, false), 0);
	ck_assert_int_eq(ipto_pool_check(f->pool), 0);
	ck_assert_int_eq(ipto_plan_takeover(f->pool, failed, 1, NULL, &f->plan), 0);
	ck_assert_int_eq(ipto_injector_new_dryrun(f->ctx, &f->injector), 0);
}

static void fixture_fini(struct fixture *f)
{
	ipto_plan_unref(f->plan);
	ipto_injector_unref(f->injector);
	ipto_binder_unref(f->binder);
	ipto_pool_unref(f->pool);
	ipto_ctx_unref(f->ctx);
}

static const struct ipto_announce_round one_round[] = {
	{ .delay_ms = 0,
	  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_ARP_ANNOUNCE) |
		    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_NA) },
};

static struct ipto_takeover *new_takeover(struct fixture *f)
{
	struct ipto_takeover *t = NULL;
	IPTO_OPTS(ipto_takeover_opts, opts, .binder = f->binder,
		  .injector = f->injector, .rounds = one_round, .n_rounds = 1);

	ck_assert_int_eq(ipto_takeover_new(f->ctx, f->plan, &opts, &t), 0);
	return t;
}

static void reset_log(struct fixture *f)
{
	memset(&f->log, 0, sizeof(f->log));
}

/* The k-th call of each binder operation fails once, during a takeover:
 * the log shows that failure as exactly one ERROR line. */
START_TEST(binder_fault_logged_once)
{
	static const unsigned int ops[] = {
		IPTO_BINDER_OP_ADDR_ADD, IPTO_BINDER_OP_LINK_GET,
		IPTO_BINDER_OP_LINK_SET_UP, IPTO_BINDER_OP_DEVCONF_GET,
		IPTO_BINDER_OP_DEVCONF_SET,
	};
	struct fixture f;
	unsigned int k;
	size_t i;
	int failures = 0;

	fixture_init(&f);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		for (k = 1; k <= 8; k++) {
			struct ipto_takeover *t = new_takeover(&f);
			int r;

			ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder,
				ops[i], k, -EIO), 0);
			reset_log(&f);
			r = ipto_takeover_start(t);
			ck_assert_int_eq(ipto_binder_dryrun_set_fault(f.binder, 0, 0, 0), 0);
			if (r == 0) {
				/* fewer than k such calls: nothing failed */
				ck_assert_int_eq(f.log.errors, 0);
				ck_assert_int_eq(ipto_takeover_undo(t), 0);
				ipto_takeover_unref(t);
				break;
			}
			ck_assert_int_eq(r, -EIO);
			ck_assert_msg(f.log.errors == 1,
				      "op 0x%x, call %u: %d ERROR lines:\n%s",
				      ops[i], k, f.log.errors, f.log.error_text);
			ck_assert_ptr_nonnull(strstr(f.log.error_text,
						     "Input/output error"));
			failures++;
			ipto_takeover_unref(t);
		}
	}
	/* every operation was hit at least once */
	ck_assert_int_ge(failures, (int)(sizeof(ops) / sizeof(ops[0])));
	fixture_fini(&f);
}
END_TEST

/* An injector that cannot open a port, or a send that fails: one ERROR. */
START_TEST(injector_fault_logged_once)
{
	struct fixture f;
	struct ipto_takeover *t;

	fixture_init(&f);
	t = new_takeover(&f);
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(f.injector,
		IPTO_INJECTOR_OP_OPEN, 1, -EPERM), 0);
	reset_log(&f);
	ck_assert_int_eq(ipto_takeover_start(t), -EPERM);
	ck_assert_msg(f.log.errors == 1, "open: %d ERROR lines:\n%s",
		      f.log.errors, f.log.error_text);
	ipto_takeover_unref(t);

	/* the first frame of the first round cannot be sent: rolled back */
	t = new_takeover(&f);
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(f.injector,
		IPTO_INJECTOR_OP_SEND, 1, -ENOBUFS), 0);
	reset_log(&f);
	ck_assert_int_eq(ipto_takeover_start(t), -ENOBUFS);
	ck_assert_msg(f.log.errors == 1, "send: %d ERROR lines:\n%s",
		      f.log.errors, f.log.error_text);
	ck_assert_ptr_nonnull(strstr(f.log.error_text, "No buffer space"));
	ipto_takeover_unref(t);
	fixture_fini(&f);
}
END_TEST

/* A link of the plan that is missing: the takeover, which judges it a
 * failure, says so once. */
START_TEST(missing_link_logged_once)
{
	struct fixture f;
	struct ipto_takeover *t;
	struct ipto_binder *empty = NULL;
	IPTO_OPTS(ipto_takeover_opts, opts, .rounds = one_round, .n_rounds = 1);

	fixture_init(&f);
	ck_assert_int_eq(ipto_binder_new_dryrun(f.ctx, &empty), 0);
	opts.binder = empty;
	opts.injector = f.injector;
	ck_assert_int_eq(ipto_takeover_new(f.ctx, f.plan, &opts, &t), 0);
	reset_log(&f);
	ck_assert_int_eq(ipto_takeover_start(t), -ENODEV);
	ck_assert_msg(f.log.errors == 1, "%d ERROR lines:\n%s", f.log.errors,
		      f.log.error_text);
	ck_assert_ptr_nonnull(strstr(f.log.error_text, "not on this system"));
	ipto_takeover_unref(t);
	ipto_binder_unref(empty);
	fixture_fini(&f);
}
END_TEST

static Suite *conventions_suite(void)
{
	Suite *s = suite_create("conventions");
	TCase *tc = tcase_create("errors-once");

	tcase_add_test(tc, binder_fault_logged_once);
	tcase_add_test(tc, injector_fault_logged_once);
	tcase_add_test(tc, missing_link_logged_once);
	suite_add_tcase(s, tc);
	return s;
}

IPTO_TEST_MAIN(conventions_suite)
