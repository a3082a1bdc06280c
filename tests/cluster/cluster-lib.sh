# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# cluster-lib.sh: real cluster engines (Pacemaker + corosync, keepalived) on
# the test LAN of tests/netns/lan.sh, on one machine. Source it after lan.sh
# and lan_up:
#
#   . "$LAN_SH"; . cluster-lib.sh
#   lan_up --prefix ipto-pcmk- --clients 1 --actives 1 --ips 1 --takeover 1
#   cl_host a1; cl_host sb          # mount + UTS namespace, hostname, dirs
#   cl_mgmt a1; cl_mgmt sb          # adapter hb0 on 198.51.100.H (the
#                                   # management network: heartbeat, VRRP)
#   pcmk_up a1 sb                   # corosync + Pacemaker, wait for quorum
#   cl_exec sb crm_mon -1
#   cl_crash a1                     # every process SIGKILLed, cables pulled
#   cl_reboot a1                    # runtime addresses gone, cables back
#   pcmk_start a1                   # the daemons again
#
# Every host is one of lan.sh's namespaces plus a private mount and UTS
# namespace (persisted by bind mounts under $CL_DIR/ns) in which /run,
# /dev/shm, /etc/corosync, /var/lib/{corosync,pacemaker}, /var/log/... are
# the host's own directories under $CL_DIR/<host>. The machine's own
# services, files and namespaces are never touched; teardown (registered
# with lan_atexit) stops every daemon, unmounts and removes $CL_DIR.
#
# The host name of each namespace is the lan.sh node name (a1, sb): the
# cluster node names are the names of the ipto cluster description.

CL_DIR=
CL_HOSTS=()
CL_MGMT_NET=198.51.100

cl_skip() { lan_skip "$@"; }
_cl_err() { echo "cluster: $*" >&2; }
cl_log() { echo "[$(date +%T.%N | cut -c1-12)] $*" >&2; }
cl_now() { date +%s.%N; }

# cl_init: the state directory (private mount point for the ns files) and
# the teardown. Called by cl_host on first use.
cl_init() {
	[ -n "$CL_DIR" ] && return 0
	CL_DIR=$(mktemp -d "/tmp/${LAN_PREFIX}cluster.XXXXXX") || return 1
	mkdir -p "$CL_DIR/ns" &&
		mount --bind "$CL_DIR/ns" "$CL_DIR/ns" &&
		mount --make-private "$CL_DIR/ns" || {
		_cl_err "cannot prepare $CL_DIR/ns"
		return 1
	}
	lan_atexit cl_down
}

# cl_exec HOST CMD...: run CMD in HOST's network, mount and UTS namespaces.
cl_exec() {
	local h=$1
	shift
	nsenter --net="/run/netns/$(lan_ns "$h")" --mount="$CL_DIR/ns/$h.mnt" \
		--uts="$CL_DIR/ns/$h.uts" -- "$@"
}

