import type { Address, Hex } from "viem";
import { decodeEventLog } from "viem";
import { fraudGameAbi } from "../chain/abis.generated";
import { ensureAllowance } from "../chain/actions/ensureAllowance";
import {
  claimFraudGame,
  getFraudClaimable,
  getFraudGameEvents,
  openFraudGame,
  previewFraudBond,
} from "../chain/actions/fraudGame";
import { getNode } from "../chain/actions/getNode";
import { getReceiptState } from "../chain/actions/getReceiptState";
import { ReceiptState } from "../chain/enums.generated";
import { TransactionRevertedError } from "../chain/errors";
import { nextFraudMove, readFraudGame } from "../chain/fraudGamePlayer";
import { sendContractCall } from "../chain/sendContractCall";
import {
  bytesToHex,
  decodePayload,
  getErrorMessage,
  hexToBytes,
  isTensorBundle,
  type BatchFileEntry,
  type Receipt,
  type Tensor,
} from "../protocol";
import { createChallenger, runIntegerModelV2 } from "../runtime/integerV2";
import { fetchTensorUri } from "../service/fetchContent";
import { checkServedTrace } from "./checkServedTrace";
import type { VerifierContext } from "./context";
import { isFraudProvable } from "./isFraudProvable";
import { locateReceipt } from "./pursueChallenges";
import { SINGLE_RECEIPT_DATA_HASH } from "./syncAttestations";
import type { FraudGameRecord } from "./VerdictStore";

/** Verdicts a fraud game can prove: a wrong output, or the right output with a trace the model does not produce. */
const PROVABLE = ["wrong-output", "wrong-trace"] as const;

/** What {@link pursueFraudGames} did in one step. */
export interface FraudGamesReport {
  opened: number;
  moves: number;
  won: number;
  lost: number;
  claimed: bigint;
}

/** Strategies by game id, rebuilt from the store and the chain after a restart. */
const strategies = new WeakMap<
  VerifierContext,
  Map<string, { strategy: ReturnType<typeof createChallenger>; input: Tensor }>
>();
/** What was logged per game id, so a step that changes nothing logs nothing. */
const logged = new WeakMap<VerifierContext, Map<string, string>>();

/**
 * Challenges wrong runtime-v2 receipts in the fraud-proof game and plays every game it opened to its end: opens a game
 * for each provable verdict not challenged yet (the intent, with the receipt and its input, stored before the
 * transaction; the chain asked first whether the receipt is already disputed, so a crash never opens a second), makes
 * one move in each open game whose turn it is (or calls `timeout` on a node that missed its deadline), records the
 * outcome, and claims what the game credited it. Everything is read from the store and the chain: a restart resumes.
 */
export async function pursueFraudGames(
  context: VerifierContext,
  entriesByBatch: ReadonlyMap<string, BatchFileEntry[]>,
): Promise<FraudGamesReport> {
  const report: FraudGamesReport = { opened: 0, moves: 0, won: 0, lost: 0, claimed: 0n };
  const fraudGame = context.addresses.fraudGame;
  if (!fraudGame || !context.challenge) return report;
  for (const kind of PROVABLE) {
    for (const verdict of context.store.verdicts({ verdict: kind })) {
      const existing = context.store.getFraudGame(verdict.receiptHash);
      if (existing && existing.state !== "intent") continue;
      // Taken by the committee path (a model that is not fraud-provable, or a challenge from before this version).
      if (!existing && context.store.getChallenge(verdict.receiptHash)) continue;
      const recordKey = verdict.batchId === SINGLE_RECEIPT_DATA_HASH ? verdict.receiptHash : verdict.batchId;
      if (!context.store.getBatch(recordKey)) continue;
      if (!(await isFraudProvable(context, verdict.modelId as Hex))) continue;
      try {
        if (await openGame(context, fraudGame, verdict.receiptHash, verdict.batchId, entriesByBatch)) report.opened++;
      } catch (error) {
        const message = getErrorMessage(error).split("\n")[0]!;
        const final = error instanceof TransactionRevertedError && error.errorName !== undefined;
        if (context.store.getFraudGame(verdict.receiptHash)) {
          context.store.updateFraudGame(verdict.receiptHash, {
            state: final ? "failed" : "intent",
            error: message,
            updatedAt: now(),
          });
        }
        context.logger.warn({ receiptHash: verdict.receiptHash, error: message, final }, "fraud game not opened");
      }
    }
  }
  for (const record of context.store.fraudGames(["open"])) {
    try {
      const result = await play(context, fraudGame, record);
      if (result === "moved") report.moves++;
      if (result === "won") report.won++;
      if (result === "lost") report.lost++;
    } catch (error) {
      const message = getErrorMessage(error).split("\n")[0]!;
      logOnce(context, record.gameId!, `error:${message}`, () =>
        context.logger.warn({ gameId: record.gameId, error: message }, "fraud game move failed; retrying"),
      );
    }
  }
  if (context.store.fraudGames(["won"]).length > 0) report.claimed = await claim(context, fraudGame);
  return report;
}

