/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto - plan and run network-address takeovers from the command line.
 *
 * Uses libipto's public API only. A cluster manager calls it from a notify
 * or resource-agent hook: "ipto --config cluster.conf takeover --fail
 * alpha". See doc/ipto.1.md and `ipto --help`.
 *
 * Exit status: 0 on success, 1 when the operation failed, 2 for a bad
 * command line or configuration (the one-line message names the argument).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <ipto/ipto.h>

#define EXIT_USAGE 2
#define MAX_LIST 4096

struct cli {
	const char *command;
	bool json;
	int verbose;
	const char *binder;    /* netlink | dryrun */
	const char *injector;  /* packet | pcap | dryrun */
	char *fail[MAX_LIST];  /* --fail / --node for release */
	size_t n_fail;
	const char *standby;
	bool share;
	bool keep_devconf;
	const char *schedule;
	const char *interface;
	const char *ips[MAX_LIST];
	size_t n_ips;
	const char *mac;
	const char *styles;
	unsigned int count;
	unsigned int interval_ms;
	const char *output;
};

static struct ipto_ctx *ctx;
static struct ipto_pool *pool;

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ipto: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see ipto --help)\n", stderr);
	exit(EXIT_USAGE);
}

static int fail(int err, const char *what)
{
	fprintf(stderr, "ipto: %s: %s\n", what, ipto_strerror(err));
	return EXIT_FAILURE;
}

static void log_stderr(struct ipto_ctx *c, enum ipto_log_priority prio,
		       void *userdata, const char *fmt, va_list args)
	__attribute__((format(printf, 4, 0)));
static void log_stderr(struct ipto_ctx *c, enum ipto_log_priority prio,
		       void *userdata, const char *fmt, va_list args)
{
	(void)c;
	(void)userdata;
	fprintf(stderr, "ipto: %s", prio == IPTO_LOG_ERROR ? "" :
				    prio == IPTO_LOG_INFO ? "note: " : "debug: ");
	vfprintf(stderr, fmt, args);
}

static void usage(FILE *out)
{
	fputs(
"Usage: ipto [OPTIONS] COMMAND\n"
"Take over the IP addresses of failed cluster nodes onto a standby's own\n"
"takeover adapters, and announce each move with ARP / unsolicited NA.\n"
"\n"
"Commands:\n"
"  check                  check the pool: adapters >= most IPs on one node\n"
"  plan      --fail NODE  print which IP goes on which adapter\n"
"  takeover  --fail NODE  bind every IP of NODE here and announce it\n"
"  release   --fail NODE  remove what a takeover of NODE bound (failback)\n"
"  announce  --interface IF --ip ADDR   send announcement frames now\n"
"  frames    --ip ADDR --mac MAC --output FILE   write frames to a pcap file\n"
"\n"
"Cluster description (from --config and/or the command line):\n"
"  -c, --config FILE      lines: 'node NAME ADDR/PREFIX... [mac=MAC]...'\n"
"                         and 'adapter STANDBY IFNAME [mac=MAC] [management]'\n"
"  -n, --node SPEC        NAME,ADDR/PREFIX,...[,mac=MAC]  (repeatable)\n"
"  -a, --adapter SPEC     STANDBY,IFNAME[,mac=MAC][,management]  (repeatable)\n"
"\n"
"Options:\n"
"  -f, --fail NODE[,NODE] the failed node(s) (repeatable)\n"
"  -s, --standby NAME     run only this standby's part of the plan\n"
"      --share            allow several IPs on one adapter (shared MAC)\n"
"      --keep-devconf     do not set arp_ignore/arp_announce; only warn\n"
"      --schedule SPEC    announcement rounds: DELAY_MS:STYLE+STYLE,...\n"
"                         e.g. 0:arp-announce+arp-bcast-target+na,1100:arp-bcast-target\n"
"                         (default: the library's schedule; 'once' = one round)\n"
"      --binder NAME      netlink (default) or dryrun\n"
"      --injector NAME    packet (default), pcap or dryrun\n"
"  -i, --interface IF     announce: the adapter to send from\n"
"      --ip ADDR[,ADDR]   announce/frames: the address(es) (repeatable)\n"
"  -m, --mac MAC          announce/frames: the sender MAC (announce: default\n"
"                         the interface's own)\n"
"      --style S[,S]      arp-announce, arp-bcast-target, arp-reply, na\n"
"                         (default: arp-announce,arp-bcast-target / na)\n"
"      --count N          announce: rounds to send (default 1)\n"
"      --interval MS      announce: milliseconds between rounds (default 1100)\n"
"  -o, --output FILE      frames: the pcap file to write\n"
"  -j, --json             machine-readable output\n"
"  -v, --verbose          more messages (twice: debug)\n"
"  -h, --help             this text\n"
"  -V, --version          the version\n"
"\n"
"Exit status: 0 success, 1 failure, 2 bad command line or configuration.\n",
	      out);
}

