/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-error: the one error path of the ipto command (examples/ipto/), all
 * its verbs, watch, probe and tickle included.
 *
 * Every failure is recorded with cli_error_set() (an exit status, an errno
 * and a message) and printed once with cli_error_emit(): one line
 * "PREFIX: MESSAGE" on stderr, the same to syslog with --syslog, and with
 * --json one JSON object on stdout,
 *
 *   {"error":{"code":"EINVAL","errno":22,"message":"...","exit":2}}
 *
 * A command that prints a result document puts that same object in the
 * document's "error" member with cli_error_json_value() (null when there
 * is no error) and cli_error_emit() then prints no second object. See
 * ipto(1), OUTPUT and Errors.
 */
#ifndef IPTO_EXAMPLES_CLI_ERROR_H
#define IPTO_EXAMPLES_CLI_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

/* cli_error_setup - @prefix starts each stderr line ("ipto"); @hint ends
 * the line of a usage error (" (see ipto --help)"). Both are kept. */
void cli_error_setup(const char *prefix, const char *hint);
/* cli_error_set_json - with @on, errors print their JSON object. */
void cli_error_set_json(bool on);
/* cli_error_set_syslog - with @on, open syslog (facility daemon, ident
 * "ipto", with the pid) and send every error and cli_log() line to it. */
void cli_error_set_syslog(bool on);
bool cli_error_syslog(void);
/* cli_log - @msg to syslog at @prio (with --syslog; else nothing). */
void cli_log(int prio, const char *msg);

/* cli_errno_code - "EINVAL" for EINVAL, or NULL. */
const char *cli_errno_code(int err);

/* cli_error_vset / cli_error_set - record an error: exit @status, @err
 * an errno of either sign (0: EINVAL), @usage for a usage error (the
 * hint follows the stderr line). Returns @status. */
int cli_error_vset(int status, int err, bool usage, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
int cli_error_set(int status, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* cli_error_json_value - print the recorded error as a JSON value (null
 * when there is none); the document being printed now carries it. */
void cli_error_json_value(void);
/* cli_error_emit - print the recorded error and forget it. Returns its
 * exit status. */
int cli_error_emit(void);

/* The shorthands every verb uses (each records the error, then emits it):
 * cli_die_usage - a bad command line: exit 2, EINVAL, the hint follows.
 * cli_die_config - a bad description or argument found with errno @err:
 *	exit 2, no hint.
 * cli_fail - a failure with errno @err (either sign): returns
 *	EXIT_FAILURE for the caller to exit with. */
void cli_die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void cli_die_config(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
int cli_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
