#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-keepalived-lock.sh IPTO KITDIR: no local user can make the keepalived
# kit's notify script (examples/keepalived/ipto-notify) write through a link
# or wait on a lock of theirs. The hosts a1 and sb are those of
# test-keepalived.sh (a private /run each, /run/lock mode 1777 as on a
# distribution); the script is run as root with the arguments keepalived
# passes it (keepalived-a1.conf, keepalived-sb.conf).
#
#   1. As nobody (system tools only, nothing from the checkout), plant at
#      the names the kit used to open as root: on a1 a symbolic link
#      /run/lock/ipto-notify-a1.lock to a root-owned 0600 canary file, on
#      sb a regular file of nobody's at that name, held locked by nobody.
#      Try the same at the names the kit uses now (/run/ipto,
#      /run/ipto/notify, its lock and event files): each attempt fails.
#   2. master on a1 (reclaim), stop, master on sb (takeover), stop: each
#      completes, the address is bound and released where it should be,
#      and the canary keeps its content and mtime.
#   3. What only root could have left in the kit's directory (a link, a
#      file of nobody's, a FIFO, a link for the directory, a directory
#      writable by others, a hard link to root's file) is refused with
#      exit 2 and a message naming it; the canary and nobody's directory
#      stay untouched; once removed, notify works.
#
# On the script before the fix (opening /run/lock/ipto-notify-NODE.lock
# with "exec 9>") step 2 fails: the canary is truncated (with
# fs.protected_symlinks=0) or the open is refused and the notify fails
# (with fs.protected_symlinks=1), and on sb the flock waits for nobody.
set -u
IPTO=${1:?usage: test-keepalived-lock.sh IPTO KITDIR}
KIT=${2:?usage: test-keepalived-lock.sh IPTO KITDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
: "${LAN_SH:=$HERE/../netns/lan.sh}"
# shellcheck source=../netns/lan.sh
. "$LAN_SH"
# shellcheck source=cluster-lib.sh
. "$HERE/cluster-lib.sh"

[ "$(id -u)" = 0 ] || lan_skip "needs root"
for c in setpriv flock timeout; do
	command -v "$c" >/dev/null || lan_skip "$c not installed"
done
id nobody >/dev/null 2>&1 || lan_skip "no user nobody"
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)

fail() {
	echo "FAIL: $*" >&2
	[ -f "${CL_DIR:-/nonexistent}/notify.log" ] && sed 's/^/# notify: /' "$CL_DIR/notify.log" >&2
	exit 1
}
ok() { echo "ok - $*"; }
echo "# fs.protected_symlinks=$(sysctl -n fs.protected_symlinks) fs.protected_regular=$(sysctl -n fs.protected_regular)"

SVC=192.0.2.11
OLD_LOCK=/run/lock/ipto-notify-a1.lock
lan_up --prefix ipto-kal- --clients 1 --actives 1 --ips 1 --takeover 1 || fail "lan_up"
ip -n "$(lan_ns a1)" addr del "$SVC/24" dev eth0 || fail "del $SVC"
# /run as on a distribution: root's, 0755 (/run/lock: 1777, cl_host)
for h in a1 sb; do cl_host "$h" && chmod 755 "$CL_DIR/$h/run" || fail "host $h"; done
CONF=$CL_DIR/ipto.conf
cat >"$CONF" <<EOF
node a1 $SVC/24 mac=$(lan_mac a1 eth0)
adapter sb mgmt mac=$(lan_mac sb mgmt) management
adapter sb tk1 mac=$(lan_mac sb tk1)
EOF
NOTIFY=$CL_DIR/ipto-notify
install -m 755 "$KIT/ipto-notify" "$NOTIFY" || fail "kit"

# the canary: root's, 0600, an mtime of long ago
CANARY=$CL_DIR/canary
printf 'root only\n' >"$CANARY" && chmod 600 "$CANARY" && touch -d @1000000000 "$CANARY" ||
	fail "canary"
canary_state() { stat -c '%s %Y %a %u %i' "$CANARY" && sha256sum <"$CANARY"; }
CANARY0=$(canary_state)
canary_ok() {
	local now
	now=$(canary_state)
	[ "$now" = "$CANARY0" ] ||
		fail "$1: the canary changed: '$(echo $CANARY0)' -> '$(echo $now)'"
}

