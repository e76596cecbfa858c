// A one-shot TCP connect probe run on a host lbctl reaches only by commands (a director over SSH or in a namespace):
// perl with IO::Socket::IP, both in Debian's Essential perl-base, so on every Debian/Ubuntu host without installing
// anything. The connection binds a given source address and port (a VIP path's, which lbctl's nft rule marks) and is
// reset, not closed: closed with a FIN, the port would wait in TIME_WAIT and the next probe could not use it.

/** The probe's program: argv after it is FROM SPORT TO PORT TIMEOUT_S; exit 0 connected, 1 not (the reason on stderr). */
const PROGRAM = [
  'use IO::Socket::IP; use Socket qw(SOL_SOCKET SO_LINGER);',
  'my ($from, $sport, $to, $port, $wait) = @ARGV;',
  'my $s = IO::Socket::IP->new(LocalHost => $from, LocalPort => $sport, PeerHost => $to, PeerPort => $port,',
  '  Proto => "tcp", Timeout => $wait, ReuseAddr => 1) or do { print STDERR "$@\\n"; exit 1 };',
  'setsockopt($s, SOL_SOCKET, SO_LINGER, pack("ii", 1, 0)); close $s; exit 0;',
].join('\n');

/** Where a connect probe goes from and to. */
export interface ConnectProbe {
  source: string;
  sourcePort: number;
  address: string;
  port: number;
  timeoutMs: number;
}

/** The command line that connects once as `probe` says. */
export function connectArgv(probe: ConnectProbe): string[] {
  const seconds = String(probe.timeoutMs / 1000);
  return ['perl', '-e', PROGRAM, probe.source, String(probe.sourcePort), probe.address, String(probe.port), seconds];
}

/** A connect probe's outcome: connected, not (why), or no perl to run it. */
export type ConnectOutcome = { kind: 'connected' } | { kind: 'failed'; reason: string } | { kind: 'no-perl' };

/** Reads a connect probe's exit status (127: the shell or SSH found no perl; 2: perl lacks IO::Socket::IP). */
export function connectOutcome(result: { exitCode: number; stderr: string }): ConnectOutcome {
  if (result.exitCode === 0) return { kind: 'connected' };
  if (result.exitCode === 127 || result.exitCode === 2) return { kind: 'no-perl' };
  return { kind: 'failed', reason: result.stderr.trim() || `perl exited ${result.exitCode}` };
}
