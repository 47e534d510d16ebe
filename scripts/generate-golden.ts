// Writes docs/vectors/iris-int8-golden.json: the integer runtime's outputs and trace roots for the 30 held-out Iris
// samples. Run: npx ts-node scripts/generate-golden.ts (after scripts/build-models.ts). test/runtime checks them.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadBundledModel } from "../src/models";
import { getIrisSplit } from "../src/models/build";
import { bytesToHex, encodeTensor, getTensorHash } from "../src/protocol";
import { parseIntegerModel, quantizeInput, runIntegerModel } from "../src/runtime";

const { artifact, entry } = loadBundledModel("iris-int8");
const model = parseIntegerModel(artifact);
const cases = getIrisSplit().heldOut.map((sample) => {
  const input = quantizeInput(model, sample.features);
  const result = runIntegerModel(model, input);
  return {
    features: sample.features,
    label: sample.label,
    input: bytesToHex(encodeTensor(input)),
    inputHash: getTensorHash(input),
    hidden: Array.from(result.trace[1]!.data as Int8Array),
    logits: Array.from(result.trace[2]!.data as Int32Array),
    output: bytesToHex(encodeTensor(result.output)),
    outputHash: getTensorHash(result.output),
    traceRoot: result.traceRoot,
  };
});
writeFileSync(
  path.join(__dirname, "..", "docs", "vectors", "iris-int8-golden.json"),
  JSON.stringify({ version: 1, modelId: entry.modelId, runtimeId: entry.runtimeId, cases }, null, 2) + "\n",
);
