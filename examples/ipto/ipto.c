/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto - plan and run network-address takeovers from the command line.
 *
 * Uses libipto's public API only. A cluster manager calls it from a notify
 * or resource-agent hook, e.g. "ipto --config cluster.conf takeover --fail
 * alpha". See ipto(1) (doc/ipto.1) and `ipto --help`.
 *
 * Exit status: 0 on success, 1 when the operation failed, 2 for a bad
 * command line or cluster description; every failure prints one line to
 * stderr that names the bad argument or says what failed, and with --json
 * one error object on stdout (examples/cli-error.c).
 */
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
/* The library's one JSON escaper, a static helper compiled in here too. */
#include "../../lib/json-escape.h"

#define EXIT_USAGE 2
#define MAX_ROUNDS IPTO_ANNOUNCE_MAX_ROUNDS
#define MAX_FRAMES 4096

/* ipto status: nothing of what was asked about is held here. */
#define EXIT_NOTHING_HELD 3

enum {
	OPT_SHARE = 256, OPT_KEEP_DEVCONF, OPT_DAD, OPT_SCHEDULE, OPT_BINDER,
	OPT_INJECTOR, OPT_IP, OPT_STYLE, OPT_COUNT, OPT_INTERVAL, OPT_TAKEN_OVER,
	OPT_LOCK_TIMEOUT, OPT_CREATE, OPT_DELETE, OPT_REFRESH, OPT_BACKGROUND,
	OPT_SYSLOG,
	OPT_LAST_ /* keep last */
};

const struct option ipto_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "create", no_argument, NULL, OPT_CREATE },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "node", required_argument, NULL, 'n' },
	{ "adapter", required_argument, NULL, 'a' },
	{ "fail", required_argument, NULL, 'f' },
	{ "taken-over", required_argument, NULL, OPT_TAKEN_OVER },
	{ "standby", required_argument, NULL, 's' },
	{ "share", no_argument, NULL, OPT_SHARE },
	{ "keep-devconf", no_argument, NULL, OPT_KEEP_DEVCONF },
	{ "dad", no_argument, NULL, OPT_DAD },
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
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "refresh", required_argument, NULL, OPT_REFRESH },
	{ "background", no_argument, NULL, OPT_BACKGROUND },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char *option_name(int val)
{
	static char buf[4];
	size_t i;

	for (i = 0; ipto_options[i].name; i++)
		if (ipto_options[i].val == val) {
			static char name[32];

			snprintf(name, sizeof(name), "--%s", ipto_options[i].name);
			return name;
		}
	snprintf(buf, sizeof(buf), "-%c", val > 32 && val < 127 ? val : '?');
	return buf;
}

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
	bool seen[OPT_LAST_];
};

/* Global so that everything stays reachable when a usage error exits. */
static struct cli cli = { .count = 1, .interval_ms = 1100 };
static struct ipto_ctx *ctx;
static struct cluster *cluster;
static struct ipto_lock *host_lock;     /* held until exit */
static struct ipto_binder *run_binder;  /* when set, run_plan() uses it */
static unsigned int run_flags;          /* extra takeover flags */

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

/* Errors: every failure goes through cli-error.c (cli_die_usage(),
 * cli_die_config(), cli_fail(); see cli-error.h), so that with --json
 * each prints the one JSON error object. */

/* Flushes stdout: @status, or 1 when the output could not be written. */
static int finish_output(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno ? errno : EIO;

		cli.json = false; /* no JSON: stdout is what failed */
		cli_error_set_json(false);
		return cli_fail(e, "cannot write the output: %s", strerror(e));
	}
	return status;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		exit(cli_fail(ENOMEM, "out of memory"));
	return p;
}

static void put_stdout(void *unused, const char *p, size_t n)
{
	fwrite(p, 1, n, stdout);
}

/* Writes @s as a JSON string, by the library's one escaper. */
static void json_str(const char *s)
{
	ipto_json_escape(s, put_stdout, NULL);
}

static void usage(FILE *out)
{
	fputs(
"Usage: ipto [OPTIONS] COMMAND [OPTIONS]\n"
"Take over the IP addresses of failed cluster nodes onto a standby's own\n"
"takeover adapters (keeping each adapter's own MAC), and announce each move\n"
"with ARP / unsolicited neighbour advertisements.\n"
"\n"
"Commands:\n", out);
	verb_print_usage(out);
	fputs(
"\n"
"Cluster description (check, plan, takeover, release):\n"
"  -c, --config FILE      lines 'node NAME ADDR/PREFIX... [mac=MAC]...' and\n"
"                         'adapter STANDBY IFNAME [mac=MAC] [management]'\n"
"                         'adapter STANDBY macvlan:PARENT count N [base=MAC]'\n"
"  -n, --node SPEC        NAME,ADDR/PREFIX,...[,mac=MAC]   (repeatable)\n"
"  -a, --adapter SPEC     STANDBY,IFNAME[,mac=MAC][,management]   (repeatable)\n"
"                         without mac=, the adapter's MAC is read here\n"
"\n"
"Plan options (plan, takeover, release):\n"
"  -f, --fail NODE[,NODE] the failed node(s) (repeatable)\n"
"      --taken-over NODE[,NODE]  node(s) taken over earlier and still on the\n"
"                         standbys; repeat once per earlier takeover, oldest\n"
"                         first, so the plan avoids their adapters\n"
"      --share            allow several IPs on one adapter (they share its MAC)\n"
"  -s, --standby NAME     takeover/release/status: this standby's part only\n"
"      --lock-timeout SEC takeover/release/reclaim: wait at most SEC seconds\n"
"                         for another run on this host (default 10)\n"
"\n"
"Takeover options:\n"
"      --schedule SPEC    announcement rounds DELAY_MS:STYLE+STYLE,... e.g.\n"
"                         0:arp-announce+arp-bcast-target+na,1100:arp-bcast-target\n"
"                         ('once': only the first round of the default)\n"
"      --keep-devconf     do not set arp_ignore/arp_announce; only warn (-v)\n"
"      --dad              add IPv6 addresses with duplicate address detection\n"
"      --binder NAME      netlink (default) or dryrun (changes nothing)\n"
"      --injector NAME    packet (default), pcap or dryrun (sends nothing)\n"
"      --refresh SEC      takeover/reclaim: after the schedule, repeat its last\n"
"                         round every SEC seconds until SIGTERM (exit 0)\n"
"      --background       takeover/reclaim: exit 0 once the addresses are bound\n"
"                         and the first round is out; a child process sends\n"
"                         the rest of the schedule (and the refreshes)\n"
"\n"
"Announce and frames options:\n"
"  -i, --interface IF     announce: the adapter to send from\n"
"      --ip ADDR[,ADDR]   the address(es) to announce (repeatable)\n"
"  -m, --mac MAC          the sender MAC (announce: default the adapter's own)\n"
"      --style S[,S]      arp-announce, arp-bcast-target, arp-reply, na\n"
"                         (default: arp-announce,arp-bcast-target and na)\n"
"      --count N          announce: rounds to send (default 1)\n"
"      --interval MS      announce: milliseconds between rounds (default 1100)\n"
"  -o, --output FILE      frames: the pcap file to write ('-': stdout)\n"
"\n"
"General options:\n"
"  -j, --json             machine-readable output on stdout\n"
"  -v, --verbose          more messages (twice: debug)\n"
"      --syslog           messages also to syslog (facility daemon, ident ipto)\n"
"  -h, --help             this text\n"
"  -V, --version          the version\n"
"\n"
"Exit status: 0 success, 1 failure, 2 bad command line or configuration\n"
"(status: 3 nothing held here). With --json, a failure prints one object\n"
"{\"error\":{\"code\":..,\"errno\":..,\"message\":..,\"exit\":..}} on stdout.\n",
	      out);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

static unsigned int parse_uint(const char *opt, const char *s, unsigned int min,
			       unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-' || s[0] == '+' || s[0] == ' ' ||
	    v < min || v > max)
		cli_die_usage("%s: '%s' is not a number from %u to %u", opt, s, min, max);
	return (unsigned int)v;
}

/* Appends the comma-separated words of @value to @l; no empty word. */
static void push_list(const char *opt, struct list *l, const char *value)
{
	const char *p = value;

	if (!*value)
		cli_die_usage("%s: empty value", opt);
	for (;;) {
		size_t len = strcspn(p, ",");

		if (len == 0)
			cli_die_usage("%s: empty item in '%s'", opt, value);
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n] = xrealloc(NULL, len + 1);
		memcpy(l->v[l->n], p, len);
		l->v[l->n++][len] = '\0';
		if (!p[len])
			break;
		p += len + 1;
	}
}

static void free_list(struct list *l)
{
	while (l->n)
		free(l->v[--l->n]);
	free(l->v);
	l->v = NULL;
}

static uint32_t parse_styles(const char *opt, const char *spec, char sep)
{
	char seps[2] = { sep, '\0' };
	uint32_t mask = 0;
	const char *p = spec;

	if (!*spec)
		cli_die_usage("%s: no frame style given", opt);
	for (;;) {
		size_t len = strcspn(p, seps);
		char name[32];
		int s;

		if (len == 0 || len >= sizeof(name))
			cli_die_usage("%s: bad style list '%s'", opt, spec);
		memcpy(name, p, len);
		name[len] = '\0';
		s = ipto_frame_style_from_name(name);
		if (s == IPTO_FRAME_STYLE_ARP_REQUEST)
			cli_die_usage("%s: 'arp-request' needs an explicit target and "
				  "cannot be used here", opt);
		if (s < 0)
			cli_die_usage("%s: unknown frame style '%s' "
				  "(arp-announce, arp-bcast-target, arp-reply, na)",
				  opt, name);
		mask |= IPTO_FRAME_STYLE_BIT(s);
		if (!p[len])
			break;
		p += len + 1;
	}
	return mask;
}