/* ------------------------------------------------------------------ */
/* Parsing helpers                                                     */
/* ------------------------------------------------------------------ */

static unsigned int parse_uint(const char *opt, const char *s, unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || s[0] == '-' || s[0] == '+')
		die_usage("%s: '%s' is not a number from 0 to %u", opt, s, max);
	return (unsigned int)v;
}

static struct ipto_addr parse_addr(const char *opt, const char *s)
{
	struct ipto_addr a;

	if (ipto_addr_parse(s, &a) < 0)
		die_usage("%s: '%s' is not an IP address (ADDR or ADDR/PREFIX)", opt, s);
	return a;
}

static struct ipto_mac parse_mac(const char *opt, const char *s)
{
	struct ipto_mac m;

	if (ipto_mac_parse(s, &m) < 0)
		die_usage("%s: '%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", opt, s);
	return m;
}

/* Splits a copy of @s on any of @seps into at most @max tokens. */
static size_t split(char *s, const char *seps, char **tok, size_t max)
{
	size_t n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, seps, &save); t && n < max; t = strtok_r(NULL, seps, &save))
		tok[n++] = t;
	return n;
}

static void push_list(const char *opt, const char **list, size_t *n, char *value)
{
	char *tok[MAX_LIST];
	size_t k, i;

	k = split(value, ",", tok, MAX_LIST);
	if (k == 0)
		die_usage("%s: empty list", opt);
	for (i = 0; i < k; i++) {
		if (*n >= MAX_LIST)
			die_usage("%s: too many values", opt);
		list[(*n)++] = tok[i];
	}
}

/* ------------------------------------------------------------------ */
/* Cluster description                                                 */
/* ------------------------------------------------------------------ */

/* Adapters without a MAC get theirs from the binder when one is needed. */
struct pending_adapter {
	char standby[64];
	char ifname[64];
	unsigned int flags;
};
static struct pending_adapter pending[MAX_LIST];
static size_t n_pending;

static void pool_error(const char *where, int err, const char *what)
{
	fprintf(stderr, "ipto: %s: %s: %s\n", where, what, ipto_strerror(err));
	exit(EXIT_USAGE);
}

/* The standbys added so far: an adapter line names its standby, and the
 * first one adds it. */
static bool standby_known(const char *name)
{
	static char names[64][64];
	static size_t n;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	if (n < 64 && strlen(name) < sizeof(names[0]))
		strcpy(names[n++], name);
	return false;
}

