import { expect } from "chai";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { parseEther, type Hex } from "viem";
import { getModel } from "../../src/chain/actions/getModel";
import { NodeRole, enrollParticipant, registerManifestModel } from "../../src/devnet/enrollParticipants";
import { startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import { readModelManifest, type ModelManifestEntry } from "../../src/models";
import { startNodeService } from "../../src/node/startNodeService";
import {
  bytesToHex,
  decodePayload,
  encodePayload,
  getPayloadHash,
  hexToBytes,
  isTensorBundle,
  type Tensor,
  type TensorPayload,
} from "../../src/protocol";
import { createOnnxRuntime, createOnnxWasmRuntime } from "../../src/runtime";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { replayEntry } from "../../src/verifier/replayEntry";
import { fixtureInputs } from "../runtime/onnxFixtureInputs";

const ONNX_DIR = path.resolve(__dirname, "..", "..", "models", "onnx");
type Json = Record<string, unknown>;

function toJson(tensor: Tensor) {
  return {
    dtype: tensor.dtype,
    shape: [...tensor.shape],
    data: Array.from(tensor.data as ArrayLike<number | bigint>, (v) => (typeof v === "bigint" ? v.toString() : v)),
  };
}

function toBody(modelId: Hex, payload: TensorPayload): Json {
  if (!isTensorBundle(payload)) return { modelId, input: toJson(payload) };
  return {
    modelId,
    inputs: Object.fromEntries(Object.entries(payload.tensors).map(([name, t]) => [name, toJson(t)])),
  };
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${url}/v1/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Json };
}

