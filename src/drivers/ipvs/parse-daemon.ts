// Parses `ipvsadm -L --daemon`: one line per running connection sync daemon, e.g.
// "master sync daemon (mcast=eth0, syncid=1)" (newer ipvsadm add ", maxlen=..., group=..." before the parenthesis closes).
import type { SyncDaemon } from '../../model/state.js';

const LINE = /^(master|backup) sync daemon \(mcast=([^,)\s]+), syncid=(\d+)[,)]/;

/** The sync daemons running, sorted by role; lines of another shape are ignored. */
export function parseIpvsadmDaemon(text: string): SyncDaemon[] {
  return text
    .split('\n')
    .flatMap((line): SyncDaemon[] => {
      const m = LINE.exec(line.trim());
      return m ? [{ role: m[1] as SyncDaemon['role'], interface: m[2] ?? '', syncId: Number(m[3]) }] : [];
    })
    .sort((a, b) => a.role.localeCompare(b.role));
}
