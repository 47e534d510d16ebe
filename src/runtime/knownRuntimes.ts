import { INTEGER_RUNTIME_ID, createIntegerRuntime } from "./integer/createIntegerRuntime";
import { INTEGER_V2_RUNTIME_ID, createIntegerRuntimeV2 } from "./integerV2/createIntegerRuntimeV2";
import { ONNX_RUNTIME_ID, createOnnxRuntime } from "./onnx/createOnnxRuntime";
import { createOnnxWasmRuntime } from "./onnx/createOnnxWasmRuntime";
import { ONNX_WASM_RUNTIME_ID } from "./onnx/pinnedWasm";
import type { Runtime } from "./types";

/** A runtime this repository can run, with the verification modes a model under it may register. */
export interface KnownRuntime {
  name: string;
  create: () => Runtime;
  /** EXACT needs bit-exact replay on every machine; native ONNX Runtime is not. */
  modes: readonly ("exact" | "tolerance")[];
  /** The artifact is an ONNX graph (its signature is read at registration). */
  onnx: boolean;
}

/** Every runtime Verity ships, by name (the on-chain runtime id is keccak256 of the name). */
export const KNOWN_RUNTIMES: readonly KnownRuntime[] = [
  { name: INTEGER_RUNTIME_ID, create: createIntegerRuntime, modes: ["exact"], onnx: false },
  { name: INTEGER_V2_RUNTIME_ID, create: () => createIntegerRuntimeV2(), modes: ["exact"], onnx: false },
  { name: ONNX_RUNTIME_ID, create: createOnnxRuntime, modes: ["tolerance"], onnx: true },
  { name: ONNX_WASM_RUNTIME_ID, create: createOnnxWasmRuntime, modes: ["exact", "tolerance"], onnx: true },
];

/** The known runtime named `name`, or undefined. */
export function findKnownRuntime(name: string): KnownRuntime | undefined {
  return KNOWN_RUNTIMES.find((r) => r.name === name);
}
