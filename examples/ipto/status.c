/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ipto status, adapters, cleanup: what this host holds, and the virtual
 * (macvlan) takeover adapters (verbs.c lists them). */
#include "cli.h"

static int print_virtual_adapters(struct ipto_binder *binder, const char *standby,
				  bool json, bool heading);

/* The conflicts `ipto watch` recorded in the last STATUS_CONFLICT_MINUTES
 * (watch.c), read once by cmd_status(). */
#define STATUS_CONFLICT_MINUTES 10
static struct watch_conflict *status_conflicts;
static size_t n_status_conflicts;

/* What cmd_status() read, freed at exit. */
void status_free(void)
{
	free(status_conflicts);
	status_conflicts = NULL;
	n_status_conflicts = 0;
}

/* The recorded conflicts about @ip, as a JSON array. */
static void print_conflicts_json(const struct ipto_addr *ip)
{
	size_t i, k = 0;

	putchar('[');
	for (i = 0; i < n_status_conflicts; i++) {
		const struct watch_conflict *c = &status_conflicts[i];

		if (!ipto_addr_equal(&c->addr, ip))
			continue;
		printf("%s{\"time\":", k++ ? "," : "");
		json_str(c->time);
		printf(",\"time_ns\":%llu,\"mac\":", c->time_ns);
		json_str(c->mac);
		printf(",\"adapter\":");
		json_str(c->ifname);
		printf(",\"frame\":");
		json_str(c->frame);
		printf(",\"policy\":");
		json_str(c->policy);
		printf(",\"defended\":%s}", c->defended ? "true" : "false");
	}
	putchar(']');
}

/*
 * The library's status JSON with "conflicts" (print_conflicts_json()) added
 * to each address object and "virtual_adapters" to the whole. Every entry
 * object starts with {"node": and the array ends with ],"held": -- the
 * library escapes every quote inside a string, so neither sequence can
 * occur inside a value -- and entries come in ipto_status_get_entry() order.
 */
static void print_status_json(const struct ipto_status *st, struct ipto_binder *binder,
			      const char *text)
{
	size_t i, n = ipto_status_get_count(st);
	const char *p = text, *cur = strstr(text, "{\"node\":");
	size_t len;

	for (i = 0; cur && i < n; i++) {
		struct ipto_status_entry e = { .sz = sizeof(e) };
		const char *next = strstr(cur + 1, ",{\"node\":");

		if (!next || i + 1 == n)
			next = strstr(cur, "],\"held\":");
		if (!next || next[-1] != '}' || ipto_status_get_entry(st, i, &e) < 0)
			break; /* not the shape above: leave the rest as it is */
		fwrite(p, 1, (size_t)(next - 1 - p), stdout);
		fputs(",\"conflicts\":", stdout);
		print_conflicts_json(&e.ip);
		p = next - 1; /* the entry's closing brace */
		cur = next + 1;
	}
	len = strlen(p);
	if (len >= 2 && strcmp(p + len - 2, "}\n") == 0) {
		fwrite(p, 1, len - 2, stdout);
		fputs(",\"virtual_adapters\":", stdout);
		if (print_virtual_adapters(binder, cli.standby, true, false) < 0)
			fputs("null", stdout);
		fputs("}\n", stdout);
	} else {
		fputs(p, stdout);
	}
}

/*
 * status --node NODE on NODE's own host: the addresses a reclaim bound here
 * (marked IPTO_ADDR_PROTO_RECLAIM) are held here. Returns -1 when none is
 * (the standby status stands), else the exit status: 0 every address of
 * NODE reclaimed here, 1 some of them (the others missing).
 */
