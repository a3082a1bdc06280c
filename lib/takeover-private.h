/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the takeover engine's files (takeover*.c): the takeover
 * object and what each file offers the others, each file's names under
 * one prefix: takeover_ (takeover.c), undo_, addr_, note_, guard_, links_
 * and schedule_.
 */
#ifndef IPTO_TAKEOVER_PRIVATE_H
#define IPTO_TAKEOVER_PRIVATE_H

#include "backend-private.h"
#include "macvlan-private.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* An adapter the plan touches. */
struct port {
	const char *ifname;           /* owned by the plan */
	const char *standby;          /* its standby (owned likewise); NULL for host guards */
	struct ipto_mac mac;          /* the plan's MAC for it */
	bool announces;               /* has BIND actions */
	bool has_v4_bind;             /* has IPv4 BIND actions: ARP flux matters */
	bool guard;                   /* no action: another adapter of the standby
				       * on the LAN, only kept from answering ARP
				       * for the taken-over addresses */
	bool absent;                  /* a guard the system does not have */
	bool from_dump;               /* a host guard read by the link dump */
	struct ipto_injector_adapter *inj;
	size_t first_frame, n_frames; /* its slice of the frame table */
	int arp[2];                   /* arp_ignore, arp_announce from adapter_get; -1 unknown */
	long refresh_report;          /* its refresh entry, updated in place; -1 none */
	size_t round_first;           /* send_round(): its first frame in t->iov */
	int ifindex;                  /* from adapter_get; 0 unknown */
	bool promote_set;             /* unbind_addresses() set promote_secondaries=1 */
	struct ipto_mac have_mac;     /* the MAC adapter_get read */
};

/* One address to bind or unbind. */
struct action {
	size_t port;
	enum ipto_plan_action kind;
	struct ipto_addr ip;
};

/* One entry of the undo log: a change this takeover made. */
enum undo_kind { UNDO_DEVCONF, UNDO_ADDR_ADDED, UNDO_ADDR_REMOVED, UNDO_LINK_RAISED,
		 UNDO_RECORD, UNDO_LINK_CREATED };
struct undo {
	enum undo_kind kind;
	size_t port;
	size_t report;                /* the report entry that recorded it */
	struct ipto_addr ip;
	enum ipto_devconf key;
	int old_value;
	bool had_record;              /* UNDO_RECORD: the value before, if any */
	char record[256];
};

/* What the record keeps about one link a takeover changed: the values
 * to restore on release (-1: not changed by a takeover). */
struct link_note {
	int ifindex;
	struct ipto_mac mac;
	int up, arp_ignore, arp_announce;
	int promote;                  /* promote_secondaries, set by a release
				       * for the moment of its deletions */
};

/* A prebuilt frame (directed ones too: IPTO_FRAME_STYLE_ARP_DIRECTED and
 * _NS, one per neighbour, after the port's broadcast frames). */
struct frame {
	uint8_t style;
	uint8_t len;
	bool gone;                    /* its address left its adapter: never again */
	size_t action;
	uint8_t bytes[IPTO_FRAME_MAX_LEN];
};

struct ipto_takeover {
	int refcount;
	struct ipto_ctx *ctx;
	struct ipto_plan *plan;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	unsigned int flags;

	struct ipto_announce_round rounds[IPTO_ANNOUNCE_MAX_ROUNDS];
	size_t n_rounds;
	uint32_t refresh_ms;
	uint32_t refresh_count;

	struct port *ports;
	size_t n_ports;
	struct action *actions;
	size_t n_actions;
	struct frame *frames;
	size_t n_frames;
	size_t n_gone;                /* frames dropped by schedule_drop_released() */
	struct ipto_addr_watch *addr_watch; /* removals, for later rounds */
	struct iovec *iov;            /* scratch for one round's frames */
	struct ipto_injector_adapter **iov_port; /* ... and their adapters */
	struct ipto_addr_req *reqs;   /* scratch for the address batch */
	size_t *req_action;
	int *results;

	struct undo *undo;
	size_t n_undo, cap_undo;
	struct ipto_takeover_report *reports;
	size_t n_reports, cap_reports;

	char **host_names;            /* names of host-wide guard ports */
	size_t n_host_names;
	struct ipto_addr_entry *dump; /* the addresses at start; NULL: no dump op */
	size_t n_dump;

