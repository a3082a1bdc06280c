/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared test fixtures (test-common.h), compiled once. */
#include "test-common.h"

#include <time.h>

void test_log_fn(struct ipto_ctx *ctx, enum ipto_log_priority priority,
		 void *userdata, const char *format, va_list args)
{
	struct test_log *log = userdata;
	size_t used;

	(void)ctx;
	vsnprintf(log->last, sizeof(log->last), format, args);
	used = strlen(log->all);
	snprintf(log->all + used, sizeof(log->all) - used, "%s", log->last);
	log->count++;
	if (priority == IPTO_LOG_PRIORITY_ERROR) {
		used = strlen(log->error_text);
		snprintf(log->error_text + used, sizeof(log->error_text) - used,
			 "%s", log->last);
		log->errors++;
	}
}

struct ipto_ctx *test_ctx_new(struct test_log *log)
{
	struct ipto_ctx *ctx = NULL;

	memset(log, 0, sizeof(*log));
	ck_assert_int_eq(ipto_ctx_new(&ctx), 0);
	ipto_ctx_set_log_fn(ctx, test_log_fn, IPTO_LOG_PRIORITY_DEBUG, log);
	return ctx;
}

void test_ctx_cleanup(struct ipto_ctx **ctx)
{
	*ctx = ipto_ctx_unref(*ctx);
}

void test_fixture_init(struct test_fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->ctx = test_ctx_new(&f->log);
}

void test_fixture_fini(struct test_fixture *f)
{
	ipto_plan_unref(f->plan);
	ipto_injector_unref(f->injector);
	ipto_binder_unref(f->binder);
	ipto_pool_unref(f->pool);
	ipto_ctx_unref(f->ctx);
	memset(f, 0, sizeof(*f));
}

bool log_has(const struct test_log *log, const char *needle)
{
	return strstr(log->last, needle) != NULL;
}

void has(const char *text, const char *want)
{
	ck_assert_msg(strstr(text, want) != NULL, "missing \"%s\" in:\n%s", want, text);
}

void lacks(const char *text, const char *unwanted)
{
	ck_assert_msg(strstr(text, unwanted) == NULL, "unexpected \"%s\" in:\n%s",
		      unwanted, text);
}

struct ipto_addr test_addr(const char *s)
{
	struct ipto_addr a;

	ck_assert_msg(ipto_addr_parse(s, &a) == 0, "bad test address %s", s);
	return a;
}

struct ipto_mac test_mac(const char *s)
{
	struct ipto_mac m;

	ck_assert_msg(ipto_mac_parse(s, &m) == 0, "bad test MAC %s", s);
	return m;
}

struct ipto_pool *pool_new(struct ipto_ctx *ctx)
{
	struct ipto_pool *pool = NULL;

	ck_assert_int_eq(ipto_pool_new(ctx, &pool), 0);
	ck_assert_ptr_nonnull(pool);
	return pool;
}

int add_ip(struct ipto_pool *pool, const char *node, const char *ip)
{
	struct ipto_addr a = test_addr(ip);

	return ipto_pool_add_node_ip(pool, node, &a);
}

int add_mac(struct ipto_pool *pool, const char *node, const char *mac)
{
	struct ipto_mac m = test_mac(mac);

	return ipto_pool_add_node_mac(pool, node, &m);
}

int add_adapter(struct ipto_pool *pool, const char *standby,
		const char *ifname, const char *mac, unsigned int flags)
{
	struct ipto_mac m = test_mac(mac);

	return ipto_pool_add_adapter(pool, standby, ifname, &m, flags);
}

void test_pool_fill(struct ipto_pool *pool, const struct test_pool_row *rows,
		    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct test_pool_row *r = &rows[i];
		int rc;

		switch (r->kind) {
		case 'N':
			rc = ipto_pool_add_node(pool, r->owner);
			break;
		case 'S':
			rc = ipto_pool_add_standby(pool, r->owner);
			break;
		case 'I':
			rc = add_ip(pool, r->owner, r->a);
			break;
		case 'M':
			rc = add_mac(pool, r->owner, r->a);
			break;
		case 'A':
			rc = add_adapter(pool, r->owner, r->a, r->b, r->flags);
			break;
		default:
			ck_abort_msg("pool row %zu: unknown kind '%c'", i, r->kind);
		}
		ck_assert_msg(rc == 0, "pool row %zu ('%c' %s %s): %d", i,
			      r->kind, r->owner, r->a ? r->a : "-", rc);
	}
}

