#!/bin/sh
# Guest job of ipvs-smoke.test.ts (runs inside the lbctl VM, as root): in network namespaces,
# builds an IPVS table using every option ipvsadm-save prints, a plain DR+NAT+TUN table and an
# up tunl0, and writes what ipvsadm-save -n, ipvsadm -Ln --thresholds and ip -j -d link show
# print into the directory $1, laid out as test/fixtures/observed/. Addresses are documentation
# ranges; no traffic is sent. Then, in $1/proc-read/, the tables four namespaces hold as the agent jobs read them.
# Tables are loaded with ipvsadm -R (one process each: process start is slow in the guest).
set -eu
out=$1
mkdir -p "$out/ipvsadm-save" "$out/ipvsadm-list"

modprobe -a ip_vs ip_vs_wrr ip_vs_sh ip_vs_mh ipip

new_ns() { # NS: a namespace with lo up (without it IPVS rejects every IPv4 real server as "not unicast")
  ip netns add "$1"
  ip -n "$1" link set lo up
}

new_ns allopts
ip netns exec allopts ipvsadm -R <<'RULES'
-A -t 192.0.2.1:80 -s wrr
-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 3
-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 2 -x 100 -y 10
-a -t 192.0.2.1:80 -r 198.51.100.3:80 -i -w 1
-a -t 192.0.2.1:80 -r 198.51.100.4:80 -i --tun-type gue --tun-port 6080 --tun-csum
-a -t 192.0.2.1:80 -r 198.51.100.5:80 -i --tun-type gue --tun-port 6081 --tun-remcsum
-a -t 192.0.2.1:80 -r 198.51.100.6:80 -i --tun-type gre --tun-nocsum
-a -t 192.0.2.1:80 -r 198.51.100.7:80 -g -w 0
-A -u 192.0.2.1:53 -s rr -o
-a -u 192.0.2.1:53 -r 198.51.100.1:5353 -m
-A --sctp-service 192.0.2.1:3868 -s lc
-a --sctp-service 192.0.2.1:3868 -r 198.51.100.1:3868 -g
-A -t 192.0.2.2:443 -s sh -b sh-port,sh-fallback -p 300 -M 255.255.255.0
-a -t 192.0.2.2:443 -r 198.51.100.1:443 -g -w 2
-A -t 192.0.2.3:80 -s mh -b mh-port,mh-fallback
-a -t 192.0.2.3:80 -r 198.51.100.1:80 -g
-A -t 192.0.2.4:80 -p
-A -t 192.0.2.6:22 -s lc -p 3600 -b flag-1,flag-3
-a -t 192.0.2.6:22 -r 198.51.100.1:22 -g
-A -u 192.0.2.5:5060 -s rr -p 60 --pe sip -o
-a -u 192.0.2.5:5060 -r 198.51.100.1:5060 -m
-A -f 1 -s wlc -p 60
-a -f 1 -r 198.51.100.1 -g -w 1
-a -f 1 -r 198.51.100.2:8080 -m
-A -f 2 -6 -s rr -p 90 -M 64
-a -f 2 -6 -r 2001:db8:1::1 -g
-A -f 4000000000 -s rr
-A -t [2001:db8::1]:80 -s sed -p 120 -M 64
-a -t [2001:db8::1]:80 -r [2001:db8:1::1]:80 -g -w 5
-a -t [2001:db8::1]:80 -r [2001:db8:1::2]:8080 -m -x 50 -y 5
-a -t [2001:db8::1]:80 -r [2001:db8:1::3]:80 -i
-A -u [2001:db8::1]:53 -s nq -o
-A --sctp-service [2001:db8::1]:3868 -s fo
-A -t 192.0.2.9:8001 -s lblc
-A -t 192.0.2.9:8002 -s lblcr
-A -t 192.0.2.9:8003 -s dh
-A -t 192.0.2.9:8004 -s ovf
RULES
ip netns exec allopts ipvsadm-save -n >"$out/ipvsadm-save/real-all-options.txt"
ip netns exec allopts ipvsadm -Ln --thresholds >"$out/ipvsadm-list/real-all-options-thresholds.txt"

new_ns drnattun
ip netns exec drnattun ipvsadm -R <<'RULES'
-A -t 192.0.2.10:80 -s rr
-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 1
-a -t 192.0.2.10:80 -r 198.51.100.12:80 -g -w 1
-A -t 192.0.2.20:80 -s wlc
-a -t 192.0.2.20:80 -r 198.51.100.21:8080 -m -w 1
-a -t 192.0.2.20:80 -r 198.51.100.22:8080 -m -w 2
-A -t 192.0.2.30:80 -s wrr
-a -t 192.0.2.30:80 -r 203.0.113.31:80 -i -w 1
-a -t 192.0.2.30:80 -r 203.0.113.32:80 -i -w 1
RULES
ip netns exec drnattun ipvsadm-save -n >"$out/ipvsadm-save/real-dr-nat-tun.txt"

new_ns tunl
ip -n tunl link set tunl0 up
ip -n tunl -j -d link show >"$out/ip-link-tunl0.json"

# The agent jobs' reader of a director's table (ipvs_table of agent-lib.sh: /proc/PID/net/ip_vs, no process started)
# in four namespaces of one NAT table each, read once all four, allopts and drnattun hold services: a reader that
# reads the file again from an offset gets a table without services of its own on Linux 6.1 (each bash `read` seeks
# back to the end of its line, and the kernel resumes its walk of every namespace's services at a count of its own).
mkdir -p "$out/proc-read"
for n in 1 2 3 4; do
  new_ns "nat$n"
  ip netns exec "nat$n" ipvsadm -R <<'RULES'
-A -t 203.0.113.10:80 -s wlc
-a -t 203.0.113.10:80 -r 10.10.0.11:8080 -m -w 3
-a -t 203.0.113.10:80 -r 10.10.0.12:8080 -m -w 2
-a -t 203.0.113.10:80 -r 10.10.0.13:8080 -m -w 1
-A -t 203.0.113.10:443 -s sh -b sh-fallback
-a -t 203.0.113.10:443 -r 10.10.0.11:8443 -m -w 1
-a -t 203.0.113.10:443 -r 10.10.0.12:8443 -m -w 1
-A -u 203.0.113.10:53 -s rr
-a -u 203.0.113.10:53 -r 10.10.0.11:5353 -m -w 1
-a -u 203.0.113.10:53 -r 10.10.0.12:5353 -m -w 1
RULES
done
for n in 1 2 3 4; do # "0 TABLE", as ipvs_watch writes a table; /proc/self: the reading bash's own namespace
  ip netns exec "nat$n" bash -c '. "$1"; ipvs_table self; echo "0 $REPLY"' sh "$(dirname "$0")/agent-lib.sh" >"$out/proc-read/nat$n.txt"
done
