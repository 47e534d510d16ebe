import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { erc20Abi, parseEventLogs, type Hex } from "viem";
import { inferenceRouterAbi } from "../../src/chain/abis.generated";
import { sendTransaction } from "../../src/chain/sendTransaction";
import { RequestState } from "../../src/keeper/RouterWorker";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import { toDataUri } from "../../src/node/fetchInput";
import { createTensor, encodeTensor, getTensorHash } from "../../src/protocol";
import { CONSUMER, KEEPER, freePort, quiet, startKeeperWorld, type KeeperWorld } from "./setup";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("keeper with the InferenceRouter", function () {
  this.timeout(240_000);
  let world: KeeperWorld;
  let keeper: Keeper;

  before(async function () {
    world = await startKeeperWorld({
      nodePort: await freePort(),
      watchRouter: true,
      beforeNode: async (system) => {
        keeper = await startKeeper({
          rpcUrl: system.chain.rpcUrl,
          deployment: system.deployment,
          account: system.account(KEEPER),
          db: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-keeper-router-")), "keeper.sqlite"),
          maxBatchSize: 16,
          maxBatchAgeMs: 200,
          batchToken: "batch-secret",
          pollingIntervalMs: 50,
          routerRecheckMs: 200,
          logger: quiet(),
        });
        return keeper.url;
      },
    });
  });

  after(async function () {
    await keeper?.close();
    await world?.stop();
  });

  async function waitForState(id: Hex, wanted: number, timeoutMs = 60_000): Promise<void> {
    const publicClient = world.system.clients(0).publicClient;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await publicClient.readContract({
        address: world.system.addresses.inferenceRouter!,
        abi: inferenceRouterAbi,
        functionName: "state",
        args: [id],
      });
      if (state === wanted) return;
      if (Date.now() > deadline) throw new Error(`request ${id} stayed in state ${state}, wanted ${wanted}`);
      await sleep(100);
    }
  }

  it("fulfils the node's attested receipt and settles the request once its window has passed", async function () {
    const { system, modelId } = world;
    const router = system.addresses.inferenceRouter!;
    const consumer = system.clients(CONSUMER);
    const fee = 10n ** 16n;
    const input = createTensor("int8", [1, 4], [10, -3, 44, 7]);
    await sendTransaction(consumer, {
      address: system.addresses.token!,
      abi: erc20Abi,
      functionName: "approve",
      args: [router, fee],
    });
    const now = (await consumer.publicClient.getBlock()).timestamp;
    const hash = await sendTransaction(consumer, {
      address: router,
      abi: inferenceRouterAbi,
      functionName: "request",
      args: [
        {
          modelId,
          inputHash: getTensorHash(input),
          inputURI: toDataUri(encodeTensor(input)),
          redundancy: 1,
          deadline: Number(now) + 3_600,
          callbackGasLimit: 0,
          fee,
        },
      ],
    });
    const receipt = await consumer.publicClient.getTransactionReceipt({ hash });
    const [created] = parseEventLogs({ abi: inferenceRouterAbi, logs: receipt.logs, eventName: "RequestCreated" });
    const id = created!.args.id;

    // The node answers the assignment and forwards its receipt; the keeper batches, attests and fulfils it.
    await waitForState(id, RequestState.Verifying);
    expect(keeper.counts.fulfils).to.equal(1);
    const [assignment] = await consumer.publicClient.readContract({
      address: router,
      abi: inferenceRouterAbi,
      functionName: "getAssignments",
      args: [id],
    });
    const status = (await (await fetch(`${keeper.url}/v1/receipts/${assignment!.receiptHash}`)).json()) as {
      state: string;
    };
    expect(status.state).to.equal("fulfilled");

    // After the challenge window the keeper settles it.
    await system.advanceTime(24 * 3_600 + 60);
    await waitForState(id, RequestState.Settled);
    expect(keeper.counts.settlements).to.equal(1);
    const settled = await consumer.publicClient.getContractEvents({
      address: router,
      abi: inferenceRouterAbi,
      eventName: "RequestSettled",
      args: { id },
      fromBlock: 0n,
    });
    expect(settled).to.have.length(1);
    expect(settled[0]!.args.node?.toLowerCase()).to.equal(world.node.toLowerCase());
  });
});
