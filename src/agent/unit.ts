// The systemd unit of the agent: Type=notify (readiness via systemd-notify, hence NotifyAccess=all), restarted
// on failure; a restart reads the kernel and the state file before any change, so it never flushes.

/** The unit file text for host `host` reading `topology`, run by the lbctl at `lbctl` (absolute paths). */
export function agentUnit(topology: string, host: string, lbctl: string): string {
  return `[Unit]
Description=lbctl agent: health checks and anycast for ${host}
After=network-online.target ipvsadm.service frr.service
Wants=network-online.target

[Service]
Type=notify
NotifyAccess=all
ExecStart=${lbctl} agent ${topology} --host ${host} --metrics 127.0.0.1:9469
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=1

[Install]
WantedBy=multi-user.target
`;
}
