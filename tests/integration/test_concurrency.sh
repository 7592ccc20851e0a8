#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Concurrent starts never double-book (docs/contract.md "The built-in advisor"):
#  - 64 `reserve` at once for exclusive 1-vCPU guests on this machine: as
#    many succeed as it has CPUs, the others exit 1 with one line, and no
#    CPU is handed out twice;
#  - the same on the 64-node fixture with guests of 1-8 vCPUs, exclusive
#    and shared, with memory: no exclusive CPU twice, no shared guest on an
#    exclusive CPU, no node booked past its CPUs or its memory;
#  - 64 `place` at once on the real cpuset hierarchy, then 64 `release`
#    at once: every guest in its own group with its reserved cpuset, then
#    nothing left behind;
# and the lock is free afterwards (a command with lock-timeout = 0 works).
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

command -v jq >/dev/null || np_skip "jq is not installed"
np_sandbox np-conc
N=64
conf=$NP_T/np.conf
nowait=$NP_T/nowait.conf

# np_policy FILE LOCK_TIMEOUT EXTRA...: a policy for this run's parent
# group; EXTRA lines follow the [placement] keys.
np_policy() {
	local f=$1 lock=$2
	shift 2
	{
		printf '[placement]\ncgroup-parent = %s\nlock-timeout = %s\n' "$NP_PARENT" "$lock"
		printf '%s\n' "$@"
	} >"$f"
}

# np_lock_free DESC: the lock is free: a command that takes it without
# waiting (release of a guest that is not there) works. Further words
# (--topology SRC) go to numaplace.
np_lock_free() {
	local desc=$1
	shift
	np_run --config "$nowait" --state-dir "$NP_STATE" "$@" release lockprobe
	np_expect "$desc: the lock is free (lock-timeout = 0)" 0 "$NP_RC"
}

# np_storm CMD...: run CMD with I=1..N substituted for @, all at once;
# exit codes in $NP_T/rc.I, stderr in $NP_T/err.I.
np_storm() {
	local i pids=() args a
	for ((i = 1; i <= N; i++)); do
		args=()
		for a in "$@"; do
			args+=("${a//@/$i}")
		done
		("$NUMAPLACE" "${args[@]}" >"$NP_T/out.$i" 2>"$NP_T/err.$i"; echo $? >"$NP_T/rc.$i") &
		pids+=($!)
	done
	wait "${pids[@]}"
}

# np_storm_codes: "CODE COUNT" lines of the exit codes of the last storm.
np_storm_codes() {
	cat "$NP_T"/rc.* | sort | uniq -c | awk '{ print $2 " " $1 }' | tr '\n' ' '
}

# np_storm_errors RC PATTERN: every run that exited RC printed one
# "numaplace: " line matching PATTERN (RC 0: nothing at all).
np_storm_errors() {
	local i bad=0 err
	for ((i = 1; i <= N; i++)); do
		[ "$(<"$NP_T/rc.$i")" = "$1" ] || continue
		err=$(<"$NP_T/err.$i")
		if [ "$1" = 0 ] && [ -z "$err" ]; then
			continue
		elif [ "$1" = 0 ] || [[ $err == *$'\n'* ]] || [[ $err != "numaplace: "*$2* ]]; then
			bad=$((bad + 1))
			echo "# run $i: [$err]"
		fi
	done
	np_expect "runs that exited $1 printed ${2:-nothing}" 0 "$bad"
}

