#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""agent-abuse.py: a hostile (or measuring) peer of ipto-agent, for the
namespace tests. It speaks the agent's protocol from its description in
doc/agent.md (its own HMAC, from Python's hmac module), so a test of the
agent does not rest on the agent's own client code.

  req HOST:PORT KEY WORD... [--ts-offset MS] [--tamper] [--save FILE]
                                      one request; print the reply line
  send HOST:PORT FILE                 send FILE's bytes; print the reply line
  slowloris HOST:PORT --conns N --interval MS --max S [--src ADDR]
  slowreader HOST:PORT KEY --max S [--src ADDR]
  flood HOST:PORT --src A.B.C. --from N --count N --per-src N --hold S
        [--ready FILE]
  measure HOST:PORT KEY --n N --gap MS
  fake-standby HOST:PORT REPLY        answer one request with REPLY (a
                                      forged, unauthenticated reply)

Each prints one summary line "key=value ..." the test reads.
"""
import argparse
import hashlib
import hmac
import os
import resource
import selectors
import socket
import sys
import time


def endpoint(s):
    host, port = s.rsplit(':', 1)
    return host.strip('[]'), int(port)


def load_key(path):
    return bytes.fromhex(open(path).read().strip())


def build(key, words, ts_offset=0, nonce=None):
    ts = int(time.time() * 1000) + ts_offset
    nonce = nonce or os.urandom(16).hex()
    body = 'ipto1 %d %s %s' % (ts, nonce, ' '.join(words))
    tag = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    return (body + ' ' + tag + '\n').encode(), nonce


def verify_reply(key, nonce, line):
    """'denied', ('ok'|'error', code, text), or None (bad tag/form)."""
    if line == b'denied':
        return 'denied'
    body, _, tag = line.rpartition(b' ')
    want = hmac.new(key, b'reply ' + nonce.encode() + b' ' + body,
                    hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(want, tag):
        return None
    status, code, text = (body.split(b' ', 2) + [b''])[:3]
    return status.decode(), int(code), text.decode()


def connect(addr, src=None, timeout=5.0):
    s = socket.socket(socket.AF_INET6 if ':' in addr[0] else socket.AF_INET)
    if src:
        s.bind((src, 0))
    s.settimeout(timeout)
    s.connect(addr)
    return s


def read_line(s, limit=4096):
    buf = b''
    while b'\n' not in buf and len(buf) < limit:
        d = s.recv(limit)
        if not d:
            break
        buf += d
    return buf


def closed_after(s):
    """Whether the peer closes the connection after its reply."""
    try:
        s.settimeout(5.0)
        while True:
            d = s.recv(4096)
            if not d:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def cmd_req(a):
    key = load_key(a.key)
    line, nonce = build(key, a.words, a.ts_offset)
    if a.tamper:
        # One word changed after the tag was computed.
        line = line.replace(a.tamper[0].encode(), a.tamper[1].encode(), 1)
    if a.save:
        open(a.save, 'wb').write(line)
        open(a.save + '.nonce', 'w').write(nonce)
    s = connect(endpoint(a.at), a.src)
    s.sendall(line)
    rep = read_line(s)
    closed = closed_after(s)
    v = verify_reply(key, nonce, rep.rstrip(b'\n'))
    print('reply=%r verdict=%s closed=%d' % (rep, v[0] if isinstance(v, tuple) else v,
                                             closed))


def cmd_send(a):
    data = open(a.file, 'rb').read()
    s = connect(endpoint(a.at), a.src)
    s.sendall(data)
    rep = read_line(s)
    print('reply=%r closed=%d' % (rep, closed_after(s)))


def cmd_slowloris(a):
    """Connections that send one byte every --interval ms of a request line
    that never ends. The agent must close each at its deadline."""
    addr = endpoint(a.at)
    conns, t0 = [], time.monotonic()
    for _ in range(a.conns):
        s = connect(addr, a.src)
        s.setblocking(False)
        conns.append([s, t0, None, 0])
    payload = b'ipto1 1 ' + b'a' * 400
    while time.monotonic() - t0 < a.max and any(c[2] is None for c in conns):
        for c in conns:
            if c[2] is not None:
                continue
            try:
                d = c[0].recv(4096)
                if d == b'' or b'denied' in d:
                    c[2] = time.monotonic() - c[1]
                    continue
            except BlockingIOError:
                pass
            except OSError:
                c[2] = time.monotonic() - c[1]
                continue
            try:
                c[0].send(payload[c[3] % len(payload):][:1])
                c[3] += 1
            except BlockingIOError:
                pass
            except OSError:
                c[2] = time.monotonic() - c[1]
        time.sleep(a.interval / 1000)
    done = [c[2] for c in conns if c[2] is not None]
    print('conns=%d closed=%d bytes_max=%d closed_after_ms_max=%d' % (
        len(conns), len(done), max(c[3] for c in conns),
        int(max(done) * 1000) if done else -1))


def cmd_slowreader(a):
    """Authenticated pings as fast as the socket takes them, never reading
    a reply; when the agent cuts the connection off, again on a new one,
    for --max seconds. The agent must cut each off and go on serving."""
    key = load_key(a.key)
    sent, cuts, t0, first_cut = 0, 0, time.monotonic(), None
    while time.monotonic() - t0 < a.max:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        if a.src:
            s.bind((a.src, 0))
        s.settimeout(0.5)
        try:
            s.connect(endpoint(a.at))
        except OSError:
            time.sleep(0.05)
            continue
        n = 0
        while time.monotonic() - t0 < a.max:
            line, _ = build(key, ['ping'])
            try:
                s.sendall(line)
                sent += 1
                n += 1
            except socket.timeout:
                continue
            except OSError:
                cuts += 1
                if first_cut is None:
                    first_cut = n
                break
        s.close()
    print('requests_sent=%d cut_off=%d first_cut_after_requests=%d' % (
        sent, cuts, first_cut if first_cut is not None else -1))


def cmd_flood(a):
    """--count source addresses x --per-src connections, each holding a
    half-sent line; a connection the agent closes is opened again, for
    --hold seconds."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    addr = endpoint(a.at)
    srcs = ['%s%d' % (a.src, a.first + i) for i in range(a.count)]
    sel = selectors.DefaultSelector()
    opened = denied = closed = 0

    def open_one(src):
        nonlocal opened
        s = socket.socket()
        s.setblocking(False)
        s.bind((src, 0))
        try:
            s.connect(addr)
        except BlockingIOError:
            pass
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, [src, 0])
        opened += 1

    for src in srcs:
        for _ in range(a.per_src):
            open_one(src)
    if a.ready:
        open(a.ready, 'w').write('%d\n' % opened)
    t0 = time.monotonic()
    peak = 0
    while time.monotonic() - t0 < a.hold:
        peak = max(peak, len(sel.get_map()))
        for k, ev in sel.select(0.1):
            s, (src, sent) = k.fileobj, k.data
            gone = False
            if ev & selectors.EVENT_READ:
                try:
                    d = s.recv(4096)
                    if b'denied' in d:
                        denied += 1
                    gone = d == b'' or b'denied' in d
                except BlockingIOError:
                    pass
                except OSError:
                    gone = True
            if not gone and ev & selectors.EVENT_WRITE and sent < 8:
                try:
                    s.send(b'x')
                    k.data[1] += 1
                except BlockingIOError:
                    pass
                except OSError:
                    gone = True
                if k.data[1] >= 8:
                    sel.modify(s, selectors.EVENT_READ, k.data)
            if gone:
                sel.unregister(s)
                s.close()
                closed += 1
                open_one(src)
    print('opened=%d held_peak=%d denied=%d closed_by_agent=%d' % (
        opened, peak, denied, closed))


