/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libpcap injector: pcap_create() + pcap_activate() per interface,
 * pcap_inject() per frame. The handle gets a filter that accepts nothing,
 * so the capture side never queues a frame. libpcap's PCAP_ERROR_* codes
 * become negative errnos here, with libpcap's message in the log.
 */
#include "backend-private.h"

#include "pcap-dl.h"
#include <stdlib.h>

static int pcap_status_to_errno(int status)
{
	switch (status) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		return -ENODEV;
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		return -EPERM;
	case PCAP_ERROR_IFACE_NOT_UP:
		return -ENETDOWN;
	case PCAP_ERROR_ACTIVATED:
	case PCAP_ERROR_NOT_ACTIVATED:
		return -EBADFD;
	case PCAP_ERROR_RFMON_NOTSUP:
	case PCAP_ERROR_NOT_RFMON:
	case PCAP_ERROR_CANTSET_TSTAMP_TYPE:
	case PCAP_ERROR_TSTAMP_PRECISION_NOTSUP:
		return -EOPNOTSUPP;
	case PCAP_ERROR_BREAK:
		return -EINTR;
	default:
		return -EIO;
	}
}

static int pcapinj_open(struct ipto_injector *injector, const char *ifname, void **handle)
{
	struct ipto_ctx *ctx = ipto_injector_get_userdata(injector);
	/* A BPF program of one instruction: "ret #0", accept nothing. */
	struct bpf_insn drop_all = { 0x06 /* BPF_RET | BPF_K */, 0, 0, 0 };
	struct bpf_program prog = { 1, &drop_all };
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	int status, r;

	p = pcap_create(ifname, errbuf);
	if (!p) {
		log_err(ctx, "pcap: %s: %s\n", ifname, errbuf);
		return -ENOMEM;
	}
	/* We never read: keep the capture side as small as libpcap allows. */
	pcap_set_snaplen(p, 64);
	pcap_set_buffer_size(p, 64 * 1024);
	pcap_set_immediate_mode(p, 1);
	status = pcap_activate(p);
	if (status < 0) {
		r = pcap_status_to_errno(status);
		log_err(ctx, "pcap: activate %s: %s (%s)%s\n", ifname,
			pcap_statustostr(status), pcap_geterr(p),
			r == -EPERM ? " (CAP_NET_RAW needed)" : "");
		pcap_close(p);
		return r;
	}
	if (status > 0)
		log_info(ctx, "pcap: activate %s: %s (%s)\n", ifname,
			 pcap_statustostr(status), pcap_geterr(p));
	if (pcap_datalink(p) != DLT_EN10MB) {
		log_err(ctx, "pcap: %s is not Ethernet (link type %s)\n",
			ifname, pcap_datalink_val_to_name(pcap_datalink(p)));
		pcap_close(p);
		return -EOPNOTSUPP;
	}
	if (pcap_setfilter(p, &prog) < 0)
		log_info(ctx, "pcap: %s: cannot install a drop-all filter: "
			 "%s\n", ifname, pcap_geterr(p));
	*handle = p;
	return 0;
}

static int pcapinj_send(struct ipto_injector *injector, void *handle, const void *frame,
		     size_t len)
{
	struct ipto_ctx *ctx = ipto_injector_get_userdata(injector);
	pcap_t *p = handle;
	int n, r;

	errno = 0;
	n = pcap_inject(p, frame, len);
	if (n < 0) {
		/* libpcap keeps send()'s errno; fall back to -EIO */
		r = errno > 0 ? -errno : -EIO;
		log_dbg(ctx, "pcap: inject: %s\n", pcap_geterr(p));
		return r;
	}
	if ((size_t)n != len) {
		log_dbg(ctx, "pcap: inject sent %d of %zu bytes\n", n, len);
		return -EIO;
	}
	return 0;
}

static void pcapinj_close(struct ipto_injector *injector, void *handle)
{
	pcap_close(handle);
}

static void pcapinj_destroy(struct ipto_injector *injector)
{
	void *userdata = ipto_injector_get_userdata(injector);

	ipto_ctx_unref(userdata);
}

static const struct ipto_injector_ops pcap_ops = {
	.sz = sizeof(struct ipto_injector_ops),
	.open = pcapinj_open,
	.send = pcapinj_send,
	.send_batch = NULL, /* the library loops over send */
	.close = pcapinj_close,
	.destroy = pcapinj_destroy,
};

IPTO_EXPORT int ipto_injector_new_pcap(struct ipto_ctx *ctx,
				       struct ipto_injector **ret)
{
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	r = ipto_pcap_load(ctx);
	if (r < 0)
		return r;
	r = ipto_injector_new(ctx, &pcap_ops, ipto_ctx_ref(ctx), ret);
	if (r < 0)
		ipto_ctx_unref(ctx);
	return r;
}