describe("bring your own ONNX model: served by a node on a real chain, replayed by the verifier", function () {
  this.timeout(180_000);
  let system: LocalSystem;
  let entries: Record<string, ModelManifestEntry>;
  let node: Awaited<ReturnType<typeof startNodeService>>;
  let db: string;

  before(async function () {
    system = await startLocalSystem({ VERITY_MINIMUM_STAKE: parseEther("100").toString() });
    const { addresses } = system;
    entries = Object.fromEntries(readModelManifest(ONNX_DIR).models.map((m) => [m.name, m]));
    for (const entry of Object.values(entries)) {
      await registerManifestModel(system.clients(0), addresses.modelRegistry!, entry);
    }
    await enrollParticipant({
      operator: system.clients(1),
      contracts: { token: addresses.token!, nodeRegistry: addresses.nodeRegistry!, staking: addresses.staking! },
      signer: system.account(2).address,
      endpoint: "http://127.0.0.1:9/node",
      role: NodeRole.Inference,
      models: Object.values(entries).map((e) => e.modelId),
      stake: parseEther("1000"),
    });
    db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-onnx-")), "node.sqlite");
    node = await startNodeService({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      operator: system.account(1).address,
      signer: system.account(2),
      db,
      modelsDir: ONNX_DIR,
      port: 0,
      watchRouter: false,
      pollingIntervalMs: 100,
      logger: pino({ level: "silent" }),
    });
  });

  after(async function () {
    await node?.close();
    await system?.stop();
  });

  it("serves all three models, named inputs in, named outputs out, and the verifier's replay agrees", async function () {
    expect([...node.models].sort()).to.deep.equal(
      Object.values(entries)
        .map((e) => e.modelId)
        .sort(),
    );
    const catalog = new ModelCatalog([createOnnxRuntime(), createOnnxWasmRuntime()], [ONNX_DIR]);
    for (const [name, entry] of Object.entries(entries)) {
      const onchain = await getModel(system.clients(0).publicClient, {
        address: system.addresses.modelRegistry!,
        id: entry.modelId,
      });
      for (const input of fixtureInputs(name, "shuffled").slice(0, 3)) {
        const { status, json } = await post(node.url, toBody(entry.modelId, input));
        expect(status, JSON.stringify(json)).to.equal(200);
        const receipt = json.receipt as { inputHash: Hex; outputHash: Hex; modelId: Hex };
        // Several inputs commit their bundle; one input commits its plain tensor, even when sent by name.
        const committed =
          isTensorBundle(input) && name !== "multi-input" ? input.tensors[Object.keys(input.tensors)[0]!]! : input;
        expect(receipt.inputHash).to.equal(getPayloadHash(committed));
        if (name === "multi-input") expect(Object.keys(json.outputs as Json).sort()).to.deep.equal(["label", "logits"]);
        else expect(json.output).to.have.property("dtype", "float32");
        const outputBytes = new Uint8Array(
          await (await fetch(`${node.url}/tensors/${receipt.outputHash}`)).arrayBuffer(),
        );
        expect(getPayloadHash(decodePayload(outputBytes))).to.equal(receipt.outputHash);
        const outcome = await replayEntry(
          {
            receipt: json.receipt as never,
            input: { encoding: bytesToHex(encodePayload(committed)) },
            output: { encoding: bytesToHex(outputBytes) },
          },
          { mode: onchain.mode, tolerance: onchain.tolerance, runtimeId: onchain.runtimeId },
          catalog,
          {},
        );
        expect(outcome.verdict, outcome.reason).to.equal("valid");
        if (entry.verificationMode === "EXACT") expect(outcome.reason).to.equal("replay output identical");
      }
    }
  });

  it("the verifier catches a wrong output of a bundle model, naming the output", async function () {
    const entry = entries["multi-input"]!;
    const input = fixtureInputs("multi-input", "forward")[0]!;
    const { json } = await post(node.url, toBody(entry.modelId, input));
    const outputs = json.outputs as Record<string, { data: number[] }>;
    const wrong = decodePayload(
      hexToBytes(
        bytesToHex(
          new Uint8Array(
            await (
              await fetch(`${node.url}/tensors/${(json.receipt as { outputHash: Hex }).outputHash}`)
            ).arrayBuffer(),
          ),
        ),
      ),
    );
    const logits = (wrong as { tensors: Record<string, Tensor> }).tensors.logits!;
    (logits.data as Float32Array)[1] = outputs.logits!.data[1]! + 0.5;
    const receipt = { ...(json.receipt as Json), outputHash: getPayloadHash(wrong) };
    const outcome = await replayEntry(
      {
        receipt: receipt as never,
        input: { encoding: bytesToHex(encodePayload(input)) },
        output: { encoding: bytesToHex(encodePayload(wrong)) },
      },
      {
        mode: 1,
        tolerance: BigInt(entry.tolerance),
        runtimeId: (
          await getModel(system.clients(0).publicClient, {
            address: system.addresses.modelRegistry!,
            id: entry.modelId,
          })
        ).runtimeId,
      },
      new ModelCatalog([createOnnxRuntime()], [ONNX_DIR]),
      {},
    );
    expect(outcome.verdict).to.equal("wrong-output");
    expect(outcome.reason).to.match(/in "logits"/);
  });

  describe("refuses bad input with 400, a message naming the input, and nothing stored", function () {
    const good = () => toBody(entries["multi-input"]!.modelId, fixtureInputs("multi-input", "forward")[0]!);
    const cases: [string, () => unknown, RegExp][] = [
      [
        "a missing input",
        () => {
          const b = good();
          delete (b.inputs as Json).mask;
          return b;
        },
        /missing input "mask" \(bool \[1,4\]\)/,
      ],
      [
        "an extra input",
        () => {
          const b = good();
          (b.inputs as Json).bias = (b.inputs as Json).features;
          return b;
        },
        /unexpected input "bias"/,
      ],
      [
        "a wrong dtype",
        () => {
          const b = good();
          (b.inputs as Json).category = { dtype: "int32", shape: [1, 1], data: [1] };
          return b;
        },
        /input "category": dtype is int32, the model takes int64/,
      ],
      [
        "NaN where finite values are declared",
        () => {
          const b = good();
          (b.inputs as Json).features = { dtype: "float32", shape: [1, 4], data: [1, "NaN", 2, 3] };
          return b;
        },
        /input "features": element 1 is NaN or infinite/,
      ],
      [
        "Inf from a float32 overflow",
        () => {
          const b = good();
          (b.inputs as Json).features = { dtype: "float32", shape: [1, 4], data: [1, 1e39, 2, 3] };
          return b;
        },
        /input "features": element 1 is NaN or infinite/,
      ],
      [
        "an int64 out of range",
        () => {
          const b = good();
          (b.inputs as Json).category = { dtype: "int64", shape: [1, 1], data: ["9223372036854775808"] };
          return b;
        },
        /input "category": data\[0\] is out of the int64 range/,
      ],
      [
        "dimensions over the declared maximum",
        () => ({
          modelId: entries["dynamic-batch"]!.modelId,
          input: { dtype: "float32", shape: [17, 4], data: new Array<number>(68).fill(0) },
        }),
        /input "x": dimension 0 \(N\) is 17, over its declared maximum 16/,
      ],
      [
        "both input and inputs",
        () => ({ ...good(), input: { dtype: "float32", shape: [1], data: [1] } }),
        /exactly one of input/,
      ],
    ];
    for (const [label, body, message] of cases) {
      it(label, async function () {
        const before = node.stats().receipts;
        const { status, json } = await post(node.url, body());
        expect(status).to.equal(400);
        expect(String(json.message)).to.match(message);
        expect(node.stats().receipts).to.deep.equal(before);
      });
    }
    it("a body over the limit (413)", async function () {
      const before = node.stats().receipts;
      const { status, json } = await post(node.url, JSON.stringify({ ...good(), pad: "x".repeat(9 * 1024 * 1024) }));
      expect(status).to.equal(413);
      expect(json.error).to.equal("BodyTooLarge");
      expect(node.stats().receipts).to.deep.equal(before);
    });
  });
});
