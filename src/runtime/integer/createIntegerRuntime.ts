import { getModelId, isTensorBundle, type Tensor } from "../../protocol";
import { RuntimeInputError } from "../errors";
import type { LoadedModel, Runtime } from "../types";
import { parseIntegerModel } from "./format";
import { runIntegerModel } from "./runIntegerModel";

/** Runtime id of the deterministic integer runtime (EXACT verification). */
export const INTEGER_RUNTIME_ID = "verity-int8-v1";

/** The deterministic integer runtime: parses `.vmodel` artifacts and runs them with {@link runIntegerModel}. */
export function createIntegerRuntime(): Runtime<Tensor> {
  return {
    runtimeId: INTEGER_RUNTIME_ID,
    async load(artifact: Uint8Array): Promise<LoadedModel<Tensor>> {
      const model = parseIntegerModel(artifact);
      return {
        modelId: getModelId(artifact),
        runtimeId: INTEGER_RUNTIME_ID,
        async run(input) {
          if (isTensorBundle(input)) {
            throw new RuntimeInputError("The integer runtime takes one unnamed int8 tensor, not named inputs.");
          }
          const { output, traceRoot } = runIntegerModel(model, input);
          return { output, traceRoot };
        },
        async dispose() {},
      };
    },
  };
}
