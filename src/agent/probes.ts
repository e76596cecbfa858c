// The probe runner of the agent: each check kind to its checker. icmp and exec run commands through the Host port.
import type { ProbeOutcome, ProbeRunner } from '../health/schedule.js';
import type { WatchedProbe } from '../health/watch.js';
import type { Runner } from '../host/port.js';
import { probeHttp } from './probe-http.js';
import { probeTcp } from './probe-tcp.js';
import { probeDns, probeUdp } from './probe-udp.js';

/** Runs argv under timeout(1) so that a hung command is killed at the check's timeout. */
async function probeCommand(runner: Runner, argv: readonly string[], timeoutMs: number): Promise<ProbeOutcome> {
  const r = await runner.run(['timeout', '-k', '1', `${timeoutMs / 1000}`, ...argv]);
  if (r.exitCode === 0) return { passed: true, detail: 'exit 0' };
  const why = r.exitCode === 124 ? 'timed out' : `exit ${r.exitCode}`;
  return { passed: false, detail: `${why}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}` };
}

/** The probe runner: sockets in this process, commands through `runner`. */
export function probeRunner(runner: Runner): ProbeRunner<WatchedProbe> {
  return (probe, signal) => {
    const { check } = probe;
    const to = probe.via ?? { address: check.address, port: check.port };
    switch (check.kind) {
      case 'tcp':
        return probeTcp(to, signal);
      case 'http':
      case 'https':
        return probeHttp(check, to, signal);
      case 'dns':
        return probeDns(check, to, signal);
      case 'udp':
        return probeUdp(check, to, signal);
      case 'icmp':
        return probeCommand(
          runner,
          ['ping', '-n', '-q', '-c', '1', '-W', `${Math.max(1, Math.ceil(check.timeoutMs / 1000))}`, check.address],
          check.timeoutMs,
        );
      case 'exec':
        return probeCommand(runner, check.exec!.command, check.timeoutMs);
    }
  };
}
