import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ExplorerQueries } from "../../src/explorer/ExplorerQueries";
import { getBatchTreeProof, encodeBatchTree } from "../../src/indexer/batchTree";
import type { VerityEvent } from "../../src/indexer/decodeVerityLogs";
import { IndexStore, type IndexedTransaction } from "../../src/indexer/IndexStore";
import { GAME, JUDGE, NODE, RECEIPT, SETUP, TRANSACTIONS, tx } from "./fraudGameFixture";
import { rollBackIndex } from "../../src/indexer/rollBackIndex";
import { buildMerkleTree, bytesToHex, getMerkleProof, hexToBytes } from "../../src/protocol";

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
