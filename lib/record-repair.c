/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the record's notes say to restore, found and put back: after a
 * release (guard_restore_after_release()), and for the orphans a run
 * left when it stopped between a change and its undo (a crash, a kill):
 * ipto_record_repair() restores them, ipto_status_new() reports them.
 * See doc/record.md, "Orphaned changes".
 *
 * A note's field is orphaned when no address of the host needs it any
 * more: "up" once its link has no taken-over address, the ARP settings
 * once the host holds no taken-over or reclaimed address at all,
 * promote_secondaries always (a release sets it only for the moment of
 * its deletions, with the lock held). An on-demand macvlan (tagged
 * ipto:STANDBY:INDEX, not :keep) that is down with no address is orphaned
 * too (a release leaves its links up and empty for the reaper).
 */
#include "takeover-private.h"
#include "record-private.h"

/* A note read, and where its key is. */
struct read_note {
	struct link_note note;
	char key[32];
	bool valid;
};

static bool link_local6(const struct ipto_addr *a)
{
	return a->family == AF_INET6 && a->bytes[0] == 0xfe &&
	       (a->bytes[1] & 0xc0) == 0x80;
}

static void describe(const struct record_orphan *o, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (o->restore.up == 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " down");
	if (o->restore.arp_ignore >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " arp_ignore=%d",
					o->restore.arp_ignore);
	if (o->restore.arp_announce >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " arp_announce=%d",
					o->restore.arp_announce);
	if (o->restore.promote >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " promote_secondaries=%d",
					o->restore.promote);
	if (o->delete_link && off < len)
		snprintf(buf + off, len - off, " deleted (a macvlan a takeover made, empty)");
}

