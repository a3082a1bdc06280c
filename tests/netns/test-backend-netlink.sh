#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The libnl binder against a real kernel: what it adds, removes and sets is
# what `ip -j addr`, `ip -j link` and sysctl show; without CAP_NET_ADMIN it
# changes nothing and says -EPERM.
. "$(dirname "$0")/test-backend-lib.sh"
setup_pair
# Errno values as exit statuses.
EPERM=1 ENODEV=19 EEXIST=17 EADDRNOTAVAIL=99

addrs() { # the addresses of veth-a as "addr/prefix", sorted
	ip -n "$NS_A" -j addr show dev veth-a |
		jq -r '.[0].addr_info[] | "\(.local)/\(.prefixlen)"' | sort
}
addr_field() { # addr_field ADDR FIELD
	ip -n "$NS_A" -j addr show dev veth-a |
		jq -r --arg a "$1" ".[0].addr_info[] | select(.local == \$a) | .$2"
}
sysctl_a() { in_a sysctl -n "net.ipv4.conf.veth-a.$1"; }
link_up() { # "true" when the UP flag is set
	ip -n "$NS_A" -j link show dev veth-a | jq -r '.[0].flags | index("UP") != null'
}

in_a "$TOOL" link-get veth-a >/dev/null 2>&1
[ $? = 95 ] && skip "libipto built without libnl"

# --- links -------------------------------------------------------------
expect_rc 0 "link-set up" in_a "$TOOL" link-set veth-a up
expect_eq "$(link_up)" true "ip shows veth-a UP"
expect_rc 0 "link-set up again is a success" in_a "$TOOL" link-set veth-a up
ip -n "$NS_B" link set veth-b up
json=$(ip -n "$NS_A" -j link show dev veth-a)
want="ifindex $(echo "$json" | jq -r '.[0].ifindex') mac 02:00:5e:00:53:0a up mtu $(echo "$json" | jq -r '.[0].mtu') carrier"
expect_rc 0 "link-get" in_a "$TOOL" link-get veth-a
expect_eq "$(cat "$WORK/out")" "$want" "link-get matches ip -j link"
ip -n "$NS_B" link set veth-b down
in_a "$TOOL" link-get veth-a >"$WORK/out"
expect_eq "$(cut -d" " -f8 "$WORK/out")" nocarrier "no carrier with the peer down"
expect_rc $ENODEV "link-get of a missing interface" in_a "$TOOL" link-get nosuch0
expect_rc $ENODEV "link-set of a missing interface" in_a "$TOOL" link-set nosuch0 up

# --- addresses ---------------------------------------------------------
before=$(addrs)
expect_rc 0 "addr-add 192.0.2.10/24" in_a "$TOOL" addr-add veth-a 192.0.2.10/24
expect_eq "$(addr_field 192.0.2.10 prefixlen)" 24 "ip shows 192.0.2.10/24"
expect_eq "$(addr_field 192.0.2.10 broadcast)" 192.0.2.255 "with broadcast 192.0.2.255"
expect_rc $EEXIST "adding it again" in_a "$TOOL" addr-add veth-a 192.0.2.10/24
expect_rc 0 "addr-add 198.51.100.7/31" in_a "$TOOL" addr-add veth-a 198.51.100.7/31
expect_eq "$(addr_field 198.51.100.7 broadcast)" null "a /31 gets no broadcast"
expect_rc 0 "addr-add 2001:db8::10/64 nodad" in_a "$TOOL" addr-add veth-a 2001:db8::10/64 nodad
expect_rc 0 "addr-add 2001:db8::20/64 (with DAD)" in_a "$TOOL" addr-add veth-a 2001:db8::20/64
# veth-a has no carrier, so an address under DAD stays tentative.
expect_eq "$(addr_field 2001:db8::10 tentative)" null "the nodad address is not tentative"
expect_eq "$(addr_field 2001:db8::20 tentative)" true "the other one is tentative"
expect_eq "$(addr_field 2001:db8::10 nodad)" true "ip shows nodad"
expect_rc $EEXIST "IPv6 again, other prefix" in_a "$TOOL" addr-add veth-a 2001:db8::10/80 nodad
# A takeover's IPv6 address goes in deprecated: preferred lifetime 0,
# valid forever (source selection never picks it); IPTO_BIND_PREFERRED not.
expect_rc 0 "addr-add 2001:db8::30/64 takeover" in_a "$TOOL" addr-add veth-a 2001:db8::30/64 takeover
expect_eq "$(addr_field 2001:db8::30 deprecated)" true "ip shows the taken address deprecated"
expect_eq "$(addr_field 2001:db8::30 preferred_life_time) $(addr_field 2001:db8::30 valid_life_time)" \
	"0 4294967295" "preferred lifetime 0, valid forever"
expect_rc 0 "addr-add 2001:db8::31/64 takeover-preferred" in_a "$TOOL" addr-add veth-a 2001:db8::31/64 takeover-preferred
expect_eq "$(addr_field 2001:db8::31 deprecated) $(addr_field 2001:db8::31 preferred_life_time)" \
	"null 4294967295" "with IPTO_BIND_PREFERRED: preferred, forever"
