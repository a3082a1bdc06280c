/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto watch | probe | tickle: what the standby does around a takeover
 * (doc/watch.md). Linked into the ipto command: their entries in the
 * verb table (verbs.c) send them to watch_verb_main(), which reads their
 * options (watch_options) instead of ipto.c's parser.
 * Public libipto API only.
 *
 *   ipto [DESCRIPTION] watch  [--fail NODE]... [--ip ADDR]... [--json]
 *        (neither --fail nor --ip: what the kernel record marks as held)
 *        [--policy defend|report] [--defend-interval MS] [--run-dir DIR]
 *   ipto [DESCRIPTION] probe  --fail NODE... [--standby SB] | -i IF --ip ADDR...
 *        [--count N] [--interval MS] [--wait MS] [--json]
 *   ipto [DESCRIPTION] tickle --conns FILE [--fail NODE]... [--ip ADDR]...
 *        [--rounds N] [--interval MS] [--json]
 *
 * DESCRIPTION is --config FILE, --node SPEC, --adapter SPEC as for the
 * other commands. Exit status: 0 success (probe: nobody else uses the
 * addresses), 1 failure (probe: an address is in use), 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ipto/ipto.h>

/* The library's one JSON escaper (a static helper, included by path;
 * before cli.h, whose global ctx its parameter would shadow). */
#include "../../lib/json-escape.h"
/* the command line, context and cluster description ipto.c keeps */
#include "cli.h"

#define MAX_ADDRS 4096
#define RECORD_MAX_BYTES (256 * 1024)

enum {
	O_POLICY = 300, O_DEFEND_INTERVAL, O_RUN_DIR, O_IP, O_COUNT,
	O_INTERVAL, O_WAIT, O_CONNS, O_ROUNDS, O_RECENT,
};

const struct option watch_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "node", required_argument, NULL, 'n' },
	{ "adapter", required_argument, NULL, 'a' },
	{ "fail", required_argument, NULL, 'f' },
	{ "standby", required_argument, NULL, 's' },
	{ "interface", required_argument, NULL, 'i' },
	{ "ip", required_argument, NULL, O_IP },
	{ "policy", required_argument, NULL, O_POLICY },
	{ "defend-interval", required_argument, NULL, O_DEFEND_INTERVAL },
	{ "run-dir", required_argument, NULL, O_RUN_DIR },
	{ "count", required_argument, NULL, O_COUNT },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "wait", required_argument, NULL, O_WAIT },
	{ "conns", required_argument, NULL, O_CONNS },
	{ "rounds", required_argument, NULL, O_ROUNDS },
	{ "recent", required_argument, NULL, O_RECENT },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};
#define SHORT_OPTS ":c:n:a:f:s:i:jvh"

/* The long name of the option whose getopt value is @val. */
static const char *long_name(int val)
{
	size_t i;

	for (i = 0; watch_options[i].name; i++)
		if (watch_options[i].val == val)
			return watch_options[i].name;
	return "";
}

/* What only watch, probe and tickle take. The description (-c/-n/-a),
 * --fail and --standby go into ipto.c's struct cli, so the one loader
 * (load_description) reads and checks them for every verb. */
static struct {
	const char *name;
	const char *interface;
	struct ipto_addr ips[MAX_ADDRS];
	size_t n_ips;
	enum ipto_watch_policy policy;
	unsigned int defend_interval;
	const char *run_dir;
	unsigned int count, interval, wait, rounds;
	unsigned int recent; /* minutes; 0: watch */
	bool interval_set;
	const char *conns;
	bool json;
	int verbose;
} o;

/* Errors: through cli-error.c (with --json, the one error object). */

static void usage(void)
{
	fputs("Usage: ipto [DESCRIPTION] watch  [--fail NODE]... [--ip ADDR]... [--json]\n"
	      "                [--policy defend|report] [--defend-interval MS] [--run-dir DIR]\n"
	      "       ipto watch --recent MINUTES [--json] [--run-dir DIR]\n"
	      "       ipto [DESCRIPTION] probe  (--fail NODE... [--standby SB] | -i IF --ip ADDR...)\n"
	      "                [--count N] [--interval MS] [--wait MS] [--json]\n"
	      "       ipto [DESCRIPTION] tickle --conns FILE [--fail NODE]... [--ip ADDR]...\n"
	      "                [--rounds N] [--interval MS] [--json]\n"
	      "\n"
	      "DESCRIPTION: -c/--config FILE, -n/--node SPEC, -a/--adapter SPEC (see ipto --help).\n"
	      "\n"
	      "watch   On the standby after a takeover: report every ARP frame, neighbour\n"
	      "        advertisement or solicitation in which another MAC claims an address\n"
	      "        this host holds, and every other host's probe for one (ARP probe,\n"
	      "        IPv6 DAD); with --policy defend (the default) re-announce a claimed\n"
	      "        address, at most once per --defend-interval (10000 ms). Watches the\n"
	      "        addresses of the --fail nodes and --ip; with neither, every address\n"
	      "        the kernel record marks as taken over or reclaimed, followed as it\n"
	      "        changes. Records conflicts in DIR/conflicts and the hosts that\n"
	      "        resolve the addresses in DIR/neigh-seen (--run-dir, $IPTO_RUN_DIR,\n"
	      "        or /run/ipto/NETNS-INODE, the library's record).\n"
	      "        Runs until SIGTERM or SIGINT, then exits 0. With --recent MINUTES it\n"
	      "        only prints the conflicts recorded in the last MINUTES and exits.\n"
	      "probe   Before a takeover: ask the LAN whether another host uses the addresses\n"
	      "        (RFC 5227 ARP probes, IPv6 DAD). Exit 0: free; 1: in use. Changes nothing.\n"
	      "        Defaults: --count 3 --interval 200 --wait 200.\n"
	      "tickle  After a takeover: send TCP tickle ACKs to the clients listed in the\n"
	      "        connection file (doc/watch.md; see ipto-conns-from-ss) whose server\n"
	      "        address this host holds, so they reset and reconnect at once.\n"
	      "        Defaults: --rounds 3 --interval 500.\n", stdout);
}

