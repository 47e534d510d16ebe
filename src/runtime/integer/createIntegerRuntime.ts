import { keccak256 } from "viem";
import type { LoadedModel, Runtime } from "../types";
import { parseIntegerModel } from "./format";
import { runIntegerModel } from "./runIntegerModel";

/** Runtime id of the deterministic integer runtime (EXACT verification). */
export const INTEGER_RUNTIME_ID = "verity-int8-v1";

/** The deterministic integer runtime: parses `.vmodel` artifacts and runs them with {@link runIntegerModel}. */
export function createIntegerRuntime(): Runtime {
  return {
    runtimeId: INTEGER_RUNTIME_ID,
    async load(artifact: Uint8Array): Promise<LoadedModel> {
      const model = parseIntegerModel(artifact);
      return {
        modelId: keccak256(artifact),
        runtimeId: INTEGER_RUNTIME_ID,
        async run(input) {
          const { output, traceRoot } = runIntegerModel(model, input);
          return { output, traceRoot };
        },
        async dispose() {},
      };
    },
  };
}
