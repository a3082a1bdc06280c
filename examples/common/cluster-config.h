/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cluster-config: the cluster description shared by the example programs
 * `ipto` and `ipto-agent`, read from a small config file and/or command-line
 * specs into a struct ipto_pool. Public libipto API only.
 *
 * Config file, one directive a line, '#' starts a comment:
 *
 *   node NAME ADDR/PREFIX... [mac=MAC]...
 *   adapter STANDBY IFNAME [mac=MAC] [management]
 *   neighbour ADDR [MAC] [node=NAME]
 *   neighbours-file NODE PATH
 *
 * A neighbour line names a host to tell directly (a directed ARP request
 * or NS, doc/neighbour-list.md) when a node's addresses are taken over:
 * with node=, only that node's; the node must be described first. A
 * neighbours-file line names the node's neighbour list on this host,
 * read at takeover time (a missing file is no error then).
 *
 * The command-line specs are the same words joined by commas:
 *   node:    NAME,ADDR/PREFIX,...[,mac=MAC]
 *   adapter: STANDBY,IFNAME[,mac=MAC][,management]
 *
 * An adapter given without mac= gets its MAC from a binder (the adapter's
 * own, read from the kernel) in cluster_resolve_macs().
 *
 * Errors come back as a negative errno plus one line of text in a caller's
 * buffer, "WHERE: WHY", where WHERE names the bad argument or FILE:LINE and
 * WHY is libipto's own explanation when it gave one (see diag_*()).
 */
#ifndef IPTO_EXAMPLES_CLUSTER_CONFIG_H
#define IPTO_EXAMPLES_CLUSTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <ipto/ipto.h>

/* ---- diagnostics: route libipto's log ------------------------------- */

/*
 * diag_setup - install a log function on @ctx: with @verbose 0, library
 * errors are not printed but kept (the first since diag_reset()), so the
 * program can print one line that says what went wrong; with @verbose 1
 * (2), every message of priority INFO (DEBUG) or more severe is printed to
 * stderr as "PROG: ..." as well.
 */
void diag_setup(struct ipto_ctx *ctx, const char *prog, int verbose);
/* diag_set_syslog - with @on, every message diag prints to stderr goes
 * to syslog(3) too (the program calls openlog()). */
void diag_set_syslog(bool on);
/* diag_reset - forget the kept error. */
void diag_reset(void);
/* diag_first - the first library error since diag_reset() (without the
 * newline), or NULL. */
const char *diag_first(void);
/* diag_why - diag_first(), or ipto_strerror(@err) when there is none. */
const char *diag_why(int err);

/* ---- the cluster ----------------------------------------------------- */

struct cluster;

/* cluster_new - an empty description with its own pool. Returns 0 or a
 * negative errno. */
int cluster_new(struct ipto_ctx *ctx, struct cluster **ret);
/* cluster_free - free it (NULL is fine). */
void cluster_free(struct cluster *c);
/* cluster_pool - the pool (no new reference). */
struct ipto_pool *cluster_pool(const struct cluster *c);

/* cluster_load_file - read directives from @path. */
int cluster_load_file(struct cluster *c, const char *path, char *err,
		      size_t errlen);
/* cluster_add_spec - one command-line spec; @kind is "node" or "adapter",
 * @opt the option's name for messages ("--node"). */
int cluster_add_spec(struct cluster *c, const char *kind, const char *opt,
		     const char *spec, char *err, size_t errlen);
/* cluster_add_option - one of the description options of the command
 * line, in the order given: @kind 'c' (-c FILE: cluster_load_file), 'n'
 * (--node SPEC) or 'a' (--adapter SPEC: cluster_add_spec). */
int cluster_add_option(struct cluster *c, int kind, const char *arg, char *err,
		       size_t errlen);
/* cluster_resolve_macs - add the adapters given without mac=, reading each
 * one's MAC through @binder, which sees this host's interfaces only: with
 * @local_standby set, an adapter of any other standby without mac= is an
 * error; NULL treats every standby as local. A NULL @binder fails naming
 * the first such adapter. */
int cluster_resolve_macs(struct cluster *c, struct ipto_binder *binder,
			 const char *local_standby, char *err, size_t errlen);
/* cluster_node_ips - the addresses the description gives @node: writes up
 * to @max to @out, returns how many there are. */
size_t cluster_node_ips(const struct cluster *c, const char *node,
			struct ipto_addr *out, size_t max);
/* cluster_node_of - the node the description gives @ip to, or NULL. */
const char *cluster_node_of(const struct cluster *c, const struct ipto_addr *ip);
/* cluster_resolve_macs_here - the same; with @skip_absent, an adapter
 * this host does not have is left out of the pool (for commands that only
 * read what this host holds: status, release, reclaim). */
int cluster_resolve_macs_here(struct cluster *c, struct ipto_binder *binder,
			      const char *local_standby, bool skip_absent,
			      char *err, size_t errlen);
/* cluster_unresolved - how many adapters still wait for their MAC. */
size_t cluster_unresolved(const struct cluster *c);

/* cluster_node_without_ips - the first node described without any
 * address, or NULL. */
const char *cluster_node_without_ips(const struct cluster *c);

/* cluster_neighbours - the description's neighbour lines that apply to
 * @node (NULL: the lines without node= only), as one neighbour list
 * (malloc()ed, NUL-terminated, its length in *@len); NULL without memory. */
char *cluster_neighbours(const struct cluster *c, const char *node, size_t *len);
/* cluster_neighbours_file - @node's neighbours-file, or NULL. */
const char *cluster_neighbours_file(const struct cluster *c, const char *node);

/* cluster_is_node / cluster_is_standby - whether the name was described. */
bool cluster_is_node(const struct cluster *c, const char *name);
bool cluster_is_standby(const struct cluster *c, const char *name);
/* cluster_node_count / cluster_node_name - the active nodes described, in
 * the order they were first named (@i below the count). */
size_t cluster_node_count(const struct cluster *c);
const char *cluster_node_name(const struct cluster *c, size_t i);

#endif