static unsigned int parse_uint(const char *opt, const char *s, unsigned int min,
			       unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max || s[0] == '-' || s[0] == '+')
		cli_die_usage("%s: '%s' is not a number in %u..%u", opt, s, min, max);
	return (unsigned int)v;
}

static void parse(int argc, char **argv)
{
	int c;

	opterr = 0;
	optind = 1;
	o.policy = IPTO_WATCH_POLICY_DEFEND;
	while ((c = getopt_long(argc, argv, SHORT_OPTS, watch_options, NULL)) != -1) {
		switch (c) {
		case ':': cli_die_usage("%s needs a value", argv[optind - 1]);
		case '?': cli_die_usage("unknown option '%s'", argv[optind - 1]);
		case 'h': usage(); exit(0);
		case 'c': case 'n': case 'a':
			cli.dirs = xrealloc(cli.dirs, (cli.n_dirs + 1) * sizeof(*cli.dirs));
			cli.dirs[cli.n_dirs].kind = c;
			cli.dirs[cli.n_dirs++].arg = optarg;
			break;
		case 'f': push_list("--fail", &cli.fail, optarg); break;
		case 's': cli.standby = optarg; break;
		case 'i':
			if (!*optarg || strlen(optarg) > 15)
				cli_die_usage("--interface: '%s' is not an interface name", optarg);
			o.interface = optarg;
			break;
		case O_IP: {
			struct ipto_addr a;
			int cls;

			if (o.n_ips == MAX_ADDRS)
				cli_die_usage("--ip: at most %d addresses", MAX_ADDRS);
			if (ipto_addr_parse(optarg, &a) < 0)
				cli_die_usage("--ip: '%s' is not an IP address", optarg);
			cls = ipto_addr_classify(&a);
			if (!(cls & IPTO_ADDR_CLASS_UNICAST) || (cls & IPTO_ADDR_CLASS_LOOPBACK))
				cli_die_usage("--ip: '%s' is not a unicast address", optarg);
			o.ips[o.n_ips++] = a;
			break;
		}
		case O_POLICY:
			if (strcmp(optarg, "defend") == 0)
				o.policy = IPTO_WATCH_POLICY_DEFEND;
			else if (strcmp(optarg, "report") == 0)
				o.policy = IPTO_WATCH_POLICY_REPORT;
			else
				cli_die_usage("--policy: '%s' (defend, report)", optarg);
			break;
		case O_DEFEND_INTERVAL:
			o.defend_interval = parse_uint("--defend-interval", optarg, 1, 3600000);
			break;
		case O_RUN_DIR:
			if (!*optarg)
				cli_die_usage("--run-dir: empty");
			o.run_dir = optarg;
			break;
		case O_COUNT: o.count = parse_uint("--count", optarg, 1, 100); break;
		case O_INTERVAL:
			o.interval = parse_uint("--interval", optarg, 1, 60000);
			o.interval_set = true;
			break;
		case O_WAIT: o.wait = parse_uint("--wait", optarg, 1, 60000); break;
		case O_CONNS: o.conns = optarg; break;
		case O_ROUNDS: o.rounds = parse_uint("--rounds", optarg, 1, 100); break;
		case O_RECENT: o.recent = parse_uint("--recent", optarg, 1, 10080); break;
		case 'j': o.json = true; cli_error_set_json(true); break;
		case 'v': o.verbose++; break;
		}
		/* which verb takes which option: the verb table's word */
		if (c != 'j' && c != 'v' && c != 'h' && !verb_takes(cli.verb, long_name(c))) {
			if (verb_takes(verb_find("watch"), long_name(c)) &&
			    !verb_takes(verb_find("probe"), long_name(c)) &&
			    !verb_takes(verb_find("tickle"), long_name(c)))
				cli_die_usage("--policy, --defend-interval, --run-dir, --recent: "
					      "options of 'watch' only");
			cli_die_usage("--%s: not an option of '%s'", long_name(c), o.name);
		}
	}
	/* the command word itself */
	if (optind >= argc || strcmp(argv[optind], o.name) != 0)
		cli_die_usage("unexpected argument '%s'", optind < argc ? argv[optind] : "");
	if (optind + 1 < argc)
		cli_die_usage("unexpected argument '%s'", argv[optind + 1]);
}

