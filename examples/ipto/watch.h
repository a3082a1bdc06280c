/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ipto watch, probe, tickle (watch.c), linked into ipto. */
#ifndef IPTO_EXAMPLES_IPTO_WATCH_H
#define IPTO_EXAMPLES_IPTO_WATCH_H

#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>

#include <ipto/ipto.h>

/* The options of watch, probe and tickle (their getopt table). */
extern const struct option watch_options[];

/* watch_print_recent - print the conflicts `ipto watch` recorded in
 * DIR/conflicts.1 and DIR/conflicts (DIR: /run/ipto unless --run-dir or
 * $IPTO_RUN_DIR say otherwise) during the last @minutes, one line each
 * (the recorded JSON object with @json, else text), for `ipto status`.
 * Returns the number printed or a negative errno. */
int watch_print_recent(FILE *out, const char *dir, unsigned int minutes, bool json);

/* One conflict `ipto watch` recorded (the fields of its JSON line). */
struct watch_conflict {
	struct ipto_addr addr;     /* the address claimed */
	char mac[32];              /* the other host's MAC */
	char ifname[64];           /* the adapter it came in on */
	char time[40];             /* UTC, ISO 8601 */
	unsigned long long time_ns; /* CLOCK_REALTIME */
	char frame[32];            /* the frame style */
	char policy[16];           /* defend or report */
	bool defended;
};

/* watch_recent_conflicts - the conflicts recorded in the last @minutes
 * (the record watch_print_recent() reads, in the same directory), oldest
 * first: *out is malloc()ed (NULL for none). Returns the count or a
 * negative errno. */
int watch_recent_conflicts(unsigned int minutes, struct watch_conflict **out);

/* watch_status_conflicts - for `ipto status` (text): when `ipto watch`
 * recorded conflicts in the last @minutes (in /run/ipto or $IPTO_RUN_DIR),
 * a header line and one line per conflict; nothing otherwise. */
void watch_status_conflicts(FILE *out, unsigned int minutes);

#endif
