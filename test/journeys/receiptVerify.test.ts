import { expect } from "chai";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { parseEther, type Hex } from "viem";
import { NodeRole, enrollParticipant, registerManifestModel } from "../../src/devnet/enrollParticipants";
import { findFreePort } from "../../src/devnet/findFreePort";
import { startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import { waitUntil } from "../../src/devnet/waitUntil";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import { readModelManifest } from "../../src/models";
import { startNodeService, type NodeService } from "../../src/node/startNodeService";
import { ensureCompiledCli, runVerityBin } from "../cli/compiledCli";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");
const OPERATOR = 1;
const SIGNER = 2;
const KEEPER = 4;

/** `receipt verify` through the compiled CLI against a real node, keeper and chain: one state per receipt. */
describe("journey: a consumer checks a receipt (verity receipt verify)", function () {
  this.timeout(400_000);
  let system: LocalSystem;
  let node: NodeService;
  let keeper: Keeper;
  let dir: string;
  let chain: string[];
  let nodeUrl: string;
  let answer: { output: { data: number[] }; receiptHash: Hex };
  const logger = pino({ level: process.env.VERITY_TEST_LOG ?? "silent" });

  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const verify = async (file: string, ...extra: string[]) => {
    const run = await runVerityBin(["receipt", "verify", file, "--json", ...chain, ...extra]);
    return {
      ...run,
      result: run.stdout ? (JSON.parse(run.stdout) as { verdict: string; reason: string | null }) : null,
    };
  };

  before(async function () {
    ensureCompiledCli();
    system = await startLocalSystem({ VERITY_MINIMUM_STAKE: parseEther("100").toString() });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-receipt-journey-"));
    const deployment = path.join(dir, "localhost.json");
    fs.writeFileSync(deployment, JSON.stringify(system.deployment));
    chain = ["--rpc-url", system.chain.rpcUrl, "--deployment", deployment];
    const int8 = readModelManifest(MODELS_DIR).models.find((m) => m.name === "iris-int8")!;
    await registerManifestModel(system.clients(0), system.addresses.modelRegistry, int8);
    const port = await findFreePort();
    nodeUrl = `http://127.0.0.1:${port}`;
    await enrollParticipant({
      operator: system.clients(OPERATOR),
      contracts: system.addresses,
      signer: system.account(SIGNER).address,
      endpoint: nodeUrl,
      role: NodeRole.Inference,
      models: [int8.modelId],
      stake: parseEther("1000"),
    });
    const batchToken = randomBytes(16).toString("hex");
    keeper = await startKeeper({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      account: system.account(KEEPER),
      db: path.join(dir, "keeper.sqlite"),
      maxBatchAgeMs: 3_600_000,
      batchToken,
      pollingIntervalMs: 100,
      settle: false,
      logger,
    });
    node = await startNodeService({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      operator: system.account(OPERATOR).address,
      signer: system.account(SIGNER),
      db: path.join(dir, "node.sqlite"),
      modelsDir: MODELS_DIR,
      host: "127.0.0.1",
      port,
      keeperUrl: keeper.url,
      batchToken,
      watchRouter: false,
      pollingIntervalMs: 100,
      logger,
    });
    const response = await fetch(`${nodeUrl}/v1/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ modelId: int8.modelId, input: { dtype: "int8", shape: [1, 4], data: [50, 30, 14, 2] } }),
    });
    expect(response.status).to.equal(200);
    answer = (await response.json()) as typeof answer;
  });

  after(async function () {
    await node?.close();
    await keeper?.close();
    await system?.stop();
  });

  it("says pending (exit 5) while the receipt is signed but in no batch on chain", async function () {
    const run = await verify(write("fresh.json", answer));
    expect(run.code, run.stderr).to.equal(5);
    expect(run.result!.verdict).to.equal("pending");
    expect(run.stderr).to.contain("receipt pending");
  });

  it("calls an answer whose output.data was edited invalid (exit 1), naming the output hash", async function () {
    const edited = { ...answer, output: { ...answer.output, data: [answer.output.data[0] === 1 ? 2 : 1] } };
    const run = await verify(write("edited.json", edited));
    expect(run.code).to.equal(1);
    expect(run.result!.verdict).to.equal("invalid");
    expect(run.result!.reason).to.match(/^output hash: the output hashes to 0x[0-9a-f]{64}, the receipt says/);
  });

  it("once batched, the node's receipt route gives the batch id and a proof that verify finds by itself", async function () {
    await waitUntil(
      "the receipt's batch to be attested",
      async () => {
        await keeper.flush({ timeoutMs: 20_000 });
        const body = (await (await fetch(`${nodeUrl}/v1/receipts/${answer.receiptHash}`)).json()) as {
          batchState: string | null;
        };
        return body.batchState === "attested";
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    const route = (await (await fetch(`${nodeUrl}/v1/receipts/${answer.receiptHash}`)).json()) as {
      batchId: Hex;
      proof: Hex[];
      output: unknown;
    };
    expect(route.batchId).to.match(/^0x[0-9a-f]{64}$/);
    expect(route.proof).to.be.an("array");
    expect(route.output).to.deep.equal(answer.output);

    const open = await verify(write("batched.json", answer));
    expect(open.code, open.stderr).to.equal(6);
    expect(open.result!.verdict).to.equal("attested");
    expect(open.stdout).to.contain("proof from the node").and.not.contain("with the given proof");
    const accepted = await verify(write("batched.json", answer), "--accept-open-window");
    expect(accepted.code, accepted.stderr).to.equal(0);

    const wrongProof = { ...answer, batchId: route.batchId, proof: [`0x${"11".repeat(32)}`] };
    const wrong = await verify(write("wrong-proof.json", wrongProof));
    expect(wrong.code).to.equal(1);
    expect(wrong.result!.reason).to.contain("does not lead from this receipt to batch");
  });

  it("says final (exit 0) once the challenge window closed, also from the table output", async function () {
    await system.advanceTime(8 * 24 * 3600);
    const run = await verify(write("final.json", answer));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.result!.verdict).to.equal("final");
    const table = await runVerityBin(["receipt", "verify", write("final.json", answer), ...chain]);
    expect(table.code).to.equal(0);
    expect(table.stdout).to.match(/verdict\s*│\s*final/);
  });
});
