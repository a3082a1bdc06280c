/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipto_injector_send_multi() through the public API, without privileges:
 * frames for several ports of the dry-run injector are recorded in order
 * with their own port's name; faults stop the batch at the failing frame;
 * bad arguments send nothing. A caller's ops table sees each run of
 * consecutive frames on one port as one send_batch (or one send each when
 * it has no send_batch). The AF_PACKET injector's one socket for all ports
 * is checked against a real kernel in tests/netns/test-injector-ports.c.
 */
#include "test-common.h"

#include <errno.h>

static unsigned char frames[6][60];

static void fill(struct iovec *iov, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(frames[i], 0xa0 + (int)i, sizeof(frames[i]));
		iov[i].iov_base = frames[i];
		iov[i].iov_len = 20 + i;
	}
}

START_TEST(multi_dryrun_order)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_injector *inj = NULL;
	struct ipto_injector_adapter *a = NULL, *b = NULL, *ports[5];
	const char *want_if[5] = { "tk1", "tk1", "tk2", "tk1", "tk2" };
	struct iovec iov[5];
	size_t i;

	fill(iov, 5);
	ck_assert_int_eq(ipto_injector_new_dryrun(ctx, &inj), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "tk1", &a), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "tk2", &b), 0);
	ports[0] = a; ports[1] = a; ports[2] = b; ports[3] = a; ports[4] = b;
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 0), 0);
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 5), 5);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 5);
	for (i = 0; i < 5; i++) {
		const char *ifname = NULL;
		const void *f = NULL;
		size_t len = 0;

		ck_assert_int_eq(ipto_injector_dryrun_get_frame(inj, i, &ifname,
								&f, &len), 0);
		ck_assert_str_eq(ifname, want_if[i]);
		ck_assert_uint_eq(len, 20 + i);
		ck_assert_int_eq(memcmp(f, frames[i], len), 0);
	}
	ipto_injector_close(a);
	ipto_injector_close(b);
	ipto_injector_unref(inj);
	ipto_ctx_unref(ctx);
}
END_TEST

START_TEST(multi_dryrun_faults)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_injector *inj = NULL, *other = NULL;
	struct ipto_injector_adapter *a = NULL, *b = NULL, *c = NULL, *ports[4];
	struct iovec iov[4];

	fill(iov, 4);
	ck_assert_int_eq(ipto_injector_new_dryrun(ctx, &inj), 0);
	ck_assert_int_eq(ipto_injector_new_dryrun(ctx, &other), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "tk1", &a), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "tk2", &b), 0);
	ck_assert_int_eq(ipto_injector_open(other, "tk3", &c), 0);
	ports[0] = a; ports[1] = b; ports[2] = b; ports[3] = a;

	/* the 3rd frame (2nd of tk2's run) fails: 2 sent, named in the log */
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(
				 inj, IPTO_INJECTOR_OP_SEND, 3, -ENOBUFS), 0);
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 4), 2);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 2);
	ck_assert_ptr_nonnull(strstr(log.last, "frame 2 on tk2 failed"));
	/* the first fails: the error itself */
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(
				 inj, IPTO_INJECTOR_OP_SEND, 1, -ENETDOWN), 0);
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 4),
			 -ENETDOWN);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 2);

	/* bad arguments: -EINVAL, nothing sent, a message */
	ck_assert_int_eq(ipto_injector_send_multi(NULL, ports, iov, 4), -EINVAL);
	ck_assert_int_eq(ipto_injector_send_multi(inj, NULL, iov, 4), -EINVAL);
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, NULL, 4), -EINVAL);
	ports[2] = c;
	log.count = 0;
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 4), -EINVAL);
	ck_assert_ptr_nonnull(strstr(log.last, "port of another injector"));
	ports[2] = NULL;
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 4), -EINVAL);
	ports[2] = b;
	iov[3].iov_len = 13; /* shorter than an Ethernet header */
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 4), -EINVAL);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 2);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(other), 0);

	ipto_injector_close(a);
	ipto_injector_close(b);
	ipto_injector_close(c);
	ipto_injector_unref(inj);
	ipto_injector_unref(other);
	ipto_ctx_unref(ctx);
}
END_TEST

/* A caller's backend: records what each op call received. */
struct rec {
	char calls[256];
	int sent;
};

static int rec_open(struct ipto_injector *injector, const char *ifname, void **handle)
{
	void *ud = ipto_injector_get_userdata(injector);

	(void)ud;
	*handle = (void *)(ifname[2] == '1' ? "1" : "2");
	return 0;
}

static int rec_send(struct ipto_injector *injector, void *handle, const void *frame, size_t len)
{
	struct rec *r = ipto_injector_get_userdata(injector);
	size_t l = strlen(r->calls);

	(void)frame;
	snprintf(r->calls + l, sizeof(r->calls) - l, "send(%s,%zu) ",
		 (const char *)handle, len);
	r->sent++;
	return 0;
}

static int rec_batch(struct ipto_injector *injector, void *handle, const struct iovec *f, size_t n)
{
	struct rec *r = ipto_injector_get_userdata(injector);
	size_t l = strlen(r->calls);

	(void)f;
	snprintf(r->calls + l, sizeof(r->calls) - l, "batch(%s,%zu) ",
		 (const char *)handle, n);
	r->sent += (int)n;
	return (int)n;
}

START_TEST(multi_caller_ops)
{
	struct test_log log;
	struct ipto_ctx *ctx = test_ctx_new(&log);
	struct ipto_injector_ops ops = {
		.sz = sizeof(ops), .open = rec_open, .send = rec_send,
		.send_batch = rec_batch,
	};
	struct ipto_injector *inj = NULL;
	struct ipto_injector_adapter *a = NULL, *b = NULL, *ports[6];
	struct iovec iov[6];
	struct rec rec = { "", 0 };

	fill(iov, 6);
	ck_assert_int_eq(ipto_injector_new(ctx, &ops, &rec, &inj), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "tk1", &a), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "tk2", &b), 0);
	ports[0] = a; ports[1] = a; ports[2] = b; ports[3] = b; ports[4] = b;
	ports[5] = a;
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 6), 6);
	ck_assert_str_eq(rec.calls, "batch(1,2) batch(2,3) batch(1,1) ");
	ipto_injector_close(a);
	ipto_injector_close(b);
	ipto_injector_unref(inj);

	/* without send_batch: one send per frame, in order */
	ops.send_batch = NULL;
	rec.calls[0] = '\0';
	ck_assert_int_eq(ipto_injector_new(ctx, &ops, &rec, &inj), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "tk1", &a), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "tk2", &b), 0);
	ports[0] = b; ports[1] = a; ports[2] = b;
	ck_assert_int_eq(ipto_injector_send_multi(inj, ports, iov, 3), 3);
	ck_assert_str_eq(rec.calls, "send(2,20) send(1,21) send(2,22) ");
	ipto_injector_close(a);
	ipto_injector_close(b);
	ipto_injector_unref(inj);
	ipto_ctx_unref(ctx);
}
END_TEST

static Suite *injector_suite(void)
{
	Suite *s = suite_create("injector");

	test_tcase(s, "send_multi", multi_dryrun_order, multi_dryrun_faults,
		   multi_caller_ops);
	return s;
}

IPTO_TEST_MAIN(injector_suite)