static void parse_schedule(const char *spec)
{
	const char *p = spec;

	if (strcmp(spec, "once") == 0) {
		size_t n;

		cli.rounds[0] = ipto_takeover_default_schedule(&n)[0];
		cli.n_rounds = 1;
		return;
	}
	if (!*spec)
		cli_die_usage("--schedule: empty");
	for (;;) {
		size_t len = strcspn(p, ",");
		char round[512], *colon;

		if (len == 0 || len >= sizeof(round))
			cli_die_usage("--schedule: bad round in '%s'", spec);
		if (cli.n_rounds == MAX_ROUNDS)
			cli_die_usage("--schedule: more than %d rounds", MAX_ROUNDS);
		memcpy(round, p, len);
		round[len] = '\0';
		colon = strchr(round, ':');
		if (!colon)
			cli_die_usage("--schedule: '%s' is not DELAY_MS:STYLE+STYLE", round);
		*colon = '\0';
		cli.rounds[cli.n_rounds].delay_ms =
			parse_uint("--schedule", round, 0, 3600000);
		cli.rounds[cli.n_rounds].styles =
			parse_styles("--schedule", colon + 1, '+');
		cli.n_rounds++;
		if (!p[len])
			break;
		p += len + 1;
	}
}

/* --json and --syslog apply to the errors of the command line itself:
 * a first pass finds them. */
static void prescan(int argc, char **argv)
{
	/* On a copy: getopt_long() permutes what it reads. */
	char **copy = xrealloc(NULL, ((size_t)argc + 1) * sizeof(*copy));
	int c;

	memcpy(copy, argv, ((size_t)argc + 1) * sizeof(*copy));
	opterr = 0;
	while ((c = getopt_long(argc, copy, ":c:n:a:f:s:i:m:o:jvhV", ipto_options,
				NULL)) != -1) {
		if (c == 'j') {
			cli.json = true;
			cli_error_set_json(true);
		} else if (c == OPT_SYSLOG) {
			cli_error_set_syslog(true);
		}
	}
	free(copy);
	optind = 0; /* glibc: start over, fully reinitialised */
}

/* The options every verb takes. */
static bool general_option(int val)
{
	return val == 'j' || val == 'v' || val == 'h' || val == 'V' ||
	       val == OPT_SYSLOG;
}

static void parse_command_line(int argc, char **argv)
{
	int c, i;

	cli_error_setup("ipto", " (see ipto --help)");
	prescan(argc, argv);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:n:a:f:s:i:m:o:jvhV", ipto_options,
				NULL)) != -1) {
		switch (c) {
		case ':':
			cli_die_usage("%s needs a value", option_name(optopt));
		case '?':
			if (optopt)
				cli_die_usage("unknown option '-%c'", optopt);
			else {
				const char *a = argv[optind - 1];
				size_t len = strcspn(a, "=");

				cli_die_usage("unknown or ambiguous option '%.*s'",
					  (int)len, a);
			}
		case 'h':
			usage(stdout);
			exit(finish_output(0));
		case 'V':
			printf("ipto (libipto) %s\n", ipto_version());
			exit(finish_output(0));
		case 'c':
		case 'n':
		case 'a':
			cli.dirs = xrealloc(cli.dirs, (cli.n_dirs + 1) * sizeof(*cli.dirs));
			cli.dirs[cli.n_dirs].kind = c;
			cli.dirs[cli.n_dirs++].arg = optarg;
			break;
		case 'f': push_list("--fail", &cli.fail, optarg); break;
		case OPT_TAKEN_OVER:
			cli.taken = xrealloc(cli.taken, (cli.n_taken + 1) * sizeof(*cli.taken));
			cli.taken[cli.n_taken] = (struct list){ 0 };
			push_list("--taken-over", &cli.taken[cli.n_taken++], optarg);
			break;
		case 's':
			if (!*optarg)
				cli_die_usage("--standby: empty name");
			cli.standby = optarg;
			break;
		case OPT_SHARE: cli.share = true; break;
		case OPT_KEEP_DEVCONF: cli.keep_devconf = true; break;
		case OPT_DAD: cli.dad = true; break;
		case OPT_SCHEDULE:
			cli.n_rounds = 0;
			parse_schedule(optarg);
			break;
		case OPT_BINDER:
			if (strcmp(optarg, "netlink") && strcmp(optarg, "dryrun"))
				cli_die_usage("--binder: unknown binder '%s' (netlink, dryrun)",
					  optarg);
			cli.binder = optarg;
			break;
		case OPT_INJECTOR:
			if (strcmp(optarg, "packet") && strcmp(optarg, "pcap") &&
			    strcmp(optarg, "dryrun"))
				cli_die_usage("--injector: unknown injector '%s' "
					  "(packet, pcap, dryrun)", optarg);
			cli.injector = optarg;
			break;
		case 'i':
			if (!*optarg || strlen(optarg) > 15)
				cli_die_usage("--interface: '%s' is not an interface name",
					  optarg);
			cli.interface = optarg;
			break;
		case OPT_IP: push_list("--ip", &cli.ip_text, optarg); break;
		case 'm':
			if (ipto_mac_parse(optarg, &cli.mac) < 0)
				cli_die_usage("--mac: '%s' is not a MAC address "
					  "(xx:xx:xx:xx:xx:xx)", optarg);
			if (!(ipto_mac_classify(&cli.mac) & IPTO_MAC_CLASS_UNICAST))
				cli_die_usage("--mac: '%s' is not a unicast MAC address",
					  optarg);
			cli.have_mac = true;
			break;
		case OPT_STYLE: cli.styles = parse_styles("--style", optarg, ','); break;
		case OPT_COUNT: cli.count = parse_uint("--count", optarg, 1, 1000000); break;
		case OPT_INTERVAL:
			cli.interval_ms = parse_uint("--interval", optarg, 0, 3600000);
			break;
		case 'o':
			if (!*optarg)
				cli_die_usage("--output: empty file name");
			cli.output = optarg;
			break;
		case OPT_LOCK_TIMEOUT:
			cli.lock_timeout_s = parse_uint("--lock-timeout", optarg, 1, 3600);
			break;
		case OPT_CREATE: cli.mv_action = 1; break;
		case OPT_DELETE: cli.mv_action = 2; break;
		case OPT_REFRESH:
			cli.refresh_s = parse_uint("--refresh", optarg, 1, 86400);
			break;
		case OPT_BACKGROUND: cli.background = true; break;
		case OPT_SYSLOG: break; /* see prescan() */
		case 'j': cli.json = true; break;
		case 'v': cli.verbose++; break;
		}
		if (c >= 0 && c < OPT_LAST_)
			cli.seen[c] = true;
	}
	if (optind >= argc)
		cli_die_usage("no command given (%s)", verb_names());
	cli.cmd_name = argv[optind++];
	cli.verb = verb_find(cli.cmd_name);
	/* (a verb with a parser of its own never gets here: see main()) */
	if (!cli.verb || !cli.verb->run || cli.verb->main)
		cli_die_usage("unknown command '%s' (%s)", cli.cmd_name, verb_names());
	if (optind < argc)
		cli_die_usage("unexpected argument '%s'", argv[optind]);
	if (cli.mv_action && !verb_takes(cli.verb, "create"))
		cli_die_usage("--create/--delete: options of 'adapters' only");
	/* option_name() is "--NAME" for every option: each has a long name */
	for (i = 0; i < OPT_LAST_; i++)
		if (cli.seen[i] && !general_option(i) &&
		    !verb_takes(cli.verb, option_name(i) + 2))
			cli_die_usage("%s: not an option of '%s'", option_name(i),
				      cli.cmd_name);
}

/* Checks what each verb needs, before anything is created: the common
 * checks its flags ask for, then its own (verb->check). */
static void check_command_line(void)
{
	unsigned int flags = cli.verb->flags;
	size_t i;

	if ((flags & VERB_FAIL) && cli.fail.n == 0)
		cli_die_usage("%s: --fail NODE is required", cli.cmd_name);
	if (flags & VERB_NODE_SELECT) {
		/* Here --node NODE (a bare name) selects a node; --node SPEC
		 * (NAME,ADDR...) still describes one. */
		size_t k = 0;

		for (i = 0; i < cli.n_dirs; i++) {
			if (cli.dirs[i].kind == 'n' && !strchr(cli.dirs[i].arg, ',')) {
				if (cli.node_sel)
					cli_die_usage("--node: give one node");
				cli.node_sel = cli.dirs[i].arg;
				continue;
			}
			cli.dirs[k++] = cli.dirs[i];
		}
		cli.n_dirs = k;
		if (cli.n_dirs == 0)
			cli_die_usage("%s: the cluster description is required (-c FILE, or "
				      "--node SPEC and --adapter SPEC): it says which node each "
				      "address belongs to", cli.cmd_name);
	}
	if (cli.verb->check)
		cli.verb->check();
}

void check_reclaim(void)
{
	if (!cli.node_sel)
		cli_die_usage("reclaim: --node NODE is required");
	if (!cli.interface)
		cli_die_usage("reclaim: --interface IF is required");
	push_list("--node", &cli.fail, cli.node_sel);
}

/* announce and frames: --ip, each a unicast address. */
static void check_ips(void)
{
	size_t i;

	if (cli.ip_text.n == 0)
		cli_die_usage("%s: --ip ADDR is required", cli.cmd_name);
	if (cli.ip_text.n > MAX_FRAMES / 4)
		cli_die_usage("--ip: at most %d addresses", MAX_FRAMES / 4);
	cli.ips = xrealloc(NULL, cli.ip_text.n * sizeof(*cli.ips));
	for (i = 0; i < cli.ip_text.n; i++) {
		struct ipto_addr *a = &cli.ips[i];

		if (ipto_addr_parse(cli.ip_text.v[i], a) < 0)
			cli_die_usage("--ip: '%s' is not an IP address "
				      "(ADDR or ADDR/PREFIX)", cli.ip_text.v[i]);
		if (!(ipto_addr_classify(a) & IPTO_ADDR_CLASS_UNICAST) ||
		    (ipto_addr_classify(a) & IPTO_ADDR_CLASS_LOOPBACK))
			cli_die_usage("--ip: '%s' is not a unicast address",
				      cli.ip_text.v[i]);
	}
}

void check_announce(void)
{
	if (!cli.interface)
		cli_die_usage("announce: --interface IF is required");
	check_ips();
}

