import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ExplorerQueries } from "../../src/explorer/ExplorerQueries";
import { getBatchTreeProof, encodeBatchTree } from "../../src/indexer/batchTree";
import type { VerityEvent } from "../../src/indexer/decodeVerityLogs";
import { IndexStore, type IndexedTransaction } from "../../src/indexer/IndexStore";
import { rollBackIndex } from "../../src/indexer/rollBackIndex";
import { buildMerkleTree, bytesToHex, getMerkleProof, hexToBytes } from "../../src/protocol";

const NODE = `0x${"11".repeat(20)}`;
const CHALLENGER = `0x${"22".repeat(20)}`;
const KEEPER = `0x${"33".repeat(20)}`;
const JUDGE = `0x${"44".repeat(20)}`;
const RECEIPT = `0x${"aa".repeat(32)}`;
const BATCH = `0x${"bb".repeat(32)}`;
const tx = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

let log = 0;
function event(
  blockNumber: number,
  txNumber: number,
  contract: VerityEvent["contract"],
  name: string,
  args: VerityEvent["args"],
): VerityEvent {
  return { blockNumber, logIndex: log++, txHash: tx(txNumber), contract, name, args };
}

/** A node, its stake and one batch; the registry's judge is the game. */
const SETUP: VerityEvent[] = [
  event(1, 1, "nodeRegistry", "NodeRegistered", {
    node: NODE,
    signer: NODE,
    role: 0,
    endpoint: "http://n",
    models: [],
  }),
  event(1, 2, "staking", "Staked", { node: NODE, from: NODE, amount: "1000", activeStake: "1000" }),
  event(1, 3, "attestationRegistry", "FraudJudgeSet", { previous: `0x${"00".repeat(20)}`, judge: JUDGE }),
  event(2, 4, "attestationRegistry", "BatchSubmitted", {
    id: BATCH,
    node: NODE,
    sequence: "0",
    root: RECEIPT,
    count: 4,
    dataHash: RECEIPT,
    windowEnd: 5_000,
  }),
  event(2, 5, "inferenceRouter", "DisagreementNeedsFraudProof", {
    id: `0x${"cc".repeat(32)}`,
    node: NODE,
    receiptHash: RECEIPT,
    outputHash: `0x${"01".repeat(32)}`,
    conflictingOutputHash: `0x${"02".repeat(32)}`,
    judge: JUDGE,
  }),
];

/** A game in four transactions: opened, two moves, the verdict (with the slash), then the challenger's claim. */
const GAME: VerityEvent[] = [
  event(3, 10, "attestationRegistry", "ReceiptDisputed", {
    receiptHash: RECEIPT,
    batchId: BATCH,
    node: NODE,
    windowEnd: 9_000,
  }),
  event(3, 10, "fraudGame", "GameOpened", {
    id: "1",
    receiptHash: RECEIPT,
    node: NODE,
    batchId: BATCH,
    challenger: CHALLENGER,
    beneficiary: CHALLENGER,
    bond: "50",
    amountAtRisk: "500",
    deadline: 2_000,
  }),
  event(4, 11, "fraudGame", "TensorsRevealed", { id: "1", roots: [RECEIPT, RECEIPT], deadline: 2_100 }),
  event(5, 12, "fraudGame", "TensorPicked", { id: "1", tensor: "1", size: "10", depth: "1", deadline: 2_200 }),
  event(6, 13, "staking", "Slashed", { node: NODE, requested: "500", slashed: "500", toTreasury: "400" }),
  event(6, 13, "attestationRegistry", "ReceiptDisputeResolved", { receiptHash: RECEIPT, wrong: true }),
  event(6, 13, "fraudGame", "RewardCredited", { id: "1", account: CHALLENGER, amount: "150" }),
  event(6, 13, "fraudGame", "GameResolved", {
    id: "1",
    outcome: 1,
    reason: 2,
    slashed: "500",
    challengerReward: "100",
    expected: "0",
    computed: "0",
  }),
  event(7, 14, "fraudGame", "CreditClaimed", { account: CHALLENGER, to: CHALLENGER, amount: "150" }),
];

const TRANSACTIONS: IndexedTransaction[] = [
  { txHash: tx(10), sender: CHALLENGER, functionName: "challenge", gasUsed: 400_000n },
  { txHash: tx(11), sender: NODE, functionName: "revealTensors", gasUsed: 55_905n },
  { txHash: tx(12), sender: CHALLENGER, functionName: "pickTensor", gasUsed: 105_792n },
  { txHash: tx(13), sender: KEEPER, functionName: "proveOutputMismatch", gasUsed: 361_219n },
  { txHash: tx(14), sender: CHALLENGER, functionName: "claim", gasUsed: 40_000n },
];