static int status_reclaimed(struct ipto_binder *binder, const char *node,
			    const struct ipto_status *st)
{
	bool orphaned = ipto_status_get_orphan_count(st) > 0;
	char *text = NULL;
	struct ipto_adapter_entry *links = NULL;
	struct ipto_addr_entry *addrs = NULL;
	struct ipto_addr *ips = NULL;
	const struct ipto_addr_entry **found = NULL;
	char a[64], m[32];
	size_t n, i, held = 0, unmarked = 0;
	int nl, na = -1, j, r = -1;

	n = node_ips(node, &ips);
	nl = n ? dump_links(binder, &links) : -1;
	if (nl >= 0)
		na = dump_addrs(binder, &addrs);
	if (n == 0 || nl < 0 || na < 0)
		goto out;
	/* found[i]: where ips[i] is reclaimed here (on a link the dump has) */
	found = xrealloc(NULL, n * sizeof(*found));
	for (i = 0; i < n; i++) {
		found[i] = NULL;
		for (j = 0; j < na; j++)
			if (addrs[j].proto == IPTO_ADDR_PROTO_RECLAIM &&
			    ipto_addr_equal(&addrs[j].addr, &ips[i]) &&
			    link_of(links, nl, addrs[j].ifindex)) {
				found[i] = &addrs[j];
				held++;
				break;
			}
	}
	if (held == 0)
		goto out;
	if (cli.json) {
		printf("{\"standby\":null,\"node\":");
		json_str(node);
		printf(",\"addresses\":[");
	}
	for (i = 0; i < n; i++) {
		const struct ipto_adapter_entry *l =
			found[i] ? link_of(links, nl, found[i]->ifindex) : NULL;
		const struct ipto_adapter_entry *u = NULL;

		/* not reclaimed: an administrator's copy (no mark) is here? */
		for (j = 0; !l && !u && j < na; j++)
			if (addrs[j].proto != IPTO_ADDR_PROTO_RECLAIM &&
			    addrs[j].proto != IPTO_ADDR_PROTO_TAKEOVER &&
			    ipto_addr_equal(&addrs[j].addr, &ips[i]))
				u = link_of(links, nl, addrs[j].ifindex);
		unmarked += u != NULL;
		ipto_addr_format(&ips[i], a, sizeof(a));
		if (l)
			ipto_mac_format(&l->mac, m, sizeof(m));
		if (!cli.json) {
			if (l)
				printf("%s of %s: reclaimed on %s (%s)\n", a, node, l->ifname, m);
			else if (u)
				printf("%s of %s (on %s, not added by libipto): unmarked\n", a,
				       node, u->ifname);
			else
				printf("%s of %s: missing\n", a, node);
			continue;
		}
		printf("%s{\"node\":", i ? "," : "");
		json_str(node);
		printf(",\"ip\":\"%s\",\"held\":%s,\"standby\":null,\"adapter\":", a,
		       l ? "true" : "false");
		if (l) {
			json_str(l->ifname);
			printf(",\"mac\":\"%s\",\"health\":[],\"unmarked_on\":null,"
			       "\"reclaimed\":true", m);
		} else {
			printf("null,\"mac\":null,\"health\":[\"%s\"],\"unmarked_on\":",
			       u ? "unmarked" : "missing");
			if (u)
				json_str(u->ifname);
			else
				fputs("null", stdout);
			printf(",\"reclaimed\":false");
		}
		printf(",\"conflicts\":");
		print_conflicts_json(&ips[i]);
		printf("}");
	}
	/* what a stopped run left (the library's lines and JSON array) */
	if (orphaned && ipto_status_format(st, cli.json ? IPTO_FORMAT_JSON
						       : IPTO_FORMAT_TEXT, &text) < 0)
		text = NULL;
	if (cli.json) {
		const char *o = text ? strstr(text, ",\"orphaned\":[") : NULL;

		printf("],\"held\":%zu,\"missing\":%zu,\"unmarked\":%zu,\"unhealthy\":%zu",
		       held, n - held - unmarked, unmarked, n - held);
		if (o)
			fwrite(o, 1, strlen(o) - 2, stdout); /* up to its "}\n" */
		else
			fputs(",\"orphaned\":[]", stdout);
		puts("}");
	} else if (text) {
		const char *o = strstr(text, "orphaned: ");

		if (o)
			fputs(o, stdout);
	}
	free(text);
	r = held == n && !orphaned ? EXIT_SUCCESS : EXIT_FAILURE;
out:
	free(found);
	free(ips);
	free(links);
	free(addrs);
	return r;
}

