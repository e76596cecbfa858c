#!/bin/bash
# Guest job of ha.test.ts (runs inside the lbctl VM, as root): director HA on a real IPVS kernel. Four labs, one
# after another, each up, measured and down:
#   emh     topologies/ecmp-web.yaml (ha: ecmp, mh): kill director d1 (its FRR and IPVS, its link down)
#   ewrr    the same with scheduler wrr: the difference consistent hashing makes
#   vsync   topologies/vrrp-web.yaml (ha: vrrp, sync daemons): kill the VRRP master
#   vnosync the same with the sync daemons stopped on both directors first
# In each, ha-client.mjs holds 200 long-lived HTTP streams through the VIP and opens new connections in a loop,
# kills the director, and writes what survived and when new connections worked again to LAB/client.json.
#
# Steps follow modes.sh: each runs under `timeout` with its own limit, cut to end before the job's deadline
# (job-steps.sh).
set -u
out=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
lbctl="$repo/bin/lbctl"
client="$repo/test/e2e/vm/ha-client.mjs"
work=/run/lbctl-ha
conns=200
watch=8 # s after the kill: BFD (0.3 s) or VRRP (< 1 s), then TCP's retransmission back-off

ns() { echo "lbl-$1-$2"; }

# --- The steps' bodies: each runs in a bash of its own, under `timeout` (see step below). ---

# LAB FILE: the lab built and applied by lbctl, then a streaming CGI on every real server.
up() {
  mkdir -p "$out/$1"
  node "$lbctl" lab up "$2" --name "$1" >"$out/$1/up.txt" 2>&1
  echo $? >"$out/$1/up.rc"
  for www in /run/lbctl-lab/"$1"/web*/www; do
    printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nwhile echo tick; do sleep 0.2; done\n' >"$www/cgi-bin/stream"
    chmod 755 "$www/cgi-bin/stream"
  done
}

# LAB: what each director holds before the kill (VIPs, IPVS table, sync daemons, the router's routes to the VIP).
state() {
  for d in d1 d2; do
    { ip -n "$(ns "$1" "$d")" -br addr; ip netns exec "$(ns "$1" "$d")" ipvsadm -Ln; ip netns exec "$(ns "$1" "$d")" ipvsadm -L --daemon; } >"$out/$1/$2-$d.txt" 2>&1
  done
  ip -n "$(ns "$1" router)" route >"$out/$1/$2-router-routes.txt" 2>&1
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
# LAB: the router has OSPF routes to the VIP through both directors (OSPF converged after lab up).
ecmp_routes() { [ "$(ip -n "$(ns "$1" router)" route show 10.40.0.100 | grep -c 'nexthop via')" = 2 ]; }
# LAB: one director holds the VRRP VIP (keepalived elected a master after lab up).
vrrp_master() { ip -n "$(ns "$1" d1)" -br addr | grep -q '10\.50\.0\.100/' || ip -n "$(ns "$1" d2)" -br addr | grep -q '10\.50\.0\.100/'; }

# LAB: cheap streams for 200 clients: one ticker per real server appends a line every 0.5 s, and the stream CGI
# follows that file (`tail -f`, woken by inotify) instead of forking a `sleep` per stream and tick.
streams() {
  for dir in /run/lbctl-lab/"$1"/web*; do
    : >>"$dir/tick"
    ( while echo tick; do sleep 0.5; done >>"$dir/tick" ) >/dev/null 2>&1 &
    printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nexec tail -n 1 -f %s/tick\n' "$dir" >"$dir/www/cgi-bin/stream"
  done
}

# LAB VICTIM: the client's run; the kill ends every process of the victim's namespace (FRR or keepalived), flushes
# its IPVS table and takes its link down, as a director that dies does (no RST, no goodbye).
measure() {
  local lab=$1 victim=$2
  streams "$lab"
  wait_until 60 ecmp_routes "$lab" || echo "no ECMP route to the VIP after 60 s" >"$out/$lab/converge.txt"
  state "$lab" before
  local kill="ip netns pids $(ns "$lab" "$victim") | xargs -r kill -9; ip netns exec $(ns "$lab" "$victim") ipvsadm -C; ip -n $(ns "$lab" "$victim") link set eth0 down"
  ip netns exec "$(ns "$lab" client)" node "$client" 10.40.0.100 "$conns" "$watch" "$kill" >"$out/$lab/client.json" 2>"$out/$lab/client-stderr.txt"
  state "$lab" after
}

# VRRP LAB: the director holding the VIP (the master), killed.
measure_vrrp() {
  local lab=$1 master=d1
  streams "$lab"
  wait_until 30 vrrp_master "$lab" || echo "no VRRP master after 30 s" >"$out/$lab/converge.txt"
  ip -n "$(ns "$lab" d2)" -br addr | grep -q '10\.50\.0\.100/' && master=d2
  echo "$master" >"$out/$lab/master.txt"
  state "$lab" before
  local kill="ip netns pids $(ns "$lab" "$master") | xargs -r kill -9; ip netns exec $(ns "$lab" "$master") ipvsadm -C; ip -n $(ns "$lab" "$master") link set eth0 down"
  ip netns exec "$(ns "$lab" client)" node "$client" 10.50.0.100 "$conns" "$watch" "$kill" >"$out/$lab/client.json" 2>"$out/$lab/client-stderr.txt"
  state "$lab" after
}

down() { node "$lbctl" lab down --name "$1" >"$out/$1/down.txt" 2>&1; }

. "$(dirname "$0")/job-steps.sh"

# --- The job: every step in order, each bounded. ---

mkdir -p "$work"
sed -e 's/^    flags: \[mh-port\]$/    scheduler: wrr/' "$repo/topologies/ecmp-web.yaml" >"$work/ecmp-wrr.yaml"

# LBCTL_HA_LABS picks labs (default: all four, in this order).
for lab in ${LBCTL_HA_LABS:-emh ewrr vsync vnosync}; do
  case $lab in
    emh) step up-emh 240 up emh "$repo/topologies/ecmp-web.yaml"; step measure-emh 180 measure emh d1 ;;
    ewrr) step up-ewrr 240 up ewrr "$work/ecmp-wrr.yaml"; step measure-ewrr 180 measure ewrr d1 ;;
    vsync) step up-vsync 240 up vsync "$repo/topologies/vrrp-web.yaml"; step measure-vsync 180 measure_vrrp vsync ;;
    vnosync) step up-vnosync 240 up vnosync "$repo/topologies/vrrp-web.yaml"; step nosync 20 nosync vnosync; step measure-vnosync 180 measure_vrrp vnosync ;;
  esac
  step "down-$lab" 60 down "$lab"
done
exit 0
