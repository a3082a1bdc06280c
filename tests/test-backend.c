/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Backends through the public API: the generic binder and injector
 * (argument checks, ops-table sizing, NULL ops), a caller-supplied
 * fault-injecting backend, and the dry-run pair (kernel-like model, call
 * log, fault injection, frame capture). No privileges, no network.
 */
#include "test-common.h"

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------ */
/* A caller-supplied backend that counts calls and can fail them        */
/* ------------------------------------------------------------------ */

struct fake {
	int calls; /* every op */
	int destroyed;
	int fail; /* when non-zero, every op returns it */
	struct ipto_addr last_addr;
	unsigned int last_flags;
	const char *last_ifname;
	const void *last_obj; /* the object the last op received */
	struct ipto_addr listed[3];
	int nlisted;
	int link_ifindex; /* what adapter_get reports */
	int batch_result; /* what send_batch returns; 0 = n */
	int sends;
	int fail_send_at; /* 1-based send that fails, 0 = none */
	int closed;
};

static int fake_addr_add(struct ipto_binder *binder, const char *ifname,
			 const struct ipto_addr *a, unsigned int flags)
{
	struct fake *f = ipto_binder_get_userdata(binder);

	f->calls++;
	f->last_obj = binder;
	f->last_ifname = ifname;
	f->last_addr = *a;
	f->last_flags = flags;
	return f->fail;
}

static int fake_addr_del(struct ipto_binder *binder, const char *ifname,
			 const struct ipto_addr *a)
{
	struct fake *f = ipto_binder_get_userdata(binder);

	f->calls++;
	f->last_addr = *a;
	return f->fail;
}

static int fake_addr_list(struct ipto_binder *binder, const char *ifname, struct ipto_addr *out,
			  size_t max)
{
	struct fake *f = ipto_binder_get_userdata(binder);
	int i;

	f->calls++;
	if (f->fail)
		return f->fail;
	for (i = 0; i < f->nlisted && (size_t)i < max; i++)
		out[i] = f->listed[i];
	return f->nlisted;
}

static int fake_link_get(struct ipto_binder *binder, const char *ifname,
			 struct ipto_adapter_info *info)
{
	struct fake *f = ipto_binder_get_userdata(binder);

	f->calls++;
	if (f->fail)
		return f->fail;
	ck_assert_uint_eq(info->sz, sizeof(*info));
	info->ifindex = f->link_ifindex;
	info->mac = test_mac("02:00:5e:00:53:07");
	info->up = true;
	info->mtu = 9000;
	info->carrier = true;
	return 0;
}

static int fake_devconf_get(struct ipto_binder *binder, const char *ifname,
			    enum ipto_devconf key, int *value)
{
	struct fake *f = ipto_binder_get_userdata(binder);

	f->calls++;
	*value = 7;
	return f->fail;
}

static void fake_destroy(struct ipto_binder *binder)
{
	((struct fake *)ipto_binder_get_userdata(binder))->destroyed++;
}

static void fk_destroy(struct ipto_injector *injector)
{
	((struct fake *)ipto_injector_get_userdata(injector))->destroyed++;
}

static const struct ipto_binder_ops fake_binder_ops = {
	.sz = sizeof(struct ipto_binder_ops),
	.addr_add = fake_addr_add,
	.addr_del = fake_addr_del,
	.addr_list = fake_addr_list,
	.adapter_get = fake_link_get,
	.adapter_set_up = NULL, /* unsupported */
	.devconf_get = fake_devconf_get,
	.devconf_set = NULL,
	.destroy = fake_destroy,
};

static struct ipto_binder *fake_binder(struct ipto_ctx *ctx, struct fake *f)
{
	struct ipto_binder *b = NULL;

	memset(f, 0, sizeof(*f));
	f->link_ifindex = 4;
	ck_assert_int_eq(ipto_binder_new(ctx, &fake_binder_ops, f, &b), 0);
	ck_assert_ptr_nonnull(b);
	return b;
}

START_TEST(binder_new_checks)
{
	TEST_CTX(ctx, log);
	struct ipto_binder *b = (struct ipto_binder *)0x1;
	struct fake f = { 0 };
	struct {
		struct ipto_binder_ops ops;
		void *future;
	} big = { fake_binder_ops, NULL };
	struct ipto_binder_ops ops = fake_binder_ops;

	ck_assert_int_eq(ipto_binder_new(NULL, &ops, &f, &b), -EINVAL);
	ck_assert_int_eq(ipto_binder_new(ctx, NULL, &f, &b), -EINVAL);
	ck_assert_int_eq(ipto_binder_new(ctx, &ops, &f, NULL), -EINVAL);
	ops.sz = 0;
	ck_assert_int_eq(ipto_binder_new(ctx, &ops, &f, &b), -EINVAL);
	ops.sz = sizeof(size_t) + 3; /* cuts a pointer in two */
	ck_assert_int_eq(ipto_binder_new(ctx, &ops, &f, &b), -EINVAL);
	ck_assert_ptr_eq(b, (struct ipto_binder *)0x1);
	ck_assert_int_gt(log.count, 0);

	/* A newer, larger table: fine with a zero tail, not otherwise. */
	big.ops.sz = sizeof(big);
	ck_assert_int_eq(ipto_binder_new(ctx, &big.ops, &f, &b), 0);
	ipto_binder_unref(b);
	ck_assert_int_eq(f.destroyed, 1);
	big.future = &f;
	b = (struct ipto_binder *)0x1;
	ck_assert_int_eq(ipto_binder_new(ctx, &big.ops, &f, &b), -EINVAL);
	ck_assert_ptr_eq(b, (struct ipto_binder *)0x1);
	ck_assert_int_eq(f.destroyed, 1); /* failed new: no destroy */

	ck_assert_ptr_null(ipto_binder_unref(NULL));
	ck_assert_ptr_null(ipto_binder_ref(NULL));
	ck_assert_ptr_null(ipto_binder_get_ctx(NULL));
}
END_TEST

