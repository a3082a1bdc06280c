/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Neighbour sets: the hosts a takeover tells directly, one entry per
 * address, from every source; the neighbour-list parser (the format of
 * doc/neighbour-list.md), the target rule and the frames built ahead.
 * The netlink sources (neighbour table, routes) are in neigh-netlink.c.
 */
#include "ipto-private.h"
#include "hashset.h"
#include "neigh-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel record's root (binder-netlink.c keeps the record in
 * RECORD_ROOT/<netns inode>/). */
#define RECORD_ROOT "/run/ipto"

struct neigh_entry {
	struct ipto_addr addr; /* prefix IPTO_PREFIX_UNKNOWN */
	struct ipto_mac mac;
	unsigned int sources;
};

struct ipto_neigh_set {
	int refcount;
	struct ipto_ctx *ctx;
	struct neigh_entry *v;
	size_t n, cap;
	struct pool_set index;
};

static const struct ipto_mac mac_zero;

_Static_assert(IPTO_NEIGH_FRAME_MAX == IPTO_FRAME_MAX_LEN, "frame room");

IPTO_EXPORT int ipto_neigh_set_new(struct ipto_ctx *ctx,
				   struct ipto_neigh_set **ret)
{
	struct ipto_neigh_set *set;

	if (!ctx || !ret)
		return -EINVAL;
	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	set->refcount = 1;
	set->ctx = ipto_ctx_ref(ctx);
	*ret = set;
	return 0;
}

IPTO_EXPORT struct ipto_neigh_set *ipto_neigh_set_ref(struct ipto_neigh_set *set)
{
	if (set)
		set->refcount++;
	return set;
}

IPTO_EXPORT struct ipto_neigh_set *ipto_neigh_set_unref(struct ipto_neigh_set *set)
{
	if (!set || --set->refcount > 0)
		return NULL;
	pool_set_free(&set->index);
	free(set->v);
	ipto_ctx_unref(set->ctx);
	free(set);
	return NULL;
}

static uint32_t addr_hash(const struct ipto_addr *a)
{
	uint8_t key[17];

	key[0] = (uint8_t)a->family;
	memcpy(key + 1, a->bytes, 16);
	return pool_hash_bytes(key, sizeof(key), 0x6e656967u);
}

static bool entry_eq(const void *ctx, uint32_t idx, const void *key)
{
	const struct ipto_neigh_set *set = ctx;
	const struct ipto_addr *a = key;
	const struct ipto_addr *b = &set->v[idx].addr;

	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, ipto_addr_len(a)) == 0;
}

static uint32_t find(const struct ipto_neigh_set *set, const struct ipto_addr *a)
{
	return pool_set_find(&set->index, addr_hash(a), entry_eq, set, a);
}

static int check_neigh(struct ipto_ctx *ctx, const struct ipto_addr *addr,
		       const struct ipto_mac *mac, unsigned int sources)
{
	int c;

	if (!ipto_addr_valid(addr)) {
		log_err(ctx, "neigh: invalid neighbour address\n");
		return -EINVAL;
	}
	c = ipto_mac_classify(mac);
	if (c < 0 || !(c & (IPTO_MAC_CLASS_UNICAST | IPTO_MAC_CLASS_ZERO))) {
		log_err(ctx, "neigh: a neighbour's MAC must be unicast (or all zero for unknown)\n");
		return -EINVAL;
	}
	if (!sources || (sources & ~IPTO_NEIGH_SOURCES)) {
		log_err(ctx, "neigh: bad source bits 0x%x\n", sources);
		return -EINVAL;
	}
	return 0;
}

