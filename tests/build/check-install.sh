#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install into a scratch root, then build and run a consumer the way a user
# does: pkg-config --cflags --libs libipto, <ipto/ipto.h>, -std=c99 -pedantic.
# Packaging: every installed path (library, headers, pkg-config file, man
# pages, docs, OCF agent, systemd unit, keepalived kit) lies under the
# prefix and arrives under the destdir; pkg-config --modversion is the
# project version; the installed library needs no libpcap (it is dlopen()ed)
# and libnl only when built with it. With a system prefix (/usr,
# /usr/local) the build is also configured (not compiled) with the custom
# prefix /opt/libipto-test and its install paths checked the same way.
# usage: check-install.sh BUILDDIR CONSUMER.c [SOURCE_ROOT]
set -eu
build=$1 consumer=$2 src=${3:-}
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
opt() { meson introspect --buildoptions "$1" | jq -r ".[] | select(.name == \"$2\") | .value"; }
# under_prefix BUILDDIR: every install path of BUILDDIR under its prefix
# (or under an absolute sysconfdir/localstatedir, as meson makes them for
# --prefix=/usr: /etc, /var)
under_prefix() {
	p=$(opt "$1" prefix) etc=$(opt "$1" sysconfdir) var=$(opt "$1" localstatedir)
	n=0
	for f in $(meson introspect --installed "$1" | jq -r '.[]'); do
		n=$((n + 1))
		case $f in
		"$p"/*) ;;
		/*) case $etc$var in
		    /*) case $f in "$etc"/*|"$var"/*) continue ;; esac ;;
		    esac
		    echo "FAIL: --prefix=$p installs $f, outside the prefix"; fail=1 ;;
		*) echo "FAIL: relative install path $f"; fail=1 ;;
		esac
	done
	echo "checked: $n install paths of --prefix=$p"
}
prefix=$(opt "$build" prefix)
meson install -C "$build" --no-rebuild --destdir "$tmp/root" --quiet >/dev/null
under_prefix "$build"
for f in $(meson introspect --installed "$build" | jq -r '.[]'); do
	[ -e "$tmp/root$f" ] || [ -L "$tmp/root$f" ] ||
		{ echo "FAIL: $f is not under the destdir"; fail=1; }
done
meson introspect --installed "$build" | jq -r '.[]' >"$tmp/installed"
for what in '/libipto\.so\.1$' '/include/ipto/ipto\.h$' '/pkgconfig/libipto\.pc$' \
		'/man3/libipto\.3$' '/doc/libipto/[^/]*\.md$' '/resource\.d/libipto/ipto$' \
		'/ipto-agent\.service$' '/keepalived/ipto-notify$'; do
	case $what in	# the parts a build may leave out
	*resource.d*|*keepalived*) grep -q '/bin/ipto$' "$tmp/installed" || continue ;;
	*service*)
		grep -q '/sbin/ipto-agent$' "$tmp/installed" || continue
		[ "$(opt "$build" systemdunitdir)" != no ] || continue ;;
	*man3*|*doc/*) [ -d "$build/doc" ] || continue ;;
	esac
	grep -q "$what" "$tmp/installed" ||
		{ echo "FAIL: nothing installed matches $what"; fail=1; }
done

# The custom prefix, configured only: where each file would go, what the
# pkg-config file and the systemd unit say.
if [ -n "$src" ] && { [ "$prefix" = /usr ] || [ "$prefix" = /usr/local ]; }; then
	custom=/opt/libipto-test
	meson setup "$tmp/custom" "$src" --prefix="$custom" >"$tmp/custom.log" 2>&1 ||
		{ tail -n 30 "$tmp/custom.log"; echo "FAIL: meson setup --prefix=$custom"; exit 1; }
	under_prefix "$tmp/custom"
	pc=$tmp/custom/meson-private/libipto.pc
	grep -qx "prefix=$custom" "$pc" ||
		{ echo "FAIL: libipto.pc of --prefix=$custom: $(grep '^prefix=' "$pc")"; fail=1; }
	unit=$(find "$tmp/custom/examples" -name ipto-agent.service | head -n 1)
	if [ -n "$unit" ]; then
		grep -q "^ExecStart=$custom/" "$unit" ||
			{ echo "FAIL: ipto-agent.service of --prefix=$custom: $(grep '^ExecStart=' "$unit")"; fail=1; }
	fi
fi

pcdir=$(dirname "$(find "$tmp/root" -name libipto.pc | head -n1)")
[ -f "$pcdir/libipto.pc" ] || { echo "FAIL: libipto.pc not installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
version=$(meson introspect --projectinfo "$build" | jq -r .version)
modversion=$(pkg-config --modversion libipto)
[ "$modversion" = "$version" ] ||
	{ echo "FAIL: pkg-config --modversion libipto says '$modversion', not $version"; fail=1; }
case $(pkg-config --variable=prefix libipto) in
"$tmp/root$prefix") ;;
*) echo "FAIL: libipto.pc has prefix=$(pkg-config --variable=prefix libipto)"; fail=1 ;;
esac
if pkg-config --print-requires-private libipto | grep -q pcap; then
	echo "FAIL: libipto.pc requires libpcap (the library dlopen()s it)"; fail=1
fi
flags=$(pkg-config --cflags --libs libipto)
echo "pkg-config --cflags --libs libipto: $flags"
if pkg-config --print-requires libipto | grep -q .; then
	echo "FAIL: libipto must not have public Requires (only Requires.private)"
	exit 1
fi
# CC: the library's compiler; SANITIZE_FLAGS: its -fsanitize=, if any
# shellcheck disable=SC2086 # both are word lists
${CC:-cc} -std=c99 -pedantic -Werror -Wall -Wextra ${SANITIZE_FLAGS:-} "$consumer" -o "$tmp/consumer" $flags
libdir=$(pkg-config --variable=libdir libipto)
case $libdir in "$tmp/root"/*) ;; *) libdir=$tmp/root$libdir ;; esac
soname=$(readelf -d "$libdir/libipto.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libipto.so.1" ] || { echo "FAIL: SONAME is '$soname'"; exit 1; }
needed=$(readelf -d "$libdir/libipto.so.1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "libipto.so.1 NEEDED: $(printf '%s\n' "$needed" | tr '\n' ' ')"
if printf '%s\n' "$needed" | grep -q pcap; then
	echo "FAIL: libipto.so.1 links libpcap (it must dlopen() it)"; fail=1
fi
if grep -q '^#define HAVE_NETLINK 1' "$build/config.h"; then
	printf '%s\n' "$needed" | grep -q '^libnl-route-3\.so' ||
		{ echo "FAIL: built with libnl, but libipto.so.1 does not need libnl-route-3"; fail=1; }
elif printf '%s\n' "$needed" | grep -q '^libnl'; then
	echo "FAIL: built without libnl, but libipto.so.1 needs it"; fail=1
fi
incdir=$(pkg-config --variable=includedir libipto)
case $incdir in "$tmp/root"/*) ;; *) incdir=$tmp/root$incdir ;; esac
[ -f "$incdir/ipto/ipto.h" ] ||
	{ echo "FAIL: ipto/ipto.h not installed"; exit 1; }
LD_LIBRARY_PATH="$libdir" "$tmp/consumer"

exit $fail
