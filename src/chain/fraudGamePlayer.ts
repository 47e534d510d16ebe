import type { Address, Hex, PublicClient } from "viem";
import {
  getFraudGame,
  getFraudGameEvents,
  pickAccumulator,
  pickElement,
  pickNode,
  pickTensor,
  proveInputMismatch,
  proveOutputMismatch,
  proveStep,
  revealAccumulators,
  revealChunk,
  revealNodes,
  revealTensors,
  timeoutFraudGame,
  type FraudGameReceipt,
  type FraudGameRecord,
} from "./actions/fraudGame";
import type { OneStepHex } from "../protocol";
import type { ContractCall } from "./contractCall";
import { FraudGameOutcome, Phase } from "./enums.generated";

/**
 * The fraud game as the chain holds it now: the record, and what the node revealed that the next move needs (the
 * game stores only hashes of it; the data is in the move events). Everything a player needs to move, so a player keeps
 * no state of its own: after a restart it reads the same view again.
 */
export interface FraudGameView {
  id: bigint;
  game: FraudGameRecord;
  /** The node's tensor roots (from `TensorsRevealed`), once revealed. */
  roots: Hex[] | undefined;
  /** The nodes revealed last (from the latest `NodesRevealed`), when the challenger is to pick one. */
  nodes: Hex[] | undefined;
  /** The chunk revealed (from `ChunkRevealed`), when the challenger is to pick an element. */
  chunk: Hex | undefined;
  /** The accumulators revealed last (from the latest `AccumulatorsRevealed`), when the challenger is to pick a part. */
  accumulators: number[] | undefined;
  /** Unix seconds of the block the view was read at (the game's clock). */
  now: bigint;
}

/** Reads game `id` and the revealed data its current phase needs, at one block. */
export async function readFraudGame(
  client: PublicClient,
  { address, id, fromBlock }: { address: Address; id: bigint; fromBlock: bigint },
): Promise<FraudGameView> {
  const block = await client.getBlock({ blockTag: "latest" });
  const blockNumber = block.number;
  const game = await getFraudGame(client, { address, id, blockNumber });
  const phase = game.phase as Phase;
  const range = { address, args: { id }, fromBlock, toBlock: blockNumber };
  const last = <T>(logs: readonly T[]): T | undefined => logs[logs.length - 1];
  const needsRoots = phase !== Phase.None && phase !== Phase.RevealTensors && phase !== Phase.Resolved;
  const roots = needsRoots
    ? last(await getFraudGameEvents(client, { ...range, eventName: "TensorsRevealed" }))?.args.roots
    : undefined;
  const nodes =
    phase === Phase.PickNode
      ? last(await getFraudGameEvents(client, { ...range, eventName: "NodesRevealed" }))?.args.nodes
      : undefined;
  const chunk =
    phase === Phase.PickElement
      ? last(await getFraudGameEvents(client, { ...range, eventName: "ChunkRevealed" }))?.args.data
      : undefined;
  const accumulators =
    phase === Phase.PickAccumulator
      ? last(await getFraudGameEvents(client, { ...range, eventName: "AccumulatorsRevealed" }))?.args.accumulators
      : undefined;
  return {
    id,
    game,
    roots: roots && [...roots],
    nodes: nodes && [...nodes],
    chunk,
    accumulators: accumulators && [...accumulators],
    now: block.timestamp,
  };
}

/** The node's answers (`createNodeResponder` of `runtime/integerV2/fraudProofs`, structurally). */
export interface FraudNodeStrategy {
  tensorRoots(): Hex[];
  nodesBelow(t: number, level: number, index: number, depth: number): Hex[];
  chunk(t: number, index: number): Hex;
  accumulators(k: number, e: number, lo: number, hi: number): number[];
}

/** The challenger's choices (`createChallenger` of `runtime/integerV2/fraudProofs`, structurally). */
export interface FraudChallengerStrategy {
  header: Hex;
  weightsRoot: Hex;
  pickTensor(nodeRoots: readonly Hex[]): number | "output";
  tensorProof(t: number): Hex[];
  pickNode(t: number, level: number, index: number, nodes: readonly Hex[]): number;
  pickElement(t: number, index: number, nodeChunk: Hex): number;
  pickAccumulator(k: number, e: number, lo: number, hi: number, accs: readonly number[]): number;
  step(k: number, e: number, segment: number, accIn: number, nodeRoots: readonly Hex[]): OneStepHex;
  finalChunks(): Hex;
}

/** What a side plays with. */
export type FraudPlayer =
  | { side: "node"; strategy: FraudNodeStrategy }
  | {
      side: "challenger";
      strategy: FraudChallengerStrategy;
      /** The disputed receipt (for `proveOutputMismatch` and `proveInputMismatch`). */
      receipt: FraudGameReceipt;
      /** The canonical encoding of the receipt's input (for `proveInputMismatch`). */
      inputEncoding: Hex;
    };

