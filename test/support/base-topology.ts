// A valid topology that tests of the validator break one snippet at a time.
import { expect } from 'vitest';

/** A valid topology: a DR service (director → rs1 on lan), a NAT one (director → rs2 on priv) and an anycast group. */
export const BASE = `apiVersion: lbctl/v1
networks:
  lan: 192.168.10.0/24
  priv: 10.0.0.0/24
hosts:
  director:
    interfaces:
      eth0: { network: lan, address: 192.168.10.10/24 }
      eth1: { network: priv, address: 10.0.0.1/24 }
    routing: { routerId: 1.1.1.1 }
  rs1:
    interfaces:
      eth0: { network: lan, address: 192.168.10.21/24 }
    routing: { routerId: 2.2.2.2 }
  rs2:
    interfaces:
      eth0: { network: priv, address: 10.0.0.12/24 }
    gateway: 10.0.0.1
services:
  web:
    vip: 192.168.10.100
    port: 80
    method: dr
    directors: [director]
    realServers: [rs1]
  app:
    vip: 192.168.10.100
    port: 8000
    method: nat
    directors: [director]
    realServers: ["rs2:9000"]
anycast:
  dns: { prefix: 6.6.6.6/32, nodes: [rs1] }
`;

/** Replaces one exact snippet of BASE; fails loudly when the snippet is not there. */
export function variant(from: string, to: string): string {
  expect(BASE.includes(from), `BASE contains ${from}`).toBe(true);
  return BASE.replace(from, to);
}