/* One directive: tok[0] is "node" or "adapter". */
static void directive(const char *where, char **tok, size_t n)
{
	size_t i;
	int r;

	if (strcmp(tok[0], "node") == 0) {
		if (n < 2)
			die_usage("%s: 'node' needs a name", where);
		r = ipto_pool_add_node(pool, tok[1]);
		if (r < 0)
			pool_error(where, r, tok[1]);
		for (i = 2; i < n; i++) {
			if (strncmp(tok[i], "mac=", 4) == 0) {
				struct ipto_mac m = parse_mac(where, tok[i] + 4);

				r = ipto_pool_add_node_mac(pool, tok[1], &m);
			} else {
				struct ipto_addr a = parse_addr(where, tok[i]);

				r = ipto_pool_add_node_ip(pool, tok[1], &a);
			}
			if (r < 0)
				pool_error(where, r, tok[i]);
		}
	} else if (strcmp(tok[0], "adapter") == 0) {
		struct ipto_mac m;
		bool have_mac = false;
		unsigned int flags = 0;

		if (n < 3)
			die_usage("%s: 'adapter' needs a standby and an interface", where);
		for (i = 3; i < n; i++) {
			if (strncmp(tok[i], "mac=", 4) == 0) {
				m = parse_mac(where, tok[i] + 4);
				have_mac = true;
			} else if (strcmp(tok[i], "management") == 0) {
				flags |= IPTO_ADAPTER_MANAGEMENT;
			} else {
				die_usage("%s: unknown adapter attribute '%s'", where, tok[i]);
			}
		}
		if (!standby_known(tok[1])) {
			r = ipto_pool_add_standby(pool, tok[1]);
			if (r < 0)
				pool_error(where, r, tok[1]);
		}
		if (have_mac) {
			r = ipto_pool_add_adapter(pool, tok[1], tok[2], &m, flags);
			if (r < 0)
				pool_error(where, r, tok[2]);
		} else {
			struct pending_adapter *p = &pending[n_pending];

			if (n_pending >= MAX_LIST || strlen(tok[1]) >= sizeof(p->standby) ||
			    strlen(tok[2]) >= sizeof(p->ifname))
				die_usage("%s: adapter name too long or too many adapters", where);
			strcpy(p->standby, tok[1]);
			strcpy(p->ifname, tok[2]);
			p->flags = flags;
			n_pending++;
		}
	} else {
		die_usage("%s: unknown directive '%s' (node, adapter)", where, tok[0]);
	}
}

static void load_config(const char *path)
{
	char line[8192], where[512], *tok[MAX_LIST];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f) {
		fprintf(stderr, "ipto: --config: %s: %s\n", path, strerror(errno));
		exit(EXIT_USAGE);
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = '\0';
		n = split(line, " \t\r\n", tok, MAX_LIST);
		if (n == 0)
			continue;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		directive(where, tok, n);
	}
	fclose(f);
}

static void cli_directive(const char *kind, const char *opt, char *spec)
{
	char *tok[MAX_LIST];
	size_t n;

	tok[0] = (char *)kind;
	n = split(spec, ",", tok + 1, MAX_LIST - 1);
	directive(opt, tok, n + 1);
}

