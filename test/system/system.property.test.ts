import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { propertyRuns } from "../helpers/propertyRuns";
import { commandArbitraries } from "./commands";
import { deploySystem } from "./system";
import { World, coverage } from "./world";

/**
 * Runs and length: a few short runs under `npm test`; `npm run fuzz` sets VERITY_FUZZ_RUNS (and optionally
 * VERITY_FUZZ_COMMANDS) for many more. VERITY_FUZZ_SEED replays a failure; the seed of every run is printed on failure.
 */
const fuzzing = process.env.VERITY_FUZZ_RUNS !== undefined;
const RUNS = fuzzing ? Number(process.env.VERITY_FUZZ_RUNS) : propertyRuns(6);
const COMMANDS = Number(process.env.VERITY_FUZZ_COMMANDS ?? (fuzzing ? 60 : 25));
const SEED = process.env.VERITY_FUZZ_SEED !== undefined ? Number(process.env.VERITY_FUZZ_SEED) : Date.now() % 2 ** 31;

/** Random action sequences of at least half the maximum length (short ones rarely reach a judgment). */
const sequences = fc
  .commands(commandArbitraries, { maxCommands: COMMANDS, size: "max" })
  .filter((commands) => [...commands].length >= Math.ceil(COMMANDS / 2));

describe("The whole system as deploy/ deploys it, under random actions of honest and lying actors", function () {
  it("conserves tokens, owes no more than it holds, slashes exactly what was at risk, and never punishes an honest node", async function () {
    this.timeout(0);
    await loadFixture(deploySystem);
    try {
      await fc.assert(
        fc.asyncProperty(sequences, async (commands) => {
          const system = await loadFixture(deploySystem);
          const world = new World(system);
          await world.start();
          try {
            await fc.asyncModelRun(() => ({ model: {}, real: { world } }), commands);
          } finally {
            if (process.env.VERITY_FUZZ_VERBOSE) console.log(`--- run\n    ${world.m.log.join("\n    ")}`);
          }
          if (world.violations.length > 0) {
            for (const v of new Set(world.violations)) console.log(`VIOLATION ${v}`);
            if (process.env.VERITY_FUZZ_COLLECT === "all") return;
            throw new Error(`${world.violations.length} invariant violation(s):\n${world.violations.join("\n")}`);
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: !fuzzing && process.env.VERITY_FUZZ_SHRINK === undefined },
      );
      if (fuzzing || process.env.VERITY_FUZZ_VERBOSE) {
        const rows = [...coverage.entries()].sort(([a], [b]) => a.localeCompare(b));
        console.log(`    reached over ${RUNS} runs: ${rows.map(([k, v]) => `${k} ${v}`).join(", ")}`);
      }
    } catch (error) {
      console.error(
        `\nsystem property failed: replay with VERITY_FUZZ_SEED=${SEED} (runs ${RUNS}, commands ${COMMANDS})`,
      );
      throw error;
    }
  });
});