struct ipto_pool *fig1_pool(struct ipto_ctx *ctx)
{
	static const struct test_pool_row rows[] = {
		{ 'N', "op6" },
		{ 'I', "op6", "192.0.2.1/24" },
		{ 'I', "op6", "192.0.2.2/24" },
		{ 'M', "op6", "02:00:00:00:00:04" },
		{ 'M', "op6", "02:00:00:00:00:05" },
		{ 'N', "op8" },
		{ 'I', "op8", "192.0.2.3/24" },
		{ 'M', "op8", "02:00:00:00:00:07" },
		{ 'S', "sb13" },
		{ 'A', "sb13", "lan9", "02:00:00:00:00:09", IPTO_ADAPTER_MANAGEMENT },
		{ 'A', "sb13", "lan10", "02:00:00:00:00:0a", 0 },
	};
	struct ipto_pool *pool = pool_new(ctx);

	TEST_POOL_FILL(pool, rows);
	return pool;
}

char *test_dump(struct ipto_binder *binder)
{
	char *s = NULL;

	ck_assert_int_eq(ipto_binder_dryrun_dump(binder, &s), 0);
	return s;
}

const struct ipto_announce_round test_arp_round[1] = {
	{ .delay_ms = 0,
	  .styles = IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) },
};

struct ipto_takeover *test_takeover_new(struct test_fixture *f,
					struct ipto_plan *plan,
					unsigned int flags,
					const char *standby)
{
	IPTO_OPTS(ipto_takeover_opts, opts, .binder = f->binder,
		  .injector = f->injector, .rounds = test_arp_round,
		  .n_rounds = 1, .flags = flags, .standby = standby);
	struct ipto_takeover *t = NULL;

	ck_assert_int_eq(ipto_takeover_new(f->ctx, plan, &opts, &t), 0);
	return t;
}

TCase *test_tcase_add(Suite *suite, const char *name, ...)
{
	TCase *tc = tcase_create(name);
	const TTest *test;
	va_list ap;

	va_start(ap, name);
	while ((test = va_arg(ap, const TTest *)))
		tcase_add_test(tc, test);
	va_end(ap);
	suite_add_tcase(suite, tc);
	return tc;
}

int test_run_suite(Suite *suite, bool nofork)
{
	SRunner *sr = srunner_create(suite);
	int failed;

	if (nofork)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct ipto_takeover *test_start_first_round(test_make_takeover_fn *make, void *arg,
					     struct ipto_injector *injector,
					     const struct ipto_announce_round *rounds,
					     size_t n, struct ipto_announce_round *used)
{
	unsigned int scale = 1, try;
	uint64_t took = 0;

	ck_assert_uint_ge(n, 2);
	for (try = 0; try < 4; try++, scale *= 10) {
		struct ipto_takeover *t;
		uint64_t before;
		size_t i;

		for (i = 0; i < n; i++) {
			used[i] = rounds[i];
			if (i)
				used[i].delay_ms *= scale;
		}
		t = make(arg, used, n);
		before = mono_ns();
		ck_assert_int_eq(ipto_takeover_start(t), 0);
		took = mono_ns() - before;
		/* round 1 is due at least its delay after start() began */
		if (took < (uint64_t)used[1].delay_ms * 1000000u)
			return t;
		ck_assert_int_eq(ipto_takeover_undo(t), 0);
		ipto_takeover_unref(t);
		ipto_injector_dryrun_clear_frames(injector);
	}
	ck_abort_msg("ipto_takeover_start() took %.1f ms, as long as round 1's delay, "
		     "4 times", (double)took / 1e6);
	return NULL;
}
