# lbctl plan for host director: 0 to create, 1 to update, 0 to delete
# warning: ipvsadm-thresholds.txt is missing: real-server thresholds (-x/-y) are not compared
# ~ ipvs-destination tcp 203.0.113.10:80 192.0.2.20:80  ipip, weight 2 (was masq, weight 2)
ipvsadm -e -t 203.0.113.10:80 -r 192.0.2.20:80 -i -w 2

# lbctl plan for host rs-tokyo: 1 to create, 1 to update, 0 to delete
# ~ link tunl0  ipip mtu 1480 up (was ipip mtu 1480 down)
ip link set dev tunl0 mtu 1480 up
# + address tunl0 203.0.113.10/32
ip addr add 203.0.113.10/32 dev tunl0

# lbctl plan for host rs-beijing: 0 to create, 3 to update, 0 to delete
# ~ sysctl net.ipv4.conf.all.rp_filter 1 -> 0
sysctl -q -w net.ipv4.conf.all.rp_filter=0
# ~ sysctl net.ipv4.conf.tunl0.rp_filter 1 -> 0
sysctl -q -w net.ipv4.conf.tunl0.rp_filter=0
# ~ link tunl0  ipip mtu 1480 up (was ipip mtu 1500 up)
ip link set dev tunl0 mtu 1480 up

# lbctl plan for host rs-newyork: 0 to create, 0 to update, 0 to delete
