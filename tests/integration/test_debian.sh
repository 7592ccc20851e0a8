#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages, the way an admin uses them: scripts/package.sh builds
# them from a copy of the tree, lintian finds no error, apt installs them,
# the installed command, man page and pkg-config file work, the README's
# three LXC lines place a real busybox container with installed paths only,
# and apt-get purge removes every file the packages installed and
# /etc/numaplace. Leaves the machine as it found it (a trap purges).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || np_skip "installing packages needs root"
for tool in dpkg-buildpackage lintian apt-get lxc-create lxc-start man pkg-config; do
	command -v "$tool" >/dev/null || np_skip "$tool is missing (scripts/deps.sh installs it)"
done
if dpkg-query -W -f '${Status}' numaplace 2>/dev/null | grep -q installed; then
	np_skip "the numaplace package is already installed here; this test installs and purges it"
fi
[ ! -e /usr/bin/numaplace ] || np_skip "/usr/bin/numaplace exists outside dpkg; not overwriting it"
[ ! -e /etc/numaplace ] || np_skip "/etc/numaplace exists already; not touching it"

T=$(mktemp -d /tmp/np-debian.XXXXXX)
ct=np-deb-${T##*.}
dropin=/etc/numaplace/numaplace.conf.d/$ct.conf
installed=no
had_run=$([ -e /run/numaplace ] && echo yes || echo no)

cleanup() {
	if lxc-info -n "$ct" >/dev/null 2>&1; then
		lxc-stop -n "$ct" -k >/dev/null 2>&1
		lxc-destroy -n "$ct" >/dev/null 2>&1
	fi
	rm -f "$dropin"
	if [ "$installed" = yes ]; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq numaplace libnumaplace-dev >/dev/null 2>&1
	fi
	# The package's tmpfiles.d made the state dir; it goes if it was not here.
	[ "$had_run" = yes ] || rmdir /run/numaplace 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# 1. The packages build.
if sh "$NP_SOURCE_DIR/scripts/package.sh" "$T" >"$T/package.out" 2>&1; then
	np_pass "scripts/package.sh builds the packages"
else
	np_fail "scripts/package.sh: $(tail -n 20 "$T/package.out")"
	np_done
	exit
fi
debs=("$T"/numaplace_*.deb "$T"/libnumaplace-dev_*.deb)
for deb in "${debs[@]}"; do
	[ -f "$deb" ] && np_pass "built $(basename "$deb") ($(stat -c %s "$deb") bytes)" ||
		np_fail "no package $deb"
done

# 2. lintian: no error (warnings are printed, for the record).
if lintian --fail-on error --no-tag-display-limit "${debs[@]}" >"$T/lintian.out" 2>&1; then
	np_pass "lintian finds no error"
else
	np_fail "lintian: $(cat "$T/lintian.out")"
fi
sed 's/^/# lintian: /' "$T/lintian.out"

# 3. apt installs both.
if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >"$T/install.out" 2>&1; then
	installed=yes
	np_pass "apt-get install ./numaplace_*.deb ./libnumaplace-dev_*.deb"
else
	installed=yes
	np_fail "apt-get install: $(tail -n 10 "$T/install.out")"
	np_done
	exit
fi
dpkg-query -L numaplace libnumaplace-dev | sort -u >"$T/files"

# 4. The installed command, its policy and its man pages.
np_expect "numaplace is /usr/bin/numaplace" /usr/bin/numaplace "$(command -v numaplace)"
out=$(numaplace --version 2>&1)
[[ $out == *"$(dpkg-query -W -f '${Version}' numaplace | sed 's/-.*//')"* ]] &&
	np_pass "numaplace --version: $out" || np_fail "numaplace --version: $out"
out=$(numaplace check-config 2>&1)
np_expect "numaplace check-config on the installed policy ($out)" 0 "$?"
for page in 1:numaplace 5:numaplace.conf; do
	text=$(MANWIDTH=80 man -P cat "${page%%:*}" "${page#*:}" 2>&1)
	[[ $text == *NAME* && $text == *"${page#*:}"* ]] && np_pass "man ${page%%:*} ${page#*:}" ||
		np_fail "man ${page%%:*} ${page#*:}: $(printf '%s' "$text" | head -n 3)"
done
np_expect "the example drop-in is documentation" yes \
	"$(ls /usr/share/doc/numaplace/examples/*.conf.sample >/dev/null 2>&1 && echo yes || echo no)"
np_expect "numaplace.conf.d/ is there and empty" "" "$(ls -A /etc/numaplace/numaplace.conf.d 2>&1)"
for f in lxc/numaplace.conf oci libvirt/50-numaplace libvirt/README.md; do
	[ -e "/usr/share/numaplace/$f" ] && np_pass "/usr/share/numaplace/$f" ||
		np_fail "/usr/share/numaplace/$f is missing"
done

# 5. pkg-config.
out=$(pkg-config --cflags numaplace 2>&1)
np_expect "pkg-config --cflags numaplace ($out)" 0 "$?"
out=$(pkg-config --variable=moduledir numaplace 2>&1)
np_expect "pkg-config's moduledir holds numaplace.so" yes \
	"$([ -f "$out/numaplace.so" ] && echo yes || echo no)"

# 6. The README's LXC lines, with installed paths only.
if lxc-create -t busybox -n "$ct" >"$T/create.log" 2>&1; then
	cfg=$(lxc-config lxc.lxcpath)/$ct/config
	sed -i -e 's/^lxc\.net\.0\.type = .*/lxc.net.0.type = empty/' -e '/^lxc\.net\.0\.link/d' "$cfg"
	# The README's three lines, with the container's name.
	echo 'lxc.include = /usr/share/numaplace/lxc/numaplace.conf' >>"$cfg"
	printf '[guest %s]\nvcpus = 1\nmemory = 16M\n' "$ct" >"$dropin"
	if lxc-start -n "$ct" >"$T/start.out" 2>&1; then
		np_pass "lxc-start -n $ct"
		status=$(numaplace status 2>&1)
		[[ $status == *"$ct"* ]] && np_pass "numaplace status lists $ct" ||
			np_fail "numaplace status: $status"
		[ -f "/run/numaplace/$ct.json" ] && np_pass "its record is /run/numaplace/$ct.json" ||
			np_fail "no /run/numaplace/$ct.json"
		pid=$(lxc-info -n "$ct" -p -H)
		group=$(awk -F: '$2 ~ /(^|,)cpuset(,|$)/ || $1 == 0 { print $3; exit }' "/proc/$pid/cgroup")
		np_expect "$ct runs in LXC's own group" "/lxc.payload.$ct" "$group"
		lxc-stop -n "$ct" -k >/dev/null 2>&1
		for ((i = 0; i < 100; i++)); do
			[ -e "/run/numaplace/$ct.json" ] || break
			sleep 0.1
		done
		np_expect "lxc-stop releases $ct" no \
			"$([ -e "/run/numaplace/$ct.json" ] && echo yes || echo no)"
	else
		np_fail "lxc-start -n $ct: $(cat "$T/start.out")"
	fi
	lxc-destroy -n "$ct" >/dev/null 2>&1
else
	np_fail "lxc-create $ct: $(tail -n 3 "$T/create.log")"
fi
rm -f "$dropin"

# 7. apt-get purge removes every file the packages installed, and /etc/numaplace.
if DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq numaplace libnumaplace-dev >"$T/purge.out" 2>&1; then
	installed=no
	np_pass "apt-get purge numaplace libnumaplace-dev"
else
	np_fail "apt-get purge: $(tail -n 10 "$T/purge.out")"
fi
left=$(while read -r f; do
	# Directories other packages own too (/usr, /etc, …) stay.
	[ "$f" = /. ] && continue
	[ -d "$f" ] && dpkg-query -S "$f" >/dev/null 2>&1 && continue
	[ -e "$f" ] && echo "$f"
done <"$T/files")
np_expect "no installed file is left" "" "$left"
np_expect "/etc/numaplace is gone" no "$([ -e /etc/numaplace ] && echo yes || echo no)"
np_done
