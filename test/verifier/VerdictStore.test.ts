import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { VerdictStore, type ReceiptVerdict } from "../../src/verifier/VerdictStore";
import { shouldAudit } from "../../src/verifier/shouldAudit";

function tempDb(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-verdicts-")), "verifier.sqlite");
}

const batch = {
  batchId: "0xb1",
  node: "0x00000000000000000000000000000000000000aa",
  sequence: 1n,
  root: "0xr",
  count: 2,
  dataHash: "0xd",
  windowEnd: 1_000,
  blockNumber: 7n,
  txHash: "0xt",
  receipt: null,
};

function verdict(receiptHash: string, kind: ReceiptVerdict["verdict"]): ReceiptVerdict {
  return {
    receiptHash,
    batchId: batch.batchId,
    node: batch.node,
    requestId: "0x01",
    modelId: "0x02",
    verdict: kind,
    reason: kind,
    claimedOutputHash: "0x03",
    replayOutputHash: "0x04",
    checkedAt: 100,
  };
}

describe("VerdictStore", function () {
  it("keeps the cursor, batches, verdicts, challenges and duties across a reopen", function () {
    const file = tempDb();
    const store = new VerdictStore(file);
    expect(store.cursor()).to.equal(undefined);
    const secret = store.samplingSecret();
    store.recordBlocks([batch], 8n);
    store.recordBlocks([batch], 9n);
    expect(store.dueBatches(0)).to.have.length(1);
    store.completeBatch(batch.batchId, [verdict("0xaa", "valid"), verdict("0xbb", "wrong-output")]);
    expect(store.claimChallenge("0xbb", batch.batchId, 100)).to.equal(true);
    store.updateChallenge("0xbb", { state: "sent", txHash: "0xtx", updatedAt: 101 });
    store.recordDuty({ disputeId: "1", verdict: 1, outputHash: "0x05", salt: "0x06" }, 100);
    store.close();

    const reopened = new VerdictStore(file);
    expect(reopened.cursor()).to.equal(9n);
    expect(reopened.samplingSecret().equals(secret)).to.equal(true);
    expect(reopened.dueBatches(0)).to.have.length(0);
    expect(reopened.getBatch(batch.batchId)?.status).to.equal("audited");
    expect(reopened.verdicts({ verdict: "wrong-output" }).map((v) => v.receiptHash)).to.deep.equal(["0xbb"]);
    expect(reopened.getChallenge("0xbb")).to.include({ state: "sent", txHash: "0xtx" });
    expect(reopened.claimChallenge("0xbb", batch.batchId, 200)).to.equal(false);
    expect(reopened.recordDuty({ disputeId: "1", verdict: 0, outputHash: "0x07", salt: "0x08" }, 200)).to.include({
      verdict: 1,
      salt: "0x06",
    });
    reopened.close();
  });

  it("backs off failed audits exponentially and gives up after the maximum attempts", function () {
    const store = new VerdictStore(tempDb());
    store.recordBlocks([batch], 8n);
    // The service's backoff (2 s doubling, capped at 10 min), at the top of its jitter here.
    store.retryBatch(batch.batchId, "endpoint unreachable", 1_000, 3, () => 1);
    expect(store.getBatch(batch.batchId)).to.include({ attempts: 1, nextAttemptAt: 1_002, status: "pending" });
    expect(store.dueBatches(1_001)).to.have.length(0);
    expect(store.dueBatches(1_002)).to.have.length(1);
    store.retryBatch(batch.batchId, "endpoint unreachable", 1_002, 3, () => 0);
    expect(store.getBatch(batch.batchId)).to.include({ attempts: 2, nextAttemptAt: 1_004 });
    store.retryBatch(batch.batchId, "endpoint unreachable", 1_010, 3);
    expect(store.getBatch(batch.batchId)).to.include({ status: "failed", lastError: "endpoint unreachable" });
    store.close();
  });
});

describe("VerdictStore fraud games (migration 2)", function () {
  const receipt = {
    requestId: "0x01",
    modelId: "0x02",
    inputHash: "0x03",
    outputHash: "0x04",
    traceRoot: "0x05",
    node: "0x00000000000000000000000000000000000000aa",
    issuedAt: 2n ** 63n,
  } as const;

  it("records a game once, with its receipt and input, and keeps its state across a reopen", function () {
    const file = tempDb();
    let store = new VerdictStore(file);
    const record = { receiptHash: "0xr1", batchId: "0xb1", receipt, input: "0xabcd" };
    expect(store.claimFraudGame(record, 10)).to.equal(true);
    expect(store.claimFraudGame({ ...record, input: "0xffff" }, 11)).to.equal(false, "never a second intent");
    store.updateFraudGame("0xr1", { state: "open", gameId: "7", openedAt: "42", txHash: "0xt", updatedAt: 12 });
    store.close();

    store = new VerdictStore(file);
    const game = store.getFraudGame("0xr1")!;
    expect(game).to.deep.include({ state: "open", gameId: "7", openedAt: "42", input: "0xabcd", batchId: "0xb1" });
    expect(game.receipt).to.deep.equal(receipt);
    expect(store.fraudGames(["open"]).map((g) => g.receiptHash)).to.deep.equal(["0xr1"]);
    expect(store.fraudGames(["won"])).to.deep.equal([]);
    expect(() => store.updateFraudGame("0xnone", { state: "won" })).to.throw(/no fraud game/);
    store.close();
  });
});

describe("shouldAudit", function () {
  const secret = Buffer.alloc(32, 7);

  it("audits all at share 1, none at share 0, and rejects shares outside [0, 1]", function () {
    expect(shouldAudit(secret, "0x01", 1)).to.equal(true);
    expect(shouldAudit(secret, "0x01", 0)).to.equal(false);
    expect(() => shouldAudit(secret, "0x01", 1.5)).to.throw(RangeError, "audit share");
  });

  it("samples close to the share, deterministically per secret, differently across secrets", function () {
    const leaves = Array.from({ length: 4000 }, (_, i) => `0x${i.toString(16).padStart(64, "0")}`);
    const picked = leaves.filter((leaf) => shouldAudit(secret, leaf, 0.25));
    expect(picked.length).to.be.within(900, 1100);
    expect(leaves.filter((leaf) => shouldAudit(secret, leaf, 0.25))).to.deep.equal(picked);
    const other = leaves.filter((leaf) => shouldAudit(Buffer.alloc(32, 8), leaf, 0.25));
    expect(other).to.not.deep.equal(picked);
  });
});
