#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `numaplace hook lxc` with real LXC containers: two containers pinned by the
# policy to different CPUs get them (in LXC's group, for init and for a
# process attached later), containers that do not fit do not start and say
# why in the LXC log and in `numaplace status` (after LXC's post-stop),
# stopping releases, and nothing is left behind.
# Also the hook's refusals of a bad environment, without LXC.
source "$NP_SOURCE_DIR/tests/integration/lib.sh"

T=$(mktemp -d)
state=$T/state
conf=$T/np.conf
run=np-$$
containers=()

# Destroy every container this run created (stopping it first), even when
# a check failed. LXC 5.0.2 leaves an empty lxc.monitor.NAME group (in every
# hierarchy) after a start a hook aborted, and names the next one NAME-1:
# remove the empty groups named after this run's containers, and leave
# LXC's shared ones (lxc.pivot) alone.
cleanup() {
	local name
	for name in "${containers[@]}"; do
		lxc-destroy -f -n "$name" >/dev/null 2>&1
	done
	find /sys/fs/cgroup -maxdepth 2 -type d -name "lxc.*.$run-*" -exec rmdir {} + 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# The cpuset hierarchy: a v1 cpuset mount, else the unified one.
np_cpuset_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break;
	       if ($(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)cpuset(,|$)/) { print $5; exit }
	       if ($(i + 1) == "cgroup2") v2 = $5 }
	     END { if (v2 != "") print v2 }' /proc/self/mountinfo | head -n 1
}

