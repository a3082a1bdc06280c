/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a standby holds, read back from the kernel (ipto_status_new()),
 * with each address's health, as a table or JSON. See doc/record.md.
 */
#include "backend-private.h"
#include "pool-private.h"
#include "record-private.h"
#include "takeover-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

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
	struct record_orphan *orphans; /* record_orphans_read() */
	size_t n_orphans;
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
		l = record_snapshot_link(s, e->ifindex);
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
	ipto_free_all(status->entries, status->standby, status->node, status->orphans);
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
	r = record_resolve_standby(pool, standby, &sbi, "status");
	if (r < 0)
		return r;
	if (node_name) {
		only = pool_find_node(pool, node_name);
		if (only == POOL_NONE) {
			log_err(pool->ctx, "status: no active node %s\n", node_name);
			return -ENOENT;
		}
	}
	r = record_snapshot_read(binder, &snap);
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
		l = record_snapshot_link(&snap, e->ifindex);
		ai = l ? record_adapter_of_link(pool, l, sbi) : POOL_NONE;
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
	/* What a stopped run changed and did not put back (read only). */
	r = 0;
	if (snap.n_links) {
		st->orphans = calloc(snap.n_links, sizeof(*st->orphans));
		if (!st->orphans) {
			r = -ENOMEM;
			goto fail;
		}
		if (!snap.aliases && binder->ops.adapter_get_alias) {
			/* a binder without the aliases in its dump: ask */
			snap.aliases = calloc(snap.n_links, sizeof(*snap.aliases));
			for (i = 0; snap.aliases && i < snap.n_links; i++)
				if (ipto_binder_adapter_get_alias(binder, snap.links[i].ifname,
								  snap.aliases[i],
								  sizeof(snap.aliases[i])) < 0)
					snap.aliases[i][0] = '\0';
		}
		r = record_orphans(pool->ctx, binder, snap.links, snap.n_links,
				   snap.aliases, snap.addrs, snap.n_addrs, false,
				   "status", st->orphans);
	}
	if (r < 0)
		goto fail;
	st->n_orphans = (size_t)r;
	record_snapshot_free(&snap);
	free(held_on);
	free(node_here);
	*ret = st;
	return 0;
fail:
	record_snapshot_free(&snap);
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

IPTO_EXPORT size_t ipto_status_get_orphan_count(const struct ipto_status *status)
{
	return status ? status->n_orphans : 0;
}

IPTO_EXPORT int ipto_status_get_orphan(const struct ipto_status *status,
				       size_t index, struct ipto_orphan *orphan)
{
	if (!status || !orphan || orphan->sz < sizeof(size_t))
		return -EINVAL;
	if (index >= status->n_orphans)
		return -ERANGE;
	record_orphan_copy_out(orphan, &status->orphans[index]);
	return 0;
}

/* The orphaned changes: a JSON array, or one text line each. */
static void format_orphans(const struct ipto_status *status, FILE *f, bool json)
{
	static const char *const names[] = { "up", "arp_ignore", "arp_announce",
					     "promote_secondaries" };
	size_t i, k;

	if (json)
		fputs(",\"orphaned\":[", f);
	for (i = 0; i < status->n_orphans; i++) {
		const struct record_orphan *o = &status->orphans[i];
		const int v[4] = { o->restore.up, o->restore.arp_ignore,
				   o->restore.arp_announce, o->restore.promote };
		bool first = true;

		if (json)
			fprintf(f, "%s{\"ifname\":\"%s\",\"restore\":{", i ? "," : "",
				o->ifname);
		else
			fprintf(f, "orphaned: %s:", o->ifname);
		for (k = 0; k < 4; k++) {
			if (v[k] < 0)
				continue;
			fprintf(f, json ? "%s\"%s\":%d" : "%s%s=%d",
				!json ? " " : first ? "" : ",", names[k], v[k]);
			first = false;
		}
		if (json)
			fprintf(f, "},\"delete_link\":%s}", o->delete_link ? "true" : "false");
		else
			fprintf(f, "%s (left by a run that stopped; ipto release or "
				"cleanup restores it)\n",
				o->delete_link ? " delete (an empty macvlan a takeover made)" : "");
	}
	if (json)
		fputs("]", f);
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
	if (format == IPTO_FORMAT_JSON) {
		fprintf(f, "],\"held\":%zu,\"missing\":%zu,\"unmarked\":%zu,"
			"\"unhealthy\":%zu", held, missing, unmarked, unhealthy);
		format_orphans(status, f, true);
		fputs("}\n", f);
	} else {
		if (status->n == 0)
			fputs("no taken-over address held here\n", f);
		format_orphans(status, f, false);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
