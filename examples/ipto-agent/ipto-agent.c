/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto-agent - the patent's takeover flow over the management network, on
 * libipto's public API, authenticated and hardened against a hostile host
 * on the management LAN (doc/agent.md, ipto-agent(8)).
 *
 *   standby:      ipto-agent listen --key FILE --config FILE --standby NAME \
 *                                   --address ADDR:PORT [--allow PREFIX]...
 *   failing node: ipto-agent instruct --key FILE ADDR:PORT takeover NODE [IP]
 *                 ipto-agent instruct --key FILE ADDR:PORT release NODE
 *                 ipto-agent instruct --key FILE ADDR:PORT ping
 *   either:       ipto-agent keygen FILE
 *
 * The failing active node picks its addresses one at a time, tells the
 * standby to take each over, waits for the standby's reply, and only then
 * brings the address down (figures 3 and 5 of the patent). The standby
 * binds the address to a takeover adapter of its own, keeping that
 * adapter's MAC, and announces it. The standby's agent is an event loop
 * (epoll): its TCP socket, its client connections and the timerfd of every
 * takeover still announcing (ipto_takeover_get_fd()); it calls
 * ipto_takeover_dispatch() when one is due, so it answers the next
 * instruction while earlier announcement rounds are still going.
 *
 * The wire protocol (agent-proto.h): every request carries a timestamp, a
 * nonce and an HMAC-SHA-256 tag over the whole line; every reply to an
 * authenticated request carries a tag over the request's nonce and the
 * reply; everything refused gets the one line "denied".
 *
 *   instruction              reply body
 *   takeover NODE [IP]       ok 0 TEXT         the address(es) serve here
 *   release NODE             error ERRNO TEXT  ERRNO: positive errno value
 *   ping
 *
 * "takeover NODE" without IP takes over every address of NODE at once (all
 * or nothing). An instruction that is repeated (say, after a lost reply,
 * with a fresh nonce) is harmless: what is already bound stays and is
 * announced again.
 *
 * The kernel is the record (doc/record.md): the agent keeps no memory of
 * what it took over. Each takeover and release takes the host's lock
 * without waiting (a busy reply, EBUSY, that instruct retries until its
 * deadline: the loop never blocks), reads the description afresh and
 * loads what this standby holds from the kernel, then plans on that: a
 * release removes exactly the marked addresses whoever added them (ipto,
 * this agent, another), and a takeover lands only on adapters no other
 * node's address holds.
 *
 * Abuse: a peer outside the --allow list is refused at accept; each peer
 * holds at most --per-peer connections; each connection lives at most
 * --conn-timeout ms from its accept whatever it sends, carries at most
 * MAX_REQUESTS requests, and may have at most OUT_MAX bytes of replies
 * unread; when --max-conns are open, a new one pushes out the oldest.
 * Replies never block the loop.
 *
 * The failing node must reach the standby from an address it keeps (a
 * management address, best on its own subnet): once the standby holds an
 * address, the standby's replies to that address stay on the standby.
 * instruct refuses to hand over the address it is talking from, and listen
 * refuses to bind a wildcard or an address the pool could take over.
 *
 * Exit status of instruct: 0 the standby replied ok; 1 it replied an
 * error; 2 bad command line or key file; 3 no usable reply (cannot connect,
 * timeout, connection closed, malformed or unauthenticated reply); 4 the
 * standby denied the request (key, clock, allow-list, limits). listen runs
 * until SIGINT or SIGTERM and exits 0; addresses it took over stay bound.
 *
 * The files, by role: this one (main, usage, logging), server.c (listen:
 * connections, admission, the event loop), operations.c (what an
 * instruction does, the announcement jobs), client.c (instruct, keygen);
 * agent.h is what they share, common/agent-proto.c the wire protocol.
 */
#include "agent.h"

void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ipto-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see ipto-agent --help)\n", stderr);
	exit(EXIT_USAGE);
}