/** What to do next in a game. */
export type FraudMove =
  /** The game is decided. */
  | { kind: "resolved"; nodeWrong: boolean }
  /** It is the other side's move and its deadline has not passed. */
  | { kind: "wait"; deadline: bigint }
  /** Our move was due and its deadline passed: whoever calls `timeout` makes us lose. */
  | { kind: "lost-by-timeout"; deadline: bigint }
  /** Send this call: a move (`name` is the function) or `timeout` when the other side missed its deadline. */
  | { kind: "send"; name: string; call: ContractCall; phase: Phase };

const NODE_PHASES: readonly number[] = [
  Phase.RevealTensors,
  Phase.RevealNodes,
  Phase.RevealChunk,
  Phase.RevealAccumulators,
];

/** Whether `phase` is the node's move (the contract's `_isNodeTurn`). */
export function isNodeTurn(phase: number): boolean {
  return NODE_PHASES.includes(phase);
}

/**
 * The next move of `player` in the game `view` shows, computed from the view alone: nothing when it is the other
 * side's turn, `timeout` when the other side's deadline passed, else the move its strategy picks.
 */
export function nextFraudMove(address: Address, view: FraudGameView, player: FraudPlayer): FraudMove {
  const { game, id } = view;
  const phase = game.phase as Phase;
  if (phase === Phase.Resolved) return { kind: "resolved", nodeWrong: game.outcome === FraudGameOutcome.NodeWrong };
  if (phase === Phase.None) throw new RangeError(`fraud game ${id} does not exist`);
  const deadline = BigInt(game.deadline);
  const ours = isNodeTurn(phase) === (player.side === "node");
  if (view.now > deadline) {
    if (!ours) return { kind: "send", name: "timeout", call: timeoutFraudGame({ address, id }), phase };
    return { kind: "lost-by-timeout", deadline };
  }
  if (!ours) return { kind: "wait", deadline };
  const [t, level, index, depth] = [game.tensor, game.level, Number(game.index), game.depth];
  const send = (name: string, call: ContractCall): FraudMove => ({ kind: "send", name, call, phase });
  if (player.side === "node") {
    const s = player.strategy;
    switch (phase) {
      case Phase.RevealTensors:
        return send("revealTensors", revealTensors({ address, id, roots: s.tensorRoots() }));
      case Phase.RevealNodes:
        return send("revealNodes", revealNodes({ address, id, nodes: s.nodesBelow(t, level, index, depth) }));
      case Phase.RevealChunk:
        return send("revealChunk", revealChunk({ address, id, data: s.chunk(t, index) }));
      default: {
        const accumulators = s.accumulators(t, game.element, game.lo, game.hi);
        return send("revealAccumulators", revealAccumulators({ address, id, accumulators }));
      }
    }
  }
  const s = player.strategy;
  const roots = need(view.roots, "tensor roots", id);
  // Primes the strategy with the node's roots: it keeps no state across restarts, the view has it all.
  const pick = s.pickTensor(roots);
  switch (phase) {
    case Phase.PickTensor: {
      if (pick === "output") {
        const call = proveOutputMismatch({
          address,
          id,
          receipt: player.receipt,
          header: s.header,
          weightsRoot: s.weightsRoot,
          proof: s.tensorProof(roots.length - 1),
          chunks: s.finalChunks(),
        });
        return send("proveOutputMismatch", call);
      }
      const call = pickTensor({
        address,
        id,
        header: s.header,
        weightsRoot: s.weightsRoot,
        t: BigInt(pick),
        tensorRoot: roots[pick]!,
        proof: s.tensorProof(pick),
      });
      return send("pickTensor", call);
    }
    case Phase.PickNode: {
      const nodes = need(view.nodes, "revealed nodes", id);
      const child = s.pickNode(t, level, index, nodes);
      return send("pickNode", pickNode({ address, id, nodes, child: BigInt(child) }));
    }
    case Phase.PickElement: {
      const data = need(view.chunk, "revealed chunk", id);
      const offset = BigInt(s.pickElement(t, index, data));
      if (t === 0) {
        const call = proveInputMismatch({
          address,
          id,
          receipt: player.receipt,
          data,
          offset,
          inputEncoding: player.inputEncoding,
        });
        return send("proveInputMismatch", call);
      }
      return send("pickElement", pickElement({ address, id, data, offset }));
    }
    case Phase.PickAccumulator: {
      const accumulators = need(view.accumulators, "revealed accumulators", id);
      const part = s.pickAccumulator(t, game.element, game.lo, game.hi, accumulators);
      return send("pickAccumulator", pickAccumulator({ address, id, accumulators, part: BigInt(part) }));
    }
    default: {
      const step = s.step(t, game.element, game.lo, game.accLo, roots);
      return send("proveStep", proveStep({ address, id, step: toAbiStep(step) }));
    }
  }
}

function need<T>(value: T | undefined, what: string, id: bigint): T {
  if (value === undefined) throw new RangeError(`fraud game ${id}: no ${what} on chain for the current phase`);
  return value;
}

function toAbiStep(step: OneStepHex) {
  return {
    layer: BigInt(step.layer),
    element: BigInt(step.element),
    segment: BigInt(step.segment),
    accIn: BigInt(step.accIn),
    weights: step.weights,
    inputs: step.inputs.map((input) => ({ ...input, tensor: BigInt(input.tensor), index: BigInt(input.index) })),
  };
}