void check_frames(void)
{
	check_ips();
	if (!cli.output)
		cli_die_usage("frames: --output FILE is required");
	if (!cli.have_mac)
		cli_die_usage("frames: --mac MAC is required");
	if (cli.json && strcmp(cli.output, "-") == 0)
		cli_die_usage("--json: stdout carries the pcap with --output -");
}

/* ------------------------------------------------------------------ */
/* Backends                                                            */
/* ------------------------------------------------------------------ */

static bool dryrun_binder(void)
{
	return cli.binder && strcmp(cli.binder, "dryrun") == 0;
}

static int make_binder(struct ipto_binder **ret)
{
	const char *name = cli.binder ? cli.binder : "netlink";
	int r;

	diag_reset();
	r = strcmp(name, "dryrun") == 0 ? ipto_binder_new_dryrun(ctx, ret)
					: ipto_binder_new_netlink(ctx, ret);
	if (r < 0)
		cli_fail(r, "--binder %s: %s", name, diag_why(r));
	return r;
}

static int make_injector(struct ipto_injector **ret)
{
	const char *name = cli.injector ? cli.injector : "packet";
	int r;

	diag_reset();
	if (strcmp(name, "pcap") == 0)
		r = ipto_injector_new_pcap(ctx, ret);
	else if (strcmp(name, "dryrun") == 0)
		r = ipto_injector_new_dryrun(ctx, ret);
	else
		r = ipto_injector_new_packet(ctx, ret);
	if (r < 0)
		cli_fail(r, "--injector %s: %s", name, diag_why(r));
	return r;
}

/* The dry-run binder models nothing until told: seed it with the plan's
 * adapters, down and without addresses, as a preview on an empty system. */
static void seed_dryrun(struct ipto_binder *binder, struct ipto_plan *plan)
{
	size_t i, n = ipto_plan_get_step_count(plan);

	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		const char *parent;

		if (ipto_plan_get_step(plan, i, &s) < 0)
			continue;
		/* a virtual adapter: the takeover creates it on its parent */
		if ((s.flags & IPTO_PLAN_STEP_MACVLAN) &&
		    ipto_pool_get_adapter_macvlan(cluster_pool(cluster), s.standby,
						  s.ifname, &parent, NULL) == 0)
			ipto_binder_dryrun_add_adapter(binder, parent, NULL, true);
		else
			ipto_binder_dryrun_add_adapter(binder, s.ifname, &s.mac, false);
	}
}

/* ------------------------------------------------------------------ */
/* Cluster and plans                                                   */
/* ------------------------------------------------------------------ */

/* An empty description, or a node without an address, describes nothing
 * to take over: an error for every command that reads one. */
static void check_description(void)
{
	const char *empty = cluster_node_without_ips(cluster);

	if (cluster_node_count(cluster) == 0)
		cli_die_config(EINVAL, "the cluster description has no active node "
			   "(give -c FILE with 'node' lines, or --node)");
	if (empty)
		cli_die_config(EINVAL, "node %s has no address in the cluster description",
			   empty);
}

static void load_cluster(void)
{
	char err[1024];
	size_t i;
	int r;

	r = cluster_new(ctx, &cluster);
	if (r < 0)
		exit(cli_fail(r, "cannot create a pool: %s", ipto_strerror(r)));
	for (i = 0; i < cli.n_dirs; i++) {
		const struct directive *d = &cli.dirs[i];

		if (d->kind == 'c')
			r = cluster_load_file(cluster, d->arg, err, sizeof(err));
		else
			r = cluster_add_spec(cluster, d->kind == 'n' ? "node" : "adapter",
					     d->kind == 'n' ? "--node" : "--adapter",
					     d->arg, err, sizeof(err));
		if (r < 0)
			cli_die_config(r, "%s", err);
	}
	/* Before the MACs are read, which only the named standby's adapters
	 * may leave out. */
	if (cli.standby && !cluster_is_standby(cluster, cli.standby))
		cli_die_usage("--standby: no standby '%s' in the cluster description",
			  cli.standby);
	check_description();
	if (cluster_unresolved(cluster)) {
		struct ipto_binder *binder = NULL;

		if (make_binder(&binder) < 0)
			exit(EXIT_FAILURE);
		r = cluster_resolve_macs_here(cluster, binder, cli.standby,
					      cli.verb->flags & VERB_HERE_ONLY,
					      err, sizeof(err));
		ipto_binder_unref(binder);
		if (r < 0)
			cli_die_config(r, "%s", err);
	}
	for (i = 0; i < cli.fail.n; i++)
		if (!cluster_is_node(cluster, cli.fail.v[i]))
			cli_die_usage("--fail: no active node '%s' in the cluster description",
				  cli.fail.v[i]);
	for (i = 0; i < cli.n_taken; i++) {
		size_t k;

		for (k = 0; k < cli.taken[i].n; k++)
			if (!cluster_is_node(cluster, cli.taken[i].v[k]))
				cli_die_usage("--taken-over: no active node '%s' in the "
					  "cluster description", cli.taken[i].v[k]);
	}
	if (cli.node_sel && !cluster_is_node(cluster, cli.node_sel))
		cli_die_usage("--node: no active node '%s' in the cluster description",
			  cli.node_sel);
}

static const char *list_text(const struct list *l)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? "," : "", l->v[i]);
	return buf;
}

static int plan_takeover(const struct list *nodes, struct ipto_plan **plan)
{
	IPTO_OPTS(ipto_plan_opts, opts, .flags = cli.share ? IPTO_PLAN_SHARE_ADAPTERS : 0);

	diag_reset();
	return ipto_plan_new_takeover(cluster_pool(cluster),
				  (const char *const *)nodes->v, nodes->n, &opts,
				  plan);
}

/* Plans and commits every earlier takeover (--taken-over), oldest first. */
static void replay_history(void)
{
	size_t i;

	for (i = 0; i < cli.n_taken; i++) {
		struct ipto_plan *plan = NULL;
		int r = plan_takeover(&cli.taken[i], &plan);

		if (r == 0) {
			diag_reset();
			r = ipto_pool_commit(cluster_pool(cluster), plan);
		}
		ipto_plan_unref(plan);
		if (r < 0)
			cli_die_config(r, "--taken-over %s: %s", list_text(&cli.taken[i]),
				   diag_why(r));
	}
}

static bool in_history(const char *node)
{
	size_t i, k;

	for (i = 0; i < cli.n_taken; i++)
		for (k = 0; k < cli.taken[i].n; k++)
			if (strcmp(cli.taken[i].v[k], node) == 0)
				return true;
	return false;
}

/* Reports a failed takeover plan of --fail; returns the exit status. */
static int plan_failed(int r)
{
	/* A node named twice or already taken over is a bad argument; no
	 * room on the standbys is a failure of the operation. */
	if (r == -EEXIST || r == -EALREADY || r == -ENOENT) {
		cli_error_set(EXIT_USAGE, r, "--fail %s: %s", list_text(&cli.fail),
			  diag_why(r));
		return cli_error_emit();
	}
	return cli_fail(r, "%s --fail %s: %s", cli.cmd_name, list_text(&cli.fail),
		       diag_why(r));
}

int cmd_check(void)
{
	struct ipto_pool *pool = cluster_pool(cluster);
	size_t need = ipto_pool_get_required_capacity(pool);
	size_t have = ipto_pool_get_available_capacity(pool);
	int r;

	diag_reset();
	r = ipto_pool_check(pool);
	if (r < 0)
		cli_error_set(EXIT_FAILURE, r, "check: %s", diag_why(r));

	if (cli.json) {
		printf("{\"command\":\"check\",\"ok\":%s,\"required\":%zu,"
		       "\"available\":%zu,\"virtual\":%zu,\"error\":",
		       r == 0 ? "true" : "false", need, have,
		       ipto_pool_get_macvlan_count(pool, NULL));
		cli_error_json_value();
		puts("}");
	} else {
		printf("%s: the largest node has %zu IP(s); the largest standby has "
		       "%zu takeover adapter(s)\n", r == 0 ? "ok" : "NOT OK", need, have);
		if (ipto_pool_get_macvlan_count(pool, NULL))
			printf("virtual takeover adapters (macvlans, created when "
			       "needed): %zu\n", ipto_pool_get_macvlan_count(pool, NULL));
	}
	if (r < 0)
		return cli_error_emit();
	return EXIT_SUCCESS;
}

static int print_plan(struct ipto_plan *plan)
{
	char *text = NULL;
	int r;

	diag_reset();
	r = ipto_plan_format(plan, cli.json ? IPTO_FORMAT_JSON : IPTO_FORMAT_TEXT,
			     &text);
	if (r < 0)
		return cli_fail(r, "cannot format the plan: %s", diag_why(r));
	fputs(text, stdout);
	free(text);
	return EXIT_SUCCESS;
}

int cmd_plan(void)
{
	struct ipto_plan *plan = NULL;
	int r;

	replay_history();
	r = plan_takeover(&cli.fail, &plan);
	if (r < 0)
		return plan_failed(r);
	r = print_plan(plan);
	ipto_plan_unref(plan);
	return r;
}

/* ------------------------------------------------------------------ */
/* Running a plan                                                      */
/* ------------------------------------------------------------------ */

/* The library's names of report entries, "unknown" for a newer value. */
static const char *known(const char *name)
{
	return name ? name : "unknown";
}

#define op_name(op) known(ipto_report_op_name(op))
#define outcome_name(o) known(ipto_report_outcome_name(o))

static bool get_report(struct ipto_takeover *t, size_t i,
		       struct ipto_takeover_report *rep)
{
	*rep = (struct ipto_takeover_report){ .sz = sizeof(*rep) };
	return ipto_takeover_get_report(t, i, rep) == 0;
}

/* What went wrong in a failed report entry, in words: the errno's own
 * text is generic (a MAC check that fails is -EADDRNOTAVAIL, "Cannot
 * assign requested address"). */
