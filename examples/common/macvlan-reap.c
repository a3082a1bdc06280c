/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The detached reaper of a release's macvlan links (macvlan-reap.h). */
#include "macvlan-reap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Whether a link is left to delete: 1, 0, or a negative errno. */
static int anything_to_reap(struct ipto_ctx *ctx, const char *standby)
{
	struct ipto_binder *b = NULL;
	struct ipto_macvlan_entry *e = NULL;
	int n, i, found = 0;

	n = ipto_binder_new_netlink(ctx, &b);
	if (n < 0)
		return n;
	n = ipto_macvlan_list(b, standby, NULL, 0);
	if (n > 0 && !(e = calloc((size_t)n, sizeof(*e))))
		n = -ENOMEM;
	for (i = 0; i < n; i++)
		e[i].sz = sizeof(*e);
	if (n > 0)
		n = ipto_macvlan_list(b, standby, e, (size_t)n);
	for (i = 0; i < n && !found; i++)
		found = !(e[i].flags & IPTO_MACVLAN_KEEP) && e[i].n_addrs == 0;
	free(e);
	ipto_binder_unref(b);
	return n < 0 ? n : found;
}

static void __attribute__((noreturn)) reaper(const char *standby)
{
	IPTO_OPTS(ipto_lock_opts, lo, .timeout_ms = 30000);
	struct ipto_ctx *ctx = NULL;
	struct ipto_binder *b = NULL;
	sigset_t none;
	int fd, r;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* the caller's sockets, lock file and listening port are not ours */
	if (close_range(3, ~0U, 0) < 0)
		for (fd = 3; fd < 1024; fd++)
			close(fd);
	r = ipto_ctx_new(&ctx);
	if (r == 0)
		r = ipto_binder_new_netlink(ctx, &b);
	if (r == 0)
		r = ipto_macvlan_reap(b, standby, &lo);
	ipto_binder_unref(b);
	ipto_ctx_unref(ctx);
	_exit(r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

int macvlan_reap_detached(struct ipto_ctx *ctx, const char *standby)
{
	pid_t pid;
	int r, status;

	r = anything_to_reap(ctx, standby);
	if (r <= 0)
		return r;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* the middle process: a new session, then the reaper as its
		 * child, and out at once, so the caller reaps no zombie later
		 * and the reaper belongs to no terminal or process group */
		setsid();
		pid = fork();
		if (pid == 0)
			reaper(standby);
		_exit(pid < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 1 : -ECHILD;
}
