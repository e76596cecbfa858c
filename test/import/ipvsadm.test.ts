import { describe, expect, it } from 'vitest';
import { importIpvsadm } from '../../src/import/ipvsadm.js';
import { parseServicesFile } from '../../src/import/services-file.js';
import { SourceError } from '../../src/import/source-error.js';
import { draftTopology, DIRECTOR } from '../../src/import/topology-text.js';
import { desiredStates } from '../../src/desired/desired.js';
import { rulesText as ipvsadmRules } from '../../src/drivers/ipvs/rules.js';
import { observedFromCaptures } from '../../src/observed/captures.js';
import { planHost } from '../../src/plan/plan.js';
import { loadTopology } from '../../src/topology/load.js';
import { fixture } from '../observed/fixtures.js';

const NO_SERVICES = parseServicesFile('');

/** Imports a dump, checks the topology validates, and plans the director against the same dump. */
function roundTrip(name: string, text: string) {
  const draft = draftTopology(importIpvsadm(name, text, NO_SERVICES), `Imported from ${name}`);
  const loaded = loadTopology('imported.yaml', draft.yaml);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const desired = desiredStates(loaded.topology!).get(DIRECTOR)!;
  const plan = planHost(desired, observedFromCaptures(DIRECTOR, { ipvs: text }).state);
  return { draft, plan, ipvs: plan.changes.filter((c) => c.kind === 'ipvs-service' || c.kind === 'ipvs-destination') };
}

describe('import ipvsadm: the plan of the imported topology against the same dump', () => {
  it('is empty for a table the topology can express (real-dr-nat-tun.txt, captured on a kernel with IPVS)', () => {
    const { ipvs, plan } = roundTrip('real-dr-nat-tun.txt', fixture('ipvsadm-save/real-dr-nat-tun.txt'));
    expect(ipvs).toEqual([]);
    expect(plan.unmanaged).toEqual([]);
  });

  it.each(['real-all-options.txt', 'hand-all-options.txt', 'hand-tunnels.txt'])(
    '%s: changes and unmanaged services only where the report says why',
    (name) => {
      const { ipvs, plan, draft } = roundTrip(name, fixture(`ipvsadm-save/${name}`));
      const explained = (key: string) =>
        draft.notes.some((n) => n.keyword !== undefined && (key === n.keyword || key.startsWith(`${n.keyword} `)));
      expect(ipvs.map((c) => c.key).filter((k) => !explained(k))).toEqual([]);
      expect(plan.unmanaged.map((u) => u.key).filter((k) => !explained(k))).toEqual([]);
    },
  );

  it('reports what the topology cannot hold: services without real servers, mixed methods, NAT one-packet, gue/gre tunnels', () => {
    const { draft, ipvs } = roundTrip('real-all-options.txt', fixture('ipvsadm-save/real-all-options.txt'));
    const text = draft.notes.map((n) => `${n.kind} ${n.keyword ?? ''}: ${n.message}`).join('\n');
    expect(text).toContain('not-imported tcp 192.0.2.4:80: a service without real servers');
    expect(text).toContain('adjusted tcp 192.0.2.1:80: real server 198.51.100.1:80 uses DR (-g) but lbctl sets one method per service');
    expect(text).toContain('adjusted udp 192.0.2.1:53: one-packet scheduling dropped');
    expect(text).toMatch(/line 6: --tun-type gue/);
    expect(ipvs.length).toBeGreaterThan(0);
  });
});

