// Reload on a change of the topology file. The folder is watched, not the file: a file replaced by a rename (sed -i,
// most editors, Ansible's template module) is a new inode, and a watch on the old one never fires again.
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Calls `changed` once per burst of changes to `file` (one `settleMs` after the last event); returns the stop function. */
export function watchFileChanges(file: string, changed: () => void, settleMs = 100): () => void {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(file), (_event, filename) => {
    // Linux names the file; a platform that does not (null) is taken to mean it may be ours.
    if (filename !== null && filename !== name) return;
    clearTimeout(timer);
    timer = setTimeout(changed, settleMs);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