# as_nobody HOST CMD...: CMD as nobody in HOST's namespaces, from /
as_nobody() {
	local h=$1
	shift
	# foreign-user: no checkout (system tools on /run paths, from /)
	cl_exec "$h" setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- \
		sh -c 'cd / && exec "$@"' sh "$@"
}
# notify HOST ARGS... EVENT: the script as keepalived runs it (as root)
notify() {
	local h=$1
	shift
	timeout 60 nsenter --net="/run/netns/$(lan_ns "$h")" --mount="$CL_DIR/ns/$h.mnt" \
		--uts="$CL_DIR/ns/$h.uts" -- \
		"$NOTIFY" --ipto "$IPTO" --config "$CONF" --log "$CL_DIR/notify.log" "$@" \
		</dev/null 2>"$CL_DIR/notify.err"
}
holds() { lan_exec "$1" ip -br addr show dev "$2" | grep -q " $SVC/"; }
# until CMD holds (a detached ipto may still be finishing), at most 10 s
wait_for() {
	local what=$1 t0=$SECONDS
	shift
	while [ $((SECONDS - t0)) -lt 10 ]; do
		"$@" && return 0
		sleep 0.1
	done
	fail "not within 10s: $what"
}

# --- 1. the unprivileged user plants -------------------------------------------
as_nobody a1 ln -s "$CANARY" "$OLD_LOCK" || fail "nobody cannot plant the link on a1"
[ "$(cl_exec a1 stat -c %U "$OLD_LOCK")" = nobody ] && [ -L "$CL_DIR/a1$OLD_LOCK" ] ||
	fail "a1: $OLD_LOCK is not nobody's link"
as_nobody sb touch "$OLD_LOCK" || fail "nobody cannot plant the file on sb"
# foreign-user: no checkout (system tools on /run paths, from /)
cl_exec sb setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- \
	sh -c 'cd / && exec flock -x "$1" sleep 600' sh "$OLD_LOCK" </dev/null >/dev/null 2>&1 &
disown
wait_for "nobody holds $OLD_LOCK on sb" eval "! as_nobody sb flock -n -x $OLD_LOCK true"
ok "nobody planted a link to a root-owned 0600 file at $OLD_LOCK on a1, and holds a file of its own there on sb"

# the names the kit uses now: nobody can create none of them, before or
# after root made the directories
try_new_names() {
	local h=$1 p
	for p in /run/ipto /run/ipto/notify /run/ipto/notify/a1.lock \
		/run/ipto/notify/a1.want /run/ipto-notify; do
		if as_nobody "$h" ln -s "$CANARY" "$p" 2>/dev/null ||
			as_nobody "$h" mkdir "$p" 2>/dev/null ||
			as_nobody "$h" touch "$p" 2>/dev/null; then
			fail "$h: nobody could create $p"
		fi
		if cl_exec "$h" test -e "$p" && [ "$(cl_exec "$h" stat -c %u "$p")" != 0 ]; then
			fail "$h: $p is not root's"
		fi
	done
}
for h in a1 sb; do try_new_names "$h"; done
ok "nobody cannot create /run/ipto, /run/ipto/notify, its lock or event file, /run/ipto-notify"

# --- 2. the notify path works, and writes through nothing ---------------------
notify a1 --node a1 --interface eth0 master || fail "a1 master: exit $? ($(cat "$CL_DIR/notify.err"))"
canary_ok "a1 master"
wait_for "a1 holds $SVC on eth0" holds a1 eth0
ok "a1 master: $SVC bound on eth0, the canary kept its content and mtime"
[ "$(cl_exec a1 stat -c '%F %U %a' /run/ipto/notify/a1.lock)" = "regular empty file root 600" ] ||
	fail "a1: the lock is $(cl_exec a1 stat -c '%F %U %a' /run/ipto/notify/a1.lock)"
[ "$(cl_exec a1 stat -c '%F %U %a' /run/ipto/notify)" = "directory root 700" ] ||
	fail "a1: the kit's directory is $(cl_exec a1 stat -c '%F %U %a' /run/ipto/notify)"
