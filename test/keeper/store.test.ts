import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Address, Hex } from "viem";
import { main } from "../../src/cli/verity";
import { parseKeeperConfig } from "../../src/config/keeperConfig";
import { backoffDelay } from "../../src/service/backoff";
import { KeeperStore, type ValidReceipt } from "../../src/keeper/KeeperStore";
import { getReceiptStructHash, type Receipt } from "../../src/protocol";

const NODE: Address = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const OTHER: Address = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

function receipt(i: number, node: Address = NODE, routerRequest = false): ValidReceipt {
  const word = (tag: number) => `0x${tag.toString(16).padStart(2, "0")}${i.toString(16).padStart(62, "0")}` as Hex;
  const r: Receipt = {
    requestId: word(1),
    modelId: word(2),
    inputHash: word(3),
    outputHash: word(4),
    traceRoot: `0x${"00".repeat(32)}`,
    node,
    issuedAt: 1_700_000_000n + BigInt(i),
  };
  return { hash: getReceiptStructHash(r), receipt: r, signature: `0x${"11".repeat(64)}1b`, routerRequest };
}

describe("KeeperStore", function () {
  let dir: string;
  let store: KeeperStore;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-keeper-store-"));
    store = new KeeperStore(path.join(dir, "keeper.sqlite"));
  });

  afterEach(function () {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("insertReceipts", function () {
    it("stores new receipts once and counts the rest as duplicates", function () {
      expect(store.insertReceipts([receipt(1), receipt(2)])).to.deep.equal({ accepted: 2, duplicates: 0 });
      expect(store.insertReceipts([receipt(2), receipt(3), receipt(3)])).to.deep.equal({ accepted: 1, duplicates: 2 });
      expect(store.queuedCount()).to.equal(3);
      const stored = store.receipt(receipt(1).hash)!;
      expect(stored.receipt).to.deep.equal(receipt(1).receipt);
      expect(stored.batch).to.equal(null);
    });

    it("groups the queue per node with its oldest arrival", function () {
      store.insertReceipts([receipt(1)], 1_000);
      store.insertReceipts([receipt(2, OTHER), receipt(3)], 2_000);
      expect(store.queuedNodes()).to.have.deep.members([
        { node: NODE, queued: 2, oldest: 1_000 },
        { node: OTHER, queued: 1, oldest: 2_000 },
      ]);
    });
  });

  describe("batch plans", function () {
    it("assigns members in one transaction and refuses a receipt that is already planned", function () {
      store.insertReceipts([1, 2, 3].map((i) => receipt(i)));
      const members = store.queuedOf(NODE, 2).map((r) => r.hash);
      const id = store.planBatch({ node: NODE, sequence: 1n, root: `0x${"aa".repeat(32)}`, members });
      expect(store.members(id).map((r) => r.hash)).to.deep.equal(members);
      expect(store.queuedCount()).to.equal(1);
      expect(store.lastSequence(NODE)).to.equal(1n);
      expect(() =>
        store.planBatch({ node: NODE, sequence: 2n, root: `0x${"bb".repeat(32)}`, members: [members[0]!] }),
      ).to.throw(/not queued/);
      expect(store.openBatches()).to.have.length(1);
      expect(store.lastSequence(NODE)).to.equal(1n);
    });

    it("walks planned → signed → submitted → attested, and opens router work for router receipts", function () {
      store.insertReceipts([receipt(1), receipt(2, NODE, true)]);
      const id = store.planBatch({
        node: NODE,
        sequence: 1n,
        root: `0x${"aa".repeat(32)}`,
        members: [receipt(1).hash, receipt(2).hash],
      });
      store.markSigned(id, `0x${"cc".repeat(32)}`, `0x${"11".repeat(65)}`);
      expect(store.batch(id)!.state).to.equal("signed");
      store.markSubmitted(id, [`0x${"dd".repeat(32)}`], "0x02", 7);
      expect(store.batch(id)).to.include({ state: "submitted", nonce: 7, rawTx: "0x02" });
      store.unsubmit(id, "nonce used");
      expect(store.batch(id)).to.include({ state: "signed", nonce: null, error: "nonce used" });
      expect(store.batch(id)!.txHashes).to.deep.equal([`0x${"dd".repeat(32)}`]);
      store.markAttested(id, 70_000n, 12n);
      expect(store.batch(id)).to.include({ state: "attested", gasUsed: 70_000n, blockNumber: 12n });
      expect(store.openBatches()).to.deep.equal([]);
      expect(store.openTasks().map((t) => [t.receiptHash, t.state])).to.deep.equal([[receipt(2).hash, "fulfil"]]);
    });

    it("re-plans with a new sequence, dropping the old signature", function () {
      store.insertReceipts([receipt(1)]);
      const id = store.planBatch({
        node: NODE,
        sequence: 1n,
        root: `0x${"aa".repeat(32)}`,
        members: [receipt(1).hash],
      });
      store.markSigned(id, `0x${"cc".repeat(32)}`, `0x${"11".repeat(65)}`);
      store.replan(id, 4n, "chain expects 4");
      expect(store.batch(id)).to.include({ state: "planned", sequence: 4n, signature: null, error: "chain expects 4" });
    });

    it("gives a failed plan's members back to the queue", function () {
      store.insertReceipts([receipt(1)]);
      const id = store.planBatch({
        node: NODE,
        sequence: 1n,
        root: `0x${"aa".repeat(32)}`,
        members: [receipt(1).hash],
      });
      store.failBatch(id, "gone", true);
      expect(store.queuedCount()).to.equal(1);
      expect(store.lastSequence(NODE)).to.equal(null);
    });
  });
});

