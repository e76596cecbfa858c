# lbctl plan for host director: 36 to create, 0 to update, 0 to delete, 1 to run
# + module ip_vs
modprobe ip_vs
# + module ip_vs_rr
modprobe ip_vs_rr
# + module ip_vs_sh
modprobe ip_vs_sh
# + module ip_vs_wrr
modprobe ip_vs_wrr
# + sysctl net.ipv4.conf.eth0.accept_local = 1
sysctl -q -w net.ipv4.conf.eth0.accept_local=1
# + sysctl net.ipv4.conf.eth0.rp_filter = 2
sysctl -q -w net.ipv4.conf.eth0.rp_filter=2
# + sysctl net.ipv4.vs.expire_nodest_conn = 1
sysctl -q -w net.ipv4.vs.expire_nodest_conn=1
# + sysctl net.ipv4.vs.expire_quiescent_template = 1
sysctl -q -w net.ipv4.vs.expire_quiescent_template=1
# + address eth0 192.168.10.100/32
ip addr add 192.168.10.100/32 dev eth0
# + route inet default  via 192.168.10.1
ip route replace default via 192.168.10.1
# + ipvs-service fwmark 1279394082  scheduler rr
ipvsadm -A -f 1279394082 -s rr
# + ipvs-service fwmark 1279394683  scheduler rr
ipvsadm -A -f 1279394683 -s rr
# + ipvs-service fwmark 1279395083  scheduler rr
ipvsadm -A -f 1279395083 -s rr
# + ipvs-service fwmark 1279395150  scheduler rr
ipvsadm -A -f 1279395150 -s rr
# + ipvs-service fwmark 1279395220  scheduler rr
ipvsadm -A -f 1279395220 -s rr
# + ipvs-service fwmark 1279398260  scheduler rr
ipvsadm -A -f 1279398260 -s rr
# + ipvs-service tcp 192.168.10.100:80  scheduler wrr
ipvsadm -A -t 192.168.10.100:80 -s wrr
# + ipvs-service tcp 192.168.10.100:443  scheduler sh, flags sh-port, persistent 600s mask 255.255.255.255
ipvsadm -A -t 192.168.10.100:443 -s sh -b sh-port -p 600 -M 255.255.255.255
# + ipvs-destination fwmark 1279394082 192.168.10.21:0  gate, weight 1
ipvsadm -a -f 1279394082 -r 192.168.10.21:0 -g -w 1
# + ipvs-destination fwmark 1279394683 192.168.10.22:0  gate, weight 1
ipvsadm -a -f 1279394683 -r 192.168.10.22:0 -g -w 1
# + ipvs-destination fwmark 1279395083 192.168.10.22:0  gate, weight 1
ipvsadm -a -f 1279395083 -r 192.168.10.22:0 -g -w 1
# + ipvs-destination fwmark 1279395150 192.168.10.23:0  gate, weight 1
ipvsadm -a -f 1279395150 -r 192.168.10.23:0 -g -w 1
# + ipvs-destination fwmark 1279395220 192.168.10.23:0  gate, weight 1
ipvsadm -a -f 1279395220 -r 192.168.10.23:0 -g -w 1
# + ipvs-destination fwmark 1279398260 192.168.10.21:0  gate, weight 1
ipvsadm -a -f 1279398260 -r 192.168.10.21:0 -g -w 1
# + ipvs-destination tcp 192.168.10.100:80 192.168.10.21:80  gate, weight 3
ipvsadm -a -t 192.168.10.100:80 -r 192.168.10.21:80 -g -w 3
# + ipvs-destination tcp 192.168.10.100:80 192.168.10.22:80  gate, weight 2
ipvsadm -a -t 192.168.10.100:80 -r 192.168.10.22:80 -g -w 2
# + ipvs-destination tcp 192.168.10.100:80 192.168.10.23:80  gate, weight 1
ipvsadm -a -t 192.168.10.100:80 -r 192.168.10.23:80 -g -w 1
# + ipvs-destination tcp 192.168.10.100:443 192.168.10.21:443  gate, weight 1
ipvsadm -a -t 192.168.10.100:443 -r 192.168.10.21:443 -g -w 1
# + ipvs-destination tcp 192.168.10.100:443 192.168.10.22:443  gate, weight 1
ipvsadm -a -t 192.168.10.100:443 -r 192.168.10.22:443 -g -w 1
# + ipvs-destination tcp 192.168.10.100:443 192.168.10.23:443  gate, weight 1
ipvsadm -a -t 192.168.10.100:443 -r 192.168.10.23:443 -g -w 1
# + nft-table ip lbctl  0 rule(s), 6 marking rule(s)
nft -f - <<'LBCTL_EOF'
table ip lbctl
delete table ip lbctl
table ip lbctl {
	chain output {
		type route hook output priority mangle; policy accept;
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 61290 tcp dport 443 meta mark set 1279394082 comment "lbctl 27afa941 vip-path web-tls 192.168.10.21:443"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 61891 tcp dport 443 meta mark set 1279394683 comment "lbctl d613cfb3 vip-path web-tls 192.168.10.22:443"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 62291 tcp dport 80 meta mark set 1279395083 comment "lbctl 90043a02 vip-path web 192.168.10.22:80"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 62358 tcp dport 80 meta mark set 1279395150 comment "lbctl e2ac7b69 vip-path web 192.168.10.23:80"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 62428 tcp dport 443 meta mark set 1279395220 comment "lbctl eb2fc528 vip-path web-tls 192.168.10.23:443"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 65468 tcp dport 80 meta mark set 1279398260 comment "lbctl fe96bd43 vip-path web 192.168.10.21:80"
	}
}
LBCTL_EOF
# + file /etc/ipvsadm.rules  mode 0644
install -D -m 0644 /dev/stdin /etc/ipvsadm.rules <<'LBCTL_EOF'
-A -f 1279394082 -s rr
-a -f 1279394082 -r 192.168.10.21:0 -g -w 1
-A -f 1279394683 -s rr
-a -f 1279394683 -r 192.168.10.22:0 -g -w 1
-A -f 1279395083 -s rr
-a -f 1279395083 -r 192.168.10.22:0 -g -w 1
-A -f 1279395150 -s rr
-a -f 1279395150 -r 192.168.10.23:0 -g -w 1
-A -f 1279395220 -s rr
-a -f 1279395220 -r 192.168.10.23:0 -g -w 1
-A -f 1279398260 -s rr
-a -f 1279398260 -r 192.168.10.21:0 -g -w 1
-A -t 192.168.10.100:80 -s wrr
-a -t 192.168.10.100:80 -r 192.168.10.21:80 -g -w 3
-a -t 192.168.10.100:80 -r 192.168.10.22:80 -g -w 2
-a -t 192.168.10.100:80 -r 192.168.10.23:80 -g -w 1
-A -t 192.168.10.100:443 -s sh -b sh-port -p 600 -M 255.255.255.255
-a -t 192.168.10.100:443 -r 192.168.10.21:443 -g -w 1
-a -t 192.168.10.100:443 -r 192.168.10.22:443 -g -w 1
-a -t 192.168.10.100:443 -r 192.168.10.23:443 -g -w 1
LBCTL_EOF
# + file /etc/lbctl/nft-ip.nft  mode 0644
install -D -m 0644 /dev/stdin /etc/lbctl/nft-ip.nft <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
table ip lbctl
delete table ip lbctl
table ip lbctl {
	chain output {
		type route hook output priority mangle; policy accept;
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 61290 tcp dport 443 meta mark set 1279394082 comment "lbctl 27afa941 vip-path web-tls 192.168.10.21:443"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 61891 tcp dport 443 meta mark set 1279394683 comment "lbctl d613cfb3 vip-path web-tls 192.168.10.22:443"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 62291 tcp dport 80 meta mark set 1279395083 comment "lbctl 90043a02 vip-path web 192.168.10.22:80"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 62358 tcp dport 80 meta mark set 1279395150 comment "lbctl e2ac7b69 vip-path web 192.168.10.23:80"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 62428 tcp dport 443 meta mark set 1279395220 comment "lbctl eb2fc528 vip-path web-tls 192.168.10.23:443"
		ip saddr 192.168.10.10 ip daddr 192.168.10.100 tcp sport 65468 tcp dport 80 meta mark set 1279398260 comment "lbctl fe96bd43 vip-path web 192.168.10.21:80"
	}
}
LBCTL_EOF
# + file /etc/modules-load.d/lbctl.conf  mode 0644
install -D -m 0644 /dev/stdin /etc/modules-load.d/lbctl.conf <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
ip_vs
ip_vs_rr
ip_vs_sh
ip_vs_wrr
LBCTL_EOF
# + file /etc/sysctl.d/90-lbctl.conf  mode 0644
install -D -m 0644 /dev/stdin /etc/sysctl.d/90-lbctl.conf <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
net.ipv4.conf.eth0.accept_local = 1
net.ipv4.conf.eth0.rp_filter = 2
net.ipv4.vs.expire_nodest_conn = 1
net.ipv4.vs.expire_quiescent_template = 1
LBCTL_EOF
# + file /etc/systemd/system/lbctl.service  mode 0644
install -D -m 0644 /dev/stdin /etc/systemd/system/lbctl.service <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
[Unit]
Description=lbctl: restore load-balancing state (tunnels, VIPs, routes, SNAT, IPVS) at boot
After=network-online.target systemd-modules-load.service systemd-sysctl.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
StandardInput=file:/etc/ipvsadm.rules
ExecStart=ip addr replace 192.168.10.100/32 dev eth0
ExecStart=ip route replace default via 192.168.10.1
ExecStart=nft -f /etc/lbctl/nft-ip.nft
ExecStart=ipvsadm-restore

