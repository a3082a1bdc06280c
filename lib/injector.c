/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The generic injector: a reference-counted wrapper around an ops table,
 * and ports (open interfaces) that each hold an injector reference.
 */
#include "backend-private.h"

#include <limits.h>
#include <stdlib.h>

IPTO_DEFINE_BACKEND(ipto_injector, "injector")

IPTO_EXPORT int ipto_injector_open(struct ipto_injector *injector,
				   const char *ifname,
				   struct ipto_injector_adapter **ret)
{
	struct ipto_injector_adapter *port;
	void *handle = NULL;
	int r;

	if (!injector)
		return -EINVAL;
	r = ipto_ifname_check(injector->ctx, "injector: open", ifname);
	if (r < 0)
		return r;
	if (!ret) {
		log_err(injector->ctx, "injector: open: NULL ret\n");
		return -EINVAL;
	}
	if (!injector->ops.open || !injector->ops.send) {
		log_err(injector->ctx, "injector: the backend lacks open or "
			"send\n");
		return -EOPNOTSUPP;
	}
	port = calloc(1, sizeof(*port));
	if (!port)
		return -ENOMEM;
	r = injector->ops.open(injector, ifname, &handle);
	if (r < 0) {
		/* the backend, which knows why, logged the error */
		log_dbg(injector->ctx, "injector: open %s failed: %s\n",
			ifname, ipto_strerror(r));
		free(port);
		return r;
	}
	port->injector = ipto_injector_ref(injector);
	port->handle = handle;
	memcpy(port->ifname, ifname, strlen(ifname) + 1);
	log_dbg(injector->ctx, "injector: opened %s\n", ifname);
	*ret = port;
	return 0;
}

IPTO_EXPORT const char *ipto_injector_adapter_get_ifname(
	const struct ipto_injector_adapter *port)
{
	return port ? port->ifname : NULL;
}

static int check_frame(struct ipto_ctx *ctx, const void *frame, size_t len)
{
	if (!frame) {
		log_err(ctx, "injector: send: NULL frame\n");
		return -EINVAL;
	}
	if (len < IPTO_INJECTOR_FRAME_MIN || len > IPTO_INJECTOR_FRAME_MAX) {
		log_err(ctx, "injector: send: a frame of %zu bytes (must be "
			"%d..%d)\n", len, IPTO_INJECTOR_FRAME_MIN, IPTO_INJECTOR_FRAME_MAX);
		return -EINVAL;
	}
	return 0;
}

IPTO_EXPORT int ipto_injector_send(struct ipto_injector_adapter *port,
				   const void *frame, size_t len)
{
	struct ipto_injector *inj;
	int r;

	if (!port)
		return -EINVAL;
	inj = port->injector;
	r = check_frame(inj->ctx, frame, len);
	if (r < 0)
		return r;
	r = inj->ops.send(inj, port->handle, frame, len);
	if (r < 0) {
		log_err(inj->ctx, "injector: send on %s failed: %s\n",
			port->ifname, ipto_strerror(r));
		return r;
	}
	return 0;
}

/* Sends @n (>= 1) checked frames on @port through the backend; returns
 * as ipto_injector_send_batch(), without logging the backend's failure
 * (the backend, which knows why, does). */
static int batch_on_port(struct ipto_injector_adapter *port,
			 const struct iovec *frames, size_t n)
{
	struct ipto_injector *inj = port->injector;
	size_t i;
	int r;

	if (inj->ops.send_batch) {
		r = inj->ops.send_batch(inj, port->handle, frames,
					n);
		if (r == 0 || r > (int)n) {
			log_err(inj->ctx, "injector: send_batch backend "
				"returned %d for %zu frames\n", r, n);
			r = -EIO;
		}
		return r;
	}
	r = 0;
	for (i = 0; i < n; i++) {
		r = inj->ops.send(inj, port->handle,
				  frames[i].iov_base, frames[i].iov_len);
		if (r < 0)
			break;
	}
	return i > 0 ? (int)i : r;
}

static int check_frames(struct ipto_ctx *ctx, const char *who,
			const struct iovec *frames, size_t n)
{
	size_t i;
	int r;

	if (!frames || n > INT_MAX) {
		log_err(ctx, "injector: %s: no frames or too many\n", who);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		r = check_frame(ctx, frames[i].iov_base, frames[i].iov_len);
		if (r < 0)
			return r;
	}
	return 0;
}

IPTO_EXPORT int ipto_injector_send_batch(struct ipto_injector_adapter *port,
					 const struct iovec *frames, size_t n)
{
	struct ipto_injector *inj;
	int r;

	if (!port)
		return -EINVAL;
	inj = port->injector;
	if (n == 0)
		return 0;
	r = check_frames(inj->ctx, "send_batch", frames, n);
	if (r < 0)
		return r;
	r = batch_on_port(port, frames, n);
	if (r < 0)
		log_err(inj->ctx, "injector: send_batch on %s failed: %s\n",
			port->ifname, ipto_strerror(r));
	else if ((size_t)r < n)
		log_dbg(inj->ctx, "injector: send_batch on %s sent %d of %zu "
			"frames\n", port->ifname, r, n);
	return r;
}

IPTO_EXPORT int ipto_injector_send_multi(struct ipto_injector *injector,
					 struct ipto_injector_adapter *const *ports,
					 const struct iovec *frames, size_t n)
{
	size_t i, done, run;
	int r;

	if (!injector)
		return -EINVAL;
	if (n == 0)
		return 0;
	if (!ports) {
		log_err(injector->ctx, "injector: send_multi: NULL ports\n");
		return -EINVAL;
	}
	r = check_frames(injector->ctx, "send_multi", frames, n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		if (!ports[i] || ports[i]->injector != injector) {
			log_err(injector->ctx, "injector: send_multi: frame %zu "
				"has %s\n", i, ports[i] ? "a port of another "
				"injector" : "no port");
			return -EINVAL;
		}
	if (injector->builtin && injector->builtin->send_multi) {
		r = injector->builtin->send_multi(injector, ports, frames, n);
		if (r == 0 || r > (int)n) {
			log_err(injector->ctx, "injector: send_multi backend "
				"returned %d for %zu frames\n", r, n);
			r = -EIO;
		}
	} else {
		/* Each run of consecutive frames on one port is one batch. */
		r = 0;
		for (done = 0; done < n; done += run) {
			for (run = 1; done + run < n &&
			     ports[done + run] == ports[done]; run++)
				;
			r = batch_on_port(ports[done], frames + done, run);
			if (r < 0 || (size_t)r < run) {
				if (r > 0)
					done += (size_t)r;
				break;
			}
		}
		r = done > 0 ? (int)done : r;
	}
	if (r < 0)
		log_err(injector->ctx, "injector: send_multi failed: %s\n",
			ipto_strerror(r));
	else if ((size_t)r < n)
		log_dbg(injector->ctx, "injector: send_multi sent %d of %zu "
			"frames; frame %d on %s failed\n", r, n, r,
			ports[r]->ifname);
	return r;
}

IPTO_EXPORT void ipto_injector_close(struct ipto_injector_adapter *port)
{
	struct ipto_injector *inj;

	if (!port)
		return;
	inj = port->injector;
	if (inj->ops.close)
		inj->ops.close(inj, port->handle);
	log_dbg(inj->ctx, "injector: closed %s\n", port->ifname);
	ipto_injector_unref(inj);
	free(port);
}

#if !HAVE_PCAP
IPTO_DEFINE_NOT_BUILT(ipto_injector, ipto_injector_new_pcap, "pcap injector",
		      "libpcap")
#endif
