// keepalived keywords lbctl's topology cannot express yet, and why: each is reported, never dropped silently.
import { ADVERT_INT } from '../../desired/vrrp.js';

const CHECK = 'a checker lbctl has no check kind for (lbctl: tcp, http, https, dns, udp, icmp, exec): lbctl does not run it';
const ALPHA = "lbctl's agent trusts real servers as up until a check fails (keepalived's default, without alpha)";
const OMEGA = 'lbctl leaves the IPVS table as it is when the agent stops (keepalived with omega clears it and runs quorum_down)';
const WARMUP = 'lbctl starts each check at a random phase within its interval';
const NOTIFY = 'notification scripts and alert mails have no lbctl equivalent';
const HA = "VRRP tracking and ARP settings: lbctl's VRRP instances (ha: vrrp) follow only the other director's adverts";
/** Why a vrrp_instance holding no VIP of an imported service is not imported. */
export const VRRP_WITHOUT_VIP = 'it holds no VIP of an imported virtual server: lbctl runs VRRP only for the VIPs of `ha: vrrp` services';
/** What becomes of the sync daemon keywords when the file has a VRRP VIP (they are noted as not imported otherwise). */
export const SYNC_IMPORTED =
  "every `ha: vrrp` director runs both IPVS sync daemons (master and backup) on the interface of the VIP's network, sync id = the virtual_router_id lbctl gives";
const SYNC = 'IPVS connection synchronisation: lbctl runs it for `ha: vrrp` services, and no VRRP address here is a VIP';

/** Health checkers a real server may hold. */
export const CHECKERS = new Set([
  'HTTP_GET',
  'SSL_GET',
  'TCP_CHECK',
  'SMTP_CHECK',
  'DNS_CHECK',
  'MISC_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'FILE_CHECK',
  'BFD_CHECK',
  'track_file',
]);

/** Keys a checker inherits from its real server, which inherits them from its virtual server (validate_check_config). */
export const INHERITED_TIMING = ['connect_timeout', 'retry', 'delay_before_retry', 'delay_loop', 'warmup'];

/** Timing keys of a checker block, under the name its real server and virtual server use (nb_get_retry is the old retry). */
export const CHECK_TIMING = new Map([
  ...INHERITED_TIMING.map((k): [string, string] => [k, k]),
  ['nb_get_retry', 'retry'],
  ['connect_port', 'connect_port'],
]);

/** Checker defaults other than delay_loop 60 s and connect_timeout 5 s: retries, and the delay before each (undefined: delay_loop). */
export function CHECK_DEFAULTS_OF(checker: string): { retry: number; delayBeforeRetry: number | undefined } {
  if (checker === 'DNS_CHECK') return { retry: 3, delayBeforeRetry: undefined };
  if (checker === 'MISC_CHECK') return { retry: 0, delayBeforeRetry: 1 };
  return { retry: 1, delayBeforeRetry: checker === 'HTTP_GET' || checker === 'SSL_GET' ? 3 : 1 };
}

/** DNS_CHECK types lbctl's dns check asks for too (keepalived also has RRSIG and DNSKEY). */
export const DNS_TYPES_OF_KEEPALIVED = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'];

/** Keywords inside an importable checker (or its url) that lbctl has no equivalent for, and why. */
export const CHECKER_KEYWORD_REASON = new Map<string, string>([
  ...['bindto', 'bind_port', 'bind_if', 'fwmark'].map((k): [string, string] => [
    k,
    "lbctl's checks leave from the director's own address and port, unmarked",
  ]),
  ['warmup', WARMUP],
  ['alpha', ALPHA],
  ['log_all_failures', 'logging: the agent reports every health change as an event'],
  ['http_protocol', 'lbctl sends HTTP/1.1 requests'],
  ['fast_recovery', 'lbctl brings a server back after `rise` passes (1, as keepalived)'],
  ['tls_compliant', 'lbctl closes TLS connections its own way'],
  ...['regex_no_match', 'regex_options', 'regex_min_offset', 'regex_max_offset', 'regex_stack'].map((k): [string, string] => [
    k,
    "lbctl's body check is one JavaScript regular expression that must match",
  ]),
  ['misc_dynamic', "lbctl's exec check passes or fails: the exit code does not set the weight"],
  ['user', "lbctl runs exec checks as the agent's user"],
]);