START_TEST(binder_old_table_size)
{
	/* An older caller's table ends after addr_del: the members past its
	 * sz are never called, even though memory there is not NULL. */
	TEST_CTX(ctx, log);
	struct ipto_binder *b = NULL;
	struct ipto_binder_ops ops = fake_binder_ops;
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	struct ipto_addr a = test_addr("192.0.2.1/24");
	struct fake f = { 0 };
	int v;

	ops.sz = offsetof(struct ipto_binder_ops, addr_list);
	ck_assert_int_eq(ipto_binder_new(ctx, &ops, &f, &b), 0);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &a, 0), 0);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_int_eq(ipto_binder_addr_list(b, "eth0", NULL, 0),
			 -EOPNOTSUPP);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth0", &info), -EOPNOTSUPP);
	ck_assert_int_eq(ipto_binder_devconf_get(b, "eth0",
						 IPTO_DEVCONF_ARP_IGNORE, &v),
			 -EOPNOTSUPP);
	ck_assert_log(&log, "does not support");
	ck_assert_int_eq(f.calls, 1);
	ipto_binder_unref(b);
	ck_assert_int_eq(f.destroyed, 0); /* destroy was past sz too */
}
END_TEST

START_TEST(binder_refcount)
{
	TEST_CTX(ctx, log);
	struct fake f;
	struct ipto_binder *b = fake_binder(ctx, &f);

	ck_assert_ptr_eq(ipto_binder_get_ctx(b), ctx);
	ck_assert_ptr_eq(ipto_binder_ref(b), b);
	ck_assert_ptr_null(ipto_binder_unref(b));
	ck_assert_int_eq(f.destroyed, 0);
	ck_assert_ptr_null(ipto_binder_unref(b));
	ck_assert_int_eq(f.destroyed, 1);
}
END_TEST

START_TEST(binder_rejects_bad_input)
{
	TEST_CTX(ctx, log);
	struct fake f;
	struct ipto_binder *b = fake_binder(ctx, &f);
	struct ipto_addr a = test_addr("192.0.2.1/24"), bad = a;
	struct ipto_adapter_info info = { .sz = 4 };
	struct ipto_addr out[2];
	int v = 42;

	ck_assert_int_eq(ipto_binder_addr_add(NULL, "eth0", &a, 0), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_add(b, NULL, &a, 0), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_add(b, "", &a, 0), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_add(b, "0123456789abcdef", &a, 0),
			 -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_add(b, "a/b", &a, 0), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", NULL, 0), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &a, 1u << 5),
			 -EINVAL);
	bad.family = 12345;
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &bad, 0), -EINVAL);
	bad = a;
	bad.prefixlen = 33;
	ck_assert_int_eq(ipto_binder_addr_del(b, "eth0", &bad), -EINVAL);
	bad = test_addr("224.0.0.1/4");
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &bad, 0), -EINVAL);
	bad = test_addr("192.0.2.255/24"); /* the subnet's broadcast address */
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &bad, 0), -EINVAL);
	ck_assert_log(&log, "not a unicast");
	ck_assert_int_eq(ipto_binder_addr_list(b, "eth0", NULL, 2), -EINVAL);
	ck_assert_int_eq(ipto_binder_addr_list(b, NULL, out, 2), -EINVAL);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth0", NULL), -EINVAL);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth0", &info), -EINVAL);
	ck_assert_int_eq(ipto_binder_devconf_get(b, "eth0", 0, &v), -EINVAL);
	ck_assert_int_eq(ipto_binder_devconf_get(b, "eth0", 5, &v), -EINVAL);
	ck_assert_int_eq(ipto_binder_devconf_get(b, "eth0",
						 IPTO_DEVCONF_ARP_IGNORE,
						 NULL),
			 -EINVAL);
	ck_assert_int_eq(ipto_binder_devconf_set(b, "eth0",
						 IPTO_DEVCONF_ARP_IGNORE, 9),
			 -EINVAL);
	ck_assert_int_eq(ipto_binder_devconf_set(b, "eth0",
						 IPTO_DEVCONF_ARP_ANNOUNCE, 3),
			 -EINVAL);
	ck_assert_int_eq(ipto_binder_devconf_set(b, "eth0",
						 IPTO_DEVCONF_ARP_FILTER, -1),
			 -EINVAL);
	ck_assert_log(&log, "arp_filter must be 0..1");
	ck_assert_int_eq(v, 42);
	/* None of that reached the backend. */
	ck_assert_int_eq(f.calls, 0);
	ipto_binder_unref(b);
}
END_TEST

