/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The property-test engine (prop.h). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "prop.h"

uint64_t prop_rng_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

size_t prop_rng_below(uint64_t *s, size_t n)
{
	return n ? (size_t)(prop_rng_next(s) % n) : 0;
}

void prop_shuffle(uint64_t *s, size_t *v, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = prop_rng_below(s, i), t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

static bool name_taken(const struct gcluster *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_nodes; i++)
		if (!strcmp(c->nodes[i].name, name))
			return true;
	for (i = 0; i < c->n_sb; i++)
		if (!strcmp(c->sb[i].name, name))
			return true;
	return false;
}

static void random_name(uint64_t *s, const struct gcluster *c, char *out)
{
	do {
		size_t i;

		for (i = 0; i < 3; i++)
			out[i] = (char)('a' + prop_rng_below(s, 6));
		out[3] = '\0';
	} while (name_taken(c, out));
}

void prop_gen_cluster(uint64_t *s, struct gcluster *c)
{
	static const int v4_prefixes[] = { 24, 25, 31, 32, IPTO_PREFIX_UNKNOWN };
	static const int v6_prefixes[] = { 64, 128, IPTO_PREFIX_UNKNOWN };
	bool used_v4[256] = { false };
	unsigned int next_v6 = 1, next_mac = 1;
	struct ipto_mac node_macs[G_NODES * G_MACS];
	bool node_mac_used[G_NODES * G_MACS] = { false };
	size_t n_node_macs = 0, i, j;

	size_t want_nodes = 1 + prop_rng_below(s, G_NODES);
	size_t want_sb = prop_rng_below(s, G_SB + 1);

	memset(c, 0, sizeof(*c));
	/* counts grow as names are drawn, so each name is checked against
	 * the earlier ones only */
	for (i = 0; i < want_nodes; i++) {
		struct gnode *n = &c->nodes[i];

		random_name(s, c, n->name);
		c->n_nodes++;
		n->n_ips = prop_rng_below(s, G_IPS + 1);
		for (j = 0; j < n->n_ips; j++) {
			struct ipto_addr *a = &n->ips[j];

			memset(a, 0, sizeof(*a));
			if (prop_rng_below(s, 3)) {
				size_t k;

				do
					k = prop_rng_below(s, 252);
				while (used_v4[k]);
				used_v4[k] = true;
				a->family = AF_INET;
				a->bytes[0] = k < 126 ? 192 : 198;
				a->bytes[1] = k < 126 ? 0 : 51;
				a->bytes[2] = k < 126 ? 2 : 100;
				a->bytes[3] = (uint8_t)(1 + k % 126);
				a->prefixlen = v4_prefixes[prop_rng_below(s, 5)];
			} else {
				a->family = AF_INET6;
				a->bytes[0] = 0x20;
				a->bytes[1] = 0x01;
				a->bytes[2] = 0x0d;
				a->bytes[3] = 0xb8;
				a->bytes[14] = (uint8_t)(next_v6 >> 8);
				a->bytes[15] = (uint8_t)next_v6;
				next_v6++;
				a->prefixlen = v6_prefixes[prop_rng_below(s, 3)];
			}
		}
		n->n_macs = prop_rng_below(s, G_MACS + 1);
		for (j = 0; j < n->n_macs; j++) {
			struct ipto_mac m = { { 0x02, 0, 0, 0, (uint8_t)(next_mac >> 8),
						(uint8_t)next_mac } };

			next_mac++;
			n->macs[j] = m;
			node_macs[n_node_macs++] = m;
		}
	}
	for (i = 0; i < want_sb; i++) {
		struct gsb *sb = &c->sb[i];
		size_t names[G_AD], mgmt;

		random_name(s, c, sb->name);
		c->n_sb++;
		sb->n_ad = prop_rng_below(s, G_AD + 1);
		for (j = 0; j < G_AD; j++)
			names[j] = j;
		prop_shuffle(s, names, G_AD);
		mgmt = prop_rng_below(s, 2) ? prop_rng_below(s, G_AD) : G_AD;
		for (j = 0; j < sb->n_ad; j++) {
			struct gadapter *ad = &sb->ad[j];

			snprintf(ad->ifname, sizeof(ad->ifname), "if%zu", names[j]);
			ad->flags = j == mgmt ? IPTO_ADAPTER_MANAGEMENT : 0;
			/* one adapter in ten wears a node's MAC */
			if (n_node_macs && prop_rng_below(s, 10) == 0) {
				size_t k = prop_rng_below(s, n_node_macs);

				if (!node_mac_used[k]) {
					node_mac_used[k] = true;
					ad->mac = node_macs[k];
					continue;
				}
			}
			ad->mac = (struct ipto_mac){ { 0x02, 0, 1, 0,
						       (uint8_t)(next_mac >> 8),
						       (uint8_t)next_mac } };
			next_mac++;
		}
	}
}

