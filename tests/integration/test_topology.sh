#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# numaplace topology, end to end:
# - every XML fixture: `--topology F topology --json` equals what the hwloc
#   tools (hwloc-calc, hwloc-info, lstopo-no-graphics, via
#   tests/tools/xml-facts.sh) report for F, computed here; a node the
#   sidecar lists as CPU-less must show "cpus":"" although hwloc-calc
#   lends it nearby CPUs;
# - sys/ trees generated from every sidecar, in the cpulist and the older
#   cpumap-only form: the sidecar's nodes, CPUs, memory, MemFree, distances;
# - the live machine: /sys/devices/system/node/node*/{cpulist,meminfo,distance};
# - broken sources exit 2 with one `numaplace: topology: …` line naming them.
# JSON is compared as text: numaplace prints it in one fixed order.
source "$NP_SOURCE_DIR/tests/integration/lib.sh"

TOOLS=$NP_SOURCE_DIR/tests/tools
TOPOLOGIES=$NP_FIXTURES/topologies
for tool in hwloc-calc hwloc-info lstopo-no-graphics; do
	command -v "$tool" >/dev/null || np_skip "$tool is not installed (package hwloc)"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fact FILE KEY: the value of KEY= in a facts file.
fact() {
	sed -n "s/^$2=//p" "$1" | head -n 1
}

# ids LIST: the numbers of a cpulist, one per line.
ids() {
	echo "$1" | tr ',' '\n' | awk -F- 'NF == 1 && $1 != "" { print $1 }
		NF == 2 { for (i = $1; i <= $2; i++) print i }'
}

# expected_json SOURCE FACTS CPULESS FREE: the whole document, from a facts
# file; the nodes in CPULESS (a cpulist) get "cpus":""; FREE is "total" or
# "half" (MemFree as facts-to-sysfs.sh writes it: MemTotal/2 in kB).
expected_json() {
	local -A facts=() empty=()
	local key value id sep='' free cpus
	while IFS='=' read -r key value; do
		facts[$key]=$value
	done < <(grep -v '^#' "$2")
	for id in $(ids "$3"); do
		empty[$id]=1
	done
	printf '{"source":"%s","distances_default":false,"nodes":[' "$1"
	for id in $(ids "${facts[node_ids]}"); do
		free=${facts[mem$id]}
		cpus=${facts[node$id]}
		if [ -n "${empty[$id]:-}" ]; then
			cpus=
		fi
		if [ "$4" = half ]; then
			free=$((free / 1024 / 2 * 1024))
		fi
		printf '%s{"id":%u,"cpus":"%s","memory_total":%s,"memory_free":%s,"distances":[%s]}' \
			"$sep" "$id" "$cpus" \
			"${facts[mem$id]}" "$free" "${facts[dist$id]// /,}"
		sep=,
	done
	printf ']}\n'
}

