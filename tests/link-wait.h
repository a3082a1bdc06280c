/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Waiting for a link the test just brought up to be able to carry frames.
 * A veth gets carrier when its peer comes up, and the kernel only starts
 * its transmit queue when the link watcher (a kernel work item, which
 * takes the RTNL) handles that carrier change. Until then a packet
 * socket's send on the link reports success and the kernel drops the
 * frame (ip -s link counts it under TX dropped), so a frame-counting test
 * that sends at once loses frames whenever that work item runs late: on a
 * loaded machine, or while another process holds the RTNL. Header only,
 * for the netns programs that build their own veths without test-common.
 */
#ifndef IPTO_TEST_LINK_WAIT_H
#define IPTO_TEST_LINK_WAIT_H

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Waits until @ifname, in this thread's network namespace, is up and
 * operationally up (IFF_UP and IFF_RUNNING: the link watcher has handled
 * its carrier). @seconds, on CLOCK_MONOTONIC, bounds a
 * link that never comes up; it is not a timing assertion. Returns 0, or a
 * negative errno (-ETIMEDOUT, or what the SIOCGIFFLAGS ioctl failed with).
 */
static inline int test_link_wait_running(const char *ifname, double seconds)
{
	const short want = IFF_UP | IFF_RUNNING;
	struct timespec now, nap = { 0, 5 * 1000 * 1000 };
	double deadline;
	struct ifreq ifr;
	int fd, err = -ETIMEDOUT;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = (double)now.tv_sec + now.tv_nsec / 1e9 + seconds;
	for (;;) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
			err = -errno;
			break;
		}
		/* IFF_RUNNING is the operstate, which only the link watcher
		 * sets (IFF_LOWER_UP does not fit the ioctl's short) */
		if ((ifr.ifr_flags & want) == want) {
			err = 0;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)now.tv_sec + now.tv_nsec / 1e9 >= deadline)
			break;
		nanosleep(&nap, NULL);
	}
	close(fd);
	return err;
}

#endif
