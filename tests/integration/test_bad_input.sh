#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bad input matrix of issue 10: hostile guest names, sizes, counts,
# PIDs, cpu lists, configs, topologies and LXC hook environments, each
# given to every command that takes it. Every row must end with the
# documented exit code (docs/contract.md: 2 input, 1 runtime; `run` 125), exactly one
# `numaplace: …` line on stderr without control bytes (check-config: its
# FILE:LINE lines, at most 50, then `… and N more`), nothing on stdout, and
# nothing created or changed under the cgroup parent or the state dir.
# The matrix runs twice: on a clean machine (no state dir, no parent
# group) and next to a placed guest, whose record and group must come
# through untouched.
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

np_sandbox np-bad
conf=$NP_T/np.conf
printf '[placement]\ncgroup-parent = %s\ncpu-overcommit = 64\nlock-timeout = 10s\n' \
	"$NP_PARENT" >"$conf"
NP_ROWS=0

# Bytes, whatever the locale: [[:cntrl:]] below means bytes 0-31 and 127.
export LC_ALL=C
shopt -s globstar

# np_snapshot: the state dir (names and contents; the lock file, which
# every locked call rewrites, by name) and the groups of this run (with
# their cpus and tasks) into NP_SNAP. Builtins only: this machine forks
# slowly, and the matrix takes a snapshot per row.
np_snapshot() {
	local f g text
	NP_SNAP="state:"
	[ -e "$NP_STATE" ] && NP_SNAP+=" present"
	for f in "$NP_STATE"/* "$NP_STATE"/.[!.]*; do
		[ -e "$f" ] || continue
		NP_SNAP+=$'\n'"$f"
		if [ "${f##*/}" != .lock ] && [ -f "$f" ]; then
			IFS= read -r -d '' text <"$f"
			NP_SNAP+=" $text"
		fi
	done
	NP_SNAP+=$'\n'"groups:"
	for g in "$NP_CG/$NP_TOP" "$NP_CG/$NP_TOP"/**/; do
		[ -d "$g" ] || continue
		NP_SNAP+=$'\n'"$g cpus "
		IFS= read -r -d '' text <"$g/cpuset.cpus"
		NP_SNAP+="$text tasks "
		IFS= read -r -d '' text <"$g/cgroup.procs"
		NP_SNAP+=$text
	done
}

# np_one_line: $NP_ERR is one line starting "numaplace: ", no control bytes.
np_one_line() {
	local desc=$1
	if [ -z "$NP_ERR" ] || [[ $NP_ERR == *$'\n'* ]]; then
		np_fail "$desc: expected one stderr line, got [$NP_ERR]"
	elif [[ $NP_ERR != "numaplace: "* ]]; then
		np_fail "$desc: stderr [$NP_ERR] lacks the numaplace: prefix"
	elif [[ $NP_ERR == *[[:cntrl:]]* ]]; then
		np_fail "$desc: control bytes on stderr: [$NP_ERR]"
	else
		np_pass "$desc: $NP_ERR"
	fi
}

