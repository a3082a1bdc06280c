/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel is the record, against the dry-run binder: occupancy loaded
 * from the binder steers planning, release removes exactly what takeovers
 * added (marks, secondaries, restore), the host lock times out with a clear
 * error, status reports health, and plans from explicit moves.
 */
#include "test-common.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const TK1 = "02:00:5e:30:01:01";
static const char *const TK2 = "02:00:5e:30:01:02";
static const char *const MGMT = "02:00:5e:30:01:00";

/* The standby host: mgmt (up, not in any description) and two takeover
 * adapters (down). */
static void fx_init(struct test_fixture *f)
{
	struct ipto_mac m;

	test_fixture_init(f);
	ck_assert_int_eq(ipto_binder_new_dryrun(f->ctx, &f->binder), 0);
	ck_assert_int_eq(ipto_injector_new_dryrun(f->ctx, &f->injector), 0);
	m = test_mac(MGMT);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "mgmt", &m, true), 0);
	m = test_mac(TK1);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "tk1", &m, false), 0);
	m = test_mac(TK2);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(f->binder, "tk2", &m, false), 0);
}

/* A fresh description, as each ipto process builds: a1 (two addresses),
 * a2 (one), standby sb with tk1 and tk2. */
static struct ipto_pool *description(struct test_fixture *f)
{
	struct ipto_pool *p = NULL;
	struct ipto_addr a;
	struct ipto_mac m;

	ck_assert_int_eq(ipto_pool_new(f->ctx, &p), 0);
	ck_assert_int_eq(ipto_pool_add_node(p, "a1"), 0);
	a = test_addr("192.0.2.11/24");
	ck_assert_int_eq(ipto_pool_add_node_ip(p, "a1", &a), 0);
	ck_assert_int_eq(ipto_pool_add_node(p, "a2"), 0);
	a = test_addr("192.0.2.21/24");
	ck_assert_int_eq(ipto_pool_add_node_ip(p, "a2", &a), 0);
	ck_assert_int_eq(ipto_pool_add_standby(p, "sb"), 0);
	m = test_mac(TK1);
	ck_assert_int_eq(ipto_pool_add_adapter(p, "sb", "tk1", &m, 0), 0);
	m = test_mac(TK2);
	ck_assert_int_eq(ipto_pool_add_adapter(p, "sb", "tk2", &m, 0), 0);
	return p;
}

/* Runs @plan's start; returns its result. */
static int start(struct test_fixture *f, struct ipto_plan *plan, unsigned int flags)
{
	struct ipto_takeover *t = test_takeover_new(f, plan, flags, NULL);
	int r = ipto_takeover_start(t);

	ipto_takeover_unref(t);
	return r;
}

/* One process: a fresh description, the occupancy loaded, a takeover of
 * @node planned and run. Returns the adapter of its first step. */
static const char *take_over(struct test_fixture *f, const char *node, unsigned int plan_flags,
			     char *ifname, size_t len)
{
	IPTO_OPTS(ipto_plan_opts, po, .flags = plan_flags);
	struct ipto_pool *p = description(f);
	struct ipto_plan *plan = NULL;
	struct ipto_plan_step s = { .sz = sizeof(s) };
	const char *v[] = { node };

	ck_assert_int_ge(ipto_pool_load_occupancy(p, "sb", f->binder), 0);
	ck_assert_int_eq(ipto_plan_new_takeover(p, v, 1, &po, &plan), 0);
	ck_assert_int_eq(ipto_plan_get_step(plan, 0, &s), 0);
	snprintf(ifname, len, "%s", s.ifname);
	ck_assert_int_eq(start(f, plan, 0), 0);
	ipto_plan_unref(plan);
	ipto_pool_unref(p);
	return ifname;
}

static char *dump(struct test_fixture *f)
{
	return test_dump(f->binder);
}

