#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `numaplace hook oci` refuses bad input with one `numaplace:` line and
# exit 2 (bad input) or 1 (a pid that is gone), and leaves nothing behind:
# no record, no state, the container's group untouched.
. "$(dirname "$0")/lib.sh"

np_sandbox np-ocin
mkdir -p "$NP_T/bundle" "$NP_T/empty" "$NP_CG/$NP_TOP/c1"
cat "$NP_CG/cpuset.cpus" >"$NP_CG/$NP_TOP/cpuset.cpus"
cat "$NP_CG/cpuset.mems" >"$NP_CG/$NP_TOP/cpuset.mems"
cat "$NP_CG/cpuset.cpus" >"$NP_CG/$NP_TOP/c1/cpuset.cpus"
cat "$NP_CG/cpuset.mems" >"$NP_CG/$NP_TOP/c1/cpuset.mems"
echo '{"ociVersion":"1.0.2","annotations":{}}' >"$NP_T/bundle/config.json"
np_guest
echo "$NP_GUEST" >"$NP_CG/$NP_TOP/c1/cgroup.procs"
before=$(cat "$NP_CG/$NP_TOP/c1/cpuset.cpus")
: >"$NP_T/np.conf"
sleep 0 &
gone=$!
wait "$gone"

# hook STAGE TEXT: run the hook with TEXT on stdin.
hook() {
	local err
	err=$(mktemp)
	printf '%s' "$2" | "$NUMAPLACE" --config "$NP_T/np.conf" --state-dir "$NP_STATE" \
		hook oci "$1" >/dev/null 2>"$err"
	NP_RC=$?
	NP_ERR=$(cat "$err")
	rm -f "$err"
}

# refused DESC STAGE RC TEXT: the hook exits RC with one numaplace: line
# and leaves nothing behind.
refused() {
	hook "$2" "$4"
	np_expect "$1: exit $3" "$3" "$NP_RC"
	np_expect "$1: one numaplace: line" "1 1" \
		"$(printf '%s\n' "$NP_ERR" | wc -l) $(printf '%s\n' "$NP_ERR" | grep -c '^numaplace: hook oci: ')"
	np_expect "$1: no record" "" "$(find "$NP_STATE" -name '*.json' 2>/dev/null)"
	np_expect "$1: the group is untouched" "$before" "$(cat "$NP_CG/$NP_TOP/c1/cpuset.cpus")"
}

state() { printf '{"ociVersion":"1.0.2","id":"%s","status":"%s","pid":%s,"bundle":"%s"}' "$@"; }

refused "empty state" create 2 ""
refused "blank state" create 2 $' \n'
refused "state that is not JSON" create 2 "id=c1"
refused "state that is a JSON array" create 2 "[1]"
refused "missing id" create 2 '{"status":"creating","pid":1,"bundle":"/"}'
refused "missing pid" create 2 "{\"id\":\"c1\",\"status\":\"creating\",\"bundle\":\"$NP_T/bundle\"}"
refused "pid 0 at create" create 2 "$(state c1 creating 0 "$NP_T/bundle")"
refused "pid not a number" create 2 "$(state c1 creating '"42"' "$NP_T/bundle")"
refused "id that is not a valid name" create 2 "$(state '../c1' creating "$NP_GUEST" "$NP_T/bundle")"
refused "id named tasks" create 2 "$(state tasks creating "$NP_GUEST" "$NP_T/bundle")"
refused "status running at create" create 2 "$(state c1 running "$NP_GUEST" "$NP_T/bundle")"
refused "bundle without config.json" create 2 "$(state c1 creating "$NP_GUEST" "$NP_T/empty")"
refused "a pid that is gone" create 1 "$(state c1 creating "$gone" "$NP_T/bundle")"
refused "a bad org.numaplace.vcpus" create 2 \
	"{\"id\":\"c1\",\"status\":\"creating\",\"pid\":$NP_GUEST,\"bundle\":\"$NP_T/bundle\",\"annotations\":{\"org.numaplace.vcpus\":\"two\"}}"
refused "a bad org.numaplace.name" create 2 \
	"{\"id\":\"c1\",\"status\":\"creating\",\"pid\":$NP_GUEST,\"bundle\":\"$NP_T/bundle\",\"annotations\":{\"org.numaplace.name\":\"a/b\"}}"
refused "delete: not JSON" delete 2 "{"
refused "delete: bundle without config.json nor annotations" delete 2 \
	"{\"id\":\"c1\",\"status\":\"stopped\",\"bundle\":\"$NP_T/empty\"}"

hook bogus ""
np_expect "an unknown stage: exit 2" 2 "$NP_RC"

# The same container, well formed, is placed; delete with pid 0 releases.
hook create "$(state c1 creating "$NP_GUEST" "$NP_T/bundle")"
np_expect "well-formed create: exit 0" 0 "$NP_RC"
np_expect "it is recorded in its group" "$NP_TOP/c1" "$(jq -r .cgroup "$NP_STATE/c1.json")"
hook delete '{"ociVersion":"1.0.2","id":"c1","status":"stopped","pid":0,"bundle":"/nonexistent","annotations":{}}'
np_expect "delete with pid 0 while the process runs: left alone" "0 c1" \
	"$NP_RC $(jq -r .name "$NP_STATE/c1.json")"
kill -9 "$NP_GUEST"
wait "$NP_GUEST" 2>/dev/null
hook delete '{"ociVersion":"1.0.2","id":"c1","status":"stopped","pid":0,"bundle":"/nonexistent","annotations":{}}'
np_expect "delete with pid 0 after the process is gone: released" "0 absent" \
	"$NP_RC $([ -e "$NP_STATE/c1.json" ] && echo present || echo absent)"
np_done