# cl_host HOST: give lan.sh node HOST its own mount + UTS namespace.
cl_host() {
	local h=$1 d
	cl_init || return 1
	d=$CL_DIR/$h
	mkdir -p "$d"/{etc-corosync,etc-keepalived,lib-corosync,log/pacemaker,log/corosync,run,lib-pacemaker/{cib,pengine,blackbox,cores},ra/heartbeat,ra/pacemaker,ra/libipto} || return 1
	chown -R hacluster:haclient "$d/lib-pacemaker" "$d/log/pacemaker" 2>/dev/null
	chmod 750 "$d"/lib-pacemaker/*
	chmod 770 "$d/log/pacemaker"
	touch "$CL_DIR/ns/$h.mnt" "$CL_DIR/ns/$h.uts"
	# The mount namespace is made from inside HOST's netns, so that its
	# fresh sysfs shows HOST's adapters. Its copies of /run/netns/* and of
	# our ns files would pin those namespaces: they go first.
	nsenter --net="/run/netns/$(lan_ns "$h")" \
		unshare --mount="$CL_DIR/ns/$h.mnt" --uts="$CL_DIR/ns/$h.uts" \
		--propagation private /bin/sh -ec "
		hostname '$h'
		umount -l /run/netns 2>/dev/null || true
		umount -l '$CL_DIR/ns' 2>/dev/null || true
		mount -t sysfs '${LAN_PREFIX}sys' /sys
		mount -t tmpfs -o mode=1777,size=64m '${LAN_PREFIX}shm' /dev/shm
		for r in heartbeat pacemaker; do
			[ -d /usr/lib/ocf/resource.d/\$r ] &&
				mount --bind /usr/lib/ocf/resource.d/\$r '$d/ra/'\$r
		done
		mount --rbind '$d/ra' /usr/lib/ocf/resource.d
		mount --bind '$d/run' /run
		mkdir -p /run/lock /run/crm /run/resource-agents
		chmod 1777 /run/lock
		mount --bind '$d/etc-corosync' /etc/corosync
		[ -d /etc/keepalived ] && mount --bind '$d/etc-keepalived' /etc/keepalived
		mount --bind '$d/lib-corosync' /var/lib/corosync
		mount --bind '$d/lib-pacemaker' /var/lib/pacemaker
		mount --bind '$d/log/pacemaker' /var/log/pacemaker
		mount --bind '$d/log/corosync' /var/log/corosync
	" || {
		_cl_err "cannot make the namespaces of $h"
		return 1
	}
	CL_HOSTS+=("$h")
}

# cl_mgmt HOST: the management network: adapter hb0, 198.51.100.H/24 (H as
# lan.sh numbers HOST's first address: sb 2, a1 11, a2 21).
cl_mgmt() {
	local h=$1 n
	n=$(cl_mgmt_host "$h") || return 1
	lan_add_port "$h" hb0 &&
		ip -n "$(lan_ns "$h")" addr add "$CL_MGMT_NET.$n/24" dev hb0
}

cl_mgmt_host() {
	case $1 in
	sb) echo 2 ;;
	a[1-9]) echo $((10 * ${1#a} + 1)) ;;
	*) _cl_err "no management address for $1"; return 1 ;;
	esac
}

cl_mgmt_ip() { echo "$CL_MGMT_NET.$(cl_mgmt_host "$1")"; }

# cl_pids HOST: every process inside HOST's network namespace.
cl_pids() { ip netns pids "$(lan_ns "$1")" 2>/dev/null; }

# cl_pss HOST: the proportional set size of HOST's processes, MiB.
cl_pss() {
	local p k=0 v
	for p in $(cl_pids "$1"); do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		k=$((k + ${v:-0}))
	done
	echo $((k / 1024))
}

# cl_kill_all HOST SIG: SIG to every process of HOST until none is left
# (KILL after the first rounds).
cl_kill_all() {
	local h=$1 sig=$2 i p
	for ((i = 0; i < 100; i++)); do
		p=$(cl_pids "$h")
		[ -z "$p" ] && return 0
		# shellcheck disable=SC2086
		kill -s "$([ $i -lt 50 ] && echo "$sig" || echo KILL)" $p 2>/dev/null
		sleep 0.1
	done
	_cl_err "processes left in $h: $(cl_pids "$h" | tr '\n' ' ')"
	return 1
}

# cl_crash HOST: the host dies: every process at once (SIGKILL), and its
# cables are pulled at the switch (HOST's own adapters stay as they were,
# as on a host that lost power: nothing on it answers any more).
cl_crash() {
	local h=$1 ifn
	for ifn in $(ip -n "$(lan_ns "$h")" -br link show | awk '$1 != "lo" { sub(/@.*/, "", $1); print $1 }'); do
		lan_cable "$h" "$ifn" off
	done
	cl_kill_all "$h" KILL
}

# cl_detach HOST off|on: HOST's cables leave (join) the switch at the
# switch's end: its veth peers leave the bridge, so HOST still sees carrier
# and runs on, cut off (a split); on: back in the bridge.
cl_detach() {
	local ifn sw
	sw=$(lan_ns sw)
	for ifn in $(ip -n "$(lan_ns "$1")" -br link show | awk '$1 != "lo" { sub(/@.*/, "", $1); print $1 }'); do
		case $2 in
		off) ip -n "$sw" link set "$1-$ifn" nomaster ;;
		on) ip -n "$sw" link set "$1-$ifn" master "$LAN_BRIDGE" up ;;
		*) _cl_err "cl_detach HOST off|on"; return 1 ;;
		esac || return 1
	done
}