/* ------------------------------------------------------------------ */

/* The takeover plan of the --fail nodes (exits on failure). */
static struct ipto_plan *fail_plan(void)
{
	struct ipto_plan *plan = NULL;
	int r;

	diag_reset();
	r = ipto_plan_new_takeover(cluster_pool(cluster), (const char *const *)cli.fail.v,
				   cli.fail.n, NULL, &plan);
	if (r < 0)
		exit(cli_fail(r, "cannot plan the takeover of the --fail nodes: %s",
			      diag_why(r)));
	return plan;
}

/* Adds the --fail nodes' addresses (from their takeover plan) to o.ips. */
static void add_fail_ips(void)
{
	struct ipto_plan *plan;
	size_t i, n;

	if (!cli.fail.n)
		return;
	plan = fail_plan();
	n = ipto_plan_get_step_count(plan);
	for (i = 0; i < n && o.n_ips < MAX_ADDRS; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		if (ipto_plan_get_step(plan, i, &s) == 0 && s.action == IPTO_PLAN_ACTION_BIND)
			o.ips[o.n_ips++] = s.ip;
	}
	ipto_plan_unref(plan);
}

/* The interface of this host that holds @a (as the kernel says), or NULL. */
static const char *holder(struct ifaddrs *ifa, const struct ipto_addr *a)
{
	for (; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;

		if (!sa || sa->sa_family != a->family)
			continue;
		if (a->family == AF_INET &&
		    !memcmp(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, a->bytes, 4))
			return ifa->ifa_name;
		if (a->family == AF_INET6 &&
		    !memcmp(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, a->bytes, 16))
			return ifa->ifa_name;
	}
	return NULL;
}

struct strbuf {
	char *p;
	size_t size, len;
};

static void put_buf(void *out, const char *p, size_t n)
{
	struct strbuf *b = out;

	if (b->len + n < b->size) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
	}
}

/* @s as a quoted JSON string in @buf (cut short, still a valid string
 * prefix, only when @buf is too small for it). */
static const char *json_q(const char *s, char *buf, size_t size)
{
	struct strbuf b = { buf, size, 0 };

	buf[0] = '\0';
	ipto_json_escape(s, put_buf, &b);
	return buf;
}

static void fmt_time(uint64_t ns, char *buf, size_t size)
{
	time_t s = (time_t)(ns / 1000000000u);
	struct tm tm;
	char b[32];

	gmtime_r(&s, &tm);
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06uZ", b, (unsigned int)(ns % 1000000000u / 1000));
}

/* ------------------------------------------------------------------ */
/* watch                                                               */
/* ------------------------------------------------------------------ */

static char record_path[4096];
static const char *run_dir(void);

/* The JSON object of a conflict, one line (for stdout and the record). */
/* The frame's name in the output: the style, or for a probe what kind. */
static const char *frame_name(const struct ipto_watch_conflict *c)
{
	const char *style = ipto_frame_style_name((enum ipto_frame_style)c->style);

	if (c->probe)
		return c->ethertype == 0x0806 ? "arp-probe" : "dad-ns";
	return style ? style : "none";
}

static int conflict_json(const struct ipto_watch_conflict *c, char *buf, size_t size)
{
	char t[40], a[IPTO_ADDR_STRLEN], m[IPTO_MAC_STRLEN], om[IPTO_MAC_STRLEN];
	char ifn[6 * 16 + 3];

	fmt_time(c->time_ns, t, sizeof(t));
	ipto_addr_format(&c->addr, a, sizeof(a));
	ipto_mac_format(&c->other_mac, m, sizeof(m));
	ipto_mac_format(&c->own_mac, om, sizeof(om));
	return snprintf(buf, size,
			"{\"event\":\"conflict\",\"time\":\"%s\",\"time_ns\":%llu,"
			"\"addr\":\"%s\",\"ifname\":%s,\"mac\":\"%s\",\"own_mac\":\"%s\","
			"\"frame\":\"%s\",\"op\":%u,\"probe\":%s,\"policy\":\"%s\",\"defended\":%s,"
			"\"defend_error\":%d,\"count\":%llu}",
			t, (unsigned long long)c->time_ns, a,
			json_q(c->ifname, ifn, sizeof(ifn)), m, om,
			frame_name(c), c->op, c->probe ? "true" : "false",
			ipto_watch_policy_name(o.policy),
			c->defended ? "true" : "false", c->defend_result,
			(unsigned long long)c->count);
}

/* Appends one line to the record; keeps it bounded by moving a full file
 * to conflicts.1 (doc/watch.md). Failing to record is reported, not fatal. */
