import { expect } from "chai";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { findFreePort } from "../../src/devnet/findFreePort";
import { runSystemLoad } from "../../src/devnet/runSystemLoad";
import { startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import { startNodeService, type NodeService } from "../../src/node/startNodeService";
import { createIntegerRuntime } from "../../src/runtime";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { runVerifier } from "../../src/verifier/startVerifier";
import { VerdictStore } from "../../src/verifier/VerdictStore";
import { MODELS_DIR, registerBundledModel, registerInferenceNode } from "../../scripts/bench/localNode";

/**
 * The scale smoke test of `npm run bench:system` (issue 15): receipts driven through the node's HTTP API, forwarded
 * to the keeper, batched on chain and audited by a verifier, all real services in this process on a local chain.
 * It checks no timing, only that every receipt answered arrived exactly once: in the keeper's store once, in a batch,
 * and the batches on chain (sequences 1..k) hold exactly the answered receipts, each batch checked by the verifier.
 * VERITY_SCALE_RECEIPTS sets the count: 2,000 by default, which fits the test budget (3,000 took most of 8 minutes
 * with the deploy on the shared 2-core machine at a load average of 25); 10,000 runs in `npm run bench:system --
 * --receipts 10000` or with VERITY_SCALE_RECEIPTS=10000.
 */
const RECEIPTS = Number(process.env.VERITY_SCALE_RECEIPTS ?? 2_000);

describe("system at scale: node → keeper → chain → verifier", function () {
  this.timeout(600_000);
  let system: LocalSystem;
  let dir: string;
  const stops: (() => Promise<void>)[] = [];

  before(async function () {
    system = await startLocalSystem();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-scale-"));
  });

  after(async function () {
    for (const stop of stops.reverse()) await stop();
    await system?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`attests every one of ${RECEIPTS} receipts answered over HTTP exactly once, and the verifier checks every batch`, async function () {
    const logger = pino({ level: "silent" });
    const modelId = await registerBundledModel(system);
    const port = await findFreePort();
    const { node } = await registerInferenceNode(system, {
      operator: 1,
      signer: 2,
      endpoint: `http://127.0.0.1:${port}`,
      models: [modelId],
    });
    const publicClient = system.clients(0).publicClient;
    const fromBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
    const batchToken = randomBytes(16).toString("hex");
    const keeperDb = path.join(dir, "keeper.sqlite");
    const verifierDb = path.join(dir, "verifier.sqlite");

    const keeper: Keeper = await startKeeper({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      account: system.account(3),
      db: keeperDb,
      maxBatchSize: 1024,
      maxBatchAgeMs: 500,
      batchToken,
      pollingIntervalMs: 100,
      logger,
    });
    stops.push(() => keeper.close());
    const service: NodeService = await startNodeService({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      operator: node,
      signer: system.account(2),
      db: path.join(dir, "node.sqlite"),
      modelsDir: MODELS_DIR,
      port,
      keeperUrl: keeper.url,
      batchToken,
      watchRouter: false,
      pollingIntervalMs: 100,
      logger,
    });
    stops.push(() => service.close());
    const store = new VerdictStore(verifierDb);
    const controller = new AbortController();
    const verifying = runVerifier(
      {
        clients: system.clients(5),
        chainId: system.deployment.chainId,
        addresses: system.deployment.contracts,
        store,
        catalog: new ModelCatalog([createIntegerRuntime()], [MODELS_DIR]),
        logger,
        contentDir: undefined,
        auditShare: 0.01,
        confirmations: 0n,
        maxBlockRange: 1_000n,
        beneficiary: system.account(5).address,
        challenge: false,
      },
      fromBlock,
      { intervalMs: 200, once: false, signal: controller.signal },
    );
    stops.push(async () => {
      controller.abort();
      await verifying;
      store.close();
    });

    const result = await runSystemLoad(
      {
        publicClient,
        attestationRegistry: system.addresses.attestationRegistry!,
        nodeUrl: service.url,
        node,
        modelId,
        input: { dtype: "int8", shape: [1, 4], data: [12, -40, 77, 5] },
        keeperDb,
        verifierDb,
        fromBlock,
      },
      { receipts: RECEIPTS, concurrency: 16, drainTimeoutMs: 300_000 },
    );

    expect(result.problems).to.deep.equal([]);
    expect(result.stages.node.receipts).to.equal(RECEIPTS);
    expect(result.stages.keeper.receipts).to.equal(RECEIPTS);
    expect(result.stages.chain.receipts).to.equal(RECEIPTS);
    expect(result.stages.verifier!.receipts).to.equal(RECEIPTS);
    expect(result.batches).to.be.at.least(Math.ceil(RECEIPTS / 1024));
    expect(service.stats().outbox).to.equal(0);
    expect(service.stats().receipts.api).to.equal(RECEIPTS);
    // The verifier replayed its sample (about 1%; the rest is recorded as skipped) and found every replay valid.
    const verdicts = store.verdicts();
    expect(verdicts.length).to.equal(RECEIPTS);
    expect(verdicts.filter((v) => v.verdict === "valid").length)
      .to.equal(result.replayed)
      .and.to.be.greaterThan(0);
    expect(verdicts.filter((v) => v.verdict !== "valid" && v.verdict !== "skipped")).to.deep.equal([]);
  });
});
