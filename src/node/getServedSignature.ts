import fs from "node:fs";
import path from "node:path";
import type { ModelManifestEntry } from "../models";
import {
  DEFAULT_MAX_INPUT_BYTES,
  parseModelSignature,
  type LoadedModel,
  type ModelSignature,
  type TensorSpec,
} from "../runtime";
import { NodeStartupError } from "./errors";

/**
 * The signature a served model's inputs are checked against: the content-addressed document the manifest names
 * (`<CID>.json` in the models directory, checked against its address and against the graph's own names and dtypes),
 * or for a model without one (the bundled Iris models) its manifest input as the one unnamed input.
 */
export function getServedSignature(entry: ModelManifestEntry, modelsDir: string, loaded: LoadedModel): ModelSignature {
  if (entry.signature === undefined) {
    if (!entry.input)
      throw new NodeStartupError(`Model ${entry.name} has neither a signature nor an input in the manifest.`);
    const float = entry.input.dtype === "float32";
    return {
      version: 1,
      inputs: [
        { name: "input", dtype: entry.input.dtype, shape: entry.input.shape, ...(float ? { finite: true } : {}) },
      ],
      outputs: entry.output ? [{ name: "output", dtype: entry.output.dtype, shape: entry.output.shape }] : [],
      maxInputBytes: DEFAULT_MAX_INPUT_BYTES,
    };
  }
  const file = path.join(modelsDir, `${entry.signature.replace(/^ipfs:\/\//, "")}.json`);
  let signature: ModelSignature;
  try {
    signature = parseModelSignature(fs.readFileSync(file, "utf8"), entry.signature);
  } catch (cause) {
    throw new NodeStartupError(`Cannot use the signature of model ${entry.name} (${file}).`, { cause });
  }
  const graph = loaded.signature;
  if (graph) {
    const describe = (specs: readonly TensorSpec[]) =>
      specs.map((s) => `${s.name}:${s.dtype}:${s.shape.length}`).join(",");
    if (
      describe(graph.inputs) !== describe(signature.inputs) ||
      describe(graph.outputs) !== describe(signature.outputs)
    ) {
      throw new NodeStartupError(`The signature of model ${entry.name} does not describe its graph.`, {
        details: `graph inputs ${describe(graph.inputs)}, signature ${describe(signature.inputs)}`,
      });
    }
  }
  return signature;
}