/** virtual_server keywords that are not imported. */
export const VS_NOT_IMPORTED = new Map<string, string>([
  ['warmup', WARMUP],
  ['alpha', ALPHA],
  ['omega', OMEGA],
  ['sorry_server_inhibit', 'lbctl adds the sorry server when needed and removes it after (no weight-0 sorry server)'],
  ['sorry_server_lvs_method', "lbctl forwards to the sorry server with the service's method"],
  ...['quorum_up', 'quorum_down', 'smtp_alert'].map((k): [string, string] => [k, NOTIFY]),
  ['ha_suspend', 'keepalived adds this service only while the host holds its VIP (VRRP master): lbctl always sets it up'],
  ['persistence_engine', 'IPVS persistence engines (--pe) are not modelled by lbctl'],
  ['snmp_name', 'SNMP has no lbctl equivalent'],
]);

/** real_server keywords that are not imported (checkers apart). */
export const RS_NOT_IMPORTED = new Map<string, string>([
  ['warmup', WARMUP],
  ['alpha', ALPHA],
  ...['notify_up', 'notify_down', 'smtp_alert'].map((k): [string, string] => [k, NOTIFY]),
  ['snmp_name', 'SNMP has no lbctl equivalent'],
]);

/** Top-level blocks and keywords that are not imported, by keyword. */
export const TOP_NOT_IMPORTED = new Map<string, string>([
  ['vrrp_instance', VRRP_WITHOUT_VIP],
  [
    'vrrp_sync_group',
    'lbctl runs one VRRP instance per VIP and groups none: with every director BACKUP and nopreempt, the VIPs move together when a director fails',
  ],
  ['vrrp_script', HA],
  ['vrrp_track_process', HA],
  ['vrrp_track_file', HA],
  ['garp_group', HA],
  ['static_ipaddress', 'static addresses and routes: lbctl manages VIPs and routes from the topology'],
  ['static_routes', 'static addresses and routes: lbctl manages VIPs and routes from the topology'],
  ['static_rules', 'policy routing rules have no lbctl equivalent'],
  ['global_defs', 'global settings (router id, notification mail, scripts) have no lbctl equivalent'],
  ['linkbeat_interfaces', 'interface tracking comes with director high availability'],
  ['bfd_instance', CHECK],
  ['track_file', CHECK],
  ['SSL', "the SSL context of SSL_GET checks: lbctl's https checks present no client certificate and verify nothing by default"],
  ['net_namespace', 'keepalived runs in a network namespace: lbctl configures the host it runs on'],
  ['instance', 'keepalived instance names have no lbctl equivalent'],
]);

/** Keywords inside global_defs or vrrp_instance that concern IPVS, reported on their own line. */
export const LVS_IN_OTHER_BLOCKS = new Map<string, string>([
  ['lvs_sync_daemon', SYNC],
  ['lvs_sync_daemon_interface', SYNC],
  ['lvs_timeouts', 'IPVS connection timeouts (ipvsadm --set) are not managed by lbctl'],
  ['lvs_flush', 'lbctl never flushes the IPVS table: it changes only what differs'],
  ['lvs_flush_onstop', 'lbctl never flushes the IPVS table: it changes only what differs'],
  ['lvs_id', 'global settings (router id, notification mail, scripts) have no lbctl equivalent'],
]);

/** Why a checker block is not imported, with its timing keys. */
export const CHECKER_REASON = CHECK;

const ROLE = "lbctl starts every director BACKUP with nopreempt; priorities follow the service's `directors:` order (150, 140, ...)";

/** vrrp_instance keywords of an instance whose VIPs are imported (`ha: vrrp`): how lbctl's own instance differs. */
export const VRRP_INSTANCE_NOTES = new Map<string, { kind: 'not-imported' | 'adjusted'; message: string }>([
  ...['state', 'priority', 'nopreempt', 'preempt_delay'].map((k): [string, { kind: 'adjusted'; message: string }] => [
    k,
    { kind: 'adjusted', message: ROLE },
  ]),
  ['virtual_router_id', { kind: 'adjusted', message: "lbctl numbers its VRRP instances itself: 1 + the VIP's index among VRRP VIPs" }],
  ['advert_int', { kind: 'adjusted', message: `lbctl advertises every ${ADVERT_INT} s (VRRPv3): a backup takes over in under 1 s` }],
  ['version', { kind: 'adjusted', message: 'lbctl runs VRRPv3' }],
  ['authentication', { kind: 'not-imported', message: 'VRRPv3, which lbctl runs, has no authentication' }],
  [
    'unicast_peer',
    {
      kind: 'adjusted',
      message: "lbctl sends unicast adverts between the directors' addresses on the VIP's network (list the peers in `directors:`)",
    },
  ],
  ['unicast_src_ip', { kind: 'adjusted', message: "lbctl sends from the director's address on the VIP's network" }],
]);

/** Why a vrrp_instance keyword without an entry above is not imported. */
export const VRRP_OTHER = HA;
