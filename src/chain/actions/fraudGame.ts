import type {
  Address,
  BlockNumber,
  Chain,
  Client,
  ContractEventName,
  ContractFunctionArgs,
  ContractFunctionReturnType,
  GetContractEventsReturnType,
} from "viem";
import { getContractEvents, readContract } from "viem/actions";
import { fraudGameAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

/**
 * The fraud-proof game (`IFraudGame`): reads, move events and every move, in one file because they only make sense
 * together. Reads take a client; moves return a {@link ContractCall} for `sendContractCall` or the keeper's sender.
 */

type Args<name extends "challenge" | "proveOutputMismatch" | "proveStep" | "pickTensor"> = ContractFunctionArgs<
  typeof fraudGameAbi,
  "nonpayable" | "payable",
  name
>;

/** A game's record (`IFraudGame.Game`). */
export type FraudGameRecord = ContractFunctionReturnType<typeof fraudGameAbi, "pure" | "view", "getGame">;
/** The receipt as the game's functions take it. */
export type FraudGameReceipt = Args<"challenge">[0];
/** The one-step (`IOneStepExecutor.Step`). */
export type FraudGameStep = Args<"proveStep">[1];
/** Governance parameters (`IFraudGame.Parameters`). */
export type FraudGameParameters = ContractFunctionReturnType<typeof fraudGameAbi, "pure" | "view", "getParameters">;

interface ReadParameters {
  /** The FraudGame contract. */
  address: Address;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
}

/** Game `id` (`IFraudGame.getGame`; zeroed when it does not exist). */
export function getFraudGame(
  client: Client,
  { address, id, blockNumber }: ReadParameters & { id: bigint },
): Promise<FraudGameRecord> {
  return readContract(client, { address, abi: fraudGameAbi, functionName: "getGame", args: [id], blockNumber });
}

/** The parameters new games open with (`IFraudGame.getParameters`). */
export function getFraudGameParameters(
  client: Client,
  { address, blockNumber }: ReadParameters,
): Promise<FraudGameParameters> {
  return readContract(client, { address, abi: fraudGameAbi, functionName: "getParameters", blockNumber });
}

/** The bond a game against `node` takes now and the amount it would put at risk (`IFraudGame.previewBond`). */
export function previewFraudBond(
  client: Client,
  { address, node, blockNumber }: ReadParameters & { node: Address },
): Promise<readonly [bigint, bigint]> {
  return readContract(client, { address, abi: fraudGameAbi, functionName: "previewBond", args: [node], blockNumber });
}

/** What `account` can claim from decided games (`IFraudGame.claimableOf`). */
export function getFraudClaimable(
  client: Client,
  { address, account, blockNumber }: ReadParameters & { account: Address },
): Promise<bigint> {
  return readContract(client, {
    address,
    abi: fraudGameAbi,
    functionName: "claimableOf",
    args: [account],
    blockNumber,
  });
}

/** Games opened so far; ids run from 1 (`IFraudGame.gameCount`). */
export function getFraudGameCount(client: Client, { address, blockNumber }: ReadParameters): Promise<bigint> {
  return readContract(client, { address, abi: fraudGameAbi, functionName: "gameCount", blockNumber });
}

/** An event of the fraud game, by name. */
export type FraudGameEventName = ContractEventName<typeof fraudGameAbi>;

/** The events of a game's opening, each of its moves, and its end: one per transaction that moves a game. */
export const FRAUD_GAME_MOVE_EVENTS = [
  "GameOpened",
  "TensorsRevealed",
  "TensorPicked",
  "NodesRevealed",
  "NodePicked",
  "ChunkRevealed",
  "ElementPicked",
  "AccumulatorsRevealed",
  "AccumulatorPicked",
  "GameResolved",
] as const satisfies readonly FraudGameEventName[];

export type GetFraudGameEventsParameters<eventName extends FraudGameEventName> = {
  /** The FraudGame contract. */
  address: Address;
  eventName: eventName;
  /** Only events whose indexed fields match (`id` for every move event; `receiptHash`, `node` for `GameOpened`). */
  args?: Record<string, unknown> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetFraudGameEventsReturnType<eventName extends FraudGameEventName> = GetContractEventsReturnType<
  typeof fraudGameAbi,
  eventName,
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/**
 * Logs of one fraud-game event (`GameOpened`, `TensorsRevealed`, `NodesRevealed`, `ChunkRevealed`,
 * `AccumulatorsRevealed`, `GameResolved`, …), decoded strictly, in chain order.
 */
export function getFraudGameEvents<eventName extends FraudGameEventName>(
  client: Client,
  { address, eventName, args, fromBlock, toBlock }: GetFraudGameEventsParameters<eventName>,
): Promise<GetFraudGameEventsReturnType<eventName>> {
  return getContractEvents<
    Chain | undefined,
    typeof fraudGameAbi,
    eventName,
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: fraudGameAbi,
    eventName,
    args: args as never,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}

/** Opens a game on an attested receipt, pulling the bond (`IFraudGame.challenge`). */
export function openFraudGame({
  address,
  receipt,
  batchId,
  proof,
  beneficiary,
  maxBond,
}: {
  address: Address;
  receipt: FraudGameReceipt;
  batchId: Args<"challenge">[1];
  proof: Args<"challenge">[2];
  beneficiary: Address;
  maxBond: bigint;
}): ContractCall {
  return defineContractCall({
    address,
    abi: fraudGameAbi,
    functionName: "challenge",
    args: [receipt, batchId, proof, beneficiary, maxBond],
  });
}

/** Node: reveals the L + 1 tensor roots (`IFraudGame.revealTensors`). */
export function revealTensors({
  address,
  id,
  roots,
}: {
  address: Address;
  id: bigint;
  roots: readonly `0x${string}`[];
}) {
  return defineContractCall({ address, abi: fraudGameAbi, functionName: "revealTensors", args: [id, roots] });
}

/** Challenger: picks tensor `t`, proven against the trace root (`IFraudGame.pickTensor`). */
export function pickTensor({
  address,
  id,
  header,
  weightsRoot,
  t,
  tensorRoot,
  proof,
}: {
  address: Address;
  id: bigint;
  header: `0x${string}`;
  weightsRoot: `0x${string}`;
  t: bigint;
  tensorRoot: `0x${string}`;
  proof: readonly `0x${string}`[];
}): ContractCall {
  return defineContractCall({
    address,
    abi: fraudGameAbi,
    functionName: "pickTensor",
    args: [id, header, weightsRoot, t, tensorRoot, proof],
  });
}

/** Challenger: every tensor agrees, the receipt's output hash is not the last tensor's (`proveOutputMismatch`). */
export function proveOutputMismatch({
  address,
  id,
  receipt,
  header,
  weightsRoot,
  proof,
  chunks,
}: {
  address: Address;
  id: bigint;
  receipt: FraudGameReceipt;
  header: `0x${string}`;
  weightsRoot: `0x${string}`;
  proof: readonly `0x${string}`[];
  chunks: `0x${string}`;
}): ContractCall {
  return defineContractCall({
    address,
    abi: fraudGameAbi,
    functionName: "proveOutputMismatch",
    args: [id, receipt, header, weightsRoot, proof, chunks],
  });
}

/** Node: reveals the nodes below the cursor (`IFraudGame.revealNodes`). */
export function revealNodes({ address, id, nodes }: { address: Address; id: bigint; nodes: readonly `0x${string}`[] }) {
  return defineContractCall({ address, abi: fraudGameAbi, functionName: "revealNodes", args: [id, nodes] });
}

/** Challenger: moves the cursor to child `child` of the revealed nodes (`IFraudGame.pickNode`). */
export function pickNode({
  address,
  id,
  nodes,
  child,
}: {
  address: Address;
  id: bigint;
  nodes: readonly `0x${string}`[];
  child: bigint;
}): ContractCall {
  return defineContractCall({ address, abi: fraudGameAbi, functionName: "pickNode", args: [id, nodes, child] });
}

/** Node: reveals the chunk under the cursor (`IFraudGame.revealChunk`). */
export function revealChunk({ address, id, data }: { address: Address; id: bigint; data: `0x${string}` }) {
  return defineContractCall({ address, abi: fraudGameAbi, functionName: "revealChunk", args: [id, data] });
}

/** Challenger: picks element `offset` of the revealed chunk (`IFraudGame.pickElement`). */
export function pickElement({
  address,
  id,
  data,
  offset,
}: {
  address: Address;
  id: bigint;
  data: `0x${string}`;
  offset: bigint;
}): ContractCall {
  return defineContractCall({ address, abi: fraudGameAbi, functionName: "pickElement", args: [id, data, offset] });
}

/** Challenger, on tensor 0: the node's input element differs from the receipt's input (`proveInputMismatch`). */
export function proveInputMismatch({
  address,
  id,
  receipt,
  data,
  offset,
  inputEncoding,
}: {
  address: Address;
  id: bigint;
  receipt: FraudGameReceipt;
  data: `0x${string}`;
  offset: bigint;
  inputEncoding: `0x${string}`;
}): ContractCall {
  return defineContractCall({
    address,
    abi: fraudGameAbi,
    functionName: "proveInputMismatch",
    args: [id, receipt, data, offset, inputEncoding],
  });
}

/** Node: reveals the accumulators splitting the current segment range (`IFraudGame.revealAccumulators`). */
export function revealAccumulators({
  address,
  id,
  accumulators,
}: {
  address: Address;
  id: bigint;
  accumulators: readonly number[];
}): ContractCall {
  return defineContractCall({
    address,
    abi: fraudGameAbi,
    functionName: "revealAccumulators",
    args: [id, accumulators],
  });
}

/** Challenger: narrows to part `part` of the revealed split (`IFraudGame.pickAccumulator`). */
export function pickAccumulator({
  address,
  id,
  accumulators,
  part,
}: {
  address: Address;
  id: bigint;
  accumulators: readonly number[];
  part: bigint;
}): ContractCall {
  return defineContractCall({
    address,
    abi: fraudGameAbi,
    functionName: "pickAccumulator",
    args: [id, accumulators, part],
  });
}

/** Challenger: the one-step re-execution (`IFraudGame.proveStep`). */
export function proveStep({ address, id, step }: { address: Address; id: bigint; step: FraudGameStep }): ContractCall {
  return defineContractCall({ address, abi: fraudGameAbi, functionName: "proveStep", args: [id, step] });
}

/** Anyone, after a deadline: the side whose move it was loses (`IFraudGame.timeout`). */
export function timeoutFraudGame({ address, id }: { address: Address; id: bigint }): ContractCall {
  return defineContractCall({ address, abi: fraudGameAbi, functionName: "timeout", args: [id] });
}

/** Sends the caller's credits from decided games to `to` (`IFraudGame.claim`). */
export function claimFraudGame({ address, to }: { address: Address; to: Address }): ContractCall {
  return defineContractCall({ address, abi: fraudGameAbi, functionName: "claim", args: [to] });
}