static const char *report_error_text(const struct ipto_takeover_report *rep)
{
	if (rep->op == IPTO_REPORT_OP_CHECK_ADAPTER && rep->result == -EADDRNOTAVAIL)
		return "the adapter's MAC is not the one the cluster description gives";
	if (rep->op == IPTO_REPORT_OP_CHECK_ADAPTER && rep->result == -ENODEV)
		return "no such interface on this host";
	if (rep->op == IPTO_REPORT_OP_ADDR_ADD && rep->result == -EADDRINUSE)
		return "the address is on another interface of this host";
	return ipto_strerror(rep->result);
}

/* The report as a table (-v) or a JSON array. */
static void print_report_entries(struct ipto_takeover *t)
{
	size_t i, n = ipto_takeover_get_report_count(t);
	struct ipto_takeover_report rep;

	for (i = 0; i < n && get_report(t, i, &rep); i++) {
		char abuf[IPTO_ADDR_STRLEN] = "";

		if (rep.addr.family)
			ipto_addr_format(&rep.addr, abuf, sizeof(abuf));
		if (cli.json) {
			printf("%s{\"op\":\"%s\",\"outcome\":\"%s\",\"result\":%d,"
			       "\"error\":", i ? "," : "", op_name(rep.op),
			       outcome_name(rep.outcome), rep.result);
			if (rep.result)
				json_str(report_error_text(&rep));
			else
				fputs("null", stdout);
			fputs(",\"ifname\":", stdout);
			json_str(rep.ifname ? rep.ifname : "");
			printf(",\"addr\":\"%s\",\"round\":%u,\"frames\":%u,"
			       "\"time_us\":%llu}", abuf, rep.round, rep.frames,
			       (unsigned long long)rep.time_us);
		} else {
			printf("  %9.3f ms  %-10s %-6s %-15s %s%s%s\n",
			       (double)rep.time_us / 1000.0, op_name(rep.op),
			       outcome_name(rep.outcome), rep.ifname ? rep.ifname : "",
			       abuf, rep.result ? "  " : "",
			       rep.result ? report_error_text(&rep) : "");
		}
	}
}

/* Changes a failed start could not undo (entries still "done"). */
static size_t not_undone(struct ipto_takeover *t)
{
	size_t i, n = ipto_takeover_get_report_count(t), left = 0;
	struct ipto_takeover_report rep;

	for (i = 0; i < n && get_report(t, i, &rep); i++)
		if (rep.outcome == IPTO_REPORT_OUTCOME_DONE && rep.op != IPTO_REPORT_OP_OPEN_ADAPTER &&
		    rep.op != IPTO_REPORT_OP_ANNOUNCE)
			left++;
	return left;
}

/* One line per address: what happened to it (text output). */
static void print_addresses(struct ipto_takeover *t, struct ipto_plan *plan)
{
	size_t i, k, n = ipto_plan_get_step_count(plan);
	size_t nr = ipto_takeover_get_report_count(t);

	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };
		struct ipto_takeover_report rep;
		char ip[IPTO_ADDR_STRLEN], mac[IPTO_MAC_STRLEN];
		const char *what = NULL;

		if (ipto_plan_get_step(plan, i, &s) < 0 ||
		    (cli.standby && strcmp(cli.standby, s.standby) != 0))
			continue;
		for (k = 0; k < nr && get_report(t, k, &rep); k++)
			if ((rep.op == IPTO_REPORT_OP_ADDR_ADD || rep.op == IPTO_REPORT_OP_ADDR_DEL) &&
			    ipto_addr_equal(&rep.addr, &s.ip) && rep.ifname &&
			    strcmp(rep.ifname, s.ifname) == 0)
				what = rep.op == IPTO_REPORT_OP_ADDR_ADD ?
				       (rep.outcome == IPTO_REPORT_OUTCOME_FOUND ? "already on" : "bound on") :
				       (rep.outcome == IPTO_REPORT_OUTCOME_FOUND ? "was not on" : "removed from");
		if (!what)
			continue;
		ipto_addr_format(&s.ip, ip, sizeof(ip));
		ipto_mac_format(&s.mac, mac, sizeof(mac));
		printf("%s of %s %s %s %s (%s)%s\n", ip, s.node, what, s.standby,
		       s.ifname, mac,
		       s.flags & IPTO_PLAN_STEP_MANAGEMENT ? " [management adapter]" : "");
	}
	fflush(stdout);
}

static size_t steps_here(struct ipto_plan *plan)
{
	size_t i, n = ipto_plan_get_step_count(plan), here = 0;

	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		if (ipto_plan_get_step(plan, i, &s) == 0 &&
		    (!cli.standby || strcmp(cli.standby, s.standby) == 0))
			here++;
	}
	return here;
}

/* What a dry run leaves out: the binder changes nothing, the injector
 * sends nothing. */
static bool dryrun_injector(void)
{
	return cli.injector && strcmp(cli.injector, "dryrun") == 0;
}

static bool dry_run(void)
{
	return dryrun_binder() || dryrun_injector();
}

/* Text output: the first line of a dry run says so. */
static void say_dry_run(void)
{
	if (cli.json || !dry_run())
		return;
	printf("dry run: %s%s%s\n",
	       dryrun_binder() ? "nothing is changed on this host" : "",
	       dryrun_binder() && dryrun_injector() ? ", " : "",
	       dryrun_injector() ? "no frame is sent" : "");
}

/* The "dry_run" member of a JSON document (after a comma). */
static void json_dry_run(void)
{
	printf("\"dry_run\":%s,\"dry_run_binder\":%s,\"dry_run_injector\":%s",
	       dry_run() ? "true" : "false", dryrun_binder() ? "true" : "false",
	       dryrun_injector() ? "true" : "false");
}

/* The result document of takeover, release and reclaim; its "error" is
 * the recorded error (null on success). @background: the pid of the
 * process that goes on with the schedule, or 0. */
static void json_result(int r, bool rolled_back, struct ipto_plan *plan,
			struct ipto_takeover *t, long background)
{
	char *text = NULL;

	printf("{\"command\":\"%s\",\"ok\":%s,\"result\":%d,\"error\":",
	       cli.cmd_name, r == 0 ? "true" : "false", r);
	cli_error_json_value();
	printf(",\"rolled_back\":%s,", rolled_back ? "true" : "false");
	json_dry_run();
	fputs(",\"standby\":", stdout);
	if (cli.standby)
		json_str(cli.standby);
	else
		fputs("null", stdout);
	if (background)
		printf(",\"background\":{\"pid\":%ld}", background);
	fputs(",\"plan\":", stdout);
	if (ipto_plan_format(plan, IPTO_FORMAT_JSON, &text) == 0) {
		text[strcspn(text, "\n")] = '\0';
		fputs(text, stdout);
		free(text);
	} else {
		fputs("null", stdout);
	}
	fputs(",\"report\":[", stdout);
	if (t)
		print_report_entries(t);
	puts("]}");
}

/* "takeover --fail a1" or "reclaim --node a1": what the messages are about. */
static const char *run_subject(void)
{
	static char buf[1100];

	snprintf(buf, sizeof(buf), "%s %s %s", cli.cmd_name,
		 cli.verb->flags & VERB_NODE_SELECT ? "--node" : "--fail", list_text(&cli.fail));
	return buf;
}

/* Frames and rounds the report shows sent. */
static void count_sent(struct ipto_takeover *t, unsigned int *frames,
		       unsigned int *rounds)
{
	size_t i, n = ipto_takeover_get_report_count(t);
	struct ipto_takeover_report rep;

	size_t scheduled = cli.n_rounds;

	if (!scheduled)
		ipto_takeover_default_schedule(&scheduled);
	*frames = *rounds = 0;
	for (i = 0; i < n && get_report(t, i, &rep); i++)
		if (rep.op == IPTO_REPORT_OP_ANNOUNCE && rep.outcome == IPTO_REPORT_OUTCOME_DONE) {
			/* The library keeps one entry for all the refreshes of a
			 * port, updated in place: each sent the same frames. */
			*frames += rep.frames * (rep.round >= scheduled ?
						 rep.round - (unsigned int)scheduled + 1 : 1);
			if (rep.round + 1 > *rounds)
				*rounds = rep.round + 1;
		}
}

/* SIGTERM, SIGINT and SIGHUP end a --refresh run (exit 0), read through a
 * signalfd so that no frame is cut in the middle. */
static int stop_fd = -1;

static void block_stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	stop_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (stop_fd < 0) /* then the signals end the run the default way */
		sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * The rest of the schedule after ipto_takeover_start(); with --refresh,
 * the refreshes until a stop signal. Returns 0 or the first negative errno
 * (a round that could not be sent; the rounds after it still go out).
 */
static int run_schedule(struct ipto_takeover *t)
{
	int first = 0, r;

	if (!cli.refresh_s)
		return ipto_takeover_run(t);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = ipto_takeover_get_fd(t), .events = POLLIN },
			{ .fd = stop_fd, .events = POLLIN },
		};

		diag_reset();
		r = ipto_takeover_dispatch(t);
		if (r < 0 && !first)
			first = r;
		if (r == 0)
			return first;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return first ? first : -errno;
		if (p[1].revents) {
			struct signalfd_siginfo si;

			if (read(stop_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				char msg[1300];

				snprintf(msg, sizeof(msg), "%s: stopped by signal %u; the "
					 "addresses stay bound", run_subject(), si.ssi_signo);
				cli_log(LOG_NOTICE, msg);
				if (cli.verbose)
					fprintf(stderr, "ipto: %s\n", msg);
			}
			return first;
		}
	}
}

/* Logs what a run did, for --syslog. */
static void log_done(struct ipto_takeover *t, const char *how)
{
	unsigned int frames, rounds;
	char msg[1400];

	count_sent(t, &frames, &rounds);
	if (cli.verb->flags & VERB_ANNOUNCES)
		snprintf(msg, sizeof(msg), "%s: done%s%s: %u frame(s) in %u round(s)%s",
			 run_subject(), how ? ", " : "", how ? how : "", frames,
			 rounds, dryrun_binder() ? " (dry run: nothing changed)" :
			 dryrun_injector() ? " (dry run: no frame sent)" : "");
	else
		snprintf(msg, sizeof(msg), "%s: done%s", run_subject(),
			 dryrun_binder() ? " (dry run: nothing changed)" : "");
	cli_log(LOG_NOTICE, msg);
}