/* Add or merge; the entry is valid. */
static int add_entry(struct ipto_neigh_set *set, const struct ipto_addr *addr,
		     const struct ipto_mac *mac, unsigned int sources)
{
	struct neigh_entry *e;
	struct ipto_addr a;
	uint32_t i;
	int r;

	memset(&a, 0, sizeof(a));
	a.family = addr->family;
	a.prefixlen = IPTO_PREFIX_UNKNOWN;
	memcpy(a.bytes, addr->bytes, ipto_addr_len(addr));
	i = find(set, &a);
	if (i != POOL_SET_NONE) {
		e = &set->v[i];
		e->sources |= sources;
		if (!ipto_mac_equal(mac, &mac_zero) &&
		    ((sources & IPTO_NEIGH_TABLE) ||
		     ipto_mac_equal(&e->mac, &mac_zero)))
			e->mac = *mac;
		return 1;
	}
	if (set->n >= IPTO_NEIGH_MAX) {
		log_err(set->ctx, "neigh: a set holds at most %d neighbours\n",
			IPTO_NEIGH_MAX);
		return -E2BIG;
	}
	r = ipto_grow((void **)&set->v, &set->cap, set->n + 1, sizeof(*set->v));
	if (r < 0)
		return r;
	r = pool_set_reserve(&set->index, 1);
	if (r < 0)
		return r;
	e = &set->v[set->n];
	e->addr = a;
	e->mac = *mac;
	e->sources = sources;
	pool_set_insert(&set->index, addr_hash(&a), (uint32_t)set->n);
	set->n++;
	return 0;
}

IPTO_EXPORT int ipto_neigh_set_add(struct ipto_neigh_set *set,
				   const struct ipto_neigh *n)
{
	struct ipto_mac mac = mac_zero;
	unsigned int sources;
	int r;

	if (!set || !n)
		return -EINVAL;
	if (n->sz < ipto_offsetofend(ipto_neigh, addr)) {
		log_err(set->ctx, "neigh: struct ipto_neigh too short (sz %zu)\n",
			n->sz);
		return -EINVAL;
	}
	r = ipto_opts_valid(set->ctx, "neigh", n, ipto_neigh, sources);
	if (r < 0)
		return r;
	if (ipto_opts_has(n, ipto_neigh, mac))
		mac = n->mac;
	sources = ipto_opts_get(n, ipto_neigh, sources, 0u);
	r = check_neigh(set->ctx, &n->addr, &mac, sources);
	if (r < 0)
		return r;
	return add_entry(set, &n->addr, &mac, sources);
}

IPTO_EXPORT size_t ipto_neigh_set_get_count(const struct ipto_neigh_set *set)
{
	return set ? set->n : 0;
}

IPTO_EXPORT int ipto_neigh_set_get(const struct ipto_neigh_set *set,
				   size_t index, struct ipto_neigh *out)
{
	struct ipto_neigh n;

	if (!set || !out || out->sz < sizeof(size_t))
		return -EINVAL;
	if (index >= set->n)
		return -ENOENT;
	memset(&n, 0, sizeof(n));
	n.sz = sizeof(n);
	n.addr = set->v[index].addr;
	n.mac = set->v[index].mac;
	n.sources = set->v[index].sources;
	ipto_sized_copy_out(out, &n, sizeof(n));
	return 0;
}

/* ---------------------------------------------------------------- */
/* The target rule                                                   */
/* ---------------------------------------------------------------- */

/* Whether the first @bits bits of @a and @b agree. */
static bool same_prefix(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		return ((a[full] ^ b[full]) & m) == 0;
	}
	return true;
}

/* Whether the host part (after @bits of @len bytes) is all @v (0 or 1). */
static bool host_all(const uint8_t *a, size_t len, int bits, int v)
{
	int total = (int)len * 8, i;

	for (i = bits; i < total; i++) {
		int bit = (a[i / 8] >> (7 - i % 8)) & 1;

		if (bit != v)
			return false;
	}
	return true;
}

static bool v6_link_local(const struct ipto_addr *a)
{
	return a->family == AF_INET6 && a->bytes[0] == 0xfe &&
	       (a->bytes[1] & 0xc0) == 0x80;
}

