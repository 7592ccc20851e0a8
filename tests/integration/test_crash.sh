#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crashes lose nothing (docs/contract.md "State", `reconcile`): numaplace killed with
# SIGKILL at every pause point (NUMAPLACE_TEST_PAUSE makes the moment
# exact), then 64 guests placed at once with half of them killed, at pause
# points inside numaplace (holding the lock included) or at random times
# (numaplace or the guest itself). Afterwards `reconcile` leaves exactly
# the surviving guests placed, no stray group, no stray reservation or
# temporary file, no exclusive CPU held twice, and the lock free. A record
# torn or replaced by garbage is reported by `status` naming the file,
# never trusted by `place`, and moved aside by `reconcile`.
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

command -v jq >/dev/null || np_skip "jq is not installed"
np_sandbox np-crash
seed=${NP_SEED:-$$}
RANDOM=$seed
echo "# seed $seed (NP_SEED=$seed reproduces the random kill times)"
conf=$NP_T/np.conf
nowait=$NP_T/nowait.conf
for f in "$conf:120s" "$nowait:0"; do
	printf '[placement]\ncgroup-parent = %s\ncpu-overcommit = 64\nlock-timeout = %s\n%s\n' \
		"$NP_PARENT" "${f#*:}" '[guest x*]
exclusive = yes' >"${f%:*}"
done

np() { "$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" "$@"; }

# np_lock_free DESC: a command that takes the lock without waiting works.
np_lock_free() {
	np_run --config "$nowait" --state-dir "$NP_STATE" release lockprobe
	np_expect "$1: the lock is free at once" "0 " "$NP_RC $NP_ERR"
}

# np_where PID: the cpuset group PID is in ("/" for the root).
np_where() {
	local g
	read -r g 2>/dev/null <"/proc/$1/cpuset" || g=gone
	echo "$g"
}

# np_placed NAME PID: the guest is placed: its record says placed with
# PID, PID is in its group, and the group holds the record's cpus.
np_placed() {
	local rec cpus=
	rec=$(jq -r '"\(.phase) \(.pid) \(.cgroup) \(.cpus)"' "$NP_STATE/$1.json" 2>/dev/null)
	read -r cpus 2>/dev/null <"$NP_CG/$NP_PARENT/$1/cpuset.cpus"
	[ "$rec" = "placed $2 $NP_PARENT/$1 $cpus" ] && [ "$(np_where "$2")" = "/$NP_PARENT/$1" ]
}

# np_absent NAME PID: no record, no group, and PID (when alive) never
# left the root group.
np_absent() {
	[ ! -e "$NP_STATE/$1.json" ] && [ ! -d "$NP_CG/$NP_PARENT/$1" ] &&
		{ [ "$(np_where "$2")" = / ] || [ "$(np_where "$2")" = gone ]; }
}

# np_state_files: what the state dir holds besides records, the lock and
# the generation.
np_state_files() {
	# shellcheck disable=SC2010 # the names are numaplace's own
	(cd "$NP_STATE" && ls -A | grep -v -e '^\.lock$' -e '^\.generation$' -e '^\.topology$' \
		-e '^\.refused$' -e '^\.summary$' -e '^[^.].*\.json$' |
		tr '\n' ' ')
}

# np_pause_kill POINT ARGS...: run numaplace ARGS stopped at POINT, and
# kill it there.
np_pause_kill() {
	local point=$1 err=$NP_T/pause.err npid
	shift
	# Emptied here, not by the background redirection below: that runs only
	# once the child does, and the wait could meanwhile see the previous
	# step's "paused at" line and kill numaplace before it got there.
	: >"$err"
	NUMAPLACE_TEST_PAUSE=$point "$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" "$@" \
		>/dev/null 2>"$err" &
	npid=$!
	NP_PIDS+=("$npid")
	if np_wait_paused "$err"; then
		np_pass "$point: $* paused"
	else
		np_fail "$point: $* never paused: $(cat "$err")"
	fi
	kill -9 "$npid"
	wait "$npid" 2>/dev/null
}

