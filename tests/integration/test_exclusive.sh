#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Exclusive CPUs on the real cpuset hierarchy: granting them shrinks the
# shared guests' groups (and the processes' allowed CPUs), and when the
# exclusive guest goes, by release or by reconcile after its process died,
# the shared guests get them back, in the kernel and in the ledger.
. "$(dirname "$0")/lib.sh"

np_sandbox np-excl
all=$(cat /sys/devices/system/cpu/online)
np_expand "$all"
[ "${#NP_LIST[@]}" -ge 2 ] || np_skip "needs at least two online CPUs (has $all)"
cat >"$NP_T/np.conf" <<CONF
[placement]
cgroup-parent = $NP_PARENT
[guest ex*]
exclusive = yes
CONF
np() { np_run --config "$NP_T/np.conf" --state-dir "$NP_STATE" "$@"; }
allowed() { sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$1/status"; }
group_cpus() { cat "$NP_CG/$NP_PARENT/$1/cpuset.cpus"; }
record_cpus() { jq -r .cpus "$NP_STATE/$1.json"; }

# minus A B: cpu list A without the CPUs of B, in canonical form.
minus() {
	local a=() keep=() cpu
	np_expand "$1"
	a=("${NP_LIST[@]}")
	np_expand "$2"
	for cpu in "${a[@]}"; do
		[[ " ${NP_LIST[*]} " == *" $cpu "* ]] || keep+=("$cpu")
	done
	"$NUMAPLACE" cpulist "$(
		IFS=,
		echo "${keep[*]}"
	)"
}

# The shared guest's cpus, as the kernel, its process and the ledger see them.
shared_view() { echo "$(group_cpus sh1) $(allowed "$sh") $(record_cpus sh1)"; }

np_guest
sh=$NP_GUEST
np place sh1 "$sh" --json
np_expect "shared guest placed" 0 "$NP_RC"
before=$(echo "$NP_OUT" | jq -r .cpus)
np_expect "the shared guest has its node's CPUs" "$before $before $before" "$(shared_view)"

# 1. granted, then released: the CPU goes and comes back.
np_guest
ex=$NP_GUEST
np place ex1 "$ex" --vcpus 1 --json
np_expect "exclusive guest placed" 0 "$NP_RC"
excl=$(echo "$NP_OUT" | jq -r .cpus)
np_expect "it holds one CPU" "$excl" "$(jq -r .exclusive "$NP_STATE/ex1.json")"
shrunk=$(minus "$before" "$excl")
np_expect "the shared guest gave it up: group, process, record" \
	"$shrunk $shrunk $shrunk" "$(shared_view)"
np_expect "the exclusive guest's process runs on it" "$excl" "$(allowed "$ex")"
np release ex1 --force
np_expect "release of the exclusive guest" 0 "$NP_RC"
np_expect "the shared guest has it back: group, process, record" \
	"$before $before $before" "$(shared_view)"

# 2. granted, then its process dies: reconcile drops it and gives back.
np_guest
ex=$NP_GUEST
np place ex2 "$ex" --vcpus 1 --json
np_expect "second exclusive guest placed" 0 "$NP_RC"
excl=$(echo "$NP_OUT" | jq -r .cpus)
shrunk=$(minus "$before" "$excl")
np_expect "the shared guest gave it up again" "$shrunk $shrunk $shrunk" "$(shared_view)"
kill -9 "$ex"
wait "$ex" 2>/dev/null
np reconcile
np_expect "reconcile: exit 0" 0 "$NP_RC"
np_expect "reconcile dropped the dead exclusive guest" "dropped ex2: its process is gone" \
	"$(echo "$NP_OUT" | grep -o 'dropped ex2: .*')"
np_expect "the shared guest has it back after reconcile" \
	"$before $before $before" "$(shared_view)"

# 3. a reservation without a process (reserve) is given back the same way.
np reserve ex3 --vcpus 1 --json
np_expect "exclusive reservation" 0 "$NP_RC"
excl=$(echo "$NP_OUT" | jq -r .cpus)
shrunk=$(minus "$before" "$excl")
np_expect "the shared guest gave up the reserved CPU" "$shrunk $shrunk $shrunk" "$(shared_view)"
np release ex3
np_expect "release of the reservation" 0 "$NP_RC"
np_expect "the shared guest has it back after the reservation went" \
	"$before $before $before" "$(shared_view)"

np release sh1 --force
np_expect "release of the shared guest" 0 "$NP_RC"
np_expect "nothing left: groups and records" "$NP_PARENT 0" \
	"$(np_groups | tr '\n' ' ')$(find "$NP_STATE" -maxdepth 1 -name '[!.]*.json' | wc -l)"
np_done