/* NULL when @n is on @subnet's link, else why not. Only the subnet part
 * of the rule: the reading sources apply it. */
static const char *off_subnet(const struct ipto_addr *subnet,
			      const struct ipto_addr *n)
{
	if (n->family != subnet->family)
		return "another family";
	if (v6_link_local(n))
		return NULL;
	if (!same_prefix(n->bytes, subnet->bytes, subnet->prefixlen))
		return "off the subnet";
	return NULL;
}

bool ipto_neigh_on_subnet(const struct ipto_addr *subnet,
			  const struct ipto_addr *n)
{
	return !subnet || off_subnet(subnet, n) == NULL;
}

/* NULL when @n may be told about @taken, else why not. */
static const char *not_target(const struct ipto_addr *taken,
			      const struct ipto_addr *n)
{
	size_t len = ipto_addr_len(n);
	const char *why = off_subnet(taken, n);
	int c;

	if (why)
		return why;
	if (memcmp(n->bytes, taken->bytes, len) == 0)
		return "the taken address itself";
	c = ipto_addr_classify(n);
	if (c < 0)
		return "invalid";
	if (c & IPTO_ADDR_CLASS_MULTICAST)
		return "multicast";
	if (c & IPTO_ADDR_CLASS_UNSPECIFIED)
		return "unspecified";
	if (c & IPTO_ADDR_CLASS_LOOPBACK)
		return "loopback";
	if (c & IPTO_ADDR_CLASS_BROADCAST)
		return "broadcast";
	if (v6_link_local(n))
		return NULL;
	if (n->family == AF_INET && taken->prefixlen <= 30) {
		if (host_all(n->bytes, len, taken->prefixlen, 1))
			return "the subnet's broadcast address";
		if (host_all(n->bytes, len, taken->prefixlen, 0))
			return "the subnet's network address";
	}
	if (n->family == AF_INET6 && taken->prefixlen <= 126 &&
	    host_all(n->bytes, len, taken->prefixlen, 0))
		return "the subnet-router anycast address";
	return NULL;
}

static int check_taken(struct ipto_ctx *ctx, const struct ipto_addr *taken)
{
	if (!ipto_addr_valid(taken) || taken->prefixlen == IPTO_PREFIX_UNKNOWN) {
		log_err(ctx, "neigh: the taken address needs its prefix length\n");
		return -EINVAL;
	}
	return 0;
}

IPTO_EXPORT int ipto_neigh_set_targets(const struct ipto_neigh_set *set,
				       const struct ipto_addr *taken,
				       uint32_t *idx, size_t max)
{
	size_t i, k = 0;
	int r;

	if (!set || !taken)
		return -EINVAL;
	r = check_taken(set->ctx, taken);
	if (r < 0)
		return r;
	for (i = 0; i < set->n; i++) {
		const char *why = not_target(taken, &set->v[i].addr);

		if (why) {
			if (ipto_log_enabled(set->ctx, IPTO_LOG_PRIORITY_DEBUG)) {
				char at[IPTO_ADDR_STRLEN];

				ipto_addr_format(&set->v[i].addr, at, sizeof(at));
				log_dbg(set->ctx, "neigh: not telling %s: %s\n",
					at, why);
			}
			continue;
		}
		if (idx && k < max)
			idx[k] = (uint32_t)i;
		k++;
	}
	return (int)k;
}