echo "# 1. killed at each pause point, one at a time"
# POINT: what the record says after the kill; what reconcile leaves.
for row in "after-lock:none:absent" "before-rename:none:absent" "after-write:applying:placed" \
	"after-reserve:applying:placed" "after-cgroup:applying:placed"; do
	IFS=: read -r point phase after <<<"$row"
	name=p-$point
	np_guest
	g=$NP_GUEST
	np_pause_kill "$point" place "$name" "$g"
	np_lock_free "$point"
	got=$(jq -r .phase "$NP_STATE/$name.json" 2>/dev/null || echo none)
	np_expect "$point: the record after the kill" "$phase" "$got"
	np_run --config "$conf" --state-dir "$NP_STATE" status
	np_expect "$point: status works" 0 "$NP_RC"
	np_run --config "$conf" --state-dir "$NP_STATE" reconcile
	np_expect "$point: reconcile" 0 "$NP_RC"
	if [ "$after" = placed ]; then
		np_placed "$name" "$g" && np_pass "$point: reconcile finished the placement" ||
			np_fail "$point: $name not placed after reconcile: $(cat "$NP_STATE/$name.json" 2>&1)"
	else
		np_absent "$name" "$g" && np_pass "$point: nothing of $name is left" ||
			np_fail "$point: $name left something: $(np_groups) $(ls -A "$NP_STATE")"
	fi
	np_expect "$point: no temporary file left" "" "$(np_state_files)"
	np_expect "$point: the summary says what the records say" consistent "$(np_summary_consistent)"
done

# np_exclusive_alone NAME: NAME's exclusive CPU is in no other guest's
# cpus, in the ledger or in the kernel.
np_exclusive_alone() {
	local xcpu twice=0 name phase pid cpus cg kcpus
	xcpu=$(jq -r .exclusive "$NP_STATE/$1.json" 2>/dev/null)
	[ -n "$xcpu" ] || { np_fail "$1 holds no exclusive CPU"; return; }
	while IFS='|' read -r name phase pid cpus _ _ _ cg; do
		[ "$name" = "$1" ] && continue
		kcpus=
		[ -n "$cg" ] && read -r kcpus 2>/dev/null <"$NP_CG/$cg/cpuset.cpus"
		np_expand "$cpus"
		[[ " ${NP_LIST[*]} " == *" $xcpu "* ]] && twice=$((twice + 1))
		np_expand "$kcpus"
		[[ " ${NP_LIST[*]} " == *" $xcpu "* ]] && twice=$((twice + 1))
	done < <(np_records)
	np_expect "$1's exclusive CPU $xcpu is held by no other guest" 0 "$twice"
}

# An exclusive guest killed after its record, before the shared guest
# gave its CPU up: reconcile takes the CPU back.
np_guest
np_run --config "$conf" --state-dir "$NP_STATE" place p-shared "$NP_GUEST"
np_guest
np_pause_kill after-reserve place x-killed "$NP_GUEST"
np_run --config "$conf" --state-dir "$NP_STATE" reconcile
np_placed x-killed "$NP_GUEST" && np_pass "x-killed placed by reconcile" ||
	np_fail "x-killed not placed by reconcile"
np_exclusive_alone x-killed

np_guest
np_run --config "$conf" --state-dir "$NP_STATE" place r-remove "$NP_GUEST"
np_pause_kill after-remove release --force r-remove
np_lock_free "release killed after-remove"
np_absent r-remove 0 && np_pass "release killed after-remove: the guest is gone" ||
	np_fail "release killed after-remove: r-remove is left: $(np_groups)"
np_pause_kill after-lock reconcile
np_lock_free "reconcile killed holding the lock"

# Part 1's guests go before the storm, so that it starts from nothing.
np_run --config "$conf" --state-dir "$NP_STATE" status --json
for name in $(jq -r '.guests[].name' <<<"$NP_OUT"); do
	np --config "$conf" release --force "$name" >/dev/null
done

echo "# 2. 64 guests placed at once, 32 of them killed"
# bash reports every job that dies of SIGKILL: those reports go to a file.
exec 3>&2 2>"$NP_T/storm.log"
N=64
declare -A fate=()
# Guest 1 is exclusive: killed after its record, before the shared guests
# gave its CPU up; reconcile must take the CPU back from them.
fate[1]="after-reserve"
for i in {2..9}; do fate[$i]="after-lock"; done
for i in {10..13}; do fate[$i]="before-rename"; done
for i in {14..18}; do fate[$i]="after-reserve"; done
for i in {19..22}; do fate[$i]="after-cgroup"; done
for i in {23..26}; do fate[$i]="kill-numaplace"; done
for i in {27..32}; do fate[$i]="kill-guest"; done
for ((i = 33; i <= N; i++)); do fate[$i]=none; done
name_of() { if [ "$1" = 1 ]; then echo x1; else echo "g$1"; fi; }

gpid=() npid=()
for ((i = 1; i <= N; i++)); do
	np_guest
	gpid[i]=$NP_GUEST