# cl_reboot HOST [IF ADDR...]: the host boots again: the addresses added
# at run time (ADDR/PREFIX on IF, e.g. by a resource) are gone, /run and
# /dev/shm are empty, the cables are back in.
cl_reboot() {
	local h=$1 ifn=${2:-} a d=$CL_DIR/$1
	shift 2 2>/dev/null
	for a in "$@"; do ip -n "$(lan_ns "$h")" addr del "$a" dev "$ifn" 2>/dev/null; done
	find "$d/run" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
	cl_exec "$h" sh -c 'mkdir -p /run/lock /run/crm /run/resource-agents; chmod 1777 /run/lock; find /dev/shm -mindepth 1 -delete'
	for ifn in $(ip -n "$(lan_ns "$h")" -br link show | awk '$1 != "lo" { sub(/@.*/, "", $1); print $1 }'); do
		lan_cable "$h" "$ifn" on
	done
}

# cl_since T: seconds since the clock read T (cl_now), 3 decimals.
cl_since() { awk -v t0="$1" -v t1="$(cl_now)" 'BEGIN { printf "%.3f", t1 - t0 }'; }
# cl_within D LIMIT: D <= LIMIT (seconds, decimals).
cl_within() { awk -v d="$1" -v l="$2" 'BEGIN { exit !(d <= l) }'; }

# cl_macs4 CLIENT ADDR: the MACs that answer ARP requests for ADDR at
# CLIENT (3 broadcast requests, each answered by every holder), one a line.
cl_macs4() {
	lan_exec "$1" arping -I eth0 -c 3 -w 3 "$2" 2>/dev/null |
		sed -n 's/.*reply from [^ ]* \[\([0-9A-Fa-f:]*\)\].*/\1/p' | tr 'A-F' 'a-f' | sort -u
}

# --- a client pinging at a fixed interval --------------------------------------

CL_PING_INTERVAL=${CL_PING_INTERVAL:-0.1}

# cl_ping_start CLIENT IP LOG: ping IP from CLIENT every CL_PING_INTERVAL
# seconds (each reply stamped with ping's own clock: -D); prints the pid.
cl_ping_start() {
	ip netns exec "$(lan_ns "$1")" ping -D -n -O -i "$CL_PING_INTERVAL" -W 1 "$2" \
		>"$3" 2>&1 &
	echo $!
}

# cl_ping_stop PID: end the ping (SIGINT: it prints its summary).
cl_ping_stop() {
	local i
	kill -INT "$1" 2>/dev/null || return 0
	# (started in a command substitution: not our child, no wait)
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	return 0
}

# cl_replies_after LOG T: replies stamped after epoch time T.
cl_replies_after() {
	awk -v t="$2" -F'[][]' '/bytes from/ && $2 + 0 > t + 0 { n++ } END { print n + 0 }' "$1"
}

