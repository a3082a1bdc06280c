/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli-error: see cli-error.h. */
#include "cli-error.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

/* The library's one JSON escaper, a static helper compiled in here too. */
#include "../../lib/json-escape.h"

static struct {
	const char *prefix, *hint;
	bool json, syslog;
	int status;       /* the exit status; 0: no error recorded */
	int err;          /* a positive errno */
	bool usage;
	bool in_document; /* a result document carried it to stdout */
	char msg[1024];
} e = { .prefix = "ipto", .hint = "" };

void cli_error_setup(const char *prefix, const char *hint)
{
	e.prefix = prefix;
	e.hint = hint;
}

void cli_error_set_json(bool on)
{
	e.json = on;
}

void cli_error_set_syslog(bool on)
{
	if (on && !e.syslog)
		openlog("ipto", LOG_PID, LOG_DAEMON);
	e.syslog = on;
}

bool cli_error_syslog(void)
{
	return e.syslog;
}

void cli_log(int prio, const char *msg)
{
	if (e.syslog)
		syslog(prio, "%s", msg);
}

const char *cli_errno_code(int err)
{
	static const struct { int err; const char *code; } codes[] = {
#define C(x) { x, #x }
		C(EPERM), C(ENOENT), C(ESRCH), C(EINTR), C(EIO), C(ENXIO),
		C(E2BIG), C(EBADF), C(EAGAIN), C(ENOMEM), C(EACCES), C(EFAULT),
		C(EBUSY), C(EEXIST), C(ENODEV), C(ENOTDIR), C(EISDIR),
		C(EINVAL), C(ENFILE), C(EMFILE), C(EFBIG), C(ENOSPC), C(EROFS),
		C(EPIPE), C(ERANGE), C(ENAMETOOLONG), C(ENOSYS), C(ELOOP),
		C(ENODATA), C(EPROTO), C(EBADMSG), C(EOVERFLOW), C(EMSGSIZE),
		C(EPROTONOSUPPORT), C(EOPNOTSUPP), C(EAFNOSUPPORT),
		C(EADDRINUSE), C(EADDRNOTAVAIL), C(ENETDOWN), C(ENETUNREACH),
		C(ENOBUFS), C(ENOTCONN), C(ETIMEDOUT), C(ECONNREFUSED),
		C(EHOSTUNREACH), C(EALREADY), C(EINPROGRESS), C(ESTALE),
		C(ECANCELED), C(ENOTRECOVERABLE), C(ENOMEDIUM), C(ENOKEY),
		C(EUCLEAN), C(EREMCHG), C(ENOTUNIQ), C(EBADE),
#undef C
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].err == err)
			return codes[i].code;
	return NULL;
}

int cli_error_vset(int status, int err, bool usage, const char *fmt, va_list ap)
{
	e.status = status;
	e.err = err < 0 ? -err : err ? err : EINVAL;
	e.usage = usage;
	e.in_document = false;
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	return status;
}

int cli_error_set(int status, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_error_vset(status, err, false, fmt, ap);
	va_end(ap);
	return status;
}

static void put_stdout(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	fwrite(p, 1, n, stdout);
}

void cli_error_json_value(void)
{
	const char *code = cli_errno_code(e.err);

	if (!e.status) {
		fputs("null", stdout);
		return;
	}
	fputs("{\"code\":", stdout);
	if (code)
		printf("\"%s\"", code);
	else
		fputs("null", stdout);
	printf(",\"errno\":%d,\"message\":", e.err);
	ipto_json_escape(e.msg, put_stdout, NULL);
	printf(",\"exit\":%d}", e.status);
	e.in_document = true;
}

int cli_error_emit(void)
{
	int status = e.status;

	fprintf(stderr, "%s: %s%s\n", e.prefix, e.msg, e.usage ? e.hint : "");
	cli_log(LOG_ERR, e.msg);
	if (e.json && !e.in_document) {
		fputs("{\"error\":", stdout);
		cli_error_json_value();
		puts("}");
	}
	fflush(stdout);
	e.status = 0;
	return status;
}

void cli_die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_error_vset(2, EINVAL, true, fmt, ap);
	va_end(ap);
	exit(cli_error_emit());
}

void cli_die_config(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_error_vset(2, err, false, fmt, ap);
	va_end(ap);
	exit(cli_error_emit());
}

int cli_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_error_vset(EXIT_FAILURE, err, false, fmt, ap);
	va_end(ap);
	return cli_error_emit();
}