done
for ((i = 1; i <= N; i++)); do
	case ${fate[$i]} in
	after-* | before-*) point=${fate[$i]} ;;
	*) point= ;;
	esac
	# Not through np(): a function in the background is a subshell, and
	# killing that would leave numaplace running.
	NUMAPLACE_TEST_PAUSE=$point "$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" \
		place "$(name_of "$i")" "${gpid[i]}" >/dev/null 2>"$NP_T/err.$i" &
	npid[i]=$!
	NP_PIDS+=("${npid[i]}")
done
# Random kills: numaplace or the guest, within the first 3 s of the storm.
killers=()
for ((i = 1; i <= N; i++)); do
	case ${fate[$i]} in
	kill-numaplace) victim=${npid[i]} ;;
	kill-guest) victim=${gpid[i]} ;;
	*) continue ;;
	esac
	(sleep "$((RANDOM % 3)).$((RANDOM % 1000))"; kill -9 "$victim" 2>/dev/null) &
	killers+=($!)
done
# Kill each paused numaplace as soon as it says so (those at after-lock
# hold the lock: everyone else waits for them).
waiting=$(for i in "${!fate[@]}"; do [[ ${fate[$i]} == after-* || ${fate[$i]} == before-* ]] && echo "$i"; done)
for ((t = 0; t < 3000 && ${#waiting} > 0; t++)); do
	left=
	for i in $waiting; do
		if grep -q "paused at" "$NP_T/err.$i"; then
			kill -9 "${npid[i]}"
		else
			left+=" $i"
		fi
	done
	waiting=$left
	sleep 0.1
done
np_expect "every paused numaplace was seen paused and killed" "" "$waiting"
declare -A rc=()
for ((i = 1; i <= N; i++)); do
	wait "${npid[i]}"
	rc[$i]=$?
done
# The killed guests are reaped before reconcile looks: a zombie still
# counts as running.
wait "${killers[@]}"
for ((i = 1; i <= N; i++)); do
	[ "${fate[$i]}" = kill-guest ] && wait "${gpid[i]}" 2>/dev/null
done
untouched_ok=0
for ((i = 33; i <= N; i++)); do
	[ "${rc[$i]}" = 0 ] && untouched_ok=$((untouched_ok + 1))
done
exec 2>&3 3>&-
np_expect "the 32 guests nobody killed were placed" 32 "$untouched_ok"

np_run --config "$conf" --state-dir "$NP_STATE" reconcile
np_expect "reconcile after the storm" 0 "$NP_RC"
echo "$NP_OUT" | sed 's/^/#   /'
np_lock_free "after the storm and reconcile"
np_expect "no temporary or corrupt file in the state dir" "" "$(np_state_files)"

survivors=0 bad=0
for ((i = 1; i <= N; i++)); do
	name=$(name_of "$i")
	alive=yes
	[ "$(np_where "${gpid[i]}")" = gone ] && alive=no
	case "$alive:${fate[$i]}" in
	no:*) want=absent ;;
	yes:after-lock | yes:before-rename) want=absent ;;
	yes:kill-numaplace) want=either ;;
	*) want=placed ;;
	esac
	if np_placed "$name" "${gpid[i]}"; then
		got=placed
	elif np_absent "$name" "${gpid[i]}"; then
		got=absent
	else
		got=inconsistent
	fi
	[ "$got" = placed ] && survivors=$((survivors + 1))
	if [ "$got" != "$want" ] && { [ "$want" != either ] || [ "$got" = inconsistent ]; }; then
		bad=$((bad + 1))
		echo "# $name (${fate[$i]}, alive $alive, exit ${rc[$i]}): want $want, got $got"
	fi
done
np_expect "every guest placed or absent as its fate says" 0 "$bad"
records=$(find "$NP_STATE" -maxdepth 1 -name '[!.]*.json' | wc -l)
np_expect "records are exactly the placed survivors" "$survivors" "$records"
np_expect "groups are exactly the records" \
	"$(cd "$NP_STATE" && ls -- *.json 2>/dev/null | sed "s|\.json$||; s|^|$NP_PARENT/|" | sort)" \
	"$(np_groups | grep -vx "$NP_PARENT")"

np_exclusive_alone x1

# Every survivor that numaplace never placed is placed now, and a second
# reconcile has nothing to do.
replaced=0
for ((i = 1; i <= N; i++)); do
	name=$(name_of "$i")
	[ "$(np_where "${gpid[i]}")" = / ] || continue
	np_run --config "$conf" --state-dir "$NP_STATE" place "$name" "${gpid[i]}"
	[ "$NP_RC" = 0 ] && replaced=$((replaced + 1)) || echo "# place $name again: $NP_ERR"
	survivors=$((survivors + 1))
