/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verbs of the ipto command, in one table (verbs.c): a new verb is one
 * entry there plus its handler. Everything that differs between verbs (the
 * options each takes, whether it reads the cluster description, what it
 * requires, its line in --help) is read from its entry.
 */
#ifndef IPTO_EXAMPLES_IPTO_VERBS_H
#define IPTO_EXAMPLES_IPTO_VERBS_H

#include <stdbool.h>
#include <stdio.h>

enum verb_flags {
	/* loads the cluster description (-c/-n/-a) before it runs */
	VERB_DESCRIPTION = 1 << 0,
	/* --fail NODE is required */
	VERB_FAIL = 1 << 1,
	/* --node NAME (a bare name) selects one node, --node SPEC still
	 * describes one; a description is required */
	VERB_NODE_SELECT = 1 << 2,
	/* reads only what this host holds: an adapter of the description
	 * this host does not have is left out of the pool */
	VERB_HERE_ONLY = 1 << 3,
	/* binds addresses and announces them (messages say "done: N frames") */
	VERB_ANNOUNCES = 1 << 4,
};

struct verb {
	const char *name;
	/* its lines under "Commands:" in ipto --help */
	const char *usage;
	/* the long options it takes, space-separated, besides the general
	 * ones every verb takes (--json --verbose --syslog --help --version) */
	const char *options;
	unsigned int flags;         /* enum verb_flags */
	/* its own checks of the command line, before anything is created
	 * (after the common ones its flags ask for); or NULL */
	void (*check)(void);
	/* runs it, once ipto's parser has read the command line */
	int (*run)(void);
	/* or: a verb with options of its own (watch, probe, tickle) reads the
	 * whole command line itself; returns the exit status */
	int (*main)(const struct verb *v, int argc, char **argv);
};

/* verb_find - the verb called @name, or NULL. */
const struct verb *verb_find(const char *name);
/* verb_takes - whether @v takes the option whose long name is @option
 * (without the dashes). */
bool verb_takes(const struct verb *v, const char *option);
/* verb_print_usage - every verb's usage lines, in table order. */
void verb_print_usage(FILE *out);
/* verb_names - "check, plan, ...": every verb, for messages. */
const char *verb_names(void);
/* verb_word - the verb of an ipto command line: the first word of @argv
 * that is no option and no option's value (which options take a value is
 * read from the getopt tables ipto_options and watch_options), or NULL. */
const char *verb_word(int argc, char **argv);

/* The handlers (ipto.c, watch.c). */
int cmd_check(void);
int cmd_plan(void);
int cmd_takeover(void);
int cmd_release(void);
int cmd_status(void);
int cmd_reclaim(void);
int cmd_adapters(void);
int cmd_cleanup(void);
int cmd_announce(void);
int cmd_frames(void);
int cmd_neighbours(void);
void check_reclaim(void);
void check_announce(void);
void check_frames(void);
int cmd_watch(void);
int cmd_probe(void);
int cmd_tickle(void);
/* watch.c's reader of the command line, for watch, probe and tickle: then
 * v->run() */
int watch_verb_main(const struct verb *v, int argc, char **argv);

#endif
