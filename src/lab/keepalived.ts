// keepalived for a lab's VRRP directors: one instance per director, in the director's network namespace and in
// private mount and PID namespaces (as FRR, see frr.ts): tmpfs hides /run, so the machine's own keepalived PID files
// are never touched, and killing the recorded unshare ends the instance. Only VRRP runs (--vrrp): IPVS is lbctl's.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KEEPALIVED_CONF } from '../desired/vrrp.js';
import type { HostState } from '../model/state.js';
import { logTail, spawnDetached, stopVerified, waitReady, privateInstance } from './daemon.js';
import { labDir } from './names.js';
import type { LabHost } from './plan.js';

/** A keepalived instance a lab started: `pid` is the unshare process outside its PID namespace. */
export interface LabKeepalived {
  host: string;
  pid: number;
}

const keepalivedLog = (lab: string, host: string) => join(labDir(lab), host, 'keepalived.log');

// PID 1 of the new PID namespace: $1 the host's rendered config dir, bound onto /etc/keepalived before tmpfs hides
// /run (where the lab dir lives). keepalived stays in the foreground, logging to this script's output.
const SCRIPT = `set -eu
mount --bind "$1" ${dirname(KEEPALIVED_CONF)}
mount -t tmpfs -o mode=0755 lbctl-keepalived /run
exec keepalived --dont-fork --log-console --log-detail --vrrp --use-file ${KEEPALIVED_CONF} --pid /run/keepalived.pid --vrrp_pid /run/vrrp.pid
`;

/** The command that runs one director's instance (its config dir, below the lab dir, marks it as this lab's). */
export function keepalivedCommand(lab: string, host: LabHost): string[] {
  const confDir = join(labDir(lab), host.name, dirname(KEEPALIVED_CONF));
  return [...privateInstance(host.namespace), 'sh', '-c', SCRIPT, 'lbctl-keepalived', confDir];
}

/** The lab hosts whose desired state has a keepalived.conf (VRRP directors). */
export function keepalivedHosts(hosts: LabHost[], desired: Map<string, HostState>): LabHost[] {
  return hosts.filter((h) => desired.get(h.name)?.files.some((f) => f.path === KEEPALIVED_CONF));
}

/** Starts one director's keepalived in the background (record it at once; then wait with keepalivedReady). */
export async function launchKeepalived(lab: string, host: LabHost): Promise<LabKeepalived> {
  return { host: host.name, pid: await spawnDetached(keepalivedCommand(lab, host), keepalivedLog(lab, host.name)) };
}

/** Waits until the instance has taken a VRRP state (backup or master); throws with its log's tail when it fails. */
export async function keepalivedReady(lab: string, k: LabKeepalived): Promise<void> {
  const log = keepalivedLog(lab, k.host);
  const ready = async () => /Entering (BACKUP|MASTER) STATE/.test(await readFile(log, 'utf8').catch(() => ''));
  if (await waitReady(k.pid, ready, 15_000)) return;
  throw new Error(`keepalived for ${k.host} did not start (log ${log}):\n${await logTail(log)}`);
}

/** Stops an instance by killing its unshare (only while that PID is still this lab's); true when it ran. */
export function stopKeepalived(lab: string, k: LabKeepalived): Promise<boolean> {
  return stopVerified(k.pid, `${labDir(lab)}/`, 'SIGKILL');
}
