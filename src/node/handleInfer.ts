import { randomBytes } from "node:crypto";
import type { Hex } from "viem";
import { bytesToHex, decodePayload, getErrorMessage, getPayloadHash } from "../protocol";
import type { NodeContext } from "./context";
import { ConflictError, InvalidRequestError, NodeHttpError, NotFoundError } from "./errors";
import { formatPayloadJson } from "../runtime";
import { toReceiptJson } from "./json";
import { parseInferRequest, toInputPayload, toInputTensor } from "./parseInferRequest";
import { runInference, type RunInferenceReturnType } from "./runInference";

/** The answer of `POST /v1/infer`: output (or named outputs), the signed receipt and its hash. */
export type InferAnswer = ReturnType<typeof toInferAnswer>;

/** `POST /v1/infer` from its parsed JSON body to its answer; throws a {@link NodeHttpError} for bad input. */
export type InferHandler = (body: unknown) => Promise<InferAnswer>;

/** An error as the node answers it: status and `{error, message, ...data}`. */
export interface ErrorAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The one implementation of `POST /v1/infer` (docs/services.md § Node service), whichever HTTP path serves it (the
 * Hono app or the native fast path, src/node/serveInferNative.ts): validates the request, runs the model, and answers
 * once the signed receipt is durable. A client-chosen request id served now makes a concurrent retry wait for the
 * first and get its receipt; a later retry gets the stored receipt; its reuse for another model or input is a 409.
 */
export function createInferHandler(context: NodeContext): InferHandler {
  // Client-chosen request ids being served now: a concurrent retry waits for the first and gets its receipt.
  const inFlight = new Map<Hex, Promise<unknown>>();
  return async (body) => {
    const request = parseInferRequest(body);
    const model = context.models.get(request.modelId);
    if (!model) throw new NotFoundError("UnknownModel", `Model ${request.modelId} is not served by this node.`);
    // Legacy models (no signature document) keep their exact messages; the rest go through the signature.
    const input =
      model.entry.signature === undefined && request.input !== undefined && model.entry.input !== undefined
        ? toInputTensor(request.input, model.entry.input)
        : toInputPayload(request, model.signature);
    if (request.requestId === undefined) {
      const requestId = bytesToHex(randomBytes(32)) as Hex;
      return toInferAnswer(await runInference(context, { model, input, requestId, source: "api" }));
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
      return toInferAnswer({ stored: same, output });
    }
    const running = runInference(context, { model, input, requestId, source: "api" });
    inFlight.set(requestId, running);
    try {
      return toInferAnswer(await running);
    } finally {
      inFlight.delete(requestId);
    }
  };
}

/** A request body's text as JSON; `InvalidJson` (400) when it is not. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new InvalidRequestError("InvalidJson", `Request body is not valid JSON: ${getErrorMessage(cause)}`);
  }
}

/** The 413 answer to a body over `maxSize` bytes. */
export function bodyTooLargeAnswer(maxSize: number): ErrorAnswer {
  return { status: 413, body: { error: "BodyTooLarge", message: `Request body exceeds ${maxSize} bytes.` } };
}

/**
 * How the node answers an error thrown by a route: a {@link NodeHttpError} as its status and `{error, message,
 * ...data}`; anything else is logged and answered 500 `InternalError` (never with its message).
 */
export function toErrorAnswer(error: unknown, context: Pick<NodeContext, "logger">, path: string): ErrorAnswer {
  if (error instanceof NodeHttpError) {
    return { status: error.status, body: { error: error.code, message: error.message, ...error.data } };
  }
  context.logger.error({ err: error, path }, "request failed");
  return {
    status: 500,
    body: { error: "InternalError", message: "The node failed to handle the request; see its log." },
  };
}

function toInferAnswer({ stored, output }: RunInferenceReturnType) {
  return {
    ...formatPayloadJson(output),
    receipt: toReceiptJson(stored.receipt),
    signature: stored.signature,
    receiptHash: stored.receiptHash,
  };
}
