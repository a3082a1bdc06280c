/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The record's notes of what a takeover changed on a link (up, the ARP
 * settings), so a release restores it: their format, and noting a change.
 */
#include "takeover-private.h"

void note_format(const struct link_note *n, char *buf, size_t len)
{
	char mac[IPTO_MAC_STRLEN];
	size_t off;

	ipto_mac_format(&n->mac, mac, sizeof(mac));
	off = (size_t)snprintf(buf, len, "ifindex=%d mac=%s", n->ifindex, mac);
	if (n->up >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " up=%d", n->up);
	if (n->arp_ignore >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " arp_ignore=%d",
					n->arp_ignore);
	if (n->arp_announce >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " arp_announce=%d",
					n->arp_announce);
	if (n->promote >= 0 && off < len)
		snprintf(buf + off, len - off, " promote_secondaries=%d", n->promote);
}

bool note_parse(const char *s, struct link_note *n)
{
	char copy[256], *tok, *save = NULL;

	*n = NOTE_EMPTY;
	snprintf(copy, sizeof(copy), "%s", s);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		int v;

		if (!eq)
			return false;
		*eq++ = '\0';
		if (strcmp(tok, "mac") == 0) {
			if (ipto_mac_parse(eq, &n->mac) < 0)
				return false;
			continue;
		}
		v = atoi(eq);
		if (strcmp(tok, "ifindex") == 0)
			n->ifindex = v;
		else if (strcmp(tok, "up") == 0)
			n->up = v;
		else if (strcmp(tok, "arp_ignore") == 0)
			n->arp_ignore = v;
		else if (strcmp(tok, "arp_announce") == 0)
			n->arp_announce = v;
		else if (strcmp(tok, "promote_secondaries") == 0)
			n->promote = v;
	}
	return n->ifindex > 0;
}

/* Notes in the record the values a takeover is about to replace on port p
 * (@old, by enum note_field; < 0: not replaced), unless an earlier
 * takeover noted them already (its value is the one to restore). One read
 * and at most one write of the port's record for all of them. Undone with
 * the rest on rollback. */
int note_changes(struct ipto_takeover *t, size_t p, const int old[4])
{
	struct port *port = &t->ports[p];
	struct undo u = { .kind = UNDO_RECORD, .port = p };
	struct link_note n;
	char key[32], value[256];
	bool changed = false;
	int r, f;

	if (!t->binder->ops.record_get || !t->binder->ops.record_set)
		return 0;
	snprintf(key, sizeof(key), "link.%s", port->ifname);
	r = ipto_binder_record_get(t->binder, key, u.record, sizeof(u.record));
	if (r == 0) {
		u.had_record = true;
		if (!note_parse(u.record, &n) || n.ifindex != port->ifindex ||
		    !ipto_mac_equal(&n.mac, &port->have_mac))
			/* a note of another link that had this name */
			n = NOTE_EMPTY;
	} else if (r == -ENOENT) {
		n = NOTE_EMPTY;
	} else {
		return r;
	}
	n.ifindex = port->ifindex;
	n.mac = port->have_mac;
	for (f = NOTE_UP; f <= NOTE_PROMOTE; f++) {
		int *field = f == NOTE_UP ? &n.up : f == NOTE_ARP_IGNORE
					? &n.arp_ignore : f == NOTE_ARP_ANNOUNCE
					? &n.arp_announce : &n.promote;

		if (old[f] < 0 || (*field >= 0 && u.had_record))
			continue;
		*field = old[f];
		changed = true;
	}
	if (!changed)
		return 0;
	note_format(&n, value, sizeof(value));
	r = ipto_binder_record_set(t->binder, key, value);
	if (r < 0)
		return r;
	return undo_push(t, &u);
}

int note_change(struct ipto_takeover *t, size_t p, enum note_field f,
		int old)
{
	int olds[4] = { -1, -1, -1, -1 };

	olds[f] = old;
	return note_changes(t, p, olds);
}

/* Field @f of port p's note is back as the note says (the change was
 * undone by the run that made it): drops it from the note, and the note
 * when nothing is left. Best effort. */
void note_restored(struct ipto_takeover *t, size_t p, enum note_field f)
{
	struct port *port = &t->ports[p];
	struct link_note n;
	char key[32], value[256];

	if (!t->binder->ops.record_get || !t->binder->ops.record_set)
		return;
	snprintf(key, sizeof(key), "link.%s", port->ifname);
	if (ipto_binder_record_get(t->binder, key, value, sizeof(value)) < 0 ||
	    !note_parse(value, &n))
		return;
	if (f == NOTE_UP)
		n.up = -1;
	else if (f == NOTE_ARP_IGNORE)
		n.arp_ignore = -1;
	else if (f == NOTE_ARP_ANNOUNCE)
		n.arp_announce = -1;
	else
		n.promote = -1;
	if (n.up < 0 && n.arp_ignore < 0 && n.arp_announce < 0 && n.promote < 0) {
		ipto_binder_record_set(t->binder, key, NULL);
		return;
	}
	note_format(&n, value, sizeof(value));
	ipto_binder_record_set(t->binder, key, value);
}
