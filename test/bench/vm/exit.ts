// How a VM bench script ends: what its main resolves to is the exit code; a throw prints its stack and exits 70.

/** Runs `main` and sets the process's exit code from it. */
export function exitWith(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : String(err));
      process.exitCode = 70;
    },
  );
}
