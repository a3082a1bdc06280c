/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The property-test engine: a seeded random generator and random cluster
 * descriptions (nodes with IPs and MACs, standbys with adapters, some
 * adapters wearing a node's MAC) turned into pools, for tests that check
 * properties over thousands of clusters (test-plan.c). The same seed
 * always gives the same clusters.
 */
#ifndef IPTO_TEST_PROP_H
#define IPTO_TEST_PROP_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ipto/ipto.h>
#include <ipto/ipto-pool.h>

/* Check records every passing assertion; thousands of clusters need a
 * check that only calls into Check when it fails. */
#define REQUIRE(cond, ...)                                                 \
	do {                                                               \
		if (!(cond))                                               \
			ck_abort_msg(__VA_ARGS__);                         \
	} while (0)


/* Limits of a generated cluster. */
#define G_NODES 12
#define G_IPS 7
#define G_MACS 2
#define G_SB 4
#define G_AD 8

struct gnode {
	char name[8];
	struct ipto_addr ips[G_IPS];
	size_t n_ips;
	struct ipto_mac macs[G_MACS];
	size_t n_macs;
};

struct gadapter {
	char ifname[8];
	struct ipto_mac mac;
	unsigned int flags;
};

struct gsb {
	char name[8];
	struct gadapter ad[G_AD];
	size_t n_ad;
};

struct gcluster {
	struct gnode nodes[G_NODES];
	size_t n_nodes;
	struct gsb sb[G_SB];
	size_t n_sb;
};

/* splitmix64: the next number of the sequence *s. */
uint64_t prop_rng_next(uint64_t *s);
/* A number in 0..n-1 (0 when n is 0). */
size_t prop_rng_below(uint64_t *s, size_t n);
/* Fisher-Yates over v[0..n-1]. */
void prop_shuffle(uint64_t *s, size_t *v, size_t n);
/* A random cluster: 1..G_NODES nodes, 0..G_SB standbys, unique names,
 * documentation addresses, unique MACs except the adapters that wear a
 * node's MAC on purpose. */
void prop_gen_cluster(uint64_t *s, struct gcluster *c);
/* The pool of @c; with @shuffled, added in a random order that still adds
 * each name before what belongs to it. Any refusal fails the test. */
struct ipto_pool *prop_build_pool(struct ipto_ctx *ctx, const struct gcluster *c,
				  uint64_t *s, bool shuffled);
/* How many of node @n's MACs adapters of @sb wear. */
size_t prop_clashes(const struct gsb *sb, const struct gnode *n);
/* Lookups by name; NULL when absent. */
const struct gnode *prop_find_node(const struct gcluster *c, const char *name);
const struct gadapter *prop_find_adapter(const struct gcluster *c,
					 const char *sb, const char *ifname,
					 size_t *sb_index);

#endif /* IPTO_TEST_PROP_H */