IPTO_EXPORT int ipto_neigh_set_build_frames(const struct ipto_neigh_set *set,
					    const struct ipto_mac *mac,
					    const struct ipto_addr *taken,
					    struct ipto_neigh_frame *frames,
					    size_t max)
{
	enum ipto_frame_style style;
	size_t i, k = 0;
	int n, r;

	if (!set || !mac || !taken || (!frames && max))
		return -EINVAL;
	n = ipto_neigh_set_targets(set, taken, NULL, 0);
	if (n < 0)
		return n;
	if ((size_t)n > max) {
		log_err(set->ctx, "neigh: %d directed frames need room, the storage has %zu\n",
			n, max);
		return -ENOBUFS;
	}
	style = taken->family == AF_INET ? IPTO_FRAME_STYLE_ARP_DIRECTED
					 : IPTO_FRAME_STYLE_NS;
	for (i = 0; i < set->n; i++) {
		const struct neigh_entry *e = &set->v[i];
		struct ipto_frame_opts o;

		if (not_target(taken, &e->addr))
			continue;
		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		o.target = e->addr;
		o.target_mac = e->mac;
		r = ipto_frame_build(set->ctx, style, mac, taken, &o,
				     frames[k].data, sizeof(frames[k].data));
		if (r < 0)
			return r;
		frames[k].len = (uint16_t)r;
		frames[k].style = (uint16_t)style;
		frames[k].neigh = (uint32_t)i;
		k++;
	}
	return (int)k;
}

/* ---------------------------------------------------------------- */
/* Neighbour lists                                                   */
/* ---------------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One line (without its newline), NUL-terminated in @line. 0 and *have =
 * false for a blank or comment line; -EINVAL (logged) for a bad one. */
static int parse_line(struct ipto_ctx *ctx, const char *name, size_t lineno,
		      char *line, struct ipto_addr *addr, struct ipto_mac *mac,
		      bool *have)
{
	char *field[3], *p = line;
	int nf = 0, c;

	*have = false;
	while (*p) {
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (nf == 2) {
			log_err(ctx, "%s:%zu: more than an address and a MAC\n",
				name, lineno);
			return -EINVAL;
		}
		field[nf++] = p;
		while (*p && !is_blank(*p) && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			break;
		}
		if (*p)
			*p++ = '\0';
	}
	if (nf == 0)
		return 0;
	if (strchr(field[0], '/') || ipto_addr_parse(field[0], addr) < 0) {
		log_err(ctx, "%s:%zu: \"%s\" is not an IPv4 or IPv6 address (without a prefix)\n",
			name, lineno, field[0]);
		return -EINVAL;
	}
	addr->prefixlen = IPTO_PREFIX_UNKNOWN;
	c = ipto_addr_classify(addr);
	if (c < 0 || (c & (IPTO_ADDR_CLASS_MULTICAST | IPTO_ADDR_CLASS_UNSPECIFIED |
			   IPTO_ADDR_CLASS_LOOPBACK | IPTO_ADDR_CLASS_BROADCAST))) {
		log_err(ctx, "%s:%zu: %s is no neighbour (multicast, broadcast, unspecified or loopback)\n",
			name, lineno, field[0]);
		return -EINVAL;
	}
	*mac = mac_zero;
	if (nf == 2) {
		if (ipto_mac_parse(field[1], mac) < 0) {
			log_err(ctx, "%s:%zu: \"%s\" is not a MAC address\n",
				name, lineno, field[1]);
			return -EINVAL;
		}
		c = ipto_mac_classify(mac);
		if (c < 0 || !(c & IPTO_MAC_CLASS_UNICAST)) {
			log_err(ctx, "%s:%zu: %s is not a unicast MAC\n", name,
				lineno, field[1]);
			return -EINVAL;
		}
	}
	*have = true;
	return 0;
}

