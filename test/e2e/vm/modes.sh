#!/bin/bash
# Guest job of modes.test.ts (runs inside the lbctl VM, as root): builds the DR, NAT, TUN and
# FullNAT example topologies with `lbctl lab up` (all four at once: process start is slow in the
# guest), sends real HTTP requests through each director (DNS queries too, to the NAT lab's UDP
# service), applies again, and on the DR lab
# changes a weight, drains a real server and makes an apply fail half-way. Meanwhile, in the
# background, `lbctl lab run` brings dns-six-load-balancers.yaml up, runs its traffic check (DNS
# answers of both zone servers, HTTP through all six load balancers) and takes it down (lab six).
# Everything it sees goes into files under $1 (one folder per lab); the test on the host asserts on them.
set -u
out=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
lbctl="$repo/bin/lbctl"
work=$(mktemp -d /tmp/lbctl-modes.XXXXXX)
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
timed() { # NAME CMD...: runs CMD and appends "NAME SECONDS" to timings.txt
  local name=$1 start=$(date +%s%N)
  shift
  "$@"
  echo "$name $(( ($(date +%s%N) - start) / 1000000 ))" >>"$out/timings.txt"
}

# 0. In the background all along (it uses the CPU the steps below leave idle): the six load balancers behind
#    DNS, up, checked and down with `lbctl lab run`; then what the guest still has of lab six.
six() {
  local start=$(date +%s%N)
  mkdir -p "$out/six"
  node "$lbctl" lab run "$repo/topologies/dns-six-load-balancers.yaml" --name six >"$out/six/run.txt" 2>&1
  echo $? >"$out/six/run.rc"
  echo "six-lab-run $(( ($(date +%s%N) - start) / 1000000 ))" >>"$out/timings.txt"
  { ip netns list | grep '^lbl-six-'; ls -d /run/lbctl-lab/six 2>/dev/null; } >"$out/six/left.txt"
}
six &
six_pid=$!

# 1. Every lab at once, each applied by lbctl itself (lab up runs apply on every host).
up() {
  local lab=$1 file=$2
  mkdir -p "$out/$lab"
  node "$lbctl" lab up "$repo/topologies/$file.yaml" --name "$lab" >"$out/$lab/up.txt" 2>&1
  echo $? >"$out/$lab/up.rc"
}
up_all() {
  local pids=()
  for entry in $labs; do up "${entry%%:*}" "${entry#*:}" & pids+=($!); done
  wait "${pids[@]}"
}
timed lab-up up_all

# 2. Requests through each director: /cgi-bin/client answers the server's name and the client address it sees.
for entry in $labs; do
  lab=${entry%%:*}
  ip netns exec "$(ns "$lab" "${client[$lab]}")" curl -s --max-time 5 "http://${vip[$lab]}/cgi-bin/client?[1-$requests]" \
    >"$out/$lab/requests.txt" 2>"$out/$lab/curl-stderr.txt"
  echo $? >"$out/$lab/curl.rc"
  ipvs_list "$lab" ipvs-after-requests.txt
  ip netns exec "$(ns "$lab" director)" ipvsadm -Ln --stats >"$out/$lab/ipvs-stats-after-requests.txt"
  ip netns exec "$(ns "$lab" director)" ipvsadm -Lnc >"$out/$lab/ipvs-conns-after-requests.txt"
done

# 2b. NAT: the UDP DNS service (VIP :53 to app1/app2 :5353, rr): the lab's DNS responders
#     answer whoami.lab.test TXT with their name; one dig (one source port) per query.
for _ in $(seq 12); do
  ip netns exec "$(ns nat client)" dig @"${vip[nat]}" +short +time=2 +tries=2 whoami.lab.test TXT
done >"$out/nat/dns-answers.txt" 2>&1

# 3. DR: whose MAC the client has for the VIP (the director's, if the real servers keep quiet about it).
ip -n "$(ns dr client)" -j neigh show "${vip[dr]}" >"$out/dr/client-neigh.json"
for host in director web1 web2 web3; do ip -n "$(ns dr "$host")" -j link show eth0 >"$out/dr/link-$host.json"; done

# 4. A second apply of the same file changes nothing, on every director.
reapply_all() {
  local pids=()
  for entry in $labs; do apply "${entry%%:*}" "$repo/topologies/${entry#*:}.yaml" reapply & pids+=($!); done
  wait "${pids[@]}"
}
timed reapply reapply_all

# 5. DR: one weight edited (web2 2 -> 4) is one change.
sed 's/{ host: web2, weight: 2 }/{ host: web2, weight: 4 }/' "$repo/topologies/dr-web.yaml" >"$work/weight.yaml"
timed weight apply dr "$work/weight.yaml" weight-apply
ipvs_list dr weight-ipvs.txt

# 6. DR: web3 leaves service web while connections to it are open: weight 0 first, deleted once they end.
sed '/^      - web3 /d' "$work/weight.yaml" >"$work/drain.yaml"
mkfifo "$work/hold"
exec 7<>"$work/hold" # an idle request: nc waits on the fifo, so each connection stays established
holders=()
for _ in 1 2 3 4 5 6 7 8; do # one wrr round (3+4+1): every real server gets one
  ip netns exec "$(ns dr client)" busybox nc "${vip[dr]}" 80 <"$work/hold" >/dev/null 2>&1 &
  holders+=($!)
done
sleep 2
ipvs_list dr drain-held-ipvs.txt
timed drain-start apply dr "$work/drain.yaml" drain-start
ipvs_list dr drain-start-ipvs.txt
kill "${holders[@]}" 2>/dev/null
wait "${holders[@]}" 2>/dev/null
exec 7>&-
sleep 1
timed drain-end apply dr "$work/drain.yaml" drain-end
ipvs_list dr drain-end-ipvs.txt

# 7. DR: an apply whose `ipvsadm -R` dies after half of its rules is rolled back completely.
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
mkdir "$work/bin"
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
timed fail apply dr "$work/fail.yaml" fail-apply "PATH=$work/bin:$PATH"
ipvs_save dr fail-after-save.txt
ip -n "$(ns dr director)" -br addr show >"$out/dr/fail-after-addr.txt"
timed six-wait wait "$six_pid"
exit 0
