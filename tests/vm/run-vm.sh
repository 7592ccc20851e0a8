#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-vm.sh: boot an emulated NUMA machine under QEMU (TCG) and run the guest
# tests in it.
#
#   run-vm.sh [--bin FILE]... [--kernel VMLINUZ] [--cache DIR]
#             [--timeout SECONDS] [--only GLOB] [--verbose] TOPOLOGY.topo
#
# Builds a busybox initramfs holding each --bin FILE (under /np/bin, with
# every library ldd lists and the dynamic loader at their host paths), the
# guest tests (tests/vm/guest) and the topology, boots it on the machine the
# topology describes (tests/vm/topologies/README), and prints the TAP lines
# the guest writes to its second serial port, then the timings. --only runs
# just the guest test files whose name matches GLOB (e.g. '*hotplug*');
# --verbose also prints the guest console.
#
# Exit 0 when the guest reported success and every TAP line is ok, 1 on any
# failure (a test, a timeout, a crash), 77 when QEMU or the kernel cannot be
# had (a failure under NUMAPLACE_REQUIRE_ALL=1). QEMU is killed at the
# timeout; nothing is left behind (temporary files, QEMU process).
#
# The kernel: --kernel, else $NUMAPLACE_VM_KERNEL, else a Debian 6.1 image
# fetched once into the cache dir (--cache, default
# ${NP_BUILD_DIR:-build}/vm-cache) by fetch-kernel.sh.
set -euo pipefail
export LC_ALL=C

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -a VM_BINS=()
VM_KERNEL=${NUMAPLACE_VM_KERNEL:-}
VM_CACHE=${NP_BUILD_DIR:-build}/vm-cache
VM_TIMEOUT=240
VM_VERBOSE=0
VM_ONLY='[0-9]*.sh'
VM_TOPO=
VM_TMP=
VM_QEMU_PID=

say() { printf '# %s\n' "$*"; }

fail() {
	echo "not ok - run-vm: $*"
	exit 1
}

# skip REASON: QEMU or the kernel cannot be had.
skip() {
	if [ "${NUMAPLACE_REQUIRE_ALL:-0}" = 1 ]; then
		echo "FAIL: would skip, but NUMAPLACE_REQUIRE_ALL=1: $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

# usage: the header comment above, on stderr.
usage() {
	sed -n '3,/^set -e/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# Stop QEMU if it still runs: TERM to its `timeout` guard, which passes it
# on and sends KILL 5 s later; KILL the guard itself if it lingers.
stop_qemu() {
	[ -n "$VM_QEMU_PID" ] || return 0
	kill -TERM "$VM_QEMU_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$VM_QEMU_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$VM_QEMU_PID" 2>/dev/null || true
	wait "$VM_QEMU_PID" 2>/dev/null || true
	VM_QEMU_PID=
}

# Runs on every exit: no QEMU, no temporary tree left behind.
cleanup() {
	stop_qemu
	[ -z "$VM_TMP" ] || rm -rf "$VM_TMP"
	VM_TMP=
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--bin) VM_BINS+=("${2:?--bin needs a file}"); shift ;;
		--kernel) VM_KERNEL=${2:?--kernel needs a file}; shift ;;
		--cache) VM_CACHE=${2:?--cache needs a directory}; shift ;;
		--timeout) VM_TIMEOUT=${2:?--timeout needs seconds}; shift ;;
		--only) VM_ONLY=${2:?--only needs a glob}; shift ;;
		--verbose) VM_VERBOSE=1 ;;
		-h | --help) usage ;;
		-*) echo "run-vm: unknown option $1" >&2; usage ;;
		*) [ -z "$VM_TOPO" ] || usage; VM_TOPO=$1 ;;
		esac
		shift
	done
	[ -n "$VM_TOPO" ] || usage
	[ -f "$VM_TOPO" ] || fail "no topology file $VM_TOPO"
	[[ $VM_TIMEOUT =~ ^[1-9][0-9]*$ ]] || fail "bad --timeout $VM_TIMEOUT"
	[[ $VM_ONLY =~ ^[][A-Za-z0-9_.*?-]+$ ]] || fail "bad --only $VM_ONLY"
	local bin
	for bin in "${VM_BINS[@]}"; do
		[ -f "$bin" ] || fail "--bin $bin: no such file (build it first)"
	done
}

