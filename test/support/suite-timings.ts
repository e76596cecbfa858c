// A vitest reporter that ends `npm test` with how long each test folder and file took (wall clock, start to end of
// each file), slowest first, so a run that crept toward CI's time limit shows where the time went.
import { dirname, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** One finished test file: where it is and how long it ran. */
interface FileTiming {
  file: string;
  ms: number;
  state: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).padStart(7)} s`;

/** Prints a per-folder, per-file wall-time summary after the default reporter's own. */
export default class SuiteTimings implements Reporter {
  private readonly started = new Map<string, number>();
  private readonly files: FileTiming[] = [];
  private runStarted = Date.now();

  onTestRunStart(): void {
    this.runStarted = Date.now();
  }

  onTestModuleStart(module: TestModule): void {
    this.started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const start = this.started.get(module.moduleId) ?? this.runStarted;
    this.files.push({ file: relative(process.cwd(), module.moduleId), ms: Date.now() - start, state: module.state() });
  }

  onTestRunEnd(): void {
    const folders = new Map<string, FileTiming[]>();
    for (const timing of this.files) folders.set(dirname(timing.file), [...(folders.get(dirname(timing.file)) ?? []), timing]);
    const total = (list: readonly FileTiming[]) => list.reduce((sum, t) => sum + t.ms, 0);
    const lines = [...folders]
      .sort(([, a], [, b]) => total(b) - total(a))
      .flatMap(([folder, list]) => [
        `${seconds(total(list))}  ${folder}/ (${list.length} file${list.length === 1 ? '' : 's'})`,
        ...list
          .sort((a, b) => b.ms - a.ms)
          .map((t) => `${seconds(t.ms)}    ${t.file.slice(folder.length + 1)}${t.state === 'passed' ? '' : ` (${t.state})`}`),
      ]);
    console.log(
      `\nTime per test folder and file (wall clock; files run in parallel, so they add up to more than the run):\n${lines.join('\n')}\n${seconds(Date.now() - this.runStarted)}  whole run\n`,
    );
  }
}
