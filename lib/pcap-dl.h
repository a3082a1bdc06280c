/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpcap, loaded the first time the pcap injector or the pcap writer is
 * made (dlopen), not when libipto is: most processes that link libipto
 * never use libpcap, and loading it with its dependencies (D-Bus,
 * libsystemd, libgcrypt, three compressors) cost every one of them about
 * 2 ms at start (tests/bench/startup.sh, doc/backends.md). The calls in
 * injector-pcap.c and pcap-writer.c keep their libpcap names: after this
 * header each is a call through the table ipto_pcap_load() filled.
 */
#ifndef IPTO_PCAP_DL_H
#define IPTO_PCAP_DL_H

#include <pcap/pcap.h>
#include <stdio.h>

#include "ipto-private.h"

struct ipto_pcap_api {
	pcap_t *(*create)(const char *, char *);
	int (*set_snaplen)(pcap_t *, int);
	int (*set_buffer_size)(pcap_t *, int);
	int (*set_immediate_mode)(pcap_t *, int);
	int (*activate)(pcap_t *);
	void (*close)(pcap_t *);
	int (*datalink)(pcap_t *);
	const char *(*datalink_val_to_name)(int);
	char *(*geterr)(pcap_t *);
	const char *(*statustostr)(int);
	int (*setfilter)(pcap_t *, struct bpf_program *);
	int (*inject)(pcap_t *, const void *, size_t);
	pcap_t *(*open_dead)(int, int);
	pcap_dumper_t *(*dump_open)(pcap_t *, const char *);
	pcap_dumper_t *(*dump_fopen)(pcap_t *, FILE *);
	void (*dump)(u_char *, const struct pcap_pkthdr *, const u_char *);
	FILE *(*dump_file)(pcap_dumper_t *);
	int (*dump_flush)(pcap_dumper_t *);
	void (*dump_close)(pcap_dumper_t *);
};

extern struct ipto_pcap_api ipto_pcap_api_;

/*
 * Loads libpcap and resolves every call above, once per process (thread
 * safe). Returns 0, or -ELIBACC when libpcap or one of its calls cannot
 * be found (said through @ctx's log each time it is asked).
 */
int ipto_pcap_load(struct ipto_ctx *ctx);

#ifndef IPTO_PCAP_DL_IMPL
#define pcap_create(...) ipto_pcap_api_.create(__VA_ARGS__)
#define pcap_set_snaplen(...) ipto_pcap_api_.set_snaplen(__VA_ARGS__)
#define pcap_set_buffer_size(...) ipto_pcap_api_.set_buffer_size(__VA_ARGS__)
#define pcap_set_immediate_mode(...) ipto_pcap_api_.set_immediate_mode(__VA_ARGS__)
#define pcap_activate(...) ipto_pcap_api_.activate(__VA_ARGS__)
#define pcap_close(...) ipto_pcap_api_.close(__VA_ARGS__)
#define pcap_datalink(...) ipto_pcap_api_.datalink(__VA_ARGS__)
#define pcap_datalink_val_to_name(...) ipto_pcap_api_.datalink_val_to_name(__VA_ARGS__)
#define pcap_geterr(...) ipto_pcap_api_.geterr(__VA_ARGS__)
#define pcap_statustostr(...) ipto_pcap_api_.statustostr(__VA_ARGS__)
#define pcap_setfilter(...) ipto_pcap_api_.setfilter(__VA_ARGS__)
#define pcap_inject(...) ipto_pcap_api_.inject(__VA_ARGS__)
#define pcap_open_dead(...) ipto_pcap_api_.open_dead(__VA_ARGS__)
#define pcap_dump_open(...) ipto_pcap_api_.dump_open(__VA_ARGS__)
#define pcap_dump_fopen(...) ipto_pcap_api_.dump_fopen(__VA_ARGS__)
#define pcap_dump(...) ipto_pcap_api_.dump(__VA_ARGS__)
#define pcap_dump_file(...) ipto_pcap_api_.dump_file(__VA_ARGS__)
#define pcap_dump_flush(...) ipto_pcap_api_.dump_flush(__VA_ARGS__)
#define pcap_dump_close(...) ipto_pcap_api_.dump_close(__VA_ARGS__)
#endif

#endif
