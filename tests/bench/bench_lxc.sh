#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench_lxc.sh NUMAPLACE WORK [RUNS] [CSV]: what a user feels at container
# start: `lxc-start -d` until `lxc-wait` sees RUNNING, for one busybox
# container, without and with the numaplace start-host hook, RUNS times
# each (20 by default), the two alternating so that a change of machine
# load hits both alike. Prints the medians; appends CSV lines
# (bench_latency's columns) to CSV. The container is created once under a
# name unique to this run and destroyed at the end, even on failure.
# Not a test: it prints figures and never judges them.
set -u

numaplace=$1 work=$2 runs=${3:-20} csv=${4:-}
name=np-bench-lxc-$$-$RANDOM
conf=$work/lxc.conf
state=$work/state-lxc
created=no

say() { printf '%s\n' "$*"; }
skip() { say "  skipped: $*"; exit 0; }

cleanup() {
	if [ "$created" = yes ]; then
		lxc-stop -n "$name" -k >/dev/null 2>&1
		lxc-destroy -f -n "$name" >/dev/null 2>&1
	fi
	# LXC may leave empty lxc.monitor.NAME / lxc.payload.NAME groups: only ours.
	find /sys/fs/cgroup -maxdepth 2 -type d -name "lxc.*.$name" -exec rmdir {} + 2>/dev/null
	return 0
}
trap cleanup EXIT

say ""
say "lxc-start to RUNNING, busybox container $name, $runs starts each way:"
[ "$(id -u)" = 0 ] || skip "LXC containers need root"
for tool in lxc-create lxc-start lxc-wait lxc-stop lxc-info lxc-destroy lxc-config busybox; do
	command -v "$tool" >/dev/null || skip "$tool is missing (Debian packages lxc, busybox-static)"
done

# Create the container (no network), and two configs to swap in before each
# start: LXC's own, and the same with the numaplace hooks.
make_container() {
	local dir cfg hook="$numaplace --config $conf --state-dir $state hook lxc"
	created=yes
	lxc-create -t busybox -n "$name" >"$work/lxc-create.log" 2>&1 || return 1
	dir=$(lxc-config lxc.lxcpath)/$name
	cfg=$dir/config
	sed -i -e 's/^lxc\.net\.0\.type = .*/lxc.net.0.type = empty/' -e '/^lxc\.net\.0\.link/d' "$cfg"
	cp "$cfg" "$work/config.plain"
	{ cat "$cfg"; printf '%s\n' "lxc.hook.version = 1" "lxc.hook.start-host = $hook" \
		"lxc.hook.post-stop = $hook"; } >"$work/config.hook"
	printf '[placement]\n' >"$conf"
	config=$cfg
}

# One start with config MODE; prints the microseconds to RUNNING.
start_once() {
	local mode=$1 t0 t1
	cp "$work/config.$mode" "$config"
	t0=$EPOCHREALTIME
	lxc-start -n "$name" -d -o "$work/lxc-$mode.log" || return 1
	lxc-wait -n "$name" -s RUNNING -t 30 || return 1
	t1=$EPOCHREALTIME
	echo $(( ${t1/./} - ${t0/./} ))
}

# Stop it; with the hook, wait (bounded) for post-stop to release it.
stop_once() {
	local i
	lxc-stop -n "$name" -k >/dev/null 2>&1
	for ((i = 0; i < 100; i++)); do
		[ "$(lxc-info -n "$name" -s -H 2>/dev/null)" = STOPPED ] && [ ! -e "$state/$name.json" ] && return 0
		sleep 0.1
	done
	say "  warning: $name not stopped and released 10 s after lxc-stop -k"
}

# median, max, min and count of the numbers on stdin, one a line.
figures() {
	sort -n | awk '{ v[NR] = $1 } END { printf "%d %d %d %d", v[int((NR + 1) / 2)], v[NR], v[1], NR }'
}

row() {
	local mode=$1 file=$2 median max min n
	read -r median max min n < <(figures <"$file")
	printf '  %-36s %-11s %5s runs  median %10.1f us  max %10.1f us\n' \
		"lxc-start -d + lxc-wait RUNNING" "$mode" "$n" "$median" "$max"
	[ -n "$csv" ] && printf 'lxc,lxc-start to RUNNING,%s,%s,%s,%s,%s,%s,\n' \
		"$mode" "$n" "$median" "$max" "$min" "$max" >>"$csv"
	eval "median_$3=$median"
}

make_container || { say "  failed: lxc-create: $(tail -n 3 "$work/lxc-create.log")"; exit 1; }
: >"$work/lxc-plain.us"
: >"$work/lxc-hook.us"
for ((i = 0; i < runs; i++)); do
	for mode in plain hook; do
		us=$(start_once "$mode") || { say "  failed: lxc-start ($mode): see $work/lxc-$mode.log"; exit 1; }
		if [ "$mode" = hook ] && [ ! -e "$state/$name.json" ]; then
			say "  failed: the container started but the hook reserved nothing in $state"
			exit 1
		fi
		echo "$us" >>"$work/lxc-$mode.us"
		stop_once
	done
done
row "no hook" "$work/lxc-plain.us" plain
row "with hook" "$work/lxc-hook.us" hook
# shellcheck disable=SC2154 # set by row through eval
printf '  the hook adds %.1f ms to the median start\n' "$(( median_hook - median_plain ))e-3"
