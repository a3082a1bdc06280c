#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The release tarball as a distribution gets it: meson dist makes
# <name>-<version>.tar.xz from the committed tree (HEAD), which must hold
# every file the build needs. Unpacked into a scratch directory, it is built
# out of tree with no git (a stand-in git that records any call and fails)
# and, as root, no network (unshare -n); the unit and build suites run there
# (the nested build suite skips this test), then meson install --destdir must
# write every installed file under the destdir and nothing outside it.
# usage: check-dist.sh SOURCE_ROOT
# Skips (77) inside the tarball's own build suite and outside a git checkout.
set -eu
src=$1
[ -z "${IPTO_CHECK_DIST_NESTED:-}" ] ||
	{ echo "SKIP: the build suite of the unpacked tarball"; exit 77; }
command -v git >/dev/null || { echo "SKIP: no git"; exit 77; }
top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null) || top=
if [ -z "$top" ] || [ "$(cd "$top" && pwd -P)" != "$(cd "$src" && pwd -P)" ] ||
		! git -C "$src" ls-files --error-unmatch meson.build >/dev/null 2>&1; then
	echo "SKIP: $src is not a git checkout (meson dist needs one)"
	exit 77
fi
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
command -v xz >/dev/null || { echo "SKIP: xz not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)
step() { echo "[$(( $(date +%s) - t0 )) s] $*"; }
fail() { echo "FAIL: $*"; exit 1; }
run_log() { # LOG CMD...: quiet unless it fails
	log=$1; shift
	"$@" >"$log" 2>&1 || { tail -n 60 "$log"; return 1; }
}

# 1. meson dist, from a configure-only build directory of our own (the
# options only make the setup quick, the tarball is the committed tree).
step "meson dist --no-tests"
run_log "$tmp/dist-setup.log" meson setup "$tmp/dist-build" "$src" \
	-Dtests=disabled -Dexamples=disabled -Ddocs=disabled \
	-Dabi-check=disabled -Dagent=disabled ||
	fail "meson setup for dist"
name=$(meson introspect --projectinfo "$tmp/dist-build" | jq -r '.descriptive_name')
version=$(meson introspect --projectinfo "$tmp/dist-build" | jq -r '.version')
if ! git -C "$src" diff-index --quiet HEAD --; then
	echo "note: uncommitted changes: the tarball (and this test) is HEAD"
fi
run_log "$tmp/dist.log" meson dist -C "$tmp/dist-build" --no-tests \
	--allow-dirty --formats xztar || fail "meson dist"
tarball=$tmp/dist-build/meson-dist/$name-$version.tar.xz
[ -f "$tarball" ] || fail "meson dist made no $name-$version.tar.xz: $(ls "$tmp/dist-build/meson-dist")"
(cd "$(dirname "$tarball")" && sha256sum -c --quiet "$(basename "$tarball").sha256sum") ||
	fail "the .sha256sum does not match the tarball"
echo "ok: $(basename "$tarball"), $(wc -c <"$tarball") bytes"

# 2. The tarball is the committed tree: every tracked file, nothing else
# (no .git, no build directory).
tar -tJf "$tarball" | grep -v '/$' | sed "s|^$name-$version/||" | sort >"$tmp/tar.list"
git -C "$src" ls-tree -r --name-only HEAD | sort >"$tmp/git.list"
if ! cmp -s "$tmp/tar.list" "$tmp/git.list"; then
	diff "$tmp/git.list" "$tmp/tar.list" | head -n 20
	fail "the tarball is not the committed tree (< git only, > tarball only)"
fi
echo "ok: the tarball holds the $(wc -l <"$tmp/git.list") committed files"

# 3. Unpack and build out of tree: no git, no network.
mkdir "$tmp/u" "$tmp/nogit"
tar -xJf "$tarball" -C "$tmp/u"
usrc=$tmp/u/$name-$version
cat >"$tmp/nogit/git" <<EOT
#!/bin/sh
echo "git \$*" >>"$tmp/git-calls"
exit 1
EOT
chmod +x "$tmp/nogit/git"
: >"$tmp/git-calls"
chmod 666 "$tmp/git-calls"
# As root: a network namespace of its own with only the loopback up (as a
# build chroot has it; the unit tests look at lo).
wrap=
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null &&
		unshare -n ip link set lo up 2>/dev/null; then
	wrap=netns
	echo "ok: building in a new network namespace (no network, lo only)"
else
	echo "note: not root: the build has the host's network"
fi
prefix=/opt/$name-dist-$(basename "$tmp")
nested() { # the tarball's world: the stand-in git first, no git repository
	if [ -n "$wrap" ]; then
		env -u GIT_DIR -u GIT_WORK_TREE GIT_CEILING_DIRECTORIES="$tmp" \
			PATH="$tmp/nogit:$PATH" IPTO_CHECK_DIST_NESTED=1 \
			unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
	else
		env -u GIT_DIR -u GIT_WORK_TREE GIT_CEILING_DIRECTORIES="$tmp" \
			PATH="$tmp/nogit:$PATH" IPTO_CHECK_DIST_NESTED=1 "$@"
	fi
}
# -O0 -g: quick to compile, and with the debug info the abi test compares
step "meson setup (prefix $prefix), compile"
run_log "$tmp/setup.log" nested meson setup "$tmp/b" "$usrc" \
	--prefix="$prefix" --buildtype=debug -Dwrap_mode=nodownload ||
	fail "meson setup of the unpacked tarball"
run_log "$tmp/compile.log" nested meson compile -C "$tmp/b" ||
	fail "meson compile of the unpacked tarball"
step "meson test --suite unit --suite build"
# A failure here is reported at the end; the checks below still run.
suites_ok=1
if ! run_log "$tmp/test.log" nested meson test -C "$tmp/b" --no-rebuild \
		--suite unit --suite build --print-errorlogs; then
	echo "FAIL: the unit or build suite of the unpacked tarball (above)"
	suites_ok=0
fi
grep -E '^(Ok|Fail|Skipped|Timeout|Expected Fail|Unexpected Pass):' "$tmp/test.log" |
	tr -s ' ' | tr '\n' ' '; echo
grep -E '^ *[0-9]+/[0-9]+ .* SKIP ' "$tmp/test.log" || true

# Without root the netns and cluster suites skip, every test of them (as
# root, when the user nobody and setpriv are there; cheap: nothing runs).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
		case $tmp in /tmp/*) true ;; *) false ;; esac; then # nobody reaches /tmp
	step "meson test --suite netns --suite cluster, as nobody"
	chmod 755 "$tmp"
	chown -R nobody "$tmp/b"
	# The unpacked tarball and its build, in this test's own directory
	# (made 755 above), never the checkout:
	# From there too: this test's own working directory is the outer
	# build directory, which nobody may not reach (a clone in /root).
	# foreign-user: no checkout
	if ! (cd "$tmp" && run_log "$tmp/test-nobody.log" nested setpriv --reuid=nobody \
			--regid="$(id -g nobody)" --clear-groups \
			meson test -C "$tmp/b" --no-rebuild --suite netns --suite cluster); then
		fail "the netns or cluster suite does not skip without root"
	fi
	n=$(grep -cE '^ *[0-9]+/[0-9]+ .* SKIP ' "$tmp/test-nobody.log" || true)
	other=$(grep -E '^ *[0-9]+/[0-9]+ ' "$tmp/test-nobody.log" | grep -vE ' SKIP ' || true)
	[ -z "$other" ] || { echo "$other"; fail "without root, these netns/cluster tests do not skip"; }
	[ "$n" -gt 0 ] || fail "no netns or cluster test ran as nobody"
	echo "ok: without root all $n netns and cluster tests skip"
	chown -R "$(id -u):$(id -g)" "$tmp/b"
fi

# 4. meson install --destdir: every installed file under the destdir,
# nothing at its real path (the prefix must not even appear).
step "meson install --destdir"
[ ! -e "$prefix" ] || fail "$prefix exists before the install"
meson introspect --installed "$tmp/b" | jq -r '.[]' | sort -u >"$tmp/inst.list"
[ -s "$tmp/inst.list" ] || fail "meson introspect --installed lists nothing"
while IFS= read -r p; do
	if [ -e "$p" ] || [ -L "$p" ]; then echo "$p"; fi
done <"$tmp/inst.list" >"$tmp/pre-existing.list"
run_log "$tmp/install.log" nested meson install -C "$tmp/b" --no-rebuild \
	--destdir "$tmp/D" || fail "meson install --destdir"
bad=0
while IFS= read -r p; do
	case $p in /*) ;; *) echo "FAIL: relative install path $p"; bad=1; continue ;; esac
	if ! [ -e "$tmp/D$p" ] && ! [ -L "$tmp/D$p" ]; then
		echo "FAIL: $p is not in the destdir"; bad=1
	fi
	if { [ -e "$p" ] || [ -L "$p" ]; } && ! grep -qxF "$p" "$tmp/pre-existing.list"; then
		echo "FAIL: the install wrote $p outside the destdir"; bad=1
	fi
done <"$tmp/inst.list"
[ ! -e "$prefix" ] || { echo "FAIL: the install created $prefix outside the destdir"; bad=1; }
# and the destdir holds only what meson says it installs (no stray files
# from install scripts)
(cd "$tmp/D" && find . ! -type d | sed 's|^\.||' | sort) >"$tmp/destdir.list"
extra=$(comm -13 "$tmp/inst.list" "$tmp/destdir.list")
[ -z "$extra" ] || { echo "FAIL: unlisted files in the destdir: $extra"; bad=1; }
[ "$bad" = 0 ] || exit 1
echo "ok: $(wc -l <"$tmp/inst.list") installed paths, all in the destdir, none outside"

if [ -s "$tmp/git-calls" ]; then
	sort -u "$tmp/git-calls"
	fail "the tarball's build called git (above)"
fi
echo "ok: no git call in the tarball's setup, build, tests or install"
step "done"
[ "$suites_ok" = 1 ] || fail "the unit or build suite of the unpacked tarball (above)"
