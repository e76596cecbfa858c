# lbctl plan for host director: 0 to create, 2 to update, 0 to delete
# warning: ipvsadm-thresholds.txt is missing: real-server thresholds (-x/-y) are not compared
# ~ sysctl net.ipv4.ip_forward 0 -> 1
sysctl -q -w net.ipv4.ip_forward=1
# ~ ipvs-destination tcp 203.0.113.10:80 10.10.0.11:8080  masq, weight 3, upper 900, lower 700 (was masq, weight 1)
ipvsadm -e -t 203.0.113.10:80 -r 10.10.0.11:8080 -m -w 3 -x 900 -y 700
# unmanaged, left alone: ipvs-service 'tcp 203.0.113.10:8080'

# lbctl plan for host app1: 0 to create, 0 to update, 0 to delete

# lbctl plan for host app2: 0 to create, 1 to update, 0 to delete
# ~ route inet default  via 10.10.0.1 (was via 10.10.0.254)
ip route replace default via 10.10.0.1

# lbctl plan for host app3: 1 to create, 0 to update, 0 to delete
# warning: no captures for host app3 in test/fixtures/drift/nat-port-mapping/forwarding-off-and-stray-route: planned from an empty state
# + route inet default  via 10.10.0.1
ip route replace default via 10.10.0.1

# lbctl plan for host client: 0 to create, 0 to update, 0 to delete
# warning: no captures for host client in test/fixtures/drift/nat-port-mapping/forwarding-off-and-stray-route: planned from an empty state