[Install]
WantedBy=multi-user.target
LBCTL_EOF
# > reload boot  systemctl enable lbctl.service
systemctl enable lbctl.service

# lbctl plan for host web1: 8 to create, 0 to update, 0 to delete, 1 to run
# + sysctl net.ipv4.conf.all.arp_announce = 2
sysctl -q -w net.ipv4.conf.all.arp_announce=2
# + sysctl net.ipv4.conf.all.arp_ignore = 1
sysctl -q -w net.ipv4.conf.all.arp_ignore=1
# + sysctl net.ipv4.conf.eth0.arp_announce = 2
sysctl -q -w net.ipv4.conf.eth0.arp_announce=2
# + sysctl net.ipv4.conf.eth0.arp_ignore = 1
sysctl -q -w net.ipv4.conf.eth0.arp_ignore=1
# + address lo 192.168.10.100/32
ip addr add 192.168.10.100/32 dev lo
# + route inet default  via 192.168.10.1
ip route replace default via 192.168.10.1
# + file /etc/sysctl.d/90-lbctl.conf  mode 0644
install -D -m 0644 /dev/stdin /etc/sysctl.d/90-lbctl.conf <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
net.ipv4.conf.all.arp_announce = 2
net.ipv4.conf.all.arp_ignore = 1
net.ipv4.conf.eth0.arp_announce = 2
net.ipv4.conf.eth0.arp_ignore = 1
LBCTL_EOF
# + file /etc/systemd/system/lbctl.service  mode 0644
install -D -m 0644 /dev/stdin /etc/systemd/system/lbctl.service <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
[Unit]
Description=lbctl: restore load-balancing state (tunnels, VIPs, routes, SNAT, IPVS) at boot
After=network-online.target systemd-modules-load.service systemd-sysctl.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=ip addr replace 192.168.10.100/32 dev lo
ExecStart=ip route replace default via 192.168.10.1

