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
 * one error object on stdout (examples/common/cli-error.c).
 *
 * This file reads the command line (the options, their parsing and the
 * checks each verb's entry asks for) and runs the verb; verbs.c lists
 * the verbs, takeover.c, status.c, frames.c and watch.c implement them,
 * cli.h is what they share.
 */
/* The library's one JSON escaper, a static helper compiled in here too. */
#include "../../lib/json-escape.h"

#include "cli.h"

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
	{ "no-directed", no_argument, NULL, OPT_NO_DIRECTED },
	{ "write", required_argument, NULL, OPT_WRITE },
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

/* Global so that everything stays reachable when a usage error exits. */
struct cli cli = { .count = 1, .interval_ms = 1100 };
struct ipto_ctx *ctx;
struct cluster *cluster;
struct ipto_lock *host_lock;     /* held until exit */
struct ipto_binder *run_binder;  /* when set, run_plan() uses it */
unsigned int run_flags;          /* extra takeover flags */

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

void *xrealloc(void *p, size_t n)
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
void json_str(const char *s)
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
"      --no-directed      plan/takeover/reclaim: tell no neighbour directly (no\n"
"                         directed ARP request or NS; doc/neighbour-list.md)\n"
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
"      --write FILE       neighbours: the list file to write (atomically)\n"
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
void push_list(const char *opt, struct list *l, const char *value)
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

void free_list(struct list *l)
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
		case OPT_NO_DIRECTED: cli.no_directed = true; break;
		case OPT_WRITE: cli.output = optarg; break;
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

bool dryrun_binder(void)
{
	return cli.binder && strcmp(cli.binder, "dryrun") == 0;
}

int make_binder(struct ipto_binder **ret)
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

int make_injector(struct ipto_injector **ret)
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
void seed_dryrun(struct ipto_binder *binder, struct ipto_plan *plan)
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

void load_description(void)
{
	char err[1024];
	size_t i;
	int r;

	r = cluster_new(ctx, &cluster);
	if (r < 0)
		exit(cli_fail(r, "cannot create a pool: %s", ipto_strerror(r)));
	for (i = 0; i < cli.n_dirs; i++) {
		r = cluster_add_option(cluster, cli.dirs[i].kind, cli.dirs[i].arg, err,
				       sizeof(err));
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

const char *list_text(const struct list *l)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? "," : "", l->v[i]);
	return buf;
}

int plan_takeover(const struct list *nodes, struct ipto_plan **plan)
{
	IPTO_OPTS(ipto_plan_opts, opts, .flags = cli.share ? IPTO_PLAN_SHARE_ADAPTERS : 0);

	diag_reset();
	return ipto_plan_new_takeover(cluster_pool(cluster),
				  (const char *const *)nodes->v, nodes->n, &opts,
				  plan);
}

/* Plans and commits every earlier takeover (--taken-over), oldest first. */
void replay_history(void)
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

bool in_history(const char *node)
{
	size_t i, k;

	for (i = 0; i < cli.n_taken; i++)
		for (k = 0; k < cli.taken[i].n; k++)
			if (strcmp(cli.taken[i].v[k], node) == 0)
				return true;
	return false;
}

/* Reports a failed takeover plan of --fail; returns the exit status. */
int plan_failed(int r)
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
	status_free();
}

int main(int argc, char **argv)
{
	const char *word = verb_word(argc, argv);
	const struct verb *v = word ? verb_find(word) : NULL;
	int r;

	atexit(cleanup);
	/* a verb with options of its own (watch, probe, tickle) */
	if (v && v->main)
		return v->main(v, argc, argv);
	parse_command_line(argc, argv);
	check_command_line();

	r = ipto_ctx_new(&ctx);
	if (r < 0)
		return cli_fail(r, "cannot create a context: %s", ipto_strerror(r));

	diag_setup(ctx, "ipto", cli.verbose);
	diag_set_syslog(cli_error_syslog());
	if (cli.verb->flags & VERB_DESCRIPTION)
		load_description();
	return finish_output(cli.verb->run());
}
