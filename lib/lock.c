/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lock that serialises takeovers and releases on one host
 * (ipto_lock_acquire()). See doc/record.md.
 */
#include "ipto-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ipto_lock {
	int fd;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

IPTO_EXPORT int ipto_lock_acquire(struct ipto_ctx *ctx,
				  const struct ipto_lock_opts *opts,
				  struct ipto_lock **ret)
{
	char path[128];
	const char *p;
	uint32_t timeout;
	unsigned int flags;
	struct ipto_lock *lock;
	uint64_t deadline;
	bool waited = false;
	int fd, r;

	if (!ctx || !ret)
		return -EINVAL;
	r = ipto_opts_valid(ctx, "lock", opts, ipto_lock_opts, flags);
	if (r < 0)
		return r;
	timeout = ipto_opts_get(opts, ipto_lock_opts, timeout_ms, 0u);
	if (!timeout)
		timeout = IPTO_LOCK_TIMEOUT_DEFAULT_MS;
	flags = ipto_opts_get(opts, ipto_lock_opts, flags, 0u);
	if (flags & ~(unsigned int)IPTO_LOCK_NOWAIT) {
		log_err(ctx, "lock: unknown flags 0x%x\n", flags);
		return -EINVAL;
	}
	p = ipto_opts_get(opts, ipto_lock_opts, path, NULL);
	if (!p) {
		struct stat st;

		if (stat("/proc/thread-self/ns/net", &st) < 0) {
			r = -errno;
			log_err(ctx, "lock: cannot find this network namespace: %s\n",
				ipto_strerror(r));
			return r;
		}
		if (mkdir("/run/lock", 01777) < 0 && errno != EEXIST) {
			r = -errno;
			log_err(ctx, "lock: cannot create /run/lock: %s\n",
				ipto_strerror(r));
			return r;
		}
		snprintf(path, sizeof(path), "/run/lock/ipto-%lu.lock",
			 (unsigned long)st.st_ino);
		p = path;
	}
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		r = -errno;
		log_err(ctx, "lock: cannot open %s: %s\n", p, ipto_strerror(r));
		return r;
	}
	deadline = mono_ms() + timeout;
	for (;;) {
		struct timespec pause = { 0, 10 * 1000000L };

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			r = -errno;
			log_err(ctx, "lock: %s: %s\n", p, ipto_strerror(r));
			close(fd);
			return r;
		}
		if (!waited) {
			log_info(ctx, "lock: %s is held by another takeover or "
				 "release; waiting up to %u ms\n", p, timeout);
			waited = true;
		}
		if (flags & IPTO_LOCK_NOWAIT) {
			log_err(ctx, "lock: %s is held by another process\n", p);
			close(fd);
			return -EBUSY;
		}
		if (mono_ms() >= deadline) {
			log_err(ctx, "lock: another takeover or release held %s "
				"for %u ms; giving up\n", p, timeout);
			close(fd);
			return -ETIMEDOUT;
		}
		nanosleep(&pause, NULL);
	}
	lock = calloc(1, sizeof(*lock));
	if (!lock) {
		close(fd);
		return -ENOMEM;
	}
	lock->fd = fd;
	log_info(ctx, "lock: holding %s\n", p);
	*ret = lock;
	return 0;
}

IPTO_EXPORT struct ipto_lock *ipto_lock_release(struct ipto_lock *lock)
{
	if (!lock)
		return NULL;
	close(lock->fd); /* drops the flock */
	free(lock);
	return NULL;
}
