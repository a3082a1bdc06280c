/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The netlink binder's record (record_get / record_set): one small file a
 * key under /run/ipto/<inode of the binder's network namespace>/, and the
 * address marks kept there on kernels that drop IFA_PROTO.
 */
#include "binder-netlink-private.h"

#include <dirent.h>

/* The record key of a mark kept for the kernel: addr.3.192.0.2.11_24. */
void nb_record_mark_key(int ifindex, const struct ipto_addr *a, char *buf, size_t len)
{
	char text[IPTO_ADDR_STRLEN], *slash;

	ipto_addr_format(a, text, sizeof(text));
	slash = strchr(text, '/');
	if (slash)
		*slash = '_';
	snprintf(buf, len, "addr.%d.%s", ifindex, text);
}

/* After a marked address was added: on a kernel that dropped the mark,
 * keep it in the record instead. */
void nb_record_keep_mark(struct nl_binder *nb, int ifindex, const struct ipto_addr *a,
			 unsigned int proto)
{
	char key[96], value[12];

	if (!proto)
		return;
	if (nb->proto_mode == PROTO_UNKNOWN) {
		struct ipto_addr_entry e[64];
		int i, n;

		for (i = 0; i < 64; i++)
			e[i].sz = sizeof(e[i]);
		nb->proto_mode = PROTO_KERNEL;
		n = nb_addr_dump(nb, ifindex, e, 64);
		for (i = 0; i < n && i < 64; i++)
			if (ipto_addr_equal(&e[i].addr, a) &&
			    (e[i].flags & IPTO_ADDR_ENTRY_PROTO_RECORDED || !e[i].proto))
				nb->proto_mode = PROTO_RECORD;
		if (getenv("IPTO_TEST_NO_IFA_PROTO"))
			nb->proto_mode = PROTO_RECORD;
		if (nb->proto_mode == PROTO_RECORD)
			log_info(nb->ctx, "netlink: the kernel keeps no address protocol "
				 "(IFA_PROTO, Linux 6.3+): marks go to %s\n", nb->record_dir);
	}
	if (nb->proto_mode != PROTO_RECORD)
		return;
	nb_record_mark_key(ifindex, a, key, sizeof(key));
	snprintf(value, sizeof(value), "%u", proto);
	if (nb_record_set(nb, key, value) < 0)
		log_err(nb->ctx, "netlink: cannot keep the mark of an address in %s\n",
			nb->record_dir);
}

/*
 * The record: one small file per key under RECORD_ROOT/<inode of the
 * binder's network namespace>/, so it belongs to the namespace and any
 * process of the host finds it; /run is a tmpfs, so it goes with a reboot,
 * as the addresses do.
 */
