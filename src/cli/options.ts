import { Option, type Command } from "commander";
import { formatUnits, getAddress, isAddress, parseUnits, type Address, type Hex, type PrivateKeyAccount } from "viem";
import { ensureAllowance } from "../chain/actions/ensureAllowance";
import { getTokenBalance } from "../chain/actions/getTokenBalance";
import { getTokenMetadata } from "../chain/actions/getTokenMetadata";
import type { TokenUnits } from "../chain/formatRevertArgs";
import { createVerityClients, type VerityClients } from "../chain/createVerityClients";
import {
  DeploymentFileError,
  readDeploymentFile,
  type DeploymentRecord,
  type VerityContracts,
} from "../chain/deployment";
import { ConfigError } from "../config/ConfigError";
import { resolveRpcUrl } from "../config/dotEnv";
import { loadSignerAccount } from "../config/loadSignerAccount";
import { BaseError } from "../protocol";
import { createOutput, type Output } from "./output";

/** The chain could not be reached (exit code 3). */
export class ChainUnavailableError extends BaseError {
  override name = "ChainUnavailableError";
}

/** Options every chain command shares (`--rpc-url`, `--deployment`, `--json`). */
export interface ChainOptions {
  /** Unset: resolved by `resolveRpcUrl` (environment, the deployment's recorded `rpcUrl`, `.env`, 8545). */
  rpcUrl?: string | undefined;
  deployment: string;
  json: boolean;
}

/** The help text every command that signs carries: where its key comes from. */
export const KEY_HELP =
  "\nThe signing key never comes from a flag: set VERITY_KEY, or VERITY_KEYSTORE and VERITY_KEYSTORE_PASSWORD\n" +
  "(environment or .env).";

/** Adds `--json` (machine-readable output). */
export function addJsonOption(command: Command): Command {
  return command.option("--json", "machine-readable JSON output on stdout", false);
}

/** Adds `--rpc-url` (env VERITY_RPC_URL). */
export function addRpcUrlOption(command: Command, fallback = "http://127.0.0.1:8545"): Command {
  return command.addOption(
    new Option("--rpc-url <url>", "JSON-RPC node (env VERITY_RPC_URL)").default(process.env.VERITY_RPC_URL || fallback),
  );
}

/** Adds `--rpc-url`, `--deployment` and `--json`: what every command reading or writing the chain needs. */
export function addChainOptions(command: Command): Command {
  command.option(
    "--rpc-url <url>",
    "JSON-RPC node (env VERITY_RPC_URL; default: the deployment file's rpcUrl, else http://127.0.0.1:8545)",
  );
  command.addOption(
    new Option("--deployment <file>", "deployment address file (env VERITY_DEPLOYMENT)").default(
      process.env.VERITY_DEPLOYMENT || "deployments/localhost.json",
    ),
  );
  return addJsonOption(command);
}

/** Adds the examples block to a command's `--help`. */
export function addExamples(command: Command, examples: readonly string[], extra = ""): Command {
  return command.addHelpText("after", `\nExamples:\n${examples.map((line) => `  $ ${line}`).join("\n")}\n${extra}`);
}

/** A connected command: clients, the deployment, its addresses by name, and the printer. */
export interface ChainContext {
  clients: VerityClients;
  deployment: DeploymentRecord;
  output: Output;
  account: PrivateKeyAccount | undefined;
  /** The deployed contracts' addresses, by name. */
  contracts: VerityContracts;
}

/**
 * Validates the chain options, reads the deployment file, loads the key from the environment when `needsKey`, and
 * checks the chain answers with the deployment's chain id (ChainUnavailableError when it does not answer).
 */
export async function connect(options: ChainOptions, needsKey: boolean): Promise<ChainContext> {
  const deployment = readDeploymentFile(options.deployment);
  const resolved = resolveRpcUrl(options.rpcUrl, deployment.rpcUrl);
  const rpcUrl = parseUrl(resolved.url, resolved.source);
  const env = process.env;
  const account = needsKey
    ? await loadSignerAccount(
        {
          privateKey: env.VERITY_KEY,
          keystoreFile: env.VERITY_KEYSTORE,
          keystorePassword: env.VERITY_KEYSTORE_PASSWORD,
        },
        "signing key (VERITY_KEY or VERITY_KEYSTORE)",
      )
    : undefined;
  const clients = createVerityClients({ rpcUrl, chainId: deployment.chainId, account, retryCount: 1 });
  await assertChain(clients, rpcUrl, deployment.chainId);
  await assertDeployed(clients, rpcUrl, options.deployment, deployment);
  connectedToken = getTokenMetadata(clients.publicClient, { address: deployment.contracts.token }).catch(
    () => undefined,
  );
  return {
    clients,
    deployment,
    account,
    output: createOutput(Boolean(options.json)),
    contracts: deployment.contracts,
  };
}

/** The stake token's units of the last `connect`, read in the background: for printing a revert's amounts. */
let connectedToken: Promise<TokenUnits | undefined> = Promise.resolve(undefined);

/** The stake token's decimals and symbol on the chain the command connected to (undefined before `connect`). */
export function getConnectedTokenUnits(): Promise<TokenUnits | undefined> {
  return connectedToken;
}

/** The account lacks tokens for what the command would spend (exit 1); nothing was sent. */
export class InsufficientTokenBalanceError extends BaseError {
  override name = "InsufficientTokenBalanceError";
}

