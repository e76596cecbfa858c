# lbctl plan for host director: 0 to create, 3 to update, 0 to delete
# warning: ipvsadm-thresholds.txt is missing: real-server thresholds (-x/-y) are not compared
# ~ sysctl net.ipv4.vs.conntrack 0 -> 1
sysctl -q -w net.ipv4.vs.conntrack=1
# ~ ipvs-service tcp 203.0.113.10:443  scheduler mh, flags mh-port (was scheduler mh, flags mh-port, persistent 300s mask 255.255.255.255)
ipvsadm -E -t 203.0.113.10:443 -s mh -b mh-port
# ~ nft-table ip lbctl  6 rule(s) [+ "lbctl 6ddc8d37 fullnat web-tls", - "lbctl 51c0a2e4 fullnat web"]
nft -f - <<'LBCTL_EOF'
table ip lbctl
delete table ip lbctl
table ip lbctl {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip daddr 10.20.0.11 tcp dport 8080 counter snat to 10.20.0.5 comment "lbctl 3dc7d01f fullnat web"
		ip daddr 10.20.0.11 tcp dport 8443 counter snat to 10.20.0.5 comment "lbctl 4758e632 fullnat web-tls"
		ip daddr 10.20.0.12 tcp dport 8080 counter snat to 10.20.0.5 comment "lbctl e38b1628 fullnat web"
		ip daddr 10.20.0.12 tcp dport 8443 counter snat to 10.20.0.5 comment "lbctl f1f3fab9 fullnat web-tls"
		ip daddr 10.21.0.13 tcp dport 8080 counter snat to 10.20.0.5 comment "lbctl 9f053752 fullnat web"
		ip daddr 10.21.0.13 tcp dport 8443 counter snat to 10.20.0.5 comment "lbctl 6ddc8d37 fullnat web-tls"
	}
}
LBCTL_EOF

# lbctl plan for host ar1: 0 to create, 0 to update, 0 to delete

# lbctl plan for host app1: 0 to create, 0 to update, 0 to delete

# lbctl plan for host app2: 1 to create, 0 to update, 0 to delete
# warning: no captures for host app2 in test/fixtures/drift/fullnat/snat-rule-lost-and-conntrack-off: planned from an empty state
# + route inet default  via 10.20.0.1
ip route replace default via 10.20.0.1

# lbctl plan for host app3: 1 to create, 0 to update, 0 to delete
# warning: no captures for host app3 in test/fixtures/drift/fullnat/snat-rule-lost-and-conntrack-off: planned from an empty state
# + route inet default  via 10.21.0.1
ip route replace default via 10.21.0.1

# lbctl plan for host client: 0 to create, 0 to update, 0 to delete
# warning: no captures for host client in test/fixtures/drift/fullnat/snat-rule-lost-and-conntrack-off: planned from an empty state
