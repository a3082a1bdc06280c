/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How many of this process's fds are packet sockets of its network
 * namespace: the inodes /proc/self/net/packet lists, found among the
 * socket links of /proc/self/fd. For the injector-ports test and the
 * takeover bench (header only: each is one program without test-common).
 */
#ifndef IPTO_TEST_PACKET_FDS_H
#define IPTO_TEST_PACKET_FDS_H

#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

/* The count, or -1 with errno set when /proc cannot be read. */
static inline int count_packet_fds(void)
{
	static unsigned long inodes[4096];
	size_t n = 0, i;
	char line[512], path[300], link[64];
	struct dirent *de;
	int count = 0;
	FILE *f;
	DIR *d;

	f = fopen("/proc/self/net/packet", "re");
	if (!f)
		return -1;
	/* sk RefCnt Type Proto Iface R Rmem User Inode: the last column */
	while (fgets(line, sizeof(line), f) && n < 4096)
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %lu",
			   &inodes[n]) == 1)
			n++;
	fclose(f);
	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		unsigned long ino;
		ssize_t l;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		l = readlink(path, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		for (i = 0; i < n; i++)
			if (inodes[i] == ino)
				count++;
	}
	closedir(d);
	return count;
}

#endif /* IPTO_TEST_PACKET_FDS_H */
