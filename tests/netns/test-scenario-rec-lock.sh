#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Only root can hold the host lock (doc/record.md "The lock"). The lock
# used to be /run/lock/ipto-INODE.lock: /run/lock is world-writable and
# anyone reads the namespace number, so `nobody` could make the file and
# hold its flock, and root's takeover timed out. Now it is
# /run/ipto/INODE.lock (root's directory, 0755; the file 0600):
#   1. as nobody in the standby's namespace (setpriv, system tools only,
#      from /): make and flock the old path, try to make and to flock the
#      new one (both refused by the kernel); root's takeover goes through
#      meanwhile, within a 2 s lock timeout;
#   2. lock files root did not let the library make are refused, with the
#      exact message and exit 1, nothing taken over: a symbolic link
#      (nothing written through it), a file of another owner, and (in a
#      private mount namespace, so no other run sees it) a /run/ipto that
#      others may write;
#   3. the library makes the file itself again: root's, 0600, a regular
#      file, in a 0755 root directory.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

[ "$(id -u)" = 0 ] || lan_skip "needs root"
rec_up rec-lk- --need setpriv --need flock --quiet --clients 1 --actives 2 --ips 1 --takeover 2
ino=$(lan_exec sb stat -L -c %i /proc/self/ns/net)
OLD=/run/lock/ipto-$ino.lock
NEW=/run/ipto/$ino.lock
NOBODY_UID=$(id -u nobody) && NOBODY_GID=$(id -g nobody) || { bad "no user nobody"; finish; }
lan_atexit "rm -f '$OLD'"

