#!/bin/bash
# Guest job of `npm run bench:agent-vm` (runs inside the lbctl VM, as root): one NAT lab (topologies/nat-port-mapping.yaml,
# lab "bench"), one client loop through the VIP (a request every 50 ms) and the director's IPVS table watched every
# 20 ms throughout; the same failure (app1's httpd killed, then started again) $2 times (trials NAME-1 ... NAME-$2) for
#   lbctl                 lbctl agent as `lab up` starts it (the shipped check defaults)
#   keepalived-same       Debian's keepalived, the checker subsystem only, with lbctl's intervals ($1/keepalived-same.conf)
# and once for
#   keepalived-defaults   the same with keepalived's defaults ($1/keepalived-defaults.conf); not waited for to come back
# Before keepalived runs, lbctl's agent is stopped and the director's table emptied: keepalived builds its own. It runs
# in the director's network namespace and in private mount and PID namespaces (its PID files on a /run of its own;
# it dies with the unshare that holds it). $1 gets marks.txt, ipvs.txt, client.txt, up.txt and each keepalived's log.
set -u
dir=$1
trials=$2
repo=$(cd "$(dirname "$0")/../../.." && pwd)
source "$repo/test/e2e/vm/agent-lib.sh"
lab=bench
marks=$dir/marks.txt
director=$(ns $lab director)

node "$repo/bin/lbctl" lab up "$repo/topologies/nat-port-mapping.yaml" --name $lab >"$dir/up.txt" 2>&1 || exit 3
pid=$(holder "$director")
ipvs_watch "$pid" "$dir/ipvs.txt" >/dev/null 2>&1 &
client_start $lab client http://203.0.113.10/ /run/bench-client.txt || exit 4

# trial NAME LOG BACK_S: once the pool is whole and steady (settle, LOG the balancer's log), app1's httpd killed;
# until its weight is 0 (at most 90 s), and 1 s more; started again; until its weight is back (at most BACK_S seconds;
# 0: not waited for).
trial() {
  settle 30 "$2" "$pid" 10.10.0.11 8080 3 10.10.0.12 8080 2 10.10.0.13 8080 1 || mark "$marks" "$1-not-steady"
  mark "$marks" "$1-kill"
  httpd_kill $lab app1 8080
  wait_weight 90 "$pid" 10.10.0.11 8080 0 || mark "$marks" "$1-not-out"
  nap 1
  mark "$marks" "$1-start"
  httpd_start $lab app1 8080
  if (($3 > 0)); then wait_weight "$3" "$pid" 10.10.0.11 8080 3 || mark "$marks" "$1-not-back"; fi
  mark "$marks" "$1-back"
}

for i in $(seq "$trials"); do trial "lbctl-$i" /run/lbctl-lab/$lab/director/agent-events.jsonl 30; done
agent_pid $lab director && kill "$REPLY"
while kill -0 "$REPLY" 2>/dev/null; do nap 0.05; done

for name in keepalived-same keepalived-defaults; do
  ip netns exec "$director" ipvsadm -C
  ip netns exec "$director" unshare --mount --pid --fork --mount-proc --kill-child --propagation private sh -c \
    'mount -t tmpfs bench-keepalived /run && exec keepalived --dont-fork --log-console --log-detail --check --use-file "$1" --pid /run/keepalived.pid --checkers_pid /run/checkers.pid' \
    bench-keepalived "$dir/$name.conf" >"$dir/$name.log" 2>&1 &
  keepalived=$!
  # the kill falls somewhere in keepalived's check cycle (its first checks are spread over delay_loop), as in production
  if [ $name = keepalived-defaults ]; then
    trial "$name-1" "$dir/$name.log" 0
  else
    for i in $(seq "$trials"); do trial "$name-$i" "$dir/$name.log" 30; done
  fi
  kill -KILL "$keepalived"
  wait "$keepalived"
done

client_stop /run/bench-client.txt
cp /run/bench-client.txt "$dir/client.txt"