/*
 * --background: the addresses are bound and the first round is out. The
 * lock is released (the rest only sends frames), then a child takes over
 * the schedule, detached from the caller's terminal and pipes, and the
 * parent reports what it has so far. Returns in both processes: the
 * parent's exit status, or in the child the schedule's.
 */
static int go_background(struct ipto_takeover *t, struct ipto_plan *plan)
{
	pid_t pid;
	int r, fd;

	fflush(stdout);
	fflush(stderr);
	host_lock = ipto_lock_release(host_lock);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		cli_error_set(EXIT_FAILURE, r, "%s: the addresses are bound and the first "
			  "round is out, but --background cannot fork: %s",
			  run_subject(), strerror(-r));
		if (cli.json)
			json_result(r, false, plan, t, 0);
		return cli_error_emit();
	}
	if (pid > 0) {
		unsigned int frames, rounds;

		if (cli.json) {
			json_result(0, false, plan, t, (long)pid);
		} else {
			if (cli.verbose)
				print_report_entries(t);
			count_sent(t, &frames, &rounds);
			printf("announced: %u frame(s) in %u round(s); process %ld "
			       "sends the rest of the schedule\n", frames, rounds,
			       (long)pid);
		}
		return EXIT_SUCCESS;
	}
	/* The child: nothing of it reaches the caller's stdout or stderr. */
	setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	r = run_schedule(t);
	if (r < 0)
		exit(cli_fail(r, "%s: the addresses are bound, but announcing failed: %s",
			     run_subject(), diag_why(r)));
	log_done(t, "in the background");
	exit(EXIT_SUCCESS);
}

/*
 * The packet socket's last close() waits for a network grace period
 * (about 16 ms here, more than the rest of the process: doc/benchmarks.md),
 * and a hook waits for this process, not for that. So after a successful
 * run the lock is released and a small detached child takes a reference
 * to the AF_PACKET sockets, closes everything else, and exits when this
 * process has: the grace period is then paid by the child, off the
 * caller's clock (the approach of systemd's asynchronous_close()). The
 * child changes nothing; if the fork fails the parent just closes as
 * before.
 */
