// Bounded parallelism for work on many hosts.

/** Runs `work` over `items`, at most `parallel` at once, starting none once `stop()` is true. */
export async function eachBounded<T>(
  items: readonly T[],
  parallel: number,
  work: (item: T, index: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, worker));
}

/** Maps `items` through `work`, at most `parallel` at once; results (or errors) in the order of `items`. */
export async function mapBounded<T, R>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out = new Array<PromiseSettledResult<R>>(items.length);
  await eachBounded(items, parallel, async (item, i) => {
    out[i] = await work(item).then(
      (value) => ({ status: 'fulfilled', value }),
      (reason: unknown) => ({ status: 'rejected', reason }),
    );
  });
  return out;
}
