/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pcap output: frames written to a file with libpcap's dump API, link type
 * LINKTYPE_ETHERNET. Compiled only with libpcap; lib/frame.c carries the
 * -EOPNOTSUPP fallback.
 */
#include "ipto-private.h"

#include "pcap-dl.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#define WRITER_SNAPLEN 65535

struct ipto_pcap_writer {
	struct ipto_ctx *ctx;
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	bool failed;
};

static pcap_dumper_t *open_stdout(struct ipto_ctx *ctx, pcap_t *pcap, int *err)
{
	pcap_dumper_t *d;
	FILE *f;
	int fd;

	fd = dup(STDOUT_FILENO);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	d = pcap_dump_fopen(pcap, f);
	if (!d) {
		log_err(ctx, "pcap: %s\n", pcap_geterr(pcap));
		fclose(f);
		*err = -EIO;
	}
	return d;
}

IPTO_EXPORT int ipto_pcap_writer_new(struct ipto_ctx *ctx, const char *path,
				     struct ipto_pcap_writer **ret)
{
	struct ipto_pcap_writer *w;
	int err = -EIO;

	if (!ctx || !path || !ret || !*path) {
		log_err(ctx, "pcap: NULL or empty argument\n");
		return -EINVAL;
	}
	err = ipto_pcap_load(ctx);
	if (err < 0)
		return err;
	err = -EIO;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->pcap = pcap_open_dead(DLT_EN10MB, WRITER_SNAPLEN);
	if (!w->pcap) {
		free(w);
		return -ENOMEM;
	}
	if (strcmp(path, "-") == 0) {
		w->dumper = open_stdout(ctx, w->pcap, &err);
	} else {
		/* pcap_dump_open() hides errno in its message; keep it. */
		errno = 0;
		w->dumper = pcap_dump_open(w->pcap, path);
		if (!w->dumper) {
			err = errno ? -errno : -EIO;
			log_err(ctx, "pcap: cannot open %s: %s\n", path,
				pcap_geterr(w->pcap));
		}
	}
	if (!w->dumper) {
		pcap_close(w->pcap);
		free(w);
		return err;
	}
	w->ctx = ipto_ctx_ref(ctx);
	*ret = w;
	return 0;
}

IPTO_EXPORT int ipto_pcap_writer_write(struct ipto_pcap_writer *w,
				       const void *frame, size_t len)
{
	struct pcap_pkthdr h;
	struct timeval tv;
	FILE *f;

	if (!w || !frame || len < 14 || len > WRITER_SNAPLEN) {
		log_err(w ? w->ctx : NULL, "pcap: bad frame (NULL or length %zu)\n",
			len);
		return -EINVAL;
	}
	gettimeofday(&tv, NULL);
	memset(&h, 0, sizeof(h));
	h.ts = tv;
	h.caplen = (bpf_u_int32)len;
	h.len = (bpf_u_int32)len;
	/* pcap_dump() reports nothing; the stream's error flag does. */
	pcap_dump((u_char *)w->dumper, &h, frame);
	f = pcap_dump_file(w->dumper);
	if (f && ferror(f)) {
		if (!w->failed)
			log_err(w->ctx, "pcap: write failed\n");
		w->failed = true;
		return -EIO;
	}
	return 0;
}

IPTO_EXPORT int ipto_pcap_writer_close(struct ipto_pcap_writer *w)
{
	FILE *f;
	int r = 0;

	if (!w)
		return 0;
	f = pcap_dump_file(w->dumper);
	if (pcap_dump_flush(w->dumper) < 0 || w->failed || (f && ferror(f)))
		r = -EIO;
	/* pcap_dump_close() fclose()s and reports nothing; flush came first. */
	pcap_dump_close(w->dumper);
	pcap_close(w->pcap);
	if (r < 0)
		log_err(w->ctx, "pcap: flushing the file failed\n");
	ipto_ctx_unref(w->ctx);
	free(w);
	return r;
}
