/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A test hook, not part of the ABI (doc/record.md, "The crash-point test hook"): every change
 * the library makes to the system is a numbered step, and with
 * IPTO_TEST_CRASH_AT=K in the environment the process kills itself with
 * SIGKILL just before step K, as a crash at that point would. With
 * IPTO_TEST_CRASH_COUNT=1 each step is logged to stderr as it is made
 * ("ipto-step N: WHAT DETAIL"), which is how a test learns how many there
 * are. The environment is read once per process.
 */
#include "ipto-private.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static int crash_state;        /* 0 unread, 1 off, 2 on */
static unsigned long crash_at; /* 0: never */
static bool crash_count;
static unsigned long crash_steps;

static void crash_read_env(void)
{
	const char *at = getenv("IPTO_TEST_CRASH_AT");
	const char *count = getenv("IPTO_TEST_CRASH_COUNT");

	crash_at = at ? strtoul(at, NULL, 10) : 0;
	crash_count = count && strcmp(count, "0") != 0;
	crash_state = crash_at || crash_count ? 2 : 1;
}

void ipto_crash_point(const char *what, const char *detail)
{
	unsigned long n;

	if (crash_state == 0)
		crash_read_env();
	if (crash_state != 2)
		return;
	n = __atomic_add_fetch(&crash_steps, 1, __ATOMIC_SEQ_CST);
	if (crash_count)
		fprintf(stderr, "ipto-step %lu: %s %s\n", n, what, detail ? detail : "");
	if (n == crash_at) {
		fprintf(stderr, "ipto-crash: killed before step %lu (%s %s)\n", n, what,
			detail ? detail : "");
		fflush(stderr);
		raise(SIGKILL);
		_exit(137);
	}
}
