/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verb table of the ipto command: see verbs.h. */
#include "verbs.h"

#include <getopt.h>
#include <string.h>

/* ipto.c's and watch.c's getopt tables. */
extern const struct option ipto_options[];
extern const struct option watch_options[];

/* Every verb that reads the cluster description takes these. */
#define DESC "config node adapter binder "

static const struct verb verbs[] = {
	{ "check",
	  "  check                  check the capacity rule: does every node fit?\n",
	  DESC, VERB_DESCRIPTION, NULL, cmd_check, NULL },
	{ "plan",
	  "  plan     --fail NODE   print which IP goes on which adapter\n",
	  DESC "fail taken-over share no-directed",
	  VERB_DESCRIPTION | VERB_FAIL, NULL, cmd_plan, NULL },
	{ "takeover",
	  "  takeover --fail NODE   bind NODE's IPs here and announce them\n",
	  DESC "fail taken-over share standby keep-devconf dad schedule injector "
	  "lock-timeout refresh background no-directed",
	  VERB_DESCRIPTION | VERB_FAIL | VERB_ANNOUNCES, NULL, cmd_takeover, NULL },
	{ "release",
	  "  release  --fail NODE   remove what a takeover of NODE bound (failback)\n",
	  DESC "fail taken-over share standby injector lock-timeout",
	  VERB_DESCRIPTION | VERB_FAIL | VERB_HERE_ONLY, NULL, cmd_release, NULL },
	{ "status",
	  "  status   [--node NODE] what this host holds, read from the kernel; exit 0\n"
	  "                         all held and healthy, 1 degraded, 3 nothing held\n",
	  DESC "standby",
	  VERB_DESCRIPTION | VERB_NODE_SELECT | VERB_HERE_ONLY, NULL, cmd_status,
	  NULL },
	{ "reclaim",
	  "  reclaim  --node NODE --interface IF   on the recovered node: bind NODE's\n"
	  "                         addresses on IF if missing and announce them\n",
	  DESC "dad schedule injector lock-timeout refresh background interface "
	  "no-directed",
	  VERB_DESCRIPTION | VERB_NODE_SELECT | VERB_HERE_ONLY | VERB_ANNOUNCES,
	  check_reclaim, cmd_reclaim, NULL },
	{ "adapters",
	  "  adapters [--create|--delete] --standby SB  the virtual (macvlan) takeover\n"
	  "                         adapters: list the tagged links here; --create\n"
	  "                         makes them now and leaves them in place (no link\n"
	  "                         creation on the failover path); --delete removes\n"
	  "                         those that hold no address\n",
	  DESC "standby lock-timeout create delete",
	  VERB_DESCRIPTION, NULL, cmd_adapters, NULL },
	{ "cleanup",
	  "  cleanup  [--standby SB] delete the macvlans a takeover created and a\n"
	  "                         crashed run left behind (tagged, no address)\n",
	  DESC "standby lock-timeout",
	  VERB_DESCRIPTION, NULL, cmd_cleanup, NULL },
	{ "announce",
	  "  announce --interface IF --ip ADDR   send announcement frames now\n",
	  "binder injector interface count interval ip mac style",
	  0, check_announce, cmd_announce, NULL },
	{ "frames",
	  "  frames   --ip ADDR --mac MAC --output FILE   write them to a pcap file\n",
	  "ip mac style output",
	  0, check_frames, cmd_frames, NULL },
	{ "neighbours",
	  "  neighbours --write FILE  this host's neighbour table as a neighbour list\n"
	  "                         (doc/neighbour-list.md), for a node's kit\n",
	  "write interface",
	  0, NULL, cmd_neighbours, NULL },
	/* After the takeover (doc/watch.md): options of their own, read by
	 * watch.c, which then calls run; probe and tickle share watch's line. */
	{ "watch",
	  "  watch, probe, tickle   after the takeover: see 'ipto watch -h', doc/watch.md\n",
	  "config node adapter fail ip policy defend-interval run-dir recent",
	  0, NULL, cmd_watch, watch_verb_main },
	{ "probe", NULL,
	  "config node adapter fail ip standby interface count interval wait",
	  0, NULL, cmd_probe, watch_verb_main },
	{ "tickle", NULL,
	  "config node adapter fail ip conns rounds interval",
	  0, NULL, cmd_tickle, watch_verb_main },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

const struct verb *verb_find(const char *name)
{
	const struct verb *v;

	for (v = verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

bool verb_takes(const struct verb *v, const char *option)
{
	size_t len = strlen(option);
	const char *p = v->options;

	while ((p = strstr(p, option))) {
		if ((p == v->options || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

void verb_print_usage(FILE *out)
{
	const struct verb *v;

	for (v = verbs; v->name; v++)
		if (v->usage)
			fputs(v->usage, out);
}

const char *verb_names(void)
{
	static char buf[256];
	const struct verb *v;
	size_t n = 0;

	if (buf[0])
		return buf;
	for (v = verbs; v->name; v++) {
		int k = snprintf(buf + n, sizeof(buf) - n, "%s%s",
				 n ? ", " : "", v->name);

		if (k < 0 || (size_t)k >= sizeof(buf) - n)
			break;
		n += (size_t)k;
	}
	return buf;
}

/* Whether the option @a names (a long "--NAME" or a short "-X") takes a
 * value in either getopt table. */
static bool takes_value(const char *a)
{
	const struct option *const tables[] = { ipto_options, watch_options };
	size_t t;

	for (t = 0; t < 2; t++) {
		const struct option *o;

		for (o = tables[t]; o->name; o++) {
			if (o->has_arg != required_argument)
				continue;
			if (a[1] == '-' ? strcmp(a + 2, o->name) == 0
					: a[2] == '\0' && o->val == a[1])
				return true;
		}
	}
	return false;
}

const char *verb_word(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-' || a[1] == '\0')
			return a;
		if (a[1] == '-' && strchr(a, '='))
			continue;
		if (takes_value(a))
			i++;
	}
	return NULL;
}
