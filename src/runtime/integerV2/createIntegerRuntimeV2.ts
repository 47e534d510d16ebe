import type { Hex } from "viem";
import { isTensorBundle, type Tensor } from "../../protocol";
import { ModelFormatError, RuntimeInputError } from "../errors";
import type { LoadedModel, Runtime } from "../types";
import { parseIntegerModelV2 } from "./format";
import { getModelCommitmentV2 } from "./modelCommitment";
import { runIntegerModelV2 } from "./runIntegerModelV2";

/** Runtime id of the fraud-provable integer runtime (EXACT, disputed by the on-chain fraud game). */
export const INTEGER_V2_RUNTIME_ID = "verity-int8-v2";

/** Parameters of {@link createIntegerRuntimeV2}. */
export type CreateIntegerRuntimeV2Parameters = {
  /**
   * The model id the artifact is registered under. When given, `load` refuses an artifact whose commitment differs
   * (a registration that doesn't match its artifact must never be served: its receipts could not be defended).
   */
  expectedModelId?: Hex;
};

/**
 * The runtime-v2 integer runtime: strict parse, `modelId` = the model commitment (not keccak256 of the artifact),
 * bit-exact run with a chunked trace commitment.
 */
export function createIntegerRuntimeV2(parameters: CreateIntegerRuntimeV2Parameters = {}): Runtime<Tensor> {
  return {
    runtimeId: INTEGER_V2_RUNTIME_ID,
    async load(artifact: Uint8Array): Promise<LoadedModel<Tensor>> {
      const model = parseIntegerModelV2(artifact);
      const { modelId } = getModelCommitmentV2(model);
      const expected = parameters.expectedModelId;
      if (expected !== undefined && expected.toLowerCase() !== modelId) {
        throw new ModelFormatError("The artifact does not match the registered model id.", {
          details: `artifact commits to ${modelId}, registered ${expected}`,
        });
      }
      return {
        modelId,
        runtimeId: INTEGER_V2_RUNTIME_ID,
        async run(input) {
          if (isTensorBundle(input)) {
            throw new RuntimeInputError("The integer runtime takes one unnamed int8 tensor, not named inputs.");
          }
          const { output, traceRoot } = runIntegerModelV2(model, input);
          return { output, traceRoot };
        },
        async dispose() {},
      };
    },
  };
}
