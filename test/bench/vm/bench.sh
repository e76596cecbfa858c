#!/bin/bash
# Guest job of `npm run bench:vm` (runs inside the lbctl VM, as root). $1 holds topology.yaml,
# changed.yaml and per-rule.txt (ipvsadm arguments, one rule a line); times go to $1/times.txt
# ("NAME MILLISECONDS"), lbctl's output to $1/*.out and the tables to $1/*.save.
set -u
dir=$1
lbctl="$(cd "$(dirname "$0")/../../.." && pwd)/bin/lbctl"
now() { date +%s%N; }
record() { echo "$1 $(( ($(now) - $2) / 1000000 ))" >>"$dir/times.txt"; }

modprobe -a ip_vs ip_vs_wrr ip_vs_wlc ip_vs_rr ip_vs_lc ip_vs_sh ip_vs_mh ip_vs_sed ip_vs_nq dummy
new_ns() { # NS: lo and a dummy eth0 up (the director's interface)
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip -n "$1" link add eth0 type dummy
  ip -n "$1" link set eth0 up
}

new_ns lbctl
ip -n lbctl addr add 10.0.0.10/16 dev eth0 # the topology's interface address (apply manages VIPs and routes, not this)
apply() { # NAME FILE
  local start
  start=$(now)
  ip netns exec lbctl node "$lbctl" apply "$2" --host director --yes --root /tmp/bench-root >"$dir/$1.out" 2>&1
  echo "$1-rc $?" >>"$dir/times.txt"
  record "$1" "$start"
  ip netns exec lbctl ipvsadm-save -n >"$dir/$1.save"
}
apply from-empty "$dir/topology.yaml"
apply change "$dir/changed.yaml"
apply again "$dir/changed.yaml"

new_ns perrule
start=$(now)
# the loop runs inside the namespace: exactly one ipvsadm process per rule
ip netns exec perrule bash -c 'while read -r -a rule; do ipvsadm "${rule[@]}" || echo "failed: ${rule[*]}"; done' <"$dir/per-rule.txt" 2>>"$dir/per-rule.err"
record per-rule "$start"
ip netns exec perrule ipvsadm-save -n >"$dir/per-rule.save"
