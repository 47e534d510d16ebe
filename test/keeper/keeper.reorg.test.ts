import { expect } from "chai";
import path from "node:path";
import { createTestClient, http, type Hex } from "viem";
import { attestationRegistryAbi } from "../../src/chain/abis.generated";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import { getBatchId } from "../../src/protocol";
import { KEEPER, infer, postReceipts, quiet, startKeeperWorld, type KeeperWorld } from "./setup";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("keeper on a chain that reorganizes (issue 9, item 15)", function () {
  this.timeout(240_000);
  let world: KeeperWorld;
  let keeper: Keeper;
  const CONFIRMATIONS = 3;

  before(async function () {
    world = await startKeeperWorld();
    keeper = await startKeeper({
      rpcUrl: world.system.chain.rpcUrl,
      deployment: world.system.deployment,
      account: world.system.account(KEEPER),
      db: path.join(world.dir, "keeper.sqlite"),
      maxBatchSize: 100,
      maxBatchAgeMs: 3_600_000,
      nodeEndpoints: { [world.node]: world.nodeService.url },
      batchToken: "batch-secret",
      pollingIntervalMs: 50,
      confirmations: CONFIRMATIONS,
      logger: quiet(),
    });
  });

  after(async function () {
    await keeper?.close();
    await world?.stop();
  });

  it("counts a batch only once confirmed, and submits again a batch transaction that a reorganization dropped", async function () {
    const testClient = createTestClient({ mode: "hardhat", transport: http(world.system.chain.rpcUrl) });
    const publicClient = world.system.clients(0).publicClient;
    const items = [];
    for (let i = 0; i < 3; i++) {
      const { receipt, signature } = await infer(world, 3_000 + i);
      items.push({ receipt, signature });
    }
    expect((await postReceipts(keeper.url, items)).body.accepted).to.equal(3);
    const forkBlock = await publicClient.getBlockNumber();
    const snapshot = await testClient.snapshot();

    const flushed = keeper.flush({ timeoutMs: 120_000 });
    let batch = keeper.store.recentBatches(1)[0];
    let mined: Hex | undefined;
    for (let i = 0; i < 200 && !mined; i++) {
      await sleep(50);
      batch = keeper.store.recentBatches(1)[0];
      for (const hash of batch?.txHashes ?? []) {
        const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt?.status === "success") mined = hash;
      }
    }
    expect(mined, "submitBatch mined").to.not.equal(undefined);
    await testClient.mine({ blocks: CONFIRMATIONS - 1 });
    await sleep(500);
    expect(keeper.store.batch(batch!.id)!.state, "not yet confirmed").to.equal("submitted");

    // The blocks holding the batch are reorganized out before it is confirmed. Blocks are mined by hand from here on:
    // with automine, the keeper's rebroadcast could be mined before the checks below read the reverted chain.
    await testClient.setAutomine(false);
    await testClient.revert({ id: snapshot });
    expect(Number(await publicClient.getBlockNumber({ cacheTime: 0 }))).to.equal(Number(forkBlock));
    const gone = await publicClient.getTransactionReceipt({ hash: mined! }).catch(() => undefined);
    expect(gone, "the transaction left the chain").to.equal(undefined);

    // The keeper broadcasts it again; blocks keep coming until it is deep enough.
    let stop = false;
    const miner = (async () => {
      while (!stop) {
        await sleep(150);
        await testClient.mine({ blocks: 1 });
      }
    })();
    try {
      await flushed;
    } finally {
      stop = true;
      await miner;
      await testClient.setAutomine(true);
    }
    const done = keeper.store.batch(batch!.id)!;
    expect(done.state).to.equal("attested");
    const head = await publicClient.getBlockNumber();
    expect(head - done.blockNumber!, "confirmed").to.be.greaterThanOrEqual(BigInt(CONFIRMATIONS));
    const events = await publicClient.getContractEvents({
      address: world.system.addresses.attestationRegistry!,
      abi: attestationRegistryAbi,
      eventName: "BatchSubmitted",
      fromBlock: 0n,
      strict: true,
    });
    expect(events.map((e) => [e.args.id, e.args.count])).to.deep.equal([
      [getBatchId({ node: done.node, root: done.root }), 3],
    ]);
    expect(events[0]!.blockNumber).to.equal(done.blockNumber);
    expect(keeper.counts.batchesSubmitted, "counted once").to.equal(1);
  });
});
