/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * announce-tmp: a tiny, temporary frame sender for tests/netns/client-matrix.sh,
 * for the two frame styles arping cannot send. To be replaced there by
 * `ipto announce --style ...` (see client-matrix.sh --column).
 *
 *   announce-tmp arp IFNAME request|reply SENDER_IP TARGET_IP [TARGET_MAC]
 *       One ARP frame to ff:ff:ff:ff:ff:ff, sender MAC = IFNAME's own MAC.
 *       TARGET_MAC defaults to 00:00:00:00:00:00. The patent's frame is
 *       "request VIP SUBNET_BROADCAST".
 *   announce-tmp na IFNAME TARGET_IP6 [override|no-override]
 *       One unsolicited neighbour advertisement to ff02::1 (33:33:00:00:00:01)
 *       from TARGET_IP6 for TARGET_IP6, hop limit 255, S=0, O=1 unless
 *       no-override, with a target link-layer address option = IFNAME's MAC.
 *
 * Exit 0 when the frame was sent, 1 on a system error, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int if_mac(int fd, const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -1;
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static uint16_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Build an ARP frame into buf; returns its length. */
static size_t build_arp(uint8_t *buf, const uint8_t sha[6], uint16_t op,
			const struct in_addr *sip, const struct in_addr *tip,
			const uint8_t tha[6])
{
	uint8_t *p = buf;

	memset(p, 0xff, 6);			/* Ethernet destination */
	memcpy(p + 6, sha, 6);			/* Ethernet source */
	p[12] = 0x08; p[13] = 0x06;		/* ARP */
	p += 14;
	p[0] = 0; p[1] = 1;			/* hardware: Ethernet */
	p[2] = 0x08; p[3] = 0x00;		/* protocol: IPv4 */
	p[4] = 6; p[5] = 4;
	p[6] = 0; p[7] = (uint8_t)op;
	memcpy(p + 8, sha, 6);
	memcpy(p + 14, &sip->s_addr, 4);
	memcpy(p + 18, tha, 6);
	memcpy(p + 24, &tip->s_addr, 4);
	return 14 + 28;
}

/* Build an unsolicited NA frame into buf; returns its length. */
static size_t build_na(uint8_t *buf, const uint8_t mac[6],
		       const struct in6_addr *target, int override)
{
	static const uint8_t dst_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct in6_addr all_nodes;
	uint8_t *ip = buf + 14, *icmp = ip + 40;
	const uint16_t icmp_len = 24 + 8;
	uint8_t pseudo[40];
	uint16_t sum;

	inet_pton(AF_INET6, "ff02::1", &all_nodes);
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, mac, 6);
	buf[12] = 0x86; buf[13] = 0xdd;		/* IPv6 */

	memset(ip, 0, 40);
	ip[0] = 0x60;				/* version 6 */
	ip[4] = (uint8_t)(icmp_len >> 8);
	ip[5] = (uint8_t)icmp_len;
	ip[6] = 58;				/* next header: ICMPv6 */
	ip[7] = 255;				/* hop limit */
	memcpy(ip + 8, target, 16);		/* source: the address itself */
	memcpy(ip + 24, &all_nodes, 16);

	memset(icmp, 0, icmp_len);
	icmp[0] = 136;				/* neighbour advertisement */
	icmp[4] = override ? 0x20 : 0;		/* R=0 S=0 O=override */
	memcpy(icmp + 8, target, 16);
	icmp[24] = 2;				/* target link-layer address */
	icmp[25] = 1;				/* length in units of 8 bytes */
	memcpy(icmp + 26, mac, 6);

	memcpy(pseudo, ip + 8, 32);		/* source, destination */
	memset(pseudo + 32, 0, 8);
	pseudo[34] = (uint8_t)(icmp_len >> 8);
	pseudo[35] = (uint8_t)icmp_len;
	pseudo[39] = 58;
	sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), icmp, icmp_len);
	sum = (uint16_t)~sum;
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	return 14 + 40 + icmp_len;
}

static int usage(void)
{
	fputs("usage: announce-tmp arp IFNAME request|reply SENDER_IP TARGET_IP [TARGET_MAC]\n"
	      "       announce-tmp na IFNAME TARGET_IP6 [override|no-override]\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	uint8_t frame[128], mac[6], tha[6] = { 0 };
	struct sockaddr_ll sll;
	size_t len;
	int fd;

	if (argc < 4)
		return usage();
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("announce-tmp: socket(AF_PACKET)");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[2]);
	sll.sll_halen = 6;
	if (!sll.sll_ifindex || if_mac(fd, argv[2], mac) < 0) {
		fprintf(stderr, "announce-tmp: no Ethernet interface %s\n", argv[2]);
		return 1;
	}

	if (strcmp(argv[1], "arp") == 0) {
		struct in_addr sip, tip;
		uint16_t op;

		if (argc < 6 || argc > 7)
			return usage();
		if (strcmp(argv[3], "request") == 0)
			op = 1;
		else if (strcmp(argv[3], "reply") == 0)
			op = 2;
		else
			return usage();
		if (inet_pton(AF_INET, argv[4], &sip) != 1 ||
		    inet_pton(AF_INET, argv[5], &tip) != 1 ||
		    (argc == 7 && parse_mac(argv[6], tha) < 0))
			return usage();
		len = build_arp(frame, mac, op, &sip, &tip, tha);
		sll.sll_protocol = htons(ETH_P_ARP);
	} else if (strcmp(argv[1], "na") == 0) {
		struct in6_addr target;
		int override = 1;

		if (argc > 5 || inet_pton(AF_INET6, argv[3], &target) != 1)
			return usage();
		if (argc == 5) {
			if (strcmp(argv[4], "no-override") == 0)
				override = 0;
			else if (strcmp(argv[4], "override") != 0)
				return usage();
		}
		len = build_na(frame, mac, &target, override);
		sll.sll_protocol = htons(ETH_P_IPV6);
	} else {
		return usage();
	}

	memcpy(sll.sll_addr, frame, 6);
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) !=
	    (ssize_t)len) {
		fprintf(stderr, "announce-tmp: send on %s: %s\n", argv[2],
			strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
