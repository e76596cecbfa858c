import { describe, expect, it } from 'vitest';
import { parseSysctl } from '../../../src/drivers/sysctl/parse.js';
import { fixture } from '../../observed/fixtures.js';

describe('parseSysctl', () => {
  const values = parseSysctl(fixture('netns/sysctl.txt'));

  it('reads every line of real sysctl -a output', () => {
    expect(Object.keys(values)).toHaveLength(fixture('netns/sysctl.txt').trimEnd().split('\n').length);
  });

  it('reads the values lbctl manages, as set in the namespace', () => {
    expect({
      forward: values['net.ipv4.ip_forward'],
      allIgnore: values['net.ipv4.conf.all.arp_ignore'],
      allAnnounce: values['net.ipv4.conf.all.arp_announce'],
      loIgnore: values['net.ipv4.conf.lo.arp_ignore'],
      defaultIgnore: values['net.ipv4.conf.default.arp_ignore'],
      allRp: values['net.ipv4.conf.all.rp_filter'],
      v0Rp: values['net.ipv4.conf.v0.rp_filter'],
    }).toEqual({ forward: '1', allIgnore: '1', allAnnounce: '2', loIgnore: '1', defaultIgnore: '0', allRp: '0', v0Rp: '2' });
  });

  it('collapses tabs between values to single spaces and keeps empty values', () => {
    expect(values['net.ipv4.tcp_rmem']).toBe('4096 131072 33554432');
    expect(values['net.ipv4.ip_local_port_range']).toBe('32768 60999');
    expect(values['net.ipv4.ip_local_reserved_ports']).toBe('');
  });

  it('ignores the "sysctl: ..." lines sysctl -a writes to stderr', () => {
    const text = [
      "sysctl: permission denied on key 'fs.protected_hardlinks'",
      'net.ipv4.ip_forward = 0',
      'sysctl: reading key "net.ipv6.conf.all.stable_secret"',
      'vm.swappiness = 60',
    ].join('\n');
    expect(parseSysctl(text)).toEqual({ 'net.ipv4.ip_forward': '0', 'vm.swappiness': '60' });
  });

  it('keeps each line of a multi-line value, and keys that look like Object properties', () => {
    const text =
      'dev.cdrom.info = CD-ROM information, Id: cdrom.c 3.20 2003/12/17\ndev.cdrom.info = \ndev.cdrom.info = drive name:\t\tsr0\n__proto__ = 1\n';
    const parsed = parseSysctl(text);
    expect(parsed['dev.cdrom.info']).toBe('CD-ROM information, Id: cdrom.c 3.20 2003/12/17\n\ndrive name: sr0');
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe('1');
  });

  it('rejects a line that is not "key = value", naming it', () => {
    expect(() => parseSysctl('net.ipv4.ip_forward = 1\nnet.ipv4.ip_forward: 1\n')).toThrow(
      'sysctl -a: line 2: expected "key = value": net.ipv4.ip_forward: 1',
    );
  });
});
