#!/usr/bin/env bash
# Builds lbctl_VERSION_all.deb (`npm run deb`; optional argument: the output directory, default dist/). The package
# holds the `npm pack` tarball's contents under /usr/lib/lbctl (the bundle and its run-time libraries), /usr/bin/lbctl,
# the agent's systemd template unit (lbctl-agent@HOST.service, reading /etc/lbctl/topology.yaml), bash/zsh/fish
# completion and the lbctl(1) manual page, all written by the packaged lbctl itself run with the system's node.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lbctl-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

version=$(node -p "require('$root/package.json').version")
description=$(node -p "require('$root/package.json').description")
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}

# The tarball npm would install (its prepare script builds first).
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
stage=$work/stage
mkdir -p "$stage/usr/lib/lbctl" "$stage/usr/bin"
tar -xzf "$work/$tarball" -C "$stage/usr/lib/lbctl" --strip-components=1 --no-same-owner
ln -s ../lib/lbctl/bin/lbctl "$stage/usr/bin/lbctl"
lbctl=(/usr/bin/env PATH=/usr/bin:/bin node "$stage/usr/lib/lbctl/bin/lbctl")

install -d "$stage/usr/share/bash-completion/completions" "$stage/usr/share/zsh/vendor-completions" \
  "$stage/usr/share/fish/vendor_completions.d" "$stage/usr/share/man/man1" "$stage/usr/lib/systemd/system" \
  "$stage/usr/share/doc/lbctl"
"${lbctl[@]}" completion bash >"$stage/usr/share/bash-completion/completions/lbctl"
"${lbctl[@]}" completion zsh >"$stage/usr/share/zsh/vendor-completions/_lbctl"
"${lbctl[@]}" completion fish >"$stage/usr/share/fish/vendor_completions.d/lbctl.fish"
"${lbctl[@]}" man | gzip -9n >"$stage/usr/share/man/man1/lbctl.1.gz"
# The unit names the lbctl that printed it; as installed, that is /usr/bin/lbctl.
"${lbctl[@]}" agent /etc/lbctl/topology.yaml --host %i --print-unit |
  sed "s|$stage/usr/lib/lbctl/bin/lbctl|/usr/bin/lbctl|" >"$stage/usr/lib/systemd/system/lbctl-agent@.service"
{
  echo 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'
  echo 'Upstream-Name: lbctl'
  echo
  echo 'Files: *'
  echo 'License: MIT'
  sed 's/^$/./; s/^/ /' "$root/LICENSE"
} >"$stage/usr/share/doc/lbctl/copyright"
find "$stage" -type d -exec chmod 755 {} + && find "$stage" -type f -exec chmod go-w {} +

mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: lbctl
Version: $version
Architecture: all
Maintainer: The lbctl authors <lbctl@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: nodejs (>= 20), ipvsadm, iproute2
Recommends: frr, nftables
Section: net
Priority: optional
Description: $description
 lbctl validates a load-balancing topology (one YAML file), computes what every
 host must have (IPVS services, loopback VIPs, tunnels, SNAT, OSPF anycast),
 shows the difference as a plan and applies it; its agent runs health checks.
CONTROL
deb="$out/lbctl_${version}_all.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
