import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runSystemScenario, type SystemScenarioReport } from "./runSystemScenario";
import { DEMO_DEPLOY_ENVIRONMENT, startLocalSystem, type LocalSystem } from "./startLocalSystem";
import { waitUntil } from "./waitUntil";
import { startExplorer, type RunningExplorer } from "../explorer/startExplorer";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");

/** A demo-sized system on a real `hardhat node` with the explorer following it from the first block. */
export interface ExplorerSystem {
  system: LocalSystem;
  explorer: RunningExplorer;
  report: SystemScenarioReport;
  stop(): Promise<void>;
}

/** Sizes of the scenario the explorer follows (see `SystemScenarioParameters`). */
export interface ExplorerSystemOptions {
  apiRequestsPerNodeAndModel?: number;
  onChainRequests?: number;
  /** Digits CNN v2 requests per node (default 2: the dishonest node's wrong one is fought in a fraud game). */
  digitsRequestsPerNode?: number;
  /** Whether a griefer also loses a fraud game against an honest node's digits receipt (default true). */
  grief?: boolean;
  progress?: (line: string) => void;
}

/**
 * Starts a local chain, deploys Verity, starts the explorer (indexer + server) on a fresh index, then runs the demo's
 * scenario (three nodes, one dishonest; committee disputes, fraud games played on chain by the verifier and the node
 * services, slashing, settlement) while the explorer indexes it — so the batch files are fetched from the nodes while
 * they serve — and waits until the index has caught up with the chain.
 */
export async function startExplorerSystem(options: ExplorerSystemOptions = {}): Promise<ExplorerSystem> {
  const system = await startLocalSystem(DEMO_DEPLOY_ENVIRONMENT);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-explorer-"));
  let explorer: RunningExplorer | undefined;
  try {
    explorer = await startExplorer({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      db: path.join(dir, "index.sqlite"),
      intervalMs: 250,
    });
    const report = await runSystemScenario({
      system,
      modelsDir: MODELS_DIR,
      apiRequestsPerNodeAndModel: options.apiRequestsPerNodeAndModel ?? 2,
      onChainRequests: options.onChainRequests ?? 2,
      digitsRequestsPerNode: options.digitsRequestsPerNode ?? 2,
      grief: options.grief ?? true,
      ...(options.progress ? { progress: options.progress } : {}),
    });
    const running = explorer;
    await waitForIndex(system, running);
    return {
      system,
      explorer: running,
      report,
      async stop() {
        await running.stop();
        await system.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await explorer?.stop();
    await system.stop();
    throw error;
  }
}

/** Waits until the explorer has indexed the chain's head. */
export async function waitForIndex(system: LocalSystem, explorer: RunningExplorer): Promise<void> {
  const { publicClient } = system.clients(0);
  const head = await publicClient.getBlockNumber({ cacheTime: 0 });
  await waitUntil("the explorer to index the chain head", async () => (explorer.indexer.store.cursor() ?? 0n) > head, {
    timeoutMs: 30_000,
  });
}
