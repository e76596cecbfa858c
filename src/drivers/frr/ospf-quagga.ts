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
// - OSPFv3 goes to ospf6d.conf in quagga's own syntax (ospf6d/ospf6_top.c, doc/ospf6d.texi): ` router-id X` and
//   ` interface IF area A` under `router ospf6`, `ipv6 ospf6 ...` in interface blocks. Quagga's ospf6d has no
//   maximum-paths, LSA timers or BFD either: refused the same way. FRR 8.4's ospf6d reads this file with two
//   differences: it takes `interface IF area A` only as deprecated (its vtysh parser, the checker, rejects it, so
//   ospf6d.conf is not checked) and it skips quagga's ` router-id X` (it wants `ospf6 router-id X`); the lab hands
//   FRR those lines in its own dialect through vtysh (src/lab/frr.ts).
import type { OspfConfig } from '../../model/routing.js';
import {
  fileText,
  hasOspf6,
  LINE_VTY,
  ospfBlocks,
  preamble,
  refusedCommands,
  type OspfDaemon,
  type OspfDialect,
  type RefusedCommand,
} from './ospf-common.js';

// Each reason names the daemon (ospfd or ospf6d) it is given for.
const REFUSALS: ReadonlyArray<{ pattern: RegExp; reason: (daemon: OspfDaemon) => string }> = [
  { pattern: /^maximum-paths /, reason: (d) => `quagga ${d} has no maximum-paths; its ECMP width is fixed at build time` },
  { pattern: /^timers throttle lsa /, reason: (d) => `quagga ${d} has no LSA throttle timer` },
  { pattern: /^timers lsa min-arrival /, reason: (d) => `quagga ${d} has no LSA min-arrival timer` },
  { pattern: /^ip ospf retransmit-interval [12]$/, reason: (d) => `quagga ${d} takes a retransmit-interval of 3-65535` },
  { pattern: /^ipv?6? ospf6? bfd/, reason: () => 'quagga has no BFD daemon; failover waits for the dead interval' },
];

/** The quagga dialect: passive via `passive-interface` (ospfd) or `ipv6 ospf6 passive`, FRR-only commands refused. */
export const QUAGGA_DIALECT: OspfDialect = {
  name: 'quagga',
  passive: 'router',
  area6: 'router',
  routerId6: 'router-id',
  refuse: (command, daemon) => REFUSALS.find((r) => r.pattern.test(command))?.reason(daemon),
};

/** Renders zebra.conf, ospfd.conf and, when the host has IPv6 prefixes, ospf6d.conf (quagga style) for one host. */
export function renderQuagga(cfg: OspfConfig): { zebra: string; ospfd: string; ospf6d?: string } {
  const head = preamble(cfg);
  const files = {
    zebra: fileText('!', [...head, ...LINE_VTY]),
    ospfd: fileText('!', [...head, ...ospfBlocks(cfg, QUAGGA_DIALECT), ...LINE_VTY]),
  };
  if (!hasOspf6(cfg)) return files;
  return { ...files, ospf6d: fileText('!', [...head, ...ospfBlocks(cfg, QUAGGA_DIALECT, ['ospf6d']), ...LINE_VTY]) };
}

/** The settings of cfg the quagga flavour leaves out (written only as comments), with the reason for each. */
export function quaggaRefused(cfg: OspfConfig): RefusedCommand[] {
  return refusedCommands(cfg, QUAGGA_DIALECT);
}
