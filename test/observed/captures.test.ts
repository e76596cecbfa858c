import { describe, expect, it } from 'vitest';
import { CAPTURE_COMMANDS, CAPTURE_FILES, type CaptureName, capturedFilePath, observedFromCaptures } from '../../src/observed/captures.js';
import { emptyHostState } from '../../src/model/state.js';
import { fixture } from './fixtures.js';

const ALL = {
  ipvs: fixture('ipvsadm-save/hand-tunnels.txt'),
  addr: fixture('netns/ip-addr.json'),
  link: fixture('netns/hand-tunl0-link.json'),
  route4: fixture('netns/ip-route.json'),
  route6: fixture('netns/ip-route6.json'),
  sysctl: fixture('netns/sysctl.txt'),
  modules: fixture('netns/hand-modules.txt'),
  nft: fixture('netns/nft.json'),
};

describe('the capture layout', () => {
  it('names one file and one command per section', () => {
    const layout = (Object.keys(CAPTURE_FILES) as CaptureName[]).map(
      (name) => `${CAPTURE_FILES[name]} <- ${CAPTURE_COMMANDS[name].join(' ')}`,
    );
    expect(layout).toEqual([
      'ipvsadm-save.txt <- ipvsadm-save -n',
      'ipvsadm-thresholds.txt <- ipvsadm -Ln --thresholds',
      'ip-addr.json <- ip -j addr show',
      'ip-link.json <- ip -j -d link show',
      'ip-route.json <- ip -j -4 route show',
      'ip-route6.json <- ip -j -6 route show',
      'sysctl.txt <- sysctl -a',
      'modules.txt <- cat /proc/modules',
      'nft.json <- nft -j list ruleset',
      'ipvsadm-daemon.txt <- ipvsadm -L --daemon',
    ]);
  });

  it('stores managed files under files/ by their absolute path', () => {
    expect(capturedFilePath('/etc/frr/ospfd.conf')).toBe('files/etc/frr/ospfd.conf');
  });
});

describe('observedFromCaptures', () => {
  it('gives an empty state and one warning per file when nothing was captured', () => {
    const { state, warnings } = observedFromCaptures('lb1', {});
    expect(state).toEqual(emptyHostState('lb1'));
    expect(warnings).toEqual([
      'ipvsadm-save.txt is missing: observed state has no ipvs section',
      'ip-addr.json is missing: observed state has no addr section',
      'ip-link.json is missing: observed state has no link section',
      'ip-route.json is missing: observed state has no route4 section',
      'ip-route6.json is missing: observed state has no route6 section',
      'sysctl.txt is missing: observed state has no sysctl section',
      'modules.txt is missing: observed state has no modules section',
      'nft.json is missing: observed state has no nft section',
    ]);
  });

  it('fills every section from the captures', () => {
    const { state, warnings } = observedFromCaptures('lb1', ALL, {
      '/etc/sysctl.d/60-lbctl.conf': { content: 'net.ipv4.ip_forward = 1\n' },
      '/etc/frr/ospfd.conf': { content: 'router ospf\n', mode: 0o640 },
    });
    expect(state.host).toBe('lb1');
    expect(state.links).toEqual([{ name: 'tunl0', kind: 'ipip', up: true, mtu: 1480 }]);
    expect(state.addresses).toHaveLength(7);
    expect(state.addresses[0]).toEqual({ device: 'lo', cidr: '10.0.0.100/32' });
    expect(state.routes).toEqual([
      { family: 'inet', destination: '198.51.100.0/24', via: '192.0.2.1' },
      { family: 'inet', destination: '203.0.113.7/32', via: '192.0.2.1' },
      { family: 'inet', destination: 'default', via: '192.0.2.1' },
      { family: 'inet6', destination: '2001:db8:aaaa::/48', via: '2001:db8:0:1::1' },
      { family: 'inet6', destination: 'default', via: '2001:db8:0:1::1' },
    ]);
    expect(state.sysctls['net.ipv4.conf.all.arp_announce']).toBe('2');
    expect(state.modules).toContain('ip_vs');
    expect(state.ipvs.map((s) => s.destinations.length)).toEqual([1, 1, 4]);
    expect(state.nft.map((t) => `${t.family} ${t.rules.length}`)).toEqual(['ip 3', 'ip6 1']);
    expect(state.files).toEqual([
      { path: '/etc/frr/ospfd.conf', content: 'router ospf\n', mode: 0o640 },
      { path: '/etc/sysctl.d/60-lbctl.conf', content: 'net.ipv4.ip_forward = 1\n', mode: 0o644 },
    ]);
    expect(state.reloads).toEqual([]);
    expect(warnings).toEqual([
      'ipvsadm-save.txt line 2: --tun-type gue (lbctl models ipip tunnels only): -a -t 10.0.0.102:80 -r 192.168.50.10:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum',
      'ipvsadm-save.txt line 3: --tun-type gue (lbctl models ipip tunnels only): -a -t 10.0.0.102:80 -r 192.168.50.11:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum',
      'ipvsadm-save.txt line 4: --tun-type gre (lbctl models ipip tunnels only): -a -t 10.0.0.102:80 -r 192.168.50.12:80 -i -w 1 --tun-type gre --tun-csum',
      'ipvsadm-thresholds.txt is missing: real-server thresholds (-x/-y) are not compared',
    ]);
  });

  it('leaves non-ipip devices out of links (lbctl manages tunl0 only)', () => {
    expect(observedFromCaptures('lb1', { link: fixture('netns/ip-link.json') }).state.links).toEqual([]);
  });

  it('lets a garbled capture fail loudly', () => {
    expect(() => observedFromCaptures('lb1', { ipvs: fixture('ipvsadm-save/hand-garbled.txt') })).toThrow(/^ipvsadm-save: line 3: /);
  });
});