# np_hook_env DESC EXPECTED_RC PATTERN VAR=VALUE...: run the hook under
# `env -i` with the given variables; one line on stderr matching PATTERN.
np_hook_env() {
	local desc=$1 rc=$2 pattern=$3 out err
	shift 3
	out=$(env -i "$@" "$NUMAPLACE" --config "$conf" --state-dir "$state" hook lxc \
		2>"$T/err")
	NP_RC=$?
	err=$(cat "$T/err")
	np_expect "$desc: exit code" "$rc" "$NP_RC"
	if [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && [[ $err == *$pattern* ]]; then
		np_pass "$desc: one line: $err"
	else
		np_fail "$desc: stderr [$err] does not match [$pattern]"
	fi
	np_expect "$desc: nothing on stdout" "" "$out"
}

# np_list_has N LIST: whether the kernel cpu list LIST holds N.
np_list_has() {
	local part
	for part in ${2//,/ }; do
		[ "$1" -ge "${part%-*}" ] 2>/dev/null && [ "$1" -le "${part#*-}" ] && return 0
	done
	return 1
}

np_records() {
	find "$state" -maxdepth 1 -name '*.json' ! -name '.*' 2>/dev/null | wc -l
}

np_cpus_allowed() {
	awk '/^Cpus_allowed_list:/ { print $2 }' "$1"
}

# The hook refuses what LXC would never hand it, touching nothing.
test_env() {
	local base=(LXC_HOOK_TYPE=start-host LXC_NAME=np-env LXC_PID=$$)
	np_hook_env "no LXC_HOOK_TYPE" 2 "LXC_HOOK_TYPE is not set" LXC_NAME=x LXC_PID=$$
	np_hook_env "hook type pre-start" 2 "not supported" LXC_HOOK_TYPE=pre-start \
		LXC_NAME=np-env LXC_PID=$$
	np_hook_env "a name with a slash" 2 "LXC_NAME: invalid guest name" \
		LXC_HOOK_TYPE=start-host LXC_NAME=../../etc LXC_PID=$$
	np_hook_env "a name with a newline" 2 "LXC_NAME: invalid guest name" \
		LXC_HOOK_TYPE=start-host "LXC_NAME=a
b" LXC_PID=$$
	np_hook_env "no LXC_PID" 2 "LXC_PID is not set" LXC_HOOK_TYPE=post-stop LXC_NAME=np-env
	np_hook_env "LXC_PID not a number" 2 "LXC_PID" "${base[@]:0:2}" LXC_PID=12x
	np_hook_env "LXC_PID zero" 2 "LXC_PID" "${base[@]:0:2}" LXC_PID=0
	np_hook_env "a pid outside the container's group" 2 "not in the container's group" \
		"${base[@]}"
	np_expect "no reservation after the refusals" 0 "$(np_records)"
	np_run --config "$conf" --state-dir "$state" hook lxc extra
	np_expect "an operand other than lxc: exit code" 2 "$NP_RC"
	test_stop_leaves_others
}

# post-stop drops only the container's own reservation: one made by
# `reserve` (no PID) under the same name stays.
test_stop_leaves_others() {
	np_run --config "$conf" --state-dir "$state" reserve np-env-held
	np_expect "reserve np-env-held" 0 "$NP_RC"
	NP_OUT=$(LXC_HOOK_TYPE=post-stop LXC_NAME=np-env-held LXC_PID=$$ \
		"$NUMAPLACE" --config "$conf" --state-dir "$state" hook lxc 2>&1)
	np_expect "post-stop of another holder's name: exit code" 0 "$?"
	np_expect "post-stop of another holder's name: the reservation stays" yes \
		"$([ -e "$state/np-env-held.json" ] && echo yes || echo no)"
	[[ $NP_OUT == *"left alone"* ]] && np_pass "post-stop says: $NP_OUT" ||
		np_fail "post-stop output [$NP_OUT] does not say it left the reservation alone"
	np_run --config "$conf" --state-dir "$state" release np-env-held
	np_expect "release np-env-held" 0 "$NP_RC"
}

# Create a busybox container with no network and the hook lines `hook`.
np_lxc_create() {
	local name=$1 hook=$2 cfg
	containers+=("$name")
	if ! lxc-create -t busybox -n "$name" >"$T/create-$name.log" 2>&1; then
		np_fail "lxc-create $name: $(tail -n 3 "$T/create-$name.log")"
		return 1
	fi
	cfg=$(lxc-config lxc.lxcpath)/$name/config
	sed -i -e 's/^lxc\.net\.0\.type = .*/lxc.net.0.type = empty/' -e '/^lxc\.net\.0\.link/d' "$cfg"
	printf '%s\n' "$hook" >>"$cfg"
}

# The PID of the container's monitor (lxc-start -d), which runs post-stop.
np_lxc_monitor() {
	local procs=$mount/lxc.monitor.$1/cgroup.procs
	[ -r "$procs" ] && head -n 1 "$procs"
}

# Stop a container and wait until its monitor, which runs the post-stop
# hook, has exited (bounded, so a hang fails the test instead of blocking).
np_lxc_stop() {
	local name=$1 monitor i
	monitor=$(np_lxc_monitor "$name")
	[ -n "$monitor" ] || np_fail "$name: no monitor process in lxc.monitor.$name"
	lxc-stop -n "$name" -k
	for ((i = 0; i < 600; i++)); do
		[ -n "$monitor" ] && [ -d "/proc/$monitor" ] || return 0
		sleep 0.1
	done
	np_fail "$name: monitor $monitor still running 60 s after lxc-stop"
}

# A started container runs in lxc.payload.NAME on exactly `cpus`.
check_started() {
	local name=$1 cpus=$2 pid group attached
	lxc-start -n "$name" -d -o "$T/$name.log" -l DEBUG
	np_expect "$name starts" 0 "$?"
	pid=$(lxc-info -n "$name" -p -H)
	np_expect "$name: lxc.payload.$name/cpuset.cpus" "$cpus" \
		"$(cat "$mount/lxc.payload.$name/cpuset.cpus" 2>&1)"
	np_expect "$name: init's Cpus_allowed_list" "$cpus" "$(np_cpus_allowed "/proc/$pid/status")"
	group=$(awk -F: '$2 ~ /(^|,)cpuset(,|$)/ || $1 == 0 { print $3; exit }' "/proc/$pid/cgroup")
	np_expect "$name: init stays in LXC's group" "/lxc.payload.$name" "$group"
	attached=$(lxc-attach -n "$name" -- cat /proc/self/status | awk '/^Cpus_allowed_list:/ { print $2 }')
	np_expect "$name: a process attached later" "$cpus" "$attached"
	if [ -f "$state/$name.json" ] && grep -q "\"pid\": *${pid}[,}]" "$state/$name.json"; then
		np_pass "$name: reserved for init pid $pid"
	else
		np_fail "$name: no record for pid $pid: $(cat "$state/$name.json" 2>&1)"
	fi
}

# A container whose placement cannot fit does not start; the hook's line is
# in the LXC log; no reservation, no group of it remains.
check_refused() {
	local name=$1 pattern=$2
	lxc-start -n "$name" -d -o "$T/$name.log" -l DEBUG 2>/dev/null
	np_expect "$name does not start" 1 "$?"
	np_expect "$name: state" STOPPED "$(lxc-info -n "$name" -s -H)"
	if grep -q "numaplace: hook lxc: .*$pattern" "$T/$name.log"; then
		np_pass "$name: the LXC log says: $(grep -o "numaplace: hook lxc: .*" "$T/$name.log" | head -n 1)"
	else
		np_fail "$name: no numaplace line matching [$pattern] in the LXC log"
	fi
	np_expect "$name: no reservation" no "$([ -e "$state/$name.json" ] && echo yes || echo no)"
	np_expect "$name: no group left" no "$([ -d "$mount/lxc.payload.$name" ] && echo yes || echo no)"
}

# The refusal outlives the post-stop hook LXC ran after the refused start:
# `numaplace status` says why, until `numaplace release NAME`.
check_refusal_kept() {
	local name=$1 pattern=$2 reason
	np_run --config "$conf" --state-dir "$state" status --json
	reason=$(jq -r --arg n "$name" '.refused[] | select(.name == $n) | .reason' <<<"$NP_OUT")
	[[ $reason == *$pattern* ]] && np_pass "$name: status --json refused: $reason" ||
		np_fail "$name: status --json refused: [$NP_OUT] lacks [$pattern]"
	np_run --config "$conf" --state-dir "$state" status
	[[ $NP_OUT == *REFUSED*"$name "*"$pattern"* ]] && np_pass "$name: status text shows the refusal" ||
		np_fail "$name: status text [$NP_OUT]"
	np_run --config "$conf" --state-dir "$state" release "$name"
	np_run --config "$conf" --state-dir "$state" status --json
	np_expect "$name: release NAME forgets the refusal" "" \
		"$(jq -r --arg n "$name" '.refused[] | select(.name == $n) | .name' <<<"$NP_OUT")"
}

check_stopped() {
	local name=$1
	np_lxc_stop "$name"
	np_expect "$name: stopped" STOPPED "$(lxc-info -n "$name" -s -H)"
	np_expect "$name: reservation released" no "$([ -e "$state/$name.json" ] && echo yes || echo no)"
}

check_nothing_left() {
	np_expect "no reservation left" 0 "$(np_records)"
	np_expect "no container group left" "" \
		"$(find "$mount" -maxdepth 1 -name "lxc.payload.$run-*" 2>/dev/null)"
}

mount=$(np_cpuset_mount)
[ -n "$mount" ] || np_skip "no cpuset cgroup hierarchy"
cpus=$(cat "$mount/cpuset.cpus" 2>/dev/null || cat "$mount/cpuset.cpus.effective")
mems=$(cat "$mount/cpuset.mems" 2>/dev/null || cat "$mount/cpuset.mems.effective")
mem0=${mems%%[-,]*}
cat >"$conf" <<EOF
[guest $run-a]
advisor = static
cpus = 0
mems = $mem0

[guest $run-b]
advisor = static
cpus = 1
mems = $mem0

[guest $run-c]
advisor = static
cpus = 8191
EOF

test_env

[ "$(id -u)" = 0 ] || np_skip "LXC containers need root"
for tool in lxc-create lxc-start lxc-stop lxc-attach lxc-info lxc-destroy lxc-config; do
	command -v "$tool" >/dev/null || np_skip "$tool is missing (Debian package lxc)"
done
command -v busybox >/dev/null || np_skip "busybox is missing (Debian package busybox-static)"
np_list_has 0 "$cpus" && np_list_has 1 "$cpus" ||
	np_skip "CPUs 0 and 1 are needed to pin two containers apart (cpuset.cpus $cpus)"

# Container a includes the shipped snippet, finding numaplace on PATH and its
# config and state dir in the environment LXC hands its hooks; the others
# name the built binary with options, as an administrator may.
hook="$NUMAPLACE --config $conf --state-dir $state hook lxc"
np_lxc_create "$run-a" "lxc.include = $NP_SOURCE_DIR/contrib/lxc/numaplace.conf" || exit 1
np_lxc_create "$run-b" "lxc.hook.version = 1
lxc.hook.start-host = $hook
lxc.hook.post-stop = $hook" || exit 1
np_lxc_create "$run-c" "lxc.hook.version = 1
lxc.hook.start-host = $hook
lxc.hook.post-stop = $hook" || exit 1
np_lxc_create "$run-d" "lxc.hook.version = 1
lxc.hook.start-host = $hook --vcpus 1000
lxc.hook.post-stop = $hook" || exit 1

PATH="$(dirname "$NUMAPLACE"):$PATH"
export PATH NUMAPLACE_CONFIG=$conf NUMAPLACE_STATE_DIR=$state
check_started "$run-a" 0
check_started "$run-b" 1
check_refused "$run-c" "8191"
check_refused "$run-d" "no fit"
check_refusal_kept "$run-d" "no fit"
check_stopped "$run-a"
check_stopped "$run-b"
check_nothing_left
np_done