static void usage(FILE *out)
{
	fputs(
"Usage: ipto-agent listen --key FILE --config FILE --standby NAME --address ADDR:PORT\n"
"                         [--allow PREFIX]... [--window S] [--conn-timeout MS]\n"
"                         [--max-conns N] [--per-peer N] [--rate N]\n"
"                         [--allow-unsafe-address] [-v]\n"
"       ipto-agent instruct --key FILE ADDR:PORT takeover NODE [IP] [--timeout MS]\n"
"       ipto-agent instruct --key FILE ADDR:PORT release NODE [--timeout MS]\n"
"       ipto-agent instruct --key FILE ADDR:PORT ping [--timeout MS]\n"
"       ipto-agent keygen FILE\n"
"\n"
"listen    run on the standby: take over what the active nodes instruct,\n"
"          on the takeover adapters of standby NAME in the cluster FILE\n"
"          (the format of ipto(1)); ADDR is on the management adapter\n"
"instruct  run on a failing active node: send one instruction, wait for\n"
"          the reply, print it; exit 0 ok, 1 error reply, 3 no reply,\n"
"          4 denied\n"
"keygen    write a new random key to FILE (mode 0600; FILE must not exist)\n"
"\n"
"  -k, --key FILE            the shared secret (owner only, mode 0600)\n"
"  -c, --config FILE         the cluster description\n"
"  -s, --standby NAME        this standby's name in it\n"
"  -l, --address A:P         listen here (IPv6: [ADDR]:PORT)\n"
"  -a, --allow PREFIX        accept peers in PREFIX only (repeatable)\n"
"  -w, --window S            refuse requests older or newer than S s (default 30)\n"
"      --conn-timeout MS     close every connection MS ms after its accept\n"
"                            (default 5000)\n"
"      --max-conns N         connections open at once (default 1024)\n"
"      --per-peer N          connections open at once per peer (default 8)\n"
"      --rate N              requests a second per peer, bursts of 10 s\n"
"                            worth (default 100)\n"
"      --allow-unsafe-address  bind a wildcard or a pool address anyway\n"
"  -t, --timeout MS          instruct: give up after MS ms (default 10000)\n"
"  -v, --verbose             more messages\n"
"  -h, --help                this text\n",
	      out);
}

