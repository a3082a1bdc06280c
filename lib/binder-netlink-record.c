/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The netlink binder's record (record_get / record_set): one small file a
 * key under /run/ipto/<inode of the binder's network namespace>/, and the
 * address marks kept there on kernels that drop IFA_PROTO.
 */
#include "binder-netlink-private.h"

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
