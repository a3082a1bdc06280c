#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-foreign-user.sh SRCROOT: no test reads the checkout as another user.
#
# A clone may sit where only its owner reaches: /root is 0700 on Debian. A
# step that runs as another user (su, runuser, setpriv, sudo -u, ...; and
# ocf-tester, which runs the agent's meta-data as nobody) must run a copy
# made by lan_stage (tests/netns/lan.sh): fresh mktemp -d directory in /tmp,
# 755, owned by root. Otherwise it fails with "Permission denied", rc 126.
#
#   1. static: every such step in the scripts of tests/ and examples/
#      names only variables set by lan_stage in its file (ocf-tester: its
#      agent, the last argument, is one); at least one step is found (the
#      OCF agent test's ocf-tester), so a broken scan cannot pass. A step
#      that runs only system tools on system paths (no file of the
#      checkout) may say so in a comment "foreign-user: no checkout" on
#      the line above it.
#   2. dynamic (root only, skips otherwise): the agent in a 0700 directory
#      (a clone in /root) fails for nobody exactly as ocf-tester saw it
#      (rc 126), and its lan_stage copy runs for nobody; the staged
#      directory is fresh, 755, root's, and the teardown removes it.
#
# This file itself runs su on an unstaged copy (the control of 2) and is
# not scanned. TAP output.
set -u
SRC=${1:?usage: check-foreign-user.sh SRCROOT}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }

# --- 1. static -------------------------------------------------------------
out=$(python3 - "$SRC" <<'EOF'
import os, re, sys

src = sys.argv[1]
me = os.path.join('tests', 'build', 'check-foreign-user.sh')
# commands that run something as another user
SWITCH = re.compile(
    r'(^|[\s;&|(`])('
    r'su\s+(-\S+\s+)*[a-z_][a-z0-9_-]*'
    r'|runuser\b|setpriv\b.*--re[ug]id|sudo\b.*\s-u\b'
    r'|chroot\b.*--userspec|capsh\b.*--user|start-stop-daemon\b.*(\s-c\b|--chuid)'
    r'|setuidgid\b|os\.set(e|re|res)?[ug]id\s*\('
    r')')
OCF_TESTER = re.compile(r'(^|[\s;&|(`])ocf-tester\b')
VAR = re.compile(r'\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9@*])')
STAGED = re.compile(r'\blan_stage\s+([A-Za-z_][A-Za-z0-9_]*)\s')


def scripts():
    for top in ('tests', 'examples'):
        for d, dirs, files in os.walk(os.path.join(src, top)):
            dirs.sort()
            for f in sorted(files):
                p = os.path.join(d, f)
                rel = os.path.relpath(p, src)
                if rel == me:
                    continue
                if f.endswith(('.sh', '.bash', '.py')):
                    yield rel, p
                    continue
                try:
                    with open(p, 'rb') as fh:
                        head = fh.readline()
                except OSError:
                    continue
                if head.startswith(b'#!') and re.search(rb'\b(sh|bash|dash|python3?)\b', head):
                    yield rel, p


def logical_lines(text):
    buf, start = '', None
    for i, line in enumerate(text.split('\n'), 1):
        if start is None:
            start = i
        if line.endswith('\\'):
            buf += line[:-1] + ' '
            continue
        yield start, buf + line
        buf, start = '', None


def strings_out(s):
    """s with '...' emptied, and "..." emptied when nothing expands in it."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == '\\':
            out.append(s[i:i + 2])
            i += 2
        elif c in '"\'':
            j = i + 1
            while j < len(s) and s[j] != c:
                j += 2 if c == '"' and s[j] == '\\' else 1
            body = s[i + 1:j]
            keep = c == '"' and ('$' in body or '`' in body)
            out.append(s[i:j + 1] if keep else c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def code(line):
    s = line.strip()
    if s.startswith('#'):
        return ''
    s = re.sub(r'\s#\s.*$', '', s)                 # trailing comment
    s = strings_out(s)                              # messages, sed scripts
    s = re.sub(r'\bcommand\s+-v\s+\S+', '', s)     # a look-up, not a run
    return s


checked = 0
tester_steps = 0
bad = []
for rel, p in scripts():
    text = open(p, encoding='utf-8', errors='replace').read()
    staged = set(STAGED.findall(text))
    raw = text.split('\n')
    for no, line in logical_lines(text):
        c = code(line)
        if not c:
            continue
        # A step that names no file of the checkout (system tools on
        # system paths only) says so on the line above it.
        declared = no >= 2 and 'foreign-user: no checkout' in raw[no - 2]
        tester = OCF_TESTER.search(c)
        if not tester and not SWITCH.search(c):
            continue
        checked += 1
        if tester:
            tester_steps += 1
            words = re.sub(r'\s\d*[<>]&?\s*\S+', ' ', c[tester.start():]).split()
            words = [w for w in words if w not in ('&&', '||', ';', '|')]
            agent = VAR.findall(words[-1]) if words else []
            if not agent or agent[0] not in staged:
                bad.append('%s:%d: ocf-tester runs %s as nobody, not a lan_stage copy'
                           % (rel, no, words[-1] if words else '?'))
            continue
        names = [v for v in VAR.findall(c) if v not in staged]
        if declared:
            continue
        if names:
            bad.append('%s:%d: runs as another user with %s, not lan_stage copies'
                       % (rel, no, ' '.join('$' + v for v in names)))
        elif not VAR.findall(c) and re.search(r'(^|\s)(\./|\.\./|[A-Za-z0-9_]+/)', c):
            bad.append('%s:%d: runs as another user on a relative path' % (rel, no))

for b in bad:
    print('# ' + b)
print('# %d step(s) as another user checked, %d ocf-tester' % (checked, tester_steps))
if tester_steps == 0:
    print('# no ocf-tester step found: the scan is broken')
sys.exit(1 if bad or tester_steps == 0 else 0)
EOF
)
rc=$?
echo "$out"
[ $rc = 0 ] && ok "every step as another user runs lan_stage copies" ||
	not_ok "steps as another user read the checkout (see above)"

# --- 2. dynamic ------------------------------------------------------------
dynamic() {
	local P S S2 d rc o want cmd
	P=$(mktemp -d /tmp/ipto-0700.XXXXXX) || { not_ok "mktemp"; return; }
	# shellcheck disable=SC2064
	trap "rm -rf '$P'" EXIT
	chmod 700 "$P"
	mkdir -p "$P/examples/ocf" && chmod 755 "$P/examples" "$P/examples/ocf"
	if [ -r /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs ]; then
		install -m 755 "$SRC/examples/ocf/ipto" "$P/examples/ocf/ipto"
		cmd=meta-data
		want='<resource-agent name="ipto"'
	else	# the agent needs ocf-shellfuncs; a script stands in for it
		printf '#!/bin/sh\necho staged-ok\n' >"$P/examples/ocf/ipto"
		chmod 755 "$P/examples/ocf/ipto"
		cmd=
		want=staged-ok
	fi
	# as ocf-tester's permission check runs it
	o=$(OCF_ROOT=/usr/lib/ocf su nobody -s /bin/sh -c "$P/examples/ocf/ipto $cmd" 2>&1)
	rc=$?
	[ $rc = 126 ] && ok "control: nobody cannot run the agent in a 0700 clone (rc 126)" ||
		not_ok "control: nobody ran the agent in a 0700 clone: rc $rc ($o)"

	LAN_ATEXIT=()
	# shellcheck source=../netns/lan.sh
	. "$SRC/tests/netns/lan.sh"
	lan_stage S "$P/examples/ocf/ipto" && lan_stage S2 "$P/examples/ocf/ipto" || {
		not_ok "lan_stage"
		return
	}
	o=$(OCF_ROOT=/usr/lib/ocf su nobody -s /bin/sh -c "$S $cmd" 2>&1)
	rc=$?
	[ $rc = 0 ] && grep -qF "$want" <<<"$o" &&
		ok "nobody runs the lan_stage copy ($S)" || not_ok "nobody on $S: rc $rc ($o)"
	d=${S%/*}
	[ "$(stat -c '%u %a' "$d")" = "0 755" ] && [ "$(stat -c '%u %a' "$S")" = "0 755" ] &&
		[ "${d#/tmp/ipto-stage.}" != "$d" ] && [ "${S2%/*}" != "$d" ] &&
		ok "the stage is a fresh mktemp directory of /tmp, root's, 755" ||
		not_ok "stage $d: $(stat -c '%u %a' "$d" "$S" | tr '\n' ' ') other ${S2%/*}"
	for c in "${LAN_ATEXIT[@]}"; do eval "$c"; done
	[ ! -e "$d" ] && [ ! -e "${S2%/*}" ] && ok "the teardown removes the stages" ||
		not_ok "stages left: $d ${S2%/*}"
}
if [ "$(id -u)" != 0 ]; then
	skip "dynamic part needs root (su nobody)"
elif ! command -v su >/dev/null || ! getent passwd nobody >/dev/null; then
	skip "dynamic part needs su and the user nobody"
else
	dynamic
fi

echo "1..$n"
[ $fails = 0 ]
