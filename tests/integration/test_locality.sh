#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Where a guest's memory really is (issue 20), on the real cpuset hierarchy:
# a `run` guest that touched 200 MiB shows it on its node in `status` (JSON,
# text and `status NAME`), in agreement with the kernel's own numa_maps; a
# guest whose process is gone, and a reservation with no process, show a
# null locality and no error.
. "$(dirname "$0")/lib.sh"

touch_bin=$NP_BUILD_DIR/tests/vm/np-vm-memtouch
[ -x "$touch_bin" ] || np_skip "no $touch_bin (built with the tests)"
command -v jq >/dev/null || np_skip "jq is missing (scripts/deps.sh installs it)"
np_sandbox np-locality
cat >"$NP_T/np.conf" <<CONF
[placement]
cgroup-parent = $NP_PARENT
cpu-overcommit = 50
CONF
np() { np_run --config "$NP_T/np.conf" --state-dir "$NP_STATE" "$@"; }
mib=200

# The kernel's own count: the pages of every mapping of PID per node, in bytes.
numa_maps_node() {
	awk -v n="N$2=" '{ ps = 4096
		for (i = 1; i <= NF; i++) if ($i ~ /^kernelpagesize_kB=/) { split($i, a, "="); ps = a[2] * 1024 }
		for (i = 1; i <= NF; i++) if (index($i, n) == 1) { split($i, a, "="); s += a[2] * ps } }
		END { printf "%d\n", s }' "/proc/$1/numa_maps"
}

"$NUMAPLACE" --config "$NP_T/np.conf" --state-dir "$NP_STATE" run --name loc1 -- \
	"$touch_bin" "$mib" >"$NP_T/touch.out" 2>&1 &
run_pid=$!
NP_PIDS+=("$run_pid")
for ((i = 0; i < 300; i++)); do
	grep -q '^ready ' "$NP_T/touch.out" && break
	sleep 0.1
done
read -r _ child _ <"$NP_T/touch.out"
np_expect "memtouch is ready" yes "$([ -n "${child:-}" ] && echo yes || echo no)"

np --json status
np_expect "status --json: exit 0" 0 "$NP_RC"
g=$(echo "$NP_OUT" | jq -c '.guests[] | select(.name == "loc1")')
mems=$(echo "$g" | jq -r .mems)
node=${mems%%[-,]*}
on_node=$(echo "$g" | jq --argjson n "$node" '[.memory.by_node[] | select(.node == $n) | .bytes] | add // 0')
np_expect "at least 190 MiB on node $node (got $((on_node >> 20)) MiB)" yes \
	"$([ "$on_node" -ge $((190 << 20)) ] && echo yes || echo no)"
np_expect "locality >= 0.99 ($(echo "$g" | jq .locality))" true "$(echo "$g" | jq '.locality >= 0.99')"
np_expect "local = the bytes on its mems" "$on_node" "$(echo "$g" | jq .memory.local)"
np_expect "total = the sum of by_node" "$(echo "$g" | jq .memory.total)" \
	"$(echo "$g" | jq '[.memory.by_node[].bytes] | add')"
kernel=$(numa_maps_node "$child" "$node")
np_expect "status counts at least what the child's numa_maps shows ($((kernel >> 20)) MiB)" yes \
	"$([ "$on_node" -ge "$kernel" ] && echo yes || echo no)"

np status
line=$(echo "$NP_OUT" | awk '$1 == "loc1"')
col=$(echo "$NP_OUT" | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "LOCAL") print i }')
pct=$(echo "$line" | awk -v c="$col" '{ print $c }')
np_expect "text: a LOCAL column" yes "$([ -n "$col" ] && echo yes || echo no)"
np_expect "text: LOCAL of loc1 is at least 99% ($pct)" yes \
	"$(echo "${pct%\%}" | awk '{ print ($1 >= 99) ? "yes" : "no" }')"

np status loc1
np_expect "status loc1: exit 0" 0 "$NP_RC"
[[ $NP_OUT == *"node $node"* && $NP_OUT == *"nodes:"* ]] && np_pass "status loc1 lists its nodes and node $node's memory" ||
	np_fail "status loc1: $NP_OUT"
np --json status loc1
np_expect "status --json loc1: only loc1" '["loc1"]' "$(echo "$NP_OUT" | jq -c '[.guests[].name]')"

kill -TERM "$run_pid"
wait "$run_pid"
np_expect "run dies of the forwarded SIGTERM" 143 "$?"

# A guest whose process is gone: null locality, no error.
np_guest
gone=$NP_GUEST
np place loc2 "$gone"
np_expect "place loc2" 0 "$NP_RC"
kill -9 "$gone"
wait "$gone" 2>/dev/null
np --json status
np_expect "status with a dead guest: exit 0 ($NP_ERR)" 0 "$NP_RC"
np_expect "dead guest: locality null" null \
	"$(echo "$NP_OUT" | jq '.guests[] | select(.name == "loc2") | .locality')"
np_expect "dead guest: total 0" 0 \
	"$(echo "$NP_OUT" | jq '.guests[] | select(.name == "loc2") | .memory.total')"
np release loc2
np_expect "release loc2" 0 "$NP_RC"

# A reservation with no process.
np reserve loc3
np --json status loc3
np_expect "a reservation: locality null" null "$(echo "$NP_OUT" | jq '.guests[0].locality')"
np status loc3
[[ $NP_OUT == *"local -"* ]] && np_pass "text shows an unknown locality as -" || np_fail "status loc3: $NP_OUT"
np release loc3

np status nosuch
np_expect "status of an unknown guest: exit 1" 1 "$NP_RC"
np_expect "… in one line" "numaplace: status: no guest nosuch" "$NP_ERR"
np status ../x
np_expect "status of a hostile name: exit 2" 2 "$NP_RC"
np_done
