/** A benchmark figure over several runs: operations per second, rounded to integers. */
export type Stats = { median: number; min: number; max: number };

/** One benchmark's result: rates per wall-clock second and per CPU-second of this process (all its threads). */
export type Measurement = { runs: number; wall: Stats; cpu: Stats };

export type MeasureOptions = {
  /** Timed runs (after one untimed warm-up run). */
  runs: number;
  /** Each run repeats the round until at least this much wall-clock time has passed. */
  minMs: number;
};

/**
 * Measures `round`, which does some work and returns how many operations it did. The machine is shared, so both
 * rates are kept: wall-clock (what this run saw) and per CPU-second (what one uncontended core would do).
 */
export async function measure(round: () => Promise<number>, { runs, minMs }: MeasureOptions): Promise<Measurement> {
  await timeRun(round, minMs / 2);
  const samples: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < runs; r++) samples.push(await timeRun(round, minMs));
  return { runs, wall: toStats(samples.map((s) => s.wall)), cpu: toStats(samples.map((s) => s.cpu)) };
}

async function timeRun(round: () => Promise<number>, minMs: number): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ops = 0;
  let elapsedMs = 0;
  do {
    ops += await round();
    elapsedMs = performance.now() - t0;
  } while (elapsedMs < minMs);
  const { user, system } = process.cpuUsage(cpu0);
  return { wall: ops / (elapsedMs / 1e3), cpu: ops / ((user + system) / 1e6) };
}

function toStats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: Math.round(median), min: Math.round(sorted[0]!), max: Math.round(sorted[sorted.length - 1]!) };
}