describe("the index of fraud games, and its rollback", function () {
  let dir: string;
  let store: IndexStore;
  const apply = (events: VerityEvent[], nextBlock: number, transactions: IndexedTransaction[] = []) =>
    store.applyRange({
      events,
      timestamps: new Map([...events.map((e) => [e.blockNumber, 1_000 + e.blockNumber] as const)]),
      blockHashes: new Map(events.map((e) => [e.blockNumber, tx(900 + e.blockNumber)])),
      transactions,
      activeStakes: new Map(),
      nextBlock: BigInt(nextBlock),
      head: { number: BigInt(nextBlock - 1), timestamp: 1_000 + nextBlock - 1 },
    });

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-game-index-"));
    store = new IndexStore(path.join(dir, "index.sqlite"));
  });

  afterEach(function () {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("follows a game from its opening to the verdict and the claim: moves in order, who sent each, its gas", function () {
    apply(SETUP, 3);
    apply(GAME, 8, TRANSACTIONS);
    const queries = new ExplorerQueries(store);
    const game = queries.game("1")!;
    expect(game).to.include({ outcome: "node wrong", reason: "output mismatch", moves: 2, moveCount: 4 });
    expect(game.gas).to.equal(String(400_000 + 55_905 + 105_792 + 361_219));
    expect(game.timeline.map((e) => [e.name, e.by, e.functionName, e.blocksIn])).to.deep.equal([
      ["ReceiptDisputed", "challenger", "challenge", 0],
      ["GameOpened", "challenger", "challenge", 0],
      ["TensorsRevealed", "node", "revealTensors", 1],
      ["TensorPicked", "challenger", "pickTensor", 2],
      ["Slashed", "other", "proveOutputMismatch", 3],
      ["ReceiptDisputeResolved", "other", "proveOutputMismatch", 3],
      ["RewardCredited", "other", "proveOutputMismatch", 3],
      ["GameResolved", "other", "proveOutputMismatch", 3],
      ["CreditClaimed", null, null, 4],
    ]);
    expect(game.timeline.find((e) => e.name === "TensorPicked")!.gasUsed).to.equal("105792");
    expect(game.payouts.map((p) => [p.kind, p.amount])).to.deep.equal([["RewardCredited", "150"]]);
    // The receipt links its game; the node counts a lost dispute; the disagreement names the game that took it up.
    const [receipt] = queries.receipts(RECEIPT);
    expect(receipt!.state).to.equal("rejected");
    expect(receipt!.games.map((g) => g.gameId)).to.deep.equal(["1"]);
    expect(queries.node(NODE)).to.include({ disputesLost: 1, slashed: true });
    expect(queries.disagreements().map((d) => d.game?.gameId)).to.deep.equal(["1"]);
    expect(queries.fraudJudges().map((j) => j.judge)).to.deep.equal([JUDGE]);
  });

  it("an open game shows whose move is due; the list shows it open", function () {
    apply(SETUP, 3);
    apply(GAME.slice(0, 3), 5, TRANSACTIONS.slice(0, 2));
    const [game] = new ExplorerQueries(store).games();
    expect(game).to.include({
      gameId: "1",
      outcome: "open",
      lastMove: "TensorsRevealed",
      deadline: 2_100,
      reason: null,
    });
  });

  it("a rollback leaves the index exactly as if the blocks above the fork had never been read", function () {
    const tables = ["events", "nodes", "node_counters", "games", "receipts", "payouts", "slashes", "stake_changes"];
    const snapshot = () =>
      Object.fromEntries(
        [...tables, "transactions", "blocks"].map((t) => [t, store.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]),
      );
    apply(SETUP, 3);
    apply(GAME.slice(0, 3), 5, TRANSACTIONS.slice(0, 2));
    const atFork = { ...snapshot(), meta: [store.cursor(), store.head()] };
    apply(GAME.slice(3), 8, TRANSACTIONS.slice(2));
    expect(store.prepare("SELECT COUNT(*) AS n FROM slashes").get()).to.deep.equal({ n: 1 });
    const { removedEvents } = rollBackIndex(store, 4n);
    expect(removedEvents).to.equal(GAME.length - 3);
    expect({ ...snapshot(), meta: [store.cursor(), store.head()] }).to.deep.equal(atFork);
  });

  it("slices a receipt's proof from the stored tree, equal to the proof of the rebuilt tree", function () {
    const leaves = Array.from({ length: 37 }, (_, i) => tx(1_000 + i * 7919));
    const stored = encodeBatchTree(leaves);
    const tree = buildMerkleTree(leaves.map((l) => hexToBytes(l)));
    for (const index of [0, 1, 17, 36]) {
      expect(getBatchTreeProof(stored, index)).to.deep.equal(getMerkleProof(tree, index).map((p) => bytesToHex(p)));
    }
    expect(() => getBatchTreeProof(stored, 37)).to.throw(RangeError);
  });
});
