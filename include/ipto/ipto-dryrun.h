/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto: the dry-run (test) backends. Include this header explicitly;
 * <ipto/ipto.h> does not.
 *
 * NOT COVERED BY THE 1.0 ABI PROMISE. These functions carry their own
 * symbol version, IPTO_DRYRUN_1.0, apart from the stable IPTO_1.0: they
 * exist for tests and for previews (the ipto command's --dry-run), and
 * they may change or go in any later release, together with the text of
 * the call log and the dump format, which are diagnostics, not contract.
 * A program that must keep running across libipto releases uses only
 * <ipto/ipto.h>.
 *
 * The dry-run binder keeps an in-memory model of interfaces that answers
 * like the kernel; the dry-run injector sends nothing and keeps every
 * frame. Both record what they were asked and can be told to fail a call.
 * Their functions work on a binder/injector from ipto_binder_new_dryrun()
 * / ipto_injector_new_dryrun() only; any other gives -EINVAL (or 0 / NULL
 * where noted).
 */
#ifndef IPTO_IPTO_DRYRUN_H
#define IPTO_IPTO_DRYRUN_H

#include <ipto/ipto.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Dry-run binder                                                      */
/* ------------------------------------------------------------------ */

/**
 * ipto_binder_new_dryrun - a binder that changes nothing outside itself.
 * @ctx: the context.
 * @ret: the new binder.
 *
 * It keeps an in-memory model of interfaces (seeded with
 * ipto_binder_dryrun_add_adapter() or ipto_binder_dryrun_copy_adapter()) that
 * behaves like the kernel: adding a present address gives -EEXIST,
 * removing an absent one -EADDRNOTAVAIL, an unknown interface -ENODEV, and
 * devconf values start at 0. It records every call (see
 * ipto_binder_dryrun_get_call()) and can be told to fail calls
 * (ipto_binder_dryrun_set_fault()). Needs no privilege.
 *
 * Returns: 0, or a negative errno.
 */
int ipto_binder_new_dryrun(struct ipto_ctx *ctx, struct ipto_binder **ret);

/**
 * enum ipto_binder_op - the binder operations, as bits, for
 * ipto_binder_dryrun_set_fault().
 * @IPTO_BINDER_OP_MUTATING: every operation that changes state, except
 *	creating and deleting adapters.
 * @IPTO_BINDER_OP_ALL: every operation of the first eleven.
 * @IPTO_BINDER_OP_ADAPTER_CREATE: adapter_create_macvlan.
 * @IPTO_BINDER_OP_ADAPTER_DELETE: adapter_delete.
 * @IPTO_BINDER_OP_ADAPTER_GET_ALIAS: adapter_get_alias.
 * @IPTO_BINDER_OP_ADAPTERS: creating and deleting adapters: OR it with
 *	IPTO_BINDER_OP_MUTATING to count every change.
 */
enum ipto_binder_op {
	IPTO_BINDER_OP_ADDR_ADD = 1 << 0,
	IPTO_BINDER_OP_ADDR_DEL = 1 << 1,
	IPTO_BINDER_OP_ADDR_LIST = 1 << 2,
	IPTO_BINDER_OP_ADAPTER_GET = 1 << 3,
	IPTO_BINDER_OP_ADAPTER_SET_UP = 1 << 4,
	IPTO_BINDER_OP_DEVCONF_GET = 1 << 5,
	IPTO_BINDER_OP_DEVCONF_SET = 1 << 6,
	IPTO_BINDER_OP_ADDR_DUMP = 1 << 7,
	IPTO_BINDER_OP_ADAPTER_DUMP = 1 << 8,
	IPTO_BINDER_OP_RECORD_GET = 1 << 9,
	IPTO_BINDER_OP_RECORD_SET = 1 << 10,
	IPTO_BINDER_OP_MUTATING = (1 << 0) | (1 << 1) | (1 << 4) | (1 << 6) |
				   (1 << 10),
	IPTO_BINDER_OP_ALL = (1 << 11) - 1,
	IPTO_BINDER_OP_ADAPTER_CREATE = 1 << 11,
	IPTO_BINDER_OP_ADAPTER_DELETE = 1 << 12,
	IPTO_BINDER_OP_ADAPTER_GET_ALIAS = 1 << 13,
	IPTO_BINDER_OP_ADAPTERS = (1 << 11) | (1 << 12),
};

/**
 * ipto_binder_op_name - a short stable name for @v, one of enum ipto_binder_op (a single flag: "addr_add", ..., or the masks "mutating" and "all").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_binder_op_name(enum ipto_binder_op v);

/**
 * ipto_binder_dryrun_add_adapter - add an interface to the model.
 * @binder: a dry-run binder.
 * @ifname: the name (1..15 characters), not yet in the model (-EEXIST).
 * @mac: its MAC address, or NULL for 00:00:00:00:00:00.
 * @up: its administrative state.
 *
 * The new interface gets the next ifindex (1, 2, ...), MTU 1500, carrier
 * when up, no addresses and every devconf value 0. Not recorded as a call.
 *
 * Returns: 0 or a negative errno.
 */
int ipto_binder_dryrun_add_adapter(struct ipto_binder *binder, const char *ifname,
				const struct ipto_mac *mac, bool up);

/**
 * ipto_binder_dryrun_copy_adapter - copy an interface's state from another
 * binder into the model: adapter info, addresses and devconf values.
 * @binder: a dry-run binder; @ifname must not be in its model yet.
 * @source: any binder, e.g. the netlink one (only read).
 * @ifname: the interface.
 *
 * This lets a plan preview start from the real system without privileges.
 * Not recorded as a call.
 *
 * Returns: 0, or a negative errno from @source (e.g. -ENODEV).
 */
int ipto_binder_dryrun_copy_adapter(struct ipto_binder *binder,
				 struct ipto_binder *source,
				 const char *ifname);

/**
 * ipto_binder_dryrun_set_fault - make a future call fail.
 * @binder: a dry-run binder.
 * @ops: a mask of enum ipto_binder_op: which calls count.
 * @nth: 1 to fail the next counted call, k to fail the k-th counted call
 *	from now (then the fault is spent); 0 to fail every counted call
 *	until the fault is changed.
 * @err: the negative errno the call returns; 0 clears the fault.
 *
 * A failed call changes nothing in the model and is recorded with its
 * error. One fault is armed at a time; setting one replaces the last.
 * A test fails "call k for every k" of a takeover by looping k = 1, 2, ...
 * with @ops = IPTO_BINDER_OP_MUTATING until the takeover succeeds.
 *
 * Returns: 0, or -EINVAL (unknown bits in @ops, positive @err).
 */
int ipto_binder_dryrun_set_fault(struct ipto_binder *binder, unsigned int ops,
				 unsigned int nth, int err);

/**
 * ipto_binder_dryrun_get_call_count - the number of calls recorded so far
 * (reads included, failed calls included). 0 for a NULL or non-dry-run
 * binder.
 */
size_t ipto_binder_dryrun_get_call_count(const struct ipto_binder *binder);

/**
 * ipto_binder_dryrun_get_call - one recorded call.
 * @binder: a dry-run binder.
 * @index: 0 .. ipto_binder_dryrun_get_call_count() - 1 (-ERANGE otherwise).
 * @text: receives the call as one line without newline, owned by the
 *	binder and valid until ipto_binder_dryrun_clear_calls() or the last
 *	unref. The first word is the operation's name (as
 *	ipto_binder_op_name() gives it), the interface follows; the rest is
 *	a diagnostic whose wording may change between releases. May be NULL.
 * @result: receives the call's return value. May be NULL.
 *
 * Returns: 0 or a negative errno.
 */
int ipto_binder_dryrun_get_call(const struct ipto_binder *binder, size_t index,
				const char **text, int *result);

/**
 * ipto_binder_dryrun_clear_calls - forget the recorded calls (the model
 * stays as it is), e.g. after seeding it.
 *
 * Returns: 0 or -EINVAL.
 */
int ipto_binder_dryrun_clear_calls(struct ipto_binder *binder);

/**
 * ipto_binder_dryrun_dump - the whole modelled state as text.
 * @binder: a dry-run binder.
 * @out: receives a malloc'd, NUL-terminated string the caller frees. One
 *	line per interface, address and devconf value, sorted, so that two
 *	dumps compare equal exactly when the states are equal (the only
 *	property promised; the line format is a diagnostic and may change).
 *
 * Returns: 0 or a negative errno; *out is written on success only.
 */
int ipto_binder_dryrun_dump(const struct ipto_binder *binder, char **out);

/* ------------------------------------------------------------------ */
/* Dry-run injector                                                    */
/* ------------------------------------------------------------------ */

/**
 * ipto_injector_new_dryrun - an injector that sends nothing and keeps a
 * copy of every frame (ipto_injector_dryrun_get_frame()). Any interface
 * name opens. Needs no privilege.
 *
 * Returns: 0 or a negative errno.
 */
int ipto_injector_new_dryrun(struct ipto_ctx *ctx, struct ipto_injector **ret);

/**
 * enum ipto_injector_op - injector operations, as bits, for
 * ipto_injector_dryrun_set_fault().
 * @IPTO_INJECTOR_OP_OPEN: ipto_injector_open().
 * @IPTO_INJECTOR_OP_SEND: each frame, whether sent alone or in a batch.
 */
enum ipto_injector_op {
	IPTO_INJECTOR_OP_OPEN = 1 << 0,
	IPTO_INJECTOR_OP_SEND = 1 << 1,
};

/**
 * ipto_injector_op_name - a short stable name for @v, one of enum ipto_injector_op (a single flag: "open", "send").
 * @v: the value.
 *
 * Returns: a static string, e.g. for logs and JSON, or NULL when @v is not
 * exactly one of its flags.
 */
const char *ipto_injector_op_name(enum ipto_injector_op v);

/**
 * ipto_injector_dryrun_set_fault - make a future open or frame fail, as
 * ipto_binder_dryrun_set_fault() does for binders. A batch whose k-th frame
 * fails returns k - 1 (or the error when k is 1). A failed frame is not
 * recorded.
 *
 * Returns: 0 or -EINVAL.
 */
int ipto_injector_dryrun_set_fault(struct ipto_injector *injector,
				   unsigned int ops, unsigned int nth,
				   int err);

/**
 * ipto_injector_dryrun_get_frame_count - the number of frames "sent" so
 * far. 0 for a NULL or non-dry-run injector.
 */
size_t ipto_injector_dryrun_get_frame_count(
	const struct ipto_injector *injector);

/**
 * ipto_injector_dryrun_get_frame - one recorded frame.
 * @injector: a dry-run injector.
 * @index: 0 .. count - 1 (-ERANGE otherwise).
 * @ifname: receives the adapter's interface name; may be NULL.
 * @frame: receives the frame bytes; may be NULL.
 * @len: receives the frame length; may be NULL.
 *
 * The pointers stay valid until ipto_injector_dryrun_clear_frames() or the
 * last unref.
 *
 * Returns: 0 or a negative errno.
 */
int ipto_injector_dryrun_get_frame(const struct ipto_injector *injector,
				   size_t index, const char **ifname,
				   const void **frame, size_t *len);

/** ipto_injector_dryrun_clear_frames - forget the recorded frames. Returns: 0 or -EINVAL. */
int ipto_injector_dryrun_clear_frames(struct ipto_injector *injector);

/**
 * ipto_injector_dryrun_get_open_count - the number of adapters open right now
 * (so a test can check that every one was closed). 0 for a NULL or
 * non-dry-run injector.
 */
size_t ipto_injector_dryrun_get_open_count(
	const struct ipto_injector *injector);

#ifdef __cplusplus
}
#endif

#endif /* IPTO_IPTO_DRYRUN_H */
