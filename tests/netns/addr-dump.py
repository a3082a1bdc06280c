#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print every address of this network namespace with its protocol
(IFA_PROTO, Linux 6.3+), one JSON object per line, read with one raw
RTM_GETADDR dump. Debian 12's iproute2 6.1 does not show the protocol, so
this is how the tests (and doc/record.md) read libipto's kernel record
independently of libipto:

  {"ifname": "tk1", "ifindex": 3, "addr": "192.0.2.11/24", "proto": 112}

proto is null when the kernel sent no IFA_PROTO (kernels before 6.3).
"""
import json
import socket
import struct

RTM_NEWADDR, RTM_GETADDR = 20, 22
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_DONE, NLMSG_ERROR = 3, 2
IFA_ADDRESS, IFA_LOCAL, IFA_PROTO = 1, 2, 11


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.bind((0, 0))
    req = struct.pack("=LHHLL", 16 + 8, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    req += struct.pack("=BBBBI", socket.AF_UNSPEC, 0, 0, 0, 0)
    s.send(req)
    done = False
    while not done:
        data = s.recv(65536)
        off = 0
        while off + 16 <= len(data):
            length, mtype, _flags, _seq, _pid = struct.unpack_from("=LHHLL", data, off)
            if length < 16:
                break
            if mtype == NLMSG_DONE:
                done = True
                break
            if mtype == NLMSG_ERROR:
                raise SystemExit("netlink error")
            if mtype == RTM_NEWADDR:
                family, plen, _fl, _scope, index = struct.unpack_from("=BBBBI", data, off + 16)
                attrs, proto = {}, None
                a = off + 16 + 8
                while a + 4 <= off + length:
                    alen, atype = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    payload = data[a + 4:a + alen]
                    if atype in (IFA_ADDRESS, IFA_LOCAL):
                        attrs[atype] = payload
                    elif atype == IFA_PROTO and payload:
                        proto = payload[0]
                    a += (alen + 3) & ~3
                raw = attrs.get(IFA_LOCAL, attrs.get(IFA_ADDRESS))
                if raw is not None and family in (socket.AF_INET, socket.AF_INET6):
                    print(json.dumps({
                        "ifname": socket.if_indextoname(index),
                        "ifindex": index,
                        "addr": "%s/%d" % (socket.inet_ntop(family, raw), plen),
                        "proto": proto,
                    }))
            off += (length + 3) & ~3


main()
