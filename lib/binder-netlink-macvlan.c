/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The netlink binder's macvlan links (doc/macvlan.md): create one, delete
 * one, read a link's alias.
 */
#include "binder-netlink-private.h"

/* linux/if_link.h's MACVLAN_MODE_* */
static int nb_macvlan_mode_of(enum ipto_macvlan_mode mode)
{
	switch (mode) {
	case IPTO_MACVLAN_MODE_PRIVATE:
		return 1;
	case IPTO_MACVLAN_MODE_VEPA:
		return 2;
	case IPTO_MACVLAN_MODE_BRIDGE:
		break;
	}
	return 4;
}

static int nb_macvlan_delete_by_name(struct nl_binder *nb, const char *ifname)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int nle;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, ifname);
	nb_request_begin(nb);
	nle = rtnl_link_delete(nb->sk, link);
	rtnl_link_put(link);
	if (nle < 0 && (nle == -NLE_NODEV || nb->kernel_err == -ENODEV))
		return -ENODEV;
	return nb_request_end(nb, nle, 0, "delete link", ifname);
}

/*
 * Two requests: RTM_NEWLINK (kind macvlan, parent, MAC, mode; down), then
 * one RTM_NEWLINK change with the alias and the IPv4 ARP settings (the
 * kernel applies neither on creation). Should the second fail, the link
 * goes again, so the caller sees all or nothing.
 */
int nb_macvlan_create(struct ipto_binder *binder,
		      const struct ipto_macvlan_req *req)
{
	struct nl_binder *nb = ipto_binder_get_userdata(binder);
	struct rtnl_link *link, *kern = NULL, *change = NULL;
	struct nl_addr *addr;
	int parent, nle, r;

	parent = nb_ifindex_of(nb, req->parent);
	if (parent < 0) {
		log_err(nb->ctx, "netlink: no parent interface %s for %s\n",
			req->parent, req->ifname);
		return parent;
	}
	link = rtnl_link_macvlan_alloc();
	addr = nl_addr_build(AF_LLC, req->mac.bytes, sizeof(req->mac.bytes));
	if (!link || !addr) {
		rtnl_link_put(link);
		nl_addr_put(addr);
		return -ENOMEM;
	}
	rtnl_link_set_name(link, req->ifname);
	rtnl_link_set_link(link, parent);
	rtnl_link_set_addr(link, addr);
	nl_addr_put(addr);
	nle = rtnl_link_macvlan_set_mode(link, (uint32_t)nb_macvlan_mode_of(req->mode));
	if (nle < 0) {
		rtnl_link_put(link);
		return nb_nle_to_errno(nle);
	}
	nb_request_begin(nb);
	nle = rtnl_link_add(nb->sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	r = nb_request_end(nb, nle, -EEXIST, "create macvlan", req->ifname);
	if (r < 0)
		return r;
	r = nb_get_link(nb, req->ifname, &kern);
	if (r == 0 && !(change = rtnl_link_alloc()))
		r = -ENOMEM;
	if (r == 0 && req->alias && req->alias[0])
		rtnl_link_set_ifalias(change, req->alias);
	if (r == 0 && req->arp_ignore >= 0)
		r = nb_nle_to_errno(rtnl_link_inet_set_conf(change, IPV4_DEVCONF_ARP_IGNORE,
							 (uint32_t)req->arp_ignore));
	if (r == 0 && req->arp_announce >= 0)
		r = nb_nle_to_errno(rtnl_link_inet_set_conf(change, IPV4_DEVCONF_ARP_ANNOUNCE,
							 (uint32_t)req->arp_announce));
	if (r == 0)
		r = nb_change_link(nb, kern, change, "tag and guard", req->ifname);
	rtnl_link_put(change);
	if (kern)
		rtnl_link_put(kern);
	if (r < 0)
		nb_macvlan_delete_by_name(nb, req->ifname);
	return r;
}

int nb_macvlan_delete(struct ipto_binder *binder, const char *ifname)
{
	void *userdata = ipto_binder_get_userdata(binder);

	return nb_macvlan_delete_by_name(userdata, ifname);
}

/* One RTM_GETLINK parsed in place, as nl_link_get: ipto_macvlan_list()
 * asks for every link of the namespace (status, cleanup). */
int nb_macvlan_get_alias(struct ipto_binder *binder, const char *ifname, char *buf,
			 size_t len)
{
	void *userdata = ipto_binder_get_userdata(binder);

	struct ipto_adapter_entry e = { .sz = sizeof(e) };
	struct link_dump_ctx c = { .out = &e, .max = 1, .alias = buf,
				   .alias_len = len, .alias_n = -EPROTO };
	int r;

	if (!buf || !len)
		return -EINVAL;
	r = nb_link_get_raw(userdata, ifname, &c);
	return r < 0 ? r : c.alias_n;
}
