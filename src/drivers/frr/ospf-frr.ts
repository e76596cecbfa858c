// Renders the frr flavour: FRR's integrated frr.conf (applied by `vtysh -b`; OSPFv2 and OSPFv3 in one file) and the
// /etc/frr/daemons file.
import type { OspfConfig } from '../../model/routing.js';
import { renderFrrDaemons } from './frr-daemons.js';
import { bfdBlock, fileText, hasOspf6, LINE_VTY, ospfBlocks, preamble, type OspfDialect } from './ospf-common.js';

/** The FRR dialect: passive and OSPFv3 area in the interface block; ospfd takes every command, ospf6d has no LSA throttle. */
export const FRR_DIALECT: OspfDialect = {
  name: 'frr',
  passive: 'interface',
  area6: 'interface',
  routerId6: 'ospf6 router-id',
  refuse: (command, daemon) =>
    daemon === 'ospf6d' && command.startsWith('timers throttle lsa ') ? "FRR's ospf6d has no LSA throttle timer" : undefined,
};

/**
 * Renders frr.conf and /etc/frr/daemons for one host: zebra and ospfd running, ospf6d too when the host has IPv6
 * prefixes, bfdd when an interface uses BFD.
 */
export function renderFrr(cfg: OspfConfig): { frrConf: string; daemons: string } {
  const bfd = bfdBlock(cfg);
  const blocks = ospfBlocks(cfg, FRR_DIALECT, ['ospfd', 'ospf6d']);
  const daemons = ['ospfd', ...(hasOspf6(cfg) ? ['ospf6d'] : []), ...(bfd.length > 0 ? ['bfdd'] : [])];
  return {
    frrConf: fileText('!', ['frr defaults traditional', ...preamble(cfg), ...blocks, ...bfd, ...LINE_VTY]),
    daemons: renderFrrDaemons(new Set(daemons)),
  };
}
