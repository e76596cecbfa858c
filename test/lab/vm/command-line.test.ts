// The runner VM's qemu command line and job script, without booting anything.
import { describe, expect, it } from 'vitest';
import { renderJobScript } from '../../../src/lab/vm/job-script.js';
import { qemuArgs, type VmMachine } from '../../../src/lab/vm/qemu-args.js';

const machine: VmMachine = {
  vmlinux: '/cache/vmlinux',
  initramfs: '/cache/initramfs.cpio',
  params: { init: '/repo/src/lab/vm/guest-init.sh', run: '/tmp/run' },
  shares: [
    { tag: 'hostroot', path: '/', readonly: true },
    { tag: 'results', path: '/tmp/a,b', readonly: false },
  ],
  memoryMb: 512,
  jobStdout: '/tmp/run/stdout.sock',
  jobStderr: '/tmp/run/stderr.sock',
};

const after = (args: string[], flag: string) => args.filter((_, i) => args[i - 1] === flag);

describe('qemuArgs', () => {
  const args = qemuArgs(machine);

  it('uses TCG and qboot, never KVM', () => {
    expect(after(args, '-accel')).toEqual(['tcg,thread=multi']);
    expect(args.join(' ')).not.toMatch(/kvm/);
    expect(after(args, '-bios')).toEqual(['/usr/share/qemu/qboot.rom']);
  });

  it('passes lbctl.* parameters after the fixed kernel arguments', () => {
    expect(after(args, '-append')).toEqual([
      'console=ttyS0 quiet panic=-1 mitigations=off lbctl.init=/repo/src/lab/vm/guest-init.sh lbctl.run=/tmp/run',
    ]);
  });

  it('exports shares over 9p, read-only when asked, escaping commas', () => {
    expect(after(args, '-virtfs')).toEqual([
      'local,path=/,mount_tag=hostroot,security_model=none,multidevs=remap,readonly=on',
      'local,path=/tmp/a,,b,mount_tag=results,security_model=none,multidevs=remap',
    ]);
  });

  it('wires the console and the job streams to serial ports, and isa-debug-exit', () => {
    expect(after(args, '-serial')).toEqual(['chardev:console', 'chardev:jobout', 'chardev:joberr']);
    expect(after(args, '-device')).toEqual(['isa-debug-exit,iobase=0xf4,iosize=0x04']);
  });

  it('rejects kernel parameters with spaces', () => {
    expect(() => qemuArgs({ ...machine, params: { run: '/tmp/a b' } })).toThrow(/without spaces/);
  });
});

describe('renderJobScript', () => {
  it('quotes the words that need it and execs the command in cwd', () => {
    expect(renderJobScript({ command: ['printf', "it's %s\n", '$HOME'], cwd: '/work/my dir', env: { A_B: 'x y' } })).toBe(
      `export A_B='x y'\ncd '/work/my dir' || exit 125\nexec printf 'it'\\''s %s\n' '$HOME'\n`,
    );
  });

  it('rejects an empty command and bad variable names', () => {
    expect(() => renderJobScript({ command: [], cwd: '/', env: {} })).toThrow(/empty command/);
    expect(() => renderJobScript({ command: ['true'], cwd: '/', env: { 'A-B': '1' } })).toThrow(/invalid environment/);
  });
});
