// keepalived keywords lbctl's topology cannot express yet, and why: each is reported, never dropped silently.

const CHECK =
  'health checks come with a later lbctl issue: keepalived takes a failing real server out (or sets its weight 0), lbctl keeps it in';
const CHECK_SETTING = 'a health-check setting: health checks come with a later lbctl issue';
const SORRY = 'sorry servers come with a later lbctl issue (keepalived adds one only when the quorum is lost)';
const QUORUM = 'quorum, hysteresis and alpha/omega come with the health-check issue';
const NOTIFY = 'notification scripts and alert mails have no lbctl equivalent';
const HA = 'director high availability (VRRP) comes with a later lbctl issue';
const SYNC = 'IPVS connection synchronisation (the sync daemon) comes with director high availability';

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

/** Timing keys a checker inherits from its real server, which inherits them from its virtual server (validate_check_config). */
export const INHERITED_TIMING = ['connect_timeout', 'retry', 'delay_before_retry', 'delay_loop', 'warmup'];

/** Timing keys of a checker block, under the name its real server and virtual server use (nb_get_retry is the old retry). */
export const CHECK_TIMING = new Map([
  ...INHERITED_TIMING.map((k): [string, string] => [k, k]),
  ['nb_get_retry', 'retry'],
  ['connect_port', 'connect_port'],
]);

/** virtual_server keywords that are not imported. */
export const VS_NOT_IMPORTED = new Map<string, string>([
  ...['delay_loop', 'connect_timeout', 'retry', 'delay_before_retry', 'warmup', 'inhibit_on_failure', 'virtualhost'].map(
    (k): [string, string] => [k, CHECK_SETTING],
  ),
  ...['sorry_server', 'sorry_server_inhibit', 'sorry_server_lvs_method'].map((k): [string, string] => [k, SORRY]),
  ...['alpha', 'omega', 'quorum', 'hysteresis'].map((k): [string, string] => [k, QUORUM]),
  ...['quorum_up', 'quorum_down', 'smtp_alert'].map((k): [string, string] => [k, NOTIFY]),
  ['ha_suspend', 'keepalived adds this service only while the host holds its VIP (VRRP master): lbctl always sets it up'],
  ['persistence_engine', 'IPVS persistence engines (--pe) are not modelled by lbctl'],
  ['snmp_name', 'SNMP has no lbctl equivalent'],
]);

/** real_server keywords that are not imported (checkers apart). */
export const RS_NOT_IMPORTED = new Map<string, string>([
  ...['connect_timeout', 'retry', 'delay_before_retry', 'warmup', 'delay_loop', 'inhibit_on_failure', 'alpha', 'virtualhost'].map(
    (k): [string, string] => [k, CHECK_SETTING],
  ),
  ...['notify_up', 'notify_down', 'smtp_alert'].map((k): [string, string] => [k, NOTIFY]),
  ['snmp_name', 'SNMP has no lbctl equivalent'],
]);

/** Top-level blocks and keywords that are not imported, by keyword. */
export const TOP_NOT_IMPORTED = new Map<string, string>([
  ['vrrp_instance', HA],
  ['vrrp_sync_group', HA],
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
  ['SSL', 'the SSL context of SSL_GET checks: health checks come with a later lbctl issue'],
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
