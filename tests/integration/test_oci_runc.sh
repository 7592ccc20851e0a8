#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `numaplace hook oci` under the real runc: two exclusive containers run on
# different single CPUs in their own groups, a third is refused with the
# no-fit reason in runc's error (and shown by status), an annotated one is
# sized by its annotations, and `runc delete` releases.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oci_lib.sh"

oci_sandbox runc np-oci
all=$(cat /sys/devices/system/cpu/online)
np_expand "$all"
[ "${#NP_LIST[@]}" -ge 2 ] || np_skip "needs two online CPUs (has $all)"
cat >"$NP_T/np.conf" <<CONF
[guest ex*]
exclusive = yes
vcpus = 1
CONF
rt() { runc --root "$NP_T/runtime" "$@"; }
np() { np_run --config "$NP_T/np.conf" --state-dir "$NP_STATE" "$@"; }
record() { jq -r "$2" "$NP_STATE/$1.json" 2>/dev/null; }

# start ID: run container ID detached, its output in $NP_T/ID.out.
start() {
	rt run -d --bundle "$NP_T/bundles/$1" "$1" >"$NP_T/$1.out" 2>&1 </dev/null
}

# 1. two exclusive containers: one CPU each, different, in their own groups.
for id in ex1 ex2; do
	oci_bundle runc "$id"
	start "$id"
	np_expect "$id: runc run" 0 "$?"
	oci_wait_ready "$NP_T/$id.out" || np_fail "$id: never ready: $(cat "$NP_T/$id.out")"
	cpus=$(record "$id" .cpus)
	np_expect "$id: the container's process runs on its one exclusive CPU" \
		"$cpus $cpus" "$(record "$id" .exclusive) $(oci_field "$NP_T/$id.out" Cpus_allowed_list)"
	np_expect "$id: recorded in its own group, found from /proc/PID/cgroup" \
		"$NP_TOP/$id" "$(record "$id" .cgroup)"
	np_expect "$id: the container sees itself in that group" "/$NP_TOP/$id" \
		"$(grep -o ':cpuset:.*' "$NP_T/$id.out" | cut -d: -f3)"
	np_expect "$id: the group holds the cpus, written by the hook" "$cpus" \
		"$(cat "$NP_CG/$NP_TOP/$id/cpuset.cpus")"
	np_expect "$id: the group is runc's, not numaplace's to remove" false \
		"$(record "$id" .cgroup_owned)"
done
np_expect "the two exclusive containers have different CPUs" 1 \
	"$(cat "$NP_STATE"/ex?.json | jq -rs 'map(.cpus) | unique | length - 1')"

# 2. a third exclusive one does not fit: runc refuses it with the reason.
oci_bundle runc ex3
start ex3
rc=$?
np_expect "ex3: runc run fails" 1 "$((rc != 0))"
np_expect "ex3: runc's error carries numaplace's no-fit reason" 1 \
	"$(grep -c 'numaplace: hook oci: .*guest ex3.*' "$NP_T/ex3.out")"
grep 'numaplace: hook oci' "$NP_T/ex3.out" | head -n 1
np_expect "ex3: no record" "" "$(record ex3 .name)"
np_expect "ex3: runc has no such container" "" "$(rt list -q | grep -x ex3)"

# 2b. a refused `runc create` is kept as ex4's refusal, which the poststop
# stage (run by runc, and again here as a runtime would after a refused
# create) leaves for status; `numaplace release ex4` forgets it.
oci_bundle runc ex4
rt create --bundle "$NP_T/bundles/ex4" ex4 >"$NP_T/ex4.out" 2>&1 </dev/null
np_expect "ex4: runc create fails" 1 "$(($? != 0))"
rt delete -f ex4 >/dev/null 2>&1
printf '{"ociVersion":"1.0.2","id":"ex4","status":"stopped","pid":0,"bundle":"%s"}' \
	"$NP_T/bundles/ex4" | "$NUMAPLACE" --config "$NP_T/np.conf" --state-dir "$NP_STATE" \
	hook oci delete >/dev/null
np_expect "ex4: poststop of a guest with no booking: exit 0" 0 "$?"
np status --json
for id in ex3 ex4; do
	reason=$(jq -r --arg n "$id" '.refused[] | select(.name == $n) | .reason' <<<"$NP_OUT")
	[[ $reason == *"guest $id: no fit"* ]] && np_pass "$id: status shows the refusal: $reason" ||
		np_fail "$id: status --json [$NP_OUT] lacks its refusal"
done
np release ex4
np status --json
np_expect "release ex4 forgets its refusal, not ex3's" "ex3" \
	"$(jq -r '.refused | map(.name) | join(" ")' <<<"$NP_OUT")"

# 3. runc delete releases.
for id in ex1 ex2; do
	rt kill "$id" KILL
	for ((i = 0; i < 50; i++)); do
		[ "$(rt state "$id" | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	rt delete "$id"
	np_expect "$id: runc delete" 0 "$?"
	np_expect "$id: released by poststop" "" "$(record "$id" .name)"
done

# 4. an annotated container is sized by its annotations.
oci_bundle runc ann1 '{"org.numaplace.vcpus":"2","org.numaplace.memory":"64M","org.numaplace.name":"web-ann"}'
start ann1
np_expect "ann1: runc run" 0 "$?"
oci_wait_ready "$NP_T/ann1.out" || np_fail "ann1: never ready: $(cat "$NP_T/ann1.out")"
np_expect "ann1: booked under org.numaplace.name with 2 vCPUs and 64M" "2 67108864" \
	"$(record web-ann '[(.bookings | map(.vcpus) | add), (.bookings | map(.memory) | add)] | map(tostring) | join(" ")')"
np_expect "ann1: its process runs on the booked CPUs" "$(record web-ann .cpus)" \
	"$(oci_field "$NP_T/ann1.out" Cpus_allowed_list)"
np status --json
np_expect "status lists it placed and alive" "true" \
	"$(echo "$NP_OUT" | jq -r '.guests[] | select(.name == "web-ann") | .alive')"
rt delete -f ann1
np_expect "ann1: runc delete -f releases it" "" "$(record web-ann .name)"

# 5. a container whose config.json pins its CPUs (--cpuset-cpus) is booked
# on exactly those, and numaplace writes no cgroup.
pin=${NP_LIST[-1]}
oci_bundle runc pin1
jq --arg c "$pin" '.linux.resources.cpu.cpus = $c' "$NP_T/bundles/pin1/config.json" \
	>"$NP_T/pin1.json" && mv "$NP_T/pin1.json" "$NP_T/bundles/pin1/config.json"
start pin1
np_expect "pin1: runc run" 0 "$?"
oci_wait_ready "$NP_T/pin1.out" || np_fail "pin1: never ready: $(cat "$NP_T/pin1.out")"
np_expect "pin1: booked on its pinned CPU, by the OCI front end, no cgroup written" \
	"$pin oci null" "$(record pin1 '[.cpus, .frontend, (.cgroup | tostring)] | join(" ")')"
np_expect "pin1: runs where runc pinned it" "$pin" "$(oci_field "$NP_T/pin1.out" Cpus_allowed_list)"
rt delete -f pin1
np_expect "pin1: runc delete -f releases it" "" "$(record pin1 .name)"
np_done
