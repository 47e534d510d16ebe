import type { Hex } from "viem";
import { getErrorMessage } from "../protocol";
import { checkTraceFileV2, type TraceV2 } from "../runtime/integerV2";

/**
 * What a node's served trace of a receipt showed: `verified` (it commits to the receipt's `traceRoot`;
 * `firstDifference` is the first tensor where it differs from the honest trace, undefined when none does),
 * `missing` (no answer, not 200, or not JSON) or `tampered` (served, but not the committed trace).
 */
export type ServedTraceCheck =
  | { status: "verified"; firstDifference: number | undefined }
  | { status: "missing"; reason: string }
  | { status: "tampered"; reason: string };

export interface CheckServedTraceParameters {
  /** The node's registered endpoint (NodeRegistry); the trace is at `<endpoint>/v1/traces/<receiptHash>`. */
  endpoint: string;
  receiptHash: Hex;
  /** The receipt's signed trace root. */
  traceRoot: Hex;
  /** The verifier's own trace of the receipt's input. */
  honest: TraceV2;
  timeoutMs?: number;
}

/**
 * Fetches the trace a node serves for its receipt and checks it against the receipt's `traceRoot` before the verifier
 * challenges: a verified trace tells where the node's computation left the honest one (the tensor the game will
 * bisect); a missing or tampered one changes nothing in the game, whose on-chain reveals force the node to show its
 * trace move by move (and a node that cannot loses by timeout).
 */
export async function checkServedTrace({
  endpoint,
  receiptHash,
  traceRoot,
  honest,
  timeoutMs = 5_000,
}: CheckServedTraceParameters): Promise<ServedTraceCheck> {
  let document: unknown;
  try {
    const response = await fetch(`${endpoint.replace(/\/+$/, "")}/v1/traces/${receiptHash}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) return { status: "missing", reason: `HTTP ${response.status}` };
    document = await response.json();
  } catch (error) {
    return { status: "missing", reason: getErrorMessage(error).split("\n")[0]! };
  }
  const checked = checkTraceFileV2(document, receiptHash, traceRoot);
  if (!checked.ok) return { status: "tampered", reason: checked.reason };
  const served = checked.trace.tensors;
  const firstDifference = served.findIndex(
    (tensor, t) => tensor.length !== honest.tensors[t]?.length || tensor.some((v, i) => v !== honest.tensors[t]![i]),
  );
  return { status: "verified", firstDifference: firstDifference < 0 ? undefined : firstDifference };
}