START_TEST(occupancy_steers_the_next_plan)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_plan *plan = NULL;
	struct ipto_plan_step s = { .sz = sizeof(s) };
	const char *a2[] = { "a2" }, *a1[] = { "a1" };
	char ifn[16];
	char *d;

	fx_init(&f);
	ck_assert_str_eq(take_over(&f, "a1", 0, ifn, sizeof(ifn)), "tk1");
	d = dump(&f);
	has(d, "addr tk1 192.0.2.11/24 proto 112\n");
	free(d);

	/* A second process that remembers nothing plans a2 from a fresh
	 * description: without the record it would pick tk1 again. */
	p = description(&f);
	ck_assert_int_eq(ipto_plan_new_takeover(p, a2, 1, NULL, &plan), 0);
	ck_assert_int_eq(ipto_plan_get_step(plan, 0, &s), 0);
	ck_assert_str_eq(s.ifname, "tk1");
	plan = ipto_plan_unref(plan);
	ck_assert_int_eq(ipto_pool_load_occupancy(p, "sb", f.binder), 1);
	ck_assert_int_eq(ipto_plan_new_takeover(p, a2, 1, NULL, &plan), 0);
	ck_assert_int_eq(ipto_plan_get_step(plan, 0, &s), 0);
	ck_assert_str_eq(s.ifname, "tk2");
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 1);
	plan = ipto_plan_unref(plan);
	/* a1 is taken over, by the kernel's word. */
	ck_assert_int_eq(ipto_plan_new_takeover(p, a1, 1, NULL, &plan), -EALREADY);
	/* Loading twice changes nothing. */
	ck_assert_int_eq(ipto_pool_load_occupancy(p, "sb", f.binder), 0);
	ipto_pool_unref(p);

	/* An address that is not marked (an administrator's) is not
	 * occupancy. */
	{
		struct ipto_addr a = test_addr("192.0.2.21/24");

		ck_assert_int_eq(ipto_binder_addr_add(f.binder, "tk2", &a, 0), 0);
	}
	p = description(&f);
	ck_assert_int_eq(ipto_pool_load_occupancy(p, "sb", f.binder), 1);
	ck_assert_int_eq(ipto_pool_load_occupancy(p, "nosuch", f.binder), -ENOENT);
	ipto_pool_unref(p);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(sharing_then_release_keeps_the_other_address)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_plan *plan = NULL;
	const char *a1[] = { "a1" };
	char ifn[16], *before, *d;
	struct ipto_addr adm = test_addr("192.0.2.201/24");

	fx_init(&f);
	before = dump(&f);
	take_over(&f, "a1", 0, ifn, sizeof(ifn));
	/* a2 on the same adapter (sharing asked): one adapter left free,
	 * so the test forces it with an explicit move. */
	p = description(&f);
	ck_assert_int_eq(ipto_pool_load_occupancy(p, "sb", f.binder), 1);
	{
		struct ipto_plan_move m = { .standby = "sb", .ifname = "tk1",
					    .ip = test_addr("192.0.2.21/24") };
		struct ipto_plan_step s = { .sz = sizeof(s) };

		ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, &m, 1, &plan), 0);
		ck_assert_int_eq(ipto_plan_get_step(plan, 0, &s), 0);
		ck_assert(s.flags & IPTO_PLAN_STEP_SHARED);
		ck_assert_str_eq(s.node, "a2");
	}
	ck_assert_int_eq(start(&f, plan, 0), 0);
	plan = ipto_plan_unref(plan);
	ipto_pool_unref(p);
	/* The administrator adds an address to tk1 too. */
	ck_assert_int_eq(ipto_binder_addr_add(f.binder, "tk1", &adm, 0), 0);

	/* Release a1 from what the kernel shows. */
	p = description(&f);
	ck_assert_int_eq(ipto_pool_load_occupancy(p, "sb", f.binder), 2);
	ck_assert_int_eq(ipto_plan_new_release(p, a1, 1, &plan), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 1);
	ck_assert_int_eq(start(&f, plan, 0), 0);
	d = dump(&f);
	/* The dry-run binder deletes a primary's secondaries as the kernel
	 * does: both stayed because release promoted them. */
	lacks(d, "addr tk1 192.0.2.11/24");
	has(d, "addr tk1 192.0.2.21/24 proto 112\n");
	has(d, "addr tk1 192.0.2.201/24\n");
	lacks(d, "promote_secondaries");
	/* The host still holds a2: guards stay, tk1 stays up. */
	has(d, "devconf mgmt arp_ignore 1\n");
	has(d, "link tk1 ifindex 2 mac 02:00:5e:30:01:01 up");
	free(d);
	ck_assert_int_eq(ipto_pool_commit(p, plan), 0);
	plan = ipto_plan_unref(plan);
	ipto_pool_unref(p);

	/* Release a2 and the administrator's address: the host holds
	 * nothing, so every ARP setting and the record go back; tk1 keeps
	 * the administrator's address, so it stays up. */
	ck_assert_int_eq(ipto_binder_addr_del(f.binder, "tk1", &adm), 0);
	p = description(&f);
	{
		const char *a2[] = { "a2" };

		ck_assert_int_eq(ipto_pool_load_occupancy(p, "sb", f.binder), 1);
		ck_assert_int_eq(ipto_plan_new_release(p, a2, 1, &plan), 0);
	}
	ck_assert_int_eq(start(&f, plan, 0), 0);
	d = dump(&f);
	ck_assert_str_eq(d, before);
	free(d);
	ipto_plan_unref(plan);
	ipto_pool_unref(p);
	free(before);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(release_leaves_what_takeovers_did_not_add)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_plan *plan = NULL;
	struct ipto_plan_move m = { .standby = "sb", .ifname = "tk2",
				    .ip = test_addr("192.0.2.21/24") };
	struct ipto_takeover *t = NULL;
	char *d;

	fx_init(&f);
	/* The administrator put a2's address on tk2 by hand. */
	ck_assert_int_eq(ipto_binder_addr_add(f.binder, "tk2", &m.ip, 0), 0);
	p = description(&f);
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_UNBIND, &m, 1, &plan), 0);
	{
		IPTO_OPTS(ipto_takeover_opts, o, .binder = f.binder,
			  .injector = f.injector);

		ck_assert_int_eq(ipto_takeover_new(f.ctx, plan, &o, &t), 0);
	}
	ck_assert_int_eq(ipto_takeover_start(t), 0);
	/* A release sends nothing, so its schedule is complete at once. */
	ck_assert_int_eq(ipto_takeover_dispatch(t), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(f.injector), 0);
	ipto_takeover_unref(t);
	d = dump(&f);
	has(d, "addr tk2 192.0.2.21/24\n");
	free(d);
	has(f.log.all, "was not added by a takeover");
	ipto_plan_unref(plan);
	ipto_pool_unref(p);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(address_on_another_interface_is_refused)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_plan *plan = NULL;
	const char *a1[] = { "a1" };
	struct ipto_addr a = test_addr("192.0.2.11/24");
	char *before, *after;

	fx_init(&f);
	ck_assert_int_eq(ipto_binder_addr_add(f.binder, "mgmt", &a, 0), 0);
	before = dump(&f);
	p = description(&f);
	ck_assert_int_eq(ipto_plan_new_takeover(p, a1, 1, NULL, &plan), 0);
	ck_assert_int_eq(start(&f, plan, 0), -EADDRINUSE);
	after = dump(&f);
	ck_assert_str_eq(before, after);
	has(f.log.all, "two MACs would answer");
	free(before);
	free(after);
	ipto_plan_unref(plan);
	ipto_pool_unref(p);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(lock_times_out_with_a_clear_error)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	char path[] = "/tmp/ipto-lock-test-XXXXXX";
	int fd = mkstemp(path);
	struct ipto_lock *l = NULL, *l2 = NULL;
	IPTO_OPTS(ipto_lock_opts, o, .path = path, .timeout_ms = 200);
	IPTO_OPTS(ipto_lock_opts, nowait, .path = path, .flags = IPTO_LOCK_NOWAIT);

	ck_assert_int_ge(fd, 0);
	/* Another holder: a second open file description of the file. */
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), -ETIMEDOUT);
	ck_assert_ptr_null(l);
	has(log.last, path);
	has(log.last, "giving up");
	ck_assert_int_eq(ipto_lock_acquire(ctx, &nowait, &l), -EBUSY);
	/* The holder goes (as a crashed process's flock does). */
	close(fd);
	ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), 0);
	ck_assert_int_eq(ipto_lock_acquire(ctx, &nowait, &l2), -EBUSY);
	ck_assert_ptr_null(ipto_lock_release(l));
	ck_assert_int_eq(ipto_lock_acquire(ctx, &nowait, &l2), 0);
	ipto_lock_release(l2);
	ck_assert_ptr_null(ipto_lock_release(NULL));
	ck_assert_int_eq(ipto_lock_acquire(NULL, &o, &l), -EINVAL);
	{
		IPTO_OPTS(ipto_lock_opts, bad, .path = path, .flags = 0x80);

		ck_assert_int_eq(ipto_lock_acquire(ctx, &bad, &l), -EINVAL);
	}
	unlink(path);
	ipto_ctx_unref(ctx);
}
END_TEST