# np_check_books CPUS_PER_NODE MEMORY_PER_NODE: the ledger books no CPU
# exclusively twice, gives no shared guest an exclusive CPU, keeps each
# exclusive CPU inside its guest's cpus, and books no node past its CPUs
# (cpu-overcommit 1) or its memory.
np_check_books() {
	local name phase pid cpus excl books cg b c n v m
	local -A owner=() shared=() vcpus=() mem=() mine=()
	local twice=0 outside=0 over=0
	while IFS='|' read -r name phase pid cpus excl _ books cg; do
		np_expand "$cpus"
		mine=()
		for c in "${NP_LIST[@]}"; do
			mine[$c]=1
			[ -z "$excl" ] && shared[$c]=$name
		done
		np_expand "$excl"
		for c in "${NP_LIST[@]}"; do
			[ -n "${owner[$c]:-}" ] && twice=$((twice + 1))
			owner[$c]=$name
			[ -n "${mine[$c]:-}" ] || outside=$((outside + 1))
		done
		for b in ${books//,/ }; do
			IFS=: read -r n v m <<<"$b"
			vcpus[$n]=$((${vcpus[$n]:-0} + v))
			mem[$n]=$((${mem[$n]:-0} + m))
		done
	done < <(np_records)
	for c in "${!owner[@]}"; do
		[ -n "${shared[$c]:-}" ] && twice=$((twice + 1))
	done
	for n in "${!vcpus[@]}"; do
		[ "${vcpus[$n]}" -le "$1" ] && [ "${mem[$n]}" -le "$2" ] || over=$((over + 1))
	done
	np_expect "no CPU held exclusively twice or by a shared guest too" 0 "$twice"
	np_expect "every exclusive CPU inside its guest's cpus" 0 "$outside"
	np_expect "no node booked past its CPUs or memory" 0 "$over"
	NP_EXCLUSIVE=${#owner[@]}
}

echo "# ${SECONDS}s 1. $N exclusive 1-vCPU reserves at once on this machine"
np_policy "$conf" 120s 'exclusive = yes'
np_policy "$nowait" 0
ncpus=$("$NUMAPLACE" --config "$conf" topology --json | jq -r '[.nodes[].cpus] | join(",")')
np_expand "$ncpus"
ncpus=${#NP_LIST[@]}
np_storm --config "$conf" --state-dir "$NP_STATE" reserve x@ --vcpus 1
np_expect "exit codes: $ncpus succeed, the rest exit 1" "0 $ncpus 1 $((N - ncpus)) " \
	"$(np_storm_codes)"
np_storm_errors 1 "no fit"
np_expect "records" "$ncpus" "$(np_records | wc -l)"
np_check_books "$ncpus" 0
np_expect "exclusive CPUs held" "$ncpus" "$NP_EXCLUSIVE"
np_lock_free "after the reserves"
np_expect "the summary says what the records say" consistent "$(np_summary_consistent)"
# shellcheck disable=SC2010 # the names are numaplace's own
np_expect "nothing but records, the lock, the generation, the binding and the refusals" 0 \
	"$(cd "$NP_STATE" && ls -A | grep -v -e '^\.lock$' -e '^\.generation$' -e '^\.topology$' \
		-e '^\.refused$' -e '^\.summary$' |
		grep -vc '\.json$')"
rm -rf "$NP_STATE"

echo "# ${SECONDS}s 2. $N reserves at once on the 64-node fixture: exclusive and shared, 1-8 vCPUs"
topo=$NP_FIXTURES/topologies/64n-synthetic-asym.xml
np_policy "$conf" 120s '[guest x*]' 'exclusive = yes'
# Guest I asks for (I % 8) + 1 vCPUs and (I % 4 + 1) * 192M; every fourth
# is shared. 288 vCPUs are asked of 256 CPUs: some must not fit.
for ((i = 1; i <= N; i++)); do
	kind=x
	[ $((i % 4)) = 0 ] && kind=s
	echo "$kind$i $((i % 8 + 1)) $(((i % 4 + 1) * 192))M"
done >"$NP_T/requests"
pids=()
while read -r name v m; do
	("$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" --topology "$topo" \
		reserve "$name" --vcpus "$v" --memory "$m" >/dev/null 2>"$NP_T/err.$name"
	 echo $? >"$NP_T/rc.$name") &
	pids+=($!)
done <"$NP_T/requests"
wait "${pids[@]}"
ok=$(grep -lx 0 "$NP_T"/rc.[xs]* | wc -l)
fail=$(grep -lx 1 "$NP_T"/rc.[xs]* | wc -l)
np_expect "every reserve exited 0 or 1" "$N" "$((ok + fail))"
np_expect "records for the reserves that succeeded" "$ok" "$(np_records | wc -l)"
np_expect "the summary says what the records say" consistent "$(np_summary_consistent)"
[ "$fail" -gt 0 ] && np_pass "some did not fit ($ok fit, $fail did not)" ||
	np_fail "all $N fit, 288 vCPUs on 256 CPUs"
np_check_books 4 1073741824
nofit=0
for f in "$NP_T"/rc.[xs]*; do
	[ "$(cat "$f")" = 1 ] || continue
	err=$(cat "$NP_T/err.${f##*/rc.}")
	[[ $err == "numaplace: reserve: "*"no fit"* ]] && [[ $err != *$'\n'* ]] || nofit=$((nofit + 1))
done
np_expect "every failure says no fit on one line" 0 "$nofit"
np_lock_free "after the fixture reserves" --topology "$topo"
rm -rf "$NP_STATE" "$NP_T"/rc.* "$NP_T"/err.*

echo "# ${SECONDS}s 3. $N places at once on the real cpuset hierarchy, then $N releases"
np_policy "$conf" 120s 'cpu-overcommit = 64'
guests=() homes=()
for ((i = 1; i <= N; i++)); do
	np_guest
	guests[i]=$NP_GUEST
	homes[i]=$(cat "/proc/$NP_GUEST/cpuset")
done
pids=()
for ((i = 1; i <= N; i++)); do
	("$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" place "g$i" "${guests[i]}" \
		>/dev/null 2>"$NP_T/err.$i"; echo $? >"$NP_T/rc.$i") &
	pids+=($!)
done
wait "${pids[@]}"
np_expect "every place succeeded" "0 $N " "$(np_storm_codes)"
np_storm_errors 0 ""
bad=0
while IFS='|' read -r name phase pid cpus excl _ _ cg; do
	want="placed ${guests[${name#g}]} /$cg $cpus"
	got="$phase $pid $(cat "/proc/$pid/cpuset") $(cat "$NP_CG/$cg/cpuset.cpus")"
	[ "$want" = "$got" ] || { bad=$((bad + 1)); echo "# $name: want [$want] got [$got]"; }
done < <(np_records)
np_expect "records" "$N" "$(np_records | wc -l)"
np_expect "the summary says what the records say" consistent "$(np_summary_consistent)"
np_expect "every guest placed, in its group, with its reserved cpus" 0 "$bad"
np_expect "groups" "$N" "$(np_groups | grep -c "^$NP_PARENT/")"
np_lock_free "after the places"
np_storm --config "$conf" --state-dir "$NP_STATE" release --force g@
np_expect "every release succeeded" "0 $N " "$(np_storm_codes)"
np_expect "no group left below the parent" "$NP_PARENT" "$(np_groups)"
np_expect "only the generation, the lock, the summary and the binding left in the state dir" \
	".generation .lock .summary .topology" \
	"$(ls -A "$NP_STATE" | tr '\n' ' ' | sed 's/ $//')"
for ((i = 1; i <= N; i++)); do
	[ "$(cat "/proc/${guests[i]}/cpuset")" = "${homes[i]}" ] || bad=$((bad + 1))
done
np_expect "released guests moved back to the group they came from" 0 "$bad"
np_lock_free "after the releases"
echo "# ${SECONDS}s done"

np_done
