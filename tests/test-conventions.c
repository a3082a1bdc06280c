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

/* alpha (failed) has @ips; the standby has eth1 and eth2. */
static void fixture_init_ips(struct test_fixture *f, const char *const *ips)
{
	const char *failed[] = { "alpha" };
	struct ipto_mac m;
	size_t i;

	test_fixture_init(f);
	ck_assert_int_eq(ipto_pool_new(f->ctx, &f->pool), 0);
	ck_assert_int_eq(ipto_pool_add_node(f->pool, "alpha"), 0);
	for (i = 0; ips[i]; i++)
		ck_assert_int_eq(add_ip(f->pool, "alpha", ips[i]), 0);
	ck_assert_int_eq(ipto_pool_add_standby(f->pool, "standby"), 0);
	m = test_mac("02:00:5e:10:02:01");
	ck_assert_int_eq(ipto_pool_add_adapter(f->pool, "standby", "eth1", &m, 0), 0);
	ck_assert_int_eq(ipto_binder_new_dryrun(f->ctx, &f->binder), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "eth1", &m, false), 0);
	m = test_mac("02:00:5e:10:02:02");
	ck_assert_int_eq(ipto_pool_add_adapter(f->pool, "standby", "eth2", &m, 0), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "eth2", &m, false), 0);
	ck_assert_int_eq(ipto_pool_check(f->pool), 0);
	ck_assert_int_eq(ipto_plan_new_takeover(f->pool, failed, 1, NULL, &f->plan), 0);
	ck_assert_int_eq(ipto_injector_new_dryrun(f->ctx, &f->injector), 0);
}

static const char *const both_ips[] = { "192.0.2.10/24", "2001:db8::10/64", NULL };

static void fixture_init(struct test_fixture *f)
{
	fixture_init_ips(f, both_ips);
}

static const struct ipto_announce_round one_round[] = {
	{ .delay_ms = 0,
	  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
		    IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) },
};

static struct ipto_takeover *new_takeover(struct test_fixture *f)
{
	struct ipto_takeover *t = NULL;
	IPTO_OPTS(ipto_takeover_opts, opts, .binder = f->binder,
		  .injector = f->injector, .rounds = one_round, .n_rounds = 1);

	ck_assert_int_eq(ipto_takeover_new(f->ctx, f->plan, &opts, &t), 0);
	return t;
}

static void reset_log(struct test_fixture *f)
{
	memset(&f->log, 0, sizeof(f->log));
}

/* The k-th call of each binder operation fails once, during a takeover:
 * the log shows that failure as exactly one ERROR line. */
START_TEST(binder_fault_logged_once)
{
	static const unsigned int ops[] = {
		IPTO_BINDER_OP_ADDR_ADD, IPTO_BINDER_OP_ADAPTER_GET,
		IPTO_BINDER_OP_ADAPTER_SET_UP, IPTO_BINDER_OP_DEVCONF_GET,
		IPTO_BINDER_OP_DEVCONF_SET,
	};
	struct test_fixture f;
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
	test_fixture_fini(&f);
}
END_TEST

/* An injector that cannot open a port, or a send that fails: one ERROR. */
START_TEST(injector_fault_logged_once)
{
	struct test_fixture f;
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
	test_fixture_fini(&f);
}
END_TEST

/* A link of the plan that is missing: the takeover, which judges it a
 * failure, says so once. */