/* Parse @text into @tmp (a fresh set). Returns the number of entries. */
static int parse_into(struct ipto_neigh_set *tmp, const char *name,
		      const char *text, size_t len, unsigned int source)
{
	struct ipto_ctx *ctx = tmp->ctx;
	char line[IPTO_NEIGH_LINE_MAX + 1];
	size_t pos = 0, lineno = 0;
	int entries = 0, r;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct ipto_addr addr;
		struct ipto_mac mac;
		bool have;

		lineno++;
		if (ll > IPTO_NEIGH_LINE_MAX) {
			log_err(ctx, "%s:%zu: line longer than %d bytes\n", name,
				lineno, IPTO_NEIGH_LINE_MAX);
			return -EINVAL;
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		if (strlen(line) != ll) {
			log_err(ctx, "%s:%zu: NUL byte\n", name, lineno);
			return -EINVAL;
		}
		pos += ll + (nl ? 1 : 0);
		r = parse_line(ctx, name, lineno, line, &addr, &mac, &have);
		if (r < 0)
			return r;
		if (!have)
			continue;
		if (entries == IPTO_NEIGH_MAX) {
			log_err(ctx, "%s:%zu: more than %d neighbours\n", name,
				lineno, IPTO_NEIGH_MAX);
			return -E2BIG;
		}
		entries++;
		r = add_entry(tmp, &addr, &mac, source);
		if (r < 0)
			return r;
	}
	return entries;
}

/* Merge every entry of @from into @set, all or none. */
static int merge_all(struct ipto_neigh_set *set,
		     const struct ipto_neigh_set *from, const char *name)
{
	size_t i, fresh = 0;
	int r;

	for (i = 0; i < from->n; i++)
		if (find(set, &from->v[i].addr) == POOL_SET_NONE)
			fresh++;
	if (set->n + fresh > IPTO_NEIGH_MAX) {
		log_err(set->ctx, "%s: %zu more neighbours would take the set past %d\n",
			name, fresh, IPTO_NEIGH_MAX);
		return -E2BIG;
	}
	r = ipto_grow((void **)&set->v, &set->cap, set->n + fresh, sizeof(*set->v));
	if (r < 0)
		return r;
	r = pool_set_reserve(&set->index, fresh);
	if (r < 0)
		return r;
	for (i = 0; i < from->n; i++) {
		r = add_entry(set, &from->v[i].addr, &from->v[i].mac,
			      from->v[i].sources);
		if (r < 0) /* cannot happen: room is reserved */
			return r;
	}
	return 0;
}

/* Parse and merge the entries on @subnet (NULL: all). Returns the
 * number of list entries, or of those on @subnet when one is given. */
static int parse_list(struct ipto_neigh_set *set, const char *name,
		      const char *text, size_t len, unsigned int source,
		      const struct ipto_addr *subnet)
{
	struct ipto_neigh_set *tmp = NULL, *keep = NULL;
	size_t i;
	int n, r;

	if (!set || (!text && len))
		return -EINVAL;
	if (!name)
		name = "neighbour list";
	if (!source || (source & (source - 1)) || (source & ~IPTO_NEIGH_SOURCES)) {
		log_err(set->ctx, "%s: one source bit, not 0x%x\n", name, source);
		return -EINVAL;
	}
	r = ipto_neigh_set_new(set->ctx, &tmp);
	if (r < 0)
		return r;
	n = parse_into(tmp, name, text ? text : "", len, source);
	if (n < 0) {
		ipto_neigh_set_unref(tmp);
		return n;
	}
	if (subnet) {
		r = ipto_neigh_set_new(set->ctx, &keep);
		if (r < 0)
			goto out;
		n = 0;
		for (i = 0; i < tmp->n; i++)
			if (ipto_neigh_on_subnet(subnet, &tmp->v[i].addr)) {
				r = add_entry(keep, &tmp->v[i].addr,
					      &tmp->v[i].mac, source);
				if (r < 0)
					goto out;
				n++;
			}
		ipto_neigh_set_unref(tmp);
		tmp = keep;
		keep = NULL;
	}
	r = merge_all(set, tmp, name);
out:
	ipto_neigh_set_unref(keep);
	ipto_neigh_set_unref(tmp);
	return r < 0 ? r : n;
}

IPTO_EXPORT int ipto_neigh_set_parse_list(struct ipto_neigh_set *set,
					  const char *name, const char *text,
					  size_t len, unsigned int source)
{
	return parse_list(set, name, text, len, source, NULL);
}

