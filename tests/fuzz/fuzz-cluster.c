/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the cluster description (examples/common/cluster-config.c),
 * the config file that ipto and ipto-agent read, then the planning a
 * command does with it. The input is the file (a memfd); if it holds a
 * NUL, the bytes after it are one --node spec and one --adapter spec. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ipto/ipto.h>

#include "cluster-config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipto_ctx *ctx;
	struct cluster *c = NULL;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t flen = nul ? (size_t)(nul - data) : size;
	char path[64], err[512];
	int fd;

	if (!ctx) {
		if (ipto_ctx_new(&ctx) < 0)
			return 0;
		diag_setup(ctx, "fuzz", 0);
	}
	fd = memfd_create("cluster.conf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, flen) != (ssize_t)flen || cluster_new(ctx, &c) < 0) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (cluster_load_file(c, path, err, sizeof(err)) == 0 && nul) {
		char *rest = fuzz_strndup(nul + 1, size - flen - 1);
		char *comma = rest ? strchr(rest, '\n') : NULL;

		if (comma)
			*comma++ = '\0';
		if (rest)
			cluster_add_spec(c, "node", "--node", rest, err, sizeof(err));
		if (comma)
			cluster_add_spec(c, "adapter", "--adapter", comma, err, sizeof(err));
		free(rest);
	}
	cluster_resolve_macs(c, NULL, NULL, err, sizeof(err));
	if (ipto_pool_check(cluster_pool(c)) == 0) {
		size_t i;

		for (i = 0; i < cluster_node_count(c) && i < 4; i++) {
			const char *nodes[1] = { cluster_node_name(c, i) };
			struct ipto_plan *plan = NULL;

			if (ipto_plan_new_takeover(cluster_pool(c), nodes, 1, NULL, &plan) == 0)
				ipto_plan_unref(plan);
		}
	}
	cluster_free(c);
	close(fd);
	return 0;
}
