#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# syslog-sink.py SOCKET FILE: a syslog datagram socket at SOCKET (e.g.
# /dev/log in a private mount namespace); every message received is
# appended to FILE as one line, exactly as syslog(3) sent it
# ("<PRI>TIMESTAMP IDENT[PID]: MESSAGE"). Writes "ready" first. Runs until
# killed.
import os
import socket
import sys

path, outpath = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
out = open(outpath, "w", buffering=1)
out.write("ready\n")
while True:
    m = s.recv(65536).decode("utf-8", "replace").rstrip("\n\0")
    out.write(m.replace("\n", " ") + "\n")
