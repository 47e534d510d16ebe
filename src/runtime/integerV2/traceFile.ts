import type { Hex } from "viem";
import { bytesToHex, hexToBytes } from "../../protocol";
import { RuntimeInputError } from "../errors";
import { MAX_TENSOR_ELEMENTS } from "./format";
import { buildTraceV2, type TraceV2 } from "./trace";

/** Version of the trace document a node serves at `GET /v1/traces/<receiptHash>`. */
export const TRACE_FILE_VERSION = 1;
/** Most tensors in a trace (the format's 255 layers and the input). */
const MAX_TRACE_TENSORS = 256;

/**
 * The trace of one runtime-v2 receipt as a node serves it: every tensor (0 = input, k = layer k's output) as its
 * int32 elements, big-endian, hex. Anyone checks it against the receipt's signed `traceRoot` by recommitting it
 * ({@link checkTraceFileV2}): the document needs no signature of its own.
 */
export type TraceFileV2 = { version: 1; receiptHash: Hex; traceRoot: Hex; tensors: Hex[] };

/** The trace document of `trace` for receipt `receiptHash`. */
export function encodeTraceFileV2(receiptHash: Hex, trace: TraceV2): TraceFileV2 {
  return {
    version: TRACE_FILE_VERSION,
    receiptHash: receiptHash.toLowerCase() as Hex,
    traceRoot: trace.traceRoot.toLowerCase() as Hex,
    tensors: trace.tensors.map((t) => {
      const bytes = new Uint8Array(4 * t.length);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < t.length; i++) view.setInt32(4 * i, t[i]!);
      return bytesToHex(bytes);
    }),
  };
}

/** What a served trace says about a receipt. */
export type TraceFileCheck = { ok: true; trace: TraceV2 } | { ok: false; reason: string };

/**
 * Decodes a served trace document and recommits it: `ok` only when its tensors commit to `traceRoot` (the receipt's
 * signed root). A malformed document, one for another receipt, or tensors committing to another root is not `ok`,
 * with the reason.
 */
export function checkTraceFileV2(document: unknown, receiptHash: Hex, traceRoot: Hex): TraceFileCheck {
  let tensors: Int32Array[];
  try {
    tensors = decodeTensors(document, receiptHash);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const trace = buildTraceV2(tensors);
  if (trace.traceRoot.toLowerCase() !== traceRoot.toLowerCase()) {
    return { ok: false, reason: `the served tensors commit to ${trace.traceRoot}, the receipt to ${traceRoot}` };
  }
  return { ok: true, trace };
}

function decodeTensors(document: unknown, receiptHash: Hex): Int32Array[] {
  const fail = (details: string) => {
    throw new RuntimeInputError("Malformed trace document.", { details });
  };
  if (typeof document !== "object" || document === null) return fail("not an object");
  const file = document as Partial<TraceFileV2>;
  if (file.version !== TRACE_FILE_VERSION) fail(`version ${String(file.version)}`);
  if (typeof file.receiptHash !== "string" || file.receiptHash.toLowerCase() !== receiptHash.toLowerCase()) {
    fail(`for receipt ${String(file.receiptHash)}, not ${receiptHash}`);
  }
  if (!Array.isArray(file.tensors) || file.tensors.length < 2 || file.tensors.length > MAX_TRACE_TENSORS) {
    return fail("tensors: 2..256 expected");
  }
  return file.tensors.map((hex, t) => {
    if (typeof hex !== "string" || !/^0x([0-9a-fA-F]{8})*$/.test(hex)) fail(`tensor ${t}: not hex of int32 values`);
    const bytes = hexToBytes(hex as Hex);
    if (bytes.length === 0 || bytes.length / 4 > MAX_TENSOR_ELEMENTS) fail(`tensor ${t}: size`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Int32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt32(4 * i);
    return out;
  });
}
