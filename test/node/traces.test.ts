import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createNodeApp } from "../../src/node/createNodeApp";
import { createNodeMetrics } from "../../src/node/createNodeMetrics";
import type { NodeContext } from "../../src/node/context";
import type { ServedModel } from "../../src/node/loadServedModels";
import { NodeStore } from "../../src/node/NodeStore";
import { runInference } from "../../src/node/runInference";
import type { Tensor } from "../../src/protocol";
import {
  checkTraceFileV2,
  createIntegerRuntimeV2,
  getShapeSize,
  parseIntegerModelV2,
  runIntegerModelV2,
  type TraceFileV2,
} from "../../src/runtime/integerV2";
import { listenHttp, type HttpListener } from "../../src/service/listenHttp";
import { checkServedTrace } from "../../src/verifier/checkServedTrace";

const artifact = fs.readFileSync(path.resolve(__dirname, "..", "..", "models", "digits-cnn-int8.vmodel2"));
const model = parseIntegerModelV2(artifact);
const RETENTION = 3_600;

function input(seed: number): Tensor<"int8"> {
  const data = new Int8Array(getShapeSize(model.inputShape));
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 13) % 17;
  return { dtype: "int8", shape: [1, 8, 8], data };
}

describe("traces served over HTTP (GET /v1/traces/<receiptHash>) and checked by the verifier", function () {
  let dir: string;
  let context: NodeContext;
  let served: ServedModel;
  let node: HttpListener;
  let clock = 1_800_000_000n;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-traces-"));
    const loaded = await createIntegerRuntimeV2().load(artifact);
    served = {
      modelId: loaded.modelId,
      entry: { name: "digits" } as never,
      loaded,
      signature: {} as never,
      integerV2: model,
    };
    const store = new NodeStore(path.join(dir, "node.sqlite"));
    const signer = privateKeyToAccount(generatePrivateKey());
    context = {
      store,
      models: new Map([[loaded.modelId, served]]),
      signer,
      operator: signer.address,
      chainId: 31337,
      domain: { chainId: 31337, verifyingContract: "0x0000000000000000000000000000000000000001" },
      // Not read by inference or the trace route (batches only).
      batchChain: undefined as never,
      dishonestShare: 0,
      dishonestMode: "trace",
      traceRetentionSeconds: RETENTION,
      metrics: createNodeMetrics(() => 0),
      logger: pino({ level: "silent" }),
      now: () => clock,
      groupCommit: false,
      onReceiptStored: () => {},
    };
    const app = createNodeApp(context, { active: () => true, lastBlock: () => 0n, problems: () => [] });
    node = await listenHttp({ fetch: app.fetch });
  });

  after(async function () {
    await node?.close();
    context?.store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const infer = async (seed: number, dishonest: boolean) => {
    context.dishonestShare = dishonest ? 1 : 0;
    const { stored } = await runInference(context, {
      model: served,
      input: input(seed),
      requestId: `0x${seed.toString(16).padStart(64, "0")}`,
      source: "api",
    });
    return stored;
  };

  it("serves an honest receipt's trace, which verifies against its traceRoot and matches the verifier's own", async function () {
    const stored = await infer(1, false);
    const response = await fetch(`${node.url}/v1/traces/${stored.receiptHash}`);
    expect(response.status).to.equal(200);
    const document = (await response.json()) as TraceFileV2;
    expect(document.traceRoot).to.equal(stored.receipt.traceRoot);
    expect(document.tensors).to.have.length(model.layers.length + 1);
    expect(checkTraceFileV2(document, stored.receiptHash, stored.receipt.traceRoot).ok).to.equal(true);
    const honest = runIntegerModelV2(model, input(1)).trace;
    const checked = await checkServedTrace({
      endpoint: node.url,
      receiptHash: stored.receiptHash,
      traceRoot: stored.receipt.traceRoot,
      honest,
    });
    expect(checked).to.deep.equal({ status: "verified", firstDifference: undefined });
  });

  it("serves a dishonest trace-mode receipt's committed trace: it verifies, and shows the tensor the node got wrong", async function () {
    const stored = await infer(2, true);
    const honest = runIntegerModelV2(model, input(2)).trace;
    expect(stored.receipt.traceRoot).to.not.equal(honest.traceRoot);
    const checked = await checkServedTrace({
      endpoint: node.url,
      receiptHash: stored.receiptHash,
      traceRoot: stored.receipt.traceRoot,
      honest,
    });
    expect(checked.status).to.equal("verified");
    expect(checked.status === "verified" && checked.firstDifference).to.be.within(1, model.layers.length - 1);
  });

  it("detects a tampered served trace (one element changed, or served for another receipt)", async function () {
    const stored = await infer(3, false);
    const honest = runIntegerModelV2(model, input(3)).trace;
    const genuine = (await (await fetch(`${node.url}/v1/traces/${stored.receiptHash}`)).json()) as TraceFileV2;
    const tampered: TraceFileV2 = { ...genuine, tensors: [...genuine.tensors] };
    const t = tampered.tensors[2]!;
    tampered.tensors[2] = `${t.slice(0, -1)}${t.endsWith("0") ? "1" : "0"}` as never;
    const liar = await listenHttp({ fetch: () => Response.json(tampered) });
    try {
      const checked = await checkServedTrace({
        endpoint: liar.url,
        receiptHash: stored.receiptHash,
        traceRoot: stored.receipt.traceRoot,
        honest,
      });
      expect(checked.status).to.equal("tampered");
      expect(checked.status === "tampered" && checked.reason).to.match(/commit to/);
    } finally {
      await liar.close();
    }
    const other = `0x${"ab".repeat(32)}` as const;
    expect(checkTraceFileV2(genuine, other, stored.receipt.traceRoot).ok).to.equal(false);
    expect(
      checkTraceFileV2({ ...genuine, tensors: ["0x123"] }, stored.receiptHash, stored.receipt.traceRoot).ok,
    ).to.equal(false);
  });

  it("reports a missing trace: unknown receipt (404), node unreachable", async function () {
    const honest = runIntegerModelV2(model, input(4)).trace;
    const unknown = `0x${"cd".repeat(32)}` as const;
    const missing = await checkServedTrace({ endpoint: node.url, receiptHash: unknown, traceRoot: unknown, honest });
    expect(missing).to.deep.equal({ status: "missing", reason: "HTTP 404" });
    const down = await checkServedTrace({
      endpoint: "http://127.0.0.1:1",
      receiptHash: unknown,
      traceRoot: unknown,
      honest,
      timeoutMs: 1_000,
    });
    expect(down.status).to.equal("missing");
  });

  it("keeps serving for the retention and prunes after it (410 TracePruned)", async function () {
    const stored = await infer(5, false);
    clock += BigInt(RETENTION);
    expect((await fetch(`${node.url}/v1/traces/${stored.receiptHash}`)).status).to.equal(200, "at the last second");
    clock += 1n;
    const response = await fetch(`${node.url}/v1/traces/${stored.receiptHash}`);
    expect(response.status).to.equal(410);
    expect(((await response.json()) as { error: string }).error).to.equal("TracePruned");
  });
});
