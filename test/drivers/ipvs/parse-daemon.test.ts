import { describe, expect, it } from 'vitest';
import { parseIpvsadmDaemon } from '../../../src/drivers/ipvs/parse-daemon.js';

describe('ipvsadm -L --daemon', () => {
  it.each([
    ['nothing running', '', []],
    [
      'both roles, backup sorted first',
      'master sync daemon (mcast=eth0, syncid=1)\nbackup sync daemon (mcast=eth0, syncid=1)\n',
      [
        { role: 'backup', interface: 'eth0', syncId: 1 },
        { role: 'master', interface: 'eth0', syncId: 1 },
      ],
    ],
    [
      'newer ipvsadm with extra fields',
      'master sync daemon (mcast=ens3, syncid=51, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n',
      [{ role: 'master', interface: 'ens3', syncId: 51 }],
    ],
    ['lines of another shape ignored', 'Memory allocation problem\n', []],
  ])('%s', (_name, text, expected) => {
    expect(parseIpvsadmDaemon(text)).toEqual(expected);
  });
});