# The host tools; their absence is a skip, not a failure.
check_host() {
	local tool
	command -v qemu-system-x86_64 >/dev/null ||
		skip "qemu-system-x86_64 not found (apt-get install --no-install-recommends qemu-system-x86)"
	for tool in cpio gzip ldd timeout; do
		command -v "$tool" >/dev/null || skip "$tool not found"
	done
	[ -x /bin/busybox ] || skip "/bin/busybox not found (apt-get install busybox-static)"
}

find_kernel() {
	if [ -z "$VM_KERNEL" ]; then
		VM_KERNEL=$("$VM_DIR/fetch-kernel.sh" "$VM_CACHE" 2>"$VM_TMP/fetch.err") ||
			skip "no kernel for the VM tests: $(tail -n 1 "$VM_TMP/fetch.err")"
	fi
	[ -r "$VM_KERNEL" ] || skip "kernel image $VM_KERNEL not readable"
}

# --- topology ---------------------------------------------------------------

# topo_field KEY ID: the value of KEY= on node ID's line.
topo_field() {
	awk -v id="$2" -v key="$1=" '$1 == "node" && $2 == id {
		for (i = 3; i <= NF; i++)
			if (index($i, key) == 1)
				print substr($i, length(key) + 1) }' "$VM_TOPO"
}

topo_ids() {
	awk '$1 == "node" { print $2 }' "$VM_TOPO"
}

topo_cgroup() {
	awk '$1 == "cgroup" { print $2 }' "$VM_TOPO"
}

# add_cpus LIST: add the number of CPUs the kernel cpulist LIST names to
# NCPUS.
add_cpus() {
	local part
	local -a parts
	IFS=, read -r -a parts <<<"$1"
	for part in "${parts[@]}"; do
		if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
			NCPUS=$((NCPUS + BASH_REMATCH[2] - BASH_REMATCH[1] + 1))
		elif [[ $part =~ ^[0-9]+$ ]]; then
			NCPUS=$((NCPUS + 1))
		else
			fail "bad cpulist [$1] in $VM_TOPO"
		fi
	done
}

# Fill QEMU_ARGS with the machine of $VM_TOPO: memory backends, nodes,
# distances, -m (the sum of the nodes) and -smp (a socket per CPU node).
topo_qemu_args() {
	local id cpus mem nsock=0 total=0 row src dst d
	local -a dists
	QEMU_ARGS=() NCPUS=0
	for id in $(topo_ids); do
		cpus=$(topo_field cpus "$id")
		mem=$(topo_field mem "$id")
		[[ $mem =~ ^([1-9][0-9]*)M$ ]] || fail "node $id: mem=$mem is not NNNM"
		total=$((total + BASH_REMATCH[1]))
		QEMU_ARGS+=(-object "memory-backend-ram,id=m$id,size=$mem")
		local node="node,nodeid=$id,memdev=m$id"
		if [ -n "$cpus" ]; then
			node="$node,cpus=${cpus//,/,cpus=}"
			add_cpus "$cpus"
			nsock=$((nsock + 1))
		fi
		QEMU_ARGS+=(-numa "$node")
	done
	[ "$NCPUS" -gt 0 ] || fail "$VM_TOPO has no CPU"
	while read -r src row; do
		read -r -a dists <<<"$row"
		dst=0
		for id in $(topo_ids); do
			d=${dists[$dst]:?"dist $src: too few columns in $VM_TOPO"}
			[ "$src" = "$id" ] || QEMU_ARGS+=(-numa "dist,src=$src,dst=$id,val=$d")
			dst=$((dst + 1))
		done
	done < <(awk '$1 == "dist" { $1 = ""; print }' "$VM_TOPO")
	if [ $((NCPUS % nsock)) -eq 0 ]; then
		QEMU_ARGS+=(-smp "$NCPUS,sockets=$nsock,cores=$((NCPUS / nsock)),threads=1")
	else
		QEMU_ARGS+=(-smp "$NCPUS")
	fi
	QEMU_ARGS+=(-m "${total}M")
	# One host thread per vCPU only when the host has a core for each: on a
	# smaller host, single-threaded TCG was measured faster.
	local tcg=single
	[ "$NCPUS" -gt "$(nproc)" ] || tcg=multi
	QEMU_ARGS+=(-accel "tcg,thread=$tcg")
	VM_SUMMARY="$(topo_ids | wc -l) nodes, $NCPUS CPUs, $total MiB, cgroup $(topo_cgroup), TCG $tcg-threaded"
}

