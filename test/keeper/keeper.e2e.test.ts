import { expect } from "chai";
import path from "node:path";
import type { Hex } from "viem";
import { attestationRegistryAbi, nodeRegistryAbi } from "../../src/chain/abis.generated";
import { defineContractCall } from "../../src/chain/contractCall";
import { sendContractCall } from "../../src/chain/sendContractCall";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import {
  buildReceiptBatch,
  parseBatchFile,
  parseReceipt,
  signReceipt,
  toHighSSignature,
  type Receipt,
} from "../../src/protocol";
import { KEEPER, OPERATOR, STRANGER, infer, postReceipts, quiet, startKeeperWorld, type KeeperWorld } from "./setup";

type ReceiptStatus = { state: string; batchId: Hex | null };

describe("keeper end to end with the real node service on a real JSON-RPC chain", function () {
  this.timeout(240_000);
  let world: KeeperWorld;
  let keeper: Keeper;

  before(async function () {
    world = await startKeeperWorld();
    keeper = await startKeeper({
      rpcUrl: world.system.chain.rpcUrl,
      deployment: world.system.deployment,
      account: world.system.account(KEEPER),
      db: path.join(world.dir, "keeper.sqlite"),
      maxBatchSize: 4,
      maxBatchAgeMs: 3_600_000,
      nodeEndpoints: { [world.node]: world.nodeService.url },
      batchToken: "batch-secret",
      pollingIntervalMs: 50,
      logger: quiet(),
    });
  });

  after(async function () {
    await keeper?.close();
    await world?.stop();
  });

  describe("when a node forwards valid receipts", function () {
    it("stores each once, batches them, and attests every one on chain exactly once", async function () {
      const signed = [];
      for (let i = 0; i < 10; i++) signed.push(await infer(world, i + 1));
      const items = signed.map(({ receipt, signature }) => ({ receipt, signature }));

      const first = await postReceipts(keeper.url, items);
      expect(first.status).to.equal(200);
      expect(first.body).to.deep.equal({ accepted: 10, duplicates: 0, rejected: [] });
      const again = await postReceipts(keeper.url, items.slice(0, 6));
      expect(again.body).to.deep.equal({ accepted: 0, duplicates: 6, rejected: [] });

      await keeper.flush();

      const publicClient = world.system.clients(0).publicClient;
      const events = await publicClient.getContractEvents({
        address: world.system.addresses.attestationRegistry!,
        abi: attestationRegistryAbi,
        eventName: "BatchSubmitted",
        fromBlock: 0n,
      });
      expect(events.map((e) => Number(e.args.count))).to.deep.equal([4, 4, 2]);
      expect(events.map((e) => e.args.sequence)).to.deep.equal([1n, 2n, 3n]);
      expect(keeper.counts.batchesSubmitted).to.equal(3);
      expect(keeper.counts.batchGasUsed).to.have.length(3);

      const attested = new Map<Hex, Hex>();
      for (const event of events) {
        const response = await fetch(`${world.nodeService.url}/batches/${event.args.id}`);
        const file = parseBatchFile(await response.text());
        for (const entry of file.entries) {
          const hash = signed.find((s) => parseReceipt(s.receipt).requestId === entry.receipt.requestId)!.receiptHash;
          expect(attested.has(hash), "attested once").to.equal(false);
          attested.set(hash, event.args.id!);
        }
      }
      expect(attested.size).to.equal(10);

      for (const { receipt, receiptHash } of signed) {
        const status = (await (await fetch(`${keeper.url}/v1/receipts/${receiptHash}`)).json()) as ReceiptStatus;
        expect(status.state).to.equal("attested");
        expect(status.batchId).to.equal(attested.get(receiptHash));
        const batchId = attested.get(receiptHash)!;
        const file = parseBatchFile(await (await fetch(`${world.nodeService.url}/batches/${batchId}`)).text());
        const built = buildReceiptBatch(file.entries.map((e) => e.receipt));
        const parsed = parseReceipt(receipt);
        const leaf = built.receipts.findIndex((r) => r.requestId === parsed.requestId);
        const included = await publicClient.readContract({
          address: world.system.addresses.attestationRegistry!,
          abi: attestationRegistryAbi,
          functionName: "verifyInclusion",
          args: [parsed, batchId, built.proofs[leaf]!],
        });
        expect(included).to.equal(true);
      }
    });
  });

  describe("when receipts are malformed, forged or signed by the wrong key", function () {
    it("rejects each with its index and a message and stores none of them", async function () {
      const good = await infer(world, 500);
      const receipt = parseReceipt(good.receipt);
      const json = (r: Receipt) => ({ ...r, issuedAt: r.issuedAt.toString() });
      const forged = { ...receipt, outputHash: `0x${"ee".repeat(32)}` as Hex };
      const wrongSigner = await signReceipt({
        signer: world.system.account(STRANGER),
        domain: {
          chainId: world.system.deployment.chainId,
          verifyingContract: world.system.addresses.attestationRegistry!,
        },
        receipt,
      });
      const unregistered = { ...receipt, node: world.system.account(STRANGER).address };
      const { receiptHash: _omit, ...malformedReceipt } = { ...good.receipt, receiptHash: "", issuedAt: undefined };
      const items = [
        { receipt: malformedReceipt, signature: good.signature },
        { receipt: json(forged), signature: good.signature },
        { receipt: good.receipt, signature: toHighSSignature(good.signature) },
        { receipt: good.receipt, signature: wrongSigner },
        { receipt: json(unregistered), signature: good.signature },
        { receipt: good.receipt, signature: "0x1234" },
      ];
      const { status, body } = await postReceipts(keeper.url, items);
      expect(status).to.equal(400);
      expect(body.accepted).to.equal(0);
      expect(body.rejected.map((r) => [r.index, r.error])).to.deep.equal([
        [0, "InvalidReceipt"],
        [1, "WrongSigner"],
        [2, "InvalidSignature"],
        [3, "WrongSigner"],
        [4, "NodeNotRegistered"],
        [5, "InvalidReceipt"],
      ]);
      expect(body.rejected[0]!.message).to.match(/issuedAt/);
      expect(body.rejected[2]!.message).to.match(/high s/);
      expect(body.rejected[3]!.message).to.match(/registered signer/);
      expect((await fetch(`${keeper.url}/v1/receipts/${good.receiptHash}`)).status).to.equal(404);
      expect(keeper.store.queuedCount()).to.equal(0);

      const mixed = await postReceipts(keeper.url, [items[1], { receipt: good.receipt, signature: good.signature }]);
      expect(mixed.status).to.equal(200);
      expect(mixed.body.accepted).to.equal(1);
      expect(mixed.body.rejected.map((r) => r.index)).to.deep.equal([0]);
      const status2 = (await (await fetch(`${keeper.url}/v1/receipts/${good.receiptHash}`)).json()) as ReceiptStatus;
      expect(status2.state).to.equal("queued");
    });

    it("answers 400 for a body that is not a list of receipts", async function () {
      const response = await fetch(`${keeper.url}/v1/receipts`, { method: "POST", body: "{nope" });
      expect(response.status).to.equal(400);
      expect(((await response.json()) as { error: string }).error).to.equal("InvalidBody");
      const empty = await postReceipts(keeper.url, []);
      expect(empty.status).to.equal(400);
    });
  });

  describe("its health and metrics", function () {
    it("reports ok with the chain head and counts in Prometheus text", async function () {
      const health = (await (await fetch(`${keeper.url}/health`)).json()) as { status: string };
      expect(health.status).to.equal("ok");
      const metrics = await (await fetch(`${keeper.url}/metrics`)).text();
      expect(metrics).to.match(/verity_keeper_receipts_accepted_total 11/);
      expect(metrics).to.match(/verity_keeper_batches_submitted_total 3/);
    });
  });

  describe("when the node rotates its signer", function () {
    it("accepts receipts by the new signer at once (refreshing its cache) and refuses the old one's", async function () {
      const { system } = world;
      const cached = await infer(world, 900);
      expect(
        (await postReceipts(keeper.url, [{ receipt: cached.receipt, signature: cached.signature }])).body.accepted,
        "old signer cached",
      ).to.equal(1);
      const newSigner = system.account(16);
      await sendContractCall(
        system.clients(OPERATOR),
        defineContractCall({
          address: system.addresses.nodeRegistry!,
          abi: nodeRegistryAbi,
          functionName: "rotateSigner",
          args: [newSigner.address],
        }),
      );
      const old = await infer(world, 901);
      const receipt = parseReceipt(old.receipt);
      const domain = { chainId: system.deployment.chainId, verifyingContract: system.addresses.attestationRegistry! };
      const fresh = await signReceipt({ signer: newSigner, domain, receipt });
      // The new signer's receipt refreshes the cached registration; the old key is refused from then on.
      const stale = await infer(world, 902);
      const { status, body } = await postReceipts(keeper.url, [
        { receipt: old.receipt, signature: fresh },
        { receipt: stale.receipt, signature: stale.signature },
      ]);
      expect(status).to.equal(200);
      expect(body.accepted).to.equal(1);
      expect(body.rejected.map((r) => [r.index, r.error])).to.deep.equal([[1, "WrongSigner"]]);
    });
  });
});