static int record_path(struct nl_binder *nb, const char *key, char *buf,
		       size_t len)
{
	if (!nb->record_dir[0])
		return -EOPNOTSUPP;
	if ((size_t)snprintf(buf, len, "%s/%s", nb->record_dir, key) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int nb_record_get(struct nl_binder *nb, const char *key, char *buf,
		  size_t len)
{
	char path[160];
	FILE *f;
	size_t n;
	int r = record_path(nb, key, path, sizeof(path));

	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len, f);
	fclose(f);
	if (n >= len)
		return -ENOSPC;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int nb_record_get_op(struct ipto_binder *binder, const char *key, char *buf,
		     size_t len)
{
	return nb_record_get(ipto_binder_get_userdata(binder), key, buf, len);
}

int nb_record_set(struct nl_binder *nb, const char *key, const char *value)
{
	char path[160], tmp[176];
	FILE *f;
	int r = record_path(nb, key, path, sizeof(path));

	if (r < 0)
		return r;
	if (!value) {
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	f = fopen(tmp, "we");
	if (!f && errno == ENOENT) {
		/* the first write of this namespace (or since a reboot) */
		if (mkdir(RECORD_ROOT, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (mkdir(nb->record_dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		f = fopen(tmp, "we");
	}
	if (!f)
		return -errno;
	fprintf(f, "%s\n", value);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

int nb_record_set_op(struct ipto_binder *binder, const char *key, const char *value)
{
	return nb_record_set(ipto_binder_get_userdata(binder), key, value);
}

/* ------------------------------------------------------------------ */
/* Tidying: entries of addresses and links that are gone               */
/* ------------------------------------------------------------------ */

/* A whole dump of links or addresses (*@ret malloc()ed), or -errno. */
static int dump_all(struct nl_binder *nb, bool links, void **ret)
{
	size_t elem = links ? sizeof(struct ipto_adapter_entry)
			    : sizeof(struct ipto_addr_entry);
	size_t room = 64, i;
	char *out;
	int n;

	for (;;) {
		out = calloc(room, elem);
		if (!out)
			return -ENOMEM;
		for (i = 0; i < room; i++)
			memcpy(out + i * elem, &elem, sizeof(elem));
		n = links ? nb_link_dump(nb, (void *)out, room)
			  : nb_addr_dump(nb, 0, (void *)out, room);
		if (n >= 0 && (size_t)n <= room)
			break;
		free(out);
		if (n < 0)
			return n;
		room = (size_t)n + 16; /* it grew meanwhile */
	}
	*ret = out;
	return n;
}

/* Whether the note @value (ifindex=N mac=M ...) is of link @l. */
static bool note_is_of(const char *value, const struct ipto_adapter_entry *l)
{
	char mac[IPTO_MAC_STRLEN + 1];
	struct ipto_mac m;
	int ifindex;

	if (sscanf(value, "ifindex=%d mac=%18s", &ifindex, mac) != 2 ||
	    ipto_mac_parse(mac, &m) < 0)
		return true; /* not a note this can judge: kept */
	return ifindex == l->ifindex && ipto_mac_equal(&m, &l->mac);
}

/*
 * Called by the first address dump under each hold of the host lock (so
 * no other run writes meanwhile): removes the record's entries whose
 * address or link is gone, on every kernel:
 * - addr.IFINDEX.ADDR_PREFIX marks (kernels before 6.3) of an address the
 *   kernel no longer has on that interface, or left by a writer that died
 *   before its rename (KEY.PID);
 * - link.IFNAME notes of a link that no longer exists, or of another link
 *   that has its name now (another index or MAC).
 * Other entries are left as they are. Best effort: a failure to read the
 * kernel leaves the record as it is.
 */
void nb_record_prune(struct nl_binder *nb)
{
	struct ipto_adapter_entry *links = NULL;
	struct ipto_addr_entry *addrs = NULL;
	char (*keys)[96] = NULL;
	struct dirent *de;
	DIR *dir;
	int nl, na, i;

	if (!nb->record_dir[0])
		return;
	dir = opendir(nb->record_dir);
	if (!dir)
		return;
	nl = dump_all(nb, true, (void **)&links);
	na = nl < 0 ? nl : dump_all(nb, false, (void **)&addrs);
	if (na >= 0 && na > 0)
		keys = calloc((size_t)na, sizeof(*keys));
	if (nl < 0 || na < 0 || (na > 0 && !keys)) {
		closedir(dir);
		free(links);
		free(addrs);
		return;
	}
	for (i = 0; i < na; i++)
		nb_record_mark_key(addrs[i].ifindex, &addrs[i].addr, keys[i],
				   sizeof(keys[i]));
	while ((de = readdir(dir))) {
		const char *name = de->d_name, *why = NULL;
		char value[256];

		if (strncmp(name, "addr.", 5) == 0) {
			for (i = 0; i < na && strcmp(keys[i], name) != 0; i++)
				;
			if (i == na)
				why = "its address is gone";
		} else if (strncmp(name, "link.", 5) == 0) {
			for (i = 0; i < nl && strcmp(links[i].ifname, name + 5) != 0; i++)
				;
			if (i == nl)
				why = "its link is gone";
			else if (nb_record_get(nb, name, value, sizeof(value)) == 0 &&
				 !note_is_of(value, &links[i]))
				why = "another link has its name now";
		}
		if (!why)
			continue;
		if (nb_record_set(nb, name, NULL) == 0)
			log_info(nb->ctx, "netlink: record %s/%s removed: %s\n",
				 nb->record_dir, name, why);
	}
	closedir(dir);
	free(keys);
	free(links);
	free(addrs);
}
