import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Wallet } from "@ethereumjs/wallet";
import type { Command } from "commander";
import { bytesToHex } from "viem";
import { createVerityClients } from "../../chain/createVerityClients";
import { readDeploymentFile } from "../../chain/deployment";
import { ConfigError } from "../../config/ConfigError";
import { loadSignerAccount } from "../../config/loadSignerAccount";
import { BaseError } from "../../protocol";
import { createOutput } from "../output";
import { ChainUnavailableError, addExamples, addJsonOption, firstLine, parseUrl } from "../options";

/** The repository root: where hardhat.config.ts and deploy/ live. */
const ROOT = path.resolve(__dirname, "..", "..", "..");

interface DeployOptions {
  network: string;
  rpcUrl?: string;
  deploymentsDir: string;
  json: boolean;
}

/** `verity deploy`. */
export function addDeployCommand(program: Command): void {
  const deploy = addJsonOption(
    program
      .command("deploy")
      .description("deploy and wire every contract (resumable), then verify the sources when an explorer key is set")
      .option(
        "--network <name>",
        "Hardhat network: localhost, sepolia, remote (env VERITY_NETWORK)",
        process.env.VERITY_NETWORK || "localhost",
      )
      .option("--rpc-url <url>", "JSON-RPC node of the network (env VERITY_RPC_URL; localhost: VERITY_LOCAL_RPC_URL)")
      .option(
        "--deployments-dir <dir>",
        "where <network>.json goes, where the other commands read it (env VERITY_DEPLOYMENTS_DIR)",
        process.env.VERITY_DEPLOYMENTS_DIR || "deployments",
      ),
  );
  addExamples(
    deploy,
    [
      "verity deploy                                  # to `npx hardhat node` on 127.0.0.1:8545",
      "VERITY_KEY=0x… VERITY_EXPLORER_API_KEY=… verity deploy --network sepolia --rpc-url https://…",
    ],
    "\nThe deployer key never comes from a flag: set VERITY_KEY, or VERITY_KEYSTORE and VERITY_KEYSTORE_PASSWORD\n" +
      "(localhost uses the node's first unlocked account). Deployment settings: VERITY_STAKE_TOKEN, VERITY_ADMIN,\n" +
      "VERITY_TREASURY, VERITY_MINIMUM_STAKE, VERITY_UNBONDING_PERIOD, VERITY_CHALLENGE_WINDOW. Verification:\n" +
      "VERITY_EXPLORER_API_KEY, and for an explorer Etherscan v2 does not cover VERITY_EXPLORER_API_URL and\n" +
      "VERITY_EXPLORER_URL. An interrupted deployment resumes from its Ignition journal when run again.",
  ).action(async (options: DeployOptions) => {
    if (!/^[A-Za-z0-9_-]+$/.test(options.network)) {
      throw new ConfigError(`--network: not a network name: "${options.network}"`);
    }
    const known = getKnownNetworks(options.rpcUrl);
    if (!known.includes(options.network)) {
      throw new ConfigError(
        `--network: unknown network "${options.network}"; known: ${known.join(", ")}` +
          (options.rpcUrl ? "" : " (remote: any chain, given --rpc-url or VERITY_RPC_URL)"),
      );
    }
    const output = createOutput(Boolean(options.json));
    const environment: Record<string, string> = {
      VERITY_DEPLOYMENTS_DIR: path.resolve(options.deploymentsDir),
      HARDHAT_DISABLE_TELEMETRY_PROMPT: "true",
    };
    let rpcUrl = options.rpcUrl ? parseUrl(options.rpcUrl, "--rpc-url") : undefined;
    if (options.network === "localhost") {
      rpcUrl ??= process.env.VERITY_LOCAL_RPC_URL || "http://127.0.0.1:8545";
      environment.VERITY_LOCAL_RPC_URL = rpcUrl;
    } else if (rpcUrl) {
      environment.VERITY_RPC_URL = rpcUrl;
    }
    const key = await readDeployerKey();
    if (key) environment.VERITY_DEPLOYER_KEY = key;
    else if (options.network !== "localhost" && options.network !== "hardhat") {
      throw new ConfigError("deploying to a network needs a key: set VERITY_KEY, or VERITY_KEYSTORE and its password");
    }
    if (rpcUrl) await assertReachable(rpcUrl);

    const verifying = Boolean(process.env.VERITY_EXPLORER_API_KEY || process.env.VERITY_EXPLORER_KEY);
    output.progress(
      `deploying to ${options.network}${rpcUrl ? ` (${rpcUrl})` : ""}${verifying ? ", then verifying" : ""}`,
    );
    await runHardhat(["run", "deploy/deploy.ts", "--network", options.network], environment, output.progress);
    const file = path.join(environment.VERITY_DEPLOYMENTS_DIR!, `${options.network}.json`);
    const record = readDeploymentFile(file);
    if (output.json) {
      output.record({ ...record, deploymentFile: file, verified: verifying });
    } else {
      output.table(
        Object.entries(record.contracts).map(([contract, address]) => ({ contract, address })),
        ["contract", "address"],
      );
      output.record({
        network: record.network,
        chainId: record.chainId,
        startBlock: record.startBlock,
        deploymentFile: file,
        verified: verifying ? "yes" : "no (set VERITY_EXPLORER_API_KEY)",
      });
    }
  });
}