int record_orphans(struct ipto_ctx *ctx, struct ipto_binder *b,
		   const struct ipto_adapter_entry *links, size_t n_links,
		   char (*aliases)[IPTO_LINK_ALIAS_MAX],
		   const struct ipto_addr_entry *addrs, size_t n_addrs,
		   bool apply, const char *who, struct record_orphan *out)
{
	bool record = b->ops.record_get && b->ops.record_set;
	bool host_holds = false, batch;
	struct read_note *notes = NULL;
	struct record_orphan *found = NULL;
	struct ipto_devconf_req *reqs = NULL;
	size_t *req_link = NULL;
	int *results = NULL;
	size_t i, k, n_found = 0, n_reqs = 0;

	if (n_links == 0)
		return 0;
	batch = apply && ipto_binder_fast(b, devconf_set_batch) != NULL;
	notes = calloc(n_links, sizeof(*notes));
	found = calloc(n_links, sizeof(*found));
	reqs = calloc(2 * n_links, sizeof(*reqs));
	req_link = calloc(2 * n_links, sizeof(*req_link));
	results = calloc(2 * n_links, sizeof(*results));
	if (!notes || !found || !reqs || !req_link || !results) {
		ipto_free_all(notes, found, reqs, req_link, results);
		return -ENOMEM;
	}
	for (i = 0; i < n_addrs; i++)
		host_holds |= addrs[i].proto == IPTO_ADDR_PROTO_TAKEOVER ||
			      addrs[i].proto == IPTO_ADDR_PROTO_RECLAIM;
	for (k = 0; k < n_links; k++) {
		const struct ipto_adapter_entry *l = &links[k];
		struct read_note *rn = &notes[k];
		struct record_orphan *o = &found[k];
		char value[256];
		bool busy = false, any = false;
		unsigned int flags;

		snprintf(o->ifname, sizeof(o->ifname), "%s", l->ifname);
		o->restore = NOTE_EMPTY;
		for (i = 0; i < n_addrs; i++) {
			if (addrs[i].ifindex != l->ifindex)
				continue;
			busy |= addrs[i].proto == IPTO_ADDR_PROTO_TAKEOVER;
			/* IPv6 link-local addresses come back by themselves. */
			any |= !link_local6(&addrs[i].addr);
		}
		/* A release leaves the links it made up and empty for the
		 * reaper (ipto_macvlan_reap()), and a takeover may reuse them:
		 * only a down one, made by a run that stopped before raising
		 * it, is orphaned. */
		if (aliases && !any && !l->up &&
		    ipto_macvlan_tag_parse(aliases[k], NULL, 0, NULL, &flags) == 0 &&
		    !(flags & IPTO_MACVLAN_KEEP))
			o->delete_link = true;
		snprintf(rn->key, sizeof(rn->key), "link.%s", l->ifname);
		if (record &&
		    ipto_binder_record_get(b, rn->key, value, sizeof(value)) == 0) {
			if (!note_parse(value, &rn->note) || rn->note.ifindex != l->ifindex ||
			    !ipto_mac_equal(&rn->note.mac, &l->mac)) {
				if (apply) /* stale: a note of another link */
					ipto_binder_record_set(b, rn->key, NULL);
			} else {
				rn->valid = true;
			}
		}
		if (rn->valid) {
			struct link_note *n = &rn->note;

			if (n->up == 0 && !busy)
				o->restore.up = 0;
			if (!host_holds) {
				o->restore.arp_ignore = n->arp_ignore;
				o->restore.arp_announce = n->arp_announce;
			}
			o->restore.promote = n->promote;
		}
		if (o->restore.up < 0 && o->restore.arp_ignore < 0 &&
		    o->restore.arp_announce < 0 && o->restore.promote < 0 &&
		    !o->delete_link)
			continue;
		if (out)
			out[n_found] = *o;
		n_found++;
		if (!apply)
			continue;
		if (o->restore.up == 0) {
			if (any) {
				rn->note.up = -1; /* another address serves on it: leave it up */
			} else if (!l->up) {
				rn->note.up = -1;
			} else if (ipto_binder_adapter_set_up(b, l->ifname, false) == 0) {
				log_info(ctx, "%s: %s is down again, as the takeover found "
					 "it\n", who, l->ifname);
				rn->note.up = -1;
			}
		}
		for (i = 0; i < 2; i++) {
			int *field = i == 0 ? &rn->note.arp_ignore : &rn->note.arp_announce;
			int want = i == 0 ? o->restore.arp_ignore : o->restore.arp_announce;
			enum ipto_devconf key = i == 0 ? IPTO_DEVCONF_ARP_IGNORE
						       : IPTO_DEVCONF_ARP_ANNOUNCE;

			if (want < 0)
				continue;
			if (batch) {
				reqs[n_reqs] = (struct ipto_devconf_req){
					.ifindex = l->ifindex, .ifname = l->ifname,
					.key = key, .value = want };
				req_link[n_reqs++] = k;
			} else if (ipto_binder_devconf_set(b, l->ifname, key, want) == 0) {
				*field = -1;
			}
		}
		if (o->restore.promote >= 0 &&
		    ipto_binder_devconf_set(b, l->ifname, IPTO_DEVCONF_PROMOTE_SECONDARIES,
					    o->restore.promote) == 0)
			rn->note.promote = -1;
	}
	if (n_reqs) {
		ipto_crash_point("devconf_set_batch", NULL);
		ipto_binder_fast(b, devconf_set_batch)(b, reqs, n_reqs, results);
	}
	for (i = 0; i < n_reqs; i++) {
		struct link_note *n = &notes[req_link[i]].note;

		if (results[i] != 0)
			continue; /* logged by the binder; the note keeps it */
		if (reqs[i].key == IPTO_DEVCONF_ARP_IGNORE)
			n->arp_ignore = -1;
		else
			n->arp_announce = -1;
	}
	for (k = 0; apply && k < n_links; k++) {
		struct link_note *n = &notes[k].note;
		struct record_orphan *o = &found[k];
		char value[256], what[160];

		if (notes[k].valid &&
		    (o->restore.up == 0 || o->restore.arp_ignore >= 0 ||
		     o->restore.arp_announce >= 0 || o->restore.promote >= 0)) {
			if (n->up < 0 && n->arp_ignore < 0 && n->arp_announce < 0 &&
			    n->promote < 0) {
				ipto_binder_record_set(b, notes[k].key, NULL);
			} else {
				note_format(n, value, sizeof(value));
				ipto_binder_record_set(b, notes[k].key, value);
			}
		}
		if (o->delete_link) {
			if (ipto_binder_adapter_delete(b, o->ifname) == 0 && record)
				ipto_binder_record_set(b, notes[k].key, NULL);
		}
		if (strcmp(who, "release") != 0 &&
		    (o->delete_link || o->restore.up == 0 || o->restore.arp_ignore >= 0 ||
		     o->restore.arp_announce >= 0 || o->restore.promote >= 0)) {
			describe(o, what, sizeof(what));
			log_info(ctx, "%s: %s:%s, as it was before a run that stopped "
				 "before restoring it\n", who, o->ifname, what);
		}
	}
	ipto_free_all(notes, found, reqs, req_link, results);
	return n_found > INT32_MAX ? INT32_MAX : (int)n_found;
}