START_TEST(binder_passes_through)
{
	TEST_CTX(ctx, log);
	struct fake f;
	struct ipto_binder *b = fake_binder(ctx, &f);
	struct ipto_addr a = test_addr("192.0.2.1"), a6 = test_addr("2001:db8::1");
	struct ipto_addr out[2];
	int v = 0;

	/* No prefix: a host prefix. */
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &a, 0), 0);
	ck_assert_int_eq(f.last_addr.prefixlen, 32);
	ck_assert_str_eq(f.last_ifname, "eth0");
	ck_assert_ptr_eq(f.last_obj, b); /* each op receives its binder */
	ck_assert_ptr_eq(ipto_binder_get_userdata(b), &f);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &a6,
					      IPTO_BIND_NODAD),
			 0);
	ck_assert_int_eq(f.last_addr.prefixlen, 128);
	ck_assert_uint_eq(f.last_flags, IPTO_BIND_NODAD);

	/* Delete without prefix: looked up through addr_list. */
	f.listed[0] = test_addr("198.51.100.7/25");
	f.listed[1] = test_addr("192.0.2.1/27");
	f.nlisted = 2;
	ck_assert_int_eq(ipto_binder_addr_del(b, "eth0", &a), 0);
	ck_assert_int_eq(f.last_addr.prefixlen, 27);
	ck_assert_int_eq(ipto_binder_addr_del(b, "eth0", &a6),
			 -EADDRNOTAVAIL);

	/* addr_list: the total count, at most max written. */
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(ipto_binder_addr_list(b, "eth0", NULL, 0), 2);
	ck_assert_int_eq(ipto_binder_addr_list(b, "eth0", out, 1), 2);
	ck_assert(ipto_addr_equal(&out[0], &f.listed[0]));
	ck_assert_int_eq(out[1].family, 0);

	ck_assert_int_eq(ipto_binder_devconf_get(b, "eth0",
						 IPTO_DEVCONF_ARP_FILTER, &v),
			 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(ipto_binder_adapter_set_up(b, "eth0", true),
			 -EOPNOTSUPP);
	ck_assert_int_eq(ipto_binder_devconf_set(b, "eth0",
						 IPTO_DEVCONF_ARP_FILTER, 1),
			 -EOPNOTSUPP);

	/* A failing backend: its errno comes back, explained in the log. */
	f.fail = -EBUSY;
	log.count = 0;
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &a, 0), -EBUSY);
	ck_assert_int_ge(log.count, 1);
	ck_assert_log(&log, "addr_add eth0 192.0.2.1/32");
	ck_assert_log(&log, "busy");
	v = 3;
	ck_assert_int_eq(ipto_binder_devconf_get(b, "eth0",
						 IPTO_DEVCONF_ARP_FILTER, &v),
			 -EBUSY);
	ck_assert_int_eq(v, 3); /* not written on failure */
	ipto_binder_unref(b);
}
END_TEST

START_TEST(binder_link_info_sizes)
{
	TEST_CTX(ctx, log);
	struct fake f;
	struct ipto_binder *b = fake_binder(ctx, &f);
	struct ipto_adapter_info info;
	struct {
		struct ipto_adapter_info info;
		unsigned char future[16];
	} big;
	size_t i;

	/* An old caller's struct that ends after mac: up and later untouched */
	memset(&info, 0xaa, sizeof(info));
	info.sz = offsetof(struct ipto_adapter_info, up);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth0", &info), 0);
	ck_assert_uint_eq(info.sz, offsetof(struct ipto_adapter_info, up));
	ck_assert_int_eq(info.ifindex, 4);
	ck_assert(ipto_mac_equal(&info.mac, &(struct ipto_mac){
				 { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x07 } }));
	ck_assert_uint_eq(info.mtu, 0xaaaaaaaau);

	/* A newer caller's larger struct: its unknown tail is zeroed. */
	memset(&big, 0xaa, sizeof(big));
	big.info.sz = sizeof(big);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth0", &big.info), 0);
	ck_assert_uint_eq(big.info.mtu, 9000);
	ck_assert(big.info.up && big.info.carrier);
	for (i = 0; i < sizeof(big.future); i++)
		ck_assert_uint_eq(big.future[i], 0);

	/* A backend that reports no ifindex is a backend bug: -EIO. */
	f.link_ifindex = 0;
	memset(&info, 0, sizeof(info));
	info.sz = sizeof(info);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth0", &info), -EIO);
	ck_assert_int_eq(info.ifindex, 0);
	ipto_binder_unref(b);
}
END_TEST

