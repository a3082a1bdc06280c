/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of the ipto command share: the parsed command line
 * (struct cli), the context, the cluster description (one loader for
 * every verb), and the helpers more than one verb group uses. ipto.c reads the command line, verbs.c
 * lists the verbs; takeover.c, status.c, frames.c and watch.c run them.
 */
#ifndef IPTO_EXAMPLES_IPTO_CLI_H
#define IPTO_EXAMPLES_IPTO_CLI_H

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <dirent.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <ipto/ipto.h>
#include <ipto/ipto-dryrun.h> /* --dry-run: outside the stable ABI */

#include "cli-error.h"
#include "cluster-config.h"
#include "verbs.h"
#include "watch.h"

#define EXIT_USAGE 2
#define MAX_ROUNDS IPTO_ANNOUNCE_MAX_ROUNDS
#define MAX_FRAMES 4096

/* ipto status: nothing of what was asked about is held here. */
#define EXIT_NOTHING_HELD 3

enum {
	OPT_SHARE = 256, OPT_KEEP_DEVCONF, OPT_DAD, OPT_SCHEDULE, OPT_BINDER,
	OPT_INJECTOR, OPT_IP, OPT_STYLE, OPT_COUNT, OPT_INTERVAL, OPT_TAKEN_OVER,
	OPT_LOCK_TIMEOUT, OPT_CREATE, OPT_DELETE, OPT_REFRESH, OPT_BACKGROUND,
	OPT_SYSLOG, OPT_NO_DIRECTED, OPT_WRITE,
	OPT_LAST_ /* keep last */
};

struct list {
	char **v;
	size_t n;
};

struct directive {
	int kind; /* 'c', 'n', 'a' */
	const char *arg;
};

struct cli {
	const struct verb *verb;
	const char *cmd_name;
	bool json;
	int verbose;
	const char *binder;
	const char *injector;
	struct list fail;
	struct list *taken;  /* one list per --taken-over */
	size_t n_taken;
	const char *standby;
	bool share, keep_devconf, dad;
	struct ipto_announce_round rounds[MAX_ROUNDS];
	size_t n_rounds;     /* 0: the library's default schedule */
	const char *interface;
	struct list ip_text;
	struct ipto_addr *ips;
	bool have_mac;
	struct ipto_mac mac;
	uint32_t styles;     /* 0: the default per family */
	unsigned int count;
	unsigned int interval_ms;
	const char *output;
	struct directive *dirs;
	size_t n_dirs;
	unsigned int lock_timeout_s; /* 0: the library's default */
	const char *node_sel;        /* status/reclaim --node NODE */
	int mv_action;               /* adapters: 0 list, 1 --create, 2 --delete */
	unsigned int refresh_s;      /* --refresh SEC; 0: none */
	bool background;
	bool no_directed;            /* --no-directed */
	bool seen[OPT_LAST_];
};

/* ipto.c. Global so that everything stays reachable when a usage error
 * exits. */
extern struct cli cli;
extern struct ipto_ctx *ctx;
extern struct cluster *cluster;
extern struct ipto_lock *host_lock;    /* held until exit */
extern struct ipto_binder *run_binder; /* when set, run_plan() uses it */
extern unsigned int run_flags;         /* extra takeover flags */

/* ipto.c: memory, output, the command line's lists */
void *xrealloc(void *p, size_t n);     /* exits on ENOMEM */
void json_str(const char *s);          /* @s as a JSON string on stdout */
void push_list(const char *opt, struct list *l, const char *value);
void free_list(struct list *l);
const char *list_text(const struct list *l);

/* ipto.c: backends (--binder, --injector) */
bool dryrun_binder(void);
int make_binder(struct ipto_binder **ret);
int make_injector(struct ipto_injector **ret);
void seed_dryrun(struct ipto_binder *binder, struct ipto_plan *plan);

/* ipto.c: load_description - builds the cluster description from
 * cli.dirs (in command-line order), reads the MACs it leaves out from
 * this host, and checks --standby, --fail, --taken-over and --node
 * against it: every verb that reads a description (watch, probe and
 * tickle too) goes through it. Exits 2 with the message on any error. */
void load_description(void);

/* ipto.c: plans of the description's nodes (--fail, --taken-over) */
int plan_takeover(const struct list *nodes, struct ipto_plan **plan);
void replay_history(void);
bool in_history(const char *node);
int plan_failed(int r);

/* takeover.c: running a plan, the host lock, the kernel's answers */
int run_plan(struct ipto_plan *plan);
bool dryrun_injector(void);
bool dry_run(void);                    /* the binder or the injector is */
void take_lock(void);
int repair_orphans(bool say_deleted);
int dump_links(struct ipto_binder *binder, struct ipto_adapter_entry **out);
int dump_addrs(struct ipto_binder *binder, struct ipto_addr_entry **out);
size_t node_ips(const char *node, struct ipto_addr **out);
const struct ipto_adapter_entry *link_of(const struct ipto_adapter_entry *links,
					 int nl, int ifindex);

/* status.c: frees what ipto status read (at exit) */
void status_free(void);

/* neighbours.c: the neighbours told directly (doc/neighbour-list.md) */
struct ipto_neigh_set;
int neighbours_build(struct ipto_plan *plan, struct ipto_neigh_set **ret);
void neighbours_json(const struct ipto_neigh_set *set, struct ipto_plan *plan);
void neighbours_text(const struct ipto_neigh_set *set, struct ipto_plan *plan);

#endif