done
np_expect "every survivor placed again" "$survivors" "$(find "$NP_STATE" -maxdepth 1 -name '[!.]*.json' | wc -l)"
np_run --config "$conf" --state-dir "$NP_STATE" reconcile
np_expect "a second reconcile has nothing to do" "0 " "$NP_RC $NP_OUT"
np_expect "the summary says what the records say" consistent "$(np_summary_consistent)"
echo "# guests that survived: $survivors of $N ($replaced placed again after the storm)"

for name in $(cd "$NP_STATE" && ls -- *.json | sed 's/\.json$//'); do
	np release --force "$name" >/dev/null 2>&1 || np_fail "release $name"
done
np_expect "no group left after the releases" "$NP_PARENT" "$(np_groups)"
# (besides the binding and the refusals of the places the storm cut short)
# shellcheck disable=SC2010 # the names are numaplace's own
np_expect "only the generation, the lock and the summary left in the state dir" \
	".generation .lock .summary" \
	"$(ls -A "$NP_STATE" | grep -v -e '^\.topology$' -e '^\.refused$' | tr '\n' ' ' | sed 's/ $//')"

echo "# 3. torn and corrupt records"
np_guest
np_run --config "$conf" --state-dir "$NP_STATE" place keep "$NP_GUEST"
keep=$NP_GUEST
# damage KIND FILE: spoil a record the way KIND says.
damage() {
	case $1 in
	torn) truncate -s 100 "$2" ;;
	empty) : >"$2" ;;
	garbage) printf '\x00\xff{"version":' >"$2" ;;
	other-name) sed -i 's/"name":"[^"]*"/"name":"keep"/' "$2" ;;
	link) rm "$2" && ln -s keep.json "$2" ;;
	esac
}
for kind in torn empty garbage other-name link; do
	name=c-$kind
	np_guest
	np_run --config "$conf" --state-dir "$NP_STATE" place "$name" "$NP_GUEST"
	file=$NP_STATE/$name.json
	damage "$kind" "$file"
	np_run --config "$conf" --state-dir "$NP_STATE" status
	np_expect "$kind record: status fails" 1 "$NP_RC"
	[[ $NP_ERR == "numaplace: status: "*"$file"* && $NP_ERR != *$'\n'* ]] &&
		np_pass "$kind record: status names the file on one line" ||
		np_fail "$kind record: status said [$NP_ERR]"
	# A decision reads the summary, which still holds what the record
	# said: the damaged guest's booking counts, nothing is read from it.
	np_guest
	np_run --config "$conf" --state-dir "$NP_STATE" place "n-$kind" "$NP_GUEST"
	np_expect "$kind record: place next to it decides from the summary" 0 "$NP_RC"
	[[ $(grep -c "^$name placed " "$NP_STATE/.summary") == 1 ]] &&
		np_pass "$kind record: the summary still counts $name" ||
		np_fail "$kind record: the summary lost $name: $(cat "$NP_STATE/.summary")"
	np_run --config "$conf" --state-dir "$NP_STATE" release --force "n-$kind"
	np_expect "$kind record: release of the guest next to it" 0 "$NP_RC"
	np_expect "$kind record: released back where it was" / "$(np_where "$NP_GUEST")"
	np_run --config "$conf" --state-dir "$NP_STATE" reconcile
	np_expect "$kind record: reconcile" 0 "$NP_RC"
	[[ $NP_OUT == *"moved aside $name as .corrupt.$name.json"* ]] &&
		np_pass "$kind record: reconcile says it moved it aside" ||
		np_fail "$kind record: reconcile said [$NP_OUT]"
	[ -e "$NP_STATE/.corrupt.$name.json" ] || [ -L "$NP_STATE/.corrupt.$name.json" ] &&
		[ ! -e "$file" ] && [ ! -L "$file" ] && np_pass "$kind record: set aside" ||
		np_fail "$kind record: not set aside: $(ls -A "$NP_STATE")"
	np_expect "$kind record: the summary no longer lists it" 0 \
		"$(grep -c "^$name " "$NP_STATE/.summary")"
	np_run --config "$conf" --state-dir "$NP_STATE" status --json
	np_expect "$kind record: status works again, without it" "0 keep" \
		"$NP_RC $(jq -r '[.guests[].name] | join(" ")' <<<"$NP_OUT")"
	np_placed keep "$keep" && np_pass "$kind record: the other guest is untouched" ||
		np_fail "$kind record: keep changed: $(cat "$NP_STATE/keep.json")"
done

np_done
