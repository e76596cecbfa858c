// Port numbers of well-known service names: what to suggest when a file says `port: http`.

/** Ports by lowercase service name (the names of /etc/services that load balancers most often front). */
const PORTS: ReadonlyMap<string, number> = new Map([
  ['ftp', 21],
  ['ssh', 22],
  ['telnet', 23],
  ['smtp', 25],
  ['dns', 53],
  ['domain', 53],
  ['http', 80],
  ['www', 80],
  ['kerberos', 88],
  ['pop3', 110],
  ['ntp', 123],
  ['imap', 143],
  ['snmp', 161],
  ['bgp', 179],
  ['ldap', 389],
  ['https', 443],
  ['smtps', 465],
  ['syslog', 514],
  ['submission', 587],
  ['ldaps', 636],
  ['imaps', 993],
  ['pop3s', 995],
  ['mysql', 3306],
  ['rdp', 3389],
  ['sip', 5060],
  ['postgres', 5432],
  ['postgresql', 5432],
  ['redis', 6379],
  ['http-alt', 8080],
  ['https-alt', 8443],
  ['memcached', 11211],
  ['mongodb', 27017],
]);

/** The port number a service name stands for ("http" → 80, any case), or undefined when it is not a known name. */
export function wellKnownPort(name: string): number | undefined {
  return PORTS.get(name.toLowerCase());
}