describe('import ipvsadm: input forms', () => {
  const services = parseServicesFile('http\t\t80/tcp\t\twww\t# WorldWideWeb HTTP\ndomain\t\t53/udp\nhttps 443/tcp\n');
  const rules = (text: string) => ipvsadmRules(importIpvsadm('dump', text, services).services.map((s) => s.service));

  it('resolves service names of a dump made without -n through the services table', () => {
    expect(rules('-A -t 10.0.0.1:www -s rr\n-a -t 10.0.0.1:www -r 10.0.0.11:http -g -w 1\n-A -u [2001:db8::1]:domain -s rr\n')).toBe(
      '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.11:80 -g -w 1\n-A -u [2001:db8::1]:53 -s rr\n',
    );
  });

  it('skips comments and a leading "ipvsadm", as ipvsadm -R does', () => {
    expect(rules('# saved by hand\n\nipvsadm -A -t 10.0.0.1:80 -s wrr # the web VIP\n-a -t 10.0.0.1:80 -r 10.0.0.11:80 -m -w 2\n')).toBe(
      '-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 10.0.0.11:80 -m -w 2\n',
    );
  });

  it.each([
    ['-A -t www.example.com:http -s rr\n', 1, '"www.example.com" is a host name'],
    ['-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.11:gopher -g\n', 2, 'service name "gopher" is not in the services table'],
    [
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n',
      1,
      'this is an `ipvsadm -Ln` listing, not `ipvsadm-save -n` output',
    ],
    ['-A -t 10.0.0.1:80 -s rr\n-x\n', 2, 'unknown command "-x"'],
  ])('refuses %j at line %i', (text, line, reason) => {
    try {
      importIpvsadm('dump', text, services);
      expect.unreachable('no SourceError');
    } catch (err) {
      expect(err).toBeInstanceOf(SourceError);
      expect((err as SourceError).at).toEqual({ file: 'dump', line });
      expect((err as SourceError).reason).toContain(reason);
    }
  });
});

describe('/etc/services', () => {
  it('reads names and aliases per protocol; the first entry of a name wins', () => {
    const t = parseServicesFile('# comment\nhttp 80/tcp www www-http\nhttp 80/udp\nhttp 8080/tcp\nbad 99999/tcp\nnoport\n');
    expect([...t.entries()]).toEqual([
      ['http/tcp', 80],
      ['www/tcp', 80],
      ['www-http/tcp', 80],
      ['http/udp', 80],
    ]);
  });
});

describe('drafting what the topology cannot hold as it is', () => {
  const draft = (text: string) => {
    const d = draftTopology(importIpvsadm('dump', text, NO_SERVICES), 'test');
    expect(loadTopology('t.yaml', d.yaml).diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    return d;
  };

  it('keeps a real server once when two become the same with the service port (DR cannot map ports)', () => {
    const d = draft(
      '-A -f 7 -s rr\n-a -f 7 -r 10.0.0.1:0 -g -w 1\n-a -f 7 -r 10.0.0.1:80 -g -w 1\n-A -t 10.0.9.1:80 -s rr\n-a -t 10.0.9.1:80 -r 10.0.0.1:80 -g -w 1\n-a -t 10.0.9.1:80 -r 10.0.0.2:81 -m -w 1\n-a -t 10.0.9.1:80 -r 10.0.0.3:82 -g -w 1\n-a -t 10.0.9.1:80 -r 10.0.0.1:8080 -m -w 1\n',
    );
    expect(d.yaml).toContain('      - 10.0.0.1\n      - 10.0.0.1:80\n');
    expect(d.yaml).toContain('      - 10.0.0.1:80\n      - 10.0.0.2:80\n      - 10.0.0.3:80\n');
    expect(d.notes.map((n) => n.message)).toContain("real server 10.0.0.1:80 appears twice once its port is the service's: kept once");
    expect(d.notes.map((n) => n.message).filter((m) => m.includes('cannot map ports'))).toEqual([
      'real server 10.0.0.1:8080: DR cannot map ports, the kernel uses the service port 80',
      'real server 10.0.0.2:81: DR cannot map ports, the kernel uses the service port 80',
      'real server 10.0.0.3:82: DR cannot map ports, the kernel uses the service port 80',
    ]);
  });

  it('drops real servers of another address family (tunnelled ones IPVS allows), saying so', () => {
    const d = draft('-A -f 7 -s rr\n-a -f 7 -r 10.0.0.1:0 -i -w 1\n-a -f 7 -r [2001:db8::1]:0 -i -w 1\n');
    expect(d.notes.map((n) => n.message)).toContain(
      "real server [2001:db8::1]:0: a tunnelled real server of another address family; lbctl needs the service's family",
    );
  });
});
