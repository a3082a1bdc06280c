/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The neighbours a takeover (or a reclaim) tells directly
 * (doc/neighbour-list.md), gathered before anything changes: for each
 * address the plan binds here, (a) the neighbour table and (b) the
 * routers of its subnet on this host, (d) the senders `ipto watch`
 * recorded; for each node taken over, (c) its neighbours-file and (e) the
 * description's neighbour lines. A node list that is missing or refused
 * is no error: the node may have died before it handed one over; the
 * takeover goes on with the other sources (a warning says so).
 *
 * Also `ipto neighbours --write FILE`: this host's neighbour table, in
 * the list format, for a node's kit to refresh its list.
 */
#include "cli.h"

/* What happened to one node's neighbours-file. */
struct list_note {
	const char *node;
	const char *path;
	int result; /* entries read, or a negative errno */
	char why[300];
};

#define MAX_NOTES 64
static struct list_note notes[MAX_NOTES];
static size_t n_notes;

static bool step_here(const struct ipto_plan_step *s)
{
	if (s->action != IPTO_PLAN_ACTION_BIND)
		return false;
	if (run_flags & IPTO_TAKEOVER_RECLAIM)
		return true;
	return !cli.standby || !s->standby || strcmp(cli.standby, s->standby) == 0;
}

/* Whether the run's schedule sends directed frames for @family's
 * addresses (the library's default does). */
static bool schedule_directed(int family)
{
	uint32_t bit = IPTO_FRAME_STYLE_BIT(family == AF_INET6 ? IPTO_FRAME_STYLE_NS :
					    IPTO_FRAME_STYLE_ARP_DIRECTED);
	const struct ipto_announce_round *r = cli.rounds;
	size_t i, n = cli.n_rounds;

	if (cli.no_directed)
		return false;
	if (!n)
		r = ipto_takeover_default_schedule(&n);
	for (i = 0; i < n; i++)
		if (r[i].styles & bit)
			return true;
	return false;
}

static bool noted(const char *node)
{
	size_t i;

	for (i = 0; i < n_notes; i++)
		if (strcmp(notes[i].node, node) == 0)
			return true;
	return false;
}

/* The node's own sources: its list file (c) and the description (e). */
static int add_node(struct ipto_neigh_set *set, const char *node)
{
	const char *path = cluster_neighbours_file(cluster, node);
	struct list_note *n;
	size_t len;
	char *text;
	int r;

	if (noted(node) || n_notes == MAX_NOTES)
		return 0;
	n = &notes[n_notes++];
	n->node = node;
	n->path = path;
	n->result = 0;
	if (path) {
		diag_reset();
		r = ipto_neigh_set_load_list(set, path, IPTO_NEIGH_NODE_LIST);
		n->result = r;
		if (r < 0) {
			snprintf(n->why, sizeof(n->why), "%s", diag_why(r));
			if (r == -ENOENT)
				snprintf(n->why, sizeof(n->why), "%s: no such file", path);
			if (r != -ENOENT || cli.verbose)
				fprintf(stderr, "ipto: warning: node %s's neighbour list "
					"is not used: %s\n", node, n->why);
		}
	}
	text = cluster_neighbours(cluster, node, &len);
	if (!text)
		return -ENOMEM;
	diag_reset();
	r = len ? ipto_neigh_set_parse_list(set, "description", text, len,
					    IPTO_NEIGH_DESCRIPTION) : 0;
	free(text);
	if (r < 0 && r != -E2BIG)
		return r; /* checked when the description was read */
	return 0;
}

/* A netlink source that fails is a warning: the others still count. */
static void netlink_source(int r, const char *what, const struct ipto_addr *ip)
{
	char text[IPTO_ADDR_STRLEN];

	if (r >= 0 || r == -EOPNOTSUPP)
		return;
	ipto_addr_format(ip, text, sizeof(text));
	fprintf(stderr, "ipto: warning: %s for %s: %s\n", what, text, diag_why(r));
}