/* A lock file the library did not make is refused, named in the log:
 * a link (-ELOOP), not a regular file, writable by others, with a second
 * name, or of another owner (-EPERM). */
START_TEST(lock_refuses_files_it_did_not_make)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	char dir[] = "/tmp/ipto-lock-dir-XXXXXX", path[64], other[64];
	struct ipto_lock *l = NULL;
	IPTO_OPTS(ipto_lock_opts, o, .path = path, .flags = IPTO_LOCK_NOWAIT);
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lock", dir);
	snprintf(other, sizeof(other), "%s/target", dir);
	fd = open(other, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);

	ck_assert_int_eq(symlink(other, path), 0);
	ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), -ELOOP);
	has(log.last, "is a symbolic link: refused");
	ck_assert_int_eq(unlink(path), 0);

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), -EPERM);
	has(log.last, "is not a regular file: refused");
	ck_assert_int_eq(unlink(path), 0);

	ck_assert_int_eq(link(other, path), 0);
	ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), -EPERM);
	has(log.last, "has 2 links: refused");
	ck_assert_int_eq(unlink(path), 0);

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0666), 0);
	ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), -EPERM);
	has(log.last, "is writable by other users (mode 0666): refused");
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(fchown(fd, 65534, 65534), 0);
		ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), -EPERM);
		has(log.last, "belongs to uid 65534, not 0: refused");
		ck_assert_int_eq(fchown(fd, 0, 0), 0);
	}
	close(fd);
	ck_assert_ptr_null(l);
	/* its own (and one it makes) are fine */
	ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), 0);
	l = ipto_lock_release(l);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(ipto_lock_acquire(ctx, &o, &l), 0);
	ipto_lock_release(l);
	unlink(path);
	unlink(other);
	rmdir(dir);
	ipto_ctx_unref(ctx);
}
END_TEST

