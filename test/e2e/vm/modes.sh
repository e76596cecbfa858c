#!/bin/bash
# Guest job of modes.test.ts (runs inside the lbctl VM, as root), one step after another: builds the DR, NAT, TUN
# and FullNAT example topologies with `lbctl lab up`, sends real HTTP requests through each director (DNS queries
# too, to the NAT lab's UDP service), applies again, and on the DR lab changes a weight, drains a real server and
# makes an apply fail half-way; last, `lbctl lab run` brings dns-six-load-balancers.yaml up, runs its traffic check
# (DNS answers of both zone servers, HTTP through all six load balancers) and takes it down (lab six).
# Everything it sees goes into files under $1 (one folder per lab); the test on the host asserts on them.
#
# Each step runs under `timeout` with its own limit, cut short so that it ends before the job's deadline
# (job-steps.sh); a step that overruns is killed and the job goes on.
set -u
out=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
lbctl="$repo/bin/lbctl"
work=/run/lbctl-modes # the guest's own tmpfs: a fifo cannot live on the 9p results share
requests=60 # ten rounds of weights 3/2/1

labs="dr:dr-web nat:nat-port-mapping tun:tun-three-datacentres fn:fullnat"
# Who sends the requests (tun-three-datacentres has no client: its data-centre router does) and to where.
declare -A client=([dr]=client [nat]=client [tun]=gw [fn]=client)
declare -A vip=([dr]=192.168.10.100 [nat]=203.0.113.10 [tun]=203.0.113.10 [fn]=203.0.113.10)

ns() { echo "lbl-$1-$2"; }
# apply LAB FILE NAME [ENV...]: lbctl apply on the lab's director, output in LAB/NAME.txt, exit code in LAB/NAME.rc
apply() {
  local lab=$1 file=$2 name=$3
  shift 3
  ip netns exec "$(ns "$lab" director)" env "$@" node "$lbctl" apply "$file" --host director --yes --root "/run/lbctl-lab/$lab/director" \
    >"$out/$lab/$name.txt" 2>&1
  echo $? >"$out/$lab/$name.rc"
}
ipvs_list() { ip netns exec "$(ns "$1" director)" ipvsadm -Ln >"$out/$1/$2"; }
ipvs_save() { ip netns exec "$(ns "$1" director)" ipvsadm-save -n >"$out/$1/$2"; }

# --- The steps' bodies: each runs in a bash of its own, under `timeout` (see step below). ---

# LAB FILE: the lab built and applied by lbctl itself (lab up runs apply on every host).
up() {
  mkdir -p "$out/$1"
  node "$lbctl" lab up "$repo/topologies/$2.yaml" --name "$1" >"$out/$1/up.txt" 2>&1
  echo $? >"$out/$1/up.rc"
}

# LAB: requests through its director: /cgi-bin/client answers the server's name and the client address it sees.
traffic() {
  local lab=$1
  ip netns exec "$(ns "$lab" "${client[$lab]}")" curl -s --max-time 5 "http://${vip[$lab]}/cgi-bin/client?[1-$requests]" \
    >"$out/$lab/requests.txt" 2>"$out/$lab/curl-stderr.txt"
  echo $? >"$out/$lab/curl.rc"
  ipvs_list "$lab" ipvs-after-requests.txt
  ip netns exec "$(ns "$lab" director)" ipvsadm -Ln --stats >"$out/$lab/ipvs-stats-after-requests.txt"
  ip netns exec "$(ns "$lab" director)" ipvsadm -Lnc >"$out/$lab/ipvs-conns-after-requests.txt"
}

# NAT: the UDP DNS service (VIP :53 to app1/app2 :5353, rr): the lab's DNS responders answer whoami.lab.test TXT
# with their name; one dig (one source port) per query.
nat_dns() {
  for _ in $(seq 12); do
    ip netns exec "$(ns nat client)" dig @"${vip[nat]}" +short +time=2 +tries=2 whoami.lab.test TXT
  done >"$out/nat/dns-answers.txt" 2>&1
}

# DR: whose MAC the client has for the VIP (the director's, if the real servers keep quiet about it).
dr_neigh() {
  ip -n "$(ns dr client)" -j neigh show "${vip[dr]}" >"$out/dr/client-neigh.json"
  for host in director web1 web2 web3; do ip -n "$(ns dr "$host")" -j link show eth0 >"$out/dr/link-$host.json"; done
}

