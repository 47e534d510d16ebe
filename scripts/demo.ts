/**
 * `npm run demo`: the whole system on a local JSON-RPC chain (`hardhat node`) with no setup — deployment, models,
 * three nodes (one dishonest), three verifiers, a keeper, off-chain and on-chain requests, committee disputes, fraud
 * games on the digits CNN v2 (one won by the verifier, one griefed and won by the node), slashing and settlement
 * (see src/devnet/runSystemScenario.ts) — then a report with the fraud path's gas per move. Exits 0 only when every
 * expected outcome happened.
 * `--json` prints the report as JSON; `--log-level debug` shows the services' logs (pino, on stderr).
 * The explorer (`verity explorer`) indexes the chain while the scenario runs; its URL is printed at the start and the
 * report links each dispute and fraud game to its page. `--serve` keeps the chain and the explorer running after the
 * report (Ctrl-C to stop); `--no-explorer` leaves it out.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createOutput, toJson } from "../src/cli/output";
import { runSystemScenario } from "../src/devnet/runSystemScenario";
import { printScenarioReport } from "../src/devnet/printScenarioReport";
import { scenarioChecks } from "../src/devnet/scenarioChecks";
import { DEMO_DEPLOY_ENVIRONMENT, startLocalSystem } from "../src/devnet/startLocalSystem";
import { waitForIndex } from "../src/devnet/startExplorerSystem";
import { startExplorer, type RunningExplorer } from "../src/explorer/startExplorer";

const json = process.argv.includes("--json");
const serve = process.argv.includes("--serve");
const withExplorer = !process.argv.includes("--no-explorer");
const levelFlag = process.argv.indexOf("--log-level");
const logLevel = levelFlag > 0 ? process.argv[levelFlag + 1]! : "silent";
const output = createOutput(json);
const started = Date.now();
const say = (line: string) => output.progress(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

async function main(): Promise<number> {
  say("starting a local chain (hardhat node) and deploying Verity with deploy/deploy.ts");
  const system = await startLocalSystem(DEMO_DEPLOY_ENVIRONMENT);
  let explorer: RunningExplorer | undefined;
  try {
    say(`chain ${system.chain.rpcUrl}: contracts deployed`);
    if (withExplorer) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-demo-explorer-"));
      explorer = await startExplorer({
        rpcUrl: system.chain.rpcUrl,
        deployment: system.deployment,
        db: path.join(dir, "index.sqlite"),
        intervalMs: 500,
      });
      say(`explorer: ${explorer.url} (indexing the chain as the scenario runs)`);
    }
    const report = await runSystemScenario({
      system,
      modelsDir: path.resolve(__dirname, "..", "models"),
      logLevel,
      progress: say,
    });
    if (explorer) await waitForIndex(system, explorer);
    const checks = scenarioChecks(report);
    const ok = checks.every(([, passed]) => passed);
    const seconds = (Date.now() - started) / 1000;
    if (json) {
      process.stdout.write(
        `${toJson({
          ok,
          seconds,
          explorerUrl: explorer?.url ?? null,
          checks,
          report: {
            ...report,
            answers: report.answers.map(({ input, ...answer }) => ({
              ...answer,
              input: { dtype: input.dtype, shape: input.shape, data: Array.from(input.data as ArrayLike<number>) },
            })),
            attestations: { ...report.attestations, occurrences: undefined },
          },
        })}\n`,
      );
    } else {
      const write = (text: string) => process.stdout.write(text);
      printScenarioReport(write, report, checks, explorer ? { explorerUrl: explorer.url } : {});
      write(
        `\n${ok ? "All expected outcomes happened" : "Some expected outcomes did not happen"} in ${seconds.toFixed(1)} s.\n`,
      );
    }
    if (serve && explorer) {
      output.progress(`serving: chain ${system.chain.rpcUrl}, explorer ${explorer.url} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    }
    return ok ? 0 : 1;
  } finally {
    await explorer?.stop();
    await system.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