static unsigned int health_of(struct ipto_status *st, const char *ip, const char **ifname)
{
	struct ipto_addr want = test_addr(ip);
	size_t i;

	for (i = 0; i < ipto_status_get_count(st); i++) {
		struct ipto_status_entry e = { .sz = sizeof(e) };

		ck_assert_int_eq(ipto_status_get_entry(st, i, &e), 0);
		if (ipto_addr_equal(&e.ip, &want)) {
			if (ifname)
				*ifname = e.ifname;
			return e.health;
		}
	}
	ck_abort_msg("%s not in the status", ip);
	return 0;
}

START_TEST(status_reports_health)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_status *st = NULL;
	const char *ifname = NULL;
	char ifn[16], *json = NULL;

	fx_init(&f);
	p = description(&f);
	ck_assert_int_eq(ipto_status_new(p, f.binder, NULL, &st), 0);
	ck_assert_uint_eq(ipto_status_get_count(st), 0);
	st = ipto_status_unref(st);

	take_over(&f, "a1", 0, ifn, sizeof(ifn));
	ck_assert_int_eq(ipto_status_new(p, f.binder, NULL, &st), 0);
	ck_assert_uint_eq(ipto_status_get_count(st), 1);
	ck_assert_uint_eq(health_of(st, "192.0.2.11/24", &ifname), 0);
	ck_assert_str_eq(ifname, "tk1");
	st = ipto_status_unref(st);

	/* Break things one at a time. */
	ck_assert_int_eq(ipto_binder_adapter_set_up(f.binder, "tk1", false), 0);
	ck_assert_int_eq(ipto_status_new(p, f.binder, NULL, &st), 0);
	ck_assert_uint_eq(health_of(st, "192.0.2.11/24", NULL), IPTO_HEALTH_ADAPTER_DOWN);
	st = ipto_status_unref(st);
	ck_assert_int_eq(ipto_binder_adapter_set_up(f.binder, "tk1", true), 0);
	ck_assert_int_eq(ipto_binder_devconf_set(f.binder, "tk1", IPTO_DEVCONF_ARP_ANNOUNCE, 0), 0);
	ck_assert_int_eq(ipto_status_new(p, f.binder, NULL, &st), 0);
	ck_assert_uint_eq(health_of(st, "192.0.2.11/24", NULL), IPTO_HEALTH_ARP_UNGUARDED);
	st = ipto_status_unref(st);
	ck_assert_int_eq(ipto_binder_devconf_set(f.binder, "tk1", IPTO_DEVCONF_ARP_ANNOUNCE, 2), 0);
	ck_assert_int_eq(ipto_binder_devconf_set(f.binder, "mgmt", IPTO_DEVCONF_ARP_IGNORE, 0), 0);
	ck_assert_int_eq(ipto_status_new(p, f.binder, NULL, &st), 0);
	ck_assert_uint_eq(health_of(st, "192.0.2.11/24", NULL), IPTO_HEALTH_OTHER_ANSWERS);
	st = ipto_status_unref(st);
	ck_assert_int_eq(ipto_binder_devconf_set(f.binder, "mgmt", IPTO_DEVCONF_ARP_IGNORE, 1), 0);

	/* Asked about a2: its address is held nowhere here. */
	{
		IPTO_OPTS(ipto_status_opts, o, .node = "a2");

		ck_assert_int_eq(ipto_status_new(p, f.binder, &o, &st), 0);
		ck_assert_uint_eq(ipto_status_get_count(st), 1);
		ck_assert_uint_eq(health_of(st, "192.0.2.21/24", &ifname), IPTO_HEALTH_MISSING);
		ck_assert_ptr_null(ifname);
		ck_assert_int_eq(ipto_status_format(st, IPTO_FORMAT_JSON, &json), 0);
		has(json, "\"ip\":\"192.0.2.21/24\",\"held\":false");
		has(json, "\"health\":[\"missing\"]");
		has(json, "\"held\":0,\"missing\":1");
		free(json);
		st = ipto_status_unref(st);

		/* An administrator puts it on tk2 (no mark): present, not
		 * held by libipto, so "unmarked", not "missing". */
		{
			struct ipto_addr a = test_addr("192.0.2.21/24");

			ck_assert_int_eq(ipto_binder_addr_add(f.binder, "tk2", &a, 0), 0);
		}
		ck_assert_int_eq(ipto_status_new(p, f.binder, &o, &st), 0);
		ck_assert_uint_eq(ipto_status_get_count(st), 1);
		ck_assert_uint_eq(health_of(st, "192.0.2.21/24", &ifname), IPTO_HEALTH_UNMARKED);
		ck_assert_ptr_null(ifname);
		ck_assert_int_eq(ipto_status_format(st, IPTO_FORMAT_JSON, &json), 0);
		has(json, "\"ip\":\"192.0.2.21/24\",\"held\":false");
		has(json, "\"health\":[\"unmarked\"],\"unmarked_on\":\"tk2\"");
		has(json, "\"held\":0,\"missing\":0,\"unmarked\":1,\"unhealthy\":1");
		free(json);
		ck_assert_int_eq(ipto_status_format(st, IPTO_FORMAT_TEXT, &json), 0);
		ck_assert_str_eq(json, "192.0.2.21/24 of a2 (on tk2, not added by libipto): unmarked\n");
		free(json);
		st = ipto_status_unref(st);
	}
	{
		IPTO_OPTS(ipto_status_opts, o, .node = "zz");

		ck_assert_int_eq(ipto_status_new(p, f.binder, &o, &st), -ENOENT);
	}
	ipto_pool_unref(p);
	test_fixture_fini(&f);
}
END_TEST

