import { expect } from "chai";
import path from "node:path";
import { createTestClient, http, type Hex } from "viem";
import { attestationRegistryAbi, disputeManagerAbi } from "../../src/chain/abis.generated";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import type { VerifierContext } from "../../src/verifier/context";
import { runVerifierStep } from "../../src/verifier/runVerifierStep";
import { createTestVerifierContext } from "./setup";
import { KEEPER, freePort, infer, postReceipts, quiet, startKeeperWorld, type KeeperWorld } from "../keeper/setup";

const VERIFIER = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("verifier on a chain that reorganizes (issue 9, item 15)", function () {
  this.timeout(300_000);
  let world: KeeperWorld;
  let keeper: Keeper;
  let context: VerifierContext;
  const testClient = () => createTestClient({ mode: "hardhat", transport: http(world.system.chain.rpcUrl) });
  const publicClient = () => world.system.clients(0).publicClient;

  before(async function () {
    world = await startKeeperWorld({ nodePort: await freePort(), dishonestShare: 1 });
    keeper = await startKeeper({
      rpcUrl: world.system.chain.rpcUrl,
      deployment: world.system.deployment,
      account: world.system.account(KEEPER),
      db: path.join(world.dir, "keeper.sqlite"),
      maxBatchSize: 100,
      maxBatchAgeMs: 3_600_000,
      batchToken: "batch-secret",
      pollingIntervalMs: 50,
      // The keeper waits long enough for the reorganization below to catch its batch unconfirmed.
      confirmations: 6,
      logger: quiet(),
    });
    // No confirmations: the verifier itself must notice the reorganization below its cursor.
    context = createTestVerifierContext(world, VERIFIER);
  });

  after(async function () {
    context?.store.close();
    await keeper?.close();
    await world?.stop();
  });

  const startBlock = () => BigInt(world.system.deployment.startBlock);

  async function disputesOpened(): Promise<Hex[]> {
    const events = await publicClient().getContractEvents({
      address: world.system.addresses.disputeManager!,
      abi: disputeManagerAbi,
      eventName: "DisputeOpened",
      fromBlock: 0n,
      strict: true,
    });
    return events.map((e) => e.args.receiptHash as Hex);
  }

  /** Mines a block every 150 ms (with time moving, so re-mined heights get new hashes) until `task` settles. */
  async function whileMining<T>(task: Promise<T>): Promise<T> {
    let stop = false;
    const miner = (async () => {
      while (!stop) {
        await sleep(150);
        await testClient().increaseTime({ seconds: 1 });
        await testClient().mine({ blocks: 1 });
      }
    })();
    try {
      return await task;
    } finally {
      stop = true;
      await miner;
    }
  }

  it("challenges a wrong receipt whose batch and challenge were reorganized out again once the batch is re-included, and never twice", async function () {
    const items = [];
    for (let i = 0; i < 2; i++) {
      const { receipt, signature } = await infer(world, 4_000 + i);
      items.push({ receipt, signature });
    }
    expect((await postReceipts(keeper.url, items)).body.accepted).to.equal(2);
    const snapshot = await testClient().snapshot();
    const flushed = keeper.flush({ timeoutMs: 120_000 });
    for (let i = 0; i < 200; i++) {
      const batch = keeper.store.recentBatches(1)[0];
      const hash = batch?.txHashes[batch.txHashes.length - 1];
      if (
        hash &&
        (await publicClient()
          .getTransactionReceipt({ hash })
          .catch(() => undefined))
      )
        break;
      await sleep(50);
    }

    const first = await runVerifierStep(context, startBlock());
    expect(first).to.include({ attestationsRecorded: 1, wrongResults: 2, challengesOpened: 2 });
    const challenged = await disputesOpened();
    expect(challenged).to.have.length(2);
    const cursorBefore = context.store.cursor()!;

    // The batch and both challenges leave the chain; the keeper submits the batch again, at a lower height.
    await testClient().revert({ id: snapshot });
    expect(await disputesOpened()).to.have.length(0);
    await whileMining(flushed);
    const batch = keeper.store.recentBatches(1)[0]!;
    expect(batch.state).to.equal("attested");
    expect(batch.blockNumber!, "re-included below the verifier's cursor").to.be.lessThan(cursorBefore);

    const second = await runVerifierStep(context, startBlock());
    expect(second).to.include({ attestationsRecorded: 1, challengesOpened: 2 });
    expect((await disputesOpened()).sort()).to.deep.equal([...challenged].sort());
    expect(context.store.challenges().map((c) => c.state)).to.deep.equal(["confirmed", "confirmed"]);

    // A reorganization that keeps the challenges: the verifier rewinds, reads again, and challenges nothing twice.
    const later = await testClient().snapshot();
    await testClient().increaseTime({ seconds: 5 });
    await testClient().mine({ blocks: 2 });
    expect((await runVerifierStep(context, startBlock())).challengesOpened).to.equal(0);
    await testClient().revert({ id: later });
    await testClient().increaseTime({ seconds: 9 });
    await testClient().mine({ blocks: 3 });
    const third = await runVerifierStep(context, startBlock());
    expect(third).to.include({ challengesOpened: 0 });
    expect(await disputesOpened()).to.have.length(2);
    expect(context.store.challenges().map((c) => c.state)).to.deep.equal(["confirmed", "confirmed"]);

    const events = await publicClient().getContractEvents({
      address: world.system.addresses.attestationRegistry!,
      abi: attestationRegistryAbi,
      eventName: "BatchSubmitted",
      fromBlock: 0n,
    });
    expect(events).to.have.length(1);
  });
});
