#!/bin/bash
# Guest job of vip-path.test.ts (runs inside the lbctl VM, as root): `lbctl lab up` of vip-path.yaml (which starts
# lbctl agent on the director), then, with the agent's state file as the witness: every check passes; web1 loses
# the VIP of service web from its lo, then the VIP of web-tun from its tunl0, then web6's IPv6 VIP from its lo (each
# time its VIP-path check must fail and the RIP check of web-rip stay up); all come back. A second apply of the director must change nothing (the
# fwmark services and the nft marking chain read back from the kernel as planned).
# Everything it sees goes into files under $1; the test on the host asserts on them. steps.txt gets
# "NAME EXIT-STATUS MILLISECONDS" per step (1: its wait ran out); a wait's time is from the change to the state
# file showing its effect (the agent writes it at each health change).
set -u
out=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
lbctl="$repo/bin/lbctl"
lab=vp
state=/run/lbctl-lab/$lab/director/agent.json
ns() { echo "lbl-$lab-$1"; }

# count PATTERN: how many times the agent's state file matches the extended regex.
count() { grep -oE "$1" "$state" 2>/dev/null | wc -l; }
# member SERVER CHECK-PREFIX HEALTH: a member of the state's view with that server, check and health.
member() { echo "\"server\":\"$1\",\"weight\":[0-9]+,(\"override\":[^,]*,)?\"check\":\"$2[^\"]*\",\"health\":\"$3\""; }
# await NAME SECONDS PATTERN [N]: until the state file matches PATTERN at least N times (1); records how long it took.
await() {
  local name=$1 limit=$2 pattern=$3 n=${4:-1} start rc=0
  start=$(date +%s%N)
  until (( $(count "$pattern") >= n )); do
    if (( ($(date +%s%N) - start) / 1000000000 >= limit )); then rc=1; break; fi
    sleep 0.05
  done
  echo "$name $rc $(( ($(date +%s%N) - start) / 1000000 ))" >>"$out/steps.txt"
  cp "$state" "$out/$name.json" 2>/dev/null
  ip netns exec "$(ns director)" ipvsadm -Ln >"$out/$name-ipvs.txt"
}

start=$(date +%s%N)
node "$lbctl" lab up "$repo/test/e2e/vm/vip-path.yaml" --name "$lab" >"$out/up.txt" 2>&1
echo "up $? $(( ($(date +%s%N) - start) / 1000000 ))" >>"$out/steps.txt"
# The lab's web servers listen on 0.0.0.0 only: the job starts IPv6 ones on [::]:80 beside them (v6-only, in the
# web servers' own namespaces, so that both bind port 80).
for host in web1 web2; do
  ip netns exec "$(ns "$host")" sysctl -qw net.ipv6.bindv6only=1
  mkdir -p "/run/vip-path-www6/$host" && echo "$host" >"/run/vip-path-www6/$host/index.html"
  ip netns exec "$(ns "$host")" busybox httpd -p '[::]:80' -h "/run/vip-path-www6/$host"
done
ip netns exec "$(ns director)" nft list ruleset >"$out/nft.txt" 2>&1
ip netns exec "$(ns director)" ipvsadm-save -n >"$out/ipvsadm-save.txt" 2>&1

# Every check is up and its last probe passed, all eight at once: the VIP path works for DR and TUN, IPv4 and IPv6.
await all-up 60 '"health":"up","since":[0-9]+,"passed":[1-9][0-9]*,"failed":[0-9]+,"last":\{"passed":true' 8

start=$(date +%s%N)
ip netns exec "$(ns director)" node "$lbctl" apply "$repo/test/e2e/vm/vip-path.yaml" --host director --yes \
  --root "/run/lbctl-lab/$lab/director" >"$out/reapply.txt" 2>&1
echo "reapply $? $(( ($(date +%s%N) - start) / 1000000 ))" >>"$out/steps.txt"

ip -n "$(ns web1)" addr del 192.168.10.100/32 dev lo
await lo-vip-gone 20 "$(member 192.168.10.21:80 'http 192.168.10.100:80 via' down)"
ip -n "$(ns web1)" addr del 192.168.10.102/32 dev tunl0
await tunl0-vip-gone 20 "$(member 192.168.10.21:80 'http 192.168.10.102:80 via' down)"
ip -n "$(ns web1)" addr del 2001:db8:10::100/128 dev lo
await lo6-vip-gone 20 "$(member '\[2001:db8:10::21\]:80' 'http \[2001:db8:10::100\]:80 via' down)"
ip -n "$(ns web1)" addr add 192.168.10.100/32 dev lo
ip -n "$(ns web1)" addr add 192.168.10.102/32 dev tunl0
ip -n "$(ns web1)" addr add 2001:db8:10::100/128 dev lo
await back 20 '"health":"up","since":[0-9]+,"passed":[1-9][0-9]*,"failed":[0-9]+,"last":\{"passed":true' 8
# No client sent anything: every connection IPVS counted is a probe, on the service it took.
ip netns exec "$(ns director)" ipvsadm -Ln --stats >"$out/stats.txt"
exit 0