START_TEST(moves_are_checked)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_plan *plan = NULL;
	struct ipto_plan_move m[2] = {
		{ .standby = "sb", .ifname = "tk1", .ip = test_addr("192.0.2.11/24") },
		{ .standby = "sb", .ifname = "tk2", .ip = test_addr("192.0.2.11/24") },
	};

	fx_init(&f);
	p = description(&f);
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, m, 2, &plan), -EEXIST);
	m[1].ip = test_addr("192.0.2.99/24");
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, m, 2, &plan), -ENOENT);
	m[1].ip = test_addr("192.0.2.21/24");
	m[1].ifname = "tk9";
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, m, 2, &plan), -ENOENT);
	m[1].ifname = "tk2";
	ck_assert_int_eq(ipto_plan_new_moves(p, 7, m, 2, &plan), -EINVAL);
	ck_assert_ptr_null(plan);
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, m, 2, &plan), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 2);
	/* Committing it marks both nodes taken over; a release of moves the
	 * pool does not record is stale. */
	ck_assert_int_eq(ipto_pool_commit(p, plan), 0);
	plan = ipto_plan_unref(plan);
	m[1].ifname = "tk1";
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_UNBIND, &m[1], 1, &plan), 0);
	ck_assert_int_eq(ipto_pool_commit(p, plan), -ESTALE);
	ipto_plan_unref(plan);
	ipto_pool_unref(p);
	test_fixture_fini(&f);
}
END_TEST

