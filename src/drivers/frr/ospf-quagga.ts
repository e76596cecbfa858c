// Renders the quagga flavour: per-daemon zebra.conf and ospfd.conf, as quagga wrote them.
//
// Who reads these files: real quagga hosts, and FRR (Debian 12 has no quagga package) started per daemon, which
// reads zebra.conf/ospfd.conf itself. The same text must load in both, so this flavour writes only what genuine
// quagga's ospfd accepts, and FRR accepts all of that:
// - Quagga's vty_read_file() stops the daemon (exit 1) at the first line it does not know, so a line quagga lacks
//   is not a harmless extra: it takes the host's OSPF down.
// - Quagga (ospf_vty.c, doc/ospfd.texi) has no `maximum-paths` (its ECMP width is fixed when it is built), no
//   `timers throttle lsa all`, no `timers lsa min-arrival`, and takes `ip ospf retransmit-interval` only from 3.
//   Such commands are written as `!` comments that name the command and the reason, and `quaggaRefused()` lists
//   them, so the plan can warn. For those settings choose the frr flavour.
// - Quagga has no `ip ospf passive`; a passive interface becomes `passive-interface NAME` under router ospf. FRR 8.4
//   accepts that (and turns it into `ip ospf passive`, logging a deprecation warning).
import type { OspfConfig } from '../../model/routing.js';
import { fileText, LINE_VTY, ospfBlocks, preamble, refusedCommands, type OspfDialect, type RefusedCommand } from './ospf-common.js';

const REFUSALS: ReadonlyArray<{ pattern: RegExp; reason: string }> = [
  { pattern: /^maximum-paths /, reason: 'quagga ospfd has no maximum-paths; its ECMP width is fixed at build time' },
  { pattern: /^timers throttle lsa /, reason: 'quagga ospfd has no LSA throttle timer' },
  { pattern: /^timers lsa min-arrival /, reason: 'quagga ospfd has no LSA min-arrival timer' },
  { pattern: /^ip ospf retransmit-interval [12]$/, reason: 'quagga ospfd takes a retransmit-interval of 3-65535' },
  { pattern: /^ip ospf bfd/, reason: 'quagga has no BFD daemon; failover waits for the dead interval' },
];

/** The quagga dialect: passive via `passive-interface`, FRR-only commands refused. */
export const QUAGGA_DIALECT: OspfDialect = {
  name: 'quagga',
  passive: 'router',
  refuse: (command) => REFUSALS.find((r) => r.pattern.test(command))?.reason,
};

/** Renders zebra.conf and ospfd.conf (quagga style) for one host. */
export function renderQuagga(cfg: OspfConfig): { zebra: string; ospfd: string } {
  const head = preamble(cfg);
  return {
    zebra: fileText('!', [...head, ...LINE_VTY]),
    ospfd: fileText('!', [...head, ...ospfBlocks(cfg, QUAGGA_DIALECT), ...LINE_VTY]),
  };
}

/** The settings of cfg the quagga flavour leaves out (written only as comments), with the reason for each. */
export function quaggaRefused(cfg: OspfConfig): RefusedCommand[] {
  return refusedCommands(cfg, QUAGGA_DIALECT);
}
