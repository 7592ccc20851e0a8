#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# contrib/oci: the Podman hooks.d files follow oci-hooks(5) 1.0.0 (version,
# hook path and args, stages) and run only for containers with an
# org.numaplace. annotation; the config.json fragment for runc and crun
# runs the same two commands at createRuntime and poststop.
. "$(dirname "$0")/lib.sh"

src=$(cd "$(dirname "$0")/../.." && pwd)/contrib/oci
command -v jq >/dev/null || np_skip "needs jq"

# The stages oci-hooks(5) allows.
stages='["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'

# hooksd FILE ARG STAGE: FILE runs `numaplace hook oci ARG` at STAGE only.
hooksd() {
	local f=$src/$1
	np_expect "$1 is JSON" 0 "$(jq empty "$f" >/dev/null 2>&1; echo $?)"
	np_expect "$1: version 1.0.0" 1.0.0 "$(jq -r .version "$f")"
	np_expect "$1: hook.path is an absolute path to numaplace" /usr/bin/numaplace \
		"$(jq -r .hook.path "$f")"
	np_expect "$1: hook.args" "numaplace hook oci $2" "$(jq -r '.hook.args | join(" ")' "$f")"
	np_expect "$1: stages" "$3" "$(jq -r '.stages | join(" ")' "$f")"
	np_expect "$1: every stage is one of oci-hooks(5)" true \
		"$(jq --argjson ok "$stages" '.stages | all(. as $s | $ok | index($s))' "$f")"
	np_expect "$1: no key outside oci-hooks(5)" "" \
		"$(jq -r 'keys - ["version","hook","when","stages"] | .[]' "$f")"
	np_expect "$1: when holds only annotations, one pattern" "annotations 1" \
		"$(jq -r '[(.when | keys | join(",")), (.when.annotations | length)] | map(tostring) | join(" ")' "$f")"
}

# matches FILE KEY VALUE: "yes" when FILE's when.annotations would run
# the hook for a container with annotation KEY=VALUE (oci-hooks(5): a key
# pattern and a value pattern, both regular expressions, must match).
matches() {
	local kp vp
	kp=$(jq -r '.when.annotations | keys[0]' "$src/$1")
	vp=$(jq -r '.when.annotations | to_entries[0].value' "$src/$1")
	if printf '%s\n' "$2" | grep -Eq -- "$kp" && printf '%s\n' "$3" | grep -Eq -- "$vp"; then
		echo yes
	else
		echo no
	fi
}

hooksd numaplace-create.json create createRuntime
hooksd numaplace-delete.json delete poststop
for f in numaplace-create.json numaplace-delete.json; do
	for key in org.numaplace.name org.numaplace.vcpus org.numaplace.memory org.numaplace.exclusive; do
		np_expect "$f runs for $key" yes "$(matches "$f" "$key" 2)"
	done
	for key in org.numaplace org.numaplace. org.numaplacex.vcpus orgXnumaplace.vcpus \
		xorg.numaplace.vcpus io.podman.org.numaplace.vcpus org.numaplace.vcpus.x \
		org.opencontainers.image.title io.kubernetes.cri-o.Name; do
		np_expect "$f does not run for $key" no "$(matches "$f" "$key" 2)"
	done
done

f=$src/hooks.json
np_expect "hooks.json: createRuntime runs hook oci create" "/usr/bin/numaplace numaplace hook oci create" \
	"$(jq -r '.hooks.createRuntime[] | [.path] + .args | join(" ")' "$f")"
np_expect "hooks.json: poststop runs hook oci delete" "/usr/bin/numaplace numaplace hook oci delete" \
	"$(jq -r '.hooks.poststop[] | [.path] + .args | join(" ")' "$f")"
np_expect "hooks.json: nothing else" "createRuntime poststop" "$(jq -r '.hooks | keys | join(" ")' "$f")"
np_done