	int timerfd;
	bool started, failed, stopped;
	bool has_guards;              /* an IPv4 takeover: guard the host */
	bool is_release;              /* only UNBIND actions */
	uint64_t t0_ns;               /* when start() was called */
	size_t next_round;            /* index into rounds, then refreshes */
	uint32_t refreshes_done;
	uint64_t next_due_ns;
};

/* takeover.c: the engine */
int takeover_report(struct ipto_takeover *t, enum ipto_report_op op,
		    enum ipto_report_outcome outcome, int result, size_t port,
		    const struct ipto_addr *addr, unsigned int round,
		    unsigned int frames);
bool takeover_reclaiming(const struct ipto_takeover *t);
int takeover_fail_step(struct ipto_takeover *t, enum ipto_report_op op,
		       size_t port, const struct ipto_addr *addr, int err);
int takeover_done_step(struct ipto_takeover *t, enum ipto_report_op op,
		       struct undo *u);
uint64_t takeover_now_ns(void);

/* takeover-undo.c: the undo log */
int undo_push(struct ipto_takeover *t, const struct undo *u);
int undo_rollback(struct ipto_takeover *t);

/* takeover-addr.c: the addresses (the kernel's marks, binding, removal) */
bool addr_present(int err);
bool addr_absent(int err);
int addr_read_dump(struct ipto_takeover *t);
const struct ipto_addr_entry *addr_dump_find(const struct ipto_takeover *t,
					     int ifindex,
					     const struct ipto_addr *ip);
int addr_check_in_use(struct ipto_takeover *t);
int addr_bind(struct ipto_takeover *t);

/* takeover-note.c: the record's notes of what to restore */
enum note_field { NOTE_UP, NOTE_ARP_IGNORE, NOTE_ARP_ANNOUNCE, NOTE_PROMOTE };
#define NOTE_EMPTY ((struct link_note){ .up = -1, .arp_ignore = -1, \
					 .arp_announce = -1, .promote = -1 })
void note_format(const struct link_note *n, char *buf, size_t len);
bool note_parse(const char *s, struct link_note *n);
int note_changes(struct ipto_takeover *t, size_t p, const int old[4]);
void note_restored(struct ipto_takeover *t, size_t p, enum note_field f);
int note_change(struct ipto_takeover *t, size_t p, enum note_field f,
		int old);

/* record-repair.c: what the notes say to restore, found and restored
 * (after a release, and for orphans a crashed run left) */
struct record_orphan {
	char ifname[16];
	struct link_note restore;     /* the values to put back; -1: none */
	bool delete_link;             /* an empty macvlan a takeover created */
};
int record_orphans(struct ipto_ctx *ctx, struct ipto_binder *b,
		   const struct ipto_adapter_entry *links, size_t n_links,
		   char (*aliases)[IPTO_LINK_ALIAS_MAX],
		   const struct ipto_addr_entry *addrs, size_t n_addrs,
		   bool apply, const char *who, struct record_orphan *out);
int record_orphans_read(struct ipto_ctx *ctx, struct ipto_binder *b, bool apply,
			const char *who, struct record_orphan **ret);
void record_orphan_copy_out(struct ipto_orphan *dst, const struct record_orphan *o);

/* takeover-guard.c: the ARP guards, and their restore on release */
int guard_fix_devconf(struct ipto_takeover *t, bool guards);
void guard_restore_after_release(struct ipto_takeover *t);
int guard_add_host(struct ipto_takeover *t, bool **up);

/* takeover-links.c: the plan's macvlan links */
int links_create(struct ipto_takeover *t);
void links_delete_empty(struct ipto_takeover *t);
int links_raise(struct ipto_takeover *t, const bool *up);

/* takeover-schedule.c: the frames and the announcement schedule */
int schedule_validate(struct ipto_takeover *t,
		      const struct ipto_announce_round *rounds, size_t n);
int schedule_check_sends(struct ipto_takeover *t);
int schedule_build_frames(struct ipto_takeover *t,
			  const struct ipto_neigh_set *neighbours);
size_t schedule_rounds_left(const struct ipto_takeover *t);
void schedule_arm_timer(struct ipto_takeover *t);
void schedule_drop_released(struct ipto_takeover *t);
int schedule_send_due(struct ipto_takeover *t, uint64_t now);

#endif /* IPTO_TAKEOVER_PRIVATE_H */
