#!/bin/bash
# Guest job of ha.test.ts (runs inside the lbctl VM, as root): director HA on a real IPVS kernel. Two labs, one
# after another, each up, measured and down; results in one directory per measurement:
#   ecmp     topologies/ecmp-web.yaml (ha: ecmp) with two echo services, 10.40.0.100:7 on mh (the example's
#            scheduler) and 10.40.0.101:7 on wrr (the difference consistent hashing makes): director d1 dies
#   vrrp     topologies/vrrp-web.yaml (ha: vrrp) with an echo service on 10.50.0.100:7, measured twice:
#     vsync    with the sync daemons lbctl runs: the master's link goes down (and comes back: it stays backup)
#     vnosync  the sync daemons stopped on both directors: the new master's link goes down
# Every real server runs an echo server on port 7 (ha-echo.mjs). In each measurement, ha-client.mjs holds 200
# long-lived connections per VIP that send lines and hear them back, opens new connections in a loop, takes the
# director down, and writes what survived and when new connections worked again to DIR/client.json.
#
# Steps are bounded as in modes.sh (job-steps.sh): each runs under `timeout` with its own limit, cut to end before the
# job's deadline; steps.txt gets "NAME EXIT-STATUS MILLISECONDS".
set -u
out=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
lbctl="$repo/bin/lbctl"
client="$repo/test/e2e/vm/ha-client.mjs"
echo="$repo/test/e2e/vm/ha-echo.mjs"
work=/run/lbctl-ha
conns=200
watch=8 # s after the kill: BFD (0.3 s) or VRRP (< 1 s), then TCP's retransmission back-off

ns() { echo "lbl-$1-$2"; }

# --- The steps' bodies: each runs in a bash of its own, under `timeout` (see step below). ---