# LAB FILE: a second apply of the same file changes nothing.
reapply() { apply "$1" "$repo/topologies/$2.yaml" reapply; }

# DR: one weight edited (web2 2 -> 4) is one change.
weight() {
  sed 's/{ host: web2, weight: 2 }/{ host: web2, weight: 4 }/' "$repo/topologies/dr-web.yaml" >"$work/weight.yaml"
  apply dr "$work/weight.yaml" weight-apply
  ipvs_list dr weight-ipvs.txt
}

# DR: web3 leaves service web while connections to it are open: weight 0 first, deleted once they end.
drain() {
  sed '/^      - web3 /d' "$work/weight.yaml" >"$work/drain.yaml"
  mkfifo "$work/hold"
  exec 7<>"$work/hold" # an idle request: nc waits on the fifo, so each connection stays established
  local holders=()
  for _ in 1 2 3 4 5 6 7 8; do # one wrr round (3+4+1): every real server gets one
    ip netns exec "$(ns dr client)" busybox nc "${vip[dr]}" 80 <"$work/hold" >/dev/null 2>&1 &
    holders+=($!)
  done
  sleep 2
  ipvs_list dr drain-held-ipvs.txt
  apply dr "$work/drain.yaml" drain-start
  ipvs_list dr drain-start-ipvs.txt
  kill "${holders[@]}" 2>/dev/null
  wait "${holders[@]}" 2>/dev/null
  exec 7>&-
  sleep 1
  apply dr "$work/drain.yaml" drain-end
  ipvs_list dr drain-end-ipvs.txt
}

# DR: an apply whose `ipvsadm -R` dies after half of its rules is rolled back completely.
fail() {
  cp "$work/drain.yaml" "$work/fail.yaml"
  sed -i 's/{ host: web1, weight: 3 }/{ host: web1, weight: 5 }/' "$work/fail.yaml"
  cat >>"$work/fail.yaml" <<'YAML'
  web-alt:
    vip: 192.168.10.101
    port: 8080
    scheduler: rr
    method: dr
    directors: [director]
    realServers: [web1, web2]
YAML
  mkdir -p "$work/bin"
  cat >"$work/bin/ipvsadm" <<'SH'
#!/bin/bash
# A broken ipvsadm: -R loads the first half of its rules, then fails; everything else is the real one.
[ "${1:-}" = -R ] || exec /usr/sbin/ipvsadm "$@"
mapfile -t rules
half=$(( ${#rules[@]} / 2 ))
printf '%s\n' "${rules[@]:0:half}" | /usr/sbin/ipvsadm -R || exit
echo "ipvsadm -R (test wrapper): failing after ${half} of ${#rules[@]} rules" >&2
exit 1
SH
  chmod +x "$work/bin/ipvsadm"
  ipvs_save dr fail-before-save.txt
  ip -n "$(ns dr director)" -br addr show >"$out/dr/fail-before-addr.txt"
  apply dr "$work/fail.yaml" fail-apply "PATH=$work/bin:$PATH"
  ipvs_save dr fail-after-save.txt
  ip -n "$(ns dr director)" -br addr show >"$out/dr/fail-after-addr.txt"
}

# The six load balancers behind DNS, up, checked and down with `lbctl lab run`; then what the guest still has of lab six.
six() {
  mkdir -p "$out/six"
  node "$lbctl" lab run "$repo/topologies/dns-six-load-balancers.yaml" --name six >"$out/six/run.txt" 2>&1
  echo $? >"$out/six/run.rc"
  { ip netns list | grep '^lbl-six-'; ls -d /run/lbctl-lab/six 2>/dev/null; } >"$out/six/left.txt"
}

. "$(dirname "$0")/job-steps.sh"

# --- The job: every step in order, each bounded. ---

mkdir -p "$work"

# Limits: generous for a 2-core host shared with other work (a lab up alone took over 150 s there); the job's
# budget caps their sum.
for entry in $labs; do step "up-${entry%%:*}" 240 up "${entry%%:*}" "${entry#*:}"; done
for entry in $labs; do step "traffic-${entry%%:*}" 60 traffic "${entry%%:*}"; done
step nat-dns 60 nat_dns
step dr-neigh 20 dr_neigh
for entry in $labs; do step "reapply-${entry%%:*}" 60 reapply "${entry%%:*}" "${entry#*:}"; done
step weight 60 weight
step drain 90 drain
step fail 60 fail
step six 420 six
exit 0