# --- initramfs --------------------------------------------------------------

# libs_of FILE: the absolute paths ldd lists for FILE (libraries and the
# loader); nothing for a static file; fails on a library ldd cannot find.
libs_of() {
	local out
	out=$(ldd "$1" 2>&1) || return 0
	if grep -q 'not found' <<<"$out"; then
		echo "run-vm: $1: $(grep 'not found' <<<"$out" | tr -s '\t\n' '  ')" >&2
		return 1
	fi
	awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' <<<"$out"
}

# install_file SRC DEST_PATH: copy SRC (symlinks followed) to ROOT/DEST_PATH.
install_file() {
	mkdir -p "$VM_TMP/root$(dirname "$2")"
	cp -L "$1" "$VM_TMP/root$2"
}

# install_binary FILE DEST_PATH: FILE and every library it needs.
install_binary() {
	local lib libs
	libs=$(libs_of "$1") || return 1
	install_file "$1" "$2"
	for lib in $libs; do
		[ -e "$VM_TMP/root$lib" ] || install_file "$lib" "$lib"
	done
}

build_initramfs() {
	local root=$VM_TMP/root bin
	mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,etc,vm,np/bin}
	install_binary /bin/busybox /bin/busybox || fail "cannot install /bin/busybox"
	ln -s busybox "$root/bin/sh"
	for bin in "${VM_BINS[@]}"; do
		install_binary "$bin" "/np/bin/$(basename "$bin")" || fail "cannot install $bin"
	done
	install -m 755 "$VM_DIR/init" "$root/init"
	cp -r "$VM_DIR/guest" "$root/vm/guest"
	cp "$VM_TOPO" "$root/vm/topology"
	# A hung test file is stopped well before QEMU is.
	printf "NP_VM_FILE_TIMEOUT=%d\nNP_VM_ONLY='%s'\n" $((VM_TIMEOUT / 2)) "$VM_ONLY" >"$root/vm/env"
	(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$VM_TMP/initrd.gz"
}

# --- boot -------------------------------------------------------------------

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

start_qemu() {
	local append="console=ttyS0 quiet panic=-1"
	[ "$(topo_cgroup)" = v1 ] || append="$append cgroup_no_v1=all"
	: >"$VM_TMP/tap.log"
	# `timeout` is a second guard: QEMU dies even if this script is killed.
	timeout -k 5 $((VM_TIMEOUT + 10)) \
		qemu-system-x86_64 -machine q35 -cpu max "${QEMU_ARGS[@]}" \
		-kernel "$VM_KERNEL" -initrd "$VM_TMP/initrd.gz" -append "$append" \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial "file:$VM_TMP/console.log" -serial "file:$VM_TMP/tap.log" \
		</dev/null >"$VM_TMP/qemu.out" 2>&1 &
	VM_QEMU_PID=$!
}

# note_progress WHEN: set T_BOOTED / T_DONE to WHEN once the guest has
# written its boot comment / its exit status.
note_progress() {
	if [ -z "$T_BOOTED" ] && grep -q '^# booted' "$VM_TMP/tap.log"; then
		T_BOOTED=$1
	fi
	if [ -z "$T_DONE" ] && grep -q '^# exit-status' "$VM_TMP/tap.log"; then
		T_DONE=$1
	fi
}