/* Binding again an address the pool holds counts it once; a release then
 * frees every adapter (issue 22: one stayed busy for good). */
START_TEST(explicit_move_keeps_counts)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_plan *plan = NULL;
	const char *a1[] = { "a1" };
	struct ipto_plan_move m = { .standby = "sb", .ifname = "tk1",
				    .ip = test_addr("192.0.2.11/24") };
	struct ipto_plan_step s = { .sz = sizeof(s) };
	char ifn[16];

	fx_init(&f);
	p = description(&f);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 2);
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, &m, 1, &plan), 0);
	ck_assert_int_eq(ipto_pool_commit(p, plan), 0);
	plan = ipto_plan_unref(plan);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 1);
	/* again, onto the adapter that holds it (what ipto-agent does for an
	 * address the kernel shows here): not shared, counted once */
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, &m, 1, &plan), 0);
	ck_assert_int_eq(ipto_plan_get_step(plan, 0, &s), 0);
	ck_assert_uint_eq(s.flags & IPTO_PLAN_STEP_SHARED, 0);
	ck_assert_int_eq(ipto_pool_commit(p, plan), 0);
	plan = ipto_plan_unref(plan);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 1);
	ck_assert_int_eq(ipto_plan_new_release(p, a1, 1, &plan), 0);
	ck_assert_uint_eq(ipto_plan_get_step_count(plan), 1);
	ck_assert_int_eq(ipto_pool_commit(p, plan), 0);
	plan = ipto_plan_unref(plan);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 2);
	/* the same after loading what the kernel holds */
	m.ifname = take_over(&f, "a1", 0, ifn, sizeof(ifn));
	ipto_pool_unref(p);
	p = description(&f);
	ck_assert_int_eq(ipto_pool_load_occupancy(p, "sb", f.binder), 1);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 1);
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, &m, 1, &plan), 0);
	ck_assert_int_eq(ipto_pool_commit(p, plan), 0);
	plan = ipto_plan_unref(plan);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 1);
	ck_assert_int_eq(ipto_plan_new_release(p, a1, 1, &plan), 0);
	ck_assert_int_eq(ipto_pool_commit(p, plan), 0);
	ipto_plan_unref(plan);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 2);
	ipto_pool_unref(p);
	test_fixture_fini(&f);
}
END_TEST