static void orphan_copy_out(struct ipto_orphan *dst, const struct record_orphan *o)
{
	struct ipto_orphan e = { .sz = sizeof(e) };

	snprintf(e.ifname, sizeof(e.ifname), "%s", o->ifname);
	e.up = o->restore.up;
	e.arp_ignore = o->restore.arp_ignore;
	e.arp_announce = o->restore.arp_announce;
	e.promote_secondaries = o->restore.promote;
	e.delete_link = o->delete_link;
	ipto_sized_copy_out(dst, &e, sizeof(e));
}

/* Reads the kernel (links with their aliases where the binder can) and
 * finds, or restores, the orphans: the count, *@ret (malloc()ed, room
 * for every link) filled when not NULL. */
int record_orphans_read(struct ipto_ctx *ctx, struct ipto_binder *b, bool apply,
			const char *who, struct record_orphan **ret)
{
	struct ipto_adapter_entry *links = NULL;
	char (*aliases)[IPTO_LINK_ALIAS_MAX] = NULL;
	struct ipto_addr_entry *addrs = NULL;
	struct record_orphan *out = NULL;
	int n, na, r;

	if (ret)
		*ret = NULL;
	n = ipto_binder_adapter_dump_alloc_aliases(b, &links, &aliases);
	if (n == -EOPNOTSUPP) {
		n = ipto_binder_adapter_dump_alloc(b, &links);
		if (n > 0) {
			aliases = calloc((size_t)n, sizeof(*aliases));
			for (r = 0; aliases && r < n; r++)
				if (ipto_binder_adapter_get_alias(b, links[r].ifname, aliases[r],
								  sizeof(aliases[r])) < 0)
					aliases[r][0] = '\0';
		}
	}
	if (n < 0)
		return n;
	na = ipto_binder_addr_dump_alloc(b, 0, &addrs);
	if (na < 0) {
		ipto_free_all(links, aliases);
		return na;
	}
	if (ret && n > 0) {
		out = calloc((size_t)n, sizeof(*out));
		if (!out) {
			ipto_free_all(links, aliases, addrs);
			return -ENOMEM;
		}
	}
	r = record_orphans(ctx, b, links, (size_t)n, aliases, addrs, (size_t)na, apply,
			   who, out);
	ipto_free_all(links, aliases, addrs);
	if (r <= 0 || !ret)
		free(out);
	else
		*ret = out;
	return r;
}

IPTO_EXPORT int ipto_record_repair(struct ipto_binder *binder,
				   struct ipto_orphan *out, size_t max)
{
	struct record_orphan *found = NULL;
	size_t i;
	int r;

	if (!binder || !ipto_sized_array_ok(out, sizeof(*out), max))
		return -EINVAL;
	if (!binder->ops.adapter_dump || !binder->ops.addr_dump)
		return ipto_binder_unsupported(binder, "dumps (to find orphaned changes)");
	r = record_orphans_read(binder->ctx, binder, true, "repair", &found);
	for (i = 0; r > 0 && i < (size_t)r && i < max; i++)
		orphan_copy_out(&out[i], &found[i]);
	free(found);
	return r;
}

void record_orphan_copy_out(struct ipto_orphan *dst, const struct record_orphan *o)
{
	orphan_copy_out(dst, o);
}
