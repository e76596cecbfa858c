// The qemu-system-x86_64 command line of a runner VM.

/** A host directory exported to the guest over virtio 9p. */
export interface Share {
  tag: string;
  path: string;
  readonly: boolean;
}

/** Everything that varies between two VM boots. */
export interface VmMachine {
  vmlinux: string;
  initramfs: string;
  /** lbctl.NAME=VALUE kernel parameters read by the guest's init scripts. */
  params: Readonly<Record<string, string>>;
  shares: readonly Share[];
  memoryMb: number;
  /** Unix sockets (listened on by the runner) that the guest's ttyS1 (job stdout) and ttyS2 (job stderr) write to. */
  jobStdout: string;
  jobStderr: string;
}

/** Fixed kernel arguments: serial console, no chatter, reboot (so qemu exits) at once on panic. */
export const KERNEL_ARGS = ['console=ttyS0', 'quiet', 'panic=-1', 'mitigations=off'] as const;

function kernelCommandLine(params: VmMachine['params']): string {
  const extra = Object.entries(params).map(([name, value]) => {
    if (/\s/.test(value) || value === '')
      throw new Error(`lbctl VM runner: kernel parameter lbctl.${name} must be non-empty without spaces: ${JSON.stringify(value)}`);
    return `lbctl.${name}=${value}`;
  });
  return [...KERNEL_ARGS, ...extra].join(' ');
}

/** Escapes a value for a qemu comma-separated option list. */
function optionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

function virtfs(share: Share): string[] {
  const options = ['local', `path=${optionValue(share.path)}`, `mount_tag=${share.tag}`, 'security_model=none', 'multidevs=remap'];
  return ['-virtfs', [...options, ...(share.readonly ? ['readonly=on'] : [])].join(',')];
}

/** Arguments for qemu-system-x86_64: TCG (never KVM: this host's KVM is PVM), qboot + PVH ELF kernel, serial ports, 9p shares, isa-debug-exit. */
export function qemuArgs(vm: VmMachine): string[] {
  return [
    '-accel',
    'tcg,thread=multi',
    '-cpu',
    'max',
    '-machine',
    'q35',
    '-m',
    String(vm.memoryMb),
    '-smp',
    '2',
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-bios',
    '/usr/share/qemu/qboot.rom',
    '-kernel',
    vm.vmlinux,
    '-initrd',
    vm.initramfs,
    '-append',
    kernelCommandLine(vm.params),
    '-chardev',
    'stdio,id=console,signal=off',
    '-serial',
    'chardev:console',
    '-chardev',
    `socket,id=jobout,path=${optionValue(vm.jobStdout)}`,
    '-serial',
    'chardev:jobout',
    '-chardev',
    `socket,id=joberr,path=${optionValue(vm.jobStderr)}`,
    '-serial',
    'chardev:joberr',
    '-device',
    'isa-debug-exit,iobase=0xf4,iosize=0x04',
    ...vm.shares.flatMap(virtfs),
  ];
}
