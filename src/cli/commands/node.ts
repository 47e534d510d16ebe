import { Command, Option } from "commander";
import { formatUnits, parseEventLogs, type Address } from "viem";
import { stakingAbi } from "../../chain/abis.generated";
import { depositStake } from "../../chain/actions/depositStake";
import { getActiveStake } from "../../chain/actions/getActiveStake";
import { getLockedStake } from "../../chain/actions/getLockedStake";
import { getNode } from "../../chain/actions/getNode";
import { getSlashableStake } from "../../chain/actions/getSlashableStake";
import { getSortitionWeight } from "../../chain/actions/getSortitionWeight";
import { getUnbondingRequests } from "../../chain/actions/getUnbondingRequests";
import { getUnbondingStake } from "../../chain/actions/getUnbondingStake";
import { isNodeActive } from "../../chain/actions/isNodeActive";
import { registerNode } from "../../chain/actions/registerNode";
import { requestUnstake } from "../../chain/actions/requestUnstake";
import { requestUnstakeAll } from "../../chain/actions/requestUnstakeAll";
import { withdrawStake } from "../../chain/actions/withdrawStake";
import { nodeRoleNames } from "../../chain/enums.generated";
import { sendContractCall } from "../../chain/sendContractCall";
import { ConfigError } from "../../config/ConfigError";
import { BaseError } from "../../protocol";
import {
  KEY_HELP,
  addChainOptions,
  assertTokenBalance,
  toCliName,
  addExamples,
  connect,
  formatTime,
  getTokenInfo,
  parseAddress,
  parseAmount,
  parseBytes32,
  parseUrl,
  type ChainContext,
  type ChainOptions,
} from "../options";

/** On-chain `NodeRole` names, by enum value, as the CLI spells them. */
export const NODE_ROLES = nodeRoleNames.map(toCliName);

/** The endpoint a verifier registers without `--endpoint` (the registry needs a non-empty one; nothing reads it). */
export const NO_ENDPOINT = "none";

/**
 * The `verity node` group: `register`, `stake`, `unstake`, `withdraw`, `status`. The node service attaches
 * `serve` to the returned command.
 */
