/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cluster-config: see cluster-config.h. Public libipto API only. */
#include "cluster-config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

/* ------------------------------------------------------------------ */
/* Diagnostics                                                         */
/* ------------------------------------------------------------------ */

static char diag_buf[512];
static bool diag_have;
static const char *diag_prog = "ipto";
static int diag_verbose;
static bool diag_syslog;

static void diag_log(struct ipto_ctx *ctx, enum ipto_log_priority prio,
		     void *userdata, const char *fmt, va_list args)
	__attribute__((format(printf, 4, 0)));
static void diag_log(struct ipto_ctx *ctx, enum ipto_log_priority prio,
		     void *userdata, const char *fmt, va_list args)
{
	char msg[sizeof(diag_buf)];
	size_t len;

	(void)ctx;
	(void)userdata;
	vsnprintf(msg, sizeof(msg), fmt, args);
	len = strlen(msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	if (prio == IPTO_LOG_PRIORITY_ERROR && !diag_have) {
		memcpy(diag_buf, msg, len + 1);
		diag_have = true;
	}
	if (!diag_verbose)
		return;
	fprintf(stderr, "%s: %s%s\n", diag_prog,
		prio == IPTO_LOG_PRIORITY_ERROR ? "" :
		prio == IPTO_LOG_PRIORITY_INFO ? "note: " : "debug: ", msg);
	if (diag_syslog)
		syslog(prio == IPTO_LOG_PRIORITY_ERROR ? LOG_ERR :
		       prio == IPTO_LOG_PRIORITY_INFO ? LOG_INFO : LOG_DEBUG, "%s", msg);
}

void diag_set_syslog(bool on)
{
	diag_syslog = on;
}

void diag_setup(struct ipto_ctx *ctx, const char *prog, int verbose)
{
	diag_prog = prog;
	diag_verbose = verbose;
	ipto_ctx_set_log_fn(ctx, diag_log,
			    verbose >= 2 ? IPTO_LOG_PRIORITY_DEBUG :
			    verbose ? IPTO_LOG_PRIORITY_INFO : IPTO_LOG_PRIORITY_ERROR, NULL);
}

void diag_reset(void)
{
	diag_have = false;
	diag_buf[0] = '\0';
}

const char *diag_first(void)
{
	return diag_have ? diag_buf : NULL;
}

const char *diag_why(int err)
{
	return diag_have ? diag_buf : ipto_strerror(err);
}

/* ------------------------------------------------------------------ */
/* The cluster                                                         */
/* ------------------------------------------------------------------ */

#define MAX_WORDS 1024
#define MAX_LINE 4096

struct pending {
	char *standby;
	char *ifname;
	unsigned int flags;
	char *where;
};

struct names {
	char **v;
	size_t n;
};

struct node_ip {
	char *node;
	struct ipto_addr ip;
};

/* A `neighbour` line (node NULL: every node's) or a `neighbours-file`
 * line (path set). */
struct neigh_line {
	char *node;
	char *text;  /* "ADDR [MAC]\n", the neighbour-list format */
	char *path;
};

struct cluster {
	struct ipto_ctx *ctx;
	struct neigh_line *neigh;
	size_t n_neigh;
	struct ipto_pool *pool;
	struct node_ip *ips; /* every node address, in description order */
	size_t n_ips;
	struct names nodes, standbys;
	struct pending *pending;
	size_t n_pending;
};

static int names_add(struct names *l, const char *name)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	v[l->n] = strdup(name);
	if (!v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static bool names_has(const struct names *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return true;
	return false;
}

static void names_free(struct names *l)
{
	while (l->n)
		free(l->v[--l->n]);
	free(l->v);
	l->v = NULL;
}

int cluster_new(struct ipto_ctx *ctx, struct cluster **ret)
{
	struct cluster *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = ipto_pool_new(ctx, &c->pool);
	if (r < 0) {
		free(c);
		return r;
	}
	c->ctx = ctx;
	*ret = c;
	return 0;
}

void cluster_free(struct cluster *c)
{
	if (!c)
		return;
	while (c->n_pending) {
		struct pending *p = &c->pending[--c->n_pending];

		free(p->standby);
		free(p->ifname);
		free(p->where);
	}
	free(c->pending);
	while (c->n_neigh) {
		struct neigh_line *l = &c->neigh[--c->n_neigh];

		free(l->node);
		free(l->text);
		free(l->path);
	}
	free(c->neigh);
	while (c->n_ips)
		free(c->ips[--c->n_ips].node);
	free(c->ips);
	names_free(&c->nodes);
	names_free(&c->standbys);
	ipto_pool_unref(c->pool);
	free(c);
}

struct ipto_pool *cluster_pool(const struct cluster *c)
{
	return c->pool;
}

bool cluster_is_node(const struct cluster *c, const char *name)
{
	return names_has(&c->nodes, name);
}

bool cluster_is_standby(const struct cluster *c, const char *name)
{
	return names_has(&c->standbys, name);
}

const char *cluster_node_without_ips(const struct cluster *c)
{
	size_t i, k;

	for (i = 0; i < c->nodes.n; i++) {
		for (k = 0; k < c->n_ips && strcmp(c->ips[k].node, c->nodes.v[i]); k++)
			;
		if (k == c->n_ips)
			return c->nodes.v[i];
	}
	return NULL;
}

size_t cluster_node_ips(const struct cluster *c, const char *node,
			struct ipto_addr *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < c->n_ips; i++)
		if (strcmp(c->ips[i].node, node) == 0) {
			if (n < max)
				out[n] = c->ips[i].ip;
			n++;
		}
	return n;
}

const char *cluster_node_of(const struct cluster *c, const struct ipto_addr *ip)
{
	size_t i;

	for (i = 0; i < c->n_ips; i++)
		if (ipto_addr_equal(&c->ips[i].ip, ip))
			return c->ips[i].node;
	return NULL;
}

size_t cluster_node_count(const struct cluster *c)
{
	return c->nodes.n;
}

const char *cluster_node_name(const struct cluster *c, size_t i)
{
	return i < c->nodes.n ? c->nodes.v[i] : NULL;
}

size_t cluster_unresolved(const struct cluster *c)
{
	return c->n_pending;
}

static int say(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int say(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

/* Splits @s in place on any of @seps; -E2BIG when more than @max words. */
static int split(char *s, const char *seps, char **w, size_t max, size_t *n)
{
	char *save = NULL, *t;

	*n = 0;
	for (t = strtok_r(s, seps, &save); t; t = strtok_r(NULL, seps, &save)) {
		if (*n == max)
			return -E2BIG;
		w[(*n)++] = t;
	}
	return 0;
}

static int node_directive(struct cluster *c, const char *where, char **w,
			  size_t n, char *err, size_t errlen)
{
	size_t i;
	int r;

	if (n < 2)
		return say(err, errlen, -EINVAL, "%s: 'node' needs a name", where);
	/* A node may take several lines (more addresses than fit on one):
	 * the first adds it, the next ones add to it. */
	if (!names_has(&c->nodes, w[1])) {
		diag_reset();
		r = ipto_pool_add_node(c->pool, w[1]);
		if (r < 0)
			return say(err, errlen, r, "%s: %s", where, diag_why(r));
		r = names_add(&c->nodes, w[1]);
		if (r < 0)
			return say(err, errlen, r, "%s: %s", where,
				   ipto_strerror(r));
	}
	for (i = 2; i < n; i++) {
		diag_reset();
		if (strncmp(w[i], "mac=", 4) == 0) {
			struct ipto_mac m;

			if (ipto_mac_parse(w[i] + 4, &m) < 0)
				return say(err, errlen, -EINVAL,
					   "%s: '%s' is not a MAC address "
					   "(xx:xx:xx:xx:xx:xx)", where, w[i] + 4);
			r = ipto_pool_add_node_mac(c->pool, w[1], &m);
		} else {
			struct ipto_addr a;

			if (ipto_addr_parse(w[i], &a) < 0)
				return say(err, errlen, -EINVAL,
					   "%s: '%s' is not an IP address "
					   "(ADDR/PREFIX) nor mac=MAC", where, w[i]);
			r = ipto_pool_add_node_ip(c->pool, w[1], &a);
			if (r == 0) {
				struct node_ip *v = realloc(c->ips, (c->n_ips + 1) * sizeof(*v));

				if (!v || !(v[c->n_ips].node = strdup(w[1]))) {
					if (v)
						c->ips = v;
					return say(err, errlen, -ENOMEM, "%s: out of memory",
						   where);
				}
				c->ips = v;
				v[c->n_ips++].ip = a;
			}
		}
		if (r < 0)
			return say(err, errlen, r, "%s: %s", where, diag_why(r));
	}
	return 0;
}

static int ensure_standby(struct cluster *c, const char *where,
			  const char *standby, char *err, size_t errlen);

/* adapter STANDBY macvlan:PARENT count N [base=MAC] [prefix=NAME]:
 * N virtual takeover adapters on PARENT (doc/macvlan.md). */
static int macvlan_directive(struct cluster *c, const char *where, char **w,
			     size_t n, char *err, size_t errlen)
{
	IPTO_OPTS(ipto_macvlan_opts, o);
	const char *parent = w[2] + strlen("macvlan:");
	unsigned long count = 0;
	size_t i;
	int r;

	for (i = 3; i < n; i++) {
		const char *num = NULL;
		char *end;

		if (strcmp(w[i], "count") == 0 && i + 1 < n)
			num = w[++i];
		else if (strncmp(w[i], "count=", 6) == 0)
			num = w[i] + 6;
		if (num) {
			errno = 0;
			count = strtoul(num, &end, 10);
			if (errno || end == num || *end || count == 0 || count > 4096)
				return say(err, errlen, -EINVAL, "%s: count '%s' is "
					   "not a number from 1 to 4096", where, num);
		} else if (strncmp(w[i], "base=", 5) == 0) {
			if (ipto_mac_parse(w[i] + 5, &o.base_mac) < 0)
				return say(err, errlen, -EINVAL,
					   "%s: '%s' is not a MAC address "
					   "(xx:xx:xx:xx:xx:xx)", where, w[i] + 5);
		} else if (strncmp(w[i], "prefix=", 7) == 0) {
			o.name_prefix = w[i] + 7;
		} else {
			return say(err, errlen, -EINVAL,
				   "%s: unknown macvlan attribute '%s' "
				   "(count N, base=MAC, prefix=NAME)", where, w[i]);
		}
	}
	if (!parent[0])
		return say(err, errlen, -EINVAL, "%s: 'macvlan:' needs a parent "
			   "interface (macvlan:eth0)", where);
	if (count == 0)
		return say(err, errlen, -EINVAL, "%s: macvlan adapters need "
			   "'count N'", where);
	r = ensure_standby(c, where, w[1], err, errlen);
	if (r < 0)
		return r;
	diag_reset();
	r = ipto_pool_add_macvlan_adapters(c->pool, w[1], parent,
					   (unsigned int)count, &o);
	if (r < 0)
		return say(err, errlen, r, "%s: %s", where, diag_why(r));
	return 0;
}

static int ensure_standby(struct cluster *c, const char *where,
			  const char *standby, char *err, size_t errlen)
{
	int r;

	if (names_has(&c->standbys, standby))
		return 0;
	diag_reset();
	r = ipto_pool_add_standby(c->pool, standby);
	if (r < 0)
		return say(err, errlen, r, "%s: %s", where, diag_why(r));
	r = names_add(&c->standbys, standby);
	if (r < 0)
		return say(err, errlen, r, "%s: %s", where, ipto_strerror(r));
	return 0;
}

static int adapter_directive(struct cluster *c, const char *where, char **w,
			     size_t n, char *err, size_t errlen)
{
	if (n >= 3 && strncmp(w[2], "macvlan:", 8) == 0)
		return macvlan_directive(c, where, w, n, err, errlen);
	struct ipto_mac m;
	bool have_mac = false;
	unsigned int flags = 0;
	struct pending *p;
	size_t i;
	int r;

	if (n < 3)
		return say(err, errlen, -EINVAL,
			   "%s: 'adapter' needs a standby and an interface", where);
	for (i = 3; i < n; i++) {
		if (strncmp(w[i], "mac=", 4) == 0) {
			if (ipto_mac_parse(w[i] + 4, &m) < 0)
				return say(err, errlen, -EINVAL,
					   "%s: '%s' is not a MAC address "
					   "(xx:xx:xx:xx:xx:xx)", where, w[i] + 4);
			have_mac = true;
		} else if (strcmp(w[i], "management") == 0) {
			flags |= IPTO_ADAPTER_MANAGEMENT;
		} else {
			return say(err, errlen, -EINVAL,
				   "%s: unknown adapter attribute '%s' "
				   "(mac=MAC, management)", where, w[i]);
		}
	}
	if (!names_has(&c->standbys, w[1])) {
		diag_reset();
		r = ipto_pool_add_standby(c->pool, w[1]);
		if (r < 0)
			return say(err, errlen, r, "%s: %s", where, diag_why(r));
		r = names_add(&c->standbys, w[1]);
		if (r < 0)
			return say(err, errlen, r, "%s: %s", where, ipto_strerror(r));
	}
	if (have_mac) {
		diag_reset();
		r = ipto_pool_add_adapter(c->pool, w[1], w[2], &m, flags);
		if (r < 0)
			return say(err, errlen, r, "%s: %s", where, diag_why(r));
		return 0;
	}
	for (i = 0; i < c->n_pending; i++)
		if (strcmp(c->pending[i].standby, w[1]) == 0 &&
		    strcmp(c->pending[i].ifname, w[2]) == 0)
			return say(err, errlen, -EEXIST,
				   "%s: standby %s has adapter %s already", where,
				   w[1], w[2]);
	p = realloc(c->pending, (c->n_pending + 1) * sizeof(*p));
	if (!p)
		return say(err, errlen, -ENOMEM, "%s: out of memory", where);
	c->pending = p;
	p = &c->pending[c->n_pending];
	p->standby = strdup(w[1]);
	p->ifname = strdup(w[2]);
	p->where = strdup(where);
	p->flags = flags;
	if (!p->standby || !p->ifname || !p->where) {
		free(p->standby);
		free(p->ifname);
		free(p->where);
		return say(err, errlen, -ENOMEM, "%s: out of memory", where);
	}
	c->n_pending++;
	return 0;
}

static int neigh_push(struct cluster *c, const char *where, const char *node,
		      char *text, const char *path, char *err, size_t errlen)
{
	struct neigh_line *v = realloc(c->neigh, (c->n_neigh + 1) * sizeof(*v));
	struct neigh_line *l;

	if (!v) {
		free(text);
		return say(err, errlen, -ENOMEM, "%s: out of memory", where);
	}
	c->neigh = v;
	l = &v[c->n_neigh];
	l->node = node ? strdup(node) : NULL;
	l->text = text;
	l->path = path ? strdup(path) : NULL;
	if ((node && !l->node) || (path && !l->path)) {
		free(l->node);
		free(l->text);
		free(l->path);
		return say(err, errlen, -ENOMEM, "%s: out of memory", where);
	}
	c->n_neigh++;
	return 0;
}

/* neighbour ADDR [MAC] [node=NAME]: a neighbour to tell directly when
 * the node's addresses (every node's, without node=) are taken over. The
 * entry is checked as a neighbour list checks it (neighbour-list.md). */
static int neighbour_directive(struct cluster *c, const char *where, char **w,
			       size_t n, char *err, size_t errlen)
{
	const char *node = NULL, *mac = NULL, *why;
	struct ipto_neigh_set *set = NULL;
	char *text;
	size_t i;
	int r;

	if (n < 2)
		return say(err, errlen, -EINVAL, "%s: 'neighbour' needs an address "
			   "(neighbour ADDR [MAC] [node=NAME])", where);
	for (i = 2; i < n; i++) {
		if (strncmp(w[i], "node=", 5) == 0 && !node && w[i][5])
			node = w[i] + 5;
		else if (!mac && !node && strchr(w[i], ':') && !strchr(w[i], '='))
			mac = w[i];
		else
			return say(err, errlen, -EINVAL, "%s: unexpected '%s' "
				   "(neighbour ADDR [MAC] [node=NAME])", where, w[i]);
	}
	if (node && !names_has(&c->nodes, node))
		return say(err, errlen, -ENOENT, "%s: node=%s: no such node (a "
			   "'node' line must come first)", where, node);
	if (asprintf(&text, "%s%s%s\n", w[1], mac ? " " : "", mac ? mac : "") < 0)
		return say(err, errlen, -ENOMEM, "%s: out of memory", where);
	/* the library's own check of a list entry, on a scratch set */
	r = ipto_neigh_set_new(c->ctx, &set);
	if (r == 0) {
		diag_reset();
		r = ipto_neigh_set_parse_list(set, "-", text, strlen(text),
					      IPTO_NEIGH_DESCRIPTION);
		ipto_neigh_set_unref(set);
	}
	if (r < 0) {
		free(text);
		why = diag_why(r);
		if (strncmp(why, "-:1: ", 5) == 0)
			why += 5;
		return say(err, errlen, r, "%s: %s", where, why);
	}
	return neigh_push(c, where, node, text, NULL, err, errlen);
}

/* neighbours-file NODE PATH: the node's neighbour list on this host
 * (doc/neighbour-list.md). Read at takeover time: a missing file is no
 * error then. */
static int neighbours_file_directive(struct cluster *c, const char *where,
				     char **w, size_t n, char *err, size_t errlen)
{
	size_t i;

	if (n != 3)
		return say(err, errlen, -EINVAL, "%s: 'neighbours-file' needs a node "
			   "and a path (neighbours-file NODE PATH)", where);
	if (!names_has(&c->nodes, w[1]))
		return say(err, errlen, -ENOENT, "%s: %s: no such node (a 'node' "
			   "line must come first)", where, w[1]);
	if (w[2][0] != '/')
		return say(err, errlen, -EINVAL, "%s: '%s' is not an absolute path",
			   where, w[2]);
	for (i = 0; i < c->n_neigh; i++)
		if (c->neigh[i].path && strcmp(c->neigh[i].node, w[1]) == 0)
			return say(err, errlen, -EEXIST, "%s: node %s has a "
				   "neighbours-file already", where, w[1]);
	return neigh_push(c, where, w[1], NULL, w[2], err, errlen);
}

static int directive(struct cluster *c, const char *where, char **w, size_t n,
		     char *err, size_t errlen)
{
	if (strcmp(w[0], "node") == 0)
		return node_directive(c, where, w, n, err, errlen);
	if (strcmp(w[0], "adapter") == 0)
		return adapter_directive(c, where, w, n, err, errlen);
	if (strcmp(w[0], "neighbour") == 0)
		return neighbour_directive(c, where, w, n, err, errlen);
	if (strcmp(w[0], "neighbours-file") == 0)
		return neighbours_file_directive(c, where, w, n, err, errlen);
	return say(err, errlen, -EINVAL,
		   "%s: unknown directive '%s' (node, adapter, neighbour, "
		   "neighbours-file)", where, w[0]);
}

char *cluster_neighbours(const struct cluster *c, const char *node, size_t *len)
{
	size_t i, n = 0;
	char *text;

	for (i = 0; i < c->n_neigh; i++)
		if (c->neigh[i].text && (!c->neigh[i].node ||
					 (node && strcmp(c->neigh[i].node, node) == 0)))
			n += strlen(c->neigh[i].text);
	text = malloc(n + 1);
	if (!text)
		return NULL;
	*len = 0;
	for (i = 0; i < c->n_neigh; i++)
		if (c->neigh[i].text && (!c->neigh[i].node ||
					 (node && strcmp(c->neigh[i].node, node) == 0))) {
			memcpy(text + *len, c->neigh[i].text, strlen(c->neigh[i].text));
			*len += strlen(c->neigh[i].text);
		}
	text[*len] = '\0';
	return text;
}

const char *cluster_neighbours_file(const struct cluster *c, const char *node)
{
	size_t i;

	for (i = 0; i < c->n_neigh; i++)
		if (c->neigh[i].path && strcmp(c->neigh[i].node, node) == 0)
			return c->neigh[i].path;
	return NULL;
}

int cluster_load_file(struct cluster *c, const char *path, char *err,
		      size_t errlen)
{
	char line[MAX_LINE + 2], where[300], *w[MAX_WORDS];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	struct stat st;
	size_t n;
	int r = 0;

	if (!f)
		return say(err, errlen, -errno, "--config %s: cannot open it: %s",
			   path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return say(err, errlen, -EISDIR, "--config %s: is a directory, "
			   "not a cluster description file", path);
	}
	errno = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		char *hash;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (len > MAX_LINE || (len == sizeof(line) - 1 && line[len - 1] != '\n')) {
			r = say(err, errlen, -EINVAL, "%s: line longer than %d bytes",
				where, MAX_LINE);
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (split(line, " \t\r\n", w, MAX_WORDS, &n) < 0) {
			r = say(err, errlen, -E2BIG, "%s: more than %d words",
				where, MAX_WORDS);
			break;
		}
		if (n == 0)
			continue;
		r = directive(c, where, w, n, err, errlen);
		if (r < 0)
			break;
	}
	if (r == 0 && ferror(f)) {
		int e = errno ? errno : EIO;

		if (lineno)
			r = say(err, errlen, -e, "--config %s: cannot read it after "
				"line %u: %s", path, lineno, strerror(e));
		else
			r = say(err, errlen, -e, "--config %s: cannot read it: %s",
				path, strerror(e));
	}
	fclose(f);
	return r;
}

int cluster_add_spec(struct cluster *c, const char *kind, const char *opt,
		     const char *spec, char *err, size_t errlen)
{
	char *copy, **w, where[300];
	size_t n, max = 2;
	const char *p;
	int r;

	snprintf(where, sizeof(where), "%s %s", opt, spec);
	/* as many words as the spec has values: a node of thousands of
	 * addresses fits on one --node */
	for (p = spec; *p; p++)
		max += *p == ',';
	copy = strdup(spec);
	w = calloc(max + 1, sizeof(*w));
	if (!copy || !w) {
		free(copy);
		free(w);
		return say(err, errlen, -ENOMEM, "%s: out of memory", where);
	}
	w[0] = (char *)kind;
	r = split(copy, ",", w + 1, max, &n);
	if (r < 0)
		r = say(err, errlen, r, "%s: too many values", where);
	else if (n == 0)
		r = say(err, errlen, -EINVAL, "%s: empty", where);
	else
		r = directive(c, where, w, n + 1, err, errlen);
	free(w);
	free(copy);
	return r;
}

int cluster_resolve_macs(struct cluster *c, struct ipto_binder *binder,
			 const char *local_standby, char *err, size_t errlen)
{
	return cluster_resolve_macs_here(c, binder, local_standby, false, err,
					 errlen);
}

int cluster_resolve_macs_here(struct cluster *c, struct ipto_binder *binder,
			      const char *local_standby, bool skip_absent,
			      char *err, size_t errlen)
{
	while (c->n_pending) {
		struct pending *p = &c->pending[0];
		struct ipto_adapter_info info = { .sz = sizeof(info) };
		int r;

		if (local_standby && strcmp(p->standby, local_standby) != 0)
			return say(err, errlen, -EINVAL,
				   "%s: adapter %s of standby %s needs mac= "
				   "(only %s's own adapters are read here)",
				   p->where, p->ifname, p->standby, local_standby);
		if (!binder)
			return say(err, errlen, -EINVAL,
				   "%s: adapter %s has no mac= and no binder can read it",
				   p->where, p->ifname);
		diag_reset();
		r = ipto_binder_adapter_get(binder, p->ifname, &info);
		if (r == -ENODEV && skip_absent) {
			/* Not an adapter of this host: nothing of it here. */
			free(p->standby);
			free(p->ifname);
			free(p->where);
			memmove(p, p + 1, (c->n_pending - 1) * sizeof(*p));
			c->n_pending--;
			continue;
		}
		if (r == -ENODEV)
			return say(err, errlen, r,
				   "%s: adapter %s has no mac= and this host has no "
				   "interface %s to read it from", p->where, p->ifname,
				   p->ifname);
		if (r < 0)
			return say(err, errlen, r,
				   "%s: cannot read the MAC of adapter %s here: %s",
				   p->where, p->ifname, diag_why(r));
		diag_reset();
		r = ipto_pool_add_adapter(c->pool, p->standby, p->ifname,
					  &info.mac, p->flags);
		if (r < 0)
			return say(err, errlen, r, "%s: %s", p->where, diag_why(r));
		free(p->standby);
		free(p->ifname);
		free(p->where);
		memmove(p, p + 1, (c->n_pending - 1) * sizeof(*p));
		c->n_pending--;
	}
	return 0;
}

int cluster_add_option(struct cluster *c, int kind, const char *arg, char *err,
		       size_t errlen)
{
	if (kind == 'c')
		return cluster_load_file(c, arg, err, errlen);
	return cluster_add_spec(c, kind == 'n' ? "node" : "adapter",
				kind == 'n' ? "--node" : "--adapter", arg, err, errlen);
}
