#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The install layout (docs/contract.md "Install"), from fresh builds of this
# source tree made with scripts/build.sh, not the build under test:
# - configured for a private prefix P: every path of install_manifest.txt is
#   under P; the binary's default policy is P/etc/numaplace/numaplace.conf and
#   it reads the installed drop-ins; numaplace.pc names P; the module is in
#   LIBDIR/numaplace/; numaplace.conf.d/ exists;
# - configured for /usr, installed with DESTDIR: nothing lands outside
#   DESTDIR, and the staged tree holds every /usr and /etc path that the
#   README, the installed LXC snippet and the man pages name.
# Nothing is installed outside this test's temporary directory.
source "$NP_SOURCE_DIR/tests/integration/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
multiarch=$(gcc -print-multiarch 2>/dev/null)

# build DIR ARGS...: configure and build this tree into DIR, quietly.
build() {
	local dir=$1
	shift
	if sh "$NP_SOURCE_DIR/scripts/build.sh" "$dir" -DBUILD_TESTING=OFF "$@" >"$work/build.log" 2>&1; then
		np_pass "build $(basename "$dir") $*"
	else
		np_fail "build $(basename "$dir") $*: $(tail -n 5 "$work/build.log")"
		np_done
		exit
	fi
}

# outside ROOT FILE: the paths in FILE that are not below ROOT.
outside() {
	awk -v root="$1/" 'index($0, root) != 1' "$2"
}

# installed LOG: the paths a `cmake --install` log says it wrote.
installed() {
	sed -n 's/^-- \(Installing\|Up-to-date\): //p' "$1"
}

# --- a private prefix ---
P=$work/prefix
build "$work/private" -DCMAKE_INSTALL_PREFIX="$P"
cmake --install "$work/private" >"$work/install.log" 2>&1
np_expect "install to $P: exit code" 0 "$?"
manifest=$work/private/install_manifest.txt
np_expect "install_manifest.txt lists files" yes "$([ -s "$manifest" ] && echo yes || echo no)"
np_expect "every installed path is under P" "" "$(outside "$P" "$manifest")"
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$work/private/CMakeCache.txt")
for f in bin/numaplace "$libdir/numaplace/numaplace.so" include/numaplace/plugin.h \
	"$libdir/pkgconfig/numaplace.pc" etc/numaplace/numaplace.conf \
	etc/numaplace/numaplace.conf.d/50-example.conf.sample \
	share/numaplace/lxc/numaplace.conf lib/tmpfiles.d/numaplace.conf \
	share/bash-completion/completions/numaplace \
	share/man/man1/numaplace.1 share/man/man5/numaplace.conf.5; do
	np_expect "P/$f installed" yes "$([ -f "$P/$f" ] && echo yes || echo no)"
done
np_expect "P/etc/numaplace/numaplace.conf.d/ is a directory" yes \
	"$([ -d "$P/etc/numaplace/numaplace.conf.d" ] && echo yes || echo no)"
np_expect "numaplace.pc: prefix" "$P" \
	"$(PKG_CONFIG_PATH=$P/$libdir/pkgconfig pkg-config --variable=prefix numaplace)"
np_expect "numaplace.pc: moduledir" "$P/$libdir/numaplace" \
	"$(PKG_CONFIG_PATH=$P/$libdir/pkgconfig pkg-config --variable=moduledir numaplace)"
cflags=$(PKG_CONFIG_PATH=$P/$libdir/pkgconfig pkg-config --cflags numaplace)
np_expect "numaplace.pc: include flag" "-I$P/include" "${cflags% }"
if grep -qF "[\$NUMAPLACE_CONFIG, $P/etc/numaplace/numaplace.conf]" <("$P/bin/numaplace" --help); then
	np_pass "--help shows the default policy P/etc/numaplace/numaplace.conf"
else
	np_fail "--help does not show $P/etc/numaplace/numaplace.conf: $("$P/bin/numaplace" --help | grep -- --config)"
fi
np_expect "the LXC snippet runs the installed binary" \
	"lxc.hook.start-host = $P/bin/numaplace hook lxc" \
	"$(grep '^lxc.hook.start-host' "$P/share/numaplace/lxc/numaplace.conf")"
