import type { Hex } from "viem";
import type { Tensor } from "../protocol";

/** What one inference produced. */
export type InferenceResult = {
  /** The output tensor (its {@link getTensorHash} is the receipt's `outputHash`). */
  output: Tensor;
  /** Merkle root of the per-layer trace; zero for runtimes that keep no trace. */
  traceRoot: Hex;
};

/** A model loaded into a runtime, ready to run. */
export interface LoadedModel {
  /** keccak256 of the artifact bytes. */
  readonly modelId: Hex;
  /** The runtime id registered with the model in the ModelRegistry. */
  readonly runtimeId: string;
  /** Runs one input tensor. */
  run(input: Tensor): Promise<InferenceResult>;
  /** Frees native resources, if any. */
  dispose(): Promise<void>;
}

/** A runtime: turns artifact bytes into a {@link LoadedModel}. */
export interface Runtime {
  readonly runtimeId: string;
  load(artifact: Uint8Array): Promise<LoadedModel>;
}

/** bytes32 zero, the traceRoot of runtimes without a trace. */
export const ZERO_TRACE_ROOT: Hex = `0x${"00".repeat(32)}`;