/* Whether @a and @b are on the same subnet (family, prefix, its bits). */
static bool same_subnet(const struct ipto_addr *a, const struct ipto_addr *b)
{
	int bits = a->prefixlen, k;

	if (a->family != b->family || a->prefixlen != b->prefixlen || bits < 0)
		return false;
	for (k = 0; bits > 0; k++, bits -= 8) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((a->bytes[k] ^ b->bytes[k]) & mask)
			return false;
	}
	return true;
}

int neighbours_build(struct ipto_plan *plan, struct ipto_neigh_set **ret)
{
	size_t i, k, n = ipto_plan_get_step_count(plan), n_done = 0;
	struct ipto_addr *done = NULL;
	struct ipto_neigh_set *set = NULL;
	int r;

	*ret = NULL;
	n_notes = 0;
	if (cli.no_directed)
		return 0;
	r = ipto_neigh_set_new(ctx, &set);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };

		if (ipto_plan_get_step(plan, i, &s) < 0 || !step_here(&s))
			continue;
		if (s.node) {
			r = add_node(set, s.node);
			if (r < 0) {
				free(done);
				ipto_neigh_set_unref(set);
				return r;
			}
		}
		/* the host's sources once per subnet (one dump each) */
		for (k = 0; k < n_done && !same_subnet(&done[k], &s.ip); k++)
			;
		if (k < n_done)
			continue;
		done = xrealloc(done, (n_done + 1) * sizeof(*done));
		done[n_done++] = s.ip;
		diag_reset();
		netlink_source(ipto_neigh_set_add_table(set, NULL, &s.ip),
			       "the neighbour table", &s.ip);
		diag_reset();
		netlink_source(ipto_neigh_set_add_routers(set, NULL, &s.ip),
			       "the routes", &s.ip);
		diag_reset();
		r = ipto_neigh_set_add_seen(set, NULL, &s.ip);
		if (r < 0 && r != -E2BIG)
			fprintf(stderr, "ipto: warning: the senders ipto watch saw "
				"are not used: %s\n", diag_why(r));
	}
	free(done);
	*ret = set;
	return 0;
}

static void json_count(bool *first, const char *name, unsigned int n)
{
	printf("%s\"%s\":%u", *first ? "" : ",", name, n);
	*first = false;
}

void neighbours_json(const struct ipto_neigh_set *set, struct ipto_plan *plan)
{
	size_t i, k, n = ipto_plan_get_step_count(plan);
	bool first = true;
	uint32_t *idx = NULL;
	size_t cap = ipto_neigh_set_get_count(set);

	printf("\"neighbours\":{\"directed\":%s,\"addresses\":[",
	       cli.no_directed ? "false" : "true");
	if (cap)
		idx = xrealloc(NULL, cap * sizeof(*idx));
	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };
		unsigned int by[5] = { 0 }, bit;
		char text[IPTO_ADDR_STRLEN];
		bool f2 = true;
		int told = 0;

		if (ipto_plan_get_step(plan, i, &s) < 0 || !step_here(&s))
			continue;
		if (set && cap && schedule_directed(s.ip.family))
			told = ipto_neigh_set_targets(set, &s.ip, idx, cap);
		if (told < 0)
			told = 0;
		for (k = 0; k < (size_t)told; k++) {
			IPTO_OPTS(ipto_neigh, e);

			if (ipto_neigh_set_get(set, idx[k], &e) < 0)
				continue;
			for (bit = 0; bit < 5; bit++)
				if (e.sources & (1u << bit))
					by[bit]++;
		}
		ipto_addr_format(&s.ip, text, sizeof(text));
		printf("%s{\"ip\":", first ? "" : ",");
		json_str(text);
		printf(",\"told\":%d,\"sources\":{", told);
		for (bit = 0; bit < 5; bit++)
			if (by[bit])
				json_count(&f2, ipto_neigh_source_name(1u << bit), by[bit]);
		fputs("}}", stdout);
		first = false;
	}
	fputs("],\"lists\":[", stdout);
	for (i = 0; i < n_notes; i++) {
		printf("%s{\"node\":", i ? "," : "");
		json_str(notes[i].node);
		fputs(",\"path\":", stdout);
		if (notes[i].path)
			json_str(notes[i].path);
		else
			fputs("null", stdout);
		printf(",\"used\":%s,\"entries\":%d,\"error\":",
		       notes[i].path && notes[i].result >= 0 ? "true" : "false",
		       notes[i].result > 0 ? notes[i].result : 0);
		if (notes[i].result < 0)
			json_str(notes[i].why);
		else
			fputs("null", stdout);
		fputs("}", stdout);
	}
	fputs("]}", stdout);
	free(idx);
}

