#!/bin/bash
# Guest job of keepalived-import.test.ts (runs inside the lbctl VM, as root): for each directory
# $1/NAME/ holding keepalived.conf (the corpus file with every checker made to pass) and want (the
# number of real servers keepalived must add), runs Debian's keepalived (health-checker subsystem
# only) in a network namespace of its own, all at once; waits until each table holds that many
# real servers and has not changed for 2 s (at most 60 s in all); then writes `ipvsadm-save -n` to
# NAME/ipvsadm-save.txt (keepalived's log is NAME/keepalived.log). No traffic is sent.
# Process starts are slow in the emulated guest: the tables are polled through /proc/PID/net/ip_vs
# (the namespace of keepalived's PID) with shell builtins only, each in one read (mapfile): a line at a time, the
# kernel (Linux 6.1) resumes its walk at every line and skips whole services when other namespaces hold some, as
# these do (see agent-lib.sh's ipvs_table).
set -u
dir=$1
jobs=''
n=0
for job in "$dir"/*/; do
  n=$((n + 1))
  ip netns add ka$n
  ip -n ka$n link set lo up # without lo IPVS rejects IPv4 real servers as "not unicast"
  ip netns exec ka$n keepalived --check --dont-fork --log-console --log-detail \
    --use-file "$job/keepalived.conf" --pid /run/ka$n.pid --checkers_pid /run/ka$n-check.pid \
    >"$job/keepalived.log" 2>&1 &
  jobs="$jobs $n:$!:$(cat "$job/want"):$job"
done

table='' # set by read_table: the IPVS table of PID's namespace; have: its real servers
read_table() {
  table='' have=0
  [ -r "/proc/$1/net/ip_vs" ] || return 0
  local line lines
  mapfile -t lines <"/proc/$1/net/ip_vs"
  for line in "${lines[@]}"; do
    table="$table$line;"
    case $line in *RemoteAddress*) ;; '  -> '*) have=$((have + 1)) ;; esac
  done
}

round=0
pending=$jobs
while [ -n "$pending" ] && [ $round -lt 200 ]; do # 200 x 0.3 s
  still=''
  for j in $pending; do
    IFS=: read -r i pid want job <<EOT
$j
EOT
    read_table "$pid"
    eval "last=\${last_$i:-} same=\${same_$i:-0}"
    if [ "$table" = "$last" ]; then same=$((same + 1)); else same=0; fi
    eval "last_$i=\$table same_$i=$same"
    if [ "$have" -ge "$want" ] && [ "$same" -ge 7 ]; then
      echo "$(basename "$job"): $have of $want real servers, stable at round $round"
    else
      still="$still $j"
    fi
  done
  pending=$still
  round=$((round + 1))
  sleep 0.3
done
for j in $pending; do echo "not settled after $round rounds: $j"; done

for j in $jobs; do
  IFS=: read -r i pid want job <<EOT
$j
EOT
  ip netns exec ka$i ipvsadm-save -n >"$job/ipvsadm-save.txt"
  kill "$pid"
done
wait
for j in $jobs; do ip netns del ka${j%%:*}; done
