/**
 * Runs the commands being compared in turn (A B A B ..., or A B C A B C ... for more), so that a
 * slow minute of the machine lands on every subject alike instead of on whichever ran then.
 */

/**
 * `subjects`: [{ key, run: async () => sample }], a sample being at least { ms }. `signal` stops
 * the runs between two samples.
 * `warmup` rounds are run and thrown away first: the first run pays for cold page cache,
 * a cold Docker image and lazily started engine parts, which no later run pays.
 * Returns a Map from key to its measured samples, in run order.
 */
export async function alternate(subjects, { runs, warmup = 1, onSample, signal } = {}) {
  // Checked between samples: a stopped benchmark ends after the command in flight, never mid-copy.
  for (let round = 0; round < warmup; round++) {
    for (const subject of subjects) {
      signal?.throwIfAborted();
      await subject.run();
    }
  }
  const samples = new Map(subjects.map((s) => [s.key, []]));
  for (let round = 0; round < runs; round++) {
    for (const subject of subjects) {
      signal?.throwIfAborted();
      const sample = await subject.run();
      samples.get(subject.key).push(sample);
      onSample?.(subject.key, round + 1, runs, sample);
    }
  }
  return samples;
}
