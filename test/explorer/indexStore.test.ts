import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { VerityEvent } from "../../src/indexer/decodeVerityLogs";
import { IndexStore } from "../../src/indexer/IndexStore";
import { ExplorerQueries } from "../../src/explorer/ExplorerQueries";

const NODE = `0x${"11".repeat(20)}`;
const CHALLENGER = `0x${"22".repeat(20)}`;
const RECEIPT = `0x${"aa".repeat(32)}`;
const BATCH = `0x${"bb".repeat(32)}`;
const TX = `0x${"cc".repeat(32)}` as const;

let log = 0;
function event(
  blockNumber: number,
  contract: VerityEvent["contract"],
  name: string,
  args: VerityEvent["args"],
): VerityEvent {
  return { blockNumber, logIndex: log++, txHash: TX, contract, name, args };
}

const RANGE_1: VerityEvent[] = [
  event(1, "nodeRegistry", "NodeRegistered", {
    node: NODE,
    signer: CHALLENGER,
    role: 0,
    endpoint: "http://n",
    models: [],
  }),
  event(1, "staking", "Staked", { node: NODE, from: NODE, amount: "1000", activeStake: "1000" }),
  event(2, "attestationRegistry", "BatchSubmitted", {
    id: BATCH,
    node: NODE,
    sequence: "0",
    root: RECEIPT,
    count: 3,
    dataHash: RECEIPT,
    windowEnd: 5_000,
  }),
];
const RANGE_2: VerityEvent[] = [
  event(3, "attestationRegistry", "ReceiptDisputed", {
    receiptHash: RECEIPT,
    batchId: BATCH,
    node: NODE,
    windowEnd: 9_000,
  }),
  event(3, "disputeManager", "DisputeOpened", {
    id: "1",
    receiptHash: RECEIPT,
    node: NODE,
    batchId: BATCH,
    challenger: CHALLENGER,
    beneficiary: CHALLENGER,
    outputHash: RECEIPT,
    bond: "50",
    amountAtRisk: "500",
    drawBlock: "4",
  }),
  event(4, "staking", "Slashed", { node: NODE, requested: "500", slashed: "500", toTreasury: "350" }),
  event(4, "nodeRegistry", "NodeJailed", { node: NODE }),
  event(4, "attestationRegistry", "ReceiptDisputeResolved", { receiptHash: RECEIPT, wrong: true }),
  event(4, "disputeManager", "DisputeResolved", {
    id: "1",
    outcome: 1,
    slashed: "500",
    challengerReward: "100",
    voterRewards: "50",
    toTreasury: "350",
  }),
];

describe("IndexStore", function () {
  let dir: string;
  let store: IndexStore;
  const apply = (events: VerityEvent[], nextBlock: number, stake = new Map<string, bigint>()) =>
    store.applyRange({
      events,
      timestamps: new Map(events.map((e) => [e.blockNumber, 1_000 + e.blockNumber])),
      activeStakes: stake,
      nextBlock: BigInt(nextBlock),
      head: { number: BigInt(nextBlock - 1), timestamp: 1_000 + nextBlock },
    });

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-index-store-"));
    store = new IndexStore(path.join(dir, "index.sqlite"));
  });

  afterEach(function () {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("projects events into nodes, stake, batches, receipts, disputes, slashes and counters, and moves the cursor", function () {
    expect(apply(RANGE_1, 3)).to.equal(3);
    expect(apply(RANGE_2, 5, new Map([[NODE, 500n]]))).to.equal(6);
    expect(store.cursor()).to.equal(5n);
    const queries = new ExplorerQueries(store);
    const node = queries.node(NODE)!;
    expect(node).to.include({ jailed: true, slashed: true, activeStake: "500", receipts: 3, disputesLost: 1 });
    expect(node.stakeHistory.map((s) => [s.kind, s.activeStake])).to.deep.equal([
      ["stake", "1000"],
      ["slash", "500"],
    ]);
    const [receipt] = queries.receipts(RECEIPT);
    expect(receipt).to.include({ state: "rejected", batchId: BATCH, dispute: "rejected" });
    expect(queries.dispute("1")!.timeline.map((e) => e.name)).to.deep.equal([
      "ReceiptDisputed",
      "DisputeOpened",
      "Slashed",
      "NodeJailed",
      "ReceiptDisputeResolved",
      "DisputeResolved",
    ]);
    expect(queries.overview()).to.deep.include({ totalStake: "500", slashes: { count: 1, total: "500" } });
  });

  it("stores a re-read range once: no event, counter or amount is counted twice", function () {
    apply(RANGE_1, 3);
    apply(RANGE_2, 5);
    const snapshot = () => ({
      counters: store.prepare("SELECT * FROM node_counters").all(),
      nodes: store.prepare("SELECT * FROM nodes").all(),
      events: store.prepare("SELECT COUNT(*) AS n FROM events").get(),
      hours: store.prepare("SELECT * FROM receipt_hours").all(),
    });
    const before = snapshot();
    expect(apply(RANGE_1, 3)).to.equal(0);
    expect(apply(RANGE_2, 5)).to.equal(0);
    expect(snapshot()).to.deep.equal(before);
  });

  it("refuses a database written by a newer schema", function () {
    store.db.pragma("user_version = 99");
    store.close();
    expect(() => new IndexStore(path.join(dir, "index.sqlite"))).to.throw(/schema version 99/);
    store = new IndexStore(path.join(dir, "other.sqlite"));
  });
});
