import type { Hex } from "viem";
import {
  BaseError,
  decodePayload,
  getPayloadHash,
  type BatchFileEntry,
  type TensorPayload,
  type TensorReference,
} from "../protocol";
import { compareWithTolerance, InputValidationError, validatePayload } from "../runtime";
import type { ModelCatalog } from "./ModelCatalog";
import { ContentMismatchError, ContentUnavailableError, UnknownModelError } from "./errors";
import { fetchTensorUri, type ContentSources } from "../service/fetchContent";
import type { VerdictKind } from "./VerdictStore";

/** A model's verification policy as the ModelRegistry holds it. */
export interface ModelPolicy {
  /** 0 = EXACT, 1 = TOLERANCE (IModelRegistry.VerificationMode). */
  mode: number;
  /** 18-decimal fixed point; zero for EXACT. */
  tolerance: bigint;
  /** keccak256 of the runtime's name. */
  runtimeId: Hex;
  /** The registration's metadata URI: `ipfs://…` addresses the model's signature document. */
  metadataURI?: string;
}

export interface ReplayOutcome {
  verdict: Exclude<VerdictKind, "skipped">;
  reason: string;
  /** Hash of the replayed output (undefined when the replay didn't run). */
  replayOutputHash: Hex | undefined;
}

/**
 * Replays one receipt's input with its model and compares with the claim by the model's policy: EXACT needs the
 * same output hash (and the same trace root where the runtime keeps one); TOLERANCE needs the claimed output tensor
 * (which must hash to the receipt's outputHash) within the tolerance, element by element.
 * Content that can't be fetched throws {@link ContentUnavailableError} (the caller retries); everything else ends in
 * a verdict.
 */
export async function replayEntry(
  entry: BatchFileEntry,
  policy: ModelPolicy | undefined,
  catalog: ModelCatalog,
  sources: ContentSources,
): Promise<ReplayOutcome> {
  const { receipt } = entry;
  if (!policy)
    return {
      verdict: "unknown-model",
      reason: `model ${receipt.modelId} is not registered`,
      replayOutputHash: undefined,
    };

  let input: TensorPayload;
  try {
    input = await resolveTensor(entry.input, receipt.inputHash, sources);
  } catch (error) {
    if (error instanceof ContentUnavailableError) throw error;
    return { verdict: "malformed", reason: `input: ${describe(error)}`, replayOutputHash: undefined };
  }

  let model;
  try {
    model = await catalog.load(receipt.modelId, policy.runtimeId);
  } catch (error) {
    if (error instanceof UnknownModelError) {
      return { verdict: "unknown-model", reason: error.shortMessage, replayOutputHash: undefined };
    }
    throw error;
  }

  // The registered signature, checked as nodes and `request submit` check it: an input it refuses can't have a
  // right answer, and the message names the input and what is wrong with it.
  let signature;
  try {
    signature = catalog.loadSignature(receipt.modelId, policy.metadataURI);
  } catch (error) {
    if (error instanceof UnknownModelError) {
      return { verdict: "unknown-model", reason: error.shortMessage, replayOutputHash: undefined };
    }
    throw error;
  }
  if (signature) {
    try {
      validatePayload(signature, input);
    } catch (error) {
      if (!(error instanceof InputValidationError)) throw error;
      return {
        verdict: "malformed",
        reason: `input does not match the model's signature: ${error.problems.join("; ")}`,
        replayOutputHash: undefined,
      };
    }
  }

  let result;
  try {
    result = await model.run(input);
  } catch (error) {
    // The node accepted an input its own model can't run: its output can't be right.
    return { verdict: "malformed", reason: `replay failed: ${describe(error)}`, replayOutputHash: undefined };
  }
  const replayOutputHash = getPayloadHash(result.output);

  if (policy.mode === 0) {
    if (replayOutputHash !== receipt.outputHash.toLowerCase()) {
      return { verdict: "wrong-output", reason: "replay output differs (EXACT)", replayOutputHash };
    }
    if (result.traceRoot.toLowerCase() !== receipt.traceRoot.toLowerCase()) {
      return { verdict: "wrong-trace", reason: "same output, different trace root", replayOutputHash };
    }
    return { verdict: "valid", reason: "replay output identical", replayOutputHash };
  }

  let claimed: TensorPayload;
  try {
    claimed = await resolveTensor(entry.output, receipt.outputHash, sources);
  } catch (error) {
    if (error instanceof ContentUnavailableError) throw error;
    return { verdict: "malformed", reason: `output: ${describe(error)}`, replayOutputHash };
  }
  const comparison = compareWithTolerance(result.output, claimed, policy.tolerance);
  return comparison.ok
    ? { verdict: "valid", reason: `within tolerance (max |Δ| ${comparison.maxDifference})`, replayOutputHash }
    : {
        verdict: "wrong-output",
        reason: `outside tolerance: ${comparison.reason}${comparison.name === undefined ? "" : ` in "${comparison.name}"`} (max |Δ| ${comparison.maxDifference})`,
        replayOutputHash,
      };
}

async function resolveTensor(
  reference: TensorReference,
  expectedHash: Hex,
  sources: ContentSources,
): Promise<TensorPayload> {
  const bytes = "encoding" in reference ? hexToBytes(reference.encoding) : await fetchTensorUri(sources, reference.uri);
  const tensor = decodePayload(bytes);
  const hash = getPayloadHash(tensor);
  if (hash !== expectedHash.toLowerCase()) {
    throw new ContentMismatchError("Tensor does not hash to the receipt.", { details: `${hash} != ${expectedHash}` });
  }
  return tensor;
}

function hexToBytes(hex: Hex): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

function describe(error: unknown): string {
  return error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error);
}