/* Resolves "ADDR:PORT" or "[ADDR]:PORT" (numeric only). */
int parse_endpoint(const char *text, struct sockaddr_storage *ss,
			  socklen_t *len)
{
	char host[128], *port;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char *end;
	long p;

	if (strlen(text) >= sizeof(host))
		return -EINVAL;
	strcpy(host, text);
	port = strrchr(host, ':');
	if (!port || port == host)
		return -EINVAL;
	*port++ = '\0';
	p = strtol(port, &end, 10);
	if (!*port || *end || p < 1 || p > 65535)
		return -EINVAL;
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = '\0';
		memmove(host, host + 1, n - 1);
	} else if (strchr(host, ':')) {
		return -EINVAL; /* IPv6 needs brackets */
	}
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		return -EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* The address of @sa as an ipto_addr (full prefix) and as text. */
int sockaddr_to_addr(const struct sockaddr_storage *ss, struct ipto_addr *a,
			    char *text, size_t textlen)
{
	char host[INET6_ADDRSTRLEN];

	if (getnameinfo((const struct sockaddr *)ss,
			ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
						   sizeof(struct sockaddr_in6),
			host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		return -EINVAL;
	if (text)
		snprintf(text, textlen, "%s", host);
	return ipto_addr_parse(host, a);
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The standby's state (agent.h): global, reachable from every handler. */
struct agent ag;

/* Every log line is escaped: node names, peers' bytes, library text. */
void logf_(const char *fmt, ...)
{
	char raw[1024], esc[4 * sizeof(raw)];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	agent_escape(raw, strnlen(raw, sizeof(raw)), esc, sizeof(esc));
	printf("ipto-agent: %s\n", esc);
	fflush(stdout);
}

/* A refusal: logged, at most LOG_BURST a second for each reason, then
 * counted (so one kind of flood neither fills the log nor hides another). */
void refusal(const char *peer, const char *why, const void *bytes, size_t len)
{
	char esc[200];
	int64_t now = now_ms();
	size_t i;

	if (now - ag.log_window >= 1000) {
		for (i = 0; i < ag.n_reasons; i++)
			if (ag.reasons[i].suppressed)
				logf_("denied %u more: %s (in the last second; not logged "
				      "one by one)", ag.reasons[i].suppressed,
				      ag.reasons[i].why);
		ag.log_window = now;
		ag.n_reasons = 0;
	}
	for (i = 0; i < ag.n_reasons && ag.reasons[i].why != why; i++)
		;
	if (i == ag.n_reasons && i < MAX_REASONS)
		ag.reasons[ag.n_reasons++] = (struct reason){ .why = why };
	if (i < ag.n_reasons && ag.reasons[i].logged++ >= LOG_BURST) {
		ag.reasons[i].suppressed++;
		return;
	}
	if (bytes) {
		agent_escape(bytes, len > 120 ? 120 : len, esc, sizeof(esc));
		logf_("denied %s: %s: '%s%s'", peer, why, esc, len > 120 ? "..." : "");
	} else {
		logf_("denied %s: %s", peer, why);
	}
}

/* A whole number from @lo to @hi, or a usage error naming @opt. */
static long number(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-' || s[0] == '+' || v < lo || v > hi)
		die_usage("%s: '%s' is not a number from %ld to %ld", opt, s, lo, hi);
	return v;
}

int main(int argc, char **argv)
{
	enum { OPT_CONN_TIMEOUT = 256, OPT_MAX_CONNS, OPT_PER_PEER, OPT_UNSAFE, OPT_RATE };
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'c' },
		{ "standby", required_argument, NULL, 's' },
		{ "address", required_argument, NULL, 'l' },
		{ "allow", required_argument, NULL, 'a' },
		{ "window", required_argument, NULL, 'w' },
		{ "conn-timeout", required_argument, NULL, OPT_CONN_TIMEOUT },
		{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
		{ "per-peer", required_argument, NULL, OPT_PER_PEER },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "allow-unsafe-address", no_argument, NULL, OPT_UNSAFE },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct listen_opts lo = { .window_ms = 30000 };
	const char *key = NULL;
	unsigned int timeout_ms = 10000;
	bool seen_listen_opt = false, seen_timeout = false;
	int c;

	ag.max_conns = 1024;
	ag.per_peer = 8;
	ag.conn_timeout_ms = 5000;
	ag.rate = 100;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:c:s:l:a:w:t:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'c': lo.config = optarg; seen_listen_opt = true; break;
		case 's': lo.standby = optarg; seen_listen_opt = true; break;
		case 'l': lo.address = optarg; seen_listen_opt = true; break;
		case 'a':
			if (ag.n_allow == MAX_ALLOW)
				die_usage("--allow: at most %d prefixes", MAX_ALLOW);
			if (ipto_addr_parse(optarg, &ag.allow[ag.n_allow]) < 0)
				die_usage("--allow: '%s' is not an address or ADDR/PREFIX",
					  optarg);
			ag.n_allow++;
			seen_listen_opt = true;
			break;
		case 'w':
			lo.window_ms = number("--window", optarg, 1, 3600) * 1000;
			seen_listen_opt = true;
			break;
		case OPT_CONN_TIMEOUT:
			ag.conn_timeout_ms = number("--conn-timeout", optarg, 100, 600000);
			seen_listen_opt = true;
			break;
		case OPT_MAX_CONNS:
			ag.max_conns = (size_t)number("--max-conns", optarg, 1, 65536);
			seen_listen_opt = true;
			break;
		case OPT_PER_PEER:
			ag.per_peer = (int)number("--per-peer", optarg, 1, 65536);
			seen_listen_opt = true;
			break;
		case OPT_RATE:
			ag.rate = (double)number("--rate", optarg, 1, 100000);
			seen_listen_opt = true;
			break;
		case OPT_UNSAFE: lo.unsafe = true; seen_listen_opt = true; break;
		case 't':
			timeout_ms = (unsigned int)number("--timeout", optarg, 1, 3600000);
			seen_timeout = true;
			break;
		case 'v': ag.verbose++; break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case ':': die_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			die_usage("unknown option '%s'", optopt ? (char[]){ '-', (char)optopt, 0 }
							: argv[optind - 1]);
		}
	}
	if (optind >= argc)
		die_usage("no command given (listen, instruct, keygen)");
	if (strcmp(argv[optind], "listen") == 0) {
		if (seen_timeout)
			die_usage("--timeout: not an option of 'listen'");
		if (optind + 1 < argc)
			die_usage("listen: unexpected argument '%s'", argv[optind + 1]);
		lo.key = key;
		return cmd_listen(&lo);
	}
	if (strcmp(argv[optind], "instruct") == 0) {
		if (seen_listen_opt)
			die_usage("instruct: --config, --standby, --address, --allow, "
				  "--window and the limits belong to listen");
		if (optind + 1 >= argc)
			die_usage("instruct: ADDR:PORT is required");
		return cmd_instruct(key, argv[optind + 1], argv + optind + 2,
				    argc - optind - 2, timeout_ms);
	}
	if (strcmp(argv[optind], "keygen") == 0) {
		if (seen_listen_opt || seen_timeout || key)
			die_usage("keygen takes no option, only FILE");
		if (optind + 2 != argc)
			die_usage("keygen FILE");
		return cmd_keygen(argv[optind + 1]);
	}
	die_usage("unknown command '%s' (listen, instruct, keygen)", argv[optind]);
}