START_TEST(missing_link_logged_once)
{
	struct test_fixture f;
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
	test_fixture_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* ipto_strerror()                                                     */
/* ------------------------------------------------------------------ */

START_TEST(strerror_texts)
{
	int e;

	ck_assert_str_eq(ipto_strerror(-EIO), "Input/output error");
	ck_assert_str_eq(ipto_strerror(-EINVAL), "Invalid argument");
	ck_assert_str_eq(ipto_strerror(-EADDRNOTAVAIL), "Cannot assign requested address");
	ck_assert_str_eq(ipto_strerror(0), "Success");
	/* a positive errno is the same static text */
	ck_assert_ptr_eq(ipto_strerror(ENODEV), ipto_strerror(-ENODEV));
	/* defined for every int, INT_MIN (whose negation overflows) included */
	ck_assert_str_eq(ipto_strerror(INT_MIN), "Unknown error");
	ck_assert_str_eq(ipto_strerror(INT_MIN + 1), "Unknown error");
	ck_assert_str_eq(ipto_strerror(INT_MAX), "Unknown error");
	ck_assert_str_eq(ipto_strerror(-4095), "Unknown error");
	/* every text it knows is the C library's wording (C locale) */
	for (e = 1; e < 256; e++) {
		const char *s = ipto_strerror(-e);

		ck_assert_ptr_nonnull(s);
		if (strcmp(s, "Unknown error") != 0)
			ck_assert_msg(strcmp(s, strerror(e)) == 0,
				      "errno %d: \"%s\" vs \"%s\"", e, s, strerror(e));
	}
	/* the errnos libipto and its backends return all have a text */
	{
		static const int mine[] = { EINVAL, ENOMEM, ENOENT, EEXIST,
			EADDRNOTAVAIL, ENODEV, EPERM, EACCES, EIO, ENOBUFS,
			ERANGE, EOPNOTSUPP, EAFNOSUPPORT, EPROTO, ESTALE, EBUSY,
			EAGAIN, ENETDOWN, EALREADY, EMSGSIZE, ETIMEDOUT, EINTR,
			ENOSPC, EOVERFLOW, EBADF, ENOTCONN };
		size_t i;

		for (i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
			ck_assert_str_ne(ipto_strerror(-mine[i]), "Unknown error");
	}
}
END_TEST

static void *strerror_thread(void *arg)
{
	const char *expect = arg;
	int i;

	for (i = 0; i < 100000; i++) {
		if (ipto_strerror(i % 2 ? -EIO : -ENOBUFS) !=
		    (i % 2 ? expect : ipto_strerror(ENOBUFS)))
			return (void *)1;
	}
	return NULL;
}

/* Static strings: the same pointer from any thread, no shared buffer. */
START_TEST(strerror_threads)
{
	pthread_t th[4];
	void *ret;
	size_t i;
	const char *eio = ipto_strerror(EIO);

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, strerror_thread,
						(void *)eio), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(th[i], &ret), 0);
		ck_assert_ptr_null(ret);
	}
	ck_assert_str_eq(eio, "Input/output error");
}
END_TEST

/* ------------------------------------------------------------------ */
/* The _name() functions                                               */
/* ------------------------------------------------------------------ */

