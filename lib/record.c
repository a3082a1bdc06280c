/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel is the record: what a standby holds is read back from the
 * kernel (addresses carrying IPTO_ADDR_PROTO_TAKEOVER), never remembered
 * by a process. This file loads that occupancy into a pool, builds plans
 * from explicit moves, reads the status of a standby, and holds the lock
 * that serialises takeovers and releases on one host. See doc/record.md.
 */
#include "backend-private.h"
#include "pool-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* One kernel snapshot: one link dump, one address dump                */
/* ------------------------------------------------------------------ */

struct snapshot {
	struct ipto_adapter_entry *links;
	size_t n_links;
	struct ipto_addr_entry *addrs;
	size_t n_addrs;
};

static void snapshot_free(struct snapshot *s)
{
	free(s->links);
	free(s->addrs);
	memset(s, 0, sizeof(*s));
}

static int snapshot_read(struct ipto_binder *binder, struct snapshot *s)
{
	int n;

	memset(s, 0, sizeof(*s));
	n = ipto_binder_adapter_dump_alloc(binder, &s->links);
	if (n < 0)
		return n;
	s->n_links = (size_t)n;
	n = ipto_binder_addr_dump_alloc(binder, 0, &s->addrs);
	if (n < 0) {
		snapshot_free(s);
		return n;
	}
	s->n_addrs = (size_t)n;
	return 0;
}

static const struct ipto_adapter_entry *snapshot_link(const struct snapshot *s,
						   int ifindex)
{
	size_t i;

	for (i = 0; i < s->n_links; i++)
		if (s->links[i].ifindex == ifindex)
			return &s->links[i];
	return NULL;
}

/* The pool adapter a link is (same name and MAC, of @standby when not
 * POOL_NONE), or POOL_NONE. */
static uint32_t adapter_of_link(const struct ipto_pool *pool,
				const struct ipto_adapter_entry *l,
				uint32_t standby)
{
	uint32_t a = pool_find_adapter_by_mac(pool, &l->mac);

	if (a == POOL_NONE || strcmp(pool->adapters[a].ifname, l->ifname) != 0)
		return POOL_NONE;
	if (standby != POOL_NONE && pool->adapters[a].standby != standby)
		return POOL_NONE;
	return a;
}

