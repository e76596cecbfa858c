#!/bin/busybox sh
# lbctl VM stage 1 (/init of the initramfs): loads the modules the root filesystem needs,
# mounts the host's / (9p, read-only) under a tmpfs overlay and switch_roots into the
# guest init named by lbctl.init= on the kernel command line.
/bin/busybox --install -s /bin

die() {
  echo "lbctl-vm initramfs: $*"
  exit 1 # init exiting panics the kernel: the runner reports a guest panic with this log
}

for module in /modules/*.ko; do
  insmod "$module" || die "insmod $module failed"
done

mount -t proc proc /proc || die "cannot mount /proc"
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    lbctl.init=*) guest_init="${arg#*=}" ;;
  esac
done
umount /proc
[ -n "$guest_init" ] || die "no lbctl.init= on the kernel command line"

mkdir -p /lower /overlay /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /lower \
  || die "cannot mount the host root (9p tag hostroot)"
mount -t tmpfs -o mode=0755 overlay /overlay || die "cannot mount the overlay tmpfs"
mkdir -p /overlay/upper /overlay/work
mount -t overlay -o lowerdir=/lower,upperdir=/overlay/upper,workdir=/overlay/work overlay /newroot \
  || die "cannot mount the overlay root"

exec switch_root /newroot /bin/sh "$guest_init"