# np_capped DESC TOTAL: check-config's report: "FILE:LINE: " lines ("FILE: "
# for a file it cannot read), at most 50, then "… and N more" when there
# were more. TOTAL is the number of problems, or "any".
np_capped() {
	local desc=$1 total=$2 lines=() i bad=0
	mapfile -t lines <<<"$NP_ERR"
	if [ "$total" = any ] && [[ ${lines[-1]} == "… and "*" more" ]]; then
		total=$((50 + ${lines[-1]//[^0-9]/}))
	elif [ "$total" = any ]; then
		total=${#lines[@]}
	fi
	if [ "$total" -gt 50 ]; then
		np_expect "$desc: lines" 51 "${#lines[@]}"
		np_expect "$desc: last line" "… and $((total - 50)) more" "${lines[-1]}"
	else
		np_expect "$desc: lines" "$total" "${#lines[@]}"
	fi
	for ((i = 0; i < ${#lines[@]} && i < 50; i++)); do
		[[ ${lines[i]} =~ ^[^\ ]+(:[0-9]+)?:\  ]] && [[ ${lines[i]} != *[[:cntrl:]]* ]] ||
			bad=$((bad + 1))
	done
	np_expect "$desc: FILE:LINE lines without control bytes" 0 "$bad"
}

# row DESC RC CMD...: one row of the matrix: run CMD (numaplace, maybe
# behind `env`), which must exit RC.
row() {
	local desc=$1 want=$2 before
	shift 2
	NP_ROWS=$((NP_ROWS + 1))
	np_snapshot
	before=$NP_SNAP
	"$@" >"$NP_T/out" 2>"$NP_T/err" </dev/null
	NP_RC=$?
	IFS= read -r -d '' NP_OUT <"$NP_T/out"
	IFS= read -r -d '' NP_ERR <"$NP_T/err"
	NP_ERR=${NP_ERR%$'\n'}
	np_snapshot
	np_expect "$desc: exit code" "$want" "$NP_RC"
	np_expect "$desc: stdout" "" "$NP_OUT"
	if [ -n "${NP_CAPPED:-}" ]; then
		np_capped "$desc" "$NP_CAPPED"
	else
		np_one_line "$desc"
	fi
	np_expect "$desc: nothing created or changed" "$before" "$NP_SNAP"
}

np() { "$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" "$@"; }

# ---- guest names, through every command that takes one ----
long65=$(printf 'a%.0s' {1..65})
names=('../etc' 'a/b' '' "$long65" '.hidden' $'\xff\xfe' $'caf\xc3' $'a\nb' $'x\e[31m'
	'a;rm -rf /' '$(id)' '`id`' 'a b' '*' '..' '.' 'tasks' 'notify_on_release'
	'release_agent' 'cgroup.procs' 'cpuset.cpus' '-x')

rows_names() {
	local n desc
	for n in "${names[@]}"; do
		desc="name $(printf '%q' "$n")"
		full && row "$desc: advise" 2 np advise -- "$n"
		row "$desc: reserve" 2 np reserve -- "$n"
		row "$desc: place" 2 np place -- "$n" "$GUEST"
		row "$desc: release" 2 np release -- "$n"
		row "$desc: run" 125 np run --name "$n" -- true
	done
}

# ---- sizes, counts and PIDs ----
rows_numbers() {
	local s v p
	for s in -1 1Q 99999999T '' 1.5G 0x10 ' 1G' 1G- 18446744073709551616 16E 1KB; do
		full && row "memory $(printf '%q' "$s"): advise" 2 np advise g1 --memory "$s"
		full && row "memory $(printf '%q' "$s"): reserve" 2 np reserve g1 --memory "$s"
		row "memory $(printf '%q' "$s"): place" 2 np place g1 "$GUEST" --memory "$s"
		full && row "memory $(printf '%q' "$s"): run" 125 np run --memory "$s" -- true
	done
	for v in 0 -1 8193 99999999999 abc ''; do
		full && row "vcpus $(printf '%q' "$v"): reserve" 2 np reserve g1 --vcpus "$v"
		row "vcpus $(printf '%q' "$v"): place" 2 np place g1 "$GUEST" --vcpus "$v"
	done
	for p in 0 -1 abc '' 4294967296 1x; do
		row "pid $(printf '%q' "$p")" 2 np place g1 "$p"
	done
	row "pid that does not exist" 1 np place g1 99999999
}

# ---- cpu lists: the cpulist command, and cpus/mems in a policy ----
lists=('0-' '-1' '1-0' '8192' '0-1-2' '0-3:2/0' '0-1:3/2' '0:1/1' 'x' '0x1' '99999999999999999999'
	$'0\n1' '0-3,^2' '1 -2')

rows_cpulists() {
	local l c
	for l in "${lists[@]}"; do
		full && row "cpulist $(printf '%q' "$l")" 2 np cpulist -- "$l"
	done
	full && row "cpulist libvirt empty" 2 np cpulist --dialect libvirt ''
	full && row "cpulist libvirt range exclusion" 2 np cpulist --dialect libvirt '^1-3'
	c=$NP_T/cpus.conf
	for l in '0-' '8192' '1-0' 'x' ''; do
		printf '[placement]\ncgroup-parent = %s\ncpus = %s\n' "$NP_PARENT" "$l" >"$c"
		row "policy cpus $(printf '%q' "$l")" 2 \
			"$NUMAPLACE" --config "$c" --state-dir "$NP_STATE" place g1 "$GUEST"
		printf '[placement]\ncgroup-parent = %s\nmems = %s\n' "$NP_PARENT" "$l" >"$c"
		row "policy mems $(printf '%q' "$l")" 2 \
			"$NUMAPLACE" --config "$c" --state-dir "$NP_STATE" place g1 "$GUEST"
	done
	printf '[placement]\ncgroup-parent = %s\n[guest g1]\nadvisor = static\ncpus = 4000\nmems = 0\n' \
		"$NP_PARENT" >"$c"
	row "static cpus the machine lacks" 2 \
		"$NUMAPLACE" --config "$c" --state-dir "$NP_STATE" place g1 "$GUEST"
	printf '[placement]\ncgroup-parent = %s\n[guest g1]\nadvisor = static\ncpus = 0\nmems = 63\n' \
		"$NP_PARENT" >"$c"
	row "static mems the machine lacks" 2 \
		"$NUMAPLACE" --config "$c" --state-dir "$NP_STATE" place g1 "$GUEST"
}

# ---- configs ----
# np_garbage FILE N: N bytes of binary garbage, the same on every run.
np_garbage() {
	local i s=
	RANDOM=10
	for ((i = 0; i < $2; i++)); do
		printf -v s '%s\\x%02x' "$s" $((RANDOM % 256))
	done
	printf "$s" >"$1"
}

make_configs() {
	local d=$NP_T/conf
	mkdir -p "$d"
	np_garbage "$d/garbage.conf" 4096
	awk -v p="$NP_PARENT" 'BEGIN { print "[placement]"; print "cgroup-parent = " p
		for (i = 0; i < 100000; i++) printf "bogus%d = 1\n", i }' >"$d/100k.conf"
	{ printf '[placement]\nreason = '; printf 'x%.0s' {1..10000}; printf '\n'; } >"$d/longline.conf"
	{ printf '[guest '; printf 's%.0s' {1..300}; printf ']\nvcpus = 2\n'; } >"$d/longsection.conf"
	printf '[placement]\nvcpus = 2\nmemory = 1G\nvcpus = 3\n' >"$d/duplicate.conf"
	printf '[guest caf\xc3\xa9]\nvcpus = 2\n[guest \xff]\nvcpus = 2\n' >"$d/nonutf8.conf"
	printf '[placement]\nvcpus = 2\n  continued\n' >"$d/continuation.conf"
	printf '[guest a]b]\nvcpus = 2\n' >"$d/bracket.conf"
	printf '[placement]\nmemory = 1Q\nvcpus = -1\nlock-timeout = forever\n' >"$d/values.conf"
	printf '[placement]\ncgroup-parent = ../../etc\n' >"$d/parent.conf"
	mkfifo "$d/fifo.conf"
	mkdir "$d/dir.conf"
	cp "$conf" "$d/with-dropins.conf"
	mkdir "$d/with-dropins.conf.d"
	printf '[placement]\nvcpus = many\n' >"$d/with-dropins.conf.d/50-bad.conf"
}

# config_rows FILE PROBLEMS: check-config lists PROBLEMS problems; advise,
# reserve and place refuse the file on one line.
config_rows() {
	local f=$NP_T/conf/$1 total=$2
	full && NP_CAPPED=$total row "config $1: check-config" 2 \
		"$NUMAPLACE" --config "$f" --topology "$NP_FIXTURES/topologies/4n-amd64-8pu.xml" check-config
	full && row "config $1: advise" 2 "$NUMAPLACE" --config "$f" --state-dir "$NP_STATE" advise g1
	full && row "config $1: reserve" 2 "$NUMAPLACE" --config "$f" --state-dir "$NP_STATE" reserve g1
	row "config $1: place" 2 "$NUMAPLACE" --config "$f" --state-dir "$NP_STATE" place g1 "$GUEST"
	full && row "config $1: status" 2 "$NUMAPLACE" --config "$f" --state-dir "$NP_STATE" status
	row "config $1: reconcile" 2 "$NUMAPLACE" --config "$f" --state-dir "$NP_STATE" reconcile
}

rows_configs() {
	config_rows garbage.conf any
	config_rows 100k.conf 100000
	config_rows longline.conf 1
	config_rows longsection.conf 1
	config_rows duplicate.conf 1
	config_rows nonutf8.conf 2
	config_rows continuation.conf 1
	config_rows bracket.conf 1
	config_rows values.conf 3
	config_rows parent.conf 1
	config_rows fifo.conf 1
	config_rows dir.conf 1
	config_rows with-dropins.conf 1
	row "config missing" 2 "$NUMAPLACE" --config "$NP_T/conf/none.conf" --state-dir "$NP_STATE" advise g1
}

# ---- topologies ----
make_topologies() {
	local d=$NP_T/topo src=$NP_FIXTURES/topologies/4n-amd64-8pu.xml
	mkdir -p "$d/nosys" "$d/sysnocpu/sys/devices/system/node"
	head -c 3000 "$src" >"$d/truncated.xml"
	: >"$d/empty.xml"
	np_garbage "$d/garbage.xml" 2048
	# Every NUMANode element and the distances taken out: zero nodes.
	sed -e '/<object type="NUMANode"/,/<\/object>/d' -e '/<distances2/,/<\/distances2>/d' \
		"$src" >"$d/zero-nodes.xml"
	mkfifo "$d/fifo.xml"
}

topology_rows() {
	local t=$1
	full && row "topology $(basename "$t"): topology" 2 "$NUMAPLACE" --topology "$t" topology
	full && row "topology $(basename "$t"): advise" 2 np --topology "$t" advise g1
	full && row "topology $(basename "$t"): reserve" 2 np --topology "$t" reserve g1
	row "topology $(basename "$t"): place" 2 np --topology "$t" place g1 "$GUEST"
}

rows_topologies() {
	local t
	for t in truncated.xml empty.xml garbage.xml zero-nodes.xml fifo.xml nosys sysnocpu missing.xml; do
		topology_rows "$NP_T/topo/$t"
	done
}

# A node with neither CPUs nor memory is a real machine's shape (memory
# offlined), not an error: it is listed, and never handed out.
check_empty_node() {
	local src=$NP_FIXTURES/topologies/6n-8pu-2cpuless.xml t=$NP_T/topo/empty-node.xml mems
	sed -e '/<object type="NUMANode" os_index="4"/{s/ local_memory="[0-9]*"//;n;d}' \
		"$src" >"$t"
	np_run --topology "$t" topology --json
	np_expect "node without CPUs and memory: topology exit code" 0 "$NP_RC"
	np_expect "node without CPUs and memory: listed empty" '"" 0' \
		"$(jq -r '.nodes[] | select(.id == 4) | "\"\(.cpus)\" \(.memory_total)"' <<<"$NP_OUT")"
	for mem in 1G 40G 100G; do
		np_run --topology "$t" --state-dir "$NP_STATE" advise g1 --vcpus 2 --memory "$mem" --json
		mems=$(jq -r .mems <<<"$NP_OUT")
		np_expect "advise $mem: exit code" 0 "$NP_RC"
		if [ -z "$mems" ] || [ "$(np_cpulist_has "$mems" 4)" = yes ]; then
			np_fail "advise $mem: the empty node 4 was handed out: mems=[$mems]"
		else
			np_pass "advise $mem: node 4 not used (mems=$mems)"
		fi
	done
	np_expect "advise: the state dir was not made" "" "$(ls -A "$NP_STATE" 2>/dev/null)"
}

# np_cpulist_has LIST N: yes when the cpu list LIST holds N.
np_cpulist_has() {
	local part
	for part in ${1//,/ }; do
		if [ "$2" -ge "${part%-*}" ] && [ "$2" -le "${part#*-}" ]; then
			echo yes
			return
		fi
	done
	echo no
}

# ---- the LXC hook's environment ----
hook() { env -i "$@" "$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" hook lxc; }

rows_hook() {
	local ok=(LXC_NAME=g1 "LXC_PID=$GUEST")
	row "hook: no variables" 2 hook
	row "hook: no LXC_HOOK_TYPE" 2 hook "${ok[@]}"
	row "hook: empty LXC_HOOK_TYPE" 2 hook LXC_HOOK_TYPE= "${ok[@]}"
	row "hook: LXC_HOOK_TYPE pre-start" 2 hook LXC_HOOK_TYPE=pre-start "${ok[@]}"
	row "hook: LXC_HOOK_TYPE with a newline" 2 hook $'LXC_HOOK_TYPE=start-host\nx' "${ok[@]}"
	row "hook: no LXC_NAME" 2 hook LXC_HOOK_TYPE=start-host "LXC_PID=$GUEST"
	row "hook: no LXC_PID" 2 hook LXC_HOOK_TYPE=start-host LXC_NAME=g1
	row "hook: post-stop, no LXC_NAME" 2 hook LXC_HOOK_TYPE=post-stop "LXC_PID=$GUEST"
	local n p
	for n in '../../etc' 'a/b' "$long65" '.hidden' $'\xff' $'a\nb' '$(reboot)' 'tasks'; do
		row "hook: LXC_NAME $(printf '%q' "$n")" 2 hook LXC_HOOK_TYPE=start-host \
			"LXC_NAME=$n" "LXC_PID=$GUEST"
		row "hook post-stop: LXC_NAME $(printf '%q' "$n")" 2 hook LXC_HOOK_TYPE=post-stop \
			"LXC_NAME=$n" "LXC_PID=$GUEST"
	done
	for p in 0 -1 abc '' ' 1' 4294967296 '1;reboot'; do
		row "hook: LXC_PID $(printf '%q' "$p")" 2 hook LXC_HOOK_TYPE=start-host LXC_NAME=g1 \
			"LXC_PID=$p"
	done
	row "hook: LXC_PID of no process" 1 hook LXC_HOOK_TYPE=start-host LXC_NAME=g1 LXC_PID=99999999
	row "hook: LXC_PID outside lxc.payload.g1" 2 hook LXC_HOOK_TYPE=start-host LXC_NAME=g1 \
		"LXC_PID=$GUEST"
	row "hook: not lxc" 2 env -i LXC_HOOK_TYPE=start-host "${ok[@]}" \
		"$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" hook lxd
	row "hook: extra operands" 2 env -i LXC_HOOK_TYPE=start-host "${ok[@]}" \
		"$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" hook lxc g1 lxc start
}

# ---- global options and state dirs ----
rows_globals() {
	: >"$NP_T/a-file"
	row "state dir empty" 2 "$NUMAPLACE" --config "$conf" --state-dir '' reserve g1
	row "state dir is a file" 1 "$NUMAPLACE" --config "$conf" --state-dir "$NP_T/a-file" reserve g1
	row "state dir below a file" 1 "$NUMAPLACE" --config "$conf" --state-dir "$NP_T/a-file/s" reserve g1
	row "state dir two levels missing" 1 "$NUMAPLACE" --config "$conf" --state-dir "$NP_T/x/y" reserve g1
	row "option without value" 2 np reserve g1 --memory
	row "unknown option with escapes" 2 np reserve g1 $'--\e[2J'
	row "unknown command" 2 np $'frob\nnicate'
	row "reserve without name" 2 np reserve
	row "place without pid" 2 np place g1
	row "status with two operands" 2 np status x y
	row "status of an unknown guest" 1 np status x
	row "reconcile with operands" 2 np reconcile x
}

command -v jq >/dev/null || np_skip "jq is not installed"
np_guest
GUEST=$NP_GUEST
make_configs
make_topologies

matrix() {
	rows_names
	rows_numbers
	rows_cpulists
	rows_configs
	rows_topologies
	rows_hook
	rows_globals
}

# full: whether this pass runs every row (pass 1), or only the rows that
# reach the state dir or the groups when their input is good (pass 2).
full() { [ "$NP_PASS" = 1 ]; }

echo "# pass 1: no state dir, no parent group"
NP_PASS=1
matrix
check_empty_node
rows1=$NP_ROWS

echo "# pass 2: next to a placed guest"
np_guest
np_run --config "$conf" --state-dir "$NP_STATE" place keep "$NP_GUEST"
np_expect "the guest kept aside is placed" 0 "$NP_RC"
kept=$(cat "$NP_STATE/keep.json")
NP_ROWS=0
NP_PASS=2
matrix
np_expect "the guest kept aside: record unchanged" "$kept" "$(cat "$NP_STATE/keep.json")"
np_expect "the guest kept aside: still in its group" "/$NP_PARENT/keep" \
	"$(cat "/proc/$NP_GUEST/cpuset")"
np_run --config "$conf" --state-dir "$NP_STATE" release --force keep
np_expect "release the guest kept aside" 0 "$NP_RC"

echo "# rows: $rows1 on a clean machine, $NP_ROWS next to a placed guest"
np_done
