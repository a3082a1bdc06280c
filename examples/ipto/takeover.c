/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ipto check, plan, takeover, release, reclaim: the verbs that plan
 * takeovers and run them (verbs.c lists them). */
#include "cli.h"
#include "macvlan-reap.h"

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

/* plan --json: the plan's document with "neighbours" added (the
 * neighbours a takeover here would tell directly, and from which
 * sources: neighbour-list.md). */
static int print_plan_json(struct ipto_plan *plan)
{
	struct ipto_neigh_set *set = NULL;
	char *text = NULL;
	size_t len;
	int r;

	diag_reset();
	r = ipto_plan_format(plan, IPTO_FORMAT_JSON, &text);
	if (r < 0)
		return cli_fail(r, "cannot format the plan: %s", diag_why(r));
	len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	if (len == 0 || text[len - 1] != '}') {
		free(text);
		return cli_fail(-EINVAL, "cannot format the plan: not a JSON object");
	}
	r = neighbours_build(plan, &set);
	if (r < 0) {
		free(text);
		return cli_fail(r, "cannot gather the neighbours: %s", diag_why(r));
	}
	fwrite(text, 1, len - 1, stdout);
	fputs(",", stdout);
	neighbours_json(set, plan);
	puts("}");
	free(text);
	ipto_neigh_set_unref(set);
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
	r = cli.json ? print_plan_json(plan) : print_plan(plan);
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
bool dryrun_injector(void)
{
	return cli.injector && strcmp(cli.injector, "dryrun") == 0;
}

bool dry_run(void)
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

/* The neighbours of the run (run_plan()), for json_result(). */
static struct ipto_neigh_set *run_set;

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
	fputs("]", stdout);
	if (cli.verb->flags & VERB_ANNOUNCES) {
		fputs(",", stdout);
		neighbours_json(run_set, plan);
	}
	puts("}");
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

int run_plan(struct ipto_plan *plan)
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
	if (announces) {
		/* read before any change: the table still shows the old MACs */
		r = neighbours_build(plan, &run_set);
		if (r < 0) {
			cli_fail(r, "%s: cannot gather the neighbours: %s", run_subject(),
				 diag_why(r));
			goto out;
		}
		opts.neighbours = run_set;
		if (cli.no_directed)
			opts.flags |= IPTO_TAKEOVER_NO_DIRECTED;
	}
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
	/* The addresses are bound and the first round is out: the rest only
	 * sends frames, so the lock goes now, as with --background. A
	 * --refresh run in the foreground would otherwise hold it until it
	 * is stopped, and every other run on the host would time out. */
	if (announces)
		host_lock = ipto_lock_release(host_lock);
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
			neighbours_text(run_set, plan);
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
	run_set = ipto_neigh_set_unref(run_set);
	return status;
}

/*
 * With the lock held, before anything is read or planned: what a run
 * that stopped (crashed, was killed) changed and did not put back
 * (ipto_record_repair(), doc/record.md "Orphaned changes"), restored and
 * said, one line each (on stderr with --json, whose stdout is one
 * object). Returns how many empty macvlans it deleted; a failure to
 * read is only said (the command goes on, as before the repair).
 */
int repair_orphans(bool say_deleted)
{
	enum { ROOM = 256 };
	struct ipto_binder *binder = NULL;
	struct ipto_orphan *e;
	FILE *out = cli.json ? stderr : stdout;
	int n, i, deleted = 0;

	if (dryrun_binder() || make_binder(&binder) < 0)
		return 0;
	e = xrealloc(NULL, ROOM * sizeof(*e));
	for (i = 0; i < ROOM; i++)
		e[i].sz = sizeof(e[i]);
	diag_reset();
	n = ipto_record_repair(binder, e, ROOM);
	if (n < 0)
		fprintf(stderr, "%s: cannot look for what a stopped run left: %s\n",
			cli.cmd_name, diag_why(n));
	for (i = 0; i < n && i < ROOM; i++) {
		if (e[i].delete_link) {
			deleted++;
			if (!say_deleted)
				continue;
		}
		fprintf(out, "restored %s:", e[i].ifname);
		if (e[i].up == 0)
			fputs(" down", out);
		if (e[i].arp_ignore >= 0)
			fprintf(out, " arp_ignore=%d", e[i].arp_ignore);
		if (e[i].arp_announce >= 0)
			fprintf(out, " arp_announce=%d", e[i].arp_announce);
		if (e[i].promote_secondaries >= 0)
			fprintf(out, " promote_secondaries=%d", e[i].promote_secondaries);
		if (e[i].delete_link)
			fputs(" deleted (an empty macvlan a takeover made)", out);
		fputs(" (left by a run that stopped before restoring it)\n", out);
	}
	if (n > ROOM)
		fprintf(out, "restored %d more link(s) a stopped run left\n", n - ROOM);
	free(e);
	ipto_binder_unref(binder);
	return deleted;
}

