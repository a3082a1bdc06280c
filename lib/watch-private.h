/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the watcher and the probe share. Not installed. */
#ifndef IPTO_WATCH_PRIVATE_H
#define IPTO_WATCH_PRIVATE_H

#include "ipto-private.h"

#include <stdint.h>

/* An unbound AF_PACKET socket (every interface at once) with a BPF filter
 * passing ARP and ICMPv6 neighbour solicitations and advertisements only; NONBLOCK, CLOEXEC,
 * kernel receive time stamps (SO_TIMESTAMPNS), outgoing frames ignored
 * where the kernel can. Returns the fd or a negative errno (logged). */
int ipto_watch_socket_open(struct ipto_ctx *ctx, const char *who);

/* One frame from that socket: its length (0..size), or -EAGAIN when none
 * waits, or a negative errno. *ifindex, *outgoing and *time_ns describe
 * it (time_ns: CLOCK_REALTIME, now when the kernel gave no stamp). */
int ipto_watch_socket_recv(int fd, void *buf, size_t size, int *ifindex,
			   bool *outgoing, uint64_t *time_ns);

uint64_t ipto_watch_now_real_ns(void);
uint64_t ipto_watch_now_mono_ns(void);

/* The MAC a received frame binds to its address: ARP sender MAC, NA
 * target link-layer option or Ethernet source (what ipto_frame_parse()
 * reports as sender_mac). */

#endif
