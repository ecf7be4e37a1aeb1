// The load and flood tests keep a fixed number of requests in flight.
/** Runs `task(0)` … `task(count - 1)` with at most `width` at once; results in index order. */
export async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>) {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}
