import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createPublicClient, http } from "viem";
import { localIgnitionDeploymentId } from "../../src/chain/deployment";

const root = path.resolve(__dirname, "..", "..");

/** What an interrupted run of `deploy/deploy.ts` left in its Ignition journal. */
export interface InterruptedDeploy {
  /** The signal that ended the run (always SIGKILL: the test killed it). */
  signal: NodeJS.Signals | null;
  /** The journal's lines, parsed. */
  journal: Array<{ futureId?: string; type?: string; result?: { address?: string } }>;
}

/**
 * Runs `deploy/deploy.ts` against the local chain at `rpcUrl` (as `npx hardhat run deploy/deploy.ts --network localhost`
 * does) and SIGKILLs it, like a power cut or a `kill -9`, as soon as its Ignition journal records that it sent the
 * transaction of `futureId`: the future is then started and not finished, the state a re-run must resume from.
 */
export async function deployKilledAfterSending(
  rpcUrl: string,
  deploymentsDir: string,
  futureId: string,
): Promise<InterruptedDeploy> {
  const journalFile = path.join(root, "ignition", "deployments", await localDeploymentId(rpcUrl), "journal.jsonl");
  const child = spawn(
    process.execPath,
    [require.resolve("hardhat/internal/cli/bootstrap"), "run", "deploy/deploy.ts", "--network", "localhost"],
    {
      cwd: root,
      detached: true,
      stdio: "ignore",
      env: { ...process.env, VERITY_LOCAL_RPC_URL: rpcUrl, VERITY_DEPLOYMENTS_DIR: deploymentsDir },
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  let running = true;
  void exited.then(() => (running = false));
  const sent = (line: string) => line.includes(`"futureId":"${futureId}"`) && line.includes('"TRANSACTION_SEND"');
  while (running && !(fs.existsSync(journalFile) && fs.readFileSync(journalFile, "utf8").split("\n").some(sent))) {
    await sleep(5);
  }
  // The whole process group: Hardhat may run the script in a child of its own.
  if (running) process.kill(-child.pid!, "SIGKILL");
  const signal = await exited;
  const journal = fs
    .readFileSync(journalFile, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { futureId?: string; type?: string });
  return { signal, journal };
}

/** The Ignition journal id `deploy/deployVerity.ts` uses on the local chain at `rpcUrl`. */
async function localDeploymentId(rpcUrl: string): Promise<string> {
  const genesis = await createPublicClient({ transport: http(rpcUrl) }).getBlock({ blockNumber: 0n });
  return localIgnitionDeploymentId(genesis.timestamp, new URL(rpcUrl).port);
}