START_TEST(binder_netlink_exists)
{
	TEST_CTX(ctx, log);
	struct ipto_binder *b = NULL;
	int r;

	ck_assert_int_eq(ipto_binder_new_netlink(ctx, NULL), -EINVAL);
	r = ipto_binder_new_netlink(ctx, &b);
	if (r == -EOPNOTSUPP) {
		ck_assert_ptr_null(b);
		ck_assert_log(&log, "without libnl");
	} else {
		struct ipto_adapter_info info = { .sz = sizeof(info) };

		ck_assert_int_eq(r, 0);
		/* Reading needs no privilege; a missing link is -ENODEV. */
		ck_assert_int_eq(ipto_binder_adapter_get(b, "iptobe-nosuch0",
						      &info),
				 -ENODEV);
		ck_assert_int_eq(ipto_binder_adapter_get(b, "lo", &info), 0);
		ck_assert_int_gt(info.ifindex, 0);
		ck_assert(info.up);
		ipto_binder_unref(b);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Dry-run binder                                                      */
/* ------------------------------------------------------------------ */

static struct ipto_binder *dryrun(struct ipto_ctx *ctx)
{
	struct ipto_binder *b = NULL;
	struct ipto_mac m1 = test_mac("02:00:5e:00:53:01");

	ck_assert_int_eq(ipto_binder_new_dryrun(ctx, &b), 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(b, "eth1", &m1, false),
			 0);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(b, "eth0", NULL, true),
			 0);
	return b;
}

static char *dump(struct ipto_binder *b)
{
	char *s = test_dump(b);

	ck_assert_ptr_nonnull(s);
	return s;
}

static const char *call_text(struct ipto_binder *b, size_t i, int *result)
{
	const char *t = NULL;

	ck_assert_int_eq(ipto_binder_dryrun_get_call(b, i, &t, result), 0);
	return t;
}

START_TEST(dryrun_model)
{
	TEST_CTX(ctx, log);
	struct ipto_binder *b = dryrun(ctx);
	struct ipto_addr a = test_addr("192.0.2.1/24"), a25 = test_addr("192.0.2.1/25");
	struct ipto_addr a6 = test_addr("2001:db8::1/64"), a6b = test_addr("2001:db8::1/80");
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	struct ipto_addr out[4];
	char *s;
	int v = -1;

	s = dump(b);
	ck_assert_str_eq(s,
		"link eth0 ifindex 2 mac 00:00:00:00:00:00 up mtu 1500 carrier\n"
		"devconf eth0 arp_announce 0\n"
		"devconf eth0 arp_filter 0\n"
		"devconf eth0 arp_ignore 0\n"
		"link eth1 ifindex 1 mac 02:00:5e:00:53:01 down mtu 1500\n"
		"devconf eth1 arp_announce 0\n"
		"devconf eth1 arp_filter 0\n"
		"devconf eth1 arp_ignore 0\n");
	free(s);

	/* Unknown interfaces. */
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth9", &a, 0), -ENODEV);
	ck_assert_int_eq(ipto_binder_addr_del(b, "eth9", &a), -ENODEV);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth9", &info), -ENODEV);
	ck_assert_int_eq(ipto_binder_adapter_set_up(b, "eth9", true), -ENODEV);
	ck_assert_int_eq(ipto_binder_devconf_set(b, "eth9",
						 IPTO_DEVCONF_ARP_IGNORE, 1),
			 -ENODEV);

	/* Addresses as the kernel has them. */
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &a, 0), 0);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &a, 0), -EEXIST);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &a25, 0), 0);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth0", &a, 0), 0);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &a6,
					      IPTO_BIND_NODAD), 0);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &a6b, 0), -EEXIST);
	ck_assert_int_eq(ipto_binder_addr_del(b, "eth1", &a6b),
			 -EADDRNOTAVAIL);
	ck_assert_int_eq(ipto_binder_addr_list(b, "eth1", out, 4), 3);
	ck_assert_int_eq(ipto_binder_addr_del(b, "eth1", &a25), 0);
	ck_assert_int_eq(ipto_binder_addr_del(b, "eth1", &a25),
			 -EADDRNOTAVAIL);
	ck_assert_int_eq(ipto_binder_addr_list(b, "eth1", out, 4), 2);
	ck_assert(ipto_addr_equal(&out[0], &a) && out[0].prefixlen == 24);
	ck_assert(ipto_addr_equal(&out[1], &a6) && out[1].prefixlen == 64);

	/* Links and devconf. */
	ck_assert_int_eq(ipto_binder_adapter_set_up(b, "eth1", true), 0);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth1", &info), 0);
	ck_assert_int_eq(info.ifindex, 1);
	ck_assert(info.up && info.carrier);
	ck_assert_uint_eq(info.mtu, 1500);
	ck_assert_int_eq(ipto_binder_devconf_get(b, "eth1",
						 IPTO_DEVCONF_ARP_IGNORE, &v),
			 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(ipto_binder_devconf_set(b, "eth1",
						 IPTO_DEVCONF_ARP_IGNORE, 1),
			 0);
	ck_assert_int_eq(ipto_binder_devconf_set(b, "eth1",
						 IPTO_DEVCONF_ARP_ANNOUNCE, 2),
			 0);
	ck_assert_int_eq(ipto_binder_devconf_get(b, "eth1",
						 IPTO_DEVCONF_ARP_IGNORE, &v),
			 0);
	ck_assert_int_eq(v, 1);

	s = dump(b);
	ck_assert_str_eq(s,
		"link eth0 ifindex 2 mac 00:00:00:00:00:00 up mtu 1500 carrier\n"
		"addr eth0 192.0.2.1/24\n"
		"devconf eth0 arp_announce 0\n"
		"devconf eth0 arp_filter 0\n"
		"devconf eth0 arp_ignore 0\n"
		"link eth1 ifindex 1 mac 02:00:5e:00:53:01 up mtu 1500 carrier\n"
		"addr eth1 192.0.2.1/24\n"
		"addr eth1 2001:db8::1/64\n"
		"devconf eth1 arp_announce 2\n"
		"devconf eth1 arp_filter 0\n"
		"devconf eth1 arp_ignore 1\n");
	free(s);

	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(b, "eth1", NULL, true),
			 -EEXIST);
	ck_assert_int_eq(ipto_binder_dryrun_add_adapter(b, "", NULL, true),
			 -EINVAL);
	ipto_binder_unref(b);
}
END_TEST

