import type { Hex } from "viem";
import type { TensorPayload } from "../protocol";
import type { ModelSignature } from "./signature/types";

/** What one inference produced. */
export type InferenceResult<output extends TensorPayload = TensorPayload> = {
  /**
   * The output: one unnamed tensor for a one-output model, else the bundle of all named outputs (its
   * `getPayloadHash` is the receipt's `outputHash`).
   */
  output: output;
  /** Merkle root of the per-layer trace; zero for runtimes that keep no trace. */
  traceRoot: Hex;
};

/** A model loaded into a runtime, ready to run. */
export interface LoadedModel<output extends TensorPayload = TensorPayload> {
  /** keccak256 of the artifact bytes. */
  readonly modelId: Hex;
  /** The runtime id registered with the model in the ModelRegistry. */
  readonly runtimeId: string;
  /** What the model takes and gives, as read from the artifact (dynamic dimensions without maxima). */
  readonly signature?: ModelSignature;
  /** Runs one input: a plain tensor for a one-input model, else a bundle naming every input. */
  run(input: TensorPayload): Promise<InferenceResult<output>>;
  /** Frees native resources, if any. */
  dispose(): Promise<void>;
}

/** A runtime: turns artifact bytes into a {@link LoadedModel}. */
export interface Runtime<output extends TensorPayload = TensorPayload> {
  readonly runtimeId: string;
  load(artifact: Uint8Array): Promise<LoadedModel<output>>;
}

/** bytes32 zero, the traceRoot of runtimes without a trace. */
export const ZERO_TRACE_ROOT: Hex = `0x${"00".repeat(32)}`;
