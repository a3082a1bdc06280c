#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real TCP server and client for test-scenario-tickle.sh.

  tickle-peer.py serve ADDR PORT NAME   answer each line with NAME
  tickle-peer.py client ADDR PORT       every 100 ms send a line, wait for
                                        the answer (no timeout: as an
                                        ordinary client does); on any error
                                        reconnect at once (every 20 ms)

Output, one line each, times in CLOCK_REALTIME seconds:
  listening | connected T | reply T NAME | reset T ERROR | connfail T ERROR
"""
import socket
import sys
import threading
import time


def say(*words):
    print(*words, flush=True)


def serve(addr, port, name):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    say("listening")

    def handle(c):
        f = c.makefile("rb")
        try:
            for _ in f:
                c.sendall(name.encode() + b"\n")
        except OSError:
            pass
        c.close()

    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


def client(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    while True:
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.connect((addr, port))
        except OSError as e:
            say("connfail", "%.6f" % time.time(), type(e).__name__)
            s.close()
            time.sleep(0.02)
            continue
        say("connected", "%.6f" % time.time())
        f = s.makefile("rb")
        try:
            while True:
                s.sendall(b"ping\n")
                line = f.readline()
                if not line:
                    raise ConnectionError("EOF")
                say("reply", "%.6f" % time.time(), line.decode().strip())
                time.sleep(0.1)
        except OSError as e:
            say("reset", "%.6f" % time.time(), type(e).__name__)
        s.close()
        time.sleep(0.02)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "client":
        client(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
