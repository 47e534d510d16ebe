import type { Address, Hex } from "viem";
import { claimFraudGame, getFraudClaimable, getFraudGameEvents } from "../chain/actions/fraudGame";
import type { VerityClients } from "../chain/createVerityClients";
import { nextFraudMove, readFraudGame, type FraudNodeStrategy } from "../chain/fraudGamePlayer";
import { scanLogs } from "../chain/scanLogs";
import { sendContractCall } from "../chain/sendContractCall";
import { decodePayload, getErrorMessage, isTensorBundle } from "../protocol";
import { createNodeResponder, runIntegerModelV2, type TraceV2 } from "../runtime/integerV2";
import type { NodeContext } from "./context";
import { runCorruptedIntegerModelV2 } from "./corruptTrace";
import { createLoop, type Loop } from "../service/createLoop";

const CURSOR_KEY = "fraudCursor";
const GAMES_KEY = "fraudGames";
const CLAIM_KEY = "fraudClaimPending";

/** A game opened against one of this node's receipts, as the store keeps it until the game is decided. */
export interface DefendedGame {
  id: string;
  receiptHash: Hex;
  /** The block of `GameOpened`: move events are read from there. */
  openedAt: string;
}

export interface StartFraudDefenderParameters {
  /** Clients whose account is the node's operator: `FraudGame` takes the node's moves only from it. */
  clients: VerityClients;
  fraudGame: Address;
  /** Where to start reading `GameOpened` when the store holds no cursor (the deployment's start block). */
  startBlock: bigint;
  pollingIntervalMs: number;
  /** Blocks below the head it reads `GameOpened` up to (default 0). */
  confirmations?: bigint;
  /** Most blocks per log query (default 2,000). */
  maxBlockRange?: bigint;
}

export interface FraudDefender extends Loop {
  /** Games still open, as stored. */
  games(): DefendedGame[];
}

/**
 * Defends this node's receipts in the fraud-proof game: follows `GameOpened` for the operator from the stored cursor,
 * keeps every open game in the store, and each poll reads each game from the chain and answers when it is the node's
 * move, from the trace of the receipt's stored input re-run with the served runtime-v2 model; calls `timeout` when the
 * challenger missed its deadline, and claims the node's share of a lost bond once a game is decided. Keeps nothing
 * but the game ids and the cursor: after a restart it reads the games again and goes on where the chain stands.
 */
