#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# arp-log.py IFNAME FILE: log every ARP frame IFNAME receives, one line a
# frame: "SENDER_MAC SENDER_IP TARGET_IP OP", flushed at once. The first
# line, "ready", is written once the socket is bound (nothing before it
# can be missed). Runs until killed.
import socket
import struct
import sys

ETH_P_ARP = 0x0806
ifname, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
s.bind((ifname, ETH_P_ARP))
out = open(path, "w", buffering=1)
out.write("ready\n")
while True:
    f = s.recv(2048)
    if len(f) < 42:
        continue
    op, = struct.unpack("!H", f[20:22])
    sha = ":".join("%02x" % b for b in f[22:28])
    spa = socket.inet_ntoa(f[28:32])
    tpa = socket.inet_ntoa(f[38:42])
    out.write("%s %s %s %d\n" % (sha, spa, tpa, op))
