# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash # busybox ash
# crun with the numaplace OCI hook (`numaplace hook oci create|delete` at
# createRuntime and poststop), on a real multi-node kernel. crun refuses the
# host's hybrid cgroup layout, so this is where it runs:
# - two containers whose policy says exclusive = yes each run on one CPU of
#   their own, in their own group, on the cpus and mems of their record
#   (their process's Cpus_allowed_list and Mems_allowed_list);
# - the memory a container touches lands on its record's mems (numa_maps);
# - a container sized by its annotations gets that size;
# - `crun delete` runs poststop, which releases: no record is left.
. "$NP_VM_GUEST_DIR/nplib.sh"
np_have "crun places containers through the OCI hook" || return 0
crun=$NP_VM_BIN/crun
touch_bin=$NP_VM_BIN/np-vm-memtouch
if [ ! -x "$crun" ] || [ ! -x "$touch_bin" ]; then
	tap_skip "crun places containers through the OCI hook" "no crun or np-vm-memtouch in this initramfs"
	return 0
fi
if [ "$NP_VM_CGROUP" = v1 ]; then
	# The v1 machine also mounts cgroup2, which crun calls hybrid mode and
	# refuses; the cgroup v2 machines of the same run test crun.
	tap_skip "crun places containers through the OCI hook" "crun refuses hybrid cgroups"
	return 0
fi
top=np-crun
work=/tmp/np-crun
conf=$work/np.conf
mib=32
mkdir -p "$work"
printf '[guest x*]\nexclusive = yes\nvcpus = 1\nmemory = 64M\n' >"$conf"

# bundle ID ANNOTATIONS: $work/ID with a busybox rootfs holding the
# memtouch tool, running it in the group /$top/ID with the numaplace hooks.
# No pid namespace, so the "ready PID" line names the host's pid.
bundle() {
	local dir=$work/$1
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	cp "$touch_bin" "$dir/rootfs/bin/memtouch"
	cat >"$dir/config.json" <<EOF
{
 "ociVersion": "1.0.2",
 "process": { "terminal": false, "user": { "uid": 0, "gid": 0 },
   "args": [ "/bin/memtouch", "$mib" ], "env": [ "PATH=/bin" ], "cwd": "/" },
 "root": { "path": "rootfs" },
 "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ],
 "annotations": { $2 },
 "hooks": {
   "createRuntime": [ { "path": "$NUMAPLACE", "args": [ "numaplace", "hook", "oci", "create" ],
     "env": [ "NUMAPLACE_CONFIG=$conf" ] } ],
   "poststop": [ { "path": "$NUMAPLACE", "args": [ "numaplace", "hook", "oci", "delete" ],
     "env": [ "NUMAPLACE_CONFIG=$conf" ] } ] },
 "linux": { "cgroupsPath": "/$top/$1", "namespaces": [ { "type": "mount" } ] }
}
EOF
}

# start ID: crun run -d; the container's host pid in PID (empty on failure).
start() {
	PID=
	"$crun" --cgroup-manager=cgroupfs run --no-pivot -d -b "$work/$1" "$1" \
		>"$work/$1.out" 2>"$work/$1.err" </dev/null
	if [ $? -ne 0 ]; then
		tap_not_ok "crun run $1 exits 0" "$(cat "$work/$1.err")"
		return 1
	fi
	if ! np_wait_for "$work/$1.out" '^ready '; then
		tap_not_ok "container $1 got ready" "$(cat "$work/$1.out" "$work/$1.err")"
		return 1
	fi
	read -r _ PID _ <"$work/$1.out"
	tap_ok "crun run $1: running as pid $PID"
}

# on_mems PID MEMS: the percent of PID's resident pages on the nodes MEMS.
on_mems() {
	awk -v mems=" $2 " '{ ps = 4096
		for (i = 1; i <= NF; i++) if ($i ~ /^kernelpagesize_kB=/) { split($i, a, "="); ps = a[2] * 1024 }
		for (i = 1; i <= NF; i++) if ($i ~ /^N[0-9]+=/) { split(substr($i, 2), a, "=")
			all += a[2] * ps; if (index(mems, " " a[1] " ")) in_mems += a[2] * ps } }
		END { printf "%d\n", all ? in_mems * 100 / all : 0 }' "/proc/$1/numa_maps"
}

# check ID PID: the container runs on its record's cpus and mems, in its
# own group, with its memory there.
check() {
	local cpus mems
	np_json "crun-$1" status
	cpus=$(cpulist_expand "$(np_guest_field "$1" cpus)")
	mems=$(cpulist_expand "$(np_guest_field "$1" mems)")
	tap_check "$1 has a record with cpus ($cpus) and mems ($mems)" [ -n "$cpus" -a -n "$mems" ]
	tap_expect "$1 runs on its record's cpus" "$cpus" "$(np_allowed "$2" Cpus)"
	tap_expect "$1 runs on its record's mems" "$mems" "$(np_allowed "$2" Mems)"
	tap_expect "$1 is in its own group" "/$top/$1" "$(np_cpuset_of "$2")"
	tap_check "at least 95% of $1's memory is on its mems" [ "$(on_mems "$2" "$mems")" -ge 95 ]
	eval "cpus_$1=\"\$cpus\""
}

bundle x1 ''
bundle x2 ''
bundle sized '"org.numaplace.vcpus": "2", "org.numaplace.memory": "48M"'
start x1 && check x1 "$PID"
start x2 && check x2 "$PID"
# shellcheck disable=SC2154 # set by check through eval
tap_expect "x1 and x2 hold one CPU each, not the same" "1 1 different" \
	"$(echo "$cpus_x1" | wc -w) $(echo "$cpus_x2" | wc -w) $([ "$cpus_x1" != "$cpus_x2" ] && echo different)"
if start sized; then
	check sized "$PID"
	json_flat "$NP_STATE/sized.json" >"$work/sized.flat"
	tap_expect "sized has the annotations' size (its record)" "2 50331648" \
		"$(json_get "$work/sized.flat" .vcpus) $(json_get "$work/sized.flat" .memory)"
fi

np_json crun-before status
tap_expect "status lists the three containers" 3 "$(json_count "$NP_FLAT" .guests)"
for id in x1 x2 sized; do
	"$crun" --cgroup-manager=cgroupfs delete -f "$id" >"$work/del.err" 2>&1 ||
		tap_not_ok "crun delete $id exits 0" "$(cat "$work/del.err")"
done
np_json crun-after status
tap_expect "crun delete released every container" 0 "$(json_count "$NP_FLAT" .guests)"
np_release_all
for id in x1 x2 sized; do
	rmdir "$(np_cg_root)/$top/$id" 2>/dev/null
done
rmdir "$(np_cg_root)/$top" 2>/dev/null