export function startFraudDefender(context: NodeContext, parameters: StartFraudDefenderParameters): FraudDefender {
  const { clients, fraudGame } = parameters;
  const { publicClient } = clients;
  const { logger, store } = context;
  const maxBlockRange = parameters.maxBlockRange ?? 2_000n;
  const confirmations = parameters.confirmations ?? 0n;
  const strategies = new Map<string, FraudNodeStrategy>();
  // What was logged per game, so a poll that changes nothing logs nothing.
  const logged = new Map<string, string>();
  const logOnce = (id: string, key: string, log: () => void) => {
    if (logged.get(id) === key) return;
    logged.set(id, key);
    log();
  };

  const readGames = (): DefendedGame[] => JSON.parse(store.getMeta(GAMES_KEY) ?? "[]") as DefendedGame[];
  const writeGames = (games: DefendedGame[]) => store.setMeta(GAMES_KEY, JSON.stringify(games));

  const scanOpened = async () => {
    const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
    const head = latest > confirmations ? latest - confirmations : 0n;
    const cursor = store.getMeta(CURSOR_KEY);
    await scanLogs({
      fromBlock: cursor === undefined ? parameters.startBlock : BigInt(cursor),
      toBlock: head,
      maxBlockRange,
      getLogs: (range) =>
        getFraudGameEvents(publicClient, {
          address: fraudGame,
          eventName: "GameOpened",
          args: { node: context.operator },
          ...range,
        }),
      onLogs: (logs, { nextBlock }) => {
        if (logs.length > 0) {
          const games = readGames();
          for (const log of logs) {
            const id = log.args.id.toString();
            if (games.some((g) => g.id === id)) continue;
            games.push({ id, receiptHash: log.args.receiptHash, openedAt: log.blockNumber.toString() });
            logger.warn(
              { gameId: id, receiptHash: log.args.receiptHash, challenger: log.args.challenger, bond: log.args.bond },
              "fraud game opened against this node: defending",
            );
          }
          writeGames(games);
        }
        store.setMeta(CURSOR_KEY, nextBlock.toString());
      },
    });
  };

  /** The node's answers for a game, from the receipt's stored input re-run; undefined (logged) when impossible. */
  const strategyFor = (game: DefendedGame): FraudNodeStrategy | undefined => {
    const cached = strategies.get(game.id);
    if (cached) return cached;
    const problem = (reason: string) => {
      logOnce(game.id, `cannot:${reason}`, () =>
        logger.error({ gameId: game.id, receiptHash: game.receiptHash, reason }, "cannot defend fraud game"),
      );
      return undefined;
    };
    const stored = store.getReceipt(game.receiptHash);
    if (!stored) return problem("receipt not in this node's store");
    const model = context.models.get(stored.receipt.modelId.toLowerCase() as Hex)?.integerV2;
    if (!model) return problem(`model ${stored.receipt.modelId} is not served here on runtime v2`);
    const encoding = store.getTensor(stored.receipt.inputHash);
    if (!encoding) return problem("input of the receipt not in this node's store");
    const input = decodePayload(encoding);
    if (isTensorBundle(input)) return problem("input is a bundle");
    let run: { trace: TraceV2; traceRoot: Hex } = runIntegerModelV2(model, input);
    // A receipt of the dishonest trace mode (test and demo) committed the corrupted trace: defend that one.
    if (stored.dishonest && run.traceRoot.toLowerCase() !== stored.receipt.traceRoot.toLowerCase()) {
      run = runCorruptedIntegerModelV2(model, input.data as Int8Array) ?? run;
    }
    if (run.traceRoot.toLowerCase() !== stored.receipt.traceRoot.toLowerCase()) {
      return problem(`re-run trace root ${run.traceRoot} is not the receipt's ${stored.receipt.traceRoot}`);
    }
    const strategy = createNodeResponder(model, run.trace);
    strategies.set(game.id, strategy);
    return strategy;
  };

  const claimCredit = async () => {
    const owed = await getFraudClaimable(publicClient, { address: fraudGame, account: context.operator });
    if (owed === 0n) return;
    await sendContractCall(clients, claimFraudGame({ address: fraudGame, to: context.operator }));
    logger.info({ amount: owed.toString() }, "fraud game credit claimed");
  };

  /** One game: one move when it is ours. Returns true once the game is decided. */
  const defend = async (game: DefendedGame): Promise<boolean> => {
    const view = await readFraudGame(publicClient, {
      address: fraudGame,
      id: BigInt(game.id),
      fromBlock: BigInt(game.openedAt),
    });
    if (view.game.phase !== 0 && view.game.node.toLowerCase() !== context.operator.toLowerCase()) return true;
    const strategy = strategyFor(game);
    if (!strategy) {
      // Without the trace the node can still win when the challenger goes silent.
      let move;
      try {
        move = nextFraudMove(fraudGame, view, { side: "node", strategy: UNABLE });
      } catch {
        return false;
      }
      if (move.kind === "send" && move.name === "timeout") await sendContractCall(clients, move.call);
      return move.kind === "resolved";
    }
    const move = nextFraudMove(fraudGame, view, { side: "node", strategy });
    switch (move.kind) {
      case "resolved":
        logger[move.nodeWrong ? "error" : "info"](
          { gameId: game.id, receiptHash: game.receiptHash, outcome: move.nodeWrong ? "node wrong" : "node right" },
          "fraud game decided",
        );
        return true;
      case "wait":
        return false;
      case "lost-by-timeout":
        logOnce(game.id, "lost", () =>
          logger.error({ gameId: game.id, deadline: move.deadline.toString() }, "fraud game move missed its deadline"),
        );
        return false;
      case "send": {
        const hash = await sendContractCall(clients, move.call);
        logOnce(game.id, `${move.phase}:${view.game.deadline}`, () =>
          logger.info({ gameId: game.id, move: move.name, txHash: hash }, "fraud game move"),
        );
        return false;
      }
    }
  };

  let open: DefendedGame[] = readGames();
  const loop = createLoop(
    async () => {
      await scanOpened();
      open = readGames();
      const decided: string[] = [];
      for (const game of open) {
        try {
          if (await defend(game)) decided.push(game.id);
        } catch (error) {
          const message = getErrorMessage(error).split("\n")[0]!;
          logOnce(game.id, `error:${message}`, () =>
            logger.warn({ gameId: game.id, error: message }, "fraud game move failed; retrying"),
          );
        }
      }
      if (decided.length > 0) {
        open = open.filter((g) => !decided.includes(g.id));
        writeGames(open);
        for (const id of decided) {
          strategies.delete(id);
          logged.delete(id);
        }
        store.setMeta(CLAIM_KEY, "1");
      }
      // Kept until a claim succeeds, so a failed claim is retried at the next poll (and after a restart).
      if (store.getMeta(CLAIM_KEY) === "1") {
        await claimCredit();
        store.setMeta(CLAIM_KEY, "0");
      }
      return { delayMs: parameters.pollingIntervalMs };
    },
    (error) => logger.warn({ err: error }, "fraud defender step failed"),
    parameters.pollingIntervalMs,
  );
  return { ...loop, games: () => readGames() };
}

/** A strategy for a game the node cannot answer: only `timeout` is ever computed with it. */
const UNABLE: FraudNodeStrategy = {
  tensorRoots: () => {
    throw new Error("no trace");
  },
  nodesBelow: () => {
    throw new Error("no trace");
  },
  chunk: () => {
    throw new Error("no trace");
  },
  accumulators: () => {
    throw new Error("no trace");
  },
};