/* Explicit moves obey the planner's rules, each with its errno and a
 * message that names the rule. */
START_TEST(moves_obey_the_planners_rules)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_plan *plan = NULL;
	struct ipto_mac mac;
	struct ipto_addr a = test_addr("192.0.2.12/24");
	struct ipto_plan_move m[2] = {
		{ .standby = "sb", .ifname = "tk2", .ip = test_addr("192.0.2.21/24") },
		{ .standby = "sb2", .ifname = "tk3", .ip = test_addr("192.0.2.12/24") },
	};

	fx_init(&f);
	p = description(&f);
	ck_assert_int_eq(ipto_pool_add_node_ip(p, "a1", &a), 0);
	mac = test_mac(TK2);
	ck_assert_int_eq(ipto_pool_add_node_mac(p, "a2", &mac), 0);
	ck_assert_int_eq(ipto_pool_add_standby(p, "sb2"), 0);
	mac = test_mac("02:00:5e:30:02:03");
	ck_assert_int_eq(ipto_pool_add_adapter(p, "sb2", "tk3", &mac, 0), 0);

	/* node MAC: a2's address never goes on the adapter with a2's MAC
	 * (the planner puts it on tk1) */
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, m, 1, &plan), -EPERM);
	ck_assert_ptr_nonnull(strstr(f.log.all, "plan from moves: 192.0.2.21/24 of node a2 "
				     "cannot go on sb tk2: the adapter has one of a2's own MACs"));
	ck_assert_ptr_null(plan);
	/* releasing it from there is fine */
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_UNBIND, m, 1, &plan), 0);
	plan = ipto_plan_unref(plan);

	/* one node, one standby */
	m[0] = (struct ipto_plan_move){ .standby = "sb", .ifname = "tk1",
					.ip = test_addr("192.0.2.11/24") };
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, m, 2, &plan), -EXDEV);
	ck_assert_ptr_nonnull(strstr(f.log.all, "plan from moves: node a1 goes to standby sb "
				     "in move 0; 192.0.2.12/24 cannot go to standby sb2"));
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, m, 1, &plan), 0);
	ck_assert_int_eq(ipto_pool_commit(p, plan), 0);
	plan = ipto_plan_unref(plan);
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, &m[1], 1, &plan), -EXDEV);
	ck_assert_ptr_nonnull(strstr(f.log.all, "plan from moves: node a1 is held on standby "
				     "sb; 192.0.2.12/24 cannot go to standby sb2"));

	/* an address held stays where it is: no second copy elsewhere */
	m[0].ifname = "tk2";
	ck_assert_int_eq(ipto_plan_new_moves(p, IPTO_PLAN_ACTION_BIND, m, 1, &plan), -EALREADY);
	ck_assert_ptr_nonnull(strstr(f.log.all, "plan from moves: 192.0.2.11/24 of node a1 is "
				     "held on sb tk1 already; release it before moving it to sb tk2"));
	ck_assert_ptr_null(plan);
	ck_assert_uint_eq(ipto_pool_get_free_capacity(p), 1);
	ipto_pool_unref(p);
	test_fixture_fini(&f);
}
END_TEST

/* A run that stopped after its changes and before their undo, as a
 * crash leaves it: the takeover's address gone (by hand here), its notes
 * kept. Status lists the orphans (degraded) and ipto_record_repair()
 * puts the host back exactly, notes included. */
