/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-exec: time a command and measure its peak memory.
 *
 *   bench-exec OUTFILE CMD [ARGS...]
 *
 * Takes CLOCK_MONOTONIC, forks and execs CMD, waits for it, and writes one
 * line to OUTFILE: "T_CALL T_DONE MAXRSS_KB STATUS" (ns, ns, the peak
 * resident set of CMD and of its descendants that it waited for, the exit
 * status or 128+signal). CMD's own output passes through. Exits with
 * CMD's status.
 *
 * Run it inside the namespace (ip netns exec NS bench-exec ...) so that
 * entering the namespace is not timed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench-common.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	uint64_t t_call, t_done;
	int status, code;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-exec OUTFILE CMD [ARGS...]\n");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (!out)
		bench_die("%s: %s", argv[1], strerror(errno));
	fflush(NULL);
	t_call = bench_now();
	pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "bench-exec: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			bench_die("wait4: %s", strerror(errno));
	t_done = bench_now();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(out, "%llu %llu %ld %d\n", (unsigned long long)t_call,
		(unsigned long long)t_done, ru.ru_maxrss, code);
	fclose(out);
	return code;
}