in_a "$TOOL" addr-del veth-a 2001:db8::30/64
in_a "$TOOL" addr-del veth-a 2001:db8::31/64
expect_rc $ENODEV "addr-add on a missing interface" in_a "$TOOL" addr-add nosuch0 192.0.2.11/24

expect_rc 0 "addr-list" in_a "$TOOL" addr-list veth-a
expect_eq "$(sort "$WORK/out")" "$(addrs)" "addr-list matches ip -j addr"

expect_rc $EADDRNOTAVAIL "addr-del with the wrong prefix" in_a "$TOOL" addr-del veth-a 192.0.2.10/25
expect_rc 0 "addr-del 192.0.2.10/24" in_a "$TOOL" addr-del veth-a 192.0.2.10/24
expect_eq "$(addr_field 192.0.2.10 prefixlen)" "" "ip no longer shows 192.0.2.10"
expect_rc $EADDRNOTAVAIL "deleting it again" in_a "$TOOL" addr-del veth-a 192.0.2.10/24
expect_rc 0 "addr-del without prefix looks it up" in_a "$TOOL" addr-del veth-a 2001:db8::10
expect_rc 0 "addr-del 2001:db8::20/64" in_a "$TOOL" addr-del veth-a 2001:db8::20/64
expect_rc 0 "addr-del 198.51.100.7/31" in_a "$TOOL" addr-del veth-a 198.51.100.7/31
expect_eq "$(addrs)" "$before" "the address set is back to where it was"

# --- devconf -----------------------------------------------------------
for key in arp_ignore arp_announce arp_filter; do
	expect_eq "$(sysctl_a $key)" 0 "$key starts at 0"
done
expect_rc 0 "devconf-set arp_ignore 1" in_a "$TOOL" devconf-set veth-a arp_ignore 1
expect_rc 0 "devconf-set arp_announce 2" in_a "$TOOL" devconf-set veth-a arp_announce 2
expect_rc 0 "devconf-set arp_filter 1" in_a "$TOOL" devconf-set veth-a arp_filter 1
expect_eq "$(sysctl_a arp_ignore)/$(sysctl_a arp_announce)/$(sysctl_a arp_filter)" 1/2/1 \
	"sysctl shows arp_ignore/arp_announce/arp_filter = 1/2/1"
expect_eq "$(in_b sysctl -n net.ipv4.conf.veth-b.arp_ignore)" 0 "the peer is untouched"
in_a sysctl -qw net.ipv4.conf.veth-a.arp_ignore=3
in_a "$TOOL" devconf-get veth-a arp_ignore >"$WORK/out"
expect_eq "$(cat "$WORK/out")" 3 "devconf-get reads what sysctl wrote"
in_a "$TOOL" devconf-get veth-a arp_announce >"$WORK/out"
expect_eq "$(cat "$WORK/out")" 2 "devconf-get arp_announce"
for key in arp_ignore arp_announce arp_filter; do
	in_a "$TOOL" devconf-set veth-a $key 0
done
expect_eq "$(sysctl_a arp_ignore)/$(sysctl_a arp_announce)/$(sysctl_a arp_filter)" 0/0/0 \
	"restored to 0/0/0"
expect_rc $ENODEV "devconf-set on a missing interface" in_a "$TOOL" devconf-set nosuch0 arp_ignore 1

# --- without CAP_NET_ADMIN ----------------------------------------------
in_a "$TOOL" addr-add veth-a 192.0.2.30/24
in_a "$TOOL" devconf-set veth-a arp_ignore 2
before_addrs=$(addrs) before_up=$(link_up)
expect_rc $EPERM "unprivileged addr-add" in_a_unprivileged "$TOOL" addr-add veth-a 192.0.2.31/24
expect_rc $EPERM "unprivileged addr-del" in_a_unprivileged "$TOOL" addr-del veth-a 192.0.2.30/24
expect_rc $EPERM "unprivileged link-set down" in_a_unprivileged "$TOOL" link-set veth-a down
expect_rc $EPERM "unprivileged devconf-set" in_a_unprivileged "$TOOL" devconf-set veth-a arp_ignore 1
grep -q "Operation not permitted" "$WORK/err" && ok "the log says why" || not_ok "no EPERM message"
expect_eq "$(addrs)" "$before_addrs" "addresses unchanged"
expect_eq "$(link_up)" "$before_up" "link state unchanged"
expect_eq "$(sysctl_a arp_ignore)" 2 "arp_ignore unchanged"
expect_rc 0 "unprivileged reads still work" in_a_unprivileged "$TOOL" devconf-get veth-a arp_ignore
expect_eq "$(cat "$WORK/out")" 2 "and read the right value"

expect_rc 0 "link-set down" in_a "$TOOL" link-set veth-a down
expect_eq "$(link_up)" false "ip shows veth-a down"
finish