# LAB FILE: the lab built and applied by lbctl, then an echo server on port 7 of every real server (PIDs recorded).
up() {
  mkdir -p "$out/$1"
  node "$lbctl" lab up "$2" --name "$1" >"$out/$1/up.txt" 2>&1
  echo $? >"$out/$1/up.rc"
  # The lab's own web server on port 7 (it serves every service port) makes way for the echo server.
  local pid
  for pid in $(node -e 'for (const s of require(process.argv[1]).services) if (s.port === 7) console.log(s.pid)' "/run/lbctl-lab/$1/lab.json"); do
    kill "$pid"
  done
  for dir in /run/lbctl-lab/"$1"/web*; do
    ip netns exec "$(ns "$1" "${dir##*/}")" node "$echo" "${dir##*/}" >>"$out/$1/echo.txt" 2>&1 &
    echo $! >>"$work/$1.pids"
  done
}

# LAB DIR WHEN: what each director holds (VIPs, IPVS table, sync daemons) and the router's routes, into DIR.
state() {
  for d in d1 d2; do
    { ip -n "$(ns "$1" "$d")" -br addr; ip netns exec "$(ns "$1" "$d")" ipvsadm -Ln; ip netns exec "$(ns "$1" "$d")" ipvsadm -L --daemon; } >"$out/$2/$3-$d.txt" 2>&1
  done
  ip -n "$(ns "$1" router)" route >"$out/$2/$3-router-routes.txt" 2>&1
}

# LAB DIR: both directors' IPVS connection tables when the kill came (which director held which client port).
conns() {
  for d in d1 d2; do ip netns exec "$(ns "$1" "$d")" ipvsadm -Lcn >"$out/$2/conns-kill-$d.txt" 2>&1; done
}

# LAB: stop the IPVS sync daemons on both directors (the run without connection synchronisation).
nosync() {
  for d in d1 d2; do
    for role in master backup; do ip netns exec "$(ns "$1" "$d")" ipvsadm --stop-daemon "$role"; done
  done
}

# wait_until SECONDS COMMAND...: polls the command every 0.2 s until it succeeds (0) or SECONDS pass (1).
wait_until() {
  local end=$(( $(date +%s) + $1 ))
  shift
  until "$@" >/dev/null 2>&1; do (( $(date +%s) < end )) || return 1; sleep 0.2; done
}
# LAB: the router has OSPF routes to both VIPs through both directors (OSPF converged after lab up).
ecmp_routes() { [ "$(ip -n "$(ns "$1" router)" route | grep -c 'nexthop via 10\.30\.0\.1[12] ')" = 4 ]; }
# LAB DIRECTOR: the director holds the VRRP VIP.
holds_vip() { ip -n "$(ns "$1" "$2")" -br addr | grep -q '10\.50\.0\.100/'; }
# LAB: exactly one director holds the VRRP VIP (keepalived elected a master, and the other is backup).
one_master() {
  local n=0
  holds_vip "$1" d1 && n=$((n + 1))
  holds_vip "$1" d2 && n=$((n + 1))
  [ "$n" = 1 ]
}

# LAB DIR VIPS VICTIM KILL: the client's run through VIPS (comma-separated) while KILL takes VICTIM down, what the
# directors held before and after, into DIR.
run_client() {
  local lab=$1 dir=$2 vips=$3 victim=$4 kill=$5
  mkdir -p "$out/$dir"
  echo "$victim" >"$out/$dir/victim.txt"
  state "$lab" "$dir" before
  ip netns exec "$(ns "$lab" client)" node "$client" "$vips" "$conns" "$watch" "$kill" "bash $0 $out conns $lab $dir" >"$out/$dir/client.json" 2>"$out/$dir/client-stderr.txt"
  state "$lab" "$dir" after
}

# ECMP LAB: director d1 dies: every process of its namespace (FRR) killed, its IPVS table flushed, its link down,
# as a director that dies does (no RST, no goodbye).
measure_ecmp() {
  wait_until 60 ecmp_routes "$1" || echo "no ECMP routes to the VIPs after 60 s" >"$out/$1/converge.txt"
  local d1
  d1=$(ns "$1" d1)
  run_client "$1" "$1" 10.40.0.100,10.40.0.101 d1 "ip netns pids $d1 | xargs -r kill -9; ip netns exec $d1 ipvsadm -C; ip -n $d1 link set eth0 down"
}

# VRRP LAB DIR: the master's link goes down (keepalived there stops advertising; the backup takes the VIP over). To
# measure again in the same lab, the link comes back (without preemption that director stays backup).
measure_vrrp() {
  local lab=$1 dir=$2 master=d1
  wait_until 30 one_master "$lab" || echo "no single VRRP master after 30 s" >"$out/$dir/converge.txt"
  holds_vip "$lab" d2 && master=d2
  run_client "$lab" "$dir" 10.50.0.100 "$master" "ip -n $(ns "$lab" "$master") link set eth0 down"
  for d in d1 d2; do cp "/run/lbctl-lab/$lab/$d/keepalived.log" "$out/$dir/keepalived-$d.log"; done
  ip -n "$(ns "$lab" "$master")" link set eth0 up
}

# LAB: the echo servers stopped (by their PIDs), the lab removed.
down() {
  [ -f "$work/$1.pids" ] && xargs -r kill <"$work/$1.pids"
  node "$lbctl" lab down --name "$1" >"$out/$1/down.txt" 2>&1
}

. "$(dirname "$0")/job-steps.sh"

# --- The job: every step in order, each bounded. ---

mkdir -p "$work"
# echo_service NAME VIP HA [SCHEDULER LINES...]: a service block for port 7 on the examples' directors and servers.
echo_service() {
  printf '  %s:\n    vip: %s\n    port: 7\n    method: dr\n    directors: [d1, d2]\n    ha: %s\n' "$1" "$2" "$3"
  shift 3
  printf '    %s\n' "$@" 'realServers: [web1, web2, web3]'
}
{ cat "$repo/topologies/ecmp-web.yaml"; echo_service echo-mh 10.40.0.100 ecmp 'flags: [mh-port]'; echo_service echo-wrr 10.40.0.101 ecmp 'scheduler: wrr'; } >"$work/ecmp.yaml"
{ cat "$repo/topologies/vrrp-web.yaml"; echo_service echo 10.50.0.100 vrrp 'scheduler: wrr'; } >"$work/vrrp.yaml"

# LBCTL_HA_LABS picks labs (default: both, in this order).
for lab in ${LBCTL_HA_LABS:-ecmp vrrp}; do
  case $lab in
    ecmp) step up-ecmp 240 up ecmp "$work/ecmp.yaml"; step measure-ecmp 180 measure_ecmp ecmp ;;
    vrrp)
      step up-vrrp 240 up vrrp "$work/vrrp.yaml"
      step measure-vsync 180 measure_vrrp vrrp vsync
      step nosync 20 nosync vrrp
      step measure-vnosync 180 measure_vrrp vrrp vnosync
      ;;
  esac
  step "down-$lab" 60 down "$lab"
done
exit 0