describe("backoffDelay", function () {
  it("doubles up to its cap, with jitter in the upper half", function () {
    expect(backoffDelay(1, 100, 10_000, () => 0)).to.equal(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).to.equal(100);
    expect(backoffDelay(4, 100, 10_000, () => 1)).to.equal(800);
    expect(backoffDelay(40, 100, 10_000, () => 1)).to.equal(10_000);
  });
});

describe("verity keeper", function () {
  it("refuses a bad setting, naming it", function () {
    expect(() =>
      parseKeeperConfig({
        rpcUrl: "not a url",
        deployment: "d.json",
        db: "k.sqlite",
        host: "127.0.0.1",
        port: "8547",
        maxBatchSize: "0",
        maxBatchAgeMs: "1000",
        intervalMs: "500",
        replaceAfterMs: "60000",
        nodes: ["0x1234=http://x"],
        settle: true,
        logLevel: "info",
      }),
    ).to.throw(/rpcUrl.*maxBatchSize.*nodes/);
  });

  it("run: exits 2 without a key in the environment", async function () {
    const saved = { key: process.env.VERITY_KEEPER_KEY, store: process.env.VERITY_KEEPER_KEYSTORE };
    delete process.env.VERITY_KEEPER_KEY;
    delete process.env.VERITY_KEEPER_KEYSTORE;
    try {
      expect(await main(["node", "verity", "keeper", "run", "--port", "0"])).to.equal(2);
    } finally {
      if (saved.key !== undefined) process.env.VERITY_KEEPER_KEY = saved.key;
      if (saved.store !== undefined) process.env.VERITY_KEEPER_KEYSTORE = saved.store;
    }
  });

  it("status --json: prints the queue and batches of a keeper database", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-keeper-status-"));
    const file = path.join(dir, "keeper.sqlite");
    const store = new KeeperStore(file);
    store.insertReceipts([receipt(1), receipt(2)]);
    const id = store.planBatch({ node: NODE, sequence: 1n, root: `0x${"aa".repeat(32)}`, members: [receipt(1).hash] });
    store.markAttested(id, 60_000n, 3n);
    store.close();
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(["node", "verity", "keeper", "status", "--db", file, "--json"]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).to.equal(0);
    const status = JSON.parse(written.join("")) as { queued: number; batches: unknown[]; recent: { state: string }[] };
    expect(status.queued).to.equal(1);
    expect(status.batches).to.deep.equal([{ state: "attested", batches: 1, receipts: 1 }]);
    expect(status.recent[0]!.state).to.equal("attested");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
