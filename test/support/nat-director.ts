// A director and two NAT real servers on one LAN (the real servers route through the director): the hosts of the
// agent's unit tests, under services of the test's own.

/** The topology text: these hosts, then `services` (YAML at the top level, starting with "services:"). */
export function natDirector(services: string): string {
  return `apiVersion: lbctl/v1
networks: { lan: 192.168.10.0/24 }
hosts:
  director: { interfaces: { eth0: { network: lan, address: 192.168.10.10/24 } } }
  web1: { interfaces: { eth0: { network: lan, address: 192.168.10.21/24 } }, gateway: 192.168.10.10 }
  web2: { interfaces: { eth0: { network: lan, address: 192.168.10.22/24 } }, gateway: 192.168.10.10 }
${services}`;
}
