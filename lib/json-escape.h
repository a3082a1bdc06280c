/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one JSON string escaper, a static helper compiled into each user:
 * the library's plan formatter and the ipto command (which uses only the
 * public API otherwise and includes this file by path). Not installed.
 */
#ifndef IPTO_JSON_ESCAPE_H
#define IPTO_JSON_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Receives @n bytes of output at @p. */
typedef void (*ipto_json_put_fn)(void *ctx, const char *p, size_t n);

static inline int ipto_json_plain(unsigned char c)
{
	return c != '"' && c != '\\' && c >= 0x20 && c != 0x7f;
}

/*
 * Writes @s (NULL writes "") as a JSON string through @put: quotes,
 * backslashes and control characters escaped, other bytes as given (names
 * are expected to be UTF-8), runs of plain bytes in one call.
 */
static inline void ipto_json_escape(const char *s, ipto_json_put_fn put,
				    void *ctx)
{
	size_t i = 0, run;

	put(ctx, "\"", 1);
	while (s && s[i]) {
		unsigned char c = (unsigned char)s[i];
		char e[8];

		for (run = 0; s[i + run] && ipto_json_plain((unsigned char)s[i + run]);
		     run++)
			;
		if (run) {
			put(ctx, s + i, run);
			i += run;
			continue;
		}
		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			put(ctx, e, 2);
		} else {
			snprintf(e, sizeof(e), "\\u%04x", c);
			put(ctx, e, 6);
		}
		i++;
	}
	put(ctx, "\"", 1);
}

#endif /* IPTO_JSON_ESCAPE_H */