/* One takeover or release at a time on this host: the library's lock
 * (a dry run changes nothing and takes none). Held until the addresses are bound
 * (a takeover lets it go before its later announcement rounds), or exit. */
void take_lock(void)
{
	IPTO_OPTS(ipto_lock_opts, o, .timeout_ms = cli.lock_timeout_s * 1000u);
	int r;

	if (dryrun_binder() || host_lock)
		return;
	diag_reset();
	r = ipto_lock_acquire(ctx, &o, &host_lock);
	if (r == -ETIMEDOUT || r == -EBUSY)
		exit(cli_fail(r, "%s: another takeover or release runs on this host: %s",
			     cli.cmd_name, diag_why(r)));
	if (r < 0)
		exit(cli_fail(r, "%s: cannot take the host's lock: %s", cli.cmd_name,
			     diag_why(r)));
	if (strcmp(cli.cmd_name, "cleanup") != 0)
		repair_orphans(true);
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
int dump_links(struct ipto_binder *binder, struct ipto_adapter_entry **out)
{
	int n = ipto_binder_adapter_dump_all(binder, out);

	if (n < 0)
		*out = NULL;
	return n;
}

int dump_addrs(struct ipto_binder *binder, struct ipto_addr_entry **out)
{
	int n = ipto_binder_addr_dump_all(binder, 0, out);

	if (n < 0)
		*out = NULL;
	return n;
}

/* Every address the description gives @node (*out malloc()ed, or NULL
 * for none); returns how many. */
size_t node_ips(const char *node, struct ipto_addr **out)
{
	size_t n = cluster_node_ips(cluster, node, NULL, 0), m;

	*out = n ? xrealloc(NULL, n * sizeof(**out)) : NULL;
	m = n ? cluster_node_ips(cluster, node, *out, n) : 0;
	return m < n ? m : n; /* never more than was copied */
}

/* The dumped link of @ifindex, or NULL. */
const struct ipto_adapter_entry *link_of(const struct ipto_adapter_entry *links,
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

/* The reclaim plan of @node's @n addresses (reclaim_plan) run with the
 * reclaim mark; a failure to plan is said as "@what: why". The exit
 * status. */
static int reclaim_run(enum ipto_plan_action action, const char *node,
		       const struct ipto_addr *ips, char (*ifnames)[16],
		       const struct ipto_mac *macs, size_t n, const char *what)
{
	struct ipto_pool *pool = NULL;
	struct ipto_plan *plan = NULL;
	int r;

	r = reclaim_plan(action, node, ips, ifnames, macs, n, &pool, &plan);
	if (r < 0) {
		r = cli_fail(r, "%s: %s", what, diag_why(r));
	} else {
		run_flags = IPTO_TAKEOVER_RECLAIM;
		r = run_plan(plan);
		run_flags = 0;
	}
	ipto_plan_unref(plan);
	ipto_pool_unref(pool);
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
	if (n > 0) {
		*found = true;
		r = reclaim_run(IPTO_PLAN_ACTION_UNBIND, node, ips, ifnames, macs, n,
				"release");
	}
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
/* After a release that changed the system: the lock goes at once (nothing
 * is left to change here), and the empty macvlan links the release left
 * are deleted by a detached reaper, so the failback does not wait for the
 * kernel's 16-20 ms a link (doc/macvlan.md). */
static int released(int status)
{
	int r;

	if (status != EXIT_SUCCESS || dryrun_binder())
		return status;
	fflush(stdout);
	fflush(stderr);
	host_lock = ipto_lock_release(host_lock);
	r = macvlan_reap_detached(ctx, cli.standby);
	if (r < 0) {
		const char *m = "release: cannot start deleting the emptied macvlan "
				"links; `ipto cleanup` deletes them";

		cli_log(LOG_WARNING, m);
		if (!cli.json)
			fprintf(stderr, "ipto: %s: %s\n", m, strerror(-r));
	}
	return status;
}

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
		r = released(run_plan(release));
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
	r = released(run_plan(release));
	ipto_plan_unref(release);
	return r;
}

/* ipto reclaim: on the recovered node, bind its addresses back on IF
 * (marked as reclaimed) and announce them with IF's own MAC. */
int cmd_reclaim(void)
{
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	struct ipto_addr *ips = NULL;
	struct ipto_mac *macs;
	char (*ifnames)[16];
	char what[300];
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
	snprintf(what, sizeof(what), "reclaim --node %s", cli.node_sel);
	r = reclaim_run(IPTO_PLAN_ACTION_BIND, cli.node_sel, ips, ifnames, macs, n, what);
	free(ips);
	free(macs);
	free(ifnames);
	return r;
}