# as_nobody CMD...: CMD as nobody in sb's namespace, from /, no groups.
as_nobody() {
	# foreign-user: no checkout (system tools on /run paths, from /)
	(cd / && lan_exec sb setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" \
		--clear-groups -- "$@")
}
# lock_line: what ipto logged about the lock in its last run.
lock_line() { grep -m1 'lock: ' <<<"$err"; }

# --- 1. nobody cannot make or hold it ----------------------------------------
lan_exec a1 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once --lock-timeout 2
check "root's first takeover exits 0 ($rc: $err)" [ $rc = 0 ]
check "the library made $NEW: root's, 0600, a regular file" \
	[ "$(stat -c '%u %a %F' "$NEW" 2>&1)" = "0 600 regular empty file" ]
check "... in /run/ipto: root's, 0755" [ "$(stat -c '%u %a' /run/ipto)" = "0 755" ]
rm -f "$OLD"
as_nobody sh -c 'N=$(stat -L -c %i /proc/self/ns/net); touch "/run/lock/ipto-$N.lock"'
check "nobody makes the old lock file $OLD" \
	[ "$(stat -c %u "$OLD" 2>/dev/null)" = "$NOBODY_UID" ]
as_nobody sh -c 'N=$(stat -L -c %i /proc/self/ns/net); exec flock -x "/run/lock/ipto-$N.lock" sh -c "echo held \$\$; exec sleep 60"' \
	>"$sc_tmp/nobody.out" 2>&1 &
holder=$!
lan_atexit "kill $holder 2>/dev/null"
lan_poll 10 grep -q '^held [0-9]' "$sc_tmp/nobody.out"
check "... and holds its flock (the old attack)" grep -q '^held [0-9]' "$sc_tmp/nobody.out"
# the holding sleep's pid (flock waits for it): ends the hold when killed
sleeper=$(awk '/^held/ { print $2 }' "$sc_tmp/nobody.out")
[ -n "$sleeper" ] && lan_atexit "kill $sleeper 2>/dev/null"
as_nobody sh -c 'N=$(stat -L -c %i /proc/self/ns/net); touch "/run/ipto/$N.lock"' 2>"$sc_tmp/touch.err"
check "nobody cannot touch $NEW: $(cat "$sc_tmp/touch.err")" \
	grep -q 'Permission denied' "$sc_tmp/touch.err"
as_nobody sh -c 'N=$(stat -L -c %i /proc/self/ns/net); flock -n -x "/run/ipto/$N.lock" true' 2>"$sc_tmp/flock.err"
check "nobody cannot flock $NEW: $(cat "$sc_tmp/flock.err")" \
	grep -q 'Permission denied' "$sc_tmp/flock.err"
as_nobody sh -c 'N=$(stat -L -c %i /proc/self/ns/net); rm -f "/run/ipto/$N.lock"; mkdir /run/ipto/x' 2>"$sc_tmp/rm.err"
check "nobody can neither remove it nor add to /run/ipto" \
	eval '[ -f "$NEW" ] && [ ! -e /run/ipto/x ] && [ "$(grep -c "Permission denied" "$sc_tmp/rm.err")" = 2 ]'
lan_exec a2 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once --lock-timeout 2
check "root's takeover of a2 goes through while nobody holds the old file ($rc: $(lock_line))" \
	eval '[ $rc = 0 ] && [ "$(marked sb)" = "tk1 $A1/24;tk2 $A2/24;" ]'
check "... without waiting for anyone" eval '! grep -q "waiting up to" <<<"$err"'
[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
wait "$holder" 2>/dev/null
ipto_on sb "${C[@]}" release --fail a1 --fail a2
check "release of both exits 0 ($rc)" [ $rc = 0 -a -z "$(marked sb)" ]

# --- 2. files the library did not make ----------------------------------------
echo canary >"$sc_tmp/canary" && chmod 600 "$sc_tmp/canary"
rm -f "$NEW" && ln -s "$sc_tmp/canary" "$NEW"
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once --lock-timeout 2
check "a link at $NEW: exit 1, '$(lock_line)'" \
	eval '[ $rc = 1 ] && grep -qxF "ipto: takeover: cannot take the host'"'"'s lock: lock: $NEW is a symbolic link: refused" <<<"$err"'
check "... nothing written through it, nothing taken over" \
	eval '[ "$(cat "$sc_tmp/canary")" = canary ] && [ -z "$(marked sb)" ]'
rm -f "$NEW" && touch "$NEW" && chown "$NOBODY_UID:$NOBODY_GID" "$NEW" && chmod 600 "$NEW"
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once --lock-timeout 2
check "a file of nobody's at $NEW: exit 1, '$(lock_line)'" \
	eval '[ $rc = 1 ] && grep -qxF "ipto: takeover: cannot take the host'"'"'s lock: lock: $NEW belongs to uid $NOBODY_UID, not 0: refused" <<<"$err"'
check "... nothing taken over" [ -z "$(marked sb)" ]
rm -f "$NEW"
# A /run/ipto others may write, in a mount namespace of its own.
lan_exec sb unshare -m --propagation private sh -c \
	'mount -t tmpfs -o mode=0777 ipto-lock-test /run/ipto && exec "$@"' sh \
	"$IPTO" "${C[@]}" takeover --fail a1 --schedule once --lock-timeout 2 \
	>"$sc_tmp/out" 2>"$sc_tmp/err"
rc=$?
err=$(cat "$sc_tmp/err")
check "a world-writable /run/ipto: exit 1, '$(lock_line)'" \
	eval '[ $rc = 1 ] && grep -qxF "ipto: takeover: cannot take the host'"'"'s lock: lock: /run/ipto is writable by other users (mode 0777): refused" <<<"$err"'
check "... nothing taken over" [ -z "$(marked sb)" ]

# --- 3. made again by the library ---------------------------------------------
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once --lock-timeout 2
check "with the bad files gone the takeover exits 0 ($rc)" \
	eval '[ $rc = 0 ] && [ "$(marked sb)" = "tk1 $A1/24;" ]'
check "... and $NEW is the library's again: root's, 0600" \
	[ "$(stat -c '%u %a %h %F' "$NEW" 2>&1)" = "0 600 1 regular empty file" ]
ipto_on sb "${C[@]}" release --fail a1
check "release exits 0" [ $rc = 0 -a -z "$(marked sb)" ]
finish
