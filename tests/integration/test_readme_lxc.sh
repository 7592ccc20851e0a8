#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's "Install it" step and its three "With LXC" lines, as a new
# user runs them, place a real busybox container: this tree is configured
# for /usr and installed for real (`cmake --install`, README line 3), then
# the README's LXC lines run (its container name `web1` replaced by this
# run's own) with no numaplace variable in the environment. The container's
# LXC group gets the cpuset of the record numaplace made, its init runs on
# those CPUs, `numaplace status` lists it, and stopping it releases it.
# The README's `deps.sh --build` line is not run: the suite's deps.sh has
# installed a superset. At exit, even on failure, every file of
# install_manifest.txt is removed, with the directories the install and the
# README's lines made, the container, its groups and the state numaplace
# wrote: the machine is left as it was found. If the install would replace
# a file that already exists, the test skips instead.
source "$NP_SOURCE_DIR/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || np_skip "needs root (it installs to /usr)"
for tool in lxc-create lxc-start lxc-stop lxc-destroy lxc-info busybox cmake; do
	command -v "$tool" >/dev/null || np_skip "$tool is missing (see scripts/deps.sh)"
done
[ "$(lxc-config lxc.lxcpath)" = /var/lib/lxc ] ||
	np_skip "lxc.lxcpath is $(lxc-config lxc.lxcpath), not the README's /var/lib/lxc"

work=$(mktemp -d)
name=npreadme-$$
usr_build=$NP_BUILD_DIR/install-usr
installed=no
created_dirs=()
created_container=no

# A directory that does not exist yet, and each missing parent: noted so
# that the cleanup removes them (deepest first), once emptied.
note_missing_dirs() {
	local dir=$1
	while [ "$dir" != / ] && [ ! -e "$dir" ]; do
		created_dirs+=("$dir")
		dir=$(dirname "$dir")
	done
}

cleanup() {
	local path dir
	if [ "$created_container" = yes ]; then
		lxc-stop -n "$name" -k >/dev/null 2>&1
		lxc-destroy -f -n "$name" >/dev/null 2>&1
		find /sys/fs/cgroup -maxdepth 2 -type d -name "lxc.*.$name*" -exec rmdir {} + 2>/dev/null
	fi
	if [ "$installed" = yes ]; then
		while read -r path; do
			rm -f "$path"
		done <"$usr_build/install_manifest.txt"
	fi
	rm -f "/etc/numaplace/numaplace.conf.d/$name.conf" "/run/numaplace/$name.json"
	for dir in $(printf '%s\n' "${created_dirs[@]}" | sort -u | awk '{ print length, $0 }' |
		sort -rn | cut -d' ' -f2-); do
		if [ "$dir" = /run/numaplace ]; then
			rm -f /run/numaplace/.[!.]*
		fi
		[ ! -d "$dir" ] || rmdir "$dir" || echo "cleanup: $dir is not empty, left in place"
	done
	rm -rf "$work"
}
trap cleanup EXIT

# block HEADING: the lines of the first ```sh block after the README line HEADING.
block() {
	awk -v h="$1" '$0 == h { on = 1; next }
		on && $0 == "```sh" { inside = 1; next }
		inside && $0 == "```" { exit }
		inside { print }' "$NP_SOURCE_DIR/README.md"
}

install_step=$(block "## Install it (as root)")
np_expect "the README's install step" "sh scripts/deps.sh --build
sh scripts/build.sh build -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF
cmake --install build" "$install_step"
lxc_lines=$(block "### With LXC")
np_expect "the README's LXC lines: three" 3 "$(wc -l <<<"$lxc_lines")"
[ "$NP_FAILS" = 0 ] || { np_done; exit; }

# README line 2, into this suite's build tree instead of the source tree's build/.
build_line=$(sed -n 2p <<<"$install_step")
build_line=${build_line/ build / $usr_build }
if (cd "$NP_SOURCE_DIR" && eval "$build_line") >"$work/build.log" 2>&1; then
	np_pass "README: $build_line"