# The installed binary reads the installed policy and its drop-ins, with no
# --config and no NUMAPLACE_CONFIG.
printf '[guest probe]\nvcpus = many\n' >"$P/etc/numaplace/numaplace.conf.d/60-probe.conf"
out=$(env -u NUMAPLACE_CONFIG "$P/bin/numaplace" check-config 2>&1)
case "$out" in
"$P/etc/numaplace/numaplace.conf.d/60-probe.conf:2: vcpus: invalid count"*)
	np_pass "check-config reads the installed drop-in: $out" ;;
*) np_fail "check-config did not read the installed drop-in: [$out]" ;;
esac
rm "$P/etc/numaplace/numaplace.conf.d/60-probe.conf"
out=$(env -u NUMAPLACE_CONFIG "$P/bin/numaplace" check-config --verbose 2>&1)
if grep -qF "$P/etc/numaplace/numaplace.conf" <<<"$out"; then
	np_pass "check-config --verbose reads $P/etc/numaplace/numaplace.conf"
else
	np_fail "check-config --verbose does not name the installed policy: $out"
fi

# --- /usr, staged with DESTDIR ---
usr_build=$NP_BUILD_DIR/install-usr
build "$usr_build" -DCMAKE_INSTALL_PREFIX=/usr
root=$work/root
DESTDIR=$root cmake --install "$usr_build" >"$work/install.log" 2>&1
np_expect "DESTDIR install: exit code" 0 "$?"
installed "$work/install.log" >"$work/written"
np_expect "the install wrote files" yes "$([ -s "$work/written" ] && echo yes || echo no)"
np_expect "every path written is under DESTDIR" "" "$(outside "$root" "$work/written")"
missing=$(while read -r path; do [ -e "$root$path" ] || echo "$path"; done <"$usr_build/install_manifest.txt")
np_expect "every path of install_manifest.txt is staged" "" "$missing"
np_expect "/etc/numaplace/numaplace.conf.d/ staged" yes \
	"$([ -d "$root/etc/numaplace/numaplace.conf.d" ] && echo yes || echo no)"
np_expect "the /usr module is in the multiarch libdir" yes \
	"$([ -f "$root/usr/lib/$multiarch/numaplace/numaplace.so" ] && echo yes || echo no)"
np_expect "numaplace.pc names /usr" "prefix=/usr" \
	"$(head -n 1 "$root/usr/lib/$multiarch/pkgconfig/numaplace.pc")"
np_expect "the /usr binary's default policy" 1 \
	"$("$root/usr/bin/numaplace" --help | grep -cF '[$NUMAPLACE_CONFIG, /etc/numaplace/numaplace.conf]')"

# Every /usr or /etc path the documents name, as a reader sees them (man
# pages rendered), with <multiarch> spelled out; files the reader makes
# (web1.conf), globs, /usr/local paths, Podman's own hooks.d directory
# (/etc/containers/, where the README has the admin copy a file), libvirt's
# hook directory (/etc/libvirt/, the same) and numad's binary, which the
# admin may divert (/usr/bin/numad, /usr/bin/numad.distrib) aside.
{
	cat "$NP_SOURCE_DIR/README.md" "$root/usr/share/numaplace/lxc/numaplace.conf"
	for page in "$root"/usr/share/man/man*/*; do
		groff -man -Tascii -P-c -P-b -P-u "$page" 2>/dev/null
	done
} | grep -oE '(^|[^A-Za-z0-9_.~-])/(usr|etc)/[A-Za-z0-9_.<>*/-]*' |
	sed -E 's/^[^/]//; s/[.,]+$//; s/<multiarch>/'"$multiarch"'/' |
	grep -vE '^/usr/local|^/etc/containers/|^/etc/libvirt/|^/usr/bin/numad|\*|/web1\.conf$' |
	sort -u >"$work/named"
np_expect "the documents name installed paths" yes \
	"$([ "$(wc -l <"$work/named")" -ge 6 ] && echo yes || echo "no: $(cat "$work/named")")"
while read -r path; do
	if [ -e "$root$path" ]; then
		np_pass "named and staged: $path"
	else
		np_fail "named in the documents, not installed: $path"
	fi
done <"$work/named"
np_done
