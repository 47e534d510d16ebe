import type { Hex } from "viem";
import { decodePayload, isTensorBundle } from "../protocol";
import { encodeTraceFileV2, runIntegerModelV2, type TraceFileV2, type TraceV2 } from "../runtime/integerV2";
import type { NodeContext } from "./context";
import { runCorruptedIntegerModelV2 } from "./corruptTrace";
import { NodeHttpError, NotFoundError } from "./errors";

/** Default trace retention: 7 days, longer than any challenge window plus a game the demo or a deployment uses. */
export const DEFAULT_TRACE_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * The trace of one of this node's runtime-v2 receipts, as `GET /v1/traces/<receiptHash>` serves it. The node keeps
 * what the trace is a function of (the receipt's input, stored with the receipt, and the served model) and rebuilds
 * it bit-exactly on request, checked against the receipt's signed `traceRoot` before it is served. Served for
 * `traceRetentionSeconds` after the receipt's `issuedAt` (at least the challenge window plus a game); afterwards the
 * answer is 410 `TracePruned`. 404 for a receipt this node never issued, a model not on runtime v2, or an input it
 * no longer holds.
 */
export function getReceiptTrace(context: NodeContext, receiptHash: Hex): TraceFileV2 {
  const stored = context.store.getReceipt(receiptHash);
  if (!stored) throw new NotFoundError("UnknownReceipt", `This node never issued receipt ${receiptHash}.`);
  const retention = BigInt(context.traceRetentionSeconds ?? DEFAULT_TRACE_RETENTION_SECONDS);
  if (context.now() > stored.receipt.issuedAt + retention) {
    throw new NodeHttpError(410, "TracePruned", `The trace of ${receiptHash} is past its ${retention} s retention.`);
  }
  const model = context.models.get(stored.receipt.modelId.toLowerCase() as Hex)?.integerV2;
  if (!model) throw new NotFoundError("NoTrace", `Receipt ${receiptHash} is not of a runtime-v2 model served here.`);
  const encoding = context.store.getTensor(stored.receipt.inputHash);
  const input = encoding && decodePayload(encoding);
  if (!input || isTensorBundle(input)) {
    throw new NotFoundError("NoTrace", `This node no longer holds the input of ${receiptHash}.`);
  }
  let trace: TraceV2 = runIntegerModelV2(model, input).trace;
  // A receipt of the dishonest trace mode (test and demo) committed its corrupted trace: that is what it serves.
  if (stored.dishonest && trace.traceRoot.toLowerCase() !== stored.receipt.traceRoot.toLowerCase()) {
    trace = runCorruptedIntegerModelV2(model, input.data as Int8Array)?.trace ?? trace;
  }
  if (trace.traceRoot.toLowerCase() !== stored.receipt.traceRoot.toLowerCase()) {
    throw new NotFoundError("NoTrace", `The re-run trace of ${receiptHash} does not match its trace root.`);
  }
  return encodeTraceFileV2(stored.receiptHash, trace);
}