async function openGame(
  context: VerifierContext,
  fraudGame: Address,
  receiptHash: string,
  batchId: string,
  entriesByBatch: ReadonlyMap<string, BatchFileEntry[]>,
): Promise<boolean> {
  const { publicClient } = context.clients;
  const verdict = context.store.getVerdict(receiptHash)!;
  const located = await locateReceipt(context, verdict, entriesByBatch);
  if (!context.store.getFraudGame(receiptHash)) {
    const entry = entriesByBatch.get(batchId)?.find((e) => e.receipt.inputHash === located.receipt.inputHash);
    const input = await fetchInput(context, located.receipt.node, located.receipt.inputHash, entry);
    context.store.claimFraudGame({ receiptHash, batchId, receipt: located.receipt, input }, now());
  }
  const state = Number(
    await getReceiptState(publicClient, {
      address: context.addresses.attestationRegistry,
      receiptHash: receiptHash as Hex,
    }),
  );
  if (state !== ReceiptState.None) {
    // Already disputed: ours when a crash came between the transaction and its record.
    const [opened] = await getFraudGameEvents(publicClient, {
      address: fraudGame,
      eventName: "GameOpened",
      args: { receiptHash },
      fromBlock: 0n,
    }).then((logs) => logs.filter((l) => l.args.challenger.toLowerCase() === account(context).toLowerCase()).slice(-1));
    if (opened) {
      context.store.updateFraudGame(receiptHash, {
        state: "open",
        gameId: opened.args.id.toString(),
        openedAt: opened.blockNumber.toString(),
        txHash: opened.transactionHash,
        updatedAt: now(),
      });
      return false;
    }
    context.store.updateFraudGame(receiptHash, { state: "taken", error: `receipt state ${state}`, updatedAt: now() });
    return false;
  }
  const { receipt, batchId: onchainBatch, proof } = located;
  await checkTraceBeforeChallenge(context, receiptHash as Hex, receipt);
  const [bond] = await previewFraudBond(publicClient, { address: fraudGame, node: receipt.node });
  await ensureAllowance(context.clients, { token: context.addresses.token, spender: fraudGame, amount: bond });
  const txHash = await sendContractCall(
    context.clients,
    openFraudGame({
      address: fraudGame,
      receipt,
      batchId: onchainBatch as Hex,
      proof,
      beneficiary: context.beneficiary,
      maxBond: bond,
    }),
  );
  const mined = await publicClient.getTransactionReceipt({ hash: txHash });
  for (const log of mined.logs) {
    if (log.address.toLowerCase() !== fraudGame.toLowerCase()) continue;
    const event = decodeEventLog({ abi: fraudGameAbi, data: log.data, topics: log.topics, strict: false });
    if (event.eventName !== "GameOpened" || event.args.id === undefined) continue;
    context.store.updateFraudGame(receiptHash, {
      state: "open",
      gameId: event.args.id.toString(),
      openedAt: mined.blockNumber.toString(),
      txHash,
      error: null,
      updatedAt: now(),
    });
    context.logger.info(
      { receiptHash, gameId: event.args.id.toString(), bond: bond.toString(), node: receipt.node },
      "fraud game opened",
    );
    return true;
  }
  throw new Error(`no GameOpened in ${txHash}`);
}

/** The canonical encoding of the receipt's input, hex: from the batch file's entry, the content dir or the node. */
async function fetchInput(
  context: VerifierContext,
  node: Address,
  inputHash: Hex,
  entry: BatchFileEntry | undefined,
): Promise<string> {
  if (entry && "encoding" in entry.input) return entry.input.encoding;
  const { endpoint } = await getNode(context.clients.publicClient, { address: context.addresses.nodeRegistry, node });
  const uri = entry && "uri" in entry.input ? entry.input.uri : inputHash;
  return bytesToHex(await fetchTensorUri({ contentDir: context.contentDir, endpoint: endpoint || undefined }, uri));
}