/* The largest file a full list can be: every line at its longest. */
#define LIST_FILE_MAX ((size_t)(IPTO_NEIGH_LINE_MAX + 1) * 4 * IPTO_NEIGH_MAX)

static int load(struct ipto_neigh_set *set, const char *path,
		unsigned int source, const struct ipto_addr *subnet,
		bool missing_ok)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, r;

	if (!set || !path)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT && missing_ok) {
			log_dbg(set->ctx, "neigh: no %s: nothing seen\n", path);
			return 0;
		}
		log_err(set->ctx, "%s: %s\n", path, ipto_strerror(r));
		return r;
	}
	for (;;) {
		ssize_t got;

		if (len == cap) {
			if (cap >= LIST_FILE_MAX) {
				log_err(set->ctx, "%s: longer than a list of %d neighbours can be\n",
					path, IPTO_NEIGH_MAX);
				r = -E2BIG;
				goto out;
			}
			r = ipto_grow((void **)&buf, &cap, cap ? cap * 2 : 4096, 1);
			if (r < 0)
				goto out;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			log_err(set->ctx, "%s: %s\n", path, ipto_strerror(r));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	r = parse_list(set, path, buf, len, source, subnet);
out:
	free(buf);
	close(fd);
	return r;
}

IPTO_EXPORT int ipto_neigh_set_load_list(struct ipto_neigh_set *set,
					 const char *path, unsigned int source)
{
	return load(set, path, source, NULL, false);
}

IPTO_EXPORT int ipto_neigh_set_add_seen(struct ipto_neigh_set *set,
					const char *path,
					const struct ipto_addr *subnet)
{
	char def[128];

	if (!set)
		return -EINVAL;
	if (subnet && (!ipto_addr_valid(subnet) ||
		       subnet->prefixlen == IPTO_PREFIX_UNKNOWN)) {
		log_err(set->ctx, "neigh: the subnet needs its prefix length\n");
		return -EINVAL;
	}
	if (!path) {
		int r = ipto_neigh_seen_default(set->ctx, "neigh", def, sizeof(def));

		if (r < 0)
			return r;
		path = def;
	}
	return load(set, path, IPTO_NEIGH_WATCH, subnet, true);
}

int ipto_neigh_seen_default(struct ipto_ctx *ctx, const char *who, char *buf,
			    size_t len)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) < 0) {
		int r = -errno;

		log_err(ctx, "%s: cannot find the network namespace: %s\n", who,
			ipto_strerror(r));
		return r;
	}
	snprintf(buf, len, "%s/%lu/%s", RECORD_ROOT, (unsigned long)st.st_ino,
		 IPTO_NEIGH_SEEN_FILE);
	return 0;
}

int ipto_neigh_add_read(struct ipto_neigh_set *set, const struct ipto_addr *addr,
			const struct ipto_mac *mac, unsigned int sources)
{
	return add_entry(set, addr, mac ? mac : &mac_zero, sources);
}

struct ipto_ctx *ipto_neigh_set_ctx(const struct ipto_neigh_set *set)
{
	return set->ctx;
}

#if !HAVE_NETLINK
/* The readers of neigh-netlink.c, in a build without libnl. */
static int no_netlink(struct ipto_neigh_set *set,
		      const struct ipto_addr *subnet, const char *what)
{
	return set && subnet ? ipto_not_built(set->ctx, what, "libnl-route-3")
			     : -EINVAL;
}

IPTO_EXPORT int ipto_neigh_set_add_table(struct ipto_neigh_set *set,
					 const char *ifname,
					 const struct ipto_addr *subnet)
{
	(void)ifname;
	return no_netlink(set, subnet, "neighbour table");
}

IPTO_EXPORT int ipto_neigh_set_add_routers(struct ipto_neigh_set *set,
					   const char *ifname,
					   const struct ipto_addr *subnet)
{
	(void)ifname;
	return no_netlink(set, subnet, "routing table");
}
#endif
