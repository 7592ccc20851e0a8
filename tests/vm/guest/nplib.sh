#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the guest tests that drive numaplace (busybox sh; sourced by
# those files after lib.sh): where the cpuset hierarchy and numaplace's
# groups are, what a process is allowed, numaplace's JSON answers, and the
# node sets the built-in advisor must rank first on the emulated machine.

NP_STATE=/run/numaplace

# np_have DESC: true when there is a numaplace binary; else one skip line.
np_have() {
	[ -n "$NUMAPLACE" ] && return 0
	tap_skip "$1" "no numaplace binary in this initramfs"
	return 1
}

# np_cg_root: the mount point of the cpuset hierarchy.
np_cg_root() {
	if [ "$NP_VM_CGROUP" = v1 ]; then
		echo /sys/fs/cgroup/cpuset
	else
		echo /sys/fs/cgroup
	fi
}

# np_parent: numaplace's default cgroup-parent on this hierarchy.
np_parent() {
	if [ "$NP_VM_CGROUP" = v1 ]; then
		echo numaplace
	else
		echo numaplace.slice
	fi
}

# np_cg_set GROUP cpus|mems: the effective set of GROUP (a path below the
# mount point), expanded ("1 2").
np_cg_set() {
	local file=cpuset.$2.effective
	[ "$NP_VM_CGROUP" = v1 ] && file=cpuset.effective_$2
	cpulist_expand "$(read_file "$(np_cg_root)/$1/$file")"
}

# np_allowed PID Cpus|Mems: the task's Cpus_allowed_list or
# Mems_allowed_list, expanded.
np_allowed() {
	cpulist_expand "$(awk -v k="$2_allowed_list:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null)"
}

# np_cpuset_of PID: the task's cpuset group as /proc shows it ("/a/b").
np_cpuset_of() {
	read_file "/proc/$1/cpuset"
}

# np_json TAG ARG...: run `numaplace --json ARG...`; its exit status in
# NP_RC, stdout in /tmp/np-TAG.json, stderr in /tmp/np-TAG.err, the
# flattened JSON in NP_FLAT (/tmp/np-TAG.flat, empty when not JSON).
np_json() {
	local tag=$1
	shift
	NP_FLAT=/tmp/np-$tag.flat
	"$NUMAPLACE" --json "$@" >"/tmp/np-$tag.json" 2>"/tmp/np-$tag.err"
	NP_RC=$?
	json_flat "/tmp/np-$tag.json" >"$NP_FLAT" 2>/dev/null || : >"$NP_FLAT"
}

# np_get PATH: a value of the last np_json answer.
np_get() {
	json_get "$NP_FLAT" "$1"
}

# np_list PATH: the array at PATH of the last np_json answer, one
# space-separated line ("1 2").
np_list() {
	awk -F '\t' -v p="$1[" 'index($1, p) == 1 { out = out (out == "" ? "" : " ") $2 }
		END { print out }' "$NP_FLAT"
}

# np_expect_ok DESC: the last np_json call exited 0 (its stderr otherwise).
np_expect_ok() {
	if [ "$NP_RC" = 0 ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "exit status $NP_RC" "$(cat "${NP_FLAT%.flat}.err")"
	fi
}

# np_guest_field NAME KEY: KEY of guest NAME in the last `status` answer.
np_guest_field() {
	awk -F '\t' -v name="$1" -v key="$2" '
		$1 ~ /^\.guests\[[0-9]+\]\.name$/ && $2 == name { i = $1; sub(/\.name$/, "", i) }
		i != "" && $1 == i "." key { print $2; exit }' "$NP_FLAT"
}

# np_nodes_cpus "ID..." : the CPUs of those nodes, expanded.
np_nodes_cpus() {
	local id cpus=
	for id in $1; do
		cpus="$cpus,$(topo_node_cpus "$id")"
	done
	cpulist_expand "$cpus"
}

# np_node_sizes: "ID NCPUS" for every node with CPUs, from the topology
# file, in one awk (forks are slow under TCG).
np_node_sizes() {
	awk '$1 == "node" {
		n = 0
		for (i = 3; i <= NF; i++) {
			if ($i !~ /^cpus=./)
				continue
			k = split(substr($i, 6), item, ",")
			for (j = 1; j <= k; j++)
				n += split(item[j], r, "-") == 2 ? r[2] - r[1] + 1 : 1
		}
		if (n)
			print $2, n
	}' "$NP_VM_TOPOLOGY"
}

# np_max_node_cpus: the most CPUs a node has.
np_max_node_cpus() {
	np_node_sizes | awk '$2 > m { m = $2 } END { print m + 0 }'
}

# np_best_set CANDIDATES: of the node sets given one per line ("1 2"), the
# one the built-in advisor ranks first when loads are equal: the smallest
# largest distance (both directions, own distances included), then the
# smallest sum of distances between distinct members, then the
# lexicographically smallest ids. Distances from the topology file.
np_best_set() {
	awk -v topo="$NP_VM_TOPOLOGY" '
		BEGIN {
			while ((getline line < topo) > 0) {
				n = split(line, f, /[ \t]+/)
				if (f[1] != "dist")
					continue
				for (j = 3; j <= n; j++)
					d[f[2], j - 3] = f[j]
			}
		}
		NF > 0 {
			max = 0; sum = 0
			for (a = 1; a <= NF; a++)
				for (b = 1; b <= NF; b++) {
					v = d[$a, $b] + 0
					if (v > max)
						max = v
					if (a != b)
						sum += v
				}
			key = sprintf("%06d %09d", max, sum)
			for (a = 1; a <= NF; a++)
				key = key sprintf(" %06d", $a)
			if (best == "" || key < best) {
				best = key
				set = $0
			}
		}
		END { print set }'
}

# np_dist A B: the distance from node A to node B in the topology file.
np_dist() {
	topo_dist_row "$1" | awk -v col="$2" '{ print $(col + 1) }'
}

# np_pairs: every pair of CPU nodes with the CPUs they have together
# ("0 1 2"), one per line.
np_pairs() {
	np_node_sizes | awk '{ id[NR] = $1; n[NR] = $2 }
		END {
			for (a = 1; a <= NR; a++)
				for (b = a + 1; b <= NR; b++)
					print id[a], id[b], n[a] + n[b]
		}'
}

# np_wait_for FILE PATTERN: wait until FILE holds a line matching PATTERN
# (grep -E), at most 600 times 0.1 s; true when it does.
np_wait_for() {
	local i=0
	while ! grep -qE "$2" "$1" 2>/dev/null; do
		[ $i -ge 600 ] && return 1
		i=$((i + 1))
		sleep 0.1
	done
}

# np_release_all: release every guest numaplace still records (--force),
# for the end of a file.
np_release_all() {
	local name
	for name in $("$NUMAPLACE" --json status 2>/dev/null | json_flat /dev/stdin |
		awk -F '\t' '$1 ~ /^\.guests\[[0-9]+\]\.name$/ { print $2 }'); do
		"$NUMAPLACE" release "$name" --force >/dev/null 2>&1
	done
}

# np_state_files: the guest records in the state directory, sorted.
np_state_files() {
	local f out=''
	for f in "$NP_STATE"/*.json; do
		[ -e "$f" ] && out="$out${f##*/} "
	done
	echo "$out"
}
