import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { timingSafeEqual } from "node:crypto";
import type { Hex } from "viem";
import { decodePayload, getSecp256k1Backend } from "../protocol";
import type { NodeContext } from "./context";
import { InvalidRequestError, NodeHttpError, NotFoundError } from "./errors";
import { formatPayloadJson } from "../runtime";
import { toReceiptJson } from "./json";
import { getReceiptBatchProof } from "./getReceiptBatchProof";
import { getReceiptTrace } from "./getReceiptTrace";
import { bodyTooLargeAnswer, createInferHandler, parseJsonBody, toErrorAnswer, type InferHandler } from "./handleInfer";
import { releaseReceiptBatch, signReceiptBatch } from "./signReceiptBatch";

/** What `/health` reports beyond the context: live state of the loops. */
export interface NodeAppStatus {
  active(): boolean;
  lastBlock(): bigint | undefined;
  /** Problems that make the node `degraded` (chain unreachable, keeper refusing receipts, not active). */
  problems(): string[];
}

export interface CreateNodeAppParameters {
  /** Bearer token `POST /v1/batches` and `POST /v1/batches/:batchId/release` require, when set. */
  batchToken?: string | undefined;
  /** Largest request body, in bytes (default {@link DEFAULT_MAX_BODY_BYTES}). */
  maxBodyBytes?: number;
  /** The `POST /v1/infer` logic, when the node's native fast path shares it (one in-flight map); else a new one. */
  infer?: InferHandler;
}

/** Largest request body the node reads by default: 8 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** The node's HTTP routes (docs/services.md § Node service). Errors answer `{error, message}`; never a 500 for bad input. */
export function createNodeApp(
  context: NodeContext,
  status: NodeAppStatus,
  parameters: CreateNodeAppParameters = {},
): Hono {
  const app = new Hono();
  const maxSize = parameters.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize,
      onError: (c) => c.json(bodyTooLargeAnswer(maxSize).body, 413),
    }),
  );

  app.onError((error, c) => {
    const { status, body } = toErrorAnswer(error, context, c.req.path);
    return c.json(body, status as ContentfulStatusCode);
  });
  app.notFound((c) => c.json({ error: "NotFound", message: `No route ${c.req.method} ${c.req.path}.` }, 404));

  app.get("/health", (c) => {
    const problems = status.problems();
    const lastBlock = status.lastBlock();
    return c.json({
      status: problems.length === 0 ? "ok" : "degraded",
      problems,
      operator: context.operator,
      signer: context.signer.address,
      chainId: context.chainId,
      crypto: getSecp256k1Backend(),
      active: status.active(),
      models: [...context.models.keys()],
      outbox: context.store.countOutbox(),
      lastBlock: lastBlock === undefined ? null : lastBlock.toString(10),
    });
  });

  app.get("/metrics", async (c) => {
    const text = await context.metrics.registry.metrics();
    return c.text(text, 200, { "content-type": context.metrics.registry.contentType });
  });

  app.get("/v1/models", (c) =>
    c.json(
      [...context.models.values()].map(({ modelId, entry, signature }) => ({
        modelId,
        name: entry.name,
        runtime: entry.runtimeId,
        mode: entry.verificationMode,
        inputShape: entry.input?.shape ?? null,
        inputDtype: entry.input?.dtype ?? null,
        outputShape: entry.output?.shape ?? null,
        outputDtype: entry.output?.dtype ?? null,
        signature: entry.signature ?? null,
        inputs: signature.inputs,
        outputs: signature.outputs,
      })),
    ),
  );

  const infer = parameters.infer ?? createInferHandler(context);
  app.post("/v1/infer", async (c) => c.json(await infer(await readJson(c))));

  app.get("/v1/receipts/:receiptHash", (c) => {
    const hash = bytes32Param(c.req.param("receiptHash"), "receiptHash");
    const stored = context.store.getReceipt(hash);
    if (!stored) throw new NotFoundError("UnknownReceipt", `This node never issued receipt ${hash}.`);
    const batched = getReceiptBatchProof(context.store, hash, stored.batchId);
    return c.json({
      receipt: toReceiptJson(stored.receipt),
      signature: stored.signature,
      ...outputJson(context, stored.receipt.outputHash),
      batchId: batched?.batchId ?? null,
      batchState: batched?.batchState ?? null,
      proof: batched?.proof ?? null,
    });
  });

  const checkBatchToken = (c: Context) => {
    if (parameters.batchToken === undefined || parameters.batchToken === "") return;
    const expected = Buffer.from(`Bearer ${parameters.batchToken}`);
    const given = Buffer.from(c.req.header("authorization") ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new NodeHttpError(401, "Unauthorized", "Batch signing and release need the node's bearer token.");
    }
  };

  app.post("/v1/batches", async (c) => {
    checkBatchToken(c);
    return c.json(await signReceiptBatch(context, await readJson(c)));
  });

  app.post("/v1/batches/:batchId/release", async (c) => {
    checkBatchToken(c);
    return c.json(await releaseReceiptBatch(context, bytes32Param(c.req.param("batchId"), "batchId")));
  });

  app.get("/v1/traces/:receiptHash", (c) =>
    c.json(getReceiptTrace(context, bytes32Param(c.req.param("receiptHash"), "receiptHash"))),
  );

  app.get("/batches/:batchId", (c) => {
    const id = bytes32Param(c.req.param("batchId"), "batchId");
    const batch = context.store.getBatchById(id);
    if (!batch) throw new NotFoundError("UnknownBatch", `This node signed no batch ${id}.`);
    return c.body(batch.fileText, 200, { "content-type": "application/json; charset=utf-8" });
  });

  app.get("/tensors/:tensorHash", (c) => {
    const hash = bytes32Param(c.req.param("tensorHash"), "tensorHash");
    const encoding = context.store.getTensor(hash);
    if (!encoding) throw new NotFoundError("UnknownTensor", `This node holds no tensor ${hash}.`);
    return c.body(encoding.buffer as ArrayBuffer, 200, { "content-type": "application/octet-stream" });
  });

  return app;
}

/** The stored output (one tensor, or named outputs) as JSON; `output: null` when the node no longer holds it. */
function outputJson(context: NodeContext, outputHash: Hex) {
  const encoding = context.store.getTensor(outputHash);
  return encoding ? formatPayloadJson(decodePayload(encoding)) : { output: null };
}

async function readJson(c: Context): Promise<unknown> {
  return parseJsonBody(await c.req.text());
}

function bytes32Param(value: string, name: string): Hex {
  if (!BYTES32.test(value))
    throw new InvalidRequestError("InvalidParameter", `${name} must be 0x-prefixed 32-byte hex.`);
  return value.toLowerCase() as Hex;
}