static int resolve_standby(struct ipto_pool *pool, const char *standby,
			   uint32_t *out, const char *who)
{
	*out = POOL_NONE;
	if (!standby)
		return 0;
	*out = pool_find_standby(pool, standby);
	if (*out == POOL_NONE) {
		log_err(pool->ctx, "%s: no standby %s\n", who, standby);
		return -ENOENT;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Occupancy                                                           */
/* ------------------------------------------------------------------ */

IPTO_EXPORT int ipto_pool_load_occupancy(struct ipto_pool *pool,
					 const char *standby,
					 struct ipto_binder *binder)
{
	struct snapshot snap;
	uint32_t sbi;
	size_t i;
	int r, loaded = 0;

	if (!pool || !binder)
		return -EINVAL;
	r = resolve_standby(pool, standby, &sbi, "load occupancy");
	if (r < 0)
		return r;
	r = snapshot_read(binder, &snap);
	if (r < 0) {
		log_err(pool->ctx, "load occupancy: cannot read the kernel: %s\n",
			ipto_strerror(r));
		return r;
	}
	for (i = 0; i < snap.n_addrs; i++) {
		const struct ipto_addr_entry *e = &snap.addrs[i];
		const struct ipto_adapter_entry *l;
		char text[IPTO_ADDR_STRLEN];
		struct pool_adapter *a;
		struct pool_standby *sb;
		struct pool_node *node;
		uint32_t ai, ipi;

		if (e->proto != IPTO_ADDR_PROTO_TAKEOVER)
			continue;
		ipto_addr_format(&e->addr, text, sizeof(text));
		l = snapshot_link(&snap, e->ifindex);
		ai = l ? adapter_of_link(pool, l, sbi) : POOL_NONE;
		ipi = pool_find_ip(pool, &e->addr);
		if (ai == POOL_NONE || ipi == POOL_NONE) {
			log_info(pool->ctx,
				 "load occupancy: %s on %s is marked as taken over "
				 "but the description has no such %s; ignored\n",
				 text, l ? l->ifname : "?",
				 ipi == POOL_NONE ? "address" : "adapter");
			continue;
		}
		if (pool->ips[ipi].adapter != POOL_NONE)
			continue; /* loaded already */
		node = &pool->nodes[pool->ips[ipi].node];
		a = &pool->adapters[ai];
		sb = &pool->standbys[a->standby];
		pool->ips[ipi].adapter = ai;
		if (a->load++ == 0)
			sb->n_free--;
		sb->load++;
		if (!node->taken_over) {
			node->taken_over = true;
			node->epoch = ++pool->epoch_counter;
		}
		log_info(pool->ctx, "load occupancy: %s of %s is on %s %s\n", text,
			 node->name, sb->name, a->ifname);
		loaded++;
	}
	snapshot_free(&snap);
	return loaded;
}

/* ------------------------------------------------------------------ */
/* Plans from explicit moves                                           */
/* ------------------------------------------------------------------ */

IPTO_EXPORT int ipto_plan_new_moves(struct ipto_pool *pool,
				    enum ipto_plan_action action,
				    const struct ipto_plan_move *moves,
				    size_t n, struct ipto_plan **ret)
{
	struct ipto_plan *plan;
	uint32_t *nodes = NULL;
	size_t i, j, n_nodes = 0;
	int r = 0;

	if (!pool || !moves || n == 0 || !ret ||
	    (action != IPTO_PLAN_ACTION_BIND && action != IPTO_PLAN_ACTION_UNBIND) ||
	    n > POOL_MAX_ITEMS)
		return -EINVAL;
	plan = plan_alloc(pool, action);
	if (!plan)
		return -ENOMEM;
	plan->steps = calloc(n, sizeof(*plan->steps));
	nodes = calloc(n, sizeof(*nodes));
	plan->epochs = calloc(n, sizeof(*plan->epochs));
	if (!plan->steps || !nodes || !plan->epochs) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		const struct ipto_plan_move *m = &moves[i];
		struct plan_step_priv *st = &plan->steps[i];
		char text[IPTO_ADDR_STRLEN] = "?";
		const struct pool_standby *sb;
		uint32_t sbi, ipi, ai = POOL_NONE, node;

		if (!m->standby || !m->ifname || !ipto_addr_valid(&m->ip)) {
			log_err(pool->ctx, "plan from moves: move %zu is incomplete\n", i);
			r = -EINVAL;
			goto fail;
		}
		ipto_addr_format(&m->ip, text, sizeof(text));
		ipi = pool_find_ip(pool, &m->ip);
		sbi = pool_find_standby(pool, m->standby);
		if (ipi == POOL_NONE || sbi == POOL_NONE) {
			log_err(pool->ctx, "plan from moves: %s %s\n",
				ipi == POOL_NONE ? "no node has" : "no standby",
				ipi == POOL_NONE ? text : m->standby);
			r = -ENOENT;
			goto fail;
		}
		sb = &pool->standbys[sbi];
		for (j = 0; j < sb->n_adapters; j++)
			if (strcmp(pool->adapters[sb->adapters[j]].ifname,
				   m->ifname) == 0)
				ai = sb->adapters[j];
		if (ai == POOL_NONE) {
			log_err(pool->ctx, "plan from moves: standby %s has no adapter %s\n",
				m->standby, m->ifname);
			r = -ENOENT;
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (plan->steps[j].ip == ipi) {
				log_err(pool->ctx, "plan from moves: %s listed twice\n",
					text);
				r = -EEXIST;
				goto fail;
			}
		st->ip = ipi;
		st->adapter = ai;
		if (pool->adapters[ai].flags & IPTO_ADAPTER_MANAGEMENT)
			st->flags |= IPTO_PLAN_STEP_MANAGEMENT;
		node = pool->ips[ipi].node;
		for (j = 0; j < n_nodes && nodes[j] != node; j++)
			;
		if (j == n_nodes) {
			plan->epochs[n_nodes] = pool->nodes[node].epoch;
			nodes[n_nodes++] = node;
		}
	}
	plan->n_steps = n;
	/* Shared: the adapter carries more than one taken-over address
	 * after a BIND plan, or before an UNBIND plan. */
	for (i = 0; i < n; i++) {
		uint32_t ai = plan->steps[i].adapter;
		size_t same = 0;

		for (j = 0; j < n; j++)
			same += plan->steps[j].adapter == ai;
		if (action == IPTO_PLAN_ACTION_BIND ? pool->adapters[ai].load + same > 1
					     : pool->adapters[ai].load > 1 || same > 1)
			plan->steps[i].flags |= IPTO_PLAN_STEP_SHARED;
	}
	plan->nodes = nodes;
	plan->n_nodes = n_nodes;
	*ret = plan;
	return 0;
fail:
	free(nodes);
	ipto_plan_unref(plan);
	return r;
}

/* ------------------------------------------------------------------ */
/* The lock                                                            */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

struct status_entry {
	uint32_t ip;      /* pool index */
	uint32_t adapter; /* pool index, POOL_NONE when missing */
	unsigned int health;
	char unmarked_on[16]; /* IPTO_HEALTH_UNMARKED: the interface it is on */
};

struct ipto_status {
	int refcount;
	struct ipto_pool *pool;
	struct status_entry *entries;
	size_t n;
	char *standby; /* as asked, or NULL */
	char *node;
};

/* The health bits in their order (ipto_health_name() names each). */
static const unsigned int health_bits[] = {
	IPTO_HEALTH_ADAPTER_DOWN,
	IPTO_HEALTH_ARP_UNGUARDED,
	IPTO_HEALTH_OTHER_ANSWERS,
	IPTO_HEALTH_MISSING,
	IPTO_HEALTH_UNMARKED,
};

static unsigned int health_of(const struct snapshot *s,
			      const struct ipto_addr_entry *e,
			      const struct ipto_adapter_entry *l)
{
	unsigned int h = 0;
	size_t i;

	if (!l->up || !l->carrier)
		h |= IPTO_HEALTH_ADAPTER_DOWN;
	if (e->addr.family == AF_INET &&
	    ((l->arp_ignore >= 0 && l->arp_ignore < 1) ||
	     (l->arp_announce >= 0 && l->arp_announce < 2)))
		h |= IPTO_HEALTH_ARP_UNGUARDED;
	for (i = 0; i < s->n_addrs; i++)
		if (s->addrs[i].ifindex != e->ifindex &&
		    ipto_addr_equal(&s->addrs[i].addr, &e->addr))
			h |= IPTO_HEALTH_OTHER_ANSWERS;
	if (e->addr.family == AF_INET)
		for (i = 0; i < s->n_links; i++) {
			const struct ipto_adapter_entry *o = &s->links[i];

			/* With arp_ignore=0 an interface answers ARP for
			 * every local address of the host. */
			if (o->ifindex != l->ifindex && !o->loopback && o->up &&
			    o->arp_ignore == 0)
				h |= IPTO_HEALTH_OTHER_ANSWERS;
		}
	return h;
}

/* Whether @addr is on an interface of the host without libipto's mark
 * (an administrator's copy); writes that interface's name to @ifname. */
static bool unmarked_copy(const struct snapshot *s, const struct ipto_addr *addr,
			  char ifname[16])
{
	size_t i;

	for (i = 0; i < s->n_addrs; i++) {
		const struct ipto_addr_entry *e = &s->addrs[i];
		const struct ipto_adapter_entry *l;

		if (e->proto == IPTO_ADDR_PROTO_TAKEOVER ||
		    e->proto == IPTO_ADDR_PROTO_RECLAIM ||
		    !ipto_addr_equal(&e->addr, addr))
			continue;
		l = snapshot_link(s, e->ifindex);
		snprintf(ifname, 16, "%s", l ? l->ifname : "?");
		return true;
	}
	return false;
}

static int cmp_entries(const void *a, const void *b, void *arg)
{
	const struct ipto_pool *pool = arg;
	const struct status_entry *x = a, *y = b;
	const struct pool_ip *ix = &pool->ips[x->ip], *iy = &pool->ips[y->ip];
	int c = strcmp(pool->nodes[ix->node].name, pool->nodes[iy->node].name);

	return c ? c : ipto_addr_compare(&ix->addr, &iy->addr);
}

static void status_free(struct ipto_status *status)
{
	ipto_free_all(status->entries, status->standby, status->node);
	ipto_pool_unref(status->pool);
	free(status);
}

IPTO_EXPORT int ipto_status_new(struct ipto_pool *pool,
				 struct ipto_binder *binder,
				 const struct ipto_status_opts *opts,
				 struct ipto_status **ret)
{
	const char *standby = ipto_opts_get(opts, ipto_status_opts, standby, NULL);
	const char *node_name = ipto_opts_get(opts, ipto_status_opts, node, NULL);
	struct ipto_status *st;
	struct snapshot snap;
	uint32_t sbi, only = POOL_NONE;
	uint32_t *held_on = NULL;
	bool *node_here = NULL;
	size_t i, j, cap;
	int r;

	if (!pool || !binder || !ret)
		return -EINVAL;
	r = ipto_opts_valid(pool->ctx, "status", opts, ipto_status_opts, node);
	if (r < 0)
		return r;
	r = resolve_standby(pool, standby, &sbi, "status");
	if (r < 0)
		return r;
	if (node_name) {
		only = pool_find_node(pool, node_name);
		if (only == POOL_NONE) {
			log_err(pool->ctx, "status: no active node %s\n", node_name);
			return -ENOENT;
		}
	}
	r = snapshot_read(binder, &snap);
	if (r < 0) {
		log_err(pool->ctx, "status: cannot read the kernel: %s\n",
			ipto_strerror(r));
		return r;
	}
	st = ipto_obj_alloc(ipto_status);
	held_on = malloc((pool->n_ips + 1) * sizeof(*held_on));
	node_here = calloc(pool->n_nodes + 1, sizeof(*node_here));
	cap = pool->n_ips + 1;
	if (st)
		st->entries = calloc(cap, sizeof(*st->entries));
	if (!st || !held_on || !node_here || !st->entries ||
	    (standby && !(st->standby = strdup(standby))) ||
	    (node_name && !(st->node = strdup(node_name)))) {
		r = -ENOMEM;
		goto fail;
	}
	st->pool = ipto_pool_ref(pool);
	for (i = 0; i < pool->n_ips; i++)
		held_on[i] = POOL_NONE;
	for (i = 0; i < snap.n_addrs; i++) {
		const struct ipto_addr_entry *e = &snap.addrs[i];
		const struct ipto_adapter_entry *l;
		uint32_t ai, ipi;

		if (e->proto != IPTO_ADDR_PROTO_TAKEOVER)
			continue;
		l = snapshot_link(&snap, e->ifindex);
		ai = l ? adapter_of_link(pool, l, sbi) : POOL_NONE;
		ipi = pool_find_ip(pool, &e->addr);
		if (ai == POOL_NONE || ipi == POOL_NONE || held_on[ipi] != POOL_NONE)
			continue;
		if (only != POOL_NONE && pool->ips[ipi].node != only)
			continue;
		held_on[ipi] = ai;
		node_here[pool->ips[ipi].node] = true;
		st->entries[st->n].ip = ipi;
		st->entries[st->n].adapter = ai;
		st->entries[st->n].health = health_of(&snap, e, l);
		st->n++;
	}
	if (only != POOL_NONE)
		node_here[only] = true;
	/* Missing: the other addresses of every node held here. */
	for (i = 0; i < pool->n_nodes; i++) {
		if (!node_here[i])
			continue;
		for (j = 0; j < pool->nodes[i].n_ips; j++) {
			uint32_t ipi = pool->nodes[i].ips[j];

			if (held_on[ipi] != POOL_NONE)
				continue;
			st->entries[st->n].ip = ipi;
			st->entries[st->n].adapter = POOL_NONE;
			st->entries[st->n].health =
				unmarked_copy(&snap, &pool->ips[ipi].addr,
					      st->entries[st->n].unmarked_on)
					? IPTO_HEALTH_UNMARKED : IPTO_HEALTH_MISSING;
			st->n++;
		}
	}
	qsort_r(st->entries, st->n, sizeof(*st->entries), cmp_entries, pool);
	snapshot_free(&snap);
	free(held_on);
	free(node_here);
	*ret = st;
	return 0;
fail:
	snapshot_free(&snap);
	free(held_on);
	free(node_here);
	if (st)
		status_free(st);
	return r;
}

IPTO_DEFINE_REF_UNREF(ipto_status, status_free)

IPTO_EXPORT size_t ipto_status_get_count(const struct ipto_status *status)
{
	return status ? status->n : 0;
}

IPTO_EXPORT int ipto_status_get_entry(const struct ipto_status *status,
				      size_t index,
				      struct ipto_status_entry *entry)
{
	struct ipto_status_entry e = { .sz = sizeof(e) };
	const struct status_entry *se;
	const struct ipto_pool *pool;

	if (!status || !entry || entry->sz < sizeof(size_t))
		return -EINVAL;
	if (index >= status->n)
		return -ERANGE;
	pool = status->pool;
	se = &status->entries[index];
	e.node = pool->nodes[pool->ips[se->ip].node].name;
	e.ip = pool->ips[se->ip].addr;
	if (se->adapter != POOL_NONE) {
		const struct pool_adapter *a = &pool->adapters[se->adapter];

		e.standby = pool->standbys[a->standby].name;
		e.ifname = a->ifname;
		e.mac = a->mac;
	}
	e.health = se->health;
	ipto_sized_copy_out(entry, &e, sizeof(e));
	return 0;
}

static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

IPTO_EXPORT int ipto_status_format(const struct ipto_status *status,
				   enum ipto_format format, char **out)
{
	size_t i, k, size = 0, held = 0, missing = 0, unmarked = 0, unhealthy = 0;
	char *buf = NULL;
	FILE *f;

	if (!status || !out ||
	    (format != IPTO_FORMAT_TEXT && format != IPTO_FORMAT_JSON))
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	for (i = 0; i < status->n; i++) {
		if (status->entries[i].adapter != POOL_NONE)
			held++;
		else if (status->entries[i].health & IPTO_HEALTH_UNMARKED)
			unmarked++;
		else
			missing++;
		if (status->entries[i].health)
			unhealthy++;
	}
	if (format == IPTO_FORMAT_JSON) {
		fputs("{\"standby\":", f);
		json_str(f, status->standby);
		fputs(",\"node\":", f);
		json_str(f, status->node);
		fputs(",\"addresses\":[", f);
	}
	for (i = 0; i < status->n; i++) {
		struct ipto_status_entry e = { .sz = sizeof(e) };
		char ip[IPTO_ADDR_STRLEN], mac[IPTO_MAC_STRLEN] = "";
		bool first = true;

		ipto_status_get_entry(status, i, &e);
		ipto_addr_format(&e.ip, ip, sizeof(ip));
		if (e.ifname)
			ipto_mac_format(&e.mac, mac, sizeof(mac));
		if (format == IPTO_FORMAT_JSON) {
			fputs(i ? ",{\"node\":" : "{\"node\":", f);
			json_str(f, e.node);
			fprintf(f, ",\"ip\":\"%s\",\"held\":%s,\"standby\":", ip,
				e.ifname ? "true" : "false");
			json_str(f, e.standby);
			fputs(",\"adapter\":", f);
			json_str(f, e.ifname);
			fputs(",\"mac\":", f);
			json_str(f, e.ifname ? mac : NULL);
			fputs(",\"health\":[", f);
			for (k = 0; k < IPTO_ARRAY_SIZE(health_bits); k++)
				if (e.health & health_bits[k]) {
					fprintf(f, "%s\"%s\"", first ? "" : ",",
						ipto_health_name((enum ipto_health)health_bits[k]));
					first = false;
				}
			fputs("],\"unmarked_on\":", f);
			json_str(f, status->entries[i].unmarked_on[0]
					    ? status->entries[i].unmarked_on : NULL);
			fputs("}", f);
			continue;
		}
		if (e.ifname)
			fprintf(f, "%s of %s on %s %s (%s):", ip, e.node, e.standby,
				e.ifname, mac);
		else if (status->entries[i].unmarked_on[0])
			fprintf(f, "%s of %s (on %s, not added by libipto):", ip, e.node,
				status->entries[i].unmarked_on);
		else
			fprintf(f, "%s of %s:", ip, e.node);
		for (k = 0; k < IPTO_ARRAY_SIZE(health_bits); k++)
			if (e.health & health_bits[k]) {
				fprintf(f, "%s%s", first ? " " : ",",
					ipto_health_name((enum ipto_health)health_bits[k]));
				first = false;
			}
		fputs(first ? " ok\n" : "\n", f);
	}
	if (format == IPTO_FORMAT_JSON)
		fprintf(f, "],\"held\":%zu,\"missing\":%zu,\"unmarked\":%zu,"
			"\"unhealthy\":%zu}\n", held, missing, unmarked, unhealthy);
	else if (status->n == 0)
		fputs("no taken-over address held here\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