[Install]
WantedBy=multi-user.target
LBCTL_EOF
# > reload boot  systemctl enable lbctl.service
systemctl enable lbctl.service

# lbctl plan for host web2: 8 to create, 0 to update, 0 to delete, 1 to run
# + sysctl net.ipv4.conf.all.arp_announce = 2
sysctl -q -w net.ipv4.conf.all.arp_announce=2
# + sysctl net.ipv4.conf.all.arp_ignore = 1
sysctl -q -w net.ipv4.conf.all.arp_ignore=1
# + sysctl net.ipv4.conf.eth0.arp_announce = 2
sysctl -q -w net.ipv4.conf.eth0.arp_announce=2
# + sysctl net.ipv4.conf.eth0.arp_ignore = 1
sysctl -q -w net.ipv4.conf.eth0.arp_ignore=1
# + address lo 192.168.10.100/32
ip addr add 192.168.10.100/32 dev lo
# + route inet default  via 192.168.10.1
ip route replace default via 192.168.10.1
# + file /etc/sysctl.d/90-lbctl.conf  mode 0644
install -D -m 0644 /dev/stdin /etc/sysctl.d/90-lbctl.conf <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
net.ipv4.conf.all.arp_announce = 2
net.ipv4.conf.all.arp_ignore = 1
net.ipv4.conf.eth0.arp_announce = 2
net.ipv4.conf.eth0.arp_ignore = 1
LBCTL_EOF
# + file /etc/systemd/system/lbctl.service  mode 0644
install -D -m 0644 /dev/stdin /etc/systemd/system/lbctl.service <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
[Unit]
Description=lbctl: restore load-balancing state (tunnels, VIPs, routes, SNAT, IPVS) at boot
After=network-online.target systemd-modules-load.service systemd-sysctl.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=ip addr replace 192.168.10.100/32 dev lo
ExecStart=ip route replace default via 192.168.10.1