START_TEST(orphans_reported_and_repaired)
{
	struct test_fixture f;
	struct ipto_pool *p;
	struct ipto_status *st = NULL;
	struct ipto_orphan o[8];
	struct ipto_addr a = test_addr("192.0.2.11/24");
	char ifn[16], *before, *after, *json = NULL, note[256];
	size_t i, n;
	int r;

	fx_init(&f);
	p = description(&f);
	before = dump(&f);
	ck_assert_int_eq(ipto_record_repair(f.binder, NULL, 0), 0);
	take_over(&f, "a1", 0, ifn, sizeof(ifn));
	ck_assert_str_eq(ifn, "tk1");
	/* held: the notes are needed, nothing is orphaned */
	ck_assert_int_eq(ipto_status_new(p, f.binder, NULL, &st), 0);
	ck_assert_uint_eq(ipto_status_get_orphan_count(st), 0);
	st = ipto_status_unref(st);
	ck_assert_int_eq(ipto_binder_addr_del(f.binder, "tk1", &a), 0);

	ck_assert_int_eq(ipto_status_new(p, f.binder, NULL, &st), 0);
	ck_assert_uint_eq(ipto_status_get_count(st), 0);
	n = ipto_status_get_orphan_count(st);
	ck_assert_uint_ge(n, 1);
	for (i = 0; i < n; i++) {
		o[0].sz = sizeof(o[0]);
		ck_assert_int_eq(ipto_status_get_orphan(st, i, &o[0]), 0);
		if (strcmp(o[0].ifname, "tk1") == 0)
			break;
	}
	ck_assert_uint_lt(i, n);
	ck_assert_int_eq(o[0].up, 0);
	ck_assert_int_eq(o[0].arp_ignore, 0);
	ck_assert_int_eq(o[0].arp_announce, 0);
	ck_assert(!o[0].delete_link);
	o[1].sz = sizeof(o[1]);
	ck_assert_int_eq(ipto_status_get_orphan(st, n, &o[1]), -ERANGE);
	ck_assert_int_eq(ipto_status_format(st, IPTO_FORMAT_JSON, &json), 0);
	has(json, "{\"ifname\":\"tk1\",\"restore\":{\"up\":0,\"arp_ignore\":0,\"arp_announce\":0},\"delete_link\":false}");
	free(json);
	ck_assert_int_eq(ipto_status_format(st, IPTO_FORMAT_TEXT, &json), 0);
	has(json, "orphaned: tk1: up=0 arp_ignore=0 arp_announce=0");
	free(json);
	st = ipto_status_unref(st);

	for (i = 0; i < 8; i++)
		o[i].sz = sizeof(o[i]);
	r = ipto_record_repair(f.binder, o, 8);
	ck_assert_int_eq(r, (int)n);
	after = dump(&f);
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(ipto_binder_record_get(f.binder, "link.tk1", note, sizeof(note)),
			 -ENOENT);
	ck_assert_int_eq(ipto_status_new(p, f.binder, NULL, &st), 0);
	ck_assert_uint_eq(ipto_status_get_orphan_count(st), 0);
	st = ipto_status_unref(st);
	/* nothing left: a second repair finds nothing */
	ck_assert_int_eq(ipto_record_repair(f.binder, o, 8), 0);
	ck_assert_int_eq(ipto_record_repair(NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(ipto_record_repair(f.binder, NULL, 1), -EINVAL);
	free(before);
	free(after);
	ipto_pool_unref(p);
	test_fixture_fini(&f);
}
END_TEST

static Suite *record_suite(void)
{
	Suite *s = suite_create("record");

	test_tcase(s, "record", occupancy_steers_the_next_plan,
		   explicit_move_keeps_counts, moves_obey_the_planners_rules,
		   sharing_then_release_keeps_the_other_address,
		   release_leaves_what_takeovers_did_not_add,
		   address_on_another_interface_is_refused,
		   lock_times_out_with_a_clear_error,
		   lock_refuses_files_it_did_not_make, status_reports_health,
		   moves_are_checked, orphans_reported_and_repaired);
	return s;
}

IPTO_TEST_MAIN(record_suite)