START_TEST(enum_names)
{
	ck_assert_str_eq(ipto_log_priority_name(IPTO_LOG_PRIORITY_ERROR), "error");
	ck_assert_str_eq(ipto_log_priority_name(IPTO_LOG_PRIORITY_INFO), "info");
	ck_assert_str_eq(ipto_log_priority_name(IPTO_LOG_PRIORITY_DEBUG), "debug");
	ck_assert_ptr_null(ipto_log_priority_name((enum ipto_log_priority)0));

	ck_assert_str_eq(ipto_addr_class_name(IPTO_ADDR_CLASS_UNICAST), "unicast");
	ck_assert_str_eq(ipto_addr_class_name(IPTO_ADDR_CLASS_LINK_LOCAL), "link_local");
	ck_assert_str_eq(ipto_addr_class_name(IPTO_ADDR_CLASS_NETWORK), "network");
	ck_assert_ptr_null(ipto_addr_class_name((enum ipto_addr_class)(IPTO_ADDR_CLASS_UNICAST | IPTO_ADDR_CLASS_LOOPBACK)));

	ck_assert_str_eq(ipto_mac_class_name(IPTO_MAC_CLASS_ZERO), "zero");
	ck_assert_str_eq(ipto_mac_class_name(IPTO_MAC_CLASS_LOCAL), "local");
	ck_assert_ptr_null(ipto_mac_class_name((enum ipto_mac_class)(1 << 5)));

	ck_assert_str_eq(ipto_frame_tha_name(IPTO_FRAME_THA_DEFAULT), "default");
	ck_assert_str_eq(ipto_frame_tha_name(IPTO_FRAME_THA_SENDER), "sender");
	ck_assert_ptr_null(ipto_frame_tha_name((enum ipto_frame_tha)4));
	ck_assert_str_eq(ipto_frame_flags_name(IPTO_FRAME_ROUTER), "router");
	ck_assert_ptr_null(ipto_frame_flags_name((enum ipto_frame_flags)2));
	/* the flag that became an enum value kept its value */
	ck_assert_int_eq(IPTO_FRAME_ROUTER, 1);

	ck_assert_str_eq(ipto_devconf_name(IPTO_DEVCONF_ARP_IGNORE), "arp_ignore");
	ck_assert_str_eq(ipto_devconf_name(IPTO_DEVCONF_ARP_FILTER), "arp_filter");
	ck_assert_ptr_null(ipto_devconf_name((enum ipto_devconf)0));
	ck_assert_str_eq(ipto_bind_flags_name(IPTO_BIND_NODAD), "nodad");
	ck_assert_str_eq(ipto_binder_op_name(IPTO_BINDER_OP_ADDR_ADD), "addr_add");
	ck_assert_str_eq(ipto_binder_op_name(IPTO_BINDER_OP_DEVCONF_SET), "devconf_set");
	ck_assert_str_eq(ipto_binder_op_name(IPTO_BINDER_OP_MUTATING), "mutating");
	ck_assert_str_eq(ipto_binder_op_name(IPTO_BINDER_OP_ALL), "all");
	ck_assert_str_eq(ipto_binder_op_name(IPTO_BINDER_OP_RECORD_SET), "record_set");
	ck_assert_str_eq(ipto_binder_op_name(IPTO_BINDER_OP_ADAPTER_CREATE),
			 "adapter_create_macvlan");
	ck_assert_str_eq(ipto_binder_op_name(IPTO_BINDER_OP_ADAPTER_GET_ALIAS),
			 "adapter_get_alias");
	ck_assert_str_eq(ipto_binder_op_name(IPTO_BINDER_OP_ADAPTERS), "adapters");
	ck_assert_ptr_null(ipto_binder_op_name((enum ipto_binder_op)(1 << 14)));
	ck_assert_str_eq(ipto_macvlan_mode_name(IPTO_MACVLAN_MODE_BRIDGE), "bridge");
	ck_assert_str_eq(ipto_macvlan_mode_name(IPTO_MACVLAN_MODE_VEPA), "vepa");
	ck_assert_ptr_null(ipto_macvlan_mode_name((enum ipto_macvlan_mode)0));
	ck_assert_str_eq(ipto_macvlan_flags_name(IPTO_MACVLAN_KEEP), "keep");
	ck_assert_ptr_null(ipto_macvlan_flags_name((enum ipto_macvlan_flags)2));
	ck_assert_str_eq(ipto_plan_step_flags_name(IPTO_PLAN_STEP_MACVLAN), "macvlan");
	ck_assert_str_eq(ipto_report_op_name(IPTO_REPORT_OP_ADAPTER_CREATE), "adapter_create");
	ck_assert_str_eq(ipto_bind_flags_name(IPTO_BIND_TAKEOVER), "takeover");
	ck_assert_str_eq(ipto_health_name(IPTO_HEALTH_OTHER_ANSWERS), "other_interface_answers");
	ck_assert_str_eq(ipto_health_name(IPTO_HEALTH_UNMARKED), "unmarked");
	ck_assert_ptr_null(ipto_health_name((enum ipto_health)0));
	ck_assert_str_eq(ipto_lock_flags_name(IPTO_LOCK_NOWAIT), "nowait");
	ck_assert_str_eq(ipto_addr_entry_flags_name(IPTO_ADDR_ENTRY_SECONDARY), "secondary");
	ck_assert_str_eq(ipto_devconf_name(IPTO_DEVCONF_PROMOTE_SECONDARIES), "promote_secondaries");
	ck_assert_str_eq(ipto_injector_op_name(IPTO_INJECTOR_OP_OPEN), "open");
	ck_assert_str_eq(ipto_injector_op_name(IPTO_INJECTOR_OP_SEND), "send");
	ck_assert_ptr_null(ipto_injector_op_name((enum ipto_injector_op)0));

	ck_assert_str_eq(ipto_adapter_flags_name(IPTO_ADAPTER_MANAGEMENT), "management");
	ck_assert_str_eq(ipto_plan_flags_name(IPTO_PLAN_SHARE_ADAPTERS), "share_adapters");
	ck_assert_str_eq(ipto_plan_action_name(IPTO_PLAN_ACTION_BIND), "bind");
	ck_assert_str_eq(ipto_plan_action_name(IPTO_PLAN_ACTION_UNBIND), "unbind");
	ck_assert_ptr_null(ipto_plan_action_name((enum ipto_plan_action)0));
	ck_assert_str_eq(ipto_plan_step_flags_name(IPTO_PLAN_STEP_SHARED), "shared");
	ck_assert_str_eq(ipto_format_name(IPTO_FORMAT_TEXT), "text");
	ck_assert_str_eq(ipto_format_name(IPTO_FORMAT_JSON), "json");
	ck_assert_ptr_null(ipto_format_name((enum ipto_format)2));

	ck_assert_str_eq(ipto_takeover_flags_name(IPTO_TAKEOVER_KEEP_DEVCONF), "keep_devconf");
	ck_assert_str_eq(ipto_takeover_flags_name(IPTO_TAKEOVER_DAD), "dad");
	ck_assert_str_eq(ipto_report_op_name(IPTO_REPORT_OP_CHECK_ADAPTER), "check_adapter");
	ck_assert_str_eq(ipto_report_op_name(IPTO_REPORT_OP_OPEN_ADAPTER), "open_adapter");
	ck_assert_str_eq(ipto_report_op_name(IPTO_REPORT_OP_DEVCONF), "devconf");
	ck_assert_str_eq(ipto_report_op_name(IPTO_REPORT_OP_ADDR_ADD), "addr_add");
	ck_assert_str_eq(ipto_report_op_name(IPTO_REPORT_OP_ADDR_DEL), "addr_del");
	ck_assert_str_eq(ipto_report_op_name(IPTO_REPORT_OP_ADAPTER_UP), "adapter_up");
	ck_assert_str_eq(ipto_report_op_name(IPTO_REPORT_OP_ANNOUNCE), "announce");
	ck_assert_ptr_null(ipto_report_op_name((enum ipto_report_op)9));
	ck_assert_str_eq(ipto_report_outcome_name(IPTO_REPORT_OUTCOME_DONE), "done");
	ck_assert_str_eq(ipto_report_outcome_name(IPTO_REPORT_OUTCOME_FOUND), "found");
	ck_assert_str_eq(ipto_report_outcome_name(IPTO_REPORT_OUTCOME_FAILED), "failed");
	ck_assert_str_eq(ipto_report_outcome_name(IPTO_REPORT_OUTCOME_UNDONE), "undone");
	ck_assert_ptr_null(ipto_report_outcome_name((enum ipto_report_outcome)0));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Options and sized output structs                                    */
/* ------------------------------------------------------------------ */

/* Options are checked up to the end of the last known field: a byte past
 * it (here the padding after ipto_plan_opts.flags) must be zero. */
START_TEST(opts_checked_to_last_field)
{
	struct test_fixture f;
	const char *failed[] = { "alpha" };
	struct ipto_plan *plan = NULL;
	union {
		struct ipto_plan_opts o;
		unsigned char b[sizeof(struct ipto_plan_opts) + 8];
	} u;
	size_t end = offsetof(struct ipto_plan_opts, flags) + sizeof(u.o.flags);

	fixture_init(&f);
	memset(&u, 0, sizeof(u));
	u.o.sz = sizeof(u.o);
	ck_assert_int_eq(ipto_plan_new_takeover(f.pool, failed, 1, &u.o, &plan), 0);
	plan = ipto_plan_unref(plan);
	if (end < sizeof(u.o)) {
		/* padding the library does not know is not ignored */
		u.b[end] = 1;
		reset_log(&f);
		ck_assert_int_eq(ipto_plan_new_takeover(f.pool, failed, 1, &u.o, &plan), -EINVAL);
		ck_assert_int_eq(f.log.errors, 1);
		ck_assert_ptr_nonnull(strstr(f.log.error_text, "does not know"));
		ck_assert_ptr_null(plan);
		u.b[end] = 0;
	}
	/* a newer caller's longer struct: a zero tail is fine, else -EINVAL */
	u.o.sz = sizeof(u.b);
	ck_assert_int_eq(ipto_plan_new_takeover(f.pool, failed, 1, &u.o, &plan), 0);
	plan = ipto_plan_unref(plan);
	u.b[sizeof(u.b) - 1] = 1;
	ck_assert_int_eq(ipto_plan_new_takeover(f.pool, failed, 1, &u.o, &plan), -EINVAL);
	u.b[sizeof(u.b) - 1] = 0;
	/* sz must cover sz itself */
	u.o.sz = sizeof(size_t) - 1;
	ck_assert_int_eq(ipto_plan_new_takeover(f.pool, failed, 1, &u.o, &plan), -EINVAL);
	/* IPTO_OPTS zeroes every byte, padding included, and sets sz */
	{
		IPTO_OPTS(ipto_plan_opts, z, .flags = 0);
		unsigned char zero[sizeof(z)] = { 0 };

		ck_assert_uint_eq(z.sz, sizeof(z));
		ck_assert_mem_eq((unsigned char *)&z + sizeof(size_t),
				 zero + sizeof(size_t), sizeof(z) - sizeof(size_t));
	}
	test_fixture_fini(&f);
}
END_TEST

/* One rule for every sized output struct: the bytes both know are written,
 * a longer caller's tail is zeroed, sz is left alone, and a shorter
 * caller's struct is not written past its sz. */
START_TEST(sized_copy_out_rule)
{
	struct test_fixture f;
	struct ipto_takeover *t;
	union {
		struct ipto_plan_step s;
		unsigned char b[sizeof(struct ipto_plan_step) + 16];
	} step;
	union {
		struct ipto_takeover_report r;
		unsigned char b[sizeof(struct ipto_takeover_report) + 16];
	} rep;
	union {
		struct ipto_frame_info i;
		unsigned char b[sizeof(struct ipto_frame_info) + 16];
	} info;
	unsigned char frame[IPTO_FRAME_MAX_LEN];
	struct ipto_addr ip = test_addr("192.0.2.10/24");
	struct ipto_mac mac = test_mac("02:00:5e:10:02:01");
	size_t i, short_sz;
	int n;

	fixture_init(&f);
	/* longer: tail zeroed, sz kept */
	memset(&step, 0xaa, sizeof(step));
	step.s.sz = sizeof(step.b);
	ck_assert_int_eq(ipto_plan_get_step(f.plan, 0, &step.s), 0);
	ck_assert_uint_eq(step.s.sz, sizeof(step.b));
	ck_assert_int_eq(step.s.action, IPTO_PLAN_ACTION_BIND);
	for (i = sizeof(struct ipto_plan_step); i < sizeof(step.b); i++)
		ck_assert_uint_eq(step.b[i], 0);
	/* shorter: written up to its sz only */
	memset(&step, 0xaa, sizeof(step));
	short_sz = offsetof(struct ipto_plan_step, node);
	step.s.sz = short_sz;
	ck_assert_int_eq(ipto_plan_get_step(f.plan, 0, &step.s), 0);
	ck_assert_int_eq(step.s.action, IPTO_PLAN_ACTION_BIND);
	for (i = short_sz; i < sizeof(step.b); i++)
		ck_assert_uint_eq(step.b[i], 0xaa);

	t = new_takeover(&f);
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	memset(&rep, 0xaa, sizeof(rep));
	rep.r.sz = sizeof(rep.b);
	ck_assert_int_eq(ipto_takeover_get_report(t, 0, &rep.r), 0);
	ck_assert_uint_eq(rep.r.sz, sizeof(rep.b));
	ck_assert_int_eq(rep.r.op, IPTO_REPORT_OP_CHECK_ADAPTER);
	for (i = sizeof(struct ipto_takeover_report); i < sizeof(rep.b); i++)
		ck_assert_uint_eq(rep.b[i], 0);
	ck_assert_int_eq(ipto_takeover_undo(t), 0);
	ipto_takeover_unref(t);

	n = ipto_frame_build(f.ctx, IPTO_FRAME_STYLE_ARP_ANNOUNCE, &mac, &ip, NULL,
			     frame, sizeof(frame));
	ck_assert_int_gt(n, 0);
	memset(&info, 0xaa, sizeof(info));
	info.i.sz = sizeof(info.b);
	ck_assert_int_eq(ipto_frame_parse(frame, (size_t)n, &info.i), 0);
	ck_assert_uint_eq(info.i.sz, sizeof(info.b));
	ck_assert_int_eq(info.i.style, IPTO_FRAME_STYLE_ARP_ANNOUNCE);
	for (i = sizeof(struct ipto_frame_info); i < sizeof(info.b); i++)
		ck_assert_uint_eq(info.b[i], 0);
	test_fixture_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Schedules                                                           */
/* ------------------------------------------------------------------ */

static int try_schedule(struct test_fixture *f, const struct ipto_announce_round *r,
			size_t n)
{
	struct ipto_takeover *t = NULL;
	IPTO_OPTS(ipto_takeover_opts, opts, .binder = f->binder,
		  .injector = f->injector, .rounds = r, .n_rounds = n);
	int err;

	reset_log(f);
	err = ipto_takeover_new(f->ctx, f->plan, &opts, &t);
	if (err == 0)
		ipto_takeover_unref(t);
	else
		ck_assert_ptr_null(t);
	return err;
}

static const struct ipto_announce_round arp_only[] = {
	{ .delay_ms = 0, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) },
};
static const struct ipto_announce_round na_only[] = {
	{ .delay_ms = 0, .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA) },
};
static const struct ipto_announce_round silent[] = {
	{ .delay_ms = 0, .styles = 0 },
	{ .delay_ms = 100, .styles = 0 },
};

