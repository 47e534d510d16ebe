import { expect } from "chai";
import path from "node:path";
import type { Hex } from "viem";
import { attestationRegistryAbi } from "../../src/chain/abis.generated";
import { defineContractCall } from "../../src/chain/contractCall";
import { sendContractCall } from "../../src/chain/sendContractCall";
import { createHttpBatchSigner, type BatchSigner } from "../../src/keeper/requestBatchSignature";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import { getReceiptStructHash, parseBatchFile } from "../../src/protocol";
import {
  KEEPER,
  STRANGER,
  infer,
  postReceipts,
  quiet,
  startKeeperWorld,
  type KeeperWorld,
  type SignedReceiptJson,
} from "./setup";

type ReceiptStatus = { state: string; batchId: Hex | null };
type SignedBatch = {
  batchId: Hex;
  batch: { node: Hex; sequence: string; root: Hex; count: number; dataHash: Hex };
  signature: Hex;
};

/** The token the node and the keeper share: here it has leaked to an outsider. */
const TOKEN = "batch-secret";

describe("keeper when someone else has the node sign batches first (issue 9, item 13)", function () {
  this.timeout(240_000);
  let world: KeeperWorld;
  let keeper: Keeper;
  /** Runs after the node answered a keeper's batch request, before the keeper sees the answer. */
  let afterNodeSigned: ((request: Parameters<BatchSigner>[0]) => Promise<void>) | undefined;

  before(async function () {
    world = await startKeeperWorld();
    const httpSigner = createHttpBatchSigner({ token: TOKEN });
    keeper = await startKeeper({
      rpcUrl: world.system.chain.rpcUrl,
      deployment: world.system.deployment,
      account: world.system.account(KEEPER),
      db: path.join(world.dir, "keeper.sqlite"),
      maxBatchSize: 100,
      maxBatchAgeMs: 3_600_000,
      nodeEndpoints: { [world.node]: world.nodeService.url },
      batchToken: TOKEN,
      batchSigner: async (request) => {
        const answer = await httpSigner(request);
        await afterNodeSigned?.(request);
        return answer;
      },
      pollingIntervalMs: 50,
      logger: quiet(),
    });
  });

  after(async function () {
    await keeper?.close();
    await world?.stop();
  });

  const publicClient = () => world.system.clients(0).publicClient;
  const nextSequence = async () =>
    BigInt(
      await publicClient().readContract({
        address: world.system.addresses.attestationRegistry!,
        abi: attestationRegistryAbi,
        functionName: "nextSequence",
        args: [world.node],
      }),
    );

  async function queue(count: number, seed: number): Promise<SignedReceiptJson[]> {
    const signed: SignedReceiptJson[] = [];
    for (let i = 0; i < count; i++) signed.push(await infer(world, seed + i));
    const items = signed.map(({ receipt, signature }) => ({ receipt, signature }));
    expect((await postReceipts(keeper.url, items)).body.accepted).to.equal(count);
    return signed;
  }

  async function outsiderSigns(sequence: bigint, receiptHashes: Hex[]): Promise<SignedBatch> {
    const response = await fetch(`${world.nodeService.url}/v1/batches`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ sequence: sequence.toString(), receiptHashes }),
    });
    expect(response.status).to.equal(200);
    return (await response.json()) as SignedBatch;
  }

  /** How many attested batches on chain hold each receipt, from the batch files the node serves. */
  async function attestations(): Promise<Map<Hex, Hex[]>> {
    const events = await publicClient().getContractEvents({
      address: world.system.addresses.attestationRegistry!,
      abi: attestationRegistryAbi,
      eventName: "BatchSubmitted",
      fromBlock: 0n,
      strict: true,
    });
    const found = new Map<Hex, Hex[]>();
    for (const event of events) {
      const file = parseBatchFile(await (await fetch(`${world.nodeService.url}/batches/${event.args.id}`)).text());
      for (const entry of file.entries) {
        const hash = getReceiptStructHash(entry.receipt).toLowerCase() as Hex;
        found.set(hash, [...(found.get(hash) ?? []), event.args.id]);
      }
    }
    return found;
  }

  async function status(hash: Hex): Promise<ReceiptStatus> {
    return (await (await fetch(`${keeper.url}/v1/receipts/${hash}`)).json()) as ReceiptStatus;
  }

  it("an outsider who has the node sign the keeper's receipts first, and never submits, does not keep them from being attested exactly once", async function () {
    const signed = await queue(4, 1_000);
    const hashes = signed.map((s) => s.receiptHash.toLowerCase() as Hex);
    const squatted = await outsiderSigns(await nextSequence(), hashes.slice(0, 2));

    await keeper.flush({ timeoutMs: 60_000 });

    const attested = await attestations();
    for (const hash of hashes) {
      expect(attested.get(hash), `receipt ${hash}`).to.have.length(1);
      expect((await status(hash)).state).to.equal("attested");
    }
    expect([...attested.values()].flat(), "the outsider's batch is not on chain").to.not.include(squatted.batchId);
    const released = await fetch(`${world.nodeService.url}/v1/batches/${squatted.batchId}/release`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(((await released.json()) as { state: string }).state, "can never be submitted now").to.equal("dead");
  });

  it("an outsider who submits the batch it had signed, after the keeper had it released, attests those receipts once and the keeper re-plans only the rest", async function () {
    const signed = await queue(4, 2_000);
    const hashes = signed.map((s) => s.receiptHash.toLowerCase() as Hex);
    const sequence = await nextSequence();
    const squatted = await outsiderSigns(sequence, hashes.slice(0, 2));
    // The outsider front-runs the keeper: as soon as the node signed the keeper's batch at that sequence.
    let submitted = false;
    afterNodeSigned = async (request) => {
      if (submitted || request.sequence !== sequence) return;
      submitted = true;
      await sendContractCall(
        world.system.clients(STRANGER),
        defineContractCall({
          address: world.system.addresses.attestationRegistry!,
          abi: attestationRegistryAbi,
          functionName: "submitBatch",
          args: [{ ...squatted.batch, sequence: BigInt(squatted.batch.sequence) }, squatted.signature],
        }),
      );
    };
    try {
      await keeper.flush({ timeoutMs: 60_000 });
    } finally {
      afterNodeSigned = undefined;
    }
    expect(submitted, "the outsider's batch went first").to.equal(true);

    const attested = await attestations();
    for (const hash of hashes) expect(attested.get(hash), `receipt ${hash}`).to.have.length(1);
    for (const hash of hashes.slice(0, 2)) {
      expect(await status(hash)).to.include({ state: "attested", batchId: squatted.batchId });
    }
    for (const hash of hashes.slice(2)) {
      const { state, batchId } = await status(hash);
      expect(state).to.equal("attested");
      expect(batchId).to.not.equal(squatted.batchId);
      expect(attested.get(hash)).to.deep.equal([batchId]);
    }
    expect(await nextSequence()).to.equal(sequence + 2n);
  });
});