START_TEST(dryrun_call_log)
{
	TEST_CTX(ctx, log);
	struct ipto_binder *b = dryrun(ctx);
	struct ipto_addr a = test_addr("192.0.2.1/24"), a6 = test_addr("2001:db8::5/64");
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	const char *t;
	int v, res = 1;

	ck_assert_uint_eq(ipto_binder_dryrun_get_call_count(b), 0);
	ipto_binder_addr_add(b, "eth1", &a, 0);
	ipto_binder_addr_add(b, "eth1", &a6, IPTO_BIND_NODAD);
	ipto_binder_addr_add(b, "eth1", &a, 0);
	ipto_binder_adapter_set_up(b, "eth1", true);
	ipto_binder_adapter_get(b, "eth1", &info);
	ipto_binder_devconf_get(b, "eth1", IPTO_DEVCONF_ARP_FILTER, &v);
	ipto_binder_devconf_set(b, "eth1", IPTO_DEVCONF_ARP_IGNORE, 1);
	ipto_binder_addr_del(b, "eth1", &(struct ipto_addr){
		.family = AF_INET, .prefixlen = IPTO_PREFIX_UNKNOWN,
		.bytes = { 192, 0, 2, 1 } });
	ck_assert_uint_eq(ipto_binder_dryrun_get_call_count(b), 9);
	ck_assert_str_eq(call_text(b, 0, &res), "addr_add eth1 192.0.2.1/24");
	ck_assert_int_eq(res, 0);
	ck_assert_str_eq(call_text(b, 1, NULL),
			 "addr_add eth1 2001:db8::5/64 nodad");
	ck_assert_str_eq(call_text(b, 2, &res), "addr_add eth1 192.0.2.1/24");
	ck_assert_int_eq(res, -EEXIST);
	ck_assert_str_eq(call_text(b, 3, NULL), "adapter_set_up eth1 up");
	ck_assert_str_eq(call_text(b, 4, NULL), "adapter_get eth1");
	ck_assert_str_eq(call_text(b, 5, NULL), "devconf_get eth1 arp_filter");
	ck_assert_str_eq(call_text(b, 6, NULL),
			 "devconf_set eth1 arp_ignore 1");
	/* the prefix lookup shows as a call of its own */
	ck_assert_str_eq(call_text(b, 7, NULL), "addr_list eth1");
	ck_assert_str_eq(call_text(b, 8, &res), "addr_del eth1 192.0.2.1/24");
	ck_assert_int_eq(res, 0);
	t = (const char *)0x1;
	ck_assert_int_eq(ipto_binder_dryrun_get_call(b, 9, &t, &res), -ERANGE);
	ck_assert_ptr_eq(t, (const char *)0x1);

	ck_assert_int_eq(ipto_binder_dryrun_clear_calls(b), 0);
	ck_assert_uint_eq(ipto_binder_dryrun_get_call_count(b), 0);
	/* A taken IPv6 address goes in deprecated (preferred lifetime 0)
	 * unless IPTO_BIND_PREFERRED; IPv4 and a reclaim never do. */
	{
		struct ipto_addr t6 = test_addr("2001:db8::6/64"), t7 = test_addr("2001:db8::7/64");
		struct ipto_addr r6 = test_addr("2001:db8::8/64"), t4 = test_addr("192.0.2.9/24");

		ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &t6,
						      IPTO_BIND_NODAD | IPTO_BIND_TAKEOVER), 0);
		ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &t7, IPTO_BIND_TAKEOVER |
						      IPTO_BIND_PREFERRED), 0);
		ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &r6, IPTO_BIND_RECLAIM), 0);
		ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &t4, IPTO_BIND_TAKEOVER), 0);
		ck_assert_str_eq(call_text(b, 0, NULL),
				 "addr_add eth1 2001:db8::6/64 nodad takeover deprecated");
		ck_assert_str_eq(call_text(b, 1, NULL), "addr_add eth1 2001:db8::7/64 takeover");
		ck_assert_str_eq(call_text(b, 2, NULL), "addr_add eth1 2001:db8::8/64 reclaim");
		ck_assert_str_eq(call_text(b, 3, NULL), "addr_add eth1 192.0.2.9/24 takeover");
		ck_assert_str_eq(ipto_bind_flags_name(IPTO_BIND_PREFERRED), "preferred");
	}
	ipto_binder_unref(b);
}
END_TEST

START_TEST(dryrun_faults)
{
	TEST_CTX(ctx, log);
	struct ipto_binder *b = dryrun(ctx);
	struct ipto_addr a = test_addr("192.0.2.1/24"), c = test_addr("192.0.2.2/24");
	struct ipto_adapter_info info = { .sz = sizeof(info) };
	char *before, *after;
	int res;

	ck_assert_int_eq(ipto_binder_dryrun_set_fault(b, 1u << 14, 1, -EIO),
			 -EINVAL);
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(b, IPTO_BINDER_OP_ALL,
						      1, EIO),
			 -EINVAL);

	/* The 2nd mutating call fails; reads do not count. */
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(
				 b, IPTO_BINDER_OP_MUTATING, 2, -ENOBUFS),
			 0);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &a, 0), 0);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth1", &info), 0);
	before = dump(b);
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &c, 0), -ENOBUFS);
	after = dump(b);
	ck_assert_str_eq(before, after); /* a failed call changes nothing */
	free(after);
	ck_assert_str_eq(call_text(b, 2, &res), "addr_add eth1 192.0.2.2/24");
	ck_assert_int_eq(res, -ENOBUFS);
	/* spent: the same call works now */
	ck_assert_int_eq(ipto_binder_addr_add(b, "eth1", &c, 0), 0);

	/* Every matching call, until cleared; others unaffected. */
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(
				 b, IPTO_BINDER_OP_ADAPTER_GET, 0, -EPERM),
			 0);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth1", &info), -EPERM);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth0", &info), -EPERM);
	ck_assert_int_eq(ipto_binder_addr_del(b, "eth1", &c), 0);
	ck_assert_int_eq(ipto_binder_dryrun_set_fault(b, 0, 0, 0), 0);
	ck_assert_int_eq(ipto_binder_adapter_get(b, "eth1", &info), 0);
	free(before);

	/* Dry-run calls on another kind of binder. */
	{
		struct fake f;
		struct ipto_binder *o = fake_binder(ctx, &f);
		char *s = NULL;

		ck_assert_int_eq(ipto_binder_dryrun_set_fault(o, 1, 1, -EIO),
				 -EINVAL);
		ck_assert_int_eq(ipto_binder_dryrun_dump(o, &s), -EINVAL);
		ck_assert_ptr_null(s);
		ck_assert_int_eq(ipto_binder_dryrun_add_adapter(o, "x", NULL,
							     true),
				 -EINVAL);
		ck_assert_uint_eq(ipto_binder_dryrun_get_call_count(o), 0);
		ck_assert_log(&log, "not a dry-run");
		ipto_binder_unref(o);
	}
	ipto_binder_unref(b);
}
END_TEST

/*
 * What the takeover engine does with a binder, in miniature: prepare
 * devconf, bind three IPs on three adapters, bring them up; undo in
 * reverse on the first failure. Returns 0 or the first error.
 */