/* The text line of a run: how many neighbours were told directly. */
void neighbours_text(const struct ipto_neigh_set *set, struct ipto_plan *plan)
{
	size_t i, n = ipto_plan_get_step_count(plan), addrs = 0;
	long told = 0;

	if (!set)
		return;
	for (i = 0; i < n; i++) {
		struct ipto_plan_step s = { .sz = sizeof(s) };
		int r;

		if (ipto_plan_get_step(plan, i, &s) < 0 || !step_here(&s) ||
		    !schedule_directed(s.ip.family))
			continue;
		r = ipto_neigh_set_targets(set, &s.ip, NULL, 0);
		if (r > 0)
			told += r;
		addrs++;
	}
	if (addrs)
		printf("directed: %ld neighbour(s) told per round for %zu "
		       "address(es)\n", told, addrs);
}

/* ipto neighbours --write FILE: this host's neighbour table (every
 * interface, both families) as a neighbour list, written to FILE.tmp and
 * renamed, so a reader never sees half a list. */
int cmd_neighbours(void)
{
	static const char *const subnets[] = { "0.0.0.0/0", "::/0" };
	struct ipto_neigh_set *set = NULL;
	char tmp[4200];
	size_t i, n;
	FILE *f;
	int r;

	if (!cli.output)
		cli_die_usage("neighbours: --write FILE is required");
	r = ipto_neigh_set_new(ctx, &set);
	for (i = 0; r >= 0 && i < 2; i++) {
		struct ipto_addr any;

		ipto_addr_parse(subnets[i], &any);
		diag_reset();
		r = ipto_neigh_set_add_table(set, cli.interface, &any);
	}
	if (r < 0) {
		ipto_neigh_set_unref(set);
		return cli_fail(r, "neighbours: cannot read the neighbour table: %s",
				diag_why(r));
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", cli.output);
	f = fopen(tmp, "we");
	if (!f) {
		r = -errno;
		ipto_neigh_set_unref(set);
		return cli_fail(r, "neighbours: %s: %s", tmp, strerror(-r));
	}
	fprintf(f, "# neighbour table of this host (ipto neighbours --write)\n");
	n = ipto_neigh_set_get_count(set);
	for (i = 0; i < n; i++) {
		IPTO_OPTS(ipto_neigh, e);
		char a[IPTO_ADDR_STRLEN], m[IPTO_MAC_STRLEN];
		static const struct ipto_mac zero;

		if (ipto_neigh_set_get(set, i, &e) < 0)
			continue;
		e.addr.prefixlen = IPTO_PREFIX_UNKNOWN;
		ipto_addr_format(&e.addr, a, sizeof(a));
		if (memcmp(&e.mac, &zero, sizeof(zero))) {
			ipto_mac_format(&e.mac, m, sizeof(m));
			fprintf(f, "%s %s\n", a, m);
		} else {
			fprintf(f, "%s\n", a);
		}
	}
	ipto_neigh_set_unref(set);
	if (fclose(f) != 0 || rename(tmp, cli.output) < 0) {
		r = -errno;
		unlink(tmp);
		return cli_fail(r, "neighbours: %s: %s", cli.output, strerror(-r));
	}
	if (cli.json)
		printf("{\"command\":\"neighbours\",\"ok\":true,\"written\":%zu}\n", n);
	else
		printf("%zu neighbour(s) written to %s\n", n, cli.output);
	return EXIT_SUCCESS;
}
