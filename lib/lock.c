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

/* The host lock's directory: root's, next to the per-namespace record
 * directories (RECORD_ROOT of the netlink binder). */
#define LOCK_DIR "/run/ipto"

struct ipto_lock {
	int fd;
	struct ipto_ctx *ctx;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Whether the file behind @fd (@what, named @path in messages) is one
 * this library may trust: a directory on the lock's path, or the lock
 * file itself. -EPERM (logged) when another user could have made,
 * replaced or could write it.
 */
static int check_trusted(struct ipto_ctx *ctx, int fd, const char *path, bool dir)
{
	struct stat st;
	uid_t uid = dir ? 0 : geteuid();
	int r;

	if (fstat(fd, &st) < 0) {
		r = -errno;
		log_err(ctx, "lock: cannot stat %s: %s\n", path, ipto_strerror(r));
		return r;
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		log_err(ctx, "lock: %s is not a %s: refused\n", path,
			dir ? "directory" : "regular file");
		return -EPERM;
	}
	if (st.st_uid != uid) {
		log_err(ctx, "lock: %s belongs to uid %lu, not %lu: refused\n", path,
			(unsigned long)st.st_uid, (unsigned long)uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_err(ctx, "lock: %s is writable by other users (mode %04o): "
			"refused\n", path, (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	if (!dir && st.st_nlink != 1) {
		log_err(ctx, "lock: %s has %lu links: refused\n", path,
			(unsigned long)st.st_nlink);
		return -EPERM;
	}
	return 0;
}

/* Opens directory @name under @parent (@shown for messages), making it
 * (0755) when @create; never through a symbolic link. */
static int open_dir(struct ipto_ctx *ctx, int parent, const char *name,
		    const char *shown, bool create)
{
	int fd, r;

	if (create && mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		log_err(ctx, "lock: cannot create %s: %s\n", shown, ipto_strerror(r));
		return r;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP || r == -ENOTDIR)
			log_err(ctx, "lock: %s is not a directory (a link?): refused\n",
				shown);
		else
			log_err(ctx, "lock: cannot open %s: %s\n", shown, ipto_strerror(r));
		return r;
	}
	r = check_trusted(ctx, fd, shown, true);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/*
 * The host's lock file, /run/ipto/INODE.lock, opened (made 0600 when
 * missing) through directories that only root can change: "/", /run and
 * /run/ipto, each root's and writable by no one else, /run/ipto made 0755
 * when missing. Returns the descriptor or a negative errno (logged).
 */
static int open_host_lock(struct ipto_ctx *ctx, char *path, size_t len)
{
	struct stat st;
	char name[32];
	int root, run, dir, fd, r;

	if (stat("/proc/thread-self/ns/net", &st) < 0) {
		r = -errno;
		log_err(ctx, "lock: cannot find this network namespace: %s\n",
			ipto_strerror(r));
		return r;
	}
	snprintf(name, sizeof(name), "%lu.lock", (unsigned long)st.st_ino);
	snprintf(path, len, LOCK_DIR "/%s", name);
	root = open_dir(ctx, AT_FDCWD, "/", "/", false);
	if (root < 0)
		return root;
	run = open_dir(ctx, root, "run", "/run", false);
	close(root);
	if (run < 0)
		return run;
	dir = open_dir(ctx, run, "ipto", LOCK_DIR, true);
	close(run);
	if (dir < 0)
		return dir;
	fd = openat(dir, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    0600);
	r = fd < 0 ? -errno : 0;
	close(dir);
	if (r == -ELOOP)
		log_err(ctx, "lock: %s is a symbolic link: refused\n", path);
	else if (r < 0)
		log_err(ctx, "lock: cannot open %s: %s\n", path, ipto_strerror(r));
	return fd < 0 ? r : fd;
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
		fd = open_host_lock(ctx, path, sizeof(path));
		p = path;
	} else {
		fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
		if (fd < 0) {
			r = -errno;
			if (r == -ELOOP)
				log_err(ctx, "lock: %s is a symbolic link: refused\n", p);
			else
				log_err(ctx, "lock: cannot open %s: %s\n", p,
					ipto_strerror(r));
			return r;
		}
	}
	if (fd < 0)
		return fd;
	r = check_trusted(ctx, fd, p, false);
	if (r < 0) {
		close(fd);
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
	lock->ctx = ipto_ctx_ref(ctx);
	ipto_ctx_lock_taken(ctx);
	log_info(ctx, "lock: holding %s\n", p);
	*ret = lock;
	return 0;
}

IPTO_EXPORT struct ipto_lock *ipto_lock_release(struct ipto_lock *lock)
{
	if (!lock)
		return NULL;
	close(lock->fd); /* drops the flock */
	ipto_ctx_lock_dropped(lock->ctx);
	ipto_ctx_unref(lock->ctx);
	free(lock);
	return NULL;
}