# cl_wait_replies LOG T N [SECS]: until LOG has N replies after time T.
cl_wait_replies() {
	local t=${4:-120} t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$t" ]; do
		[ "$(cl_replies_after "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	_cl_err "$1: fewer than $3 replies after $2 within ${t}s"
	return 1
}

# cl_ping_report LOG: "SENT LOST RUN GAP" from a stopped ping: requests
# sent, requests never answered, the longest run of unanswered requests in
# a row (by icmp_seq), and the longest time between two replies in a row
# (seconds, ping's own timestamps: the unanswered window).
cl_ping_report() {
	awk -F'[][]' '
		/bytes from/ {
			t = $2 + 0; if (last && t - last > gap) gap = t - last; last = t
			if (match($0, /icmp_seq=[0-9]+/)) {
				s = substr($0, RSTART + 9, RLENGTH - 9) + 0
				if (seen && s - prev - 1 > run) run = s - prev - 1
				prev = s; seen = 1
			}
		}
		/packets transmitted/ { split($0, f, " "); sent = f[1]; recv = f[4] }
		END { printf "%d %d %d %.2f\n", sent, sent - recv, run, gap }' "$1"
}

# --- Pacemaker + corosync ----------------------------------------------------

PCMK_TOKEN=${PCMK_TOKEN:-2000}
PCMK_UP_TIMEOUT=${PCMK_UP_TIMEOUT:-180}
PCMK_NODES=()
PCMK_SUPERVISE=()

# pcmk_have: the daemons are installed (else the caller skips).
pcmk_have() {
	command -v corosync >/dev/null && command -v pacemakerd >/dev/null &&
		command -v cibadmin >/dev/null && command -v crm_mon >/dev/null &&
		command -v corosync-keygen >/dev/null && id hacluster >/dev/null 2>&1
}

# pcmk_require [IPaddr2]: skip (77) unless root, with the daemons and the
# OCF shell functions installed (and IPaddr2, if named).
pcmk_require() {
	[ "$(id -u)" = 0 ] || lan_skip "needs root"
	pcmk_have || lan_skip "corosync/Pacemaker not installed (.ci/deps installs them)"
	[ -r /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs ] || lan_skip "resource-agents not installed"
	[ "${1:-}" != IPaddr2 ] || [ -x /usr/lib/ocf/resource.d/heartbeat/IPaddr2 ] ||
		lan_skip "resource-agents' IPaddr2 not installed"
}

_pcmk_conf() {
	local i=0 h
	cat <<EOF
totem {
	version: 2
	cluster_name: ${LAN_PREFIX}pcmk
	transport: knet
	crypto_cipher: aes256
	crypto_hash: sha256
	token: $PCMK_TOKEN
}
system {
	# a shared test machine: no SCHED_RR (PCMK_SCHED_RR), no cgroup moves
	sched_rr: ${PCMK_SCHED_RR:-no}
	move_to_root_cgroup: no
}
logging {
	to_stderr: no
	to_syslog: no
	to_logfile: yes
	logfile: /var/log/corosync/corosync.log
	timestamp: hires
}
quorum {
	provider: corosync_votequorum
$([ ${#PCMK_NODES[@]} = 2 ] && printf '\ttwo_node: 1')
}
nodelist {
EOF
	for h in "${PCMK_NODES[@]}"; do
		i=$((i + 1))
		printf '\tnode {\n\t\tname: %s\n\t\tnodeid: %d\n\t\tring0_addr: %s\n\t}\n' \
			"$h" "$i" "$(cl_mgmt_ip "$h")"
	done
	echo "}"
}

# The seeded CIB: no fencing devices in a test cluster, and a short
# dc-deadtime (the default idles 20 s before the first DC election).
_pcmk_cib() {
	cat <<EOF
<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
        <nvpair id="cib-bootstrap-options-dc-deadtime" name="dc-deadtime" value="2s"/>
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
EOF
}

# pcmk_start HOST: corosync, then pacemakerd, on HOST.
pcmk_start() {
	local h=$1 d=$CL_DIR/$1 i
	rm -f "$d/run/corosync.pid"
	cl_exec "$h" corosync -c /etc/corosync/corosync.conf </dev/null \
		>>"$d/log/corosync/stdout" 2>&1 || {
		_cl_err "$h: corosync did not start (see $d/log/corosync)"
		return 1
	}
	for ((i = 0; i < 100; i++)); do
		[ -s "$d/run/corosync.pid" ] && break
		sleep 0.1
	done
	# pacemakerd stays in the foreground; its children live in the same
	# namespaces, so cl_crash and teardown find them all. With
	# PCMK_SUPERVISE (an array: the supervisor and its options) it runs
	# as "${PCMK_SUPERVISE[@]}" -- pacemakerd.
	setsid nsenter --net="/run/netns/$(lan_ns "$h")" --mount="$CL_DIR/ns/$h.mnt" \
		--uts="$CL_DIR/ns/$h.uts" -- \
		env PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none \
		PATH="$PATH" ${PCMK_SUPERVISE[@]+"${PCMK_SUPERVISE[@]}" --} pacemakerd \
		</dev/null >>"$d/log/pacemaker/stdout" 2>&1 &
	disown
	echo $! >"$d/pacemakerd.pid"
}

# pcmk_online HOST: the number of online nodes seen from HOST, with quorum
# and a DC (else nothing).
pcmk_online() {
	local x
	x=$(cl_exec "$1" crm_mon -1 --output-as=xml 2>/dev/null) || return 1
	grep -q '<current_dc present="true".*with_quorum="true"' <<<"$x" || return 1
	grep -c '<node name=.*online="true"' <<<"$x"
}

# pcmk_wait_online HOST N [SECS]: until HOST sees N nodes online, quorate.
pcmk_wait_online() {
	local h=$1 n=$2 t=${3:-$PCMK_UP_TIMEOUT} t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$t" ]; do
		[ "$(pcmk_online "$h")" = "$n" ] && return 0
		sleep 0.3
	done
	_cl_err "$h does not see $n nodes online after ${t}s"
	cl_exec "$h" crm_mon -1 >&2
	return 1
}

# pcmk_up HOST...: a cluster of these hosts (each made by cl_host + cl_mgmt).
pcmk_up() {
	local h d
	PCMK_NODES=("$@")
	_pcmk_conf >"$CL_DIR/corosync.conf"
	_pcmk_cib >"$CL_DIR/cib.xml"
	corosync-keygen -k "$CL_DIR/authkey" >/dev/null 2>&1 || {
		_cl_err "corosync-keygen failed"
		return 1
	}
	for h in "$@"; do
		d=$CL_DIR/$h
		install -m 644 "$CL_DIR/corosync.conf" "$d/etc-corosync/corosync.conf" &&
			install -m 400 "$CL_DIR/authkey" "$d/etc-corosync/authkey" &&
			install -m 600 -o hacluster -g haclient "$CL_DIR/cib.xml" \
				"$d/lib-pacemaker/cib/cib.xml" || return 1
	done
	for h in "$@"; do pcmk_start "$h" || return 1; done
	pcmk_wait_online "$1" $# || return 1
	cl_exec "$1" crm_resource --wait --timeout=60s
}

# pcmk_where HOST RSC: the node RSC runs on, seen from HOST (empty: none).
pcmk_where() {
	cl_exec "$1" crm_resource --resource "$2" --locate 2>/dev/null |
		sed -n 's/.*is running on: *\([^ ]*\).*/\1/p' | head -n 1
}

# pcmk_wait_where HOST RSC NODE [SECS]: until RSC runs on NODE (seen from
# HOST) and the cluster has no action pending (--locate already names the
# node while the start is still running there).
pcmk_wait_where() {
	local t=${4:-120} t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$t" ]; do
		if [ "$(pcmk_where "$1" "$2")" = "$3" ] &&
			cl_exec "$1" crm_resource --wait --timeout="${t}s" >/dev/null 2>&1 &&
			[ "$(pcmk_where "$1" "$2")" = "$3" ]; then
			return 0
		fi
		sleep 0.2
	done
	_cl_err "$2 is not on $3 after ${t}s (on: '$(pcmk_where "$1" "$2")')"
	cl_exec "$1" crm_mon -1 -f >&2
	return 1
}

# pcmk_ipto CONF IPTO: the resource ip-a1 (the libipto OCF agent for node
# a1 of CONF, with the ipto command IPTO; monitor 2 s), placed on a1 by
# preference (score 100). Returns 1 naming what cibadmin refused.
pcmk_ipto() {
	local conf=$1 ipto=$2
	cl_exec a1 cibadmin --create -o resources --xml-text "
<primitive id='ip-a1' class='ocf' provider='libipto' type='ipto'>
  <instance_attributes id='ip-a1-ia'>
    <nvpair id='ip-a1-config' name='config' value='$conf'/>
    <nvpair id='ip-a1-node' name='node' value='a1'/>
    <nvpair id='ip-a1-if' name='interface' value='eth0'/>
    <nvpair id='ip-a1-ipto' name='ipto' value='$ipto'/>
  </instance_attributes>
  <operations>
    <op id='ip-a1-mon' name='monitor' interval='2s' timeout='20s'/>
    <op id='ip-a1-start' name='start' interval='0' timeout='30s'/>
    <op id='ip-a1-stop' name='stop' interval='0' timeout='30s'/>
  </operations>
</primitive>" ||
		{ _cl_err "pcmk_ipto: cibadmin ip-a1"; return 1; }
	cl_exec a1 cibadmin --create -o constraints --xml-text \
		"<rsc_location id='ip-a1-home' rsc='ip-a1' node='a1' score='100'/>" ||
		{ _cl_err "pcmk_ipto: constraint"; return 1; }
}

# pcmk_ipto_vip CONF IPTO VIP: the resources of the Pacemaker test and the
# outage bench: ip-a1 (pcmk_ipto) and vip (IPaddr2 on VIP/24: nic eth0 on
# a1, mgmt on sb), placed on a1 by preference (score 100).
pcmk_ipto_vip() {
	local vip=$3
	pcmk_ipto "$1" "$2" || return 1
	cl_exec a1 cibadmin --create -o resources --xml-text "
<primitive id='vip' class='ocf' provider='heartbeat' type='IPaddr2'>
  <instance_attributes id='vip-ia'>
    <nvpair id='vip-ip' name='ip' value='$vip'/>
    <nvpair id='vip-mask' name='cidr_netmask' value='24'/>
  </instance_attributes>
  <instance_attributes id='vip-ia-a1' score='2'>
    <rule id='vip-r-a1' score='0'><expression id='vip-e-a1' attribute='#uname' operation='eq' value='a1'/></rule>
    <nvpair id='vip-nic-a1' name='nic' value='eth0'/>
  </instance_attributes>
  <instance_attributes id='vip-ia-sb' score='1'>
    <rule id='vip-r-sb' score='0'><expression id='vip-e-sb' attribute='#uname' operation='eq' value='sb'/></rule>
    <nvpair id='vip-nic-sb' name='nic' value='mgmt'/>
  </instance_attributes>
  <operations>
    <op id='vip-mon' name='monitor' interval='2s' timeout='20s'/>
  </operations>
</primitive>" ||
		{ _cl_err "pcmk_ipto_vip: cibadmin vip"; return 1; }
	cl_exec a1 cibadmin --create -o constraints --xml-text \
		"<rsc_location id='vip-home' rsc='vip' node='a1' score='100'/>" ||
		{ _cl_err "pcmk_ipto_vip: constraint"; return 1; }
}

# pcmk_lan PREFIX AGENT: the hosts of the Pacemaker tests: lan_up (one
# client, a1 with SVC on eth0, sb with mgmt and tk1), SVC removed from a1's
# boot configuration (it is the resource's), a1 and sb as cluster hosts
# with management addresses and the OCF agent AGENT installed; sets
# MAC_A1, MAC_TK1 and CONF (the description, written and checked).
pcmk_lan() {
	local h
	lan_up --prefix "$1" --clients 1 --actives 1 --ips 1 --takeover 1 ||
		{ _cl_err "pcmk_lan: lan_up"; return 1; }
	ip -n "$(lan_ns a1)" addr del "$SVC/24" dev eth0 || { _cl_err "pcmk_lan: del $SVC"; return 1; }
	for h in a1 sb; do
		cl_host "$h" && cl_mgmt "$h" || { _cl_err "pcmk_lan: host $h"; return 1; }
		install -m 755 "$2" "$CL_DIR/$h/ra/libipto/ipto" || { _cl_err "pcmk_lan: agent"; return 1; }
	done
	MAC_A1=$(lan_mac a1 eth0)
	MAC_TK1=$(lan_mac sb tk1)
	CONF=$CL_DIR/ipto.conf
	printf 'node a1 %s/24 mac=%s\nadapter sb mgmt mac=%s management\nadapter sb tk1 mac=%s\n' \
		"$SVC" "$MAC_A1" "$(lan_mac sb mgmt)" "$MAC_TK1" >"$CONF"
	"$IPTO" -c "$CONF" check >/dev/null || { _cl_err "pcmk_lan: ipto check $CONF"; return 1; }
}

# pcmk_kill HOST [corosync]: the engine on HOST SIGKILLed: corosync and
# every Pacemaker daemon (or corosync alone), all stopped first and then
# killed, so that none of them acts on the death of another. A supervisor
# (ipto-supervise) is left alone. Returns 1 if there was nothing to kill.
pcmk_kill() {
	local p c victims=()
	for p in $(cl_pids "$1"); do
		c=$(cat "/proc/$p/comm" 2>/dev/null)
		case ${2:-all}:$c in
		*:corosync | all:pacemaker*) victims+=("$p") ;;
		esac
	done
	[ ${#victims[@]} -gt 0 ] || return 1
	kill -STOP "${victims[@]}" 2>/dev/null
	kill -KILL "${victims[@]}" 2>/dev/null
	return 0
}

# pcmk_daemons HOST: HOST's corosync and Pacemaker processes that still
# run (zombies not counted), "PID COMM" a line.
pcmk_daemons() {
	local p st
	for p in $(cl_pids "$1"); do
		st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$st" ] && [ "$st" != Z ] || continue
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		corosync | pacemaker*) echo "$p $(cat "/proc/$p/comm" 2>/dev/null)" ;;
		esac
	done
	return 0
}

# pcmk_restart HOST: the engine's daemons again, after pcmk_kill (what the
# killed daemons left first: libqb's IPC files in /dev/shm, corosync's pid
# file).
pcmk_restart() {
	cl_exec "$1" sh -c 'find /dev/shm -mindepth 1 -delete; rm -f /run/corosync.pid' 2>/dev/null
	pcmk_start "$1"
}

# pcmk_stop_all: every Pacemaker first (non-DC before DC stops hanging in
# a half-stopped cluster), then corosync; KILL whatever is left.
pcmk_stop_all() {
	local h
	for h in "${PCMK_NODES[@]}"; do
		[ -s "$CL_DIR/$h/pacemakerd.pid" ] || continue
		kill -TERM "$(cat "$CL_DIR/$h/pacemakerd.pid")" 2>/dev/null
	done
	for h in "${PCMK_NODES[@]}"; do
		[ -s "$CL_DIR/$h/pacemakerd.pid" ] || continue
		timeout 30 tail --pid="$(cat "$CL_DIR/$h/pacemakerd.pid")" -f /dev/null 2>/dev/null
		rm -f "$CL_DIR/$h/pacemakerd.pid"
	done
}

# --- keepalived (the kit of examples/keepalived) ----------------------------------

# ka_fail MESSAGE: FAIL: MESSAGE on stderr, what ipto-notify logged on each
# host, exit 1.
ka_fail() {
	local h
	echo "FAIL: $*" >&2
	for h in a1 sb; do
		[ -f "${CL_DIR:-/nonexistent}/$h/notify.log" ] &&
			sed "s/^/# $h notify: /" "$CL_DIR/$h/notify.log" >&2
	done
	exit 1
}

# ka_up PREFIX: the LAN of the keepalived tests (lan_up --prefix PREFIX:
# one client, a1 with one address, sb with tk1 and tk2, IPv6), SVC/24 and
# SVC6/64 taken off a1's boot addresses (the kit adds them), both hosts
# with their management network, and $CONF: a1 holds SVC and SVC6, sb has
# mgmt (management), tk1 and tk2. Sets MAC_A1, MAC_TK1, MAC_TK2, CONF.
# Returns 1 naming the step that failed.
ka_up() {
	local h
	lan_up --prefix "$1" --clients 1 --actives 1 --ips 1 --takeover 2 --ipv6 ||
		{ _cl_err "ka_up: lan_up"; return 1; }
	ip -n "$(lan_ns a1)" addr del "$SVC/24" dev eth0 || { _cl_err "ka_up: del $SVC"; return 1; }
	ip -n "$(lan_ns a1)" addr del "$SVC6/64" dev eth0 || { _cl_err "ka_up: del $SVC6"; return 1; }
	MAC_A1=$(lan_mac a1 eth0)
	MAC_TK1=$(lan_mac sb tk1)
	MAC_TK2=$(lan_mac sb tk2)
	for h in a1 sb; do cl_host "$h" && cl_mgmt "$h" || { _cl_err "ka_up: host $h"; return 1; }; done
	CONF=$CL_DIR/ipto.conf
	cat >"$CONF" <<EOF
node a1 $SVC/24 $SVC6/64 mac=$MAC_A1
adapter sb mgmt mac=$(lan_mac sb mgmt) management
adapter sb tk1 mac=$MAC_TK1
adapter sb tk2 mac=$MAC_TK2
EOF
}

# ka_kit KITDIR FILE...: the kit's FILEs (from KITDIR) in each host's
# /etc/keepalived, its keepalived-HOST.conf as keepalived.conf there, with
# $CONF as the description and ipto-notify calling $IPTO and logging to
# /etc/keepalived/notify.log ($CL_DIR/HOST/notify.log).
ka_kit() {
	local kit=$1 h f files=()
	shift
	for f in "$@"; do files+=("$kit/$f"); done
	for h in a1 sb; do
		install -m 755 "${files[@]}" "$CL_DIR/$h/etc-keepalived/" || { _cl_err "ka_kit: install"; return 1; }
		sed -e "s|/etc/ipto.conf|$CONF|" \
			-e "s|/etc/keepalived/ipto-notify |/etc/keepalived/ipto-notify --ipto $IPTO --log /etc/keepalived/notify.log |" \
			"$kit/keepalived-$h.conf" >"$CL_DIR/$h/etc-keepalived/keepalived.conf" ||
			{ _cl_err "ka_kit: keepalived-$h.conf"; return 1; }
		ln -s etc-keepalived/notify.log "$CL_DIR/$h/notify.log"
	done
}

# wait_for SECS DESCRIPTION CMD...: poll CMD every 0.1 s until it succeeds;
# after SECS seconds (by the clock) the caller's fail "not within SECSs:
# DESCRIPTION".
wait_for() {
	local t=$1 what=$2 t0=$SECONDS
	shift 2
	while [ $((SECONDS - t0)) -lt "$t" ]; do
		"$@" && return 0
		sleep 0.1
	done
	fail "not within ${t}s: $what"
}

# ka_start HOST: keepalived in HOST's namespaces, in the background, with
# /etc/keepalived/keepalived.conf (ka_kit), logging to
# $CL_DIR/HOST/keepalived.log.
# With KA_SUPERVISE (an array: the kit's supervisor and its options, as
# for every host) it runs under it: "${KA_SUPERVISE[@]}" ROLE -- keepalived
# ..., ROLE --interface eth0 on a1, --standby HOST elsewhere.
KA_SUPERVISE=()
ka_start() {
	local h=$1 role=()
	if [ ${#KA_SUPERVISE[@]} -gt 0 ]; then
		case $h in a1) role=(--interface eth0) ;; *) role=(--standby "$h") ;; esac
		role=("${KA_SUPERVISE[@]}" "${role[@]}" --)
	fi
	setsid nsenter --net="/run/netns/$(lan_ns "$h")" --mount="$CL_DIR/ns/$h.mnt" \
		--uts="$CL_DIR/ns/$h.uts" -- \
		${role[@]+"${role[@]}"} keepalived -n -l -D -G -P -f /etc/keepalived/keepalived.conf \
		-p /run/keepalived.pid -r /run/keepalived_vrrp.pid \
		</dev/null >>"$CL_DIR/$h/keepalived.log" 2>&1 &
	disown
}
# ka_signal HOST SIG: SIG to HOST's keepalived processes (ours: in its
# namespace).
ka_signal() {
	local p
	for p in $(cl_pids "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = keepalived ] && kill -s "$2" "$p"
	done
	return 0
}

# --- teardown ------------------------------------------------------------------

cl_down() {
	local h
	[ -n "$CL_DIR" ] || return 0
	if [ -n "${CL_KEEP_LOGS:-}" ]; then
		mkdir -p "$CL_KEEP_LOGS" && cp -a "$CL_DIR/out" "$CL_DIR"/*.pcap "$CL_KEEP_LOGS/" 2>/dev/null
		for h in "${CL_HOSTS[@]}"; do
			mkdir -p "$CL_KEEP_LOGS/$h"
			cp -a "$CL_DIR/$h/log" "$CL_DIR/$h/etc-keepalived" "$CL_DIR/$h"/*.log "$CL_KEEP_LOGS/$h/" 2>/dev/null
		done
	fi
	for h in "${CL_HOSTS[@]}"; do cl_kill_all "$h" KILL; done
	for h in "${CL_HOSTS[@]}"; do
		umount "$CL_DIR/ns/$h.mnt" 2>/dev/null
		umount "$CL_DIR/ns/$h.uts" 2>/dev/null
	done
	umount "$CL_DIR/ns" 2>/dev/null
	if grep -q " $CL_DIR" /proc/self/mountinfo; then
		_cl_err "mounts under $CL_DIR remain; not removing it"
		return 1
	fi
	rm -rf "$CL_DIR"
	CL_DIR=
}