/* Build the pool; with shuffle, in a random (dependency-respecting) order. */
struct ipto_pool *prop_build_pool(struct ipto_ctx *ctx, const struct gcluster *c,
				  uint64_t *s, bool shuffled)
{
	struct ipto_pool *pool = NULL;
	size_t ops[G_NODES + G_SB + G_NODES * (G_IPS + G_MACS) + G_SB * G_AD];
	size_t n_names = c->n_nodes + c->n_sb, n_ops = 0, i, j;
	int r;

	REQUIRE(ipto_pool_new(ctx, &pool) == 0, "pool");
	/* encode: names, then per-item ops */
	for (i = 0; i < n_names; i++)
		ops[n_ops++] = i;
	if (shuffled)
		prop_shuffle(s, ops, n_ops);
	for (i = 0; i < n_ops; i++) {
		size_t k = ops[i];

		if (k < c->n_nodes)
			r = ipto_pool_add_node(pool, c->nodes[k].name);
		else
			r = ipto_pool_add_standby(pool, c->sb[k - c->n_nodes].name);
		REQUIRE(r == 0, "adding name %zu: %s", k, ipto_strerror(r));
	}
	n_ops = 0;
	for (i = 0; i < c->n_nodes; i++) {
		for (j = 0; j < c->nodes[i].n_ips; j++)
			ops[n_ops++] = (0u << 24) | (i << 8) | j;
		for (j = 0; j < c->nodes[i].n_macs; j++)
			ops[n_ops++] = (1u << 24) | (i << 8) | j;
	}
	for (i = 0; i < c->n_sb; i++)
		for (j = 0; j < c->sb[i].n_ad; j++)
			ops[n_ops++] = (2u << 24) | (i << 8) | j;
	if (shuffled)
		prop_shuffle(s, ops, n_ops);
	for (i = 0; i < n_ops; i++) {
		size_t kind = ops[i] >> 24, a = (ops[i] >> 8) & 0xffff,
		       b = ops[i] & 0xff;

		if (kind == 0)
			r = ipto_pool_add_node_ip(pool, c->nodes[a].name,
						  &c->nodes[a].ips[b]);
		else if (kind == 1)
			r = ipto_pool_add_node_mac(pool, c->nodes[a].name,
						   &c->nodes[a].macs[b]);
		else
			r = ipto_pool_add_adapter(pool, c->sb[a].name,
						  c->sb[a].ad[b].ifname,
						  &c->sb[a].ad[b].mac,
						  c->sb[a].ad[b].flags);
		REQUIRE(r == 0, "adding item %zu/%zu/%zu: %s", kind, a, b,
			ipto_strerror(r));
	}
	return pool;
}

size_t prop_clashes(const struct gsb *sb, const struct gnode *n)
{
	size_t i, j, c = 0;

	for (i = 0; i < sb->n_ad; i++)
		for (j = 0; j < n->n_macs; j++)
			if (ipto_mac_equal(&sb->ad[i].mac, &n->macs[j]))
				c++;
	return c;
}

const struct gnode *prop_find_node(const struct gcluster *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_nodes; i++)
		if (!strcmp(c->nodes[i].name, name))
			return &c->nodes[i];
	return NULL;
}

const struct gadapter *prop_find_adapter(const struct gcluster *c,
					 const char *sb, const char *ifname,
					 size_t *sb_index)
{
	size_t i, j;

	for (i = 0; i < c->n_sb; i++)
		for (j = 0; j < c->sb[i].n_ad; j++)
			if (!strcmp(c->sb[i].name, sb) &&
			    !strcmp(c->sb[i].ad[j].ifname, ifname)) {
				*sb_index = i;
				return &c->sb[i].ad[j];
			}
	return NULL;
}