static int mini_takeover(struct ipto_binder *b)
{
	static const char *ifs[] = { "eth0", "eth1", "eth2" };
	static const char *ips[] = { "192.0.2.10/24", "192.0.2.11/24",
				     "198.51.100.12/24" };
	int done = 0, r = 0, i;

	for (i = 0; i < 3; i++) {
		struct ipto_addr a = test_addr(ips[i]);

		r = ipto_binder_devconf_set(b, ifs[i],
					    IPTO_DEVCONF_ARP_IGNORE, 1);
		if (r < 0)
			break;
		done++;
		r = ipto_binder_addr_add(b, ifs[i], &a, 0);
		if (r < 0)
			break;
		done++;
		r = ipto_binder_adapter_set_up(b, ifs[i], true);
		if (r < 0)
			break;
		done++;
	}
	if (r == 0)
		return 0;
	/* roll back what succeeded, newest first (these must not fail) */
	while (done-- > 0) {
		int step = done % 3, n = done / 3;
		struct ipto_addr a = test_addr(ips[n]);

		if (step == 2)
			ck_assert_int_eq(ipto_binder_adapter_set_up(b, ifs[n],
								 false), 0);
		else if (step == 1)
			ck_assert_int_eq(ipto_binder_addr_del(b, ifs[n], &a),
					 0);
		else
			ck_assert_int_eq(ipto_binder_devconf_set(
					 b, ifs[n], IPTO_DEVCONF_ARP_IGNORE,
					 0), 0);
	}
	return r;
}

START_TEST(dryrun_fail_every_call)
{
	TEST_CTX(ctx, log);
	struct ipto_binder *b = NULL;
	char *initial, *s;
	unsigned int k;
	int r;

	ck_assert_int_eq(ipto_binder_new_dryrun(ctx, &b), 0);
	ipto_binder_dryrun_add_adapter(b, "eth0", NULL, false);
	ipto_binder_dryrun_add_adapter(b, "eth1", NULL, false);
	ipto_binder_dryrun_add_adapter(b, "eth2", NULL, false);
	initial = dump(b);
	for (k = 1;; k++) {
		ck_assert_int_eq(ipto_binder_dryrun_set_fault(
					 b, IPTO_BINDER_OP_MUTATING, k,
					 -EIO), 0);
		r = mini_takeover(b);
		ck_assert_int_eq(ipto_binder_dryrun_set_fault(b, 0, 0, 0), 0);
		if (r == 0)
			break;
		ck_assert_int_eq(r, -EIO);
		s = dump(b);
		ck_assert_str_eq(s, initial); /* rolled back completely */
		free(s);
		ck_assert_uint_lt(k, 100);
	}
	/* 9 mutating calls: faults 1..9 failed, the 10th found none. */
	ck_assert_uint_eq(k, 10);
	s = dump(b);
	ck_assert_ptr_nonnull(strstr(s, "addr eth2 198.51.100.12/24\n"));
	ck_assert_ptr_nonnull(strstr(s, "link eth1 ifindex 2 mac "
				     "00:00:00:00:00:00 up"));
	free(s);
	free(initial);
	ipto_binder_unref(b);
}
END_TEST