async function play(
  context: VerifierContext,
  fraudGame: Address,
  record: FraudGameRecord,
): Promise<"moved" | "waiting" | "won" | "lost"> {
  const id = record.gameId!;
  const view = await readFraudGame(context.clients.publicClient, {
    address: fraudGame,
    id: BigInt(id),
    fromBlock: BigInt(record.openedAt ?? "0"),
  });
  const { strategy, input } = await strategyFor(context, record);
  const move = nextFraudMove(fraudGame, view, {
    side: "challenger",
    strategy,
    receipt: record.receipt,
    inputEncoding: strategy.inputEncoding(input),
  });
  switch (move.kind) {
    case "resolved": {
      const state = move.nodeWrong ? "won" : "lost";
      context.store.updateFraudGame(record.receiptHash, { state, updatedAt: now() });
      context.logger[move.nodeWrong ? "info" : "warn"](
        { gameId: id, receiptHash: record.receiptHash },
        `fraud game ${state}`,
      );
      strategies.get(context)?.delete(id);
      return state;
    }
    case "wait":
      return "waiting";
    case "lost-by-timeout":
      logOnce(context, id, "late", () =>
        context.logger.error({ gameId: id, deadline: move.deadline.toString() }, "fraud game move missed its deadline"),
      );
      return "waiting";
    case "send": {
      const txHash = await sendContractCall(context.clients, move.call);
      logOnce(context, id, `${move.phase}:${view.game.deadline}`, () =>
        context.logger.info({ gameId: id, move: move.name, txHash }, "fraud game move"),
      );
      return "moved";
    }
  }
}

/**
 * Before the challenge: fetches the trace the node serves for the receipt and checks it against the signed
 * `traceRoot` (src/verifier/checkServedTrace.ts). Logged: where the node's trace leaves the honest one, or that it is
 * missing or tampered (the game's on-chain reveals then show it). Never blocks the challenge.
 */
async function checkTraceBeforeChallenge(context: VerifierContext, receiptHash: Hex, receipt: Receipt): Promise<void> {
  const record = context.store.getFraudGame(receiptHash);
  const input = record && decodePayload(hexToBytes(record.input as Hex));
  if (!input || isTensorBundle(input)) return;
  const { endpoint } = await getNode(context.clients.publicClient, {
    address: context.addresses.nodeRegistry,
    node: receipt.node,
  });
  if (!endpoint) return;
  const { model } = await context.catalog.loadIntegerV2(receipt.modelId);
  const honest = runIntegerModelV2(model, input).trace;
  const checked = await checkServedTrace({ endpoint, receiptHash, traceRoot: receipt.traceRoot, honest });
  if (checked.status === "verified") {
    context.logger.info(
      { receiptHash, firstDifferingTensor: checked.firstDifference ?? null },
      "served trace verified against the receipt's trace root",
    );
  } else {
    context.logger.warn(
      { receiptHash, trace: checked.status, reason: checked.reason },
      "served trace unusable: the game's on-chain reveals will show the node's trace",
    );
  }
}

/** The honest challenger's strategy for a game: the model re-run on the stored input. */
async function strategyFor(context: VerifierContext, record: FraudGameRecord) {
  let byGame = strategies.get(context);
  if (!byGame) strategies.set(context, (byGame = new Map()));
  const cached = byGame.get(record.gameId!);
  if (cached) return cached;
  const { model, commitment } = await context.catalog.loadIntegerV2(record.receipt.modelId);
  const input = decodePayload(hexToBytes(record.input as Hex));
  if (isTensorBundle(input)) throw new Error("runtime-v2 inputs are one tensor");
  const honest = runIntegerModelV2(model, input);
  const entry = { strategy: createChallenger(model, commitment, honest.trace), input };
  byGame.set(record.gameId!, entry);
  return entry;
}

/**
 * Claims what the fraud game credited this verifier; marks won games claimed. Returns the amount. The game credits a
 * won game's bond and reward to its beneficiary, and only the beneficiary can claim them (`claim` pays the caller's own
 * credit): when the beneficiary is another address, the verifier claims nothing and marks its won games `credited`
 * (decided, left for the beneficiary to claim), never `claimed`.
 */
async function claim(context: VerifierContext, fraudGame: Address): Promise<bigint> {
  const won = context.store.fraudGames(["won"]);
  if (context.beneficiary.toLowerCase() !== account(context).toLowerCase()) {
    for (const game of won) {
      context.store.updateFraudGame(game.receiptHash, { state: "credited", updatedAt: now() });
      context.logger.info(
        { gameId: game.gameId, beneficiary: context.beneficiary },
        "fraud game won: credited to the beneficiary, which claims it itself",
      );
    }
    return 0n;
  }
  const owed = await getFraudClaimable(context.clients.publicClient, { address: fraudGame, account: account(context) });
  if (owed > 0n) {
    await sendContractCall(context.clients, claimFraudGame({ address: fraudGame, to: context.beneficiary }));
    context.logger.info({ amount: owed.toString(), to: context.beneficiary }, "fraud game credit claimed");
  }
  for (const game of won) {
    context.store.updateFraudGame(game.receiptHash, { state: "claimed", updatedAt: now() });
  }
  return owed;
}

function account(context: VerifierContext): Address {
  return context.clients.walletClient!.account.address;
}

function logOnce(context: VerifierContext, id: string, key: string, log: () => void): void {
  let byGame = logged.get(context);
  if (!byGame) logged.set(context, (byGame = new Map()));
  if (byGame.get(id) === key) return;
  byGame.set(id, key);
  log();
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