export function createNodeCommand(): Command {
  const node = new Command("node").description("register an operator, manage its stake, inspect it");

  addExamples(
    addChainOptions(
      node
        .command("register")
        .description("register the key's address as a node operator")
        .requiredOption("--signer <address>", "the key that signs receipts and batches (may be the operator itself)")
        .option(
          "--endpoint <url>",
          `where the node serves (http(s) URL); verifiers serve nothing the protocol reads: default "${NO_ENDPOINT}"`,
        )
        .option("--models <ids>", "comma-separated model ids it serves (inference nodes)", "")
        .addOption(new Option("--role <role>", "what the node does").choices(NODE_ROLES).default("inference")),
    ),
    [
      "verity node register --signer 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --endpoint https://node.example \\\n" +
        "      --models 0x874fc54a5fd79d742fcaea9492a8971bd6b4bfbc0bb54ec647fa30052be31baa",
      "verity node register --signer 0x7099...79C8 --role verifier",
    ],
    KEY_HELP,
  ).action(async (options: ChainOptions & { signer: string; endpoint?: string; models: string; role: string }) => {
    const signer = parseAddress(options.signer, "--signer");
    if (options.endpoint === undefined && options.role !== "verifier") {
      throw new ConfigError("--endpoint: an inference node must say where it serves (http(s) URL)");
    }
    const endpoint = options.endpoint === undefined ? NO_ENDPOINT : parseUrl(options.endpoint, "--endpoint");
    const models = options.models
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id !== "")
      .map((id) => parseBytes32(id, "--models"));
    if (options.role === "inference" && models.length === 0) {
      throw new ConfigError("--models: an inference node serves at least one model");
    }
    const context = await connect(options, true);
    context.output.progress(`registering ${context.account!.address} as ${options.role} node`);
    const hash = await sendContractCall(
      context.clients,
      registerNode({
        address: context.contracts.nodeRegistry,
        signer,
        endpoint,
        role: NODE_ROLES.indexOf(options.role),
        models,
      }),
    );
    context.output.record({
      operator: context.account!.address,
      signer,
      role: options.role,
      endpoint,
      models,
      transaction: hash,
    });
  });

  addExamples(
    addChainOptions(
      node
        .command("stake")
        .description("approve the stake token and stake an amount for the key's address")
        .argument("<amount>", "whole tokens, decimals allowed (e.g. 1000 or 12.5)"),
    ),
    ["verity node stake 1000", "verity node stake 12.5 --json"],
    KEY_HELP,
  ).action(async (amount: string, options: ChainOptions) => {
    const context = await connect(options, true);
    const { decimals, symbol } = await getTokenInfo(context);
    const value = parseAmount(amount, decimals, "<amount>");
    await assertTokenBalance(context, value, `staking ${amount} ${symbol}`);
    const hash = await depositStake(context.clients, {
      token: context.contracts.token,
      staking: context.contracts.staking,
      amount: value,
      onApprove: () => context.output.progress(`approving ${context.contracts.staking} to spend ${value} base units`),
      onStake: () => context.output.progress(`staking ${amount} ${symbol}`),
    });
    await printStake(context, context.account!.address, hash);
  });

  addExamples(
    addChainOptions(
      node
        .command("unstake")
        .description("start unbonding an amount of active stake (withdraw it after the unbonding period)")
        .argument(
          "<amount>",
          "whole tokens, decimals allowed, or `all` (the whole active stake when the transaction runs, top-ups included)",
        ),
    ),
    ["verity node unstake 250", "verity node unstake all"],
    KEY_HELP,
  ).action(async (amount: string, options: ChainOptions) => {
    const context = await connect(options, true);
    context.output.progress(`requesting to unstake ${amount}`);
    // `all` can't be made to revert by a third party's top-up just before it, as an exact amount can.
    const call =
      amount === "all"
        ? requestUnstakeAll({ address: context.contracts.staking })
        : requestUnstake({
            address: context.contracts.staking,
            amount: parseAmount(amount, (await getTokenInfo(context)).decimals, "<amount>"),
          });
    const hash = await sendContractCall(context.clients, call);
    await printStake(context, context.account!.address, hash);
  });

  addExamples(
    addChainOptions(node.command("withdraw").description("withdraw every unbonding request whose period is over")),
    ["verity node withdraw"],
    KEY_HELP,
  ).action(async (options: ChainOptions) => {
    const context = await connect(options, true);
    await assertSomethingReleased(context);
    const hash = await sendContractCall(context.clients, withdrawStake({ address: context.contracts.staking }));
    const receipt = await context.clients.publicClient.getTransactionReceipt({ hash });
    const [event] = parseEventLogs({ abi: stakingAbi, eventName: "Withdrawn", logs: receipt.logs });
    const { decimals } = await getTokenInfo(context);
    context.output.record({
      operator: context.account!.address,
      withdrawn: formatUnits(event?.args.amount ?? 0n, decimals),
      transaction: hash,
    });
  });

  addExamples(
    addChainOptions(
      node
        .command("status")
        .description("registration, signer, endpoint, models, stake, unbonding queue, locked, jailed, active")
        .argument("[operator]", "the operator address (default: the key's address)")
        .option(
          "--index <file>",
          "an explorer index (verity explorer --db) to add the node's reputation from (env VERITY_EXPLORER_DB)",
          process.env.VERITY_EXPLORER_DB,
        ),
    ),
    [
      "verity node status 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      "VERITY_KEY=0x… verity node status --json",
      "verity node status 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --index explorer.sqlite",
    ],
  ).action(async (operator: string | undefined, options: ChainOptions & { index?: string }) => {
    const address = operator ? parseAddress(operator, "[operator]") : undefined;
    const hasKey = Boolean(process.env.VERITY_KEY || process.env.VERITY_KEYSTORE);
    if (!address && !hasKey) throw new ConfigError("[operator]: give an operator address or set VERITY_KEY");
    const context = await connect(options, !address);
    await printStatus(context, address ?? context.account!.address, options.index);
  });

  return node;
}

