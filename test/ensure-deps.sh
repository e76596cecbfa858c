#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real, only when missing, so a fresh
# machine and CI run the same suite. Needs root for apt-get.
set -euo pipefail
need=()
want() { command -v "$2" >/dev/null 2>&1 || need+=("$1"); }   # want PACKAGE COMMAND
want frr vtysh                # FRR's parser and daemons (routing configs, anycast lab)
want keepalived keepalived    # VRRP of ha: vrrp directors, and its parser (keepalived -t)
want iproute2 ip              # namespaces, addresses, routes
want nftables nft             # FullNAT's SNAT table
want util-linux unshare       # private mount/PID namespaces for FRR in labs
want kmod modprobe            # apply's preflight asks modprobe about ip_vs
want ipvsadm ipvsadm          # apply's tools on directors
want busybox-static busybox   # httpd on lab real servers
want curl curl                # lab traffic checks
want dnsmasq-base dnsmasq     # DNS server on anycast lab nodes
want dnsutils dig             # DNS queries in the anycast lab
want ruby ruby                # test/vagrant evaluates the Vagrantfile
want openssh-server sshd      # the fleet tests: an sshd per lab namespace (never this machine's own)
want openssh-client ssh       # lbctl reaches hosts with OpenSSH's client
want sudo sudo                # the fleet tests: a sudo that asks for a password is refused
want zsh zsh                  # lbctl completion zsh is loaded and asked
want fish fish                # lbctl completion fish is loaded and asked
want man-db man               # lbctl man's page is rendered by man
if [ "${LBCTL_VM_TESTS:-1}" != 0 ]; then
  want qemu-system-x86 qemu-system-x86_64   # the VM runner (Debian's kernel has IPVS)
  want cpio cpio
  want xz-utils xz
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "tests need these Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
