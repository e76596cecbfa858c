// Renders the frr flavour: FRR's integrated frr.conf (applied by `vtysh -b`) and the /etc/frr/daemons file.
import type { OspfConfig } from '../../model/routing.js';
import { renderFrrDaemons } from './frr-daemons.js';
import { bfdBlock, fileText, LINE_VTY, ospfBlocks, preamble, type OspfDialect } from './ospf-common.js';

/** The FRR dialect: `ip ospf passive` in the interface block, every command accepted. */
export const FRR_DIALECT: OspfDialect = { name: 'frr', passive: 'interface', refuse: () => undefined };

/** Renders frr.conf and /etc/frr/daemons (zebra and ospfd running, bfdd too when an interface uses BFD) for one host. */
export function renderFrr(cfg: OspfConfig): { frrConf: string; daemons: string } {
  const bfd = bfdBlock(cfg);
  return {
    frrConf: fileText('!', ['frr defaults traditional', ...preamble(cfg), ...ospfBlocks(cfg, FRR_DIALECT), ...bfd, ...LINE_VTY]),
    daemons: renderFrrDaemons(new Set(bfd.length > 0 ? ['ospfd', 'bfdd'] : ['ospfd'])),
  };
}