[ "$(cl_exec a1 readlink "$OLD_LOCK")" = "$CANARY" ] || fail "a1: nobody's link changed"
ok "a1: the lock is /run/ipto/notify/a1.lock (root, 0600, in a 0700 directory); nobody's link is left alone"
try_new_names a1

notify a1 --node a1 --interface eth0 stop || fail "a1 stop: exit $? ($(cat "$CL_DIR/notify.err"))"
canary_ok "a1 stop"
holds a1 eth0 && fail "a1 stop: $SVC still on eth0"
ok "a1 stop: $SVC released, the canary unchanged"

notify sb --node a1 --standby sb master || fail "sb master: exit $? ($(cat "$CL_DIR/notify.err"))"
wait_for "sb holds $SVC on tk1" holds sb tk1
ok "sb master while nobody holds $OLD_LOCK: $SVC taken over on tk1"
notify sb --node a1 --standby sb stop || fail "sb stop: exit $? ($(cat "$CL_DIR/notify.err"))"
holds sb tk1 && fail "sb stop: $SVC still on tk1"
canary_ok "sb"
[ "$(cl_exec sb stat -c '%U %s' "$OLD_LOCK")" = "nobody 0" ] || fail "sb: nobody's file changed"
ok "sb stop: $SVC released; nobody's file and the canary unchanged"

# --- 3. what is not the kit's own in its directory is refused -----------------
# refused WHAT: a1 stop exits 2 naming the lock or directory, the canary
# is unchanged and $SVC (bound for the check) stays bound
refused() {
	local rc
	notify a1 --node a1 --interface eth0 stop
	rc=$?
	[ $rc = 2 ] || fail "$1: exit $rc, not 2 ($(cat "$CL_DIR/notify.err"))"
	grep -q 'refusing it' "$CL_DIR/notify.err" || fail "$1: $(cat "$CL_DIR/notify.err")"
	canary_ok "$1"
	holds a1 eth0 || fail "$1: $SVC was released anyway"
	ok "$1: refused ($(cat "$CL_DIR/notify.err"))"
}
notify a1 --node a1 --interface eth0 master || fail "a1 master again: exit $?"
wait_for "a1 holds $SVC on eth0" holds a1 eth0
RUN=$CL_DIR/a1/run
rm -f "$RUN/ipto/notify/a1.lock" && ln -s "$CANARY" "$RUN/ipto/notify/a1.lock" || fail "plant 3a"
refused "a link for the lock"
rm -f "$RUN/ipto/notify/a1.lock" && touch "$RUN/ipto/notify/a1.lock" &&
	chown nobody "$RUN/ipto/notify/a1.lock" || fail "plant 3b"
refused "a lock of nobody's"
rm -f "$RUN/ipto/notify/a1.lock" && mkfifo -m 600 "$RUN/ipto/notify/a1.lock" || fail "plant 3c"
refused "a FIFO for the lock"
rm -f "$RUN/ipto/notify/a1.lock"
as_nobody a1 mkdir -m 777 /run/lock/nobodys || fail "nobody's directory"
mv "$RUN/ipto/notify" "$RUN/ipto/notify.kit" && ln -s /run/lock/nobodys "$RUN/ipto/notify" ||
	fail "plant 3d"
refused "a link for the directory"
[ -z "$(ls -A "$RUN/lock/nobodys")" ] || fail "written into nobody's directory: $(ls -A "$RUN/lock/nobodys")"
rm "$RUN/ipto/notify" && mv "$RUN/ipto/notify.kit" "$RUN/ipto/notify" && chmod 733 "$RUN/ipto/notify" ||
	fail "plant 3e"
refused "a directory others may write to"
chmod 700 "$RUN/ipto/notify"
# root's own file under a second name: passes the checks by name, not the
# check of what was opened (one name only)
ln "$CANARY" "$RUN/ipto/notify/a1.lock" || fail "plant 3f"
refused "a second name of a root-owned file for the lock"
rm -f "$RUN/ipto/notify/a1.lock"
notify a1 --node a1 --interface eth0 stop || fail "a1 stop after the cleanup: exit $?"
holds a1 eth0 && fail "a1 stop after the cleanup: $SVC still on eth0"
canary_ok "the end"
ok "once removed, a1 stop releases $SVC; the canary kept its content and mtime throughout"
