// sysctl settings written from typed values: the commands that set and read one, and the sysctl.d file.

/** The command line that sets one kernel parameter. */
export function sysctlWriteArgv(key: string, value: string): string[] {
  return sysctlWriteManyArgv([[key, value]]);
}

/** The command line that sets these parameters in order; sysctl goes on past one it cannot set, and then exits non-zero. */
export function sysctlWriteManyArgv(entries: readonly (readonly [string, string])[]): string[] {
  return ['sysctl', '-q', '-w', ...entries.map(([key, value]) => `${key}=${value}`)];
}

/** The command line that prints one kernel parameter's value alone. */
export function sysctlReadArgv(key: string): string[] {
  return ['sysctl', '-n', key];
}

/** The command line that prints these parameters as "key = value" lines, skipping any the kernel does not have. */
export function sysctlReadManyArgv(keys: readonly string[]): string[] {
  return ['sysctl', '-e', ...keys];
}

/** The lines of a sysctl.d file setting these parameters ("key = value"), as systemd-sysctl reads them. */
export function sysctlConfText(entries: readonly (readonly [string, string])[]): string {
  return entries.map(([k, v]) => `${k} = ${v}\n`).join('');
}