/* ipto status: 0 all held and healthy, 1 degraded, 3 nothing held. */
int cmd_status(void)
{
	IPTO_OPTS(ipto_status_opts, o, .standby = cli.standby, .node = cli.node_sel);
	struct ipto_binder *binder = NULL;
	struct ipto_status *st = NULL;
	size_t i, n, held = 0, unmarked = 0, unhealthy = 0, orphaned;
	char *text = NULL;
	int r;

	if (make_binder(&binder) < 0)
		return EXIT_FAILURE;
	if (cli.json) {
		/* unreadable record: no conflicts to show, status stands */
		r = watch_recent_conflicts(STATUS_CONFLICT_MINUTES, &status_conflicts);
		n_status_conflicts = r > 0 ? (size_t)r : 0;
	}
	diag_reset();
	r = ipto_status_new(cluster_pool(cluster), binder, &o, &st);
	if (r < 0) {
		ipto_binder_unref(binder);
		return cli_fail(r, "status: %s", diag_why(r));
	}
	n = ipto_status_get_count(st);
	for (i = 0; i < n; i++) {
		struct ipto_status_entry e = { .sz = sizeof(e) };

		if (ipto_status_get_entry(st, i, &e) < 0)
			continue;
		held += e.ifname != NULL;
		unmarked += (e.health & IPTO_HEALTH_UNMARKED) != 0;
		unhealthy += e.health != 0;
	}
	/* A change a stopped run left (doc/record.md): degraded, even with
	 * nothing held. */
	orphaned = ipto_status_get_orphan_count(st);
	/* nothing taken over here: NODE's own host, after a reclaim? */
	if (held == 0 && cli.node_sel && !cli.standby) {
		r = status_reclaimed(binder, cli.node_sel, st);
		if (r >= 0) {
			ipto_binder_unref(binder);
			ipto_status_unref(st);
			return r;
		}
	}
	r = ipto_status_format(st, cli.json ? IPTO_FORMAT_JSON : IPTO_FORMAT_TEXT, &text);
	if (r < 0) {
		ipto_status_unref(st);
		ipto_binder_unref(binder);
		return cli_fail(r, "status: %s", ipto_strerror(r));
	}
	if (cli.json) {
		/* The virtual adapters (tagged macvlans) and the conflicts
		 * go in the same object. */
		print_status_json(st, binder, text);
	} else {
		fputs(text, stdout);
		print_virtual_adapters(binder, cli.standby, false, true);
		/* what ipto watch recorded (watch.c) */
		watch_status_conflicts(stdout, STATUS_CONFLICT_MINUTES);
	}
	ipto_status_unref(st);
	ipto_binder_unref(binder);
	free(text);
	/* An administrator's unmarked copy is here but not held: degraded
	 * (1), not "nothing held" (3). */
	if (held == 0 && unmarked == 0 && orphaned == 0)
		return EXIT_NOTHING_HELD;
	return unhealthy || orphaned ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Virtual (macvlan) takeover adapters                                 */
/* ------------------------------------------------------------------ */

/* The tagged links here, as text lines or a JSON array. */
static int print_virtual_adapters(struct ipto_binder *binder, const char *standby,
				  bool json, bool heading)
{
	struct ipto_macvlan_entry *e = NULL;
	int n, i;

	diag_reset();
	n = ipto_macvlan_list(binder, standby, NULL, 0);
	if (n > 0) {
		int room = n + 4;

		/* Links may come meanwhile: ask again with room to spare, and
		 * never walk past what the last call filled. */
		for (;;) {
			free(e);
			e = calloc((size_t)room, sizeof(*e));
			if (!e)
				return -ENOMEM;
			for (i = 0; i < room; i++)
				e[i].sz = sizeof(*e);
			n = ipto_macvlan_list(binder, standby, e, (size_t)room);
			if (n <= room)
				break;
			room = n + 4;
		}
	}
	if (n < 0) {
		free(e);
		return n;
	}
	if (json)
		fputs("[", stdout);
	else if (heading && n > 0)
		puts("virtual takeover adapters (macvlans libipto made):");
	for (i = 0; i < n; i++) {
		char mac[IPTO_MAC_STRLEN];

		ipto_mac_format(&e[i].mac, mac, sizeof(mac));
		if (json) {
			printf("%s{\"ifname\":", i ? "," : "");
			json_str(e[i].ifname);
			printf(",\"mac\":\"%s\",\"standby\":", mac);
			json_str(e[i].standby);
			printf(",\"index\":%u,\"kept\":%s,\"up\":%s,\"addresses\":%u}",
			       e[i].index, e[i].flags & IPTO_MACVLAN_KEEP ? "true" : "false",
			       e[i].up ? "true" : "false", e[i].n_addrs);
		} else {
			printf("%s %s: adapter %u of %s, %s, %s, %u address(es)\n",
			       e[i].ifname, mac, e[i].index, e[i].standby,
			       e[i].flags & IPTO_MACVLAN_KEEP ? "pre-created (kept)"
							       : "created by a takeover",
			       e[i].up ? "up" : "down", e[i].n_addrs);
		}
	}
	if (json)
		fputs("]", stdout);
	free(e);
	return n;
}

/* ipto adapters [--create|--delete] */
int cmd_adapters(void)
{
	struct ipto_pool *pool = cluster_pool(cluster);
	struct ipto_binder *binder = NULL;
	int r = 0, n;

	if (cli.mv_action && !cli.standby)
		cli_die_usage("adapters: --create and --delete need --standby SB");
	if (cli.standby && ipto_pool_get_macvlan_count(pool, cli.standby) == 0 &&
	    cli.mv_action == 1)
		cli_die_usage("adapters: standby %s has no macvlan adapters in the "
			  "description ('adapter %s macvlan:PARENT count N')",
			  cli.standby, cli.standby);
	if (cli.mv_action)
		take_lock();
	if (make_binder(&binder) < 0)
		return EXIT_FAILURE;
	diag_reset();
	if (cli.mv_action == 1)
		r = ipto_macvlan_setup(pool, cli.standby, binder, IPTO_MACVLAN_KEEP);
	else if (cli.mv_action == 2)
		r = ipto_macvlan_cleanup(binder, cli.standby, IPTO_MACVLAN_KEEP);
	if (r < 0) {
		ipto_binder_unref(binder);
		return cli_fail(r, "adapters: %s", diag_why(r));
	}
	if (cli.json) {
		printf("{\"%s\":%d,\"described\":%zu,\"links\":",
		       cli.mv_action == 1 ? "created" : cli.mv_action == 2 ? "deleted"
									  : "changed",
		       r, ipto_pool_get_macvlan_count(pool, cli.standby));
	} else {
		if (cli.mv_action)
			printf("%s %d link(s)\n", cli.mv_action == 1 ? "created" : "deleted", r);
		printf("%zu virtual takeover adapter(s) in the description\n",
		       ipto_pool_get_macvlan_count(pool, cli.standby));
	}
	n = print_virtual_adapters(binder, cli.standby, cli.json, true);
	ipto_binder_unref(binder);
	if (n < 0)
		cli_error_set(EXIT_FAILURE, n, "adapters: %s", diag_why(n));
	if (cli.json) {
		/* The document is open: the error goes in it. */
		fputs(n < 0 ? "null,\"error\":" : ",\"error\":", stdout);
		cli_error_json_value();
		puts("}");
	}
	return n < 0 ? cli_error_emit() : EXIT_SUCCESS;
}

/* ipto cleanup: a crashed run's leftovers, on purpose. */
int cmd_cleanup(void)
{
	struct ipto_binder *binder = NULL;
	int r;

	int repaired;

	take_lock();
	/* what a stopped run left: its notes' settings, its empty links */
	repaired = repair_orphans(false);
	if (make_binder(&binder) < 0)
		return EXIT_FAILURE;
	diag_reset();
	r = ipto_macvlan_cleanup(binder, cli.standby, 0);
	ipto_binder_unref(binder);
	if (r < 0)
		return cli_fail(r, "cleanup: %s", diag_why(r));
	r += repaired;
	if (cli.json)
		printf("{\"command\":\"cleanup\",\"deleted\":%d,\"error\":null}\n", r);
	else
		printf("deleted %d leftover link(s)\n", r);
	return EXIT_SUCCESS;
}

