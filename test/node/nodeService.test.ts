import { expect } from "chai";
import { Command } from "commander";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { bytesToHex, erc20Abi, keccak256, type Hex } from "viem";
import { addNodeServeCommand } from "../../src/cli/nodeServeCommand";
import { ExitCode } from "../../src/cli/output";
import { main } from "../../src/cli/verity";
import { writeDeploymentFile } from "../../src/chain/deployment";
import { isLoopbackHost } from "../../src/config/checkBatchTokenExposure";
import { ConfigError } from "../../src/config/ConfigError";
import { attestationRegistryAbi, inferenceRouterAbi } from "../../src/chain/abis.generated";
import { defineContractCall } from "../../src/chain/contractCall";
import { sendContractCall } from "../../src/chain/sendContractCall";
import { getIrisSplit } from "../../src/models/build";
import { toDataUri } from "../../src/node/fetchInput";
import { isDishonestRequest } from "../../src/node/corruptOutput";
import { NodeStartupError } from "../../src/node/errors";
import type { NodeService } from "../../src/node/startNodeService";
import {
  createTensor,
  decodeTensor,
  encodeTensor,
  getTensorHash,
  parseBatchFile,
  parseReceipt,
  recoverReceiptSigner,
  verifyBatchFile,
  type Tensor,
  getBatchId,
} from "../../src/protocol";
import { createIntegerRuntime, parseIntegerModel, quantizeInput } from "../../src/runtime";
import { KeeperReceiverDouble } from "./KeeperReceiverDouble";
import { CONSUMER, MODELS_DIR, OPERATOR, SIGNER, startNodeTestSystem, type NodeTestSystem } from "./nodeSystem";

type Json = Record<string, unknown>;

async function call(
  url: string,
  method: "GET" | "POST",
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; text: string; bytes: Uint8Array }> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // not JSON (batch files are, tensors are not)
  }
  return { status: response.status, json, text, bytes };
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function findFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const requestIdOf = (i: number): Hex => `0x${(0xabc000 + i).toString(16).padStart(64, "0")}`;

