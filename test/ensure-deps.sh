#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (FRR, iproute2, nftables, and dnsmasq
# and dig for the seed 004 anycast lab),
# only when missing, so a fresh machine and CI run the same suite. Needs root for apt-get.
set -euo pipefail
need=()
command -v vtysh >/dev/null 2>&1 || need+=(frr)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v ruby >/dev/null 2>&1 || need+=(ruby)   # test/vagrant evaluates the Vagrantfile
command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
command -v dig >/dev/null 2>&1 || need+=(dnsutils)
if [ "${LBCTL_VM_TESTS:-0}" = 1 ]; then
  for p in qemu-system-x86:qemu-system-x86_64 busybox-static:busybox cpio:cpio kmod:depmod ipvsadm:ipvsadm curl:curl; do
    command -v "${p#*:}" >/dev/null 2>&1 || need+=("${p%%:*}")
  done
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
