/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bytes on the wire, one way for the files that build frames and packets
 * (frame.c, probe.c, tickle.c): big-endian fields and the Internet
 * checksum (RFC 1071). Not installed.
 */
#ifndef IPTO_WIRE_PRIVATE_H
#define IPTO_WIRE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* One's complement sum of 16-bit big-endian words (an odd last byte is
 * padded with zero), to be folded by csum_fold(). */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The checksum field's value for a sum from csum_add(). */
static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* IPTO_WIRE_PRIVATE_H */
