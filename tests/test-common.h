/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the Check-based tests share, compiled once (test-common.c, linked
 * into every test program): a context whose log the test can read, literal
 * addresses and MACs, the pool builders, the patent's Fig. 1 pool, and the
 * suite runner.
 */
#ifndef IPTO_TEST_COMMON_H
#define IPTO_TEST_COMMON_H

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ipto/ipto.h>
#include <ipto/ipto-dryrun.h>
#include <ipto/ipto-pool.h>

/*
 * A log handler that keeps the last message so tests can assert that an
 * error was explained, not just returned.
 */
struct test_log {
	char last[1024];
	char all[16384]; /* every message, concatenated (truncated when full) */
	int count;
	int errors;	      /* of them at IPTO_LOG_PRIORITY_ERROR */
	char error_text[4096]; /* those, concatenated (truncated when full) */
};

/* The handler test_ctx_new() installs; userdata is a struct test_log. */
void test_log_fn(struct ipto_ctx *ctx, enum ipto_log_priority priority,
		 void *userdata, const char *format, va_list args)
	IPTO_PRINTF_ATTR(4, 0);

/* A context whose messages (all priorities) land in *log. */
struct ipto_ctx *test_ctx_new(struct test_log *log);

/*
 * The fixture most tests start with: TEST_CTX(ctx, log); declares a
 * struct test_log LOG and a context CTX logging into it (test_ctx_new),
 * unreferenced when CTX goes out of scope (cleanup attribute): declare it
 * first, so that it outlives everything made from it. A failed assertion
 * ends the forked test before, and the process takes the context along.
 */
void test_ctx_cleanup(struct ipto_ctx **ctx);
#define TEST_CTX(ctx, log)                                                 \
	struct test_log log;                                               \
	struct ipto_ctx *ctx __attribute__((cleanup(test_ctx_cleanup))) =  \
		test_ctx_new(&log)

/*
 * The objects a test of the engine works with. Each test program fills in
 * what it needs after test_fixture_init() (its own fixture_init: the pool
 * and adapters of its scenario); test_fixture_fini() unreferences what is
 * there (NULL members are fine), the context last.
 */
struct test_fixture {
	struct test_log log;
	struct ipto_ctx *ctx;
	struct ipto_pool *pool;
	struct ipto_plan *plan;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
};

/* Zeroes *f and gives it a context logging into f->log (test_ctx_new). */
void test_fixture_init(struct test_fixture *f);
void test_fixture_fini(struct test_fixture *f);

/*
 * test_start_first_round - a started takeover of which only round 0 has
 * gone out. ipto_takeover_start() sends every round already due when its
 * binds are done, and how long those take is the machine's; a test of what
 * happens between rounds needs round 1 still to come. @make(@arg, ROUNDS,
 * @n) creates the takeover from @rounds with every delay after round 0
 * multiplied by a scale, 1 at first; when the clock says start() ran for
 * as long as round 1's delay, the takeover is undone, @injector's frames
 * are cleared, and it is made again with the scale ten times larger (at
 * most 4 tries). The rounds it was made with are left in @used (@n
 * entries).
 */
typedef struct ipto_takeover *test_make_takeover_fn(void *arg,
		const struct ipto_announce_round *rounds, size_t n);
struct ipto_takeover *test_start_first_round(test_make_takeover_fn *make, void *arg,
					     struct ipto_injector *injector,
					     const struct ipto_announce_round *rounds,
					     size_t n, struct ipto_announce_round *used);

/* The dry-run binder's state as text (ipto_binder_dryrun_dump(),
 * asserted); free() it. */
char *test_dump(struct ipto_binder *binder);

/* The schedule most engine tests take: one ARP announcement, at once. */
extern const struct ipto_announce_round test_arp_round[1];

/*
 * A takeover of @plan through @f's binder and injector on the schedule
 * test_arp_round, with @flags and @standby (NULL: not named); asserted.
 */
struct ipto_takeover *test_takeover_new(struct test_fixture *f,
					struct ipto_plan *plan,
					unsigned int flags,
					const char *standby);

/* Whether the last message contains @needle. */
bool log_has(const struct test_log *log, const char *needle);

/* The last message contains @needle; on failure shows the message. */
#define ck_assert_log(log, needle)                                         \
	ck_assert_msg(log_has(log, needle), "log \"%s\" lacks \"%s\"",     \
		      (log)->last, needle)

/* The text (a modelled state, a log) has / lacks a line; on failure the
 * message shows the whole text, which is what one needs to see. */
void has(const char *text, const char *want);
void lacks(const char *text, const char *unwanted);

/* Parse a literal the test knows is valid; a typo fails the test. */
struct ipto_addr test_addr(const char *s);
struct ipto_mac test_mac(const char *s);

/* A new pool (asserted). */
struct ipto_pool *pool_new(struct ipto_ctx *ctx);

/* ipto_pool_add_node_ip / _node_mac / _adapter with literal values; they
 * return the library's result for the test to assert. */
int add_ip(struct ipto_pool *pool, const char *node, const char *ip);
int add_mac(struct ipto_pool *pool, const char *node, const char *mac);
int add_adapter(struct ipto_pool *pool, const char *standby,
		const char *ifname, const char *mac, unsigned int flags);

/*
 * The patent's Fig. 1 with [0063]: active node op6 has two IPs
 * (192.0.2.1/24, .2/24; MACs ...:04, ...:05), op8 one (192.0.2.3/24,
 * ...:07); standby sb13's adapter lan9 (...:09) takes instructions and
 * doubles as a takeover adapter, lan10 (...:0a) is a takeover adapter, so
 * 9 and 10 are enough for either failure.
 */
struct ipto_pool *fig1_pool(struct ipto_ctx *ctx);

/*
 * One step of a pool built from a table (test_pool_fill): kind 'N' adds
 * node @owner, 'S' standby @owner, 'I' IP @a to node @owner, 'M' MAC @a
 * to node @owner, 'A' adapter @a with MAC @b and @flags to standby
 * @owner. Each step must succeed (asserted, the step named on failure).
 */
struct test_pool_row {
	char kind;
	const char *owner, *a, *b;
	unsigned int flags;
};

void test_pool_fill(struct ipto_pool *pool, const struct test_pool_row *rows,
		    size_t n);
#define TEST_POOL_FILL(pool, rows) \
	test_pool_fill(pool, rows, sizeof(rows) / sizeof((rows)[0]))

/*
 * test_tcase(suite, "name", test, test, ...): a new test case "name" in
 * @suite holding the tests given (START_TEST names), in that order; it is
 * returned for the loop tests (tcase_add_loop_test) that go with them.
 */
TCase *test_tcase_add(Suite *suite, const char *name, ...);
#define test_tcase(suite, ...)                                            \
	test_tcase_add(suite, __VA_ARGS__, (const TTest *)NULL)

/* Run one suite (forking per test unless @nofork); the exit status. */
int test_run_suite(Suite *suite, bool nofork);

/* main() for a test program made of one suite. */
#define IPTO_TEST_MAIN(suite_fn)                                          \
	int main(void)                                                    \
	{                                                                 \
		return test_run_suite(suite_fn(), false);                 \
	}

#endif /* IPTO_TEST_COMMON_H */