/**
 * Checks the key's account holds `amount` of the stake token before any approval or transaction; the error says how
 * much it has, how much `purpose` needs, and how to get tokens.
 */
export async function assertTokenBalance(context: ChainContext, amount: bigint, purpose: string): Promise<void> {
  const account = context.account!.address;
  const balance = await getTokenBalance(context.clients.publicClient, { address: context.contracts.token, account });
  if (balance >= amount) return;
  const { decimals, symbol } = await getTokenInfo(context);
  const local = context.deployment.chainId === 31337;
  throw new InsufficientTokenBalanceError(
    `${account} holds ${formatUnits(balance, decimals)} ${symbol}; ${purpose} needs ${formatUnits(amount, decimals)} ${symbol}. ` +
      (local
        ? "On the local chain, the deployer (account 0) can give some: `verity token mint <amount> --to <address>`."
        : 'Get stake tokens first (see the README, "Getting tokens"); nothing was sent.'),
  );
}

/** Checks the node answers and serves `chainId`. */
export async function assertChain(clients: VerityClients, rpcUrl: string, chainId: number): Promise<void> {
  let actual: number;
  try {
    actual = await clients.publicClient.getChainId();
  } catch (cause) {
    throw new ChainUnavailableError(`chain unreachable at ${rpcUrl}`, { cause, details: firstLine(cause) });
  }
  if (actual !== chainId) {
    throw new ConfigError(`the node at ${rpcUrl} serves chain ${actual}, the deployment file names chain ${chainId}`);
  }
}

/**
 * Checks the deployment's contracts have code on this chain; DeploymentFileError (exit 2) naming the file as stale
 * otherwise (a restarted dev chain, a file from another deployment), instead of a later `returned no data ("0x")`.
 */
export async function assertDeployed(
  clients: VerityClients,
  rpcUrl: string,
  file: string,
  deployment: DeploymentRecord,
): Promise<void> {
  const names = ["modelRegistry", "attestationRegistry", "inferenceRouter"] as const;
  const codes = await Promise.all(
    names.map((name) => clients.publicClient.getCode({ address: deployment.contracts[name] })),
  );
  const missing = names.filter((_, index) => codes[index] === undefined || codes[index] === "0x");
  if (missing.length === 0) return;
  throw new DeploymentFileError(
    `deployment file ${file} is stale: the chain at ${rpcUrl} has no contract at ${missing
      .map((name) => `${name} ${deployment.contracts[name]}`)
      .join(
        ", ",
      )} (was the local chain restarted?). Run \`verity deploy\` again, or point --deployment at the right file`,
  );
}

/** An http(s) URL, else ConfigError naming the flag. */
export function parseUrl(value: string, flag: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // falls through
  }
  throw new ConfigError(`${flag}: must be an http(s) URL, got "${value}"`);
}

/** A checksummed address, else ConfigError naming the flag. */
export function parseAddress(value: string, flag: string): Address {
  if (!isAddress(value, { strict: false })) throw new ConfigError(`${flag}: not a 20-byte hex address: "${value}"`);
  return getAddress(value);
}

/** 0x-prefixed 32 bytes, lower-cased, else ConfigError naming the flag. */
export function parseBytes32(value: string, flag: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new ConfigError(`${flag}: not 32 bytes of 0x hex: "${value}"`);
  return value.toLowerCase() as Hex;
}

/** A whole number within [min, max], else ConfigError naming the flag. */
export function parseInteger(value: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(`${flag}: must be a whole number within [${min}, ${max}], got "${value}"`);
  }
  return Number(value);
}

/**
 * An amount in whole tokens with up to `decimals` decimals (`1000`, `12.5`) as base units; ConfigError when it is
 * not a positive decimal number or has more decimals than the token.
 */
export function parseAmount(value: string, decimals: number, flag: string, allowZero = false): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new ConfigError(`${flag}: must be a decimal amount of tokens like 1000 or 12.5, got "${value}"`);
  if ((match[2]?.length ?? 0) > decimals) {
    throw new ConfigError(`${flag}: the token has ${decimals} decimals, "${value}" has more`);
  }
  const amount = parseUnits(value, decimals);
  if (amount === 0n && !allowZero) throw new ConfigError(`${flag}: must be more than zero`);
  return amount;
}

/** The stake token's decimals and symbol (18 and "tokens" when the token does not say). */
export function getTokenInfo(context: ChainContext): Promise<{ decimals: number; symbol: string }> {
  return getTokenMetadata(context.clients.publicClient, { address: context.contracts.token });
}

/** Approves `spender` for `amount` of the stake token unless the allowance already covers it. */
export async function ensureTokenAllowance(context: ChainContext, spender: Address, amount: bigint): Promise<void> {
  await ensureAllowance(context.clients, {
    token: context.contracts.token,
    spender,
    amount,
    onApprove: () => context.output.progress(`approving ${spender} to spend ${amount} base units`),
  });
}

/** A unix time in seconds as ISO 8601 (empty for zero). */
export function formatTime(seconds: bigint | number): string {
  return BigInt(seconds) === 0n ? "" : new Date(Number(seconds) * 1000).toISOString();
}

/** The first line of an error's message (viem's are long). */
export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0]!;
}

/** An on-chain enum member's name as the CLI prints it: `NodeWrong` → `node-wrong`, `EXACT` → `exact`. */
export function toCliName(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
}