/* Adds the adapters given without a MAC, reading it from the binder. */
static int resolve_pending(struct ipto_binder *binder)
{
	size_t i;
	int r;

	for (i = 0; i < n_pending; i++) {
		struct ipto_link_info info = { .sz = sizeof(info) };

		if (!binder) {
			fprintf(stderr, "ipto: adapter %s: no mac= given and no binder to read it\n",
				pending[i].ifname);
			return -EINVAL;
		}
		r = ipto_binder_link_get(binder, pending[i].ifname, &info);
		if (r < 0) {
			fprintf(stderr, "ipto: adapter %s: %s\n", pending[i].ifname,
				ipto_strerror(r));
			return r;
		}
		r = ipto_pool_add_adapter(pool, pending[i].standby, pending[i].ifname,
					  &info.mac, pending[i].flags);
		if (r < 0) {
			fprintf(stderr, "ipto: adapter %s: %s\n", pending[i].ifname,
				ipto_strerror(r));
			return r;
		}
	}
	n_pending = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Backends                                                            */
/* ------------------------------------------------------------------ */

static int make_binder(const struct cli *cli, struct ipto_binder **ret)
{
	const char *name = cli->binder ? cli->binder : "netlink";
	int r;

	if (strcmp(name, "netlink") == 0)
		r = ipto_binder_new_netlink(ctx, ret);
	else if (strcmp(name, "dryrun") == 0)
		r = ipto_binder_new_dryrun(ctx, ret);
	else
		die_usage("--binder: unknown binder '%s' (netlink, dryrun)", name);
	if (r < 0)
		fprintf(stderr, "ipto: binder %s: %s\n", name, ipto_strerror(r));
	return r;
}

static int make_injector(const struct cli *cli, struct ipto_injector **ret)
{
	const char *name = cli->injector ? cli->injector : "packet";
	int r;

	if (strcmp(name, "packet") == 0)
		r = ipto_injector_new_packet(ctx, ret);
	else if (strcmp(name, "pcap") == 0)
		r = ipto_injector_new_pcap(ctx, ret);
	else if (strcmp(name, "dryrun") == 0)
		r = ipto_injector_new_dryrun(ctx, ret);
	else
		die_usage("--injector: unknown injector '%s' (packet, pcap, dryrun)", name);
	if (r < 0)
		fprintf(stderr, "ipto: injector %s: %s\n", name, ipto_strerror(r));
	return r;
}

/* The dry-run binder models nothing until told: seed it with the
 * adapters of the pool, as a preview of an empty system. */
static void seed_dryrun(const struct cli *cli, struct ipto_binder *binder,
			struct ipto_plan *plan)
{
	size_t i, n = ipto_plan_get_step_count(plan);

	if (!cli->binder || strcmp(cli->binder, "dryrun") != 0)
		return;
	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		if (ipto_plan_get_step(plan, i, &s) == 0)
			ipto_binder_dryrun_add_link(binder, s.ifname, &s.mac, false);
	}
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

static uint32_t parse_styles(const char *opt, const char *spec, const char *seps)
{
	char copy[1024], *tok[32];
	uint32_t mask = 0;
	size_t n, i;

	if (strlen(spec) >= sizeof(copy))
		die_usage("%s: too long", opt);
	strcpy(copy, spec);
	n = split(copy, seps, tok, 32);
	if (n == 0)
		die_usage("%s: no frame style given", opt);
	for (i = 0; i < n; i++) {
		int s = ipto_frame_style_from_name(tok[i]);

		if (s < 0)
			die_usage("%s: unknown frame style '%s' "
				  "(arp-announce, arp-bcast-target, arp-reply, na)",
				  opt, tok[i]);
		mask |= IPTO_FRAME_STYLE_BIT(s);
	}
	return mask;
}

static size_t parse_schedule(const char *spec, struct ipto_announce_round *r, size_t max)
{
	char copy[4096], *tok[64];
	size_t n, i;

	if (strcmp(spec, "once") == 0) {
		const struct ipto_announce_round *d = ipto_takeover_default_schedule(&n);

		r[0] = d[0];
		return 1;
	}
	if (strlen(spec) >= sizeof(copy))
		die_usage("--schedule: too long");
	strcpy(copy, spec);
	n = split(copy, ",", tok, max < 64 ? max : 64);
	if (n == 0)
		die_usage("--schedule: empty");
	for (i = 0; i < n; i++) {
		char *colon = strchr(tok[i], ':');

		if (!colon)
			die_usage("--schedule: '%s' is not DELAY_MS:STYLE+STYLE", tok[i]);
		*colon = '\0';
		r[i].delay_ms = parse_uint("--schedule", tok[i], 3600000);
		r[i].styles = parse_styles("--schedule", colon + 1, "+");
	}
	return n;
}

static int cmd_check(const struct cli *cli)
{
	int r = ipto_pool_check(pool);
	size_t need = ipto_pool_get_required_capacity(pool);
	size_t have = ipto_pool_get_available_capacity(pool);

	if (cli->json)
		printf("{\"ok\":%s,\"required\":%zu,\"available\":%zu,\"error\":%d}\n",
		       r == 0 ? "true" : "false", need, have, r);
	else
		printf("%s: %zu takeover adapter(s) needed, %zu available\n",
		       r == 0 ? "ok" : "NOT OK", need, have);
	return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int make_plan(const struct cli *cli, struct ipto_plan **plan)
{
	IPTO_OPTS(ipto_plan_opts, opts, .flags = cli->share ? IPTO_PLAN_SHARE_ADAPTERS : 0);

	if (cli->n_fail == 0)
		die_usage("%s: --fail NODE is required", cli->command);
	return ipto_plan_takeover(pool, (const char *const *)cli->fail, cli->n_fail,
				  &opts, plan);
}

static int print_plan(const struct cli *cli, struct ipto_plan *plan)
{
	char *text = NULL;
	int r = ipto_plan_format(plan, cli->json ? IPTO_FORMAT_JSON : IPTO_FORMAT_TEXT,
				 &text);

	if (r < 0)
		return fail(r, "format plan");
	fputs(text, stdout);
	if (*text && text[strlen(text) - 1] != '\n')
		putchar('\n');
	free(text);
	return EXIT_SUCCESS;
}

static const char *op_name(enum ipto_report_op op)
{
	switch (op) {
	case IPTO_REPORT_CHECK_LINK: return "check_link";
	case IPTO_REPORT_OPEN_PORT: return "open_port";
	case IPTO_REPORT_DEVCONF: return "devconf";
	case IPTO_REPORT_ADDR_ADD: return "addr_add";
	case IPTO_REPORT_ADDR_DEL: return "addr_del";
	case IPTO_REPORT_LINK_UP: return "link_up";
	case IPTO_REPORT_ANNOUNCE: return "announce";
	}
	return "unknown";
}

static const char *outcome_name(enum ipto_report_outcome o)
{
	switch (o) {
	case IPTO_OUTCOME_DONE: return "done";
	case IPTO_OUTCOME_FOUND: return "found";
	case IPTO_OUTCOME_FAILED: return "failed";
	case IPTO_OUTCOME_UNDONE: return "undone";
	}
	return "unknown";
}

static void print_report(const struct cli *cli, struct ipto_takeover *t, int result)
{
	size_t i, n = ipto_takeover_get_report_count(t);

	if (cli->json)
		printf("{\"result\":%d,\"error\":\"%s\",\"steps\":[", result,
		       result ? ipto_strerror(result) : "");
	for (i = 0; i < n; i++) {
		struct ipto_takeover_report rep = { .sz = sizeof(rep) };
		char abuf[IPTO_ADDR_STRLEN] = "";

		if (ipto_takeover_get_report(t, i, &rep) < 0)
			break;
		if (rep.addr.family)
			ipto_addr_format(&rep.addr, abuf, sizeof(abuf));
		if (cli->json)
			printf("%s{\"op\":\"%s\",\"outcome\":\"%s\",\"result\":%d,"
			       "\"ifname\":\"%s\",\"addr\":\"%s\",\"round\":%u,"
			       "\"frames\":%u,\"time_us\":%llu}",
			       i ? "," : "", op_name(rep.op), outcome_name(rep.outcome),
			       rep.result, rep.ifname ? rep.ifname : "", abuf, rep.round,
			       rep.frames, (unsigned long long)rep.time_us);
		else if (cli->verbose || rep.outcome != IPTO_OUTCOME_FOUND)
			printf("%8.3f ms  %-10s %-7s %-12s %s%s%s\n",
			       (double)rep.time_us / 1000.0, op_name(rep.op),
			       outcome_name(rep.outcome), rep.ifname ? rep.ifname : "",
			       abuf, rep.result ? "  " : "",
			       rep.result ? ipto_strerror(rep.result) : "");
	}
	if (cli->json)
		printf("]}\n");
}

static int run_plan(const struct cli *cli, struct ipto_plan *plan)
{
	struct ipto_announce_round rounds[64];
	struct ipto_binder *binder = NULL;
	struct ipto_injector *injector = NULL;
	struct ipto_takeover *t = NULL;
	IPTO_OPTS(ipto_takeover_opts, opts, .standby = cli->standby,
		  .flags = cli->keep_devconf ? IPTO_TAKEOVER_KEEP_DEVCONF : 0);
	int r;

	if (cli->schedule) {
		opts.n_rounds = parse_schedule(cli->schedule, rounds, 64);
		opts.rounds = rounds;
	}
	r = make_binder(cli, &binder);
	if (r == 0)
		r = make_injector(cli, &injector);
	if (r < 0)
		goto out;
	seed_dryrun(cli, binder, plan);
	opts.binder = binder;
	opts.injector = injector;
	r = ipto_takeover_new(ctx, plan, &opts, &t);
	if (r < 0) {
		fail(r, "takeover");
		goto out;
	}
	r = ipto_takeover_run(t);
	print_report(cli, t, r);
	if (r < 0 && !cli->json)
		fprintf(stderr, "ipto: %s failed and was rolled back: %s\n",
			cli->command, ipto_strerror(r));
out:
	ipto_takeover_unref(t);
	ipto_injector_unref(injector);
	ipto_binder_unref(binder);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int with_binder_resolved(const struct cli *cli)
{
	struct ipto_binder *binder = NULL;
	int r;

	if (n_pending == 0)
		return 0;
	if (make_binder(cli, &binder) < 0)
		return -EINVAL;
	r = resolve_pending(binder);
	ipto_binder_unref(binder);
	return r;
}

static int cmd_plan_or_takeover(const struct cli *cli, bool run)
{
	struct ipto_plan *plan = NULL;
	int r;

	if (with_binder_resolved(cli) < 0)
		return EXIT_FAILURE;
	r = make_plan(cli, &plan);
	if (r < 0)
		return fail(r, "plan");
	r = run ? run_plan(cli, plan) : print_plan(cli, plan);
	ipto_plan_unref(plan);
	return r;
}

/* Plans are deterministic: the takeover this release undoes is planned
 * again from the same description, committed, then released. */
static int cmd_release(const struct cli *cli)
{
	struct ipto_plan *takeover = NULL, *release = NULL;
	int r;

	if (with_binder_resolved(cli) < 0)
		return EXIT_FAILURE;
	r = make_plan(cli, &takeover);
	if (r == 0)
		r = ipto_pool_commit(pool, takeover);
	if (r == 0)
		r = ipto_plan_release(pool, (const char *const *)cli->fail, cli->n_fail,
				      &release);
	ipto_plan_unref(takeover);
	if (r < 0)
		return fail(r, "release plan");
	r = run_plan(cli, release);
	ipto_plan_unref(release);
	return r;
}

static uint32_t default_styles(const struct ipto_addr *a)
{
	if (a->family == AF_INET6)
		return IPTO_FRAME_STYLE_BIT(IPTO_FRAME_NA);
	return IPTO_FRAME_STYLE_BIT(IPTO_FRAME_ARP_ANNOUNCE) |
	       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_ARP_BCAST_TARGET);
}

/* Builds the frames for every --ip in every applicable style. */
static size_t build_frames(const struct cli *cli, const struct ipto_mac *mac,
			   uint8_t (*bufs)[IPTO_FRAME_MAX_LEN], struct iovec *iov,
			   size_t max)
{
	size_t i, n = 0;
	int style, len;

	for (i = 0; i < cli->n_ips; i++) {
		struct ipto_addr a = parse_addr("--ip", cli->ips[i]);
		uint32_t mask = cli->styles ? parse_styles("--style", cli->styles, ",")
					    : default_styles(&a);
		size_t before = n;

		for (style = IPTO_FRAME_ARP_ANNOUNCE; style <= IPTO_FRAME_NA; style++) {
			bool v6 = a.family == AF_INET6;

			if (!(mask & IPTO_FRAME_STYLE_BIT(style)) ||
			    v6 != (style == IPTO_FRAME_NA))
				continue;
			if (n >= max)
				die_usage("--ip: too many frames");
			len = ipto_frame_build(ctx, style, mac, &a, NULL, bufs[n],
					       IPTO_FRAME_MAX_LEN);
			if (len < 0)
				die_usage("--ip: cannot build a frame for '%s': %s",
					  cli->ips[i], ipto_strerror(len));
			iov[n].iov_base = bufs[n];
			iov[n].iov_len = (size_t)len;
			n++;
		}
		if (n == before)
			die_usage("--style: no style given applies to '%s'", cli->ips[i]);
	}
	return n;
}

static int cmd_announce(const struct cli *cli)
{
	static uint8_t bufs[MAX_LIST][IPTO_FRAME_MAX_LEN];
	static struct iovec iov[MAX_LIST];
	struct ipto_binder *binder = NULL;
	struct ipto_injector *injector = NULL;
	struct ipto_injector_port *port = NULL;
	struct ipto_mac mac;
	unsigned int round;
	size_t n;
	int r;

	if (!cli->interface)
		die_usage("announce: --interface IF is required");
	if (cli->n_ips == 0)
		die_usage("announce: --ip ADDR is required");
	if (cli->mac) {
		mac = parse_mac("--mac", cli->mac);
	} else {
		struct ipto_link_info info = { .sz = sizeof(info) };

		r = make_binder(cli, &binder);
		if (r < 0)
			return EXIT_FAILURE;
		r = ipto_binder_link_get(binder, cli->interface, &info);
		ipto_binder_unref(binder);
		if (r < 0)
			return fail(r, cli->interface);
		mac = info.mac;
	}
	n = build_frames(cli, &mac, bufs, iov, MAX_LIST);
	r = make_injector(cli, &injector);
	if (r < 0)
		return EXIT_FAILURE;
	r = ipto_injector_open(injector, cli->interface, &port);
	if (r < 0) {
		ipto_injector_unref(injector);
		return fail(r, cli->interface);
	}
	for (round = 0; round < cli->count && r >= 0; round++) {
		if (round) {
			struct timespec ts = { .tv_sec = cli->interval_ms / 1000,
					       .tv_nsec = (long)(cli->interval_ms % 1000) * 1000000 };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		r = ipto_injector_send_batch(port, iov, n);
		if (r >= 0 && (size_t)r < n)
			r = -EAGAIN;
	}
	ipto_injector_close(port);
	ipto_injector_unref(injector);
	if (r < 0)
		return fail(r, "send");
	if (cli->json)
		printf("{\"interface\":\"%s\",\"frames\":%zu,\"rounds\":%u}\n",
		       cli->interface, n, cli->count);
	else if (cli->verbose)
		printf("sent %zu frame(s) x %u round(s) on %s\n", n, cli->count,
		       cli->interface);
	return EXIT_SUCCESS;
}

static int cmd_frames(const struct cli *cli)
{
	static uint8_t bufs[MAX_LIST][IPTO_FRAME_MAX_LEN];
	static struct iovec iov[MAX_LIST];
	struct ipto_pcap_writer *w = NULL;
	struct ipto_mac mac;
	size_t n, i;
	int r;

	if (!cli->output)
		die_usage("frames: --output FILE is required");
	if (!cli->mac)
		die_usage("frames: --mac MAC is required");
	if (cli->n_ips == 0)
		die_usage("frames: --ip ADDR is required");
	mac = parse_mac("--mac", cli->mac);
	n = build_frames(cli, &mac, bufs, iov, MAX_LIST);
	r = ipto_pcap_writer_new(ctx, cli->output, &w);
	if (r < 0)
		return fail(r, cli->output);
	for (i = 0; i < n && r >= 0; i++)
		r = ipto_pcap_writer_write(w, iov[i].iov_base, iov[i].iov_len);
	if (r >= 0)
		r = ipto_pcap_writer_close(w);
	else
		ipto_pcap_writer_close(w);
	if (r < 0)
		return fail(r, cli->output);
	if (cli->json)
		printf("{\"output\":\"%s\",\"frames\":%zu}\n", cli->output, n);
	else
		printf("wrote %zu frame(s) to %s\n", n, cli->output);
	return EXIT_SUCCESS;
}

enum {
	OPT_SHARE = 256, OPT_KEEP_DEVCONF, OPT_SCHEDULE, OPT_BINDER, OPT_INJECTOR,
	OPT_IP, OPT_STYLE, OPT_COUNT, OPT_INTERVAL,
};

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{ "adapter", required_argument, NULL, 'a' },
		{ "fail", required_argument, NULL, 'f' },
		{ "standby", required_argument, NULL, 's' },
		{ "share", no_argument, NULL, OPT_SHARE },
		{ "keep-devconf", no_argument, NULL, OPT_KEEP_DEVCONF },
		{ "schedule", required_argument, NULL, OPT_SCHEDULE },
		{ "binder", required_argument, NULL, OPT_BINDER },
		{ "injector", required_argument, NULL, OPT_INJECTOR },
		{ "interface", required_argument, NULL, 'i' },
		{ "ip", required_argument, NULL, OPT_IP },
		{ "mac", required_argument, NULL, 'm' },
		{ "style", required_argument, NULL, OPT_STYLE },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .count = 1, .interval_ms = 1100 };
	/* Cluster directives are applied after option parsing, in order. */
	struct { char kind; char *arg; } dirs[MAX_LIST];
	size_t n_dirs = 0, i;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:n:a:f:s:i:m:o:jvhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
		case 'n':
		case 'a':
			if (n_dirs >= MAX_LIST)
				die_usage("too many cluster options");
			dirs[n_dirs].kind = (char)c;
			dirs[n_dirs++].arg = optarg;
			break;
		case 'f':
			push_list("--fail", (const char **)cli.fail, &cli.n_fail, optarg);
			break;
		case 's': cli.standby = optarg; break;
		case OPT_SHARE: cli.share = true; break;
		case OPT_KEEP_DEVCONF: cli.keep_devconf = true; break;
		case OPT_SCHEDULE: cli.schedule = optarg; break;
		case OPT_BINDER: cli.binder = optarg; break;
		case OPT_INJECTOR: cli.injector = optarg; break;
		case 'i': cli.interface = optarg; break;
		case OPT_IP: push_list("--ip", cli.ips, &cli.n_ips, optarg); break;
		case 'm': cli.mac = optarg; break;
		case OPT_STYLE: cli.styles = optarg; break;
		case OPT_COUNT: cli.count = parse_uint("--count", optarg, 1000000); break;
		case OPT_INTERVAL: cli.interval_ms = parse_uint("--interval", optarg, 3600000); break;
		case 'o': cli.output = optarg; break;
		case 'j': cli.json = true; break;
		case 'v': cli.verbose++; break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case 'V': printf("ipto %s\n", ipto_version()); return EXIT_SUCCESS;
		default:
			fputs("ipto: see ipto --help\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		die_usage("no command given");
	cli.command = argv[optind++];
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);

	r = ipto_ctx_new(&ctx);
	if (r < 0)
		return fail(r, "context");
	ipto_ctx_set_log_fn(ctx, log_stderr,
			    cli.verbose >= 2 ? IPTO_LOG_DEBUG :
			    cli.verbose ? IPTO_LOG_INFO : IPTO_LOG_ERROR, NULL);
	r = ipto_pool_new(ctx, &pool);
	if (r < 0)
		return fail(r, "pool");
	for (i = 0; i < n_dirs; i++) {
		if (dirs[i].kind == 'c')
			load_config(dirs[i].arg);
		else
			cli_directive(dirs[i].kind == 'n' ? "node" : "adapter",
				      dirs[i].kind == 'n' ? "--node" : "--adapter",
				      dirs[i].arg);
	}

	if (strcmp(cli.command, "check") == 0)
		r = with_binder_resolved(&cli) < 0 ? EXIT_FAILURE : cmd_check(&cli);
	else if (strcmp(cli.command, "plan") == 0)
		r = cmd_plan_or_takeover(&cli, false);
	else if (strcmp(cli.command, "takeover") == 0)
		r = cmd_plan_or_takeover(&cli, true);
	else if (strcmp(cli.command, "release") == 0)
		r = cmd_release(&cli);
	else if (strcmp(cli.command, "announce") == 0)
		r = cmd_announce(&cli);
	else if (strcmp(cli.command, "frames") == 0)
		r = cmd_frames(&cli);
	else
		die_usage("unknown command '%s'", cli.command);

	ipto_pool_unref(pool);
	ipto_ctx_unref(ctx);
	return r;
}