else
	np_fail "README: $build_line: $(tail -n 5 "$work/build.log")"
	np_done
	exit
fi

# Stage first, to know every path the install writes and refuse to
# replace anything that exists.
DESTDIR=$work/stage cmake --install "$usr_build" >"$work/stage.log" 2>&1 ||
	np_fail "DESTDIR install: $(tail -n 3 "$work/stage.log")"
while read -r path; do
	[ -e "$path" ] && np_skip "$path exists already: the test would replace it"
	note_missing_dirs "$(dirname "$path")"
done <"$usr_build/install_manifest.txt"
note_missing_dirs /etc/numaplace/numaplace.conf.d
note_missing_dirs /run/numaplace

installed=yes
(cd "$NP_SOURCE_DIR" && cmake --install "$usr_build") >"$work/install.log" 2>&1
np_expect "README: cmake --install build (for /usr)" 0 "$?"
np_expect "installed: /usr/bin/numaplace" yes "$([ -x /usr/bin/numaplace ] && echo yes || echo no)"

created_container=yes
if ! lxc-create -n "$name" -t busybox -f /dev/null >"$work/create.log" 2>&1; then
	np_fail "lxc-create -n $name -t busybox -f /dev/null: $(tail -n 3 "$work/create.log")"
	np_done
	exit
fi

# The README's three lines, for this container, as a root shell runs them.
lines=${lxc_lines//web1/$name}
env -u NUMAPLACE_CONFIG -u NUMAPLACE_STATE_DIR -u NUMAPLACE_TOPOLOGY \
	sh -c "$lines" >"$work/lines.out" 2>"$work/lines.err"
np_expect "the README's LXC lines: exit code ($(cat "$work/lines.err"))" 0 "$?"
np_expect "lxc-start: the container runs" RUNNING "$(lxc-info -n "$name" -s -H)"
if grep -q "^$name " "$work/lines.out"; then
	np_pass "numaplace status lists it: $(grep "^$name " "$work/lines.out")"
else
	np_fail "numaplace status does not list $name: $(cat "$work/lines.out")"
fi

mount=$(np_cpuset_mount)
pid=$(lxc-info -n "$name" -p -H)
record=/run/numaplace/$name.json
np_expect "a record in /run/numaplace" yes "$([ -f "$record" ] && echo yes || echo no)"
cpus=$(/usr/bin/numaplace --json status | jq -r --arg n "$name" '.guests[] | select(.name == $n) | .cpus')
mems=$(/usr/bin/numaplace --json status | jq -r --arg n "$name" '.guests[] | select(.name == $n) | .mems')
np_expect "the record's pid is the container's init" "$pid" \
	"$(/usr/bin/numaplace --json status | jq -r --arg n "$name" '.guests[] | select(.name == $n) | .pid')"
np_expect "the record has cpus" yes "$([ -n "$cpus" ] && echo yes || echo no)"
np_expect "lxc.payload.$name/cpuset.cpus" "$cpus" "$(cat "$mount/lxc.payload.$name/cpuset.cpus" 2>&1)"
np_expect "lxc.payload.$name/cpuset.mems" "$mems" "$(cat "$mount/lxc.payload.$name/cpuset.mems" 2>&1)"
np_expect "the container's init runs on those CPUs" "$cpus" \
	"$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$pid/status")"
np_expect "the drop-in the README wrote" "[guest $name]
vcpus = 1
memory = 256M" "$(cat "/etc/numaplace/numaplace.conf.d/$name.conf")"

# Stopping releases: the monitor runs post-stop, then exits.
monitor=$(head -n 1 "$mount/lxc.monitor.$name/cgroup.procs" 2>/dev/null)
lxc-stop -n "$name" -k
for ((i = 0; i < 600; i++)); do
	[ -n "$monitor" ] && [ -d "/proc/$monitor" ] || break
	sleep 0.1
done
np_expect "stopped" STOPPED "$(lxc-info -n "$name" -s -H)"
np_expect "the record is released" no "$([ -e "$record" ] && echo yes || echo no)"
np_done
