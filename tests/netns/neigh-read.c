/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * neigh-read: what a neighbour set reads from the current network
 * namespace, for tests/netns/test-neigh.sh.
 *
 *   neigh-read SUBNET [table IFNAME|-] [routers IFNAME|-] [seen PATH|-]
 *              [list PATH] [mac MAC] [send IFNAME] [targets]
 *
 * Reads the sources in the order given into one set, then prints one line
 * per neighbour, "ADDRESS MAC|- SOURCE[,SOURCE...]", in set order; with
 * "targets", only the targets of SUBNET (the taken address with its
 * prefix), then a line "frames N" with the number of directed frames
 * built from MAC (default 02:00:5e:30:01:01); with "send IFNAME" too,
 * those frames go out of IFNAME in one batch (AF_PACKET injector) and a
 * line "sent N" follows. Exit status 0, or 1 with the error on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <ipto/ipto.h>

static int fail(const char *what, int r)
{
	fprintf(stderr, "neigh-read: %s: %s\n", what, ipto_strerror(r));
	return 1;
}

static void print_one(const struct ipto_neigh *n)
{
	char at[IPTO_ADDR_STRLEN], mac[IPTO_MAC_STRLEN];
	static const struct ipto_mac zero;
	unsigned int bit;
	const char *sep = "";

	ipto_addr_format(&n->addr, at, sizeof(at));
	if (ipto_mac_equal(&n->mac, &zero))
		strcpy(mac, "-");
	else
		ipto_mac_format(&n->mac, mac, sizeof(mac));
	printf("%s %s ", at, mac);
	for (bit = 1; bit <= IPTO_NEIGH_SOURCES; bit <<= 1)
		if (n->sources & bit) {
			printf("%s%s", sep,
			       ipto_neigh_source_name((enum ipto_neigh_source)bit));
			sep = ",";
		}
	printf("\n");
}

int main(int argc, char **argv)
{
	struct ipto_ctx *ctx = NULL;
	struct ipto_neigh_set *set = NULL;
	struct ipto_addr subnet;
	bool targets = false;
	const char *send_if = NULL, *mac_str = "02:00:5e:30:01:01";
	int i, r;

	if (argc < 2 || ipto_addr_parse(argv[1], &subnet) < 0) {
		fprintf(stderr, "usage: neigh-read SUBNET [table IF|-] [routers IF|-] [seen PATH|-] [list PATH] [targets]\n");
		return 2;
	}
	if (ipto_ctx_new(&ctx) < 0 || ipto_neigh_set_new(ctx, &set) < 0)
		return fail("setup", -ENOMEM);
	for (i = 2; i < argc; i++) {
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
		const char *opt = arg && strcmp(arg, "-") ? arg : NULL;

		if (strcmp(argv[i], "targets") == 0) {
			targets = true;
			continue;
		}
		if (!arg) {
			fprintf(stderr, "neigh-read: %s needs an argument\n", argv[i]);
			return 2;
		}
		if (strcmp(argv[i], "mac") == 0) {
			mac_str = arg;
			i++;
			continue;
		}
		if (strcmp(argv[i], "send") == 0) {
			send_if = arg;
			i++;
			continue;
		}
		if (strcmp(argv[i], "table") == 0)
			r = ipto_neigh_set_add_table(set, opt, &subnet);
		else if (strcmp(argv[i], "routers") == 0)
			r = ipto_neigh_set_add_routers(set, opt, &subnet);
		else if (strcmp(argv[i], "seen") == 0)
			r = ipto_neigh_set_add_seen(set, opt, &subnet);
		else if (strcmp(argv[i], "list") == 0)
			r = ipto_neigh_set_load_list(set, arg, IPTO_NEIGH_NODE_LIST);
		else {
			fprintf(stderr, "neigh-read: unknown source %s\n", argv[i]);
			return 2;
		}
		if (r < 0)
			return fail(argv[i], r);
		i++;
	}
	if (targets) {
		size_t n = ipto_neigh_set_get_count(set);
		uint32_t *idx = calloc(n ? n : 1, sizeof(*idx));
		struct ipto_neigh_frame *frames = calloc(n ? n : 1, sizeof(*frames));
		struct ipto_mac mac;
		int k, f;

		if (!idx || !frames)
			return fail("targets", -ENOMEM);
		k = ipto_neigh_set_targets(set, &subnet, idx, n);
		if (k < 0)
			return fail("targets", k);
		for (i = 0; i < k; i++) {
			IPTO_OPTS(ipto_neigh, one);

			ipto_neigh_set_get(set, idx[i], &one);
			print_one(&one);
		}
		if (ipto_mac_parse(mac_str, &mac) < 0)
			return fail("mac", -EINVAL);
		f = ipto_neigh_set_build_frames(set, &mac, &subnet, frames, n);
		if (f < 0)
			return fail("frames", f);
		printf("frames %d\n", f);
		if (send_if) {
			struct ipto_injector *inj = NULL;
			struct ipto_injector_adapter *ad = NULL;
			struct iovec *iov = calloc((size_t)f + 1, sizeof(*iov));

			if (!iov)
				return fail("send", -ENOMEM);
			for (i = 0; i < f; i++) {
				iov[i].iov_base = frames[i].data;
				iov[i].iov_len = frames[i].len;
			}
			r = ipto_injector_new_packet(ctx, &inj);
			if (r < 0)
				return fail("injector", r);
			r = ipto_injector_open(inj, send_if, &ad);
			if (r < 0)
				return fail(send_if, r);
			r = ipto_injector_send_batch(ad, iov, (size_t)f);
			if (r < 0)
				return fail("send", r);
			printf("sent %d\n", r);
			ipto_injector_close(ad);
			ipto_injector_unref(inj);
			free(iov);
		}
		free(idx);
		free(frames);
	} else {
		size_t j;

		for (j = 0; j < ipto_neigh_set_get_count(set); j++) {
			IPTO_OPTS(ipto_neigh, one);

			ipto_neigh_set_get(set, j, &one);
			print_one(&one);
		}
	}
	ipto_neigh_set_unref(set);
	ipto_ctx_unref(ctx);
	return 0;
}
