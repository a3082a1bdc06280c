/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpcap through dlopen(): see pcap-dl.h for why.
 */
#define IPTO_PCAP_DL_IMPL
#include "pcap-dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

struct ipto_pcap_api ipto_pcap_api_;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_result;
static char load_error[256];

/* The sonames libpcap has shipped under: Debian's, then upstream's. */
static const char *const sonames[] = { "libpcap.so.0.8", "libpcap.so.1", "libpcap.so" };

#define SYM(field, name) { offsetof(struct ipto_pcap_api, field), name }
static const struct {
	size_t offset;
	const char *name;
} syms[] = {
	SYM(create, "pcap_create"),
	SYM(set_snaplen, "pcap_set_snaplen"),
	SYM(set_buffer_size, "pcap_set_buffer_size"),
	SYM(set_immediate_mode, "pcap_set_immediate_mode"),
	SYM(activate, "pcap_activate"),
	SYM(close, "pcap_close"),
	SYM(datalink, "pcap_datalink"),
	SYM(datalink_val_to_name, "pcap_datalink_val_to_name"),
	SYM(geterr, "pcap_geterr"),
	SYM(statustostr, "pcap_statustostr"),
	SYM(setfilter, "pcap_setfilter"),
	SYM(inject, "pcap_inject"),
	SYM(open_dead, "pcap_open_dead"),
	SYM(dump_open, "pcap_dump_open"),
	SYM(dump_fopen, "pcap_dump_fopen"),
	SYM(dump, "pcap_dump"),
	SYM(dump_file, "pcap_dump_file"),
	SYM(dump_flush, "pcap_dump_flush"),
	SYM(dump_close, "pcap_dump_close"),
};

static void load(void)
{
	struct ipto_pcap_api api;
	void *h = NULL;
	size_t i;

	for (i = 0; i < IPTO_ARRAY_SIZE(sonames) && !h; i++)
		h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof(load_error), "cannot load libpcap: %s",
			 dlerror());
		load_result = -ELIBACC;
		return;
	}
	for (i = 0; i < IPTO_ARRAY_SIZE(syms); i++) {
		void *f = dlsym(h, syms[i].name);

		if (!f) {
			snprintf(load_error, sizeof(load_error),
				 "libpcap has no %s: %s", syms[i].name, dlerror());
			dlclose(h);
			load_result = -ELIBACC;
			return;
		}
		/* a data pointer to a function pointer: POSIX allows it for dlsym */
		memcpy((char *)&api + syms[i].offset, &f, sizeof(f));
	}
	ipto_pcap_api_ = api;
	load_result = 0; /* the handle stays open for the process */
}

int ipto_pcap_load(struct ipto_ctx *ctx)
{
	pthread_once(&once, load);
	if (load_result < 0)
		log_err(ctx, "pcap: %s\n", load_error);
	return load_result;
}
