#!/bin/bash
# Guest job of rollout.test.ts (runs inside the lbctl VM, as root): the ordered rollout on a real IPVS kernel.
# test/fixtures/rollout/dr-swap.yaml (web1 and web2 behind the director) is brought up as lab ro; then, while
# rollout-client.mjs keeps requesting the VIP from the client's namespace:
#   ordered  lab apply AFTER+CHECK              (web1 and web3: web3 added, web2 removed; the rollout of apply --all,
#                                                whose director proves web3 through its VIP path, by the TCP check)
#   reset    lab apply BEFORE+CHECK             (back: web2 added and proved, web3 removed, in order too)
#   naive    lab apply AFTER --host director, then lab apply AFTER --host web1,web2,web3,client (director first;
#                                                no check, so nothing to prove a real server ready by)
# Each apply records its events (--events) as JSON lines; phases.txt has when each phase started and ended, and
# requests.jsonl every request the client made. Steps are bounded as in modes.sh (job-steps.sh).
set -u
out=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
lbctl="$repo/bin/lbctl"
work=/run/lbctl-rollout # the guest's own tmpfs
before="$repo/test/fixtures/rollout/dr-swap.yaml"
after=$work/after.yaml
# The same with a TCP check on the service (lab up has none: the lab would start an agent on the director).
before_checked=$work/before-checked.yaml
after_checked=$work/after-checked.yaml
vip=192.168.20.100

# --- The steps' bodies: each runs in a bash of its own, under `timeout` (see job-steps.sh). ---

# The lab as before the change: every host applied, web servers on web1 and web2.
up() {
  node "$lbctl" lab up "$before" --name ro >"$out/up.txt" 2>&1
  echo $? >"$out/up.rc"
}

# mark PHASE start|end: when, in ms since the epoch (the clock of the client's records and of lbctl's events).
mark() { echo "$1 $2 $(date +%s%3N)" >>"$out/phases.txt"; }

# apply PHASE FILE ARGS...: lbctl lab apply FILE, events to PHASE-events.jsonl, output and exit status appended.
apply() {
  local phase=$1 file=$2
  shift 2
  node "$lbctl" lab apply "$file" --name ro --events "$out/$phase-events.jsonl" "$@" >>"$out/$phase.txt" 2>&1
  echo $? >>"$out/$phase.rc"
}

# The three phases while the client requests the VIP; then its records and the director's table.
proof() {
  sed 's/realServers: \[web1, web2\]/realServers: [web1, web3]/' "$before" >"$after"
  sed 's/^    method: dr$/&\n    check: { kind: tcp }/' "$before" >"$before_checked"
  sed 's/^    method: dr$/&\n    check: { kind: tcp }/' "$after" >"$after_checked"
  ip netns exec lbl-ro-client node "$repo/test/e2e/vm/rollout-client.mjs" "$vip" "$work/requests.jsonl" "$work/stop" "$work/ready" \
    2>"$out/client-stderr.txt" &
  local client=$!
  for _ in $(seq 150); do [ -e "$work/ready" ] && break; sleep 0.2; done
  if [ -e "$work/ready" ]; then
    mark ordered start; apply ordered "$after_checked"; mark ordered end
    mark reset start; apply reset "$before_checked"; mark reset end
    mark naive start; apply naive "$after" --host director; apply naive "$after" --host web1,web2,web3,client; mark naive end
    sleep 3 # requests the naive order left waiting end (or time out)
  fi
  touch "$work/stop"
  wait "$client"
  echo $? >"$out/client.rc"
  cp "$work/requests.jsonl" "$out/" 2>/dev/null
  ip netns exec lbl-ro-director ipvsadm -Ln >"$out/ipvs-end.txt" 2>&1
  ip netns exec lbl-ro-director ipvsadm -Lnc >"$out/ipvs-conns-end.txt" 2>&1
}

. "$(dirname "$0")/job-steps.sh"

# --- The job: every step in order, each bounded. ---

mkdir -p "$work"
step up 120 up
step proof 300 proof
exit 0