# --- every XML fixture against the hwloc tools ---
for xml in "$TOPOLOGIES"/*.xml; do
	name=$(basename "$xml" .xml)
	sidecar=$TOPOLOGIES/$name.facts
	tool_facts=$work/$name.tool-facts
	bash "$TOOLS/xml-facts.sh" "$xml" >"$tool_facts"
	np_expect "$name: hwloc reports a NUMALatency matrix" yes "$(fact "$tool_facts" distances)"
	cpuless=$(fact "$sidecar" cpuless_nodes)
	for id in $(ids "$cpuless"); do
		lent=$(fact "$tool_facts" "node$id")
		if [ -n "$lent" ]; then
			np_pass "$name: hwloc-calc lends CPU-less node$id CPUs $lent"
		else
			np_fail "$name: hwloc-calc gives CPU-less node$id no CPUs (fixture no longer tests the trap)"
		fi
	done
	np_run --topology "$xml" topology --json
	np_expect "$name: exit 0" 0 "$NP_RC"
	np_expect "$name: --json equals hwloc's report" \
		"$(expected_json "$xml" "$tool_facts" "$cpuless" total)" "$NP_OUT"
	np_expect "$name: nothing on stderr" "" "$NP_ERR"
done

# --- NUMAPLACE_TOPOLOGY, and the option after the subcommand ---
xml=$TOPOLOGIES/4n-amd64-8pu.xml
np_run --topology "$xml" topology --json
want=$NP_OUT
NUMAPLACE_TOPOLOGY=$xml np_run topology --json
np_expect "NUMAPLACE_TOPOLOGY names the source" "$want" "$NP_OUT"
np_run topology --json --topology "$xml"
np_expect "--topology after the subcommand" "$want" "$NP_OUT"

# --- the table ---
np_run --topology "$TOPOLOGIES/6n-8pu-2cpuless.xml" topology
np_expect "table: exit 0" 0 "$NP_RC"
np_expect "table: source, header and 6 rows" 8 "$(printf '%s\n' "$NP_OUT" | wc -l)"
np_expect "table: node0 row" "0 0,4 16.0G 16.0G 10 20 20 20 24 27" \
	"$(printf '%s\n' "$NP_OUT" | awk '$1 == "0"' | tr -s ' ')"
np_expect "table: CPU-less node5 row" "5 - 64.0G 64.0G 27 27 17 17 30 10" \
	"$(printf '%s\n' "$NP_OUT" | awk '$1 == "5"' | tr -s ' ')"

# --- sys/ trees made from the sidecars, both forms ---
for sidecar in "$TOPOLOGIES"/*.facts; do
	name=$(basename "$sidecar" .facts)
	for form in new old; do
		tree=$work/tree-$name-$form
		bash "$TOOLS/facts-to-sysfs.sh" --form "$form" "$sidecar" "$tree"
		np_run --topology "$tree" topology --json
		np_expect "$name ($form sysfs): exit 0" 0 "$NP_RC"
		np_expect "$name ($form sysfs): --json equals the facts" \
			"$(expected_json "$tree" "$sidecar" "$(fact "$sidecar" cpuless_nodes)" half)" "$NP_OUT"
	done
done
tree=$work/tree-nofree
bash "$TOOLS/facts-to-sysfs.sh" --form old --no-memfree "$TOPOLOGIES/6n-8pu-2cpuless.facts" "$tree"
np_run --topology "$tree" topology --json
np_expect "sysfs without MemFree: free = total" \
	"$(expected_json "$tree" "$TOPOLOGIES/6n-8pu-2cpuless.facts" 4-5 total)" "$NP_OUT"

# --- the live machine against /sys ---
live_json() {
	local sep='' dir id cpus mem dist
	printf '{"source":"live","distances_default":%s,"nodes":[' "$1"
	for dir in $(ls -d /sys/devices/system/node/node[0-9]* | sort -V); do
		id=${dir##*/node}
		cpus=$(cat "$dir/cpulist")
		mem=$(($(awk '/MemTotal:/ { print $4 }' "$dir/meminfo") * 1024))
		if [ "$1" = true ]; then
			dist=10
		else
			dist=$(tr -s ' ' ',' <"$dir/distance" | sed 's/,$//')
		fi
		printf '%s{"id":%u,"cpus":"%s","memory_total":%s,"memory_free":FREE,"distances":[%s]}' \
			"$sep" "$id" "$cpus" "$mem" "$dist"
		sep=,
	done
	printf ']}\n'
}
if ! ls -d /sys/devices/system/node/node[0-9]* >/dev/null 2>&1; then
	np_fail "live: this kernel has no /sys/devices/system/node"
else
	nnodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
	np_run topology --json
	np_expect "live: exit 0" 0 "$NP_RC"
	np_expect "live: --json equals /sys/devices/system/node" \
		"$(live_json "$([ "$nnodes" = 1 ] && echo true || echo false)")" \
		"$(printf '%s\n' "$NP_OUT" | sed 's/"memory_free":[0-9]*/"memory_free":FREE/g')"
	bad_free=$(printf '%s\n' "$NP_OUT" | grep -o '"memory_total":[0-9]*,"memory_free":[0-9]*' |
		awk -F'[:,]' '$4 <= 0 || $4 > $2')
	np_expect "live: 0 < memory_free <= memory_total" "" "$bad_free"
	live=$(printf '%s\n' "$NP_OUT" | sed 's/"memory_free":[0-9]*/"memory_free":FREE/g')
	HWLOC_FSROOT=$work/tree-4n-amd64-8pu-new np_run topology --json
	np_expect "live: a stray HWLOC_FSROOT does not redirect it" "$live" \
		"$(printf '%s\n' "$NP_OUT" | sed 's/"memory_free":[0-9]*/"memory_free":FREE/g')"
fi

# --- broken sources ---
# numaplace keeps hwloc's libxml2 plugin out (load time), and hwloc 2.9's
# built-in XML parser leaks what it had built when a file is truncated: in
# an ASan build, tell LeakSanitizer that this leak is hwloc's, for these
# runs only (tests/integration/hwloc.lsan.supp; tests/CMakeLists.txt).
export LSAN_OPTIONS=$NP_HWLOC_LSAN_OPTIONS
head -c 5000 "$TOPOLOGIES/4n-amd64-8pu.xml" >"$work/truncated.xml"
printf '\177ELF garbage <<<<' >"$work/garbage.xml"
: >"$work/empty.xml"
mkdir -p "$work/nosys"
for bad in "$work/truncated.xml" "$work/garbage.xml" "$work/empty.xml" \
	"$work/missing.xml" "$work/nosys" /dev/null; do
	np_run --topology "$bad" topology --json
	np_expect "$bad: exit 2" 2 "$NP_RC"
	np_expect "$bad: nothing on stdout" "" "$NP_OUT"
	np_expect "$bad: one stderr line" 1 "$(printf '%s\n' "$NP_ERR" | wc -l)"
	case "$NP_ERR" in
	"numaplace: topology: $bad: "*) np_pass "$bad: named in the error: $NP_ERR" ;;
	*) np_fail "$bad: error does not name it: [$NP_ERR]" ;;
	esac
done
unset LSAN_OPTIONS
np_run topology extra
np_expect "an operand is a usage error" 2 "$NP_RC"

np_done