describe("node service on a real chain", function () {
  this.timeout(120_000);
  let t: NodeTestSystem;
  let int8Input: Tensor<"int8">;
  let f32Input: Tensor<"float32">;
  let expectedInt8Output: Tensor;
  const open: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(value: T) => (open.push(value), value);

  before(async function () {
    t = await startNodeTestSystem();
    const sample = getIrisSplit().heldOut[0]!;
    const artifact = new Uint8Array(fs.readFileSync(path.join(MODELS_DIR, t.int8.file)));
    int8Input = quantizeInput(parseIntegerModel(artifact), sample.features);
    f32Input = createTensor("float32", [1, 4], sample.features);
    expectedInt8Output = (await (await createIntegerRuntime().load(artifact)).run(int8Input)).output;
  });

  afterEach(async function () {
    for (const item of open.splice(0)) await item.close();
  });

  after(async function () {
    await t?.system.stop();
  });

  const inferBody = (modelId: string, input: Tensor, requestId?: Hex) => ({
    modelId,
    input: { dtype: input.dtype, shape: input.shape, data: Array.from(input.data as ArrayLike<number>) },
    ...(requestId ? { requestId } : {}),
  });
  const domain = () => ({
    chainId: t.system.deployment.chainId,
    verifyingContract: t.system.addresses.attestationRegistry!,
  });

  describe("at startup", function () {
    it("refuses a signer key that is not the operator's registered signer", async function () {
      const error = await t.startNode({ signer: t.system.account(CONSUMER) }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(NodeStartupError);
      expect((error as Error).message).to.contain("is not the registered signer of operator");
    });

    it("refuses to start when the chain does not answer", async function () {
      const error = await t.startNode({ rpcUrl: "http://127.0.0.1:9" }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(NodeStartupError);
      expect((error as Error).message).to.contain("Cannot reach the chain at http://127.0.0.1:9");
    });

    it("refuses an operator that never registered", async function () {
      const error = await t.startNode({ operator: t.system.account(CONSUMER).address }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(NodeStartupError);
      expect((error as Error).message).to.contain("is not registered in the NodeRegistry");
    });

    it("refuses to start with no registered model in the models directory, or without a manifest", async function () {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "verity-node-models-"));
      const missing = await t.startNode({ modelsDir: directory }).catch((e: unknown) => e);
      expect(missing).to.be.instanceOf(NodeStartupError);
      expect((missing as Error).message).to.contain("manifest.json");
      const manifest = JSON.parse(fs.readFileSync(path.join(MODELS_DIR, "manifest.json"), "utf8")) as {
        models: object[];
      };
      fs.writeFileSync(path.join(directory, "manifest.json"), JSON.stringify({ ...manifest, models: [] }));
      const none = await t.startNode({ modelsDir: directory }).catch((e: unknown) => e);
      expect(none).to.be.instanceOf(NodeStartupError);
      expect((none as Error).message).to.contain("No model to serve: the operator registered 2 model(s)");
    });

    it("refuses to listen beyond loopback without a batch token, since anyone reaching it could have it sign batches", async function () {
      for (const host of ["0.0.0.0", "::", "192.168.1.20"]) {
        const error = await t.startNode({ host }).catch((e: unknown) => e);
        expect(error, host).to.be.instanceOf(ConfigError);
        expect((error as Error).message).to.contain(
          `listening on ${host}, beyond loopback, batch signing needs a bearer token`,
        );
      }
      const short = await t.startNode({ host: "0.0.0.0", batchToken: "short" }).catch((e: unknown) => e);
      expect(short).to.be.instanceOf(ConfigError);
      expect((short as Error).message).to.contain("the batch token must have at least 16 characters");
      const guarded = track(await t.startNode({ host: "0.0.0.0", batchToken: "a-long-enough-secret" }));
      const unauthorized = await call(`${guarded.url.replace("0.0.0.0", "127.0.0.1")}/v1/batches`, "POST", {
        sequence: "1",
        receiptHashes: [`0x${"ab".repeat(32)}`],
      });
      expect(unauthorized.status).to.equal(401);
      for (const host of ["127.0.0.1", "127.0.0.2", "::1", "localhost"]) {
        expect(isLoopbackHost(host), host).to.equal(true);
      }
    });

    it("serves the registered models found in the models directory and reports health", async function () {
      const node = track(await t.startNode());
      const models = await call(`${node.url}/v1/models`, "GET");
      expect((models.json as unknown as Json[]).map((m) => m.name).sort()).to.deep.equal(["iris-f32", "iris-int8"]);
      const health = await call(`${node.url}/health`, "GET");
      expect(health.json).to.include({
        operator: t.system.account(OPERATOR).address,
        signer: t.system.account(SIGNER).address,
        chainId: 31337,
        crypto: "libsecp256k1",
        active: true,
        outbox: 0,
      });
      expect(health.json.status, "no keeper configured").to.equal("degraded");
    });
  });

  describe("POST /v1/infer", function () {
    it("answers the output with a receipt signed by the signer key whose hashes match the tensors", async function () {
      const node = track(await t.startNode());
      for (const [entry, input] of [
        [t.int8, int8Input],
        [t.f32, f32Input],
      ] as const) {
        const { status, json } = await call(`${node.url}/v1/infer`, "POST", inferBody(entry.modelId, input));
        expect(status, JSON.stringify(json)).to.equal(200);
        const receipt = parseReceipt(json.receipt);
        const output = json.output as { dtype: string; shape: number[]; data: number[] };
        const outputTensor = createTensor(output.dtype as "float32", output.shape, output.data);
        expect(receipt.modelId).to.equal(entry.modelId);
        expect(receipt.node).to.equal(t.system.account(OPERATOR).address.toLowerCase());
        expect(receipt.inputHash).to.equal(getTensorHash(input));
        expect(receipt.outputHash).to.equal(getTensorHash(outputTensor));
        expect(Math.abs(Number(receipt.issuedAt) - Date.now() / 1000)).to.be.lessThan(60);
        const signer = await recoverReceiptSigner({ receipt, domain: domain(), signature: json.signature as Hex });
        expect(signer).to.equal(t.system.account(SIGNER).address);
        const stored = await call(`${node.url}/v1/receipts/${json.receiptHash}`, "GET");
        expect(stored.json).to.deep.equal({
          receipt: json.receipt,
          signature: json.signature,
          output: json.output,
          batchId: null,
          batchState: null,
          proof: null,
        });
        const tensor = await call(`${node.url}/tensors/${receipt.outputHash}`, "GET");
        expect(getTensorHash(decodeTensor(tensor.bytes))).to.equal(receipt.outputHash);
      }
      const int8 = await call(`${node.url}/v1/infer`, "POST", inferBody(t.int8.modelId, int8Input));
      expect((int8.json.output as { data: number[] }).data).to.deep.equal(
        Array.from(expectedInt8Output.data as Int32Array),
      );
      expect((int8.json.receipt as Json).traceRoot).to.not.equal(`0x${"00".repeat(32)}`);
    });

    it("answers the same receipt to a retry with the same request id, and 409 to its reuse for another input", async function () {
      const node = track(await t.startNode());
      const requestId = requestIdOf(1);
      const first = await call(`${node.url}/v1/infer`, "POST", inferBody(t.int8.modelId, int8Input, requestId));
      const again = await call(`${node.url}/v1/infer`, "POST", inferBody(t.int8.modelId, int8Input, requestId));
      expect(again.json).to.deep.equal(first.json);
      expect((first.json.receipt as Json).requestId).to.equal(requestId);
      const other = createTensor("int8", [1, 4], [1, 2, 3, 4]);
      const conflict = await call(`${node.url}/v1/infer`, "POST", inferBody(t.int8.modelId, other, requestId));
      expect(conflict.status).to.equal(409);
      expect(conflict.json.error).to.equal("RequestIdConflict");
      expect(node.stats().receipts.api).to.equal(1);

      const concurrentId = requestIdOf(2);
      const answers = await Promise.all(
        [0, 1, 2].map(() => call(`${node.url}/v1/infer`, "POST", inferBody(t.int8.modelId, int8Input, concurrentId))),
      );
      expect(new Set(answers.map((a) => a.json.receiptHash)).size, "concurrent retries share one receipt").to.equal(1);
      expect(node.stats().receipts.api).to.equal(2);
    });

    it("rejects malformed requests with 400 and a message naming the problem", async function () {
      const node = track(await t.startNode());
      const cases: [unknown, string, RegExp][] = [
        ["{not json", "InvalidJson", /not valid JSON/],
        [{ modelId: t.int8.modelId }, "InvalidRequest", /input: Required/],
        [
          { ...inferBody(t.int8.modelId, int8Input), modelId: "0x12" },
          "InvalidRequest",
          /modelId: expected 0x-prefixed/,
        ],
        [inferBody(t.int8.modelId, f32Input), "InvalidInput", /input dtype is float32, the model takes int8/],
        [
          inferBody(t.int8.modelId, createTensor("int8", [4], [1, 2, 3, 4])),
          "InvalidInput",
          /input shape is \[4\], the model takes \[1,4\]/,
        ],
        [
          { modelId: t.int8.modelId, input: { dtype: "int8", shape: [1, 4], data: [1, 2, 3] } },
          "InvalidInput",
          /holds 4 elements, data has 3/,
        ],
        [
          { modelId: t.int8.modelId, input: { dtype: "int8", shape: [1, 4], data: [1, 2, 3, 300] } },
          "InvalidInput",
          /data\[3\] is not an int8/,
        ],
        [
          { modelId: t.int8.modelId, input: { dtype: "int8", shape: [1, 4], data: [1, 2, 3, 1.5] } },
          "InvalidInput",
          /data\[3\] is not an int8/,
        ],
        [
          { ...inferBody(t.int8.modelId, int8Input), requestId: "0xzz" },
          "InvalidRequest",
          /requestId: expected 0x-prefixed 32-byte hex/,
        ],
        [{ ...inferBody(t.int8.modelId, int8Input), extra: 1 }, "InvalidRequest", /Unrecognized key/],
      ];
      for (const [body, error, message] of cases) {
        const answer = await call(`${node.url}/v1/infer`, "POST", body);
        expect(answer.status, JSON.stringify(body)).to.equal(400);
        expect(answer.json.error).to.equal(error);
        expect(answer.json.message).to.match(message);
      }
      const unknown = await call(`${node.url}/v1/infer`, "POST", inferBody(`0x${"11".repeat(32)}`, int8Input));
      expect(unknown.status).to.equal(404);
      expect(unknown.json.error).to.equal("UnknownModel");
      const badHash = await call(`${node.url}/v1/receipts/0x1234`, "GET");
      expect(badHash.status).to.equal(400);
      const missing = await call(`${node.url}/v1/receipts/0x${"00".repeat(32)}`, "GET");
      expect(missing.status).to.equal(404);
      expect(node.stats().receipts.api).to.equal(0);
    });

    it("keeps signed receipts across a restart", async function () {
      const db = t.freshDb();
      const first = await t.startNode({ db });
      const answer = await call(`${first.url}/v1/infer`, "POST", inferBody(t.int8.modelId, int8Input));
      await first.close();
      const second = track(await t.startNode({ db }));
      const stored = await call(`${second.url}/v1/receipts/${answer.json.receiptHash}`, "GET");
      expect(stored.status).to.equal(200);
      expect(stored.json.receipt).to.deep.equal(answer.json.receipt);
      expect(second.stats().outbox, "still waiting for a keeper").to.equal(1);
    });
  });

  describe("POST /v1/batches", function () {
    const nextSequence = async () =>
      BigInt(
        await t.system.clients(0).publicClient.readContract({
          address: t.system.addresses.attestationRegistry!,
          abi: attestationRegistryAbi,
          functionName: "nextSequence",
          args: [t.system.account(OPERATOR).address],
        }),
      );

    async function issue(node: NodeService, count: number, from: number): Promise<Hex[]> {
      const hashes: Hex[] = [];
      for (let i = 0; i < count; i++) {
        const body = inferBody(t.int8.modelId, int8Input, requestIdOf(from + i));
        hashes.push((await call(`${node.url}/v1/infer`, "POST", body)).json.receiptHash as Hex);
      }
      return hashes;
    }

    it("signs a batch whose served file hashes to its dataHash and verifies; repeats are idempotent", async function () {
      const node = track(await t.startNode({ batchToken: "s3cret" }));
      const hashes = await issue(node, 4, 100);
      const auth = { authorization: "Bearer s3cret" };
      const noToken = await call(`${node.url}/v1/batches`, "POST", { sequence: "1", receiptHashes: hashes });
      expect(noToken.status).to.equal(401);
      const wrongToken = await call(
        `${node.url}/v1/batches`,
        "POST",
        { sequence: "1", receiptHashes: hashes },
        {
          authorization: "Bearer nope",
        },
      );
      expect(wrongToken.status).to.equal(401);

      const signed = await call(`${node.url}/v1/batches`, "POST", { sequence: "1", receiptHashes: hashes }, auth);
      expect(signed.status, signed.text).to.equal(200);
      const batch = signed.json.batch as { node: Hex; sequence: string; root: Hex; count: number; dataHash: Hex };
      expect(batch).to.include({ sequence: "1", count: 4, node: t.system.account(OPERATOR).address.toLowerCase() });
      expect(signed.json.batchId).to.equal(getBatchId({ node: batch.node, root: batch.root }));

      const reversed = [...hashes].reverse();
      const again = await call(`${node.url}/v1/batches`, "POST", { sequence: 1, receiptHashes: reversed }, auth);
      expect(again.json, "same sequence, same set").to.deep.equal(signed.json);

      const file = await call(`${node.url}/batches/${signed.json.batchId}`, "GET");
      expect(file.status).to.equal(200);
      expect(keccak256(file.bytes)).to.equal(batch.dataHash);
      const verified = await verifyBatchFile({
        file: parseBatchFile(file.text),
        domain: domain(),
        signature: signed.json.signature as Hex,
        expectedRoot: batch.root,
      });
      expect(verified.signer).to.equal(t.system.account(SIGNER).address);
      expect(verified.batch.dataHash).to.equal(batch.dataHash);

      const receipt = await call(`${node.url}/v1/receipts/${hashes[0]}`, "GET");
      expect(receipt.json.batchId).to.equal(getBatchId({ node: batch.node, root: batch.root }));
      expect(receipt.json).to.deep.include({ batchState: "signed" });
      expect(receipt.json.proof).to.be.an("array");
      expect(node.stats().batchesSigned).to.equal(1);
    });

    it("answers 409 to a sequence the chain does not expect next and to another set at a signed sequence, 400 to unknown receipts", async function () {
      const node = track(await t.startNode());
      const hashes = await issue(node, 3, 200);
      const next = await nextSequence();
      const ahead = await call(`${node.url}/v1/batches`, "POST", {
        sequence: String(next + 5n),
        receiptHashes: hashes.slice(0, 2),
      });
      expect(ahead.status).to.equal(409);
      expect(ahead.json).to.include({ error: "SequenceNotCurrent", expected: next.toString() });
      const unknown = await call(`${node.url}/v1/batches`, "POST", {
        sequence: String(next),
        receiptHashes: [hashes[2], `0x${"ab".repeat(32)}`],
      });
      expect(unknown.status).to.equal(400);
      expect(unknown.json.error).to.equal("UnknownReceipt");
      const duplicate = await call(`${node.url}/v1/batches`, "POST", {
        sequence: String(next),
        receiptHashes: [hashes[2], hashes[2]],
      });
      expect(duplicate.status).to.equal(400);
      expect(duplicate.json.error).to.equal("DuplicateReceipt");
      const empty = await call(`${node.url}/v1/batches`, "POST", { sequence: String(next), receiptHashes: [] });
      expect(empty.status).to.equal(400);
      const badSequence = await call(`${node.url}/v1/batches`, "POST", { sequence: "-1", receiptHashes: [hashes[2]] });
      expect(badSequence.status).to.equal(400);
      const first = await call(`${node.url}/v1/batches`, "POST", {
        sequence: String(next),
        receiptHashes: hashes.slice(0, 2),
      });
      expect(first.status).to.equal(200);
      const otherSet = await call(`${node.url}/v1/batches`, "POST", {
        sequence: String(next),
        receiptHashes: hashes.slice(1),
      });
      expect(otherSet.status).to.equal(409);
      expect(otherSet.json).to.include({
        error: "SequenceConflict",
        batchId: first.json.batchId,
        sequence: next.toString(),
        state: "signed",
      });
      const missing = await call(`${node.url}/batches/0x${"00".repeat(32)}`, "GET");
      expect(missing.status).to.equal(404);
      expect(node.stats().batchesSigned).to.equal(1);
    });

    describe("when someone else had it sign a batch first", function () {
      it("releases that batch at the keeper's authenticated request, so the keeper signs its own at the same sequence, and keeps the freed receipts out of any other sequence until that one is used", async function () {
        const node = track(await t.startNode({ batchToken: "keeper-only-secret" }));
        const auth = { authorization: "Bearer keeper-only-secret" };
        const hashes = await issue(node, 3, 600);
        const next = await nextSequence();
        const outsider = await call(
          `${node.url}/v1/batches`,
          "POST",
          { sequence: String(next), receiptHashes: hashes.slice(0, 2) },
          auth,
        );
        expect(outsider.status).to.equal(200);
        const keeperSet = { sequence: String(next), receiptHashes: hashes.slice(1) };
        const refused = await call(`${node.url}/v1/batches`, "POST", keeperSet, auth);
        expect(refused.json).to.include({ error: "SequenceConflict", batchId: outsider.json.batchId });

        const release = `${node.url}/v1/batches/${outsider.json.batchId}/release`;
        expect((await call(release, "POST")).status, "release needs the token").to.equal(401);
        const released = await call(release, "POST", undefined, auth);
        expect(released.status).to.equal(200);
        expect(released.json).to.deep.equal({
          batchId: outsider.json.batchId,
          sequence: next.toString(),
          state: "released",
        });
        expect((await call(release, "POST", undefined, auth)).json.state, "released again").to.equal("released");
        expect((await call(`${node.url}/v1/receipts/${hashes[0]}`, "GET")).json.batchId).to.equal(null);

        const keeper = await call(`${node.url}/v1/batches`, "POST", keeperSet, auth);
        expect(keeper.status, keeper.text).to.equal(200);
        expect(keeper.json.batchId).to.not.equal(outsider.json.batchId);
        const unknown = await call(`${node.url}/v1/batches/0x${"cd".repeat(32)}/release`, "POST", undefined, auth);
        expect(unknown.status).to.equal(404);
        const metrics = await call(`${node.url}/metrics`, "GET");
        expect(metrics.text).to.contain("verity_node_batches_released_total 1");
      });

      it("frees the receipts of a batch that can never be submitted once the chain used its sequence for another, and names where the others are attested", async function () {
        const node = track(await t.startNode({ batchToken: "keeper-only-secret" }));
        const auth = { authorization: "Bearer keeper-only-secret" };
        const hashes = await issue(node, 3, 700);
        const next = await nextSequence();
        const outsider = await call(
          `${node.url}/v1/batches`,
          "POST",
          { sequence: String(next), receiptHashes: hashes.slice(0, 2) },
          auth,
        );
        await call(`${node.url}/v1/batches/${outsider.json.batchId}/release`, "POST", undefined, auth);
        const keeperSet = { sequence: String(next), receiptHashes: hashes.slice(1) };
        const keeper = await call(`${node.url}/v1/batches`, "POST", keeperSet, auth);
        // The sequence now holds the keeper's batch: nothing else is signed there.
        const early = await call(
          `${node.url}/v1/batches`,
          "POST",
          { sequence: String(next), receiptHashes: [hashes[0]] },
          auth,
        );
        expect(early.json.error).to.equal("SequenceConflict");

        const batch = keeper.json.batch as { node: Hex; sequence: string; root: Hex; count: number; dataHash: Hex };
        await sendContractCall(
          t.system.clients(CONSUMER),
          defineContractCall({
            address: t.system.addresses.attestationRegistry!,
            abi: attestationRegistryAbi,
            functionName: "submitBatch",
            args: [{ ...batch, sequence: BigInt(batch.sequence) }, keeper.json.signature as Hex],
          }),
        );
        const after = await call(
          `${node.url}/v1/batches`,
          "POST",
          { sequence: String(next + 1n), receiptHashes: [hashes[0], hashes[1]] },
          auth,
        );
        expect(after.status).to.equal(409);
        expect(after.json).to.deep.include({
          error: "ReceiptAlreadyAttested",
          attested: [{ receiptHash: hashes[1], batchId: keeper.json.batchId }],
        });
        const freed = await call(
          `${node.url}/v1/batches`,
          "POST",
          { sequence: String(next + 1n), receiptHashes: [hashes[0]] },
          auth,
        );
        expect(freed.status, freed.text).to.equal(200);
        const dead = await call(`${node.url}/v1/batches/${outsider.json.batchId}/release`, "POST", undefined, auth);
        expect(dead.json.state).to.equal("dead");
        const attested = await call(`${node.url}/v1/batches/${keeper.json.batchId}/release`, "POST", undefined, auth);
        expect(attested.status).to.equal(409);
        expect(attested.json.error).to.equal("BatchAttested");
      });

      it("waits for the confirmations before it frees or re-batches receipts of a sequence the chain just used", async function () {
        const node = track(await t.startNode({ batchToken: "keeper-only-secret", confirmations: 2 }));
        const auth = { authorization: "Bearer keeper-only-secret" };
        const hashes = await issue(node, 3, 800);
        const next = await nextSequence();
        const outsider = await call(
          `${node.url}/v1/batches`,
          "POST",
          { sequence: String(next), receiptHashes: hashes.slice(0, 2) },
          auth,
        );
        await call(`${node.url}/v1/batches/${outsider.json.batchId}/release`, "POST", undefined, auth);
        const keeper = await call(
          `${node.url}/v1/batches`,
          "POST",
          { sequence: String(next), receiptHashes: hashes.slice(1) },
          auth,
        );
        const batch = keeper.json.batch as { node: Hex; sequence: string; root: Hex; count: number; dataHash: Hex };
        await sendContractCall(
          t.system.clients(CONSUMER),
          defineContractCall({
            address: t.system.addresses.attestationRegistry!,
            abi: attestationRegistryAbi,
            functionName: "submitBatch",
            args: [{ ...batch, sequence: BigInt(batch.sequence) }, keeper.json.signature as Hex],
          }),
        );
        const sign = (receiptHashes: Hex[]) =>
          call(`${node.url}/v1/batches`, "POST", { sequence: String(next + 1n), receiptHashes }, auth);
        expect((await sign([hashes[1]!])).json).to.include({
          error: "ReceiptAlreadyBatched",
          batchId: keeper.json.batchId,
          sequence: next.toString(),
        });
        expect((await sign([hashes[0]!])).json).to.include({
          error: "ReceiptReleasePending",
          batchId: outsider.json.batchId,
        });
        await t.system.mine();
        await t.system.mine();
        expect((await sign([hashes[1]!])).json.error, "confirmed now").to.equal("ReceiptAlreadyAttested");
        const freed = await sign([hashes[0]!]);
        expect(freed.status, freed.text).to.equal(200);
      });
    });
  });

  describe("the outbox", function () {
    it("delivers every receipt to the keeper exactly once, even when the keeper fails first", async function () {
      const keeper = track(await KeeperReceiverDouble.start(2));
      const db = t.freshDb();
      const node = await t.startNode({ keeperUrl: keeper.url, db });
      const hashes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const body = inferBody(t.int8.modelId, int8Input, requestIdOf(300 + i));
        hashes.push((await call(`${node.url}/v1/infer`, "POST", body)).json.receiptHash as string);
      }
      await waitFor("the outbox to drain", () => node.stats().outbox === 0);
      expect(keeper.refused.length).to.equal(2);
      expect(keeper.accepted.map((item) => item.receipt.requestId).sort()).to.deep.equal(
        [300, 301, 302].map(requestIdOf),
      );
      expect(keeper.accepted.every((item) => item.routerRequest === false)).to.equal(true);
      // A restart finds nothing left to send.
      await node.close();
      const again = track(await t.startNode({ keeperUrl: keeper.url, db }));
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(keeper.accepted.length).to.equal(3);
      expect(again.stats().receipts.forwarded).to.equal(3);
      const metrics = await call(`${again.url}/metrics`, "GET");
      expect(metrics.text).to.match(/verity_node_outbox_size 0/);
    });
  });

  describe("the router watcher", function () {
    async function requestOnChain(
      input: Tensor,
      inputURI: string,
      inputHash: Hex = getTensorHash(input),
      modelId = t.int8.modelId as Hex,
    ) {
      const consumer = t.system.clients(CONSUMER);
      const router = t.system.addresses.inferenceRouter!;
      const fee = await consumer.publicClient.readContract({
        address: router,
        abi: inferenceRouterAbi,
        functionName: "minFeePerNode",
      });
      await sendContractCall(
        consumer,
        defineContractCall({
          address: t.system.addresses.token!,
          abi: erc20Abi,
          functionName: "approve",
          args: [router, fee],
        }),
      );
      const nonce = await consumer.publicClient.readContract({
        address: router,
        abi: inferenceRouterAbi,
        functionName: "nonceOf",
        args: [t.system.account(CONSUMER).address],
      });
      const block = await consumer.publicClient.getBlock();
      await sendContractCall(
        consumer,
        defineContractCall({
          address: router,
          abi: inferenceRouterAbi,
          functionName: "request",
          args: [
            {
              modelId,
              inputHash,
              inputURI,
              input: "0x",
              redundancy: 1,
              deadline: Number(block.timestamp) + 600,
              callbackGasLimit: 0,
              fee,
            },
          ],
        }),
      );
      return consumer.publicClient.readContract({
        address: router,
        abi: inferenceRouterAbi,
        functionName: "computeRequestId",
        args: [t.system.account(CONSUMER).address, nonce],
      });
    }

    it("answers an assigned on-chain request once, forwards it as a router receipt, and skips a wrong input", async function () {
      const keeper = track(await KeeperReceiverDouble.start());
      const db = t.freshDb();
      const requestId = await requestOnChain(int8Input, toDataUri(encodeTensor(int8Input)));
      const wrongId = await requestOnChain(int8Input, toDataUri(encodeTensor(int8Input)), `0x${"42".repeat(32)}`);
      // An input served over HTTP by a server that fails its first fetch: the watcher retries.
      let fetches = 0;
      const inputServer = http.createServer((_request, response) => {
        if (fetches++ === 0) return void response.writeHead(503).end();
        response
          .writeHead(200, { "content-type": "application/octet-stream" })
          .end(Buffer.from(encodeTensor(f32Input)));
      });
      await new Promise<void>((resolve) => inputServer.listen(0, "127.0.0.1", resolve));
      track({ close: () => new Promise<void>((resolve) => inputServer.close(() => resolve())) });
      const inputUrl = `http://127.0.0.1:${(inputServer.address() as net.AddressInfo).port}/input`;
      const httpId = await requestOnChain(f32Input, inputUrl, getTensorHash(f32Input), t.f32.modelId as Hex);
      const node = await t.startNode({ keeperUrl: keeper.url, db, watchRouter: true });
      await waitFor("all three assignments handled", () => {
        const { answered, skipped } = node.stats().routerAssignments;
        return answered === 2 && skipped === 1;
      });
      expect(fetches).to.equal(2);
      await waitFor("the router receipt forwarded", () => node.stats().outbox === 0);
      const routerItems = keeper.accepted.filter((item) => item.routerRequest === true);
      expect(routerItems.map((item) => item.receipt.requestId).sort()).to.deep.equal(
        [requestId.toLowerCase(), httpId.toLowerCase()].sort(),
      );
      const dataUriItem = routerItems.find((item) => item.receipt.requestId === requestId.toLowerCase())!;
      const receipt = parseReceipt(dataUriItem.receipt);
      expect(receipt.inputHash).to.equal(getTensorHash(int8Input));
      expect(receipt.outputHash).to.equal(getTensorHash(expectedInt8Output));
      expect(
        await recoverReceiptSigner({ receipt, domain: domain(), signature: dataUriItem.signature as Hex }),
      ).to.equal(t.system.account(SIGNER).address);
      expect(keeper.accepted.some((item) => item.receipt.requestId === wrongId.toLowerCase())).to.equal(false);

      await node.close();
      const again = track(await t.startNode({ keeperUrl: keeper.url, db, watchRouter: true }));
      await t.system.mine();
      await waitFor("the watcher to pass the head", async () => {
        const health = await call(`${again.url}/health`, "GET");
        return health.json.lastBlock !== null;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(again.stats().receipts.router, "answered once across restarts").to.equal(2);
      expect(keeper.accepted.filter((item) => item.routerRequest === true).length).to.equal(2);
      const metrics = await call(`${again.url}/metrics`, "GET");
      expect(metrics.text).to.contain("verity_node_router_assignments_answered_total");
    });
  });

  describe("in dishonest mode", function () {
    it("corrupts exactly the requests chosen by the share, before signing", async function () {
      const share = 0.3;
      const node = track(await t.startNode({ dishonestShare: share }));
      let corrupted = 0;
      let expectedCorrupted = 0;
      for (let i = 0; i < 40; i++) {
        const requestId = requestIdOf(500 + i);
        const dishonest = isDishonestRequest(requestId, share);
        if (dishonest) expectedCorrupted++;
        const answer = await call(`${node.url}/v1/infer`, "POST", inferBody(t.int8.modelId, int8Input, requestId));
        const receipt = parseReceipt(answer.json.receipt);
        const honest = receipt.outputHash === getTensorHash(expectedInt8Output);
        expect(honest, `request ${i}`).to.equal(!dishonest);
        if (!honest) corrupted++;
        const signer = await recoverReceiptSigner({
          receipt,
          domain: domain(),
          signature: answer.json.signature as Hex,
        });
        expect(signer).to.equal(t.system.account(SIGNER).address);
      }
      expect(corrupted).to.equal(expectedCorrupted);
      expect(corrupted).to.be.within(4, 20);
      expect(node.stats().receipts.dishonest).to.equal(corrupted);
      const metrics = await call(`${node.url}/metrics`, "GET");
      expect(metrics.text).to.contain(`verity_node_dishonest_outputs_total{model="iris-int8"} ${corrupted}`);
      expect(metrics.text).to.contain('verity_node_inferences_total{model="iris-int8",source="api"} 40');
      expect(metrics.text).to.contain("verity_node_inference_seconds_bucket");
      expect(metrics.text).to.contain("verity_node_batches_signed_total 0");
      expect(metrics.text).to.contain("verity_node_receipts_forwarded_total 0");
    });
  });

  describe("verity node serve", function () {
    const saved = { ...process.env };
    afterEach(function () {
      for (const key of [
        "VERITY_NODE_KEY",
        "VERITY_NODE_KEYSTORE",
        "VERITY_NODE_KEYSTORE_PASSWORD",
        "VERITY_BATCH_TOKEN",
      ]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });

    function serve(args: string[]): Promise<Command> {
      const program = new Command("verity").exitOverride();
      addNodeServeCommand(program.command("node"));
      const deploymentFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-node-cli-")), "localhost.json");
      writeDeploymentFile(deploymentFile, t.system.deployment);
      return program.parseAsync([
        "node",
        "verity",
        "node",
        "serve",
        "--rpc-url",
        t.system.chain.rpcUrl,
        "--deployment",
        deploymentFile,
        "--operator",
        t.system.account(OPERATOR).address,
        "--db",
        t.freshDb(),
        "--models",
        MODELS_DIR,
        "--log-level",
        "silent",
        ...args,
      ]);
    }

    it("starts with the key from the environment, serves, and stops cleanly on SIGTERM", async function () {
      process.env.VERITY_NODE_KEY = bytesToHex(t.system.account(SIGNER).getHdKey().privateKey!);
      const port = await findFreePort();
      const running = serve(["--port", String(port), "--no-watch-router", "--interval", "100"]);
      let failure: unknown;
      running.catch((error: unknown) => (failure = error));
      const url = `http://127.0.0.1:${port}`;
      await waitFor("the node to answer", async () => {
        if (failure) throw failure;
        return fetch(`${url}/health`).then(
          (response) => response.ok,
          () => false,
        );
      });
      const answer = await call(`${url}/v1/infer`, "POST", inferBody(t.int8.modelId, int8Input));
      expect(answer.status).to.equal(200);
      process.emit("SIGTERM", "SIGTERM");
      await running;
      const after = await fetch(`${url}/health`).then(
        () => "answered",
        () => "refused",
      );
      expect(after).to.equal("refused");
    });

    it("exits with the configuration error code when it would listen beyond loopback without VERITY_BATCH_TOKEN", async function () {
      process.env.VERITY_NODE_KEY = bytesToHex(t.system.account(SIGNER).getHdKey().privateKey!);
      delete process.env.VERITY_BATCH_TOKEN;
      const deploymentFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-node-cli-")), "localhost.json");
      writeDeploymentFile(deploymentFile, t.system.deployment);
      const args = ["node", "verity", "node", "serve", "--rpc-url", t.system.chain.rpcUrl, "--deployment"];
      const rest = ["--operator", t.system.account(OPERATOR).address, "--db", t.freshDb(), "--models", MODELS_DIR];
      const written: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
      let code: number;
      try {
        code = await main([...args, deploymentFile, ...rest, "--host", "0.0.0.0", "--port", "0"]);
      } finally {
        process.stderr.write = write;
      }
      expect(code).to.equal(ExitCode.Usage);
      expect(written.join("")).to.contain("batchToken: listening on 0.0.0.0, beyond loopback");
      const badConfirmations = await serve(["--port", "0", "--confirmations", "-1"]).catch((e: unknown) => e);
      expect(badConfirmations).to.be.instanceOf(ConfigError);
      expect((badConfirmations as Error).message).to.contain("confirmations: must be a number of blocks, 0 or more");
    });

    it("refuses to start without a key in the environment or with a dishonest share outside [0, 1]", async function () {
      delete process.env.VERITY_NODE_KEY;
      const noKey = await serve(["--port", "0"]).catch((e: unknown) => e);
      expect(noKey).to.be.instanceOf(ConfigError);
      expect((noKey as Error).message).to.contain("node signer: no signing key");
      process.env.VERITY_NODE_KEY = bytesToHex(t.system.account(SIGNER).getHdKey().privateKey!);
      const badShare = await serve(["--port", "0", "--dishonest", "1.5"]).catch((e: unknown) => e);
      expect(badShare).to.be.instanceOf(ConfigError);
      expect((badShare as Error).message).to.contain("dishonestShare: must be within [0, 1]");
    });
  });
});
