/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The dry-run injector: sends nothing, keeps a copy of every frame and can
 * fail the n-th open or frame on purpose. Not part of the stable ABI
 * (<ipto/ipto-dryrun.h>).
 */
#include "dryrun-private.h"

/* ------------------------------------------------------------------ */
/* Injector                                                            */
/* ------------------------------------------------------------------ */

struct dr_frame {
	char ifname[IPTO_IFNAME_MAX + 1];
	uint8_t *data;
	size_t len;
};

struct dr_injector {
	struct dr_frame *frames;
	size_t nframes, cap;
	size_t open_ports;
	struct fault fault;
};

struct dr_port {
	char ifname[IPTO_IFNAME_MAX + 1];
};

static int dri_open(struct ipto_injector *injector, const char *ifname, void **handle)
{
	struct dr_injector *d = ipto_injector_get_userdata(injector);
	struct dr_port *p;
	int err;

	err = fault_hit(&d->fault, IPTO_INJECTOR_OP_OPEN);
	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	memcpy(p->ifname, ifname, strlen(ifname) + 1);
	d->open_ports++;
	*handle = p;
	return 0;
}

static int record_frame(struct dr_injector *d, struct dr_port *p,
			const void *frame, size_t len)
{
	struct dr_frame *f;
	int err;

	err = fault_hit(&d->fault, IPTO_INJECTOR_OP_SEND);
	if (err)
		return err;
	if (ipto_grow((void **)&d->frames, &d->cap, d->nframes + 1,
		      sizeof(*d->frames)) < 0)
		return -ENOMEM;
	f = &d->frames[d->nframes];
	f->data = malloc(len);
	if (!f->data)
		return -ENOMEM;
	memcpy(f->data, frame, len);
	f->len = len;
	memcpy(f->ifname, p->ifname, sizeof(f->ifname));
	d->nframes++;
	return 0;
}

static int dri_send(struct ipto_injector *injector, void *handle, const void *frame,
		    size_t len)
{
	void *userdata = ipto_injector_get_userdata(injector);

	return record_frame(userdata, handle, frame, len);
}

static int dri_send_batch(struct ipto_injector *injector, void *handle,
			  const struct iovec *frames, size_t n)
{
	void *userdata = ipto_injector_get_userdata(injector);

	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = record_frame(userdata, handle, frames[i].iov_base,
				 frames[i].iov_len);
		if (r < 0)
			return i > 0 ? (int)i : r;
	}
	return (int)n;
}

static void dri_close(struct ipto_injector *injector, void *handle)
{
	struct dr_injector *d = ipto_injector_get_userdata(injector);

	d->open_ports--;
	free(handle);
}

static void clear_frames(struct dr_injector *d)
{
	dr_log_clear(d->frames, d->nframes, data);
}

static void dri_fini(void *state)
{
	struct dr_injector *d = state;

	clear_frames(d);
	free(d->frames);
}

IPTO_DEFINE_BUILTIN_DESTROY(ipto_injector, dri_destroy, dri_fini)

static const struct ipto_injector_ops dryrun_injector_ops = {
	.sz = sizeof(struct ipto_injector_ops),
	.open = dri_open,
	.send = dri_send,
	.send_batch = dri_send_batch,
	.close = dri_close,
	.destroy = dri_destroy,
};

/* No batch across ports: ipto_injector_send_multi() sends each run on
 * one port as a batch of its own. */
static const struct ipto_injector_builtin dryrun_builtin = {
	.kind = IPTO_BACKEND_DRYRUN,
};

IPTO_EXPORT int ipto_injector_new_dryrun(struct ipto_ctx *ctx,
					 struct ipto_injector **ret)
{
	return ipto_injector_new_builtin(ctx, &dryrun_injector_ops,
					 sizeof(struct dr_injector), NULL, NULL,
					 &dryrun_builtin, ret);
}

/* The model behind a dry-run injector, or NULL (logged) for any other. */
static struct dr_injector *dr_injector_of(const struct ipto_injector *inj,
					  const char *who)
{
	return inj ? dr_model_of(inj->ctx, inj->userdata,
				 ipto_backend_is(inj, IPTO_BACKEND_DRYRUN),
				 who, "injector")
		   : NULL;
}

IPTO_EXPORT int ipto_injector_dryrun_set_fault(struct ipto_injector *injector,
					       unsigned int ops,
					       unsigned int nth, int err)
{
	const char *who = "injector: dryrun_set_fault";
	struct dr_injector *d = dr_injector_of(injector, who);

	if (!d)
		return -EINVAL;
	/* the generic injector logs failed sends */
	return fault_arm(&d->fault, injector->ctx, who, "dryrun injector",
			 IPTO_INJECTOR_OP_OPEN | IPTO_INJECTOR_OP_SEND,
			 IPTO_INJECTOR_OP_OPEN, ops, nth, err);
}

IPTO_EXPORT size_t ipto_injector_dryrun_get_frame_count(
	const struct ipto_injector *injector)
{
	struct dr_injector *d =
		dr_injector_of(injector, "injector: dryrun_get_frame_count");

	return d ? d->nframes : 0;
}

IPTO_EXPORT int ipto_injector_dryrun_get_frame(
	const struct ipto_injector *injector, size_t index,
	const char **ifname, const void **frame, size_t *len)
{
	struct dr_injector *d =
		dr_injector_of(injector, "injector: dryrun_get_frame");

	if (!d)
		return -EINVAL;
	if (index >= d->nframes)
		return -ERANGE;
	if (ifname)
		*ifname = d->frames[index].ifname;
	if (frame)
		*frame = d->frames[index].data;
	if (len)
		*len = d->frames[index].len;
	return 0;
}

IPTO_EXPORT int ipto_injector_dryrun_clear_frames(struct ipto_injector *injector)
{
	struct dr_injector *d =
		dr_injector_of(injector, "injector: dryrun_clear_frames");

	if (!d)
		return -EINVAL;
	clear_frames(d);
	return 0;
}

IPTO_EXPORT size_t ipto_injector_dryrun_get_open_count(
	const struct ipto_injector *injector)
{
	struct dr_injector *d =
		dr_injector_of(injector, "injector: dryrun_get_open_count");

	return d ? d->open_ports : 0;
}
