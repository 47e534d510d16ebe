import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bytesToHex, erc20Abi, parseEventLogs, type Hex } from "viem";
import { inferenceRouterAbi } from "../../src/chain/abis.generated";
import { defineContractCall } from "../../src/chain/contractCall";
import { sendContractCall } from "../../src/chain/sendContractCall";
import { RequestState } from "../../src/chain/enums.generated";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import { toDataUri } from "../../src/node/fetchInput";
import { createTensor, encodeTensor, getTensorHash } from "../../src/protocol";
import { MODELS_DIR, registerInferenceNode } from "../../scripts/bench/localNode";
import { registerManifestModel } from "../../src/devnet/enrollParticipants";
import { readModelManifest } from "../../src/models";
import { getRouterCredit } from "../../src/chain/actions/getRouterCredit";
import { parseTensorJson, type TensorJson } from "../../src/runtime";
import { parseJsonRun, runVerity } from "../cli/runVerity";
import { CONSUMER, KEEPER, STRANGER as SILENT, freePort, quiet, startKeeperWorld, type KeeperWorld } from "./setup";

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

  /** The keeper counts a transaction after its receipt arrives, which can be just after the chain shows its effect. */
  async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; !condition() && Date.now() < deadline;) await sleep(50);
  }

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

  async function makeRequest(
    redundancy: number,
    responseSeconds: number,
    data: number[],
    modelId: Hex = world.modelId,
  ): Promise<Hex> {
    const { system } = world;
    const router = system.addresses.inferenceRouter!;
    const consumer = system.clients(CONSUMER);
    const fee = 10n ** 16n * BigInt(redundancy);
    const input = createTensor("int8", [1, 4], data);
    await sendContractCall(
      consumer,
      defineContractCall({
        address: system.addresses.token!,
        abi: erc20Abi,
        functionName: "approve",
        args: [router, fee],
      }),
    );
    const now = (await consumer.publicClient.getBlock()).timestamp;
    const hash = await sendContractCall(
      consumer,
      defineContractCall({
        address: router,
        abi: inferenceRouterAbi,
        functionName: "request",
        args: [
          {
            modelId,
            inputHash: getTensorHash(input),
            inputURI: toDataUri(encodeTensor(input)),
            input: bytesToHex(encodeTensor(input)),
            redundancy,
            deadline: Number(now) + responseSeconds,
            callbackGasLimit: 0,
            fee,
          },
        ],
      }),
    );
    const receipt = await consumer.publicClient.getTransactionReceipt({ hash });
    const [created] = parseEventLogs({ abi: inferenceRouterAbi, logs: receipt.logs, eventName: "RequestCreated" });
    return created!.args.id;
  }

  it("fulfils the node's attested receipt and settles the request once its window has passed", async function () {
    const { system } = world;
    const router = system.addresses.inferenceRouter!;
    const consumer = system.clients(CONSUMER);
    const id = await makeRequest(1, 3_600, [10, -3, 44, 7]);

    // The node answers the assignment and forwards its receipt; the keeper batches, attests and fulfils it.
    await waitForState(id, RequestState.Verifying);
    await waitFor(() => keeper.counts.fulfils === 1);
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
    await waitFor(() => keeper.counts.settlements === 1);
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

    // `verity request show` fetches the settled output from the node and checks it against the settled hash.
    const deployment = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-request-show-")), "localhost.json");
    fs.writeFileSync(deployment, JSON.stringify({ ...system.deployment, rpcUrl: system.chain.rpcUrl }));
    const shown = parseJsonRun<{ state: string; result: { check: string; outputHash: Hex; output: TensorJson } }>(
      await runVerity(["request", "show", id, "--json", "--deployment", deployment]),
    );
    expect(shown.state).to.equal("settled");
    expect(shown.result.check).to.equal("checked");
    expect(shown.result.outputHash).to.equal(settled[0]!.args.outputHash);
    expect(getTensorHash(parseTensorJson(shown.result.output, "output"))).to.equal(shown.result.outputHash);
    const table = await runVerity(["request", "show", id, "--deployment", deployment]);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.contain("hashes to the answered output").and.contain(`${shown.result.output.dtype}[`);
  });

  it("reassigns the slot a silent node missed, then settles what was fulfilled", async function () {
    const { system, modelId } = world;
    await registerInferenceNode(system, {
      operator: SILENT,
      signer: SILENT + 10,
      endpoint: "http://127.0.0.1:9/silent",
      models: [modelId],
    });
    const before = { ...keeper.counts };
    const id = await makeRequest(2, 120, [1, 2, 3, 4]);
    const router = system.addresses.inferenceRouter!;
    const publicClient = system.clients(0).publicClient;
    const state = async () =>
      Number(
        await publicClient.readContract({
          address: router,
          abi: inferenceRouterAbi,
          functionName: "state",
          args: [id],
        }),
      );
    for (let i = 0; i < 600 && keeper.counts.fulfils === before.fulfils; i++) await sleep(100);
    expect(keeper.counts.fulfils).to.equal(before.fulfils + 1);

    // The silent node misses its deadline (again after each reassignment) until the request closes.
    for (let round = 0; round < 20; round++) {
      const current = await state();
      if (current === RequestState.Verifying || current === RequestState.Settleable || current === RequestState.Settled)
        break;
      if (current === RequestState.Pending) await system.advanceTime(121);
      await sleep(300);
    }
    await waitFor(() => keeper.counts.reassignments > before.reassignments);
    expect(keeper.counts.reassignments, "reassign called").to.be.greaterThan(before.reassignments);
    await system.advanceTime(24 * 3_600 + 60);
    await waitForState(id, RequestState.Settled);
    await waitFor(() => keeper.counts.settlements === before.settlements + 1);
    expect(keeper.counts.settlements).to.equal(before.settlements + 1);
    const penalized = await publicClient.getContractEvents({
      address: router,
      abi: inferenceRouterAbi,
      eventName: "NodePenalized",
      args: { id },
      fromBlock: 0n,
    });
    expect(penalized.length).to.be.greaterThan(0);
    expect(penalized[0]!.args.node?.toLowerCase()).to.equal(system.account(SILENT).address.toLowerCase());
  });

  it("moves on a request it never relayed: reassigns it when nobody answers, then refunds the consumer", async function () {
    const { system } = world;
    // A model only a silent node serves: no receipt of it ever reaches this keeper.
    const entry = readModelManifest(MODELS_DIR).models.find((m) => m.runtimeId === "onnxruntime-cpu-f32-v1")!;
    const modelId = await registerManifestModel(system.clients(0), system.addresses.modelRegistry!, entry);
    await registerInferenceNode(system, {
      operator: SILENT + 1,
      signer: SILENT + 11,
      endpoint: "http://127.0.0.1:9/silent",
      models: [modelId],
    });
    const consumer = system.account(CONSUMER).address;
    // Refunds are pull credits on the router.
    const credit = () =>
      getRouterCredit(system.clients(0).publicClient, {
        address: system.addresses.inferenceRouter!,
        account: consumer,
      });
    const before = { ...keeper.counts };
    const id = await makeRequest(1, 120, [5, 6, 7, 8], modelId);
    const creditBefore = await credit();
    // Each time the deadline passes the keeper reassigns, until no reassignment is left and it refunds.
    for (let round = 0; round < 20; round++) {
      const publicClient = system.clients(0).publicClient;
      const current = Number(
        await publicClient.readContract({
          address: system.addresses.inferenceRouter!,
          abi: inferenceRouterAbi,
          functionName: "state",
          args: [id],
        }),
      );
      if (current === RequestState.Refunded) break;
      if (current === RequestState.Pending) await system.advanceTime(121);
      await sleep(300);
    }
    await waitForState(id, RequestState.Refunded);
    await waitFor(() => keeper.counts.refunds === before.refunds + 1);
    expect(keeper.counts.reassignments, "reassign called").to.be.greaterThan(before.reassignments);
    expect(keeper.counts.refunds).to.equal(before.refunds + 1);
    expect(keeper.counts.fulfils).to.equal(before.fulfils);
    expect((await credit()) - creditBefore, "the whole fee back").to.equal(10n ** 16n);
    const health = (await (await fetch(`${keeper.url}/health`)).json()) as { openRequests: number };
    expect(health.openRequests).to.be.a("number");
  });
});
