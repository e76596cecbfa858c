#!/bin/bash
# Guest job of agent.test.ts (runs inside the lbctl VM, as root): lbctl agent on a real IPVS kernel, as `lbctl lab
# up` starts it on the director. Two labs, one after another, each with a client loop through the VIP (a request
# every 50 ms) and the director's IPVS table watched every 20 ms from the start of its scenarios to their end:
#   dr   topologies/dr-web.yaml as it is (HTTP check, onFailure weight0, failOpen 50): web1's httpd killed and
#        started again; then web2's httpd flapping (killed and started every 300 ms) for 6 s.
#   nat  $1/nat.yaml: topologies/nat-port-mapping.yaml (HTTP check, failOpen 34) with a sorry server host,
#        onFailure remove, quorum 3 and hysteresis 1 (written by the test): app1 killed and started again; app3
#        then app2 killed (fail-open keeps app2); app1 killed too (all down: the sorry server); app3 and app2
#        started again (quorum still lost: hysteresis), then app1 (quorum back).
# Per lab, $1/LAB/ gets marks.txt ("MS WHAT" for each thing the job did), ipvs.txt ("MS TABLE" for each change of
# the table), client.txt (agent-client.mjs's lines), events.jsonl (the agent's event log), the outputs of lab up and
# ipvs-agent-start.txt and ipvs-up.txt (ipvsadm-save -n when the agent logged its start, and after lab up).
# Steps are bounded (job-steps.sh); LBCTL_AGENT_LABS picks labs (default: dr nat).
set -u
out=$1
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
lbctl="$repo/bin/lbctl"
work=/run/lbctl-agent-job # the guest's own tmpfs
source "$here/agent-lib.sh"

declare -A file=([dr]="$repo/topologies/dr-web.yaml" [nat]="$work/nat.yaml")
declare -A vip=([dr]=192.168.10.100 [nat]=203.0.113.10)
# What a failed real server is in the table: weight 0 (onFailure weight0) or absent (remove).
declare -A gone=([dr]=0 [nat]=absent)
# The web service's pool as the topology has it ("ADDRESS PORT WEIGHT" each; the sorry server absent).
declare -A pool=(
  [dr]="192.168.10.21 80 3 192.168.10.22 80 2 192.168.10.23 80 1"
  [nat]="10.10.0.11 8080 3 10.10.0.12 8080 2 10.10.0.13 8080 1 10.10.0.99 8080 absent"
)

# steady LAB WHAT: waits (at most 30 s) for the pool as the topology has it and 2 s without an agent event, so that
# WHAT starts from a steady pool. The guest is slowest in the first seconds after lab up (a loaded run: the client's
# requests took 170-260 ms for 16 s, then ~70 ms), and the agent's probes timed out there at 400 ms: fail-open kept
# two of three in, but the pool was not the topology's when the first kill came.
steady() {
  local pid
  read -r pid <"$work/$1-holder"
  # shellcheck disable=SC2086 # the pool is words
  settle 30 "/run/lbctl-lab/$1/director/agent-events.jsonl" "$pid" ${pool[$1]} || mark "$out/$1/marks.txt" "not-steady-$2"
}

# --- The steps' bodies: each runs in a bash of its own, under `timeout` (see job-steps.sh). ---

# LAB: the lab up (its agent started by lab up), the table watched from a process in the director's namespace, and
# the client loop answered. The director's table as the kernel lists it (ipvsadm-save -n, not /proc) is kept twice:
# once the agent logged its start (lab up starts it last, after every host is applied) and once lab up ended.
up() {
  local lab=$1 director at_start rc
  director=$(ns "$lab" director)
  mkdir -p "$out/$lab"
  (wait_line 240 "/run/lbctl-lab/$lab/director/agent-events.jsonl" '"type":"reload"' &&
    ip netns exec "$director" ipvsadm-save -n >"$out/$lab/ipvs-agent-start.txt" 2>&1) &
  at_start=$!
  node "$lbctl" lab up "${file[$lab]}" --name "$lab" >"$out/$lab/up.txt" 2>&1
  rc=$?
  echo $rc >"$out/$lab/up.rc"
  ip netns exec "$director" ipvsadm-save -n >"$out/$lab/ipvs-up.txt" 2>&1
  if ((rc == 0)); then wait "$at_start"; else kill "$at_start"; fi
  if [ "$lab" = nat ]; then # the sorry server's web server: the operator's, not the lab's
    mkdir -p "$work/sorry-www"
    echo sorry >"$work/sorry-www/index.html"
    ip netns exec "$(ns nat sorry)" busybox httpd -f -p 0.0.0.0:8080 -h "$work/sorry-www" >/dev/null 2>&1 &
  fi
  holder "$director" >"$work/$lab-holder"
  read -r pid <"$work/$lab-holder"
  ipvs_watch "$pid" "$out/$lab/ipvs.txt" >/dev/null 2>&1 &
  echo "$! $pid" >"$work/$lab-watch"
  client_start "$lab" client "http://${vip[$lab]}/" "$work/$lab-client.txt" || echo "the client got no answer" >"$out/$lab/client-start.txt"
}

