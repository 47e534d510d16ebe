import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Socket } from "node:net";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { localIgnitionDeploymentId } from "../chain/deployment";
import { BaseError, getErrorMessage } from "../protocol";
import { findFreePort } from "./findFreePort";

/** A `hardhat node` JSON-RPC server started by this process on loopback. */
export interface LocalChain {
  /** `http://127.0.0.1:<port>` */
  readonly rpcUrl: string;
  readonly port: number;
  /** Stops the node, waits for it to exit, and deletes the Ignition journal of deployments to it (now useless). */
  stop(): Promise<void>;
  /** Lets this process exit while the node still runs (the node is killed when this process exits). */
  unref(): void;
}

export interface StartLocalChainParameters {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Repository root holding hardhat.config.ts (defaults to this package's root). */
  root?: string;
  /** How long to wait for the node to answer, in milliseconds (default 60 s). */
  timeoutMs?: number;
}

/** Thrown when the local chain doesn't start or doesn't answer in time. */
export class LocalChainError extends BaseError {
  override name = "LocalChainError";
}

/**
 * Starts a real JSON-RPC node (`hardhat node`, chain id 31337, the 20 well-known dev accounts) on 127.0.0.1 and
 * resolves once it answers `eth_chainId`. The caller owns the process and must `stop()` it.
 */
export async function startLocalChain(parameters: StartLocalChainParameters = {}): Promise<LocalChain> {
  const root = parameters.root ?? path.resolve(__dirname, "..", "..");
  const port = parameters.port ?? (await findFreePort());
  const rpcUrl = `http://127.0.0.1:${port}`;
  const hardhatBin = require.resolve("hardhat/internal/cli/bootstrap", { paths: [root] });
  const child = spawn(process.execPath, [hardhatBin, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  // A node outliving this process (a crash, a forgotten stop) would hold its port and memory: kill it at exit.
  const killAtExit = () => child.kill("SIGKILL");
  process.once("exit", killAtExit);
  child.once("exit", () => process.removeListener("exit", killAtExit));
  let journalDir: string | undefined;
  const stop = async () => {
    await stopChild(child);
    // A deployment journal holds ~100 MB of build info: a test run would leave gigabytes behind.
    if (journalDir !== undefined) fs.rmSync(journalDir, { recursive: true, force: true });
  };
  const unref = () => {
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();
  };
  try {
    const genesis = await waitForRpc(rpcUrl, child, parameters.timeoutMs ?? 60_000);
    journalDir = path.join(root, "ignition", "deployments", localIgnitionDeploymentId(genesis, String(port)));
  } catch (error) {
    await stop();
    throw new LocalChainError(`hardhat node did not start on ${rpcUrl}: ${getErrorMessage(error)}\n${output}`);
  }
  return { rpcUrl, port, stop, unref };
}

/** Waits until the node answers, and returns its genesis block's timestamp. */
async function waitForRpc(rpcUrl: string, child: ChildProcess, timeoutMs: number): Promise<bigint> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 2_000 }) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new LocalChainError(`exited with code ${child.exitCode}`);
    try {
      return (await client.getBlock({ blockNumber: 0n })).timestamp;
    } catch {
      if (Date.now() > deadline) throw new LocalChainError(`no answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  });
}