# Wait for QEMU to exit, noting when the guest booted and when it reported
# its exit status; stop it at the timeout.
wait_qemu() {
	local deadline
	deadline=$(awk -v t="$T_START" -v d="$VM_TIMEOUT" 'BEGIN { printf "%d", t + d }')
	T_BOOTED='' T_DONE='' VM_TIMED_OUT=0 VM_QEMU_RC=
	while kill -0 "$VM_QEMU_PID" 2>/dev/null; do
		note_progress "$(now)"
		if [ "$EPOCHSECONDS" -ge "$deadline" ]; then
			VM_TIMED_OUT=1
			stop_qemu
			break
		fi
		sleep 0.1
	done
	if [ -n "$VM_QEMU_PID" ]; then
		wait "$VM_QEMU_PID" && VM_QEMU_RC=0 || VM_QEMU_RC=$?
		VM_QEMU_PID=
	fi
	T_END=$(now)
	note_progress "$T_END"
}

# --- verdict ----------------------------------------------------------------

show_console() {
	say "QEMU output:"
	sed 's/^/#   /' "$VM_TMP/qemu.out"
	say "guest console (last 60 lines):"
	tr -d '\r' <"$VM_TMP/console.log" | tail -n 60 | sed 's/^/#   /'
}

print_timings() {
	local boot=- tests=-
	[ -z "$T_BOOTED" ] || boot=$(elapsed "$T_START" "$T_BOOTED")
	[ -z "$T_BOOTED" ] || [ -z "$T_DONE" ] || tests=$(elapsed "$T_BOOTED" "$T_DONE")
	say "timing $(basename "$VM_TOPO" .topo): initramfs $(elapsed "$T_INITRD" "$T_START") s," \
		"boot $boot s, tests $tests s, total $(elapsed "$T_START" "$T_END") s"
}

# The verdict from the TAP channel: the guest's exit status, the plan and
# every test line.
verdict() {
	local tap=$VM_TMP/tap.clean status planned count bad
	tr -d '\r' <"$VM_TMP/tap.log" >"$tap"
	grep -v '^# exit-status' "$tap" || true
	status=$(sed -n 's/^# exit-status \([0-9]*\)$/\1/p' "$tap")
	planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap")
	count=$(grep -c -E '^(not )?ok ' "$tap" || true)
	bad=$(grep -c -E '^not ok ' "$tap" || true)
	print_timings
	say "guest exit status: ${status:-none}"
	local why=
	if [ "$VM_TIMED_OUT" = 1 ]; then
		why="timed out after ${VM_TIMEOUT}s"
	elif [ -z "$status" ]; then
		why="the guest reported no exit status (QEMU exit $VM_QEMU_RC)"
	elif [ "$status" != 0 ]; then
		why="the guest tests exited with status $status"
	elif [ "$bad" -ne 0 ]; then
		why="$bad TAP line(s) not ok"
	elif [ "$count" -eq 0 ] || [ "$planned" != "$count" ]; then
		why="TAP plan 1..${planned:-?} but $count result lines"
	fi
	if [ -n "$why" ]; then
		[ "$VM_VERBOSE" = 1 ] || show_console
		fail "$(basename "$VM_TOPO" .topo): $why"
	fi
	[ "$VM_VERBOSE" = 0 ] || show_console
	say "$(basename "$VM_TOPO" .topo): all $count guest tests ok"
}

main() {
	parse_args "$@"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	VM_TMP=$(mktemp -d "${TMPDIR:-/tmp}/numaplace-vm.XXXXXX")
	check_host
	find_kernel
	topo_qemu_args
	say "machine $(basename "$VM_TOPO" .topo): $VM_SUMMARY"
	say "kernel $VM_KERNEL"
	T_INITRD=$(now)
	build_initramfs
	T_START=$(now)
	start_qemu
	wait_qemu
	verdict
}

main "$@"