static void close_later(void)
{
	int p[2], fd, dom;
	socklen_t len;
	struct dirent *de;
	DIR *dir;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid > 0) {
		close(p[0]); /* p[1] goes with this process */
		return;
	}
	setsid();
	dir = opendir("/proc/self/fd");
	while (dir && (de = readdir(dir))) {
		fd = atoi(de->d_name);
		if (fd <= STDERR_FILENO || fd == p[0] || fd == dirfd(dir))
			continue;
		len = sizeof(dom);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) == 0 &&
		    dom == AF_PACKET)
			continue;
		close(fd);
	}
	if (dir)
		closedir(dir);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	/* EOF: the parent has exited (its copy of p[1] is gone). */
	while (read(p[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(EXIT_SUCCESS);
}

static int run_plan(struct ipto_plan *plan)
{
	struct ipto_binder *binder = NULL;
	struct ipto_injector *injector = NULL;
	struct ipto_takeover *t = NULL;
	IPTO_OPTS(ipto_takeover_opts, opts,
		  .standby = run_flags & IPTO_TAKEOVER_RECLAIM ? NULL : cli.standby,
		  .flags = (cli.keep_devconf ? IPTO_TAKEOVER_KEEP_DEVCONF : 0) |
			   (cli.dad ? IPTO_TAKEOVER_DAD : 0) | run_flags);
	bool announces = cli.verb->flags & VERB_ANNOUNCES;
	char why[600] = "";
	int r, status = EXIT_FAILURE;

	if (cli.n_rounds) {
		opts.rounds = cli.rounds;
		opts.n_rounds = cli.n_rounds;
	}
	if (announces && cli.refresh_s) {
		/* Until a stop signal (see run_schedule()). */
		opts.refresh_ms = cli.refresh_s * 1000u;
		opts.refresh_count = 0;
	}
	if (!(run_flags & IPTO_TAKEOVER_RECLAIM) && steps_here(plan) == 0) {
		/* The plan puts these nodes on other standbys. */
		if (cli.json)
			json_result(0, false, plan, NULL, 0);
		else
			printf("nothing to do on standby %s\n", cli.standby);
		return EXIT_SUCCESS;
	}
	if (run_binder)
		binder = ipto_binder_ref(run_binder);
	else if (make_binder(&binder) < 0)
		goto out;
	if (make_injector(&injector) < 0)
		goto out;
	if (dryrun_binder() && !run_binder)
		seed_dryrun(binder, plan);
	opts.binder = binder;
	opts.injector = injector;
	diag_reset();
	r = ipto_takeover_new(ctx, plan, &opts, &t);
	if (r < 0) {
		cli_error_set(EXIT_FAILURE, r, "%s: %s", run_subject(), diag_why(r));
		if (cli.json)
			json_result(r, false, plan, NULL, 0);
		cli_error_emit();
		goto out;
	}
	if (announces && cli.refresh_s)
		block_stop_signals();
	say_dry_run();
	diag_reset();
	r = ipto_takeover_start(t);
	if (r < 0) {
		size_t left = not_undone(t);

		cli_error_set(EXIT_FAILURE, r, "%s: %s; %s", run_subject(), diag_why(r),
			  left == 0 ? "nothing was changed" :
			  "AND some changes could not be undone (see -v)");
		if (cli.json)
			json_result(r, left == 0, plan, t, 0);
		else if (cli.verbose)
			print_report_entries(t);
		cli_error_emit();
		goto out;
	}
	if (!cli.json)
		print_addresses(t, plan);
	if (announces && cli.background) {
		status = go_background(t, plan);
		goto out;
	}
	r = run_schedule(t);
	if (r < 0) {
		snprintf(why, sizeof(why), "%s", diag_why(r));
		cli_error_set(EXIT_FAILURE, r, "%s: the addresses are bound, but "
			  "announcing failed: %s", run_subject(), why);
	}
	if (cli.json) {
		json_result(r, false, plan, t, 0);
	} else {
		if (cli.verbose)
			print_report_entries(t);
		if (announces && r == 0) {
			unsigned int frames, rounds;

			count_sent(t, &frames, &rounds);
			printf("announced: %u frame(s) in %u round(s)\n", frames, rounds);
		}
	}
	if (r < 0) {
		cli_error_emit();
		goto out;
	}
	log_done(t, NULL);
	status = EXIT_SUCCESS;
	if (announces && !dryrun_injector() && !(cli.injector && strcmp(cli.injector, "pcap") == 0)) {
		host_lock = ipto_lock_release(host_lock);
		close_later();
	}
out:
	ipto_takeover_unref(t);
	ipto_injector_unref(injector);
	ipto_binder_unref(binder);
	return status;
}

/* One takeover or release at a time on this host: the library's lock
 * (a dry run changes nothing and takes none). Held until exit. */
static void take_lock(void)
{
	IPTO_OPTS(ipto_lock_opts, o, .timeout_ms = cli.lock_timeout_s * 1000u);
	int r;

	if (dryrun_binder() || host_lock)
		return;
	diag_reset();
	r = ipto_lock_acquire(ctx, &o, &host_lock);
	if (r < 0)
		exit(cli_fail(r, "%s: another takeover or release runs on this host: %s",
			     cli.cmd_name, diag_why(r)));
}

/* Reads what this host holds into the pool (the kernel is the record). */
static void load_occupancy(void)
{
	int r;

	if (make_binder(&run_binder) < 0)
		exit(EXIT_FAILURE);
	diag_reset();
	r = ipto_pool_load_occupancy(cluster_pool(cluster), cli.standby, run_binder);
	if (r < 0)
		exit(cli_fail(r, "%s: cannot read what this host holds: %s", cli.cmd_name,
			     diag_why(r)));
}

/* Whether the pool records @node as taken over (by a loaded occupancy). */
static bool held_here(const char *node)
{
	struct ipto_plan *p = NULL;
	const char *v[] = { node };
	bool held = ipto_plan_new_release(cluster_pool(cluster), v, 1, &p) == 0;

	ipto_plan_unref(p);
	return held;
}

int cmd_takeover(void)
{
	struct ipto_plan *plan = NULL;
	size_t i, held = 0;
	int r;

	replay_history();
	if (!dryrun_binder()) {
		take_lock();
		load_occupancy();
		for (i = 0; i < cli.fail.n; i++)
			held += held_here(cli.fail.v[i]);
		if (held && held == cli.fail.n) {
			/* Hooks retry: a takeover that is in place is a success. */
			if (cli.json)
				printf("{\"command\":\"takeover\",\"ok\":true,\"result\":0,"
				       "\"error\":null,\"already\":true}\n");
			else
				printf("%s: taken over here already (see ipto status)\n",
				       list_text(&cli.fail));
			return EXIT_SUCCESS;
		}
		if (held)
			return cli_fail(EEXIST, "takeover --fail %s: some of these nodes are taken "
				       "over here already; take over the others alone",
				       list_text(&cli.fail));
	}
	r = plan_takeover(&cli.fail, &plan);
	if (r < 0)
		return plan_failed(r);
	r = run_plan(plan);
	ipto_plan_unref(plan);
	return r;
}

/* The kernel's answers, sized from the kernel (the library's whole
 * dumps): the count (*out malloc()ed, the caller frees it) or a negative
 * errno. */
static int dump_links(struct ipto_binder *binder, struct ipto_adapter_entry **out)
{
	int n = ipto_binder_adapter_dump_all(binder, out);

	if (n < 0)
		*out = NULL;
	return n;
}

static int dump_addrs(struct ipto_binder *binder, struct ipto_addr_entry **out)
{
	int n = ipto_binder_addr_dump_all(binder, 0, out);

	if (n < 0)
		*out = NULL;
	return n;
}

/* Every address the description gives @node (*out malloc()ed, or NULL
 * for none); returns how many. */
static size_t node_ips(const char *node, struct ipto_addr **out)
{
	size_t n = cluster_node_ips(cluster, node, NULL, 0);

	*out = n ? xrealloc(NULL, n * sizeof(**out)) : NULL;
	return n ? cluster_node_ips(cluster, node, *out, n) : 0;
}

/* The dumped link of @ifindex, or NULL. */
static const struct ipto_adapter_entry *link_of(const struct ipto_adapter_entry *links,
						int nl, int ifindex)
{
	int k;

	for (k = 0; k < nl; k++)
		if (links[k].ifindex == ifindex)
			return &links[k];
	return NULL;
}

/*
 * A pool of one node and one pseudo-standby whose adapters are the node's
 * own interfaces: what reclaim binds, and what release removes of a
 * reclaim. @ifnames[i] carries @ips[i].
 */
static int reclaim_plan(enum ipto_plan_action action, const char *node,
			const struct ipto_addr *ips, char (*ifnames)[16],
			const struct ipto_mac *macs, size_t n,
			struct ipto_pool **pool, struct ipto_plan **plan)
{
	struct ipto_plan_move *moves = xrealloc(NULL, (n ? n : 1) * sizeof(*moves));
	char sb[300];
	size_t i, k;
	int r;

	snprintf(sb, sizeof(sb), "reclaim:%s", node);
	diag_reset();
	r = ipto_pool_new(ctx, pool);
	if (r == 0)
		r = ipto_pool_add_node(*pool, node);
	if (r == 0)
		r = ipto_pool_add_standby(*pool, sb);
	for (i = 0; i < n && r == 0; i++)
		r = ipto_pool_add_node_ip(*pool, node, &ips[i]);
	for (i = 0; i < n && r == 0; i++) {
		for (k = 0; k < i && strcmp(ifnames[k], ifnames[i]); k++)
			;
		if (k == i)
			r = ipto_pool_add_adapter(*pool, sb, ifnames[i], &macs[i], 0);
		moves[i] = (struct ipto_plan_move){ .standby = NULL, .ifname = ifnames[i],
						    .ip = ips[i] };
	}
	for (i = 0; i < n; i++)
		moves[i].standby = sb;
	if (r == 0)
		r = ipto_plan_new_moves(*pool, action, moves, n, plan);
	free(moves);
	return r;
}

/* What a reclaim of @node added on this host (marked in the kernel). */
static int release_reclaimed(const char *node, bool *found)
{
	struct ipto_adapter_entry *links = NULL;
	struct ipto_addr_entry *addrs = NULL;
	struct ipto_addr *ips = NULL;
	struct ipto_mac *macs = NULL;
	char (*ifnames)[16] = NULL;
	struct ipto_pool *pool = NULL;
	struct ipto_plan *plan = NULL;
	int nl, na = 0, i, r;
	size_t n = 0;

	*found = false;
	diag_reset();
	nl = dump_links(run_binder, &links);
	if (nl >= 0)
		na = dump_addrs(run_binder, &addrs);
	if (nl < 0 || na < 0) {
		free(links);
		return cli_fail(nl < 0 ? nl : na, "release: cannot read this host's addresses: %s",
			       diag_why(nl < 0 ? nl : na));
	}
	if (na > 0) {
		ips = xrealloc(NULL, (size_t)na * sizeof(*ips));
		macs = xrealloc(NULL, (size_t)na * sizeof(*macs));
		ifnames = xrealloc(NULL, (size_t)na * sizeof(*ifnames));
	}
	for (i = 0; i < na; i++) {
		const struct ipto_adapter_entry *l;
		const char *owner;

		if (addrs[i].proto != IPTO_ADDR_PROTO_RECLAIM)
			continue;
		owner = cluster_node_of(cluster, &addrs[i].addr);
		if (!owner || strcmp(owner, node) != 0)
			continue;
		l = link_of(links, nl, addrs[i].ifindex);
		if (!l)
			continue;
		ips[n] = addrs[i].addr;
		macs[n] = l->mac;
		snprintf(ifnames[n], sizeof(ifnames[n]), "%s", l->ifname);
		n++;
	}
	free(links);
	free(addrs);
	r = EXIT_SUCCESS;
	if (n == 0)
		goto out;
	*found = true;
	r = reclaim_plan(IPTO_PLAN_ACTION_UNBIND, node, ips, ifnames, macs, n, &pool, &plan);
	if (r < 0) {
		r = cli_fail(r, "release: %s", diag_why(r));
		goto out;
	}
	run_flags = IPTO_TAKEOVER_RECLAIM;
	r = run_plan(plan);
	run_flags = 0;
out:
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
	free(ips);
	free(macs);
	free(ifnames);
	return r;
}

/*
 * Release removes what the kernel shows takeovers added here (loaded as
 * the pool's occupancy), never re-plans a takeover. A dry run (or one with
 * --taken-over) previews it instead: the takeover is planned from the
 * description, committed, then released.
 */
int cmd_release(void)
{
	struct ipto_plan *takeover = NULL, *release = NULL;
	struct list held = { 0 };
	size_t i, known = 0;
	int r, status = EXIT_SUCCESS;

	replay_history();
	for (i = 0; i < cli.fail.n; i++)
		known += in_history(cli.fail.v[i]);
	if (known && known != cli.fail.n)
		cli_die_usage("--fail: either every node to release is in --taken-over, "
			  "or none is");
	if (!known && !dryrun_binder()) {
		take_lock();
		load_occupancy();
		for (i = 0; i < cli.fail.n; i++) {
			bool found = false;

			if (held_here(cli.fail.v[i])) {
				push_list("--fail", &held, cli.fail.v[i]);
				continue;
			}
			r = release_reclaimed(cli.fail.v[i], &found);
			if (r != EXIT_SUCCESS)
				status = r;
			if (!found && !cli.json)
				printf("%s: nothing held here\n", cli.fail.v[i]);
		}
		if (held.n == 0) {
			if (cli.json && status == EXIT_SUCCESS)
				printf("{\"command\":\"release\",\"ok\":true,\"result\":0,"
				       "\"error\":null,\"held\":false}\n");
			return status;
		}
		diag_reset();
		r = ipto_plan_new_release(cluster_pool(cluster), (const char *const *)held.v,
				      held.n, &release);
		free_list(&held);
		if (r < 0)
			return cli_fail(r, "release: %s", diag_why(r));
		r = run_plan(release);
		ipto_plan_unref(release);
		return r != EXIT_SUCCESS ? r : status;
	}
	if (!known) {
		r = plan_takeover(&cli.fail, &takeover);
		if (r < 0)
			return plan_failed(r);
		diag_reset();
		r = ipto_pool_commit(cluster_pool(cluster), takeover);
		ipto_plan_unref(takeover);
		if (r < 0)
			return cli_fail(r, "release: %s", diag_why(r));
	}
	diag_reset();
	r = ipto_plan_new_release(cluster_pool(cluster), (const char *const *)cli.fail.v,
			      cli.fail.n, &release);
	if (r < 0)
		return plan_failed(r);
	r = run_plan(release);
	ipto_plan_unref(release);
	return r;
}

static int print_virtual_adapters(struct ipto_binder *binder, const char *standby,
				  bool json, bool heading);

/* The conflicts `ipto watch` recorded in the last STATUS_CONFLICT_MINUTES
 * (examples/ipto-watch.c), read once by cmd_status(). */
#define STATUS_CONFLICT_MINUTES 10
static struct watch_conflict *status_conflicts;
static size_t n_status_conflicts;

/* The recorded conflicts about @ip, as a JSON array. */
static void print_conflicts_json(const struct ipto_addr *ip)
{
	size_t i, k = 0;

	putchar('[');
	for (i = 0; i < n_status_conflicts; i++) {
		const struct watch_conflict *c = &status_conflicts[i];

		if (!ipto_addr_equal(&c->addr, ip))
			continue;
		printf("%s{\"time\":", k++ ? "," : "");
		json_str(c->time);
		printf(",\"time_ns\":%llu,\"mac\":", c->time_ns);
		json_str(c->mac);
		printf(",\"adapter\":");
		json_str(c->ifname);
		printf(",\"frame\":");
		json_str(c->frame);
		printf(",\"policy\":");
		json_str(c->policy);
		printf(",\"defended\":%s}", c->defended ? "true" : "false");
	}
	putchar(']');
}

/*
 * The library's status JSON with "conflicts" (print_conflicts_json()) added
 * to each address object and "virtual_adapters" to the whole. Every entry
 * object starts with {"node": and the array ends with ],"held": -- the
 * library escapes every quote inside a string, so neither sequence can
 * occur inside a value -- and entries come in ipto_status_get_entry() order.
 */
static void print_status_json(const struct ipto_status *st, struct ipto_binder *binder,
			      const char *text)
{
	size_t i, n = ipto_status_get_count(st);
	const char *p = text, *cur = strstr(text, "{\"node\":");
	size_t len;

	for (i = 0; cur && i < n; i++) {
		struct ipto_status_entry e = { .sz = sizeof(e) };
		const char *next = strstr(cur + 1, ",{\"node\":");

		if (!next || i + 1 == n)
			next = strstr(cur, "],\"held\":");
		if (!next || next[-1] != '}' || ipto_status_get_entry(st, i, &e) < 0)
			break; /* not the shape above: leave the rest as it is */
		fwrite(p, 1, (size_t)(next - 1 - p), stdout);
		fputs(",\"conflicts\":", stdout);
		print_conflicts_json(&e.ip);
		p = next - 1; /* the entry's closing brace */
		cur = next + 1;
	}
	len = strlen(p);
	if (len >= 2 && strcmp(p + len - 2, "}\n") == 0) {
		fwrite(p, 1, len - 2, stdout);
		fputs(",\"virtual_adapters\":", stdout);
		if (print_virtual_adapters(binder, cli.standby, true, false) < 0)
			fputs("null", stdout);
		fputs("}\n", stdout);
	} else {
		fputs(p, stdout);
	}
}

/*
 * status --node NODE on NODE's own host: the addresses a reclaim bound here
 * (marked IPTO_ADDR_PROTO_RECLAIM) are held here. Returns -1 when none is
 * (the standby status stands), else the exit status: 0 every address of
 * NODE reclaimed here, 1 some of them (the others missing).
 */
static int status_reclaimed(struct ipto_binder *binder, const char *node)
{
	struct ipto_adapter_entry *links = NULL;
	struct ipto_addr_entry *addrs = NULL;
	struct ipto_addr *ips = NULL;
	const struct ipto_addr_entry **found = NULL;
	char a[64], m[32];
	size_t n, i, held = 0, unmarked = 0;
	int nl, na = -1, j, r = -1;

	n = node_ips(node, &ips);
	nl = n ? dump_links(binder, &links) : -1;
	if (nl >= 0)
		na = dump_addrs(binder, &addrs);
	if (n == 0 || nl < 0 || na < 0)
		goto out;
	/* found[i]: where ips[i] is reclaimed here (on a link the dump has) */
	found = xrealloc(NULL, n * sizeof(*found));
	for (i = 0; i < n; i++) {
		found[i] = NULL;
		for (j = 0; j < na; j++)
			if (addrs[j].proto == IPTO_ADDR_PROTO_RECLAIM &&
			    ipto_addr_equal(&addrs[j].addr, &ips[i]) &&
			    link_of(links, nl, addrs[j].ifindex)) {
				found[i] = &addrs[j];
				held++;
				break;
			}
	}
	if (held == 0)
		goto out;
	if (cli.json) {
		printf("{\"standby\":null,\"node\":");
		json_str(node);
		printf(",\"addresses\":[");
	}
	for (i = 0; i < n; i++) {
		const struct ipto_adapter_entry *l =
			found[i] ? link_of(links, nl, found[i]->ifindex) : NULL;
		const struct ipto_adapter_entry *u = NULL;

		/* not reclaimed: an administrator's copy (no mark) is here? */
		for (j = 0; !l && !u && j < na; j++)
			if (addrs[j].proto != IPTO_ADDR_PROTO_RECLAIM &&
			    addrs[j].proto != IPTO_ADDR_PROTO_TAKEOVER &&
			    ipto_addr_equal(&addrs[j].addr, &ips[i]))
				u = link_of(links, nl, addrs[j].ifindex);
		unmarked += u != NULL;
		ipto_addr_format(&ips[i], a, sizeof(a));
		if (l)
			ipto_mac_format(&l->mac, m, sizeof(m));
		if (!cli.json) {
			if (l)
				printf("%s of %s: reclaimed on %s (%s)\n", a, node, l->ifname, m);
			else if (u)
				printf("%s of %s (on %s, not added by libipto): unmarked\n", a,
				       node, u->ifname);
			else
				printf("%s of %s: missing\n", a, node);
			continue;
		}
		printf("%s{\"node\":", i ? "," : "");
		json_str(node);
		printf(",\"ip\":\"%s\",\"held\":%s,\"standby\":null,\"adapter\":", a,
		       l ? "true" : "false");
		if (l) {
			json_str(l->ifname);
			printf(",\"mac\":\"%s\",\"health\":[],\"unmarked_on\":null,"
			       "\"reclaimed\":true", m);
		} else {
			printf("null,\"mac\":null,\"health\":[\"%s\"],\"unmarked_on\":",
			       u ? "unmarked" : "missing");
			if (u)
				json_str(u->ifname);
			else
				fputs("null", stdout);
			printf(",\"reclaimed\":false");
		}
		printf(",\"conflicts\":");
		print_conflicts_json(&ips[i]);
		printf("}");
	}
	if (cli.json)
		printf("],\"held\":%zu,\"missing\":%zu,\"unmarked\":%zu,\"unhealthy\":%zu}\n",
		       held, n - held - unmarked, unmarked, n - held);
	r = held == n ? EXIT_SUCCESS : EXIT_FAILURE;
out:
	free(found);
	free(ips);
	free(links);
	free(addrs);
	return r;
}

/* ipto status: 0 all held and healthy, 1 degraded, 3 nothing held. */
int cmd_status(void)
{
	IPTO_OPTS(ipto_status_opts, o, .standby = cli.standby, .node = cli.node_sel);
	struct ipto_binder *binder = NULL;
	struct ipto_status *st = NULL;
	size_t i, n, held = 0, unmarked = 0, unhealthy = 0;
	char *text = NULL;
	int r;

	if (make_binder(&binder) < 0)
		return EXIT_FAILURE;
	if (cli.json) {
		/* unreadable record: no conflicts to show, status stands */
		r = watch_recent_conflicts(STATUS_CONFLICT_MINUTES, &status_conflicts);
		n_status_conflicts = r > 0 ? (size_t)r : 0;
	}
	diag_reset();
	r = ipto_status_new(cluster_pool(cluster), binder, &o, &st);
	if (r < 0) {
		ipto_binder_unref(binder);
		return cli_fail(r, "status: %s", diag_why(r));
	}
	n = ipto_status_get_count(st);
	for (i = 0; i < n; i++) {
		struct ipto_status_entry e = { .sz = sizeof(e) };

		if (ipto_status_get_entry(st, i, &e) < 0)
			continue;
		held += e.ifname != NULL;
		unmarked += (e.health & IPTO_HEALTH_UNMARKED) != 0;
		unhealthy += e.health != 0;
	}
	/* nothing taken over here: NODE's own host, after a reclaim? */
	if (held == 0 && cli.node_sel && !cli.standby) {
		r = status_reclaimed(binder, cli.node_sel);
		if (r >= 0) {
			ipto_binder_unref(binder);
			ipto_status_unref(st);
			return r;
		}
	}
	r = ipto_status_format(st, cli.json ? IPTO_FORMAT_JSON : IPTO_FORMAT_TEXT, &text);
	if (r < 0) {
		ipto_status_unref(st);
		ipto_binder_unref(binder);
		return cli_fail(r, "status: %s", ipto_strerror(r));
	}
	if (cli.json) {
		/* The virtual adapters (tagged macvlans) and the conflicts
		 * go in the same object. */
		print_status_json(st, binder, text);
	} else {
		fputs(text, stdout);
		print_virtual_adapters(binder, cli.standby, false, true);
		/* what ipto watch recorded (examples/ipto-watch.c) */
		watch_status_conflicts(stdout, STATUS_CONFLICT_MINUTES);
	}
	ipto_status_unref(st);
	ipto_binder_unref(binder);
	free(text);
	/* An administrator's unmarked copy is here but not held: degraded
	 * (1), not "nothing held" (3). */
	if (held == 0 && unmarked == 0)
		return EXIT_NOTHING_HELD;
	return unhealthy ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ipto reclaim: on the recovered node, bind its addresses back on IF
 * (marked as reclaimed) and announce them with IF's own MAC. */
int cmd_reclaim(void)
{
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	struct ipto_addr *ips = NULL;
	struct ipto_mac *macs;
	char (*ifnames)[16];
	struct ipto_pool *pool = NULL;
	struct ipto_plan *plan = NULL;
	size_t i, n;
	int r;

	n = node_ips(cli.node_sel, &ips);
	if (n == 0)
		cli_die_usage("--node %s: the description gives it no addresses", cli.node_sel);
	take_lock();
	if (make_binder(&run_binder) < 0)
		return EXIT_FAILURE;
	if (dryrun_binder())
		ipto_binder_dryrun_add_adapter(run_binder, cli.interface, NULL, true);
	diag_reset();
	r = ipto_binder_adapter_get(run_binder, cli.interface, &info);
	if (r < 0) {
		free(ips);
		return cli_fail(r, "reclaim: --interface %s: %s", cli.interface, diag_why(r));
	}
	macs = xrealloc(NULL, n * sizeof(*macs));
	ifnames = xrealloc(NULL, n * sizeof(*ifnames));
	for (i = 0; i < n; i++) {
		macs[i] = info.mac;
		snprintf(ifnames[i], sizeof(ifnames[i]), "%s", cli.interface);
	}
	r = reclaim_plan(IPTO_PLAN_ACTION_BIND, cli.node_sel, ips, ifnames, macs, n, &pool,
			 &plan);
	if (r < 0)
		r = cli_fail(r, "reclaim --node %s: %s", cli.node_sel, diag_why(r));
	else {
		run_flags = IPTO_TAKEOVER_RECLAIM;
		r = run_plan(plan);
	}
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
	free(ips);
	free(macs);
	free(ifnames);
	return r;
}

/* ------------------------------------------------------------------ */
/* Frames                                                              */
/* ------------------------------------------------------------------ */

static uint32_t default_styles(const struct ipto_addr *a)
{
	if (a->family == AF_INET6)
		return IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA);
	return IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
	       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET);
}

static uint8_t frame_bufs[MAX_FRAMES][IPTO_FRAME_MAX_LEN];
static struct iovec frame_iov[MAX_FRAMES];

/* Builds the frames for every --ip in every style that applies to it. */
static size_t build_frames(const struct ipto_mac *mac)
{
	size_t i, n = 0;
	int style, len;

	for (i = 0; i < cli.ip_text.n; i++) {
		const struct ipto_addr *a = &cli.ips[i];
		uint32_t mask = cli.styles ? cli.styles : default_styles(a);
		size_t before = n;

		for (style = IPTO_FRAME_STYLE_ARP_ANNOUNCE; style <= IPTO_FRAME_STYLE_NA; style++) {
			bool v6 = a->family == AF_INET6;

			if (!(mask & IPTO_FRAME_STYLE_BIT(style)) ||
			    v6 != (style == IPTO_FRAME_STYLE_NA))
				continue;
			diag_reset();
			len = ipto_frame_build(ctx, style, mac, a, NULL, frame_bufs[n],
					       IPTO_FRAME_MAX_LEN);
			if (len < 0)
				cli_die_usage("--ip %s: %s", cli.ip_text.v[i], diag_why(len));
			frame_iov[n].iov_base = frame_bufs[n];
			frame_iov[n].iov_len = (size_t)len;
			n++;
		}
		if (n == before)
			cli_die_usage("--style: no style given applies to '%s' (%s)",
				  cli.ip_text.v[i], a->family == AF_INET6 ?
				  "IPv6 takes na" : "IPv4 takes the arp-* styles");
	}
	return n;
}

int cmd_announce(void)
{
	struct ipto_injector *injector = NULL;
	struct ipto_injector_adapter *port = NULL;
	struct ipto_mac mac = cli.mac;
	char macs[IPTO_MAC_STRLEN];
	unsigned int round;
	size_t n;
	int r;

	if (!cli.have_mac) {
		struct ipto_adapter_info info = { .sz = sizeof(info) };
		struct ipto_binder *binder = NULL;

		if (make_binder(&binder) < 0)
			return EXIT_FAILURE;
		diag_reset();
		r = ipto_binder_adapter_get(binder, cli.interface, &info);
		ipto_binder_unref(binder);
		if (r < 0)
			return cli_fail(r, "--interface %s: %s", cli.interface, diag_why(r));
		mac = info.mac;
		if (!(ipto_mac_classify(&mac) & IPTO_MAC_CLASS_UNICAST))
			return cli_fail(EADDRNOTAVAIL, "--interface %s: has no unicast MAC; give --mac",
				       cli.interface);
	}
	n = build_frames(&mac);
	if (make_injector(&injector) < 0)
		return EXIT_FAILURE;
	diag_reset();
	r = ipto_injector_open(injector, cli.interface, &port);
	if (r < 0) {
		ipto_injector_unref(injector);
		return cli_fail(r, "--interface %s: %s", cli.interface, diag_why(r));
	}
	for (round = 0; round < cli.count && r >= 0; round++) {
		if (round) {
			struct timespec ts = { .tv_sec = cli.interval_ms / 1000,
					       .tv_nsec = (long)(cli.interval_ms % 1000) * 1000000 };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		diag_reset();
		r = ipto_injector_send_batch(port, frame_iov, n);
		if (r >= 0 && (size_t)r < n)
			r = ipto_injector_send(port, frame_iov[r].iov_base,
					       frame_iov[r].iov_len);
	}
	ipto_injector_close(port);
	ipto_injector_unref(injector);
	if (r < 0)
		return cli_fail(r, "announce on %s: round %u: %s", cli.interface, round,
			       diag_why(r));
	ipto_mac_format(&mac, macs, sizeof(macs));
	if (cli.json) {
		fputs("{\"command\":\"announce\",\"interface\":", stdout);
		json_str(cli.interface);
		printf(",\"mac\":\"%s\",\"frames\":%zu,\"rounds\":%u,"
		       "\"dry_run\":%s,\"error\":null}\n", macs, n, cli.count,
		       dryrun_injector() ? "true" : "false");
	} else {
		printf("%s %zu frame(s) from %s (%s), %u round(s)\n",
		       dryrun_injector() ? "dry run: would have sent" : "sent", n,
		       cli.interface, macs, cli.count);
	}
	return EXIT_SUCCESS;
}

int cmd_frames(void)
{
	struct ipto_pcap_writer *w = NULL;
	size_t n, i;
	int r;

	n = build_frames(&cli.mac);
	diag_reset();
	r = ipto_pcap_writer_new(ctx, cli.output, &w);
	if (r < 0)
		return cli_fail(r, "--output %s: %s", cli.output, diag_why(r));
	for (i = 0; i < n && r >= 0; i++)
		r = ipto_pcap_writer_write(w, frame_iov[i].iov_base, frame_iov[i].iov_len);
	if (r >= 0)
		r = ipto_pcap_writer_close(w);
	else
		ipto_pcap_writer_close(w);
	if (r < 0)
		return cli_fail(r, "--output %s: %s", cli.output, diag_why(r));
	if (cli.json) {
		fputs("{\"command\":\"frames\",\"output\":", stdout);
		json_str(cli.output);
		printf(",\"frames\":%zu,\"error\":null}\n", n);
	} else {
		/* With --output -, stdout is the pcap stream. */
		fprintf(strcmp(cli.output, "-") == 0 ? stderr : stdout,
			"wrote %zu frame(s) to %s\n", n, cli.output);
	}
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Virtual (macvlan) takeover adapters                                 */
/* ------------------------------------------------------------------ */

/* The tagged links here, as text lines or a JSON array. */
static int print_virtual_adapters(struct ipto_binder *binder, const char *standby,
				  bool json, bool heading)
{
	struct ipto_macvlan_entry *e = NULL;
	int n, i;

	diag_reset();
	n = ipto_macvlan_list(binder, standby, NULL, 0);
	if (n > 0) {
		e = calloc((size_t)n, sizeof(*e));
		if (!e)
			return -ENOMEM;
		for (i = 0; i < n; i++)
			e[i].sz = sizeof(*e);
		n = ipto_macvlan_list(binder, standby, e, (size_t)n);
	}
	if (n < 0) {
		free(e);
		return n;
	}
	if (json)
		fputs("[", stdout);
	else if (heading && n > 0)
		puts("virtual takeover adapters (macvlans libipto made):");
	for (i = 0; i < n; i++) {
		char mac[IPTO_MAC_STRLEN];

		ipto_mac_format(&e[i].mac, mac, sizeof(mac));
		if (json) {
			printf("%s{\"ifname\":", i ? "," : "");
			json_str(e[i].ifname);
			printf(",\"mac\":\"%s\",\"standby\":", mac);
			json_str(e[i].standby);
			printf(",\"index\":%u,\"kept\":%s,\"up\":%s,\"addresses\":%u}",
			       e[i].index, e[i].flags & IPTO_MACVLAN_KEEP ? "true" : "false",
			       e[i].up ? "true" : "false", e[i].n_addrs);
		} else {
			printf("%s %s: adapter %u of %s, %s, %s, %u address(es)\n",
			       e[i].ifname, mac, e[i].index, e[i].standby,
			       e[i].flags & IPTO_MACVLAN_KEEP ? "pre-created (kept)"
							       : "created by a takeover",
			       e[i].up ? "up" : "down", e[i].n_addrs);
		}
	}
	if (json)
		fputs("]", stdout);
	free(e);
	return n;
}

/* ipto adapters [--create|--delete] */
int cmd_adapters(void)
{
	struct ipto_pool *pool = cluster_pool(cluster);
	struct ipto_binder *binder = NULL;
	int r = 0, n;

	if (cli.mv_action && !cli.standby)
		cli_die_usage("adapters: --create and --delete need --standby SB");
	if (cli.standby && ipto_pool_get_macvlan_count(pool, cli.standby) == 0 &&
	    cli.mv_action == 1)
		cli_die_usage("adapters: standby %s has no macvlan adapters in the "
			  "description ('adapter %s macvlan:PARENT count N')",
			  cli.standby, cli.standby);
	if (cli.mv_action)
		take_lock();
	if (make_binder(&binder) < 0)
		return EXIT_FAILURE;
	diag_reset();
	if (cli.mv_action == 1)
		r = ipto_macvlan_setup(pool, cli.standby, binder, IPTO_MACVLAN_KEEP);
	else if (cli.mv_action == 2)
		r = ipto_macvlan_cleanup(binder, cli.standby, IPTO_MACVLAN_KEEP);
	if (r < 0) {
		ipto_binder_unref(binder);
		return cli_fail(r, "adapters: %s", diag_why(r));
	}
	if (cli.json) {
		printf("{\"%s\":%d,\"described\":%zu,\"links\":",
		       cli.mv_action == 1 ? "created" : cli.mv_action == 2 ? "deleted"
									  : "changed",
		       r, ipto_pool_get_macvlan_count(pool, cli.standby));
	} else {
		if (cli.mv_action)
			printf("%s %d link(s)\n", cli.mv_action == 1 ? "created" : "deleted", r);
		printf("%zu virtual takeover adapter(s) in the description\n",
		       ipto_pool_get_macvlan_count(pool, cli.standby));
	}
	n = print_virtual_adapters(binder, cli.standby, cli.json, true);
	ipto_binder_unref(binder);
	if (n < 0)
		cli_error_set(EXIT_FAILURE, n, "adapters: %s", diag_why(n));
	if (cli.json) {
		/* The document is open: the error goes in it. */
		fputs(n < 0 ? "null,\"error\":" : ",\"error\":", stdout);
		cli_error_json_value();
		puts("}");
	}
	return n < 0 ? cli_error_emit() : EXIT_SUCCESS;
}

/* ipto cleanup: a crashed run's leftovers, on purpose. */
int cmd_cleanup(void)
{
	struct ipto_binder *binder = NULL;
	int r;

	take_lock();
	if (make_binder(&binder) < 0)
		return EXIT_FAILURE;
	diag_reset();
	r = ipto_macvlan_cleanup(binder, cli.standby, 0);
	ipto_binder_unref(binder);
	if (r < 0)
		return cli_fail(r, "cleanup: %s", diag_why(r));
	if (cli.json)
		printf("{\"command\":\"cleanup\",\"deleted\":%d,\"error\":null}\n", r);
	else
		printf("deleted %d leftover link(s)\n", r);
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */

static void cleanup(void)
{
	size_t i;

	ipto_binder_unref(run_binder);
	ipto_lock_release(host_lock);
	cluster_free(cluster);
	ipto_ctx_unref(ctx);
	free_list(&cli.fail);
	for (i = 0; i < cli.n_taken; i++)
		free_list(&cli.taken[i]);
	free(cli.taken);
	free_list(&cli.ip_text);
	free(cli.ips);
	free(cli.dirs);
	free(status_conflicts);
}

int main(int argc, char **argv)
{
	const char *word = verb_word(argc, argv);
	const struct verb *v = word ? verb_find(word) : NULL;
	int r;

	/* a verb with options of its own (watch, probe, tickle) */
	if (v && v->main)
		return v->main(v, argc, argv);
	atexit(cleanup);
	parse_command_line(argc, argv);
	check_command_line();

	r = ipto_ctx_new(&ctx);
	if (r < 0)
		return cli_fail(r, "cannot create a context: %s", ipto_strerror(r));

	diag_setup(ctx, "ipto", cli.verbose);
	diag_set_syslog(cli_error_syslog());
	if (cli.verb->flags & VERB_DESCRIPTION)
		load_cluster();
	return finish_output(cli.verb->run());
}