def cmd_measure(a):
    """--n authenticated pings, --gap ms apart, each on a new connection:
    the time from connect() to a verified reply."""
    key = load_key(a.key)
    addr = endpoint(a.at)
    times, bad = [], 0
    for _ in range(a.n):
        t = time.monotonic()
        try:
            s = connect(addr, a.src, timeout=10.0)
            line, nonce = build(key, ['ping'])
            s.sendall(line)
            v = verify_reply(key, nonce, read_line(s).rstrip(b'\n'))
            s.close()
            if isinstance(v, tuple) and v[0] == 'ok':
                times.append((time.monotonic() - t) * 1000)
            else:
                bad += 1
        except OSError:
            bad += 1
        time.sleep(a.gap / 1000)
    times.sort()
    def q(p):
        return times[min(len(times) - 1, int(p * len(times)))] if times else -1
    print('served=%d failed=%d median_ms=%.2f p95_ms=%.2f max_ms=%.2f' % (
        len(times), bad, q(0.5), q(0.95), times[-1] if times else -1))


def cmd_fake_standby(a):
    ls = socket.socket(socket.AF_INET6 if ':' in a.at.rsplit(':', 1)[0] else socket.AF_INET)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(endpoint(a.at))
    ls.listen(1)
    if a.ready:
        open(a.ready, 'w').write('1\n')
    ls.settimeout(30)
    s, _ = ls.accept()
    s.settimeout(10)
    req = read_line(s)
    s.sendall(a.reply.encode().decode('unicode_escape').encode('latin-1'))
    s.close()
    print('request=%r' % req)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('req')
    r.add_argument('at')
    r.add_argument('key')
    r.add_argument('words', nargs='+')
    r.add_argument('--ts-offset', type=int, default=0)
    r.add_argument('--tamper', nargs=2)
    r.add_argument('--save')
    r.add_argument('--src')
    r = sub.add_parser('send')
    r.add_argument('at')
    r.add_argument('file')
    r.add_argument('--src')
    r = sub.add_parser('slowloris')
    r.add_argument('at')
    r.add_argument('--conns', type=int, default=4)
    r.add_argument('--interval', type=int, default=200)
    r.add_argument('--max', type=float, default=30)
    r.add_argument('--src')
    r = sub.add_parser('slowreader')
    r.add_argument('at')
    r.add_argument('key')
    r.add_argument('--max', type=float, default=30)
    r.add_argument('--src')
    r = sub.add_parser('flood')
    r.add_argument('at')
    r.add_argument('--src', required=True)
    r.add_argument('--first', type=int, required=True)
    r.add_argument('--count', type=int, required=True)
    r.add_argument('--per-src', type=int, required=True)
    r.add_argument('--hold', type=float, default=10)
    r.add_argument('--ready')
    r = sub.add_parser('measure')
    r.add_argument('at')
    r.add_argument('key')
    r.add_argument('--n', type=int, default=20)
    r.add_argument('--gap', type=int, default=100)
    r.add_argument('--src')
    r = sub.add_parser('fake-standby')
    r.add_argument('at')
    r.add_argument('reply')
    r.add_argument('--ready')
    a = p.parse_args()
    globals()['cmd_' + a.cmd.replace('-', '_')](a)


if __name__ == '__main__':
    main()