# LAB HOST ADDRESS PORT WEIGHT: HOST's httpd killed; once its weight is 0 (weight0) or it is gone (remove), 2 s
# more of requests; started again, back at WEIGHT.
kill_restart() {
  local lab=$1 host=$2 address=$3 port=$4 weight=$5 pid
  read -r pid <"$work/$lab-holder"
  steady "$lab" "kill-$host"
  mark "$out/$lab/marks.txt" "kill-$host"
  httpd_kill "$lab" "$host" "$port"
  wait_weight 20 "$pid" "$address" "$port" "${gone[$lab]}" || mark "$out/$lab/marks.txt" "not-out-$host"
  nap 2
  mark "$out/$lab/marks.txt" "start-$host"
  httpd_start "$lab" "$host" "$port"
  wait_weight 20 "$pid" "$address" "$port" "$weight" || mark "$out/$lab/marks.txt" "not-back-$host"
  nap 1
  mark "$out/$lab/marks.txt" "back-$host"
}

# DR: web2's httpd killed and started every 300 ms for 6 s; then until its weight is back (2), and 2 s more.
flap() {
  local pid end
  read -r pid <"$work/dr-holder"
  steady dr flap
  mark "$out/dr/marks.txt" flap-start
  end=$((SECONDS + 6))
  while ((SECONDS < end)); do
    httpd_kill dr web2 80
    nap 0.3
    httpd_start dr web2 80
    nap 0.3
  done
  mark "$out/dr/marks.txt" flap-end
  wait_weight 20 "$pid" 192.168.10.22 80 2 || mark "$out/dr/marks.txt" not-back-web2
  nap 2
  mark "$out/dr/marks.txt" flap-settled
}

# NAT: the pool's policy. app3 then app2 down: fail-open (34 %: one of three) takes out app3 only; app1 down too:
# none healthy, quorum lost, the sorry server in; app3 and app2 back: healthy weight 3, under quorum + hysteresis
# (4), so the sorry server stays; app1 back: quorum regained, the sorry server out.
policy() {
  local pid m="$out/nat/marks.txt" events=/run/lbctl-lab/nat/director/agent-events.jsonl
  read -r pid <"$work/nat-holder"
  steady nat policy
  mark "$m" kill-app3
  httpd_kill nat app3 8080
  wait_weight 20 "$pid" 10.10.0.13 8080 absent || mark "$m" not-out-app3
  mark "$m" kill-app2
  httpd_kill nat app2 8080
  wait_line 20 "$events" '"target":"http 10.10.0.12:8080"' '"health":"down"' || mark "$m" not-down-app2
  nap 1.5
  mark "$m" held-app2
  mark "$m" kill-last-app1
  httpd_kill nat app1 8080
  wait_weight 20 "$pid" 10.10.0.99 8080 1 || mark "$m" not-in-sorry
  nap 2
  mark "$m" start-app3-app2
  httpd_start nat app3 8080
  httpd_start nat app2 8080
  wait_weight 20 "$pid" 10.10.0.12 8080 2 && wait_weight 20 "$pid" 10.10.0.13 8080 1 || mark "$m" not-back-app3-app2
  nap 1.5
  mark "$m" start-last-app1
  httpd_start nat app1 8080
  wait_weight 20 "$pid" 10.10.0.99 8080 absent || mark "$m" not-out-sorry
  nap 1
  mark "$m" quorum-back
}

# LAB: the client loop ended; its lines and the agent's events kept; the lab's agent and the table's watch stopped
# (the next lab has the guest's CPU to itself).
finish() {
  local lab=$1 watch
  client_stop "$work/$lab-client.txt"
  read -r -a watch <"$work/$lab-watch"
  kill "${watch[@]}"
  cp "$work/$lab-client.txt" "$out/$lab/client.txt"
  cp "/run/lbctl-lab/$lab/director/agent-events.jsonl" "$out/$lab/events.jsonl"
  agent_pid "$lab" director && kill "$REPLY"
}

source "$here/job-steps.sh" # a step's re-entry runs its body and ends here

# --- The job: every step in order, each bounded. ---

mkdir -p "$work"
cp "$out/nat.yaml" "$work/nat.yaml"
for lab in ${LBCTL_AGENT_LABS:-dr nat}; do
  step "up-$lab" 240 up "$lab"
  case $lab in
    dr)
      step kill-web1 60 kill_restart dr web1 192.168.10.21 80 3
      step flap 60 flap
      ;;
    nat)
      step kill-app1 60 kill_restart nat app1 10.10.0.11 8080 3
      step policy 90 policy
      ;;
  esac
  step "finish-$lab" 30 finish "$lab"
done
exit 0