/** The networks hardhat.config.ts defines: `remote` only when an RPC URL is given. */
function getKnownNetworks(rpcUrl: string | undefined): string[] {
  return ["localhost", "hardhat", "sepolia", ...(rpcUrl || process.env.VERITY_RPC_URL ? ["remote"] : [])];
}

/** The deployer's private key from VERITY_KEY or the encrypted VERITY_KEYSTORE, for the Hardhat child only. */
async function readDeployerKey(): Promise<string | undefined> {
  const env = process.env;
  if (!env.VERITY_KEY && !env.VERITY_KEYSTORE) return undefined;
  // Validates the source (one of the two, key shape, keystore password) with the same messages as every command.
  await loadSignerAccount(
    { privateKey: env.VERITY_KEY, keystoreFile: env.VERITY_KEYSTORE, keystorePassword: env.VERITY_KEYSTORE_PASSWORD },
    "deployer key (VERITY_KEY or VERITY_KEYSTORE)",
  );
  if (env.VERITY_KEY) return env.VERITY_KEY.startsWith("0x") ? env.VERITY_KEY : `0x${env.VERITY_KEY}`;
  const wallet = await Wallet.fromV3(
    fs.readFileSync(env.VERITY_KEYSTORE!, "utf8"),
    env.VERITY_KEYSTORE_PASSWORD!,
    true,
  );
  return bytesToHex(wallet.getPrivateKey());
}

async function assertReachable(rpcUrl: string): Promise<void> {
  const { publicClient } = createVerityClients({ rpcUrl, chainId: 1, retryCount: 1 });
  try {
    await publicClient.getChainId();
  } catch (cause) {
    throw new ChainUnavailableError(`chain unreachable at ${rpcUrl}`, { cause, details: firstLine(cause) });
  }
}

/** Runs a Hardhat task at the repository root, streaming its lines as progress; fails with its last output. */
function runHardhat(args: string[], environment: Record<string, string>, progress: (line: string) => void) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve("hardhat/internal/cli/bootstrap"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...environment },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tail = "";
    const partial = { stdout: "", stderr: "" };
    const collect = (stream: keyof typeof partial) => (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      const lines = (partial[stream] + text).split("\n");
      partial[stream] = lines.pop()!;
      for (const line of lines) if (line.trim() !== "") progress(`  ${line}`);
    };
    child.stdout.on("data", collect("stdout"));
    child.stderr.on("data", collect("stderr"));
    child.on("error", reject);
    child.on("close", (code) => {
      for (const rest of Object.values(partial)) if (rest.trim() !== "") progress(`  ${rest}`);
      if (code === 0) return resolve();
      reject(new BaseError(`hardhat ${args.join(" ")} failed (exit ${code})`, { details: tail.trim() }));
    });
  });
}