START_TEST(dryrun_copy_link)
{
	TEST_CTX(ctx, log);
	struct ipto_binder *src = dryrun(ctx), *dst = NULL;
	struct ipto_addr a = test_addr("192.0.2.1/24"), a6 = test_addr("2001:db8::1/64");
	char *s1, *s2;

	ipto_binder_addr_add(src, "eth1", &a, 0);
	ipto_binder_addr_add(src, "eth1", &a6, 0);
	ipto_binder_devconf_set(src, "eth1", IPTO_DEVCONF_ARP_FILTER, 1);
	ck_assert_int_eq(ipto_binder_new_dryrun(ctx, &dst), 0);
	ck_assert_int_eq(ipto_binder_dryrun_copy_adapter(dst, src, "eth1"), 0);
	ck_assert_int_eq(ipto_binder_dryrun_copy_adapter(dst, src, "eth0"), 0);
	ck_assert_int_eq(ipto_binder_dryrun_copy_adapter(dst, src, "eth0"),
			 -EEXIST);
	ck_assert_int_eq(ipto_binder_dryrun_copy_adapter(dst, src, "eth7"),
			 -ENODEV);
	ck_assert_int_eq(ipto_binder_dryrun_copy_adapter(dst, dst, "eth0"),
			 -EINVAL);
	ck_assert_int_eq(ipto_binder_dryrun_copy_adapter(dst, NULL, "eth0"),
			 -EINVAL);
	s1 = dump(src);
	s2 = dump(dst);
	ck_assert_str_eq(s1, s2);
	free(s1);
	free(s2);
	/* copying is not a call on the destination */
	ck_assert_uint_eq(ipto_binder_dryrun_get_call_count(dst), 0);
	ipto_binder_unref(src);
	ipto_binder_unref(dst);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Injectors                                                           */
/* ------------------------------------------------------------------ */

static uint8_t frame60[60];

static void fill_frames(void)
{
	size_t i;

	for (i = 0; i < sizeof(frame60); i++)
		frame60[i] = (uint8_t)(i * 7 + 1);
}

START_TEST(injector_new_checks)
{
	TEST_CTX(ctx, log);
	struct ipto_injector *inj = (struct ipto_injector *)0x1;
	struct ipto_injector_ops ops = { .sz = 0 };

	ck_assert_int_eq(ipto_injector_new(ctx, NULL, NULL, &inj), -EINVAL);
	ck_assert_int_eq(ipto_injector_new(ctx, &ops, NULL, &inj), -EINVAL);
	ck_assert_int_eq(ipto_injector_new(NULL, &ops, NULL, &inj), -EINVAL);
	ck_assert_ptr_eq(inj, (struct ipto_injector *)0x1);
	ck_assert_int_eq(ipto_injector_new_dryrun(ctx, NULL), -EINVAL);
	ck_assert_int_eq(ipto_injector_new_packet(NULL, &inj), -EINVAL);
	ck_assert_int_eq(ipto_injector_new_pcap(ctx, NULL), -EINVAL);
	ck_assert_ptr_null(ipto_injector_unref(NULL));
	ck_assert_ptr_null(ipto_injector_ref(NULL));
	ipto_injector_close(NULL);
	ck_assert_ptr_null(ipto_injector_adapter_get_ifname(NULL));

	/* A table without open/send cannot open a port. */
	ops.sz = sizeof(ops);
	ck_assert_int_eq(ipto_injector_new(ctx, &ops, NULL, &inj), 0);
	{
		struct ipto_injector_adapter *p = NULL;

		ck_assert_int_eq(ipto_injector_open(inj, "eth0", &p),
				 -EOPNOTSUPP);
		ck_assert_ptr_null(p);
	}
	ipto_injector_unref(inj);
}
END_TEST

START_TEST(injector_dryrun_frames)
{
	TEST_CTX(ctx, log);
	struct ipto_injector *inj = NULL;
	struct ipto_injector_adapter *p0 = NULL, *p1 = NULL;
	uint8_t big[1514];
	struct iovec iov[3] = {
		{ frame60, sizeof(frame60) },
		{ big, sizeof(big) },
		{ frame60, 14 },
	};
	const char *ifname;
	const void *data;
	size_t len;

	fill_frames();
	memset(big, 0x5a, sizeof(big));
	ck_assert_int_eq(ipto_injector_new_dryrun(ctx, &inj), 0);
	ck_assert_ptr_eq(ipto_injector_get_ctx(inj), ctx);
	ck_assert_int_eq(ipto_injector_open(inj, "", &p0), -EINVAL);
	ck_assert_int_eq(ipto_injector_open(inj, "eth0", NULL), -EINVAL);
	ck_assert_int_eq(ipto_injector_open(inj, "eth0", &p0), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "eth1", &p1), 0);
	ck_assert_str_eq(ipto_injector_adapter_get_ifname(p1), "eth1");
	ck_assert_uint_eq(ipto_injector_dryrun_get_open_count(inj), 2);

	ck_assert_int_eq(ipto_injector_send(p0, frame60, 13), -EINVAL);
	ck_assert_int_eq(ipto_injector_send(p0, frame60, 65536), -EINVAL);
	ck_assert_int_eq(ipto_injector_send(p0, NULL, 60), -EINVAL);
	ck_assert_int_eq(ipto_injector_send(NULL, frame60, 60), -EINVAL);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 0);

	ck_assert_int_eq(ipto_injector_send(p0, frame60, sizeof(frame60)), 0);
	ck_assert_int_eq(ipto_injector_send_batch(p1, iov, 3), 3);
	ck_assert_int_eq(ipto_injector_send_batch(p1, iov, 0), 0);
	ck_assert_int_eq(ipto_injector_send_batch(p1, NULL, 2), -EINVAL);
	iov[2].iov_len = 13; /* one bad frame: nothing of the batch goes */
	ck_assert_int_eq(ipto_injector_send_batch(p1, iov, 3), -EINVAL);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 4);

	ck_assert_int_eq(ipto_injector_dryrun_get_frame(inj, 0, &ifname,
							&data, &len), 0);
	ck_assert_str_eq(ifname, "eth0");
	ck_assert_uint_eq(len, 60);
	ck_assert_mem_eq(data, frame60, 60);
	ck_assert_int_eq(ipto_injector_dryrun_get_frame(inj, 2, &ifname,
							&data, &len), 0);
	ck_assert_str_eq(ifname, "eth1");
	ck_assert_uint_eq(len, 1514);
	ck_assert_mem_eq(data, big, 1514);
	ck_assert_int_eq(ipto_injector_dryrun_get_frame(inj, 3, NULL, NULL,
							&len), 0);
	ck_assert_uint_eq(len, 14);
	ck_assert_int_eq(ipto_injector_dryrun_get_frame(inj, 4, NULL, NULL,
							NULL), -ERANGE);

	/* The injector outlives its last reference while ports are open. */
	ipto_injector_ref(inj);
	ipto_injector_unref(inj);
	ipto_injector_close(p0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_open_count(inj), 1);
	ck_assert_int_eq(ipto_injector_dryrun_clear_frames(inj), 0);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 0);
	ipto_injector_unref(inj);
	/* p1 still holds the injector */
	ck_assert_int_eq(ipto_injector_send(p1, frame60, 60), 0);
	ipto_injector_close(p1);
}
END_TEST

START_TEST(injector_dryrun_faults)
{
	TEST_CTX(ctx, log);
	struct ipto_injector *inj = NULL;
	struct ipto_injector_adapter *p = NULL;
	struct iovec iov[4];
	int i;

	fill_frames();
	for (i = 0; i < 4; i++) {
		iov[i].iov_base = frame60;
		iov[i].iov_len = 20 + (size_t)i;
	}
	ck_assert_int_eq(ipto_injector_new_dryrun(ctx, &inj), 0);
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(inj, 1u << 2, 1,
							-EIO), -EINVAL);
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(
				 inj, IPTO_INJECTOR_OP_OPEN, 1, -EPERM), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "eth0", &p), -EPERM);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(ipto_injector_dryrun_get_open_count(inj), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "eth0", &p), 0);

	/* The 3rd frame fails: a batch of 4 reports 2 sent. */
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(
				 inj, IPTO_INJECTOR_OP_SEND, 3, -ENOBUFS), 0);
	ck_assert_int_eq(ipto_injector_send_batch(p, iov, 4), 2);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 2);
	/* the first frame of a batch fails: the error */
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(
				 inj, IPTO_INJECTOR_OP_SEND, 1, -ENETDOWN), 0);
	ck_assert_int_eq(ipto_injector_send_batch(p, iov, 4), -ENETDOWN);
	ck_assert_log(&log, "send_batch on eth0 failed");
	ck_assert_int_eq(ipto_injector_dryrun_set_fault(
				 inj, IPTO_INJECTOR_OP_SEND, 0, -EIO), 0);
	ck_assert_int_eq(ipto_injector_send(p, frame60, 60), -EIO);
	ck_assert_int_eq(ipto_injector_send(p, frame60, 60), -EIO);
	ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(inj), 2);
	ipto_injector_close(p);

	/* dry-run accessors on a non-dry-run injector */
	{
		struct ipto_injector_ops ops = { .sz = sizeof(ops) };
		struct ipto_injector *o = NULL;

		ck_assert_int_eq(ipto_injector_new(ctx, &ops, NULL, &o), 0);
		ck_assert_uint_eq(ipto_injector_dryrun_get_frame_count(o), 0);
		ck_assert_int_eq(ipto_injector_dryrun_get_frame(o, 0, NULL,
								NULL, NULL),
				 -EINVAL);
		ck_assert_int_eq(ipto_injector_dryrun_set_fault(o, 1, 1, -1),
				 -EINVAL);
		ipto_injector_unref(o);
	}
	ipto_injector_unref(inj);
}
END_TEST

