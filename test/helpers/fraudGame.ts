import { ethers, type Signer } from "ethers";
import type { Hex } from "viem";
import type { FraudGame } from "../../typechain-types";
import type { Tensor } from "../../src/protocol";
import { createChallenger, createNaiveChallenger, createNodeResponder } from "../../src/runtime/integerV2/fraudProofs";
import type { Receipt } from "./receipts";

/** The game's enums, generated from `IFraudGame` (`Outcome` is `FraudGameOutcome` there). */
import { FraudGameOutcome as Outcome, Phase, Reason } from "../../src/chain/enums.generated";
export { Outcome, Phase, Reason };

export type Challenger = ReturnType<typeof createChallenger>;
export type Responder = ReturnType<typeof createNodeResponder>;

/** A challenger that ignores the node's answers (see `createNaiveChallenger`). */
export const naiveChallenger = (base: Challenger, tensor: number, offset = 0): Challenger =>
  createNaiveChallenger(base, tensor, offset);

export type PlayGameParameters = {
  game: FraudGame;
  id: bigint;
  node: Signer;
  challenger: Signer;
  responder: Responder;
  strategy: Challenger;
  receipt: Receipt;
  input: Tensor;
  /** Stop (without moving) when the game reaches this phase. */
  stopAt?: Phase;
};

/** One move: its function, who made it, its gas. */
export type Move = { name: string; by: "node" | "challenger"; gas: bigint };

/** Plays a game to its end (or to `stopAt`) with both sides following their strategies; returns each move's gas. */
export async function playGame(p: PlayGameParameters): Promise<Move[]> {
  const { game, id, responder, strategy } = p;
  const node = game.connect(p.node);
  const challenger = game.connect(p.challenger);
  const moves: Move[] = [];
  let roots: Hex[] = [];
  let nodes: Hex[] = [];
  let chunk: Hex = "0x";
  let accs: number[] = [];
  const record = async (name: string, by: Move["by"], tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => {
    const receipt = await (await tx).wait();
    moves.push({ name, by, gas: receipt!.gasUsed });
  };
  for (let guard = 0; guard < 200; guard++) {
    const g = await game.getGame(id);
    const phase = Number(g.phase) as Phase;
    if (phase === Phase.Resolved || phase === p.stopAt) return moves;
    const [t, level, index, depth] = [Number(g.tensor), Number(g.level), Number(g.index), Number(g.depth)];
    switch (phase) {
      case Phase.RevealTensors:
        roots = responder.tensorRoots();
        await record("revealTensors", "node", node.revealTensors(id, roots));
        break;
      case Phase.PickTensor: {
        const pick = strategy.pickTensor(roots);
        if (pick === "output") {
          const last = roots.length - 1;
          await record(
            "proveOutputMismatch",
            "challenger",
            challenger.proveOutputMismatch(
              id,
              p.receipt,
              strategy.header,
              strategy.weightsRoot,
              strategy.tensorProof(last),
              strategy.finalChunks(),
            ),
          );
        } else {
          await record(
            "pickTensor",
            "challenger",
            challenger.pickTensor(
              id,
              strategy.header,
              strategy.weightsRoot,
              pick,
              roots[pick]!,
              strategy.tensorProof(pick),
            ),
          );
        }
        break;
      }
      case Phase.RevealNodes:
        nodes = responder.nodesBelow(t, level, index, depth);
        await record("revealNodes", "node", node.revealNodes(id, nodes));
        break;
      case Phase.PickNode:
        await record(
          "pickNode",
          "challenger",
          challenger.pickNode(id, nodes, strategy.pickNode(t, level, index, nodes)),
        );
        break;
      case Phase.RevealChunk:
        chunk = responder.chunk(t, index);
        await record("revealChunk", "node", node.revealChunk(id, chunk));
        break;
      case Phase.PickElement: {
        const offset = strategy.pickElement(t, index, chunk);
        if (t === 0) {
          await record(
            "proveInputMismatch",
            "challenger",
            challenger.proveInputMismatch(id, p.receipt, chunk, offset, strategy.inputEncoding(p.input)),
          );
        } else {
          await record("pickElement", "challenger", challenger.pickElement(id, chunk, offset));
        }
        break;
      }
      case Phase.RevealAccumulators:
        accs = responder.accumulators(t, Number(g.element), Number(g.lo), Number(g.hi));
        await record("revealAccumulators", "node", node.revealAccumulators(id, accs));
        break;
      case Phase.PickAccumulator: {
        const part = strategy.pickAccumulator(t, Number(g.element), Number(g.lo), Number(g.hi), accs);
        await record("pickAccumulator", "challenger", challenger.pickAccumulator(id, accs, part));
        break;
      }
      case Phase.Step:
        await record(
          "proveStep",
          "challenger",
          challenger.proveStep(id, strategy.step(t, Number(g.element), Number(g.lo), Number(g.accLo), roots)),
        );
        break;
      default:
        throw new Error(`unexpected phase ${phase}`);
    }
  }
  throw new Error("game did not end");
}

/** Opens a game on a singly attested receipt and returns its id. */
export async function openGame(game: FraudGame, challenger: Signer, receipt: Receipt): Promise<bigint> {
  const tx = await game
    .connect(challenger)
    .challenge(receipt, ethers.ZeroHash, [], await challenger.getAddress(), 2n ** 255n);
  const mined = await tx.wait();
  const log = mined!.logs.map((l) => game.interface.parseLog(l)).find((l) => l?.name === "GameOpened");
  return log!.args.id as bigint;
}