static void record(const char *line)
{
	struct stat st;
	int fd;

	if (!record_path[0])
		return;
	/* made on the first conflict, so a watcher that sees none leaves
	 * nothing behind */
	if (!o.run_dir && !getenv("IPTO_RUN_DIR"))
		(void)mkdir("/run/ipto", 0755);
	(void)mkdir(run_dir(), 0755);
	if (stat(record_path, &st) == 0 && st.st_size > RECORD_MAX_BYTES) {
		char old[sizeof(record_path) + 2];

		snprintf(old, sizeof(old), "%s.1", record_path);
		rename(record_path, old);
	}
	fd = open(record_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || dprintf(fd, "%s\n", line) < 0)
		fprintf(stderr, "ipto watch: cannot record the conflict in %s: %s\n",
			record_path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void on_conflict(struct ipto_watch *w, const struct ipto_watch_conflict *c,
			void *userdata)
{
	char line[1024];

	(void)w;
	(void)userdata;
	conflict_json(c, line, sizeof(line));
	record(line);
	if (o.json) {
		puts(line);
	} else {
		char t[40], a[IPTO_ADDR_STRLEN], m[IPTO_MAC_STRLEN], om[IPTO_MAC_STRLEN];

		fmt_time(c->time_ns, t, sizeof(t));
		ipto_addr_format(&c->addr, a, sizeof(a));
		ipto_mac_format(&c->other_mac, m, sizeof(m));
		ipto_mac_format(&c->own_mac, om, sizeof(om));
		printf("%s conflict: %s %s %s on %s (%s); %s\n", t, m,
		       c->probe ? "probes for" : "claims", a, c->ifname, frame_name(c),
		       c->probe ? "its probe is answered by the kernel" :
		       o.policy == IPTO_WATCH_POLICY_REPORT ? "reported only" :
		       c->defended ? (c->addr.family == AF_INET ? "defended: announced again from " :
				      "defended: advertised again from ") :
		       c->defend_result ? "defence FAILED" : "not defended (defended less than the interval ago)");
		if (c->defended)
			printf("%s\n", om);
	}
	fflush(stdout);
}

/* The string value of "key":"..." in a record line, into @buf. */
static const char *field(const char *line, const char *key, char *buf, size_t size)
{
	char pat[32];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(line, pat);
	if (!p)
		return "?";
	for (p += strlen(pat); *p && *p != '"' && n + 1 < size; p++) {
		if (*p == '\\' && p[1])
			p++;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return buf;
}

/* --run-dir, $IPTO_RUN_DIR, or /run/ipto/<inode of this network namespace>
 * (next to the library's own record: the conflicts belong to the
 * namespace, as its addresses do). */
static const char *run_dir(void)
{
	static char def[64];
	const char *dir = o.run_dir ? o.run_dir : getenv("IPTO_RUN_DIR");
	struct stat st;

	if (dir && *dir)
		return dir;
	if (!def[0]) {
		if (stat("/proc/self/ns/net", &st) == 0)
			snprintf(def, sizeof(def), "/run/ipto/%lu", (unsigned long)st.st_ino);
		else
			snprintf(def, sizeof(def), "/run/ipto");
	}
	return def;
}

/* Calls @fn for every conflict line recorded in DIR/conflicts.1 then
 * DIR/conflicts during the last @minutes (the line without its newline,
 * and its time_ns). Returns the number of lines or a negative errno. */
static int each_recent(const char *dir, unsigned int minutes,
		       void (*fn)(char *line, unsigned long long ns, void *arg), void *arg)
{
	static const char *const names[] = { "conflicts.1", "conflicts" };
	uint64_t now, since;
	struct timespec ts;
	size_t i, shown = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	since = now - (uint64_t)minutes * 60u * 1000000000u;
	for (i = 0; i < 2; i++) {
		char path[4096], *line = NULL;
		size_t cap = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "re");
		if (!f) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		while (getline(&line, &cap, f) >= 0) {
			const char *t = strstr(line, "\"time_ns\":");
			unsigned long long ns;

			if (!t || !strstr(line, "\"event\":\"conflict\""))
				continue;
			ns = strtoull(t + 10, NULL, 10);
			if (ns < since || ns > now + 60000000000ull)
				continue;
			shown++;
			line[strcspn(line, "\n")] = '\0';
			fn(line, ns, arg);
		}
		free(line);
		fclose(f);
	}
	return (int)shown;
}

struct print_arg {
	FILE *out;
	bool json;
};

static void print_line(char *line, unsigned long long ns, void *arg)
{
	struct print_arg *pa = arg;
	char a[64], m[32], ifn[100], when[40], fr[32], pol[16];

	(void)ns;
	if (pa->json) {
		fprintf(pa->out, "%s\n", line);
		return;
	}
	fprintf(pa->out, "%s conflict: %s claims %s on %s (%s, %s%s)\n",
		field(line, "time", when, sizeof(when)),
		field(line, "mac", m, sizeof(m)),
		field(line, "addr", a, sizeof(a)),
		field(line, "ifname", ifn, sizeof(ifn)),
		field(line, "frame", fr, sizeof(fr)),
		field(line, "policy", pol, sizeof(pol)),
		strstr(line, "\"defended\":true") ? ", defended" : "");
}

int watch_print_recent(FILE *out, const char *dir, unsigned int minutes, bool json)
{
	struct print_arg pa = { out, json };

	return each_recent(dir, minutes, print_line, &pa);
}

struct collect_arg {
	struct watch_conflict *v;
	size_t n, cap;
};

static void collect_line(char *line, unsigned long long ns, void *arg)
{
	struct collect_arg *ca = arg;
	struct watch_conflict *c;
	char a[64];

	if (ca->n == ca->cap) {
		size_t cap = ca->cap ? 2 * ca->cap : 16;
		struct watch_conflict *v = realloc(ca->v, cap * sizeof(*v));

		if (!v)
			return; /* out of memory: the rest is left out */
		ca->v = v;
		ca->cap = cap;
	}
	c = &ca->v[ca->n];
	memset(c, 0, sizeof(*c));
	if (ipto_addr_parse(field(line, "addr", a, sizeof(a)), &c->addr) < 0)
		return; /* not an address: not a conflict about one */
	field(line, "mac", c->mac, sizeof(c->mac));
	field(line, "ifname", c->ifname, sizeof(c->ifname));
	field(line, "time", c->time, sizeof(c->time));
	field(line, "frame", c->frame, sizeof(c->frame));
	field(line, "policy", c->policy, sizeof(c->policy));
	c->time_ns = ns;
	c->defended = strstr(line, "\"defended\":true") != NULL;
	ca->n++;
}

int watch_recent_conflicts(unsigned int minutes, struct watch_conflict **out)
{
	struct collect_arg ca = { 0 };
	int r = each_recent(run_dir(), minutes, collect_line, &ca);

	if (r < 0) {
		free(ca.v);
		return r;
	}
	*out = ca.v;
	return (int)ca.n;
}

void watch_status_conflicts(FILE *out, unsigned int minutes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int n;

	if (!mem)
		return;
	n = watch_print_recent(mem, run_dir(), minutes, false);
	fclose(mem);
	if (n > 0)
		fprintf(out, "conflicts in the last %u minutes (ipto watch, %s/conflicts):\n%s",
			minutes, run_dir(), buf);
	free(buf);
}

static int cmd_recent(void)
{
	int r;

	if (cli.fail.n || o.n_ips || cli.n_dirs)
		cli_die_usage("--recent reads the record only: no --fail, --ip or description");
	r = watch_print_recent(stdout, run_dir(), o.recent, o.json);
	if (r < 0)
		return cli_fail(r, "cannot read %s/conflicts: %s", run_dir(), strerror(-r));
	if (!o.json)
		printf("%d conflict(s) in the last %u minute(s)\n", r, o.recent);
	return EXIT_SUCCESS;
}

/* Prints that @a on @ifname is watched from now on (or no longer). */
static void print_watch(const char *event, const struct ipto_addr *addr, const char *ifname)
{
	char a[IPTO_ADDR_STRLEN];

	ipto_addr_format(addr, a, sizeof(a));
	if (o.json) {
		printf("{\"event\":\"%s\",\"addr\":", event);
		json_str(a);
		printf(",\"ifname\":");
		json_str(ifname);
		printf("}\n");
	} else if (strcmp(event, "watch") == 0) {
		printf("watching %s on %s\n", a, ifname);
	} else {
		printf("no longer watching %s on %s: this host does not hold it now\n", a, ifname);
	}
	fflush(stdout);
}

/* Watching what the kernel record marks (no --fail, no --ip): every
 * address a takeover or a reclaim added, on the interface that has it.
 * Brings the watcher in line with the kernel; returns 0 or a negative
 * errno (already reported). */
static int record_sync(struct ipto_watch *w, struct ipto_binder *binder)
{
	struct ipto_addr_entry *v = NULL;
	char ifn[IF_NAMESIZE];
	size_t i, j, k;
	int n, r;

	n = ipto_binder_addr_dump_all(binder, 0, &v);
	if (n < 0) {
		fprintf(stderr, "ipto watch: cannot read the addresses: %s\n", ipto_strerror(n));
		return n;
	}
	/* gone, or moved to another interface */
	for (k = ipto_watch_get_addr_count(w); k-- > 0;) {
		struct ipto_addr a;
		bool keep = false;

		if (ipto_watch_get_addr(w, k, &a, ifn) < 0)
			continue;
		for (j = 0; j < (size_t)n; j++) {
			char name[IF_NAMESIZE];

			if ((v[j].proto == IPTO_ADDR_PROTO_TAKEOVER ||
			     v[j].proto == IPTO_ADDR_PROTO_RECLAIM) &&
			    ipto_addr_equal(&v[j].addr, &a) &&
			    if_indextoname((unsigned int)v[j].ifindex, name) &&
			    strcmp(name, ifn) == 0)
				keep = true;
		}
		if (!keep && ipto_watch_remove(w, &a) == 0)
			print_watch("unwatch", &a, ifn);
	}
	for (i = 0; i < (size_t)n; i++) {
		char name[IF_NAMESIZE];

		if (v[i].proto != IPTO_ADDR_PROTO_TAKEOVER && v[i].proto != IPTO_ADDR_PROTO_RECLAIM)
			continue;
		if (!if_indextoname((unsigned int)v[i].ifindex, name))
			continue; /* gone meanwhile: the next event says */
		diag_reset();
		r = ipto_watch_add(w, name, &v[i].addr);
		if (r == -EEXIST)
			continue;
		if (r < 0) {
			char a[IPTO_ADDR_STRLEN];

			ipto_addr_format(&v[i].addr, a, sizeof(a));
			fprintf(stderr, "ipto watch: cannot watch %s on %s: %s\n", a, name,
				diag_why(r));
			continue; /* e.g. an adapter without a MAC: watch the others */
		}
		print_watch("watch", &v[i].addr, name);
	}
	free(v);
	return 0;
}

/* A netlink socket that wakes up on every address change (both
 * families), or -1: then the periodic re-read alone follows them. */
static int addr_events_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads every waiting event; true when there were any (or they overflowed). */
static bool addr_events_drain(int fd)
{
	char buf[8192];
	bool any = false;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0 || (n < 0 && errno == ENOBUFS)) {
			any = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return any;
	}
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* How often the record is read again without an event (a mark kept in
 * the record files, before Linux 6.3, comes with none of its own), and
 * the least time between two writes of the seen file. */
#define RESYNC_MS 5000
#define SEEN_WRITE_MS 1000

int cmd_watch(void)
{
	struct ipto_binder *binder = NULL;
	struct ipto_injector *injector = NULL;
	struct ipto_watch *w = NULL;
	struct ifaddrs *ifa = NULL;
	sigset_t mask;
	int sfd = -1, efd = -1, r, status = EXIT_FAILURE;
	size_t i;
	const char *dir, *seen_path = NULL;
	char seen_buf[4096 + 16];
	bool from_record;
	uint64_t last_sync = 0, last_seen = 0;

	if (o.recent)
		return cmd_recent();
	from_record = !cli.fail.n && !o.n_ips;
	/* From here on SIGTERM and SIGINT wait for the loop (a signalfd), so
	 * a stop that comes early still ends cleanly. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (cli.n_dirs)
		load_description();
	else if (cli.fail.n)
		cli_die_usage("--fail needs a cluster description (--config, --node)");
	add_fail_ips();

	dir = run_dir();
	snprintf(record_path, sizeof(record_path), "%s/conflicts", dir);
	/* the seen file: beside the conflicts; the library's default path
	 * (and its directories) when DIR is the record's own */
	snprintf(seen_buf, sizeof(seen_buf), "%s/%s", dir, IPTO_NEIGH_SEEN_FILE);
	if ((o.run_dir && *o.run_dir) || (getenv("IPTO_RUN_DIR") && *getenv("IPTO_RUN_DIR")))
		seen_path = seen_buf;

	diag_reset();
	r = ipto_binder_new_netlink(ctx, &binder);
	if (r == 0 && o.policy == IPTO_WATCH_POLICY_DEFEND)
		r = ipto_injector_new_packet(ctx, &injector);
	if (r < 0) {
		cli_fail(r, "cannot create the backends: %s", diag_why(r));
		goto out;
	}
	{
		IPTO_OPTS(ipto_watch_opts, wo, .binder = binder, .injector = injector,
			  .policy = o.policy, .defend_interval_ms = o.defend_interval,
			  .on_conflict = on_conflict);
		r = ipto_watch_new(ctx, &wo, &w);
	}
	if (r < 0) {
		cli_fail(r, "%s", diag_why(r));
		goto out;
	}
	if (from_record) {
		/* subscribe first, so that no change between the read and the
		 * subscription is missed */
		efd = addr_events_open();
		if (record_sync(w, binder) < 0) {
			cli_fail(EIO, "cannot read what this host holds");
			goto out;
		}
		last_sync = mono_ms();
	}
	if (!from_record && getifaddrs(&ifa) < 0) {
		cli_fail(errno, "getifaddrs: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < o.n_ips; i++) {
		char a[IPTO_ADDR_STRLEN];
		const char *ifname = holder(ifa, &o.ips[i]);

		ipto_addr_format(&o.ips[i], a, sizeof(a));
		if (!ifname) {
			if (o.json) {
				printf("{\"event\":\"skip\",\"addr\":");
				json_str(a);
				printf(",\"why\":\"not held by this host\"}\n");
			} else {
				printf("not watching %s: this host does not hold it\n", a);
			}
			continue;
		}
		diag_reset();
		r = ipto_watch_add(w, ifname, &o.ips[i]);
		if (r == -EEXIST)
			continue;
		if (r < 0) {
			cli_fail(r, "%s on %s: %s", a, ifname, diag_why(r));
			goto out;
		}
		print_watch("watch", &o.ips[i], ifname);
	}
	if (!from_record && ipto_watch_get_addr_count(w) == 0) {
		cli_fail(EADDRNOTAVAIL, "none of the addresses is held by this host: nothing to watch");
		goto out;
	}
	diag_reset();
	r = ipto_watch_start(w);
	if (r < 0) {
		cli_fail(r, "cannot listen: %s", diag_why(r));
		goto out;
	}
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		cli_fail(errno, "signalfd: %s", strerror(errno));
		goto out;
	}
	if (o.json) {
		printf("{\"event\":\"ready\",\"policy\":\"%s\",\"addresses\":%zu,\"from\":\"%s\","
		       "\"record\":", ipto_watch_policy_name(o.policy),
		       ipto_watch_get_addr_count(w), from_record ? "kernel" : "arguments");
		json_str(record_path);
		printf(",\"neigh_seen\":");
		json_str(seen_buf);
		printf("}\n");
	} else {
		printf("ready: policy %s, %zu address(es)%s, recording in %s, hosts seen in %s\n",
		       ipto_watch_policy_name(o.policy), ipto_watch_get_addr_count(w),
		       from_record ? " (what the kernel record marks, followed)" : "",
		       record_path, seen_buf);
	}
	fflush(stdout);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = ipto_watch_get_fd(w), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = efd, .events = POLLIN },
		};
		uint64_t now;

		if (poll(p, efd >= 0 ? 3 : 2, SEEN_WRITE_MS) < 0) {
			if (errno == EINTR)
				continue;
			cli_fail(errno, "poll: %s", strerror(errno));
			goto out;
		}
		if (p[0].revents) {
			r = ipto_watch_dispatch(w);
			if (r < 0) {
				cli_fail(r, "%s", diag_why(r));
				goto out;
			}
		}
		if (p[1].revents)
			break;
		now = mono_ms();
		if (from_record && ((efd >= 0 && p[2].revents && addr_events_drain(efd)) ||
				    now - last_sync >= RESYNC_MS)) {
			(void)record_sync(w, binder); /* a failed read is retried */
			last_sync = now;
		}
		if (now - last_seen >= SEEN_WRITE_MS) {
			/* 0 when nothing new: nothing written */
			(void)ipto_watch_write_seen(w, seen_path, false);
			last_seen = now;
		}
	}
	(void)ipto_watch_write_seen(w, seen_path, false);
	if (o.json)
		printf("{\"event\":\"stop\",\"conflicts\":%llu,\"seen\":%zu}\n",
		       (unsigned long long)ipto_watch_get_conflict_count(w),
		       ipto_watch_get_seen_count(w));
	else
		printf("stopped after %llu conflict(s); %zu host(s) seen resolving the addresses\n",
		       (unsigned long long)ipto_watch_get_conflict_count(w),
		       ipto_watch_get_seen_count(w));
	status = EXIT_SUCCESS;
