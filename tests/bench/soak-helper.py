#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""soak-helper.py: the small parts of tests/bench/soak.sh that are easier
in Python. Each runs inside a namespace (ip netns exec NS python3 ...).

  held ADDR...           for each ADDR (no prefix length) held by an adapter
                         here: "ADDR MAC IFNAME" on stdout; the ones not
                         held here on stderr; exit 1 if any is missing
  check FILE             a client: FILE holds "ADDR MAC" lines (the holder's
                         adapter). Pings every ADDR (all at once; a second
                         ping for those that did not answer), then reads
                         the neighbour table. Prints one line
                         "checked=N wrong=W unreachable=U" and one line
                         "wrong ADDR have MAC want MAC" per wrong entry.
                         Exit 0 when W == 0.
  sample PID             "rss_kb=R fds=F" of process PID (from /proc)
"""
import json
import os
import subprocess
import sys


def ip_json(*args):
    return json.loads(subprocess.run(['ip', '-j'] + list(args), check=True,
                                     capture_output=True, text=True).stdout or '[]')


def cmd_held(addrs):
    macs = {l['ifname']: l.get('address', '') for l in ip_json('link', 'show')}
    where = {}
    for l in ip_json('-4', 'addr', 'show'):
        for a in l.get('addr_info', []):
            where[a['local']] = l['ifname']
    missing = 0
    for a in addrs:
        ifn = where.get(a)
        if ifn is None:
            print('not held here: %s' % a, file=sys.stderr)
            missing += 1
        else:
            print('%s %s %s' % (a, macs.get(ifn, '-'), ifn))
    return 1 if missing else 0


def ping_all(addrs, wait_s):
    procs = {a: subprocess.Popen(['ping', '-n', '-q', '-c', '1', '-W', str(wait_s), a],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for a in addrs}
    return [a for a, p in procs.items() if p.wait() != 0]


def cmd_check(path):
    want = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 2:
            want[f[0]] = f[1].lower()
    lost = ping_all(want, 2)
    if lost:
        lost = ping_all(lost, 2)
    have = {}
    for n in ip_json('-4', 'neigh', 'show'):
        if 'lladdr' in n:
            have[n['dst']] = (n['lladdr'].lower(), ','.join(n.get('state', [])))
    wrong = [(a, have.get(a, ('-', 'NONE')), m) for a, m in want.items()
             if have.get(a, ('-',))[0] != m]
    print('checked=%d wrong=%d unreachable=%d' % (len(want), len(wrong), len(lost)))
    for a, (mac, state), m in wrong:
        print('wrong %s have %s (%s) want %s' % (a, mac, state, m))
    return 1 if wrong else 0


def cmd_sample(pid):
    rss = -1
    with open('/proc/%s/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1])
    print('rss_kb=%d fds=%d' % (rss, len(os.listdir('/proc/%s/fd' % pid))))
    return 0


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ('held', 'check', 'sample'):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == 'held':
        return cmd_held(sys.argv[2:])
    if sys.argv[1] == 'check':
        return cmd_check(sys.argv[2])
    return cmd_sample(sys.argv[2])


if __name__ == '__main__':
    sys.exit(main())
