#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""outage-probe.py: what a client sees during a failover (tests/bench/outage.sh).

  outage-probe.py ping LOG STATE IP...       (inside the client's namespace)
      An ICMP echo request to each IP every --interval s (default 0.01). LOG
      gets "s T IP SEQ" per request and "r T IP SEQ" per reply (T: epoch
      seconds, CLOCK_REALTIME, shared by every namespace). STATE is
      rewritten every 0.1 s with one line per IP: "IP RUN" where RUN is the
      number of replies in a row up to now (0 once five requests in a row
      went unanswered).

  outage-probe.py arp IFACE LOG IP...        (inside an observer namespace)
      An ARP request (who-has IP) for each IP every --interval s from IFACE.
      LOG gets one line per IP and round: "a T IP MAC[,MAC...]" (T: when the
      round's request went out; the MACs that answered before the next
      round, "-" for none).

  outage-probe.py report LOG MARKS IP=NAME... (anywhere)
      Per move window of MARKS ("move NAME T0 T1", one a line) and per IP:
      "MOVE NAME SENT LOST GAP DUAL HOSTS LAST" where LOST counts requests
      sent in the window never answered, GAP is the longest time between
      two replies in a row (the last reply before T0 counts), DUAL is how
      long (seconds) two or more MACs answered the ARP request of one round,
      HOSTS the same for MACs of two hosts (--host-chars), and LAST the MACs
      that answered in the window's last 0.5 s.
      With --count-foreign MAC: "foreign NAME SECONDS ROUNDS EPISODES", how
      long a MAC of another host than MAC's (--host-chars) answered, for
      the windows of MARKS (the whole log if it has none; the host's own
      other adapters answering, ARP flux, do not count).

Both measuring modes stop on SIGTERM or SIGINT, after writing what they
have. The ARP observer must not run in the pinging client's namespace:
every ARP reply it receives also updates that namespace's neighbour table
(an existing entry takes the replier's MAC), which would repair the very
stale entries a failover leaves behind.
"""
import argparse
import bisect
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

STOP = False


def on_signal(_sig, _frm):
    global STOP
    STOP = True


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def run_ping(args):
    ips = args.ips
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    ident = os.getpid() & 0xFFFF
    out = open(args.log, "w", buffering=1 << 16)
    seq = {ip: 0 for ip in ips}
    run = {ip: 0 for ip in ips}
    last_ack = {ip: -1 for ip in ips}
    payload = b"ipto-outage-probe"
    nxt = time.monotonic()
    next_state = nxt
    while not STOP:
        now = time.monotonic()
        if now >= nxt:
            for ip in ips:
                seq[ip] = (seq[ip] + 1) & 0xFFFF
                hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq[ip])
                pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + payload),
                                  ident, seq[ip]) + payload
                t = time.time()
                try:
                    sock.sendto(pkt, (ip, 0))
                except OSError:
                    pass  # no route / neighbour failed: unanswered
                out.write("s %.6f %s %d\n" % (t, ip, seq[ip]))
            nxt += args.interval
            if nxt < now:
                nxt = now + args.interval
        if now >= next_state:
            # five requests in a row without a reply break the run
            for ip in ips:
                if ((seq[ip] - last_ack[ip]) & 0xFFFF) > 5:
                    run[ip] = 0
            tmp = args.state + ".tmp"
            with open(tmp, "w") as f:
                for ip in ips:
                    f.write("%s %d\n" % (ip, run[ip]))
            os.rename(tmp, args.state)
            next_state = now + 0.1
            out.flush()
        r, _, _ = select.select([sock], [], [], max(0.0, min(nxt, next_state) - time.monotonic()))
        if not r:
            continue
        while True:
            try:
                data, addr = sock.recvfrom(2048)
            except BlockingIOError:
                break
            t = time.time()
            ihl = (data[0] & 0x0F) * 4
            if len(data) < ihl + 8:
                continue
            typ, _code, _ck, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            ip = addr[0]
            if typ != 0 or rid != ident or ip not in seq:
                continue
            out.write("r %.6f %s %d\n" % (t, ip, rseq))
            if ((rseq - last_ack[ip]) & 0xFFFF) == 1:
                run[ip] += 1
            else:
                run[ip] = 1
            last_ack[ip] = rseq
    out.close()


def run_arp(args):
    ips = args.ips
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
    sock.bind((args.iface, 0))
    sock.setblocking(False)
    mac = sock.getsockname()[4][:6]
    # our own IPv4 address on IFACE (SIOCGIFADDR)
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    me = fcntl.ioctl(s4.fileno(), 0x8915, struct.pack("256s", args.iface.encode()))[20:24]
    s4.close()
    targets = {socket.inet_aton(ip): ip for ip in ips}
    frames = {}
    for raw, ip in targets.items():
        frames[ip] = (b"\xff" * 6 + mac + b"\x08\x06" +
                      struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) +
                      mac + me + b"\0" * 6 + raw)
    out = open(args.log, "w", buffering=1 << 16)
    answered = {ip: [] for ip in ips}
    t_round = None
    nxt = time.monotonic()
    last_flush = nxt

    def close_round():
        if t_round is None:
            return
        for ip in ips:
            m = answered[ip]
            out.write("a %.6f %s %s\n" % (t_round, ip, ",".join(m) if m else "-"))
            answered[ip] = []

    while not STOP:
        now = time.monotonic()
        if now >= nxt:
            close_round()
            t_round = time.time()
            for ip in ips:
                try:
                    sock.send(frames[ip])
                except OSError:
                    pass
            nxt += args.interval
            if nxt < now:
                nxt = now + args.interval
            if now - last_flush >= 0.5:
                out.flush()
                last_flush = now
        r, _, _ = select.select([sock], [], [], max(0.0, nxt - time.monotonic()))
        if not r:
            continue
        while True:
            try:
                data = sock.recv(2048)
            except BlockingIOError:
                break
            if len(data) < 42:
                continue
            op = struct.unpack("!H", data[20:22])[0]
            sha, spa, tpa = data[22:28], data[28:32], data[38:42]
            if op != 2 or tpa != me or spa not in targets:
                continue
            m = ":".join("%02x" % b for b in sha)
            lst = answered[targets[spa]]
            if m not in lst:
                lst.append(m)
    close_round()
    out.close()


def load(log):
    sends, replies, rounds = {}, {}, {}
    with open(log) as f:
        for line in f:
            p = line.split()
            if len(p) != 4:
                continue
            k, t, ip = p[0], float(p[1]), p[2]
            if k == "s":
                sends.setdefault(ip, []).append((t, int(p[3])))
            elif k == "r":
                replies.setdefault(ip, []).append((t, int(p[3])))
            elif k == "a":
                rounds.setdefault(ip, []).append((t, [] if p[3] == "-" else p[3].split(",")))
    return sends, replies, rounds


def report(args):
    sends, replies, rounds = {}, {}, {}
    for log in args.logs.split(","):
        s, r, a = load(log)
        for d, x in ((sends, s), (replies, r), (rounds, a)):
            for k, v in x.items():
                d.setdefault(k, []).extend(v)
    for d in (sends, replies, rounds):
        for v in d.values():
            v.sort(key=lambda e: e[0])
    names = dict(kv.split("=", 1) for kv in args.ips)
    moves = []
    with open(args.marks) as f:
        for line in f:
            p = line.split()
            if len(p) == 4 and p[0] == "move":
                moves.append((p[1], float(p[2]), float(p[3])))
    if args.count_foreign:
        for ip, name in names.items():
            rs = [r for r in rounds.get(ip, [])
                  if not moves or any(t0 <= r[0] <= t1 for _, t0, t1 in moves)]
            secs, n, episodes, inside = 0.0, 0, 0, False
            for i, (t, macs) in enumerate(rs):
                host = args.count_foreign[:args.host_chars]
                bad = any(m[:args.host_chars] != host for m in macs)
                if bad:
                    dt = rs[i + 1][0] - t if i + 1 < len(rs) else 0.0
                    secs += dt
                    n += 1
                    if not inside:
                        episodes += 1
                inside = bad
            print("foreign %s %.2f %d %d" % (name, secs, n, episodes))
        return
    for mv, t0, t1 in moves:
        for ip, name in names.items():
            ss = [e for e in sends.get(ip, []) if t0 <= e[0] <= t1]
            rr = replies.get(ip, [])
            # a reply for a request counts when it came within 1 s
            got = {}
            for t, q in rr:
                if t0 - 1 <= t <= t1 + 1:
                    got.setdefault(q, []).append(t)
            lost = 0
            for t, q in ss:
                if not any(0 <= rt - t <= 1.0 for rt in got.get(q, [])):
                    lost += 1
            times = [e[0] for e in rr]
            i = bisect.bisect_left(times, t0)
            j = bisect.bisect_right(times, t1)
            win = times[max(0, i - 1):j]
            gap = max((b - a for a, b in zip(win, win[1:])), default=t1 - t0)
            if win and win[-1] < t1:
                gap = max(gap, t1 - win[-1])
            ar = rounds.get(ip, [])
            dual = hosts = 0.0
            last = set()
            for k, (t, macs) in enumerate(ar):
                if t < t0 or t > t1:
                    continue
                nt = ar[k + 1][0] if k + 1 < len(ar) else t
                if len(set(macs)) >= 2:
                    dual += min(nt, t1) - t
                if len(set(m[:args.host_chars] for m in macs)) >= 2:
                    hosts += min(nt, t1) - t
                if t >= t1 - 0.5:
                    last.update(macs)
            print("%s %s %d %d %.3f %.2f %.2f %s" % (mv, name, len(ss), lost, gap, dual,
                                                       hosts, ",".join(sorted(last)) or "-"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("ping")
    p.add_argument("log")
    p.add_argument("state")
    p.add_argument("ips", nargs="+")
    p.add_argument("--interval", type=float, default=0.01)
    a = sub.add_parser("arp")
    a.add_argument("iface")
    a.add_argument("log")
    a.add_argument("ips", nargs="+")
    a.add_argument("--interval", type=float, default=0.01)
    r = sub.add_parser("report")
    r.add_argument("logs", help="LOG[,LOG...]")
    r.add_argument("marks")
    r.add_argument("ips", nargs="+", help="IP=NAME")
    r.add_argument("--count-foreign", metavar="MAC")
    r.add_argument("--host-chars", type=int, default=14,
                   help="the leading characters of a MAC that name its host (14: 02:00:5e:KK:NN)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.mode == "ping":
        run_ping(args)
    elif args.mode == "arp":
        run_arp(args)
    else:
        report(args)


if __name__ == "__main__":
    sys.exit(main())