out:
	if (sfd >= 0)
		close(sfd);
	if (efd >= 0)
		close(efd);
	if (ifa)
		freeifaddrs(ifa);
	ipto_watch_unref(w);
	ipto_injector_unref(injector);
	ipto_binder_unref(binder);
	return status;
}

/* ------------------------------------------------------------------ */
/* probe                                                               */
/* ------------------------------------------------------------------ */

int cmd_probe(void)
{
	struct ipto_binder *binder = NULL;
	struct ipto_plan *plan = NULL;
	struct ipto_probe_target t[MAX_ADDRS];
	struct ipto_watch_conflict c = { .sz = sizeof(c) };
	struct timespec t0, t1;
	double ms;
	size_t i;
	int r, status = EXIT_FAILURE;

	if (cli.fail.n && (o.interface || o.n_ips))
		cli_die_usage("give --fail NODE or -i IF --ip ADDR, not both");
	if (!cli.fail.n && (!o.interface || !o.n_ips))
		cli_die_usage("--fail NODE, or --interface IF with --ip ADDR, is required");
	if (cli.fail.n) {
		if (!cli.n_dirs)
			cli_die_usage("--fail needs a cluster description (--config, --node, --adapter)");
		load_description();
		plan = fail_plan();
	}
	diag_reset();
	r = ipto_binder_new_netlink(ctx, &binder);
	if (r < 0) {
		cli_fail(r, "netlink binder: %s", diag_why(r));
		goto out;
	}
	{
		IPTO_OPTS(ipto_probe_opts, po, .binder = binder, .count = o.count,
			  .interval_ms = o.interval, .wait_ms = o.wait);

		diag_reset();
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (plan) {
			r = ipto_probe_plan(ctx, plan, cli.standby, &po, &c);
		} else {
			for (i = 0; i < o.n_ips; i++) {
				t[i].ifname = o.interface;
				t[i].addr = o.ips[i];
			}
			r = ipto_probe(ctx, t, o.n_ips, &po, &c);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
	}
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (r == -EADDRINUSE) {
		char a[IPTO_ADDR_STRLEN], m[IPTO_MAC_STRLEN];

		ipto_addr_format(&c.addr, a, sizeof(a));
		ipto_mac_format(&c.other_mac, m, sizeof(m));
		char ifn[6 * 16 + 3];

		cli_error_set(EXIT_FAILURE, EADDRINUSE, "%s is in use: %s %s "
			      "it on %s; do not take it over", a, m,
			      c.probe ? "probes for" : "answers for", c.ifname);
		if (o.json) {
			/* The result document carries the error object. */
			printf("{\"result\":\"in-use\",\"addr\":\"%s\",\"mac\":\"%s\","
			       "\"ifname\":%s,\"frame\":\"%s\",\"ms\":%.1f,\"error\":", a, m,
			       json_q(c.ifname, ifn, sizeof(ifn)), frame_name(&c), ms);
			cli_error_json_value();
			puts("}");
		}
		cli_error_emit();
		goto out;
	}
	if (r < 0) {
		/* With --json, the one error object. */
		cli_fail(r, "%s", diag_why(r));
		goto out;
	}
	if (o.json)
		printf("{\"result\":\"free\",\"ms\":%.1f,\"error\":null}\n", ms);
	else
		printf("no other host answered in %.0f ms: the address(es) are free\n", ms);
	status = EXIT_SUCCESS;
out:
	ipto_plan_unref(plan);
	ipto_binder_unref(binder);
	return status;
}

/* ------------------------------------------------------------------ */
/* tickle                                                              */
/* ------------------------------------------------------------------ */

static bool wanted(const struct ipto_conn *c)
{
	size_t i;

	if (!o.n_ips)
		return true;
	for (i = 0; i < o.n_ips; i++)
		if (ipto_addr_equal(&o.ips[i], &c->server))
			return true;
	return false;
}

int cmd_tickle(void)
{
	struct ipto_conn *conns = NULL;
	int *results = NULL;
	size_t n = 0, cap = 0, lineno = 0, i, skipped = 0, ok = 0;
	unsigned int round, rounds = o.rounds ? o.rounds : 3;
	unsigned int interval = o.interval_set ? o.interval : 500;
	char *line = NULL;
	size_t linecap = 0;
	FILE *f;
	int status = EXIT_FAILURE, r = 0;

	if (!o.conns)
		cli_die_usage("--conns FILE is required");
	if (cli.fail.n) {
		if (!cli.n_dirs)
			cli_die_usage("--fail needs a cluster description (--config, --node)");
		load_description();
		add_fail_ips();
	}
	f = strcmp(o.conns, "-") == 0 ? stdin : fopen(o.conns, "re");
	if (!f) {
		cli_error_set(EXIT_USAGE, errno, "--conns %s: %s", o.conns, strerror(errno));
		return cli_error_emit();
	}
	while (getline(&line, &linecap, f) >= 0) {
		struct ipto_conn c;

		lineno++;
		r = ipto_conn_parse(line, &c);
		if (r < 0) {
			cli_error_set(EXIT_USAGE, r, "%s:%zu: not a connection "
				      "(SERVER:PORT CLIENT:PORT, [IPv6]:PORT)", o.conns, lineno);
			status = cli_error_emit();
			goto out;
		}
		if (r == 0 || !wanted(&c))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			conns = xrealloc(conns, cap * sizeof(*conns));
		}
		conns[n++] = c;
	}
	results = xrealloc(NULL, (n ? n : 1) * sizeof(*results));
	memset(results, 0, (n ? n : 1) * sizeof(*results));
	for (round = 0; round < rounds && n; round++) {
		struct timespec ts = { interval / 1000, (long)(interval % 1000) * 1000000 };

		if (round)
			nanosleep(&ts, NULL);
		diag_reset();
		r = ipto_tickle_send(ctx, conns, n, NULL, results);
		if (r < 0) {
			cli_fail(r, "%s", diag_why(r));
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		char t[IPTO_CONN_STRLEN];

		ipto_conn_format(&conns[i], t, sizeof(t));
		if (results[i] == 0)
			ok++;
		else if (results[i] == -EADDRNOTAVAIL)
			skipped++;
		if (o.json)
			printf("{\"conn\":\"%s\",\"result\":\"%s\"}\n", t,
			       results[i] == 0 ? "tickled" :
			       results[i] == -EADDRNOTAVAIL ? "not-held" : ipto_strerror(results[i]));
		else if (o.verbose || results[i])
			printf("%s: %s\n", t, results[i] == 0 ? "tickled" :
			       results[i] == -EADDRNOTAVAIL ? "skipped (this host does not hold the server address)" :
			       ipto_strerror(results[i]));
	}
	if (!o.json)
		printf("tickled %zu connection(s) %u time(s); %zu skipped (server address "
		       "not here), %zu failed\n", ok, rounds, skipped, n - ok - skipped);
	status = n - ok - skipped ? EXIT_FAILURE : EXIT_SUCCESS;
out:
	if (f != stdin)
		fclose(f);
	free(line);
	free(conns);
	free(results);
	return status;
}

/* ------------------------------------------------------------------ */

int watch_verb_main(const struct verb *v, int argc, char **argv)
{
	static char prefix[32];
	int r;

	cli.verb = v;
	cli.cmd_name = v->name;
	o.name = v->name;
	snprintf(prefix, sizeof(prefix), "ipto %s", v->name);
	cli_error_setup(prefix, " (see ipto watch --help)");
	for (r = 1; r < argc && strcmp(argv[r], "--"); r++)
		if (strcmp(argv[r], "--json") == 0 || strcmp(argv[r], "-j") == 0)
			cli_error_set_json(true); /* for the errors of parse() too */
	parse(argc, argv);
	r = ipto_ctx_new(&ctx);
	if (r < 0)
		return cli_fail(r, "cannot create a context: %s", ipto_strerror(r));
	diag_setup(ctx, "ipto", o.verbose);
	r = v->run();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno ? errno : EIO;

		cli_error_set_json(false); /* stdout is what failed */
		r = cli_fail(e, "cannot write the output: %s", strerror(e));
	}
	return r; /* ipto.c's exit handler frees the context and the description */
}
