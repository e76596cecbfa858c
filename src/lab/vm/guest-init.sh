#!/bin/sh
# lbctl VM stage 2 (PID 1 after switch_root, the host's own /bin/sh): prepares a minimal
# system on the overlay root, runs the job written by the runner and reports its exit code
# (file exit-code in the run share, then port 0xf4 so qemu exits with (rc<<1)|1).
set -u

die() {
  echo "lbctl-vm guest init: $*"
  exit 1 # PID 1 exiting panics the kernel: the runner reports a guest panic with this log
}

arg() { # value of lbctl.NAME= on the kernel command line
  for word in $(cat /proc/cmdline); do
    case "$word" in
      "lbctl.$1="*) echo "${word#*=}"; return ;;
    esac
  done
}

mount -t proc proc /proc || die "cannot mount /proc"
mount -t sysfs sysfs /sys || die "cannot mount /sys"
mount -t devtmpfs devtmpfs /dev || die "cannot mount /dev"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# devtmpfs has no /dev/fd or /dev/std* (udev makes them on a booted system); vtysh -C -f /dev/stdin needs them.
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
# /tmp stays the overlay's (writable, host files visible): a tmpfs there would hide host paths
# under /tmp (a cache in LBCTL_VM_CACHE=/tmp/..., a job's cwd or script) and break "same paths".
mount -t tmpfs -o mode=0755 tmpfs /run

modules_dir=/lib/modules/$(uname -r)
mkdir -p "$modules_dir"
mount --bind "$(arg modules)" "$modules_dir" || die "cannot bind the kernel modules"

share() { # mount the read-write 9p share TAG at PATH (the same path as on the host)
  mkdir -p "$2" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 "$1" "$2" \
    || die "cannot mount the 9p share $1 at $2"
}
run_dir=$(arg run)
share lbctlrun "$run_dir"
results_dir=$(arg results)
[ -z "$results_dir" ] || share results "$results_dir"

hostname lbctl-vm
ip link set lo up

for tty in /dev/ttyS1 /dev/ttyS2; do
  stty -F "$tty" raw -echo
done
: >"$run_dir/started" # the runner's sign that the boot is over
sh "$run_dir/job.sh" </dev/null >/dev/ttyS1 2>/dev/ttyS2
rc=$?

echo "$rc" >"$run_dir/exit-code"
sync
printf "\\$(printf '%03o' "$rc")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
die "writing the exit code to port 0xf4 did not stop the VM"