/* A caller's injector without send_batch: the library loops over send. */
static int fk_open(struct ipto_injector *injector, const char *ifname, void **h)
{
	void *u = ipto_injector_get_userdata(injector);

	*h = u;
	return 0;
}

static int fk_send(struct ipto_injector *injector, void *h, const void *frame, size_t len)
{
	struct fake *f = ipto_injector_get_userdata(injector);

	ck_assert_ptr_eq(h, f);
	f->last_obj = injector;
	f->sends++;
	if (f->sends == f->fail_send_at)
		return -EMSGSIZE;
	return 0;
}

static int fk_send_batch(struct ipto_injector *injector, void *h,
			 const struct iovec *v, size_t n)
{
	return ((struct fake *)ipto_injector_get_userdata(injector))->batch_result;
}

static void fk_close(struct ipto_injector *injector, void *h)
{
	void *u = ipto_injector_get_userdata(injector);

	((struct fake *)u)->closed++;
}

START_TEST(injector_custom)
{
	TEST_CTX(ctx, log);
	struct ipto_injector_ops ops = {
		.sz = sizeof(ops),
		.open = fk_open,
		.send = fk_send,
		.close = fk_close,
		.destroy = fk_destroy,
	};
	struct ipto_injector *inj = NULL;
	struct ipto_injector_adapter *p = NULL;
	struct iovec iov[5];
	struct fake f = { 0 };
	int i;

	fill_frames();
	for (i = 0; i < 5; i++) {
		iov[i].iov_base = frame60;
		iov[i].iov_len = 60;
	}
	ck_assert_int_eq(ipto_injector_new(ctx, &ops, &f, &inj), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "eth0", &p), 0);
	ck_assert_int_eq(ipto_injector_send_batch(p, iov, 5), 5);
	ck_assert_int_eq(f.sends, 5);
	ck_assert_ptr_eq(f.last_obj, inj); /* each op receives its injector */
	ck_assert_ptr_eq(ipto_injector_get_userdata(inj), &f);
	ck_assert_ptr_null(ipto_injector_get_userdata(NULL));
	f.sends = 0;
	f.fail_send_at = 4;
	ck_assert_int_eq(ipto_injector_send_batch(p, iov, 5), 3);
	ck_assert_int_eq(f.sends, 4); /* stopped at the failure */
	ck_assert_log(&log, "sent 3 of 5");
	f.sends = 0;
	f.fail_send_at = 1;
	ck_assert_int_eq(ipto_injector_send_batch(p, iov, 5), -EMSGSIZE);
	ck_assert_int_eq(ipto_injector_send(p, frame60, 60), 0);
	ipto_injector_close(p);
	ck_assert_int_eq(f.closed, 1);
	ipto_injector_unref(inj);
	ck_assert_int_eq(f.destroyed, 1);

	/* A send_batch that breaks its contract (0 or more than n). */
	ops.send_batch = fk_send_batch;
	ck_assert_int_eq(ipto_injector_new(ctx, &ops, &f, &inj), 0);
	ck_assert_int_eq(ipto_injector_open(inj, "eth0", &p), 0);
	f.batch_result = 0;
	ck_assert_int_eq(ipto_injector_send_batch(p, iov, 5), -EIO);
	f.batch_result = 6;
	ck_assert_int_eq(ipto_injector_send_batch(p, iov, 5), -EIO);
	f.batch_result = 2;
	ck_assert_int_eq(ipto_injector_send_batch(p, iov, 5), 2);
	ipto_injector_close(p);
	ipto_injector_unref(inj);
}
END_TEST

START_TEST(injector_real_backends_exist)
{
	TEST_CTX(ctx, log);
	struct ipto_injector *inj = NULL;
	struct ipto_injector_adapter *p = NULL;
	int r;

	ck_assert_int_eq(ipto_injector_new_packet(ctx, &inj), 0);
	/* No such interface; without CAP_NET_RAW, -EPERM comes first. */
	r = ipto_injector_open(inj, "iptobe-nosuch0", &p);
	ck_assert(r == -ENODEV || r == -EPERM);
	ck_assert_ptr_null(p);
	ipto_injector_unref(inj);

	inj = NULL;
	r = ipto_injector_new_pcap(ctx, &inj);
	if (r == -EOPNOTSUPP) {
		ck_assert_log(&log, "without libpcap");
	} else {
		ck_assert_int_eq(r, 0);
		r = ipto_injector_open(inj, "iptobe-nosuch0", &p);
		ck_assert(r == -ENODEV || r == -EPERM);
		ck_assert_ptr_null(p);
		ipto_injector_unref(inj);
	}
}
END_TEST

static Suite *backend_suite(void)
{
	Suite *s = suite_create("backend");

	test_tcase(s, "binder", binder_new_checks, binder_old_table_size,
		   binder_refcount, binder_rejects_bad_input,
		   binder_passes_through, binder_link_info_sizes,
		   binder_netlink_exists);
	test_tcase(s, "dryrun", dryrun_model, dryrun_call_log, dryrun_faults,
		   dryrun_fail_every_call, dryrun_copy_link);
	test_tcase(s, "injector", injector_new_checks, injector_dryrun_frames,
		   injector_dryrun_faults, injector_custom,
		   injector_real_backends_exist);
	return s;
}

IPTO_TEST_MAIN(backend_suite)
