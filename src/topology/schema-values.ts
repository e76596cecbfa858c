// The topology schema's values and patterns, without zod: the schema (schema.ts) and the hand check of common
// documents (schema-quick.ts) both take them from here, so the two cannot disagree on what a name or a path is.

/** The apiVersion this build of lbctl reads. */
export const API_VERSION = 'lbctl/v1';

/** Every IPVS scheduler the kernel ships. */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;

/** Forwarding methods: NAT (-m), direct routing (-g), ipip tunnel (-i), FullNAT (NAT + SNAT). */
export const METHODS = ['nat', 'dr', 'tun', 'fullnat'] as const;

/** Director high availability: every director announces the VIP by OSPF (ecmp), or one holds it by VRRP (vrrp). */
export const HA_MODES = ['ecmp', 'vrrp'] as const;

/** Routing-daemon configuration styles: quagga per-daemon files or FRR's integrated frr.conf. */
export const FLAVOURS = ['quagga', 'frr'] as const;

/** Role hints for people and labs; lbctl derives what a host needs from the services, except `router`, which turns on IP forwarding. */
export const ROLES = ['director', 'real-server', 'router', 'anycast', 'client', 'dns'] as const;

/** Check kinds: connect, fetch, resolve, datagram exchange, ping, or a command of the operator's. */
export const CHECK_KINDS = ['tcp', 'http', 'https', 'dns', 'udp', 'icmp', 'exec'] as const;

/** HTTP methods an http(s) check may send. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'] as const;

/** DNS record types a dns check may ask for. */
export const DNS_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT'] as const;

/** DNS response codes a dns check may expect. */
export const DNS_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

/** Transport protocols of a service. */
export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

/** What the agent does to a failing real server: weight 0 (connections finish) or removal. */
export const ON_FAILURE = ['weight0', 'remove'] as const;

/** What a name (of a host, service, network, ...) may be. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/** What a network interface's name may be (and it is neither "." nor ".."). */
export const IFNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/** An IPv4 address as a dotted quad (its numbers are checked by the address parser). */
export const DOTTED_QUAD = /^\d+\.\d+\.\d+\.\d+$/;

/** A word of a command an operator gives (reload, exec checks): run without a shell. */
export const COMMAND_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A duration written as text: a number with "ms" or "s". */
export const DURATION_TEXT = /^\d+(\.\d+)?(ms|s)$/;

/** Bytes a udp check sends or expects: printable ASCII. */
export const PAYLOAD = /^[ -~]{1,512}$/;

/** An HTTP check's request path. */
export const HTTP_PATH = /^\/[!-~]*$/;

/** An HTTP check's Host header: a DNS name, optionally with :port. */
export const HTTP_HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/** An https check's TLS server name. */
export const SNI_NAME = /^[A-Za-z0-9.-]{1,253}$/;

/** A body's SHA-256 in lowercase hex. */
export const DIGEST = /^[0-9a-f]{64}$/;

/** The name a dns check asks for. */
export const DNS_QUERY_NAME = /^([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?$/;
