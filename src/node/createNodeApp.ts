import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Hex } from "viem";
import { bytesToHex, decodePayload, getPayloadHash, getSecp256k1Backend } from "../protocol";
import type { NodeContext } from "./context";
import { InvalidRequestError, NodeHttpError, NotFoundError, ConflictError } from "./errors";
import { formatPayloadJson } from "../runtime";
import { toReceiptJson } from "./json";
import { parseInferRequest, toInputPayload, toInputTensor } from "./parseInferRequest";
import { runInference, type RunInferenceReturnType } from "./runInference";
import { getReceiptBatchProof } from "./getReceiptBatchProof";
import { getReceiptTrace } from "./getReceiptTrace";
import { releaseReceiptBatch, signReceiptBatch } from "./signReceiptBatch";
import { getErrorMessage } from "../protocol";

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
  /** Largest request body, in bytes (default 8 MiB). */
  maxBodyBytes?: number;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** The node's HTTP routes (docs/services.md § Node service). Errors answer `{error, message}`; never a 500 for bad input. */
export function createNodeApp(
  context: NodeContext,
  status: NodeAppStatus,
  parameters: CreateNodeAppParameters = {},
): Hono {
  const app = new Hono();
  const maxSize = parameters.maxBodyBytes ?? 8 * 1024 * 1024;
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize,
      onError: (c) => c.json({ error: "BodyTooLarge", message: `Request body exceeds ${maxSize} bytes.` }, 413),
    }),
  );

  app.onError((error, c) => {
    if (error instanceof NodeHttpError) {
      return c.json({ error: error.code, message: error.message, ...error.data }, error.status);
    }
    context.logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json({ error: "InternalError", message: "The node failed to handle the request; see its log." }, 500);
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

  // Client-chosen request ids being served now: a concurrent retry waits for the first and gets its receipt.
  const inFlight = new Map<Hex, Promise<unknown>>();
  app.post("/v1/infer", async (c) => {
    const request = parseInferRequest(await readJson(c));
    const model = context.models.get(request.modelId);
    if (!model) throw new NotFoundError("UnknownModel", `Model ${request.modelId} is not served by this node.`);
    // Legacy models (no signature document) keep their exact messages; the rest go through the signature.
    const input =
      model.entry.signature === undefined && request.input !== undefined && model.entry.input !== undefined
        ? toInputTensor(request.input, model.entry.input)
        : toInputPayload(request, model.signature);
    if (request.requestId === undefined) {
      const requestId = bytesToHex(randomBytes(32)) as Hex;
      return c.json(toInferAnswer(await runInference(context, { model, input, requestId, source: "api" })));
    }
    const requestId = request.requestId;
    while (inFlight.has(requestId)) await inFlight.get(requestId)!.catch(() => {});
    const previous = context.store.findReceiptsByRequest(requestId, "api");
    if (previous.length > 0) {
      const inputHash = getPayloadHash(input);
      const same = previous.find((r) => r.receipt.modelId === request.modelId && r.receipt.inputHash === inputHash);
      if (!same) {
        throw new ConflictError(
          "RequestIdConflict",
          `Request id ${requestId} was already used for another model or input.`,
        );
      }
      // A retry of the same request: the same signed receipt again.
      const output = decodePayload(context.store.getTensor(same.receipt.outputHash)!);
      return c.json(toInferAnswer({ stored: same, output }));
    }
    const running = runInference(context, { model, input, requestId, source: "api" });
    inFlight.set(requestId, running);
    try {
      return c.json(toInferAnswer(await running));
    } finally {
      inFlight.delete(requestId);
    }
  });

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

function toInferAnswer({ stored, output }: RunInferenceReturnType) {
  return {
    ...formatPayloadJson(output),
    receipt: toReceiptJson(stored.receipt),
    signature: stored.signature,
    receiptHash: stored.receiptHash,
  };
}

/** The stored output (one tensor, or named outputs) as JSON; `output: null` when the node no longer holds it. */
function outputJson(context: NodeContext, outputHash: Hex) {
  const encoding = context.store.getTensor(outputHash);
  return encoding ? formatPayloadJson(decodePayload(encoding)) : { output: null };
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new InvalidRequestError("InvalidJson", `Request body is not valid JSON: ${getErrorMessage(cause)}`);
  }
}

function bytes32Param(value: string, name: string): Hex {
  if (!BYTES32.test(value))
    throw new InvalidRequestError("InvalidParameter", `${name} must be 0x-prefixed 32-byte hex.`);
  return value.toLowerCase() as Hex;
}