async function printStake(context: ChainContext, operator: Address, transaction: string): Promise<void> {
  const status = await readStatus(context, operator);
  context.output.record({
    operator,
    active: status.activeStake,
    unbonding: status.unbondingStake,
    locked: status.lockedStake,
    transaction,
  });
}

async function printStatus(context: ChainContext, operator: Address, index: string | undefined): Promise<void> {
  const status = { ...(await readStatus(context, operator)), ...(index ? await readReputation(index, operator) : {}) };
  if (context.output.json) return context.output.record(status);
  const { unbondingQueue, ...rest } = status;
  context.output.record({ ...rest, models: status.models.join("\n") });
  if (unbondingQueue.length > 0) context.output.table(unbondingQueue, ["amount", "releaseAt"]);
}

/** The node's reputation (docs/reputation.md) from an explorer index, as of the block the index reached. */
async function readReputation(file: string, operator: Address) {
  const [{ IndexStore }, { readNodeReputation }] = await Promise.all([
    import("../../indexer/IndexStore"),
    import("../../indexer/readNodeReputation"),
  ]);
  const store = new IndexStore(file, { mustExist: true });
  try {
    const reputation = readNodeReputation(store, operator);
    return {
      reputation: reputation ? (reputation.score / 10).toFixed(1) : "(not in the index)",
      reputationIndexedTo: store.head()?.number.toString(10) ?? "(empty index)",
    };
  } finally {
    store.close();
  }
}

/** Everything known about one operator, amounts in whole tokens. */
async function readStatus(context: ChainContext, operator: Address) {
  const read = context.clients.publicClient;
  const onRegistry = { address: context.contracts.nodeRegistry, node: operator };
  const onStaking = { address: context.contracts.staking, node: operator };
  const [info, active, weight, activeStake, unbondingStake, slashableStake, lockedStake, queue, token] =
    await Promise.all([
      getNode(read, onRegistry),
      isNodeActive(read, onRegistry),
      getSortitionWeight(read, onRegistry),
      getActiveStake(read, onStaking),
      getUnbondingStake(read, onStaking),
      getSlashableStake(read, onStaking),
      getLockedStake(read, onStaking),
      getUnbondingRequests(read, onStaking),
      getTokenInfo(context),
    ]);
  const tokens = (value: bigint) => formatUnits(value, token.decimals);
  return {
    operator,
    registered: info.registered,
    role: info.registered ? NODE_ROLES[info.role] : "",
    signer: info.registered ? info.signer : "",
    endpoint: info.endpoint,
    models: [...info.models],
    registeredAt: formatTime(info.registeredAt),
    activeStake: tokens(activeStake),
    unbondingStake: tokens(unbondingStake),
    slashableStake: tokens(slashableStake),
    lockedStake: tokens(lockedStake),
    unbondingQueue: queue.map((entry) => ({ amount: tokens(entry.amount), releaseAt: formatTime(entry.releaseAt) })),
    sortitionWeight: tokens(weight),
    jailed: info.jailed,
    active,
  };
}

/** Nothing to withdraw yet: names what is unbonding and when it is released (exit 1, nothing sent). */
export class NothingToWithdrawError extends BaseError {
  override name = "NothingToWithdrawError";
}

/** Throws {@link NothingToWithdrawError} with the release dates when no unbonding request is released yet. */
async function assertSomethingReleased(context: ChainContext): Promise<void> {
  const read = context.clients.publicClient;
  const [requests, block, { decimals, symbol }] = await Promise.all([
    getUnbondingRequests(read, { address: context.contracts.staking, node: context.account!.address }),
    read.getBlock({ blockTag: "latest" }),
    getTokenInfo(context),
  ]);
  if (requests.some((request) => BigInt(request.releaseAt) <= block.timestamp)) return;
  if (requests.length === 0) {
    throw new NothingToWithdrawError(
      `nothing to withdraw: ${context.account!.address} has no unbonding stake (start with \`verity node unstake <amount>\`)`,
    );
  }
  const pending = requests
    .map((request) => `${formatUnits(request.amount, decimals)} ${symbol} on ${formatTime(request.releaseAt)}`)
    .join(", ");
  throw new NothingToWithdrawError(`nothing to withdraw yet: still unbonding, released ${pending}`);
}