[Install]
WantedBy=multi-user.target
LBCTL_EOF
# > reload boot  systemctl enable lbctl.service
systemctl enable lbctl.service

# lbctl plan for host web3: 8 to create, 0 to update, 0 to delete, 1 to run
# + sysctl net.ipv4.conf.all.arp_announce = 2
sysctl -q -w net.ipv4.conf.all.arp_announce=2
# + sysctl net.ipv4.conf.all.arp_ignore = 1
sysctl -q -w net.ipv4.conf.all.arp_ignore=1
# + sysctl net.ipv4.conf.eth0.arp_announce = 2
sysctl -q -w net.ipv4.conf.eth0.arp_announce=2
# + sysctl net.ipv4.conf.eth0.arp_ignore = 1
sysctl -q -w net.ipv4.conf.eth0.arp_ignore=1
# + address lo 192.168.10.100/32
ip addr add 192.168.10.100/32 dev lo
# + route inet default  via 192.168.10.1
ip route replace default via 192.168.10.1
# + file /etc/sysctl.d/90-lbctl.conf  mode 0644
install -D -m 0644 /dev/stdin /etc/sysctl.d/90-lbctl.conf <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
net.ipv4.conf.all.arp_announce = 2
net.ipv4.conf.all.arp_ignore = 1
net.ipv4.conf.eth0.arp_announce = 2
net.ipv4.conf.eth0.arp_ignore = 1
LBCTL_EOF
# + file /etc/systemd/system/lbctl.service  mode 0644
install -D -m 0644 /dev/stdin /etc/systemd/system/lbctl.service <<'LBCTL_EOF'
# generated by lbctl: do not edit, changes are overwritten
[Unit]
Description=lbctl: restore load-balancing state (tunnels, VIPs, routes, SNAT, IPVS) at boot
After=network-online.target systemd-modules-load.service systemd-sysctl.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=ip addr replace 192.168.10.100/32 dev lo
ExecStart=ip route replace default via 192.168.10.1

[Install]
WantedBy=multi-user.target
LBCTL_EOF
# > reload boot  systemctl enable lbctl.service
systemctl enable lbctl.service

# lbctl plan for host client: 0 to create, 0 to update, 0 to delete
