/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The netlink sources of neighbour sets (libnl-route-3): the host's own
 * neighbour table and the gateways of its routing table, read from the
 * current network namespace. Built only with libnl; neigh.c says
 * -EOPNOTSUPP otherwise.
 */
#include "ipto-private.h"
#include "neigh-private.h"

#include <net/if.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

/* libnl's codes as a negative errno (they must not leave this file). */
static int nl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

struct reader {
	struct ipto_neigh_set *set;
	struct ipto_ctx *ctx;
	const struct ipto_addr *subnet;
	int ifindex; /* 0: any */
	int count;
	int err;
};

static int check_args(struct ipto_neigh_set *set, const char *who,
		      const char *ifname, const struct ipto_addr *subnet,
		      struct reader *rd)
{
	memset(rd, 0, sizeof(*rd));
	if (!set || !subnet)
		return -EINVAL;
	rd->set = set;
	rd->ctx = ipto_neigh_set_ctx(set);
	rd->subnet = subnet;
	if (!ipto_addr_valid(subnet) || subnet->prefixlen == IPTO_PREFIX_UNKNOWN) {
		log_err(rd->ctx, "%s: the subnet needs its prefix length\n", who);
		return -EINVAL;
	}
	if (ifname) {
		int r = ipto_ifname_check(rd->ctx, who, ifname);

		if (r < 0)
			return r;
		rd->ifindex = (int)if_nametoindex(ifname);
		if (!rd->ifindex) {
			log_err(rd->ctx, "%s: no interface %s\n", who, ifname);
			return -ENODEV;
		}
	}
	return 0;
}

/* @a (from netlink) as an address of the subnet's family, if it is one. */
static bool to_addr(const struct reader *rd, struct nl_addr *a,
		    struct ipto_addr *out)
{
	size_t len = rd->subnet->family == AF_INET ? 4 : 16;

	if (!a || nl_addr_get_family(a) != rd->subnet->family ||
	    nl_addr_get_len(a) != len)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = rd->subnet->family;
	out->prefixlen = IPTO_PREFIX_UNKNOWN;
	memcpy(out->bytes, nl_addr_get_binary_addr(a), len);
	return ipto_neigh_on_subnet(rd->subnet, out);
}

static void take(struct reader *rd, const struct ipto_addr *a,
		 const struct ipto_mac *mac, unsigned int sources)
{
	int r;

	if (rd->err)
		return;
	r = ipto_neigh_add_read(rd->set, a, mac, sources);
	if (r < 0)
		rd->err = r;
	else
		rd->count++;
}

static int open_sock(struct ipto_ctx *ctx, const char *who,
		     struct nl_sock **ret)
{
	struct nl_sock *sk = nl_socket_alloc();
	int nle;

	if (!sk)
		return -ENOMEM;
	nle = nl_connect(sk, NETLINK_ROUTE);
	if (nle < 0) {
		log_err(ctx, "%s: cannot open a NETLINK_ROUTE socket: %s\n", who,
			nl_geterror(nle));
		nl_socket_free(sk);
		return nl_errno(nle);
	}
	*ret = sk;
	return 0;
}

static void on_neigh(struct nl_object *obj, void *arg)
{
	struct rtnl_neigh *n = (struct rtnl_neigh *)obj;
	struct reader *rd = arg;
	struct nl_addr *ll = rtnl_neigh_get_lladdr(n);
	int state = rtnl_neigh_get_state(n);
	unsigned int sources = IPTO_NEIGH_TABLE;
	struct ipto_addr a;
	struct ipto_mac mac;
	int c;

	if (rd->ifindex && rtnl_neigh_get_ifindex(n) != rd->ifindex)
		return;
	if (state < 0 || !(state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY |
				    NUD_PROBE | NUD_PERMANENT)))
		return;
	if (!to_addr(rd, rtnl_neigh_get_dst(n), &a))
		return;
	if (!ll || nl_addr_get_len(ll) != 6)
		return;
	memcpy(mac.bytes, nl_addr_get_binary_addr(ll), 6);
	c = ipto_mac_classify(&mac);
	if (c < 0 || !(c & IPTO_MAC_CLASS_UNICAST))
		return;
	if (rtnl_neigh_get_flags(n) & NTF_ROUTER)
		sources |= IPTO_NEIGH_ROUTER;
	take(rd, &a, &mac, sources);
}

static void on_nexthop(struct rtnl_nexthop *nh, void *arg)
{
	struct reader *rd = arg;
	struct ipto_addr a;

	if (rd->ifindex && rtnl_route_nh_get_ifindex(nh) != rd->ifindex)
		return;
	if (!to_addr(rd, rtnl_route_nh_get_gateway(nh), &a))
		return;
	take(rd, &a, NULL, IPTO_NEIGH_ROUTER);
}

static void on_route(struct nl_object *obj, void *arg)
{
	struct rtnl_route *route = (struct rtnl_route *)obj;

	if (rtnl_route_get_family(route) !=
	    ((struct reader *)arg)->subnet->family)
		return;
	rtnl_route_foreach_nexthop(route, on_nexthop, arg);
}

/* libnl's cache allocators, one signature (the family: the subnet's). */
static int alloc_neighs(struct nl_sock *sk, int family, struct nl_cache **cache)
{
	(void)family;
	return rtnl_neigh_alloc_cache(sk, cache);
}

static int alloc_routes(struct nl_sock *sk, int family, struct nl_cache **cache)
{
	return rtnl_route_alloc_cache(sk, family, 0, cache);
}

/*
 * What ipto_neigh_set_add_table() and _add_routers() share: check the
 * arguments, dump one cache (@what: what it holds, for the error), take
 * what @on_object finds on the subnet (@found: what it counts, for the
 * debug line); the count taken, or a negative errno.
 */
static int read_cache(struct ipto_neigh_set *set, const char *who,
		      const char *ifname, const struct ipto_addr *subnet,
		      int (*alloc)(struct nl_sock *, int, struct nl_cache **),
		      const char *what,
		      void (*on_object)(struct nl_object *, void *),
		      const char *found)
{
	struct nl_cache *cache = NULL;
	struct nl_sock *sk = NULL;
	struct reader rd;
	int r, nle;

	r = check_args(set, who, ifname, subnet, &rd);
	if (r < 0)
		return r;
	r = open_sock(rd.ctx, who, &sk);
	if (r < 0)
		return r;
	nle = alloc(sk, subnet->family, &cache);
	if (nle < 0) {
		log_err(rd.ctx, "%s: cannot dump %s: %s\n", who, what,
			nl_geterror(nle));
		nl_socket_free(sk);
		return nl_errno(nle);
	}
	nl_cache_foreach(cache, on_object, &rd);
	nl_cache_free(cache);
	nl_socket_free(sk);
	log_dbg(rd.ctx, "%s: %d %s on the subnet\n", who, rd.count, found);
	return rd.err ? rd.err : rd.count;
}

IPTO_EXPORT int ipto_neigh_set_add_table(struct ipto_neigh_set *set,
					 const char *ifname,
					 const struct ipto_addr *subnet)
{
	return read_cache(set, "neigh table", ifname, subnet, alloc_neighs,
			  "the neighbour table", on_neigh, "neighbours");
}

IPTO_EXPORT int ipto_neigh_set_add_routers(struct ipto_neigh_set *set,
					   const char *ifname,
					   const struct ipto_addr *subnet)
{
	return read_cache(set, "neigh routers", ifname, subnet, alloc_routes,
			  "the routes", on_route, "gateways");
}