START_TEST(schedule_must_send)
{
	static const char *const v4[] = { "192.0.2.10/24", NULL };
	static const char *const v6[] = { "2001:db8::10/64", NULL };
	struct ipto_announce_round many[IPTO_ANNOUNCE_MAX_ROUNDS + 1];
	struct test_fixture f;
	size_t i;

	fixture_init_ips(&f, v4);
	ck_assert_int_eq(try_schedule(&f, na_only, 1), -EINVAL);
	ck_assert_int_eq(f.log.errors, 1);
	ck_assert_ptr_nonnull(strstr(f.log.error_text, "sends no frame"));
	ck_assert_int_eq(try_schedule(&f, silent, 2), -EINVAL);
	ck_assert_int_eq(try_schedule(&f, arp_only, 1), 0);
	ck_assert_int_eq(try_schedule(&f, one_round, 1), 0);
	/* the exported limit is the limit */
	for (i = 0; i < IPTO_ANNOUNCE_MAX_ROUNDS + 1; i++)
		many[i] = arp_only[0];
	ck_assert_int_eq(try_schedule(&f, many, IPTO_ANNOUNCE_MAX_ROUNDS), 0);
	ck_assert_int_eq(try_schedule(&f, many, IPTO_ANNOUNCE_MAX_ROUNDS + 1), -EINVAL);
	test_fixture_fini(&f);

	fixture_init_ips(&f, v6);
	ck_assert_int_eq(try_schedule(&f, arp_only, 1), -EINVAL);
	ck_assert_ptr_nonnull(strstr(f.log.error_text, "sends no frame"));
	ck_assert_int_eq(try_schedule(&f, silent, 2), -EINVAL);
	ck_assert_int_eq(try_schedule(&f, na_only, 1), 0);
	test_fixture_fini(&f);

	/* both families: a schedule that sends for one of them is taken */
	fixture_init(&f);
	ck_assert_int_eq(try_schedule(&f, silent, 2), -EINVAL);
	ck_assert_int_eq(try_schedule(&f, arp_only, 1), 0);
	ck_assert_int_eq(try_schedule(&f, na_only, 1), 0);
	test_fixture_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reference counting and interface names                              */
/* ------------------------------------------------------------------ */

START_TEST(ref_unref_rule)
{
	struct test_fixture f;

	/* NULL passes through every _ref() and is accepted by every _unref() */
	ck_assert_ptr_null(ipto_ctx_ref(NULL));
	ck_assert_ptr_null(ipto_ctx_unref(NULL));
	ck_assert_ptr_null(ipto_pool_ref(NULL));
	ck_assert_ptr_null(ipto_pool_unref(NULL));
	ck_assert_ptr_null(ipto_plan_ref(NULL));
	ck_assert_ptr_null(ipto_plan_unref(NULL));
	ck_assert_ptr_null(ipto_binder_ref(NULL));
	ck_assert_ptr_null(ipto_binder_unref(NULL));
	ck_assert_ptr_null(ipto_injector_ref(NULL));
	ck_assert_ptr_null(ipto_injector_unref(NULL));
	ck_assert_ptr_null(ipto_takeover_ref(NULL));
	ck_assert_ptr_null(ipto_takeover_unref(NULL));

	/* _ref() returns its argument; _unref() always returns NULL, and an
	 * object lives until its last reference goes */
	fixture_init(&f);
	ck_assert_ptr_eq(ipto_binder_ref(f.binder), f.binder);
	ck_assert_ptr_null(ipto_binder_unref(f.binder));
	ck_assert_ptr_eq(ipto_binder_get_ctx(f.binder), f.ctx);
	ck_assert_ptr_eq(ipto_plan_ref(f.plan), f.plan);
	ck_assert_ptr_null(ipto_plan_unref(f.plan));
	ck_assert_uint_eq(ipto_plan_get_step_count(f.plan), 2);
	ck_assert_ptr_eq(ipto_ctx_ref(f.ctx), f.ctx);
	ck_assert_ptr_null(ipto_ctx_unref(f.ctx));
	test_fixture_fini(&f);
}
END_TEST

/* The pool, the binder and the injector share one interface-name rule. */
START_TEST(one_ifname_rule)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a:b", "a b", "a\tb", "a\x7f",
		"0123456789abcdef", /* 16 bytes */
	};
	static const char *const good[] = { "eth0", "0123456789abcde", "br-lan.10" };
	struct test_fixture f;
	struct ipto_mac m = test_mac("02:00:5e:10:03:01");
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	struct ipto_injector_adapter *port;
	size_t i;

	fixture_init(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		port = NULL;
		ck_assert_msg(ipto_pool_add_adapter(f.pool, "standby", bad[i], &m, 0) == -EINVAL,
			      "pool took \"%s\"", bad[i]);
		ck_assert_msg(ipto_binder_adapter_get(f.binder, bad[i], &info) == -EINVAL,
			      "binder took \"%s\"", bad[i]);
		ck_assert_msg(ipto_injector_open(f.injector, bad[i], &port) == -EINVAL,
			      "injector took \"%s\"", bad[i]);
		ck_assert_ptr_null(port);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		m.bytes[5] = (uint8_t)(0x10 + i);
		ck_assert_int_eq(ipto_pool_add_adapter(f.pool, "standby", good[i], &m, 0), 0);
		/* a valid name the dry run does not have: no such device */
		ck_assert_int_eq(ipto_binder_adapter_get(f.binder, good[i], &info), -ENODEV);
		ck_assert_int_eq(ipto_injector_open(f.injector, good[i], &port), 0);
		ipto_injector_close(port);
	}
	test_fixture_fini(&f);
}
END_TEST

static Suite *conventions_suite(void)
{
	Suite *s = suite_create("conventions");

	test_tcase(s, "errors-once", binder_fault_logged_once,
		   injector_fault_logged_once, missing_link_logged_once);
	test_tcase(s, "strerror", strerror_texts, strerror_threads);
	test_tcase(s, "names", enum_names);
	test_tcase(s, "abi", opts_checked_to_last_field, sized_copy_out_rule);
	test_tcase(s, "objects", ref_unref_rule, one_ifname_rule);
	test_tcase(s, "schedule", schedule_must_send);
	return s;
}

IPTO_TEST_MAIN(conventions_suite)
