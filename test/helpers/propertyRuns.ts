/**
 * How many runs a property test makes: `runs` under `npm test`; a fifth of it (at least 5) in the coverage pass
 * (`VERITY_COVERAGE=1`), which only measures which branches the suites reach and runs about 3× slower per run under
 * instrumentation. Every property still runs at full strength in `npm test`.
 */
export function propertyRuns(runs: number): number {
  return process.env.VERITY_COVERAGE ? Math.max(5, Math.round(runs / 5)) : runs;
}
