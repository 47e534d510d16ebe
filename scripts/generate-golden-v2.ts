// Writes docs/vectors/integer-v2-golden.json: for the runtime-v2 test CNN (every op) and the edge-case models, the
// artifact, model id (commitment), input, every trace tensor, tensor roots, trace root and output.
// Run: npx ts-node --transpile-only scripts/generate-golden-v2.ts. test/runtime/integerV2.test.ts checks them.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildEdgeModels, buildInput, buildTestModel } from "../src/models/build/syntheticV2";
import { bytesToHex, encodeTensor, getTensorHash, type Tensor } from "../src/protocol";
import {
  type IntegerModelV2,
  getModelCommitmentV2,
  getTensorRoots,
  runIntegerModelV2,
  serializeIntegerModelV2,
} from "../src/runtime/integerV2";

function vector(name: string, model: IntegerModelV2, input: Tensor<"int8">) {
  const result = runIntegerModelV2(model, input);
  return {
    name,
    artifact: bytesToHex(serializeIntegerModelV2(model)),
    modelId: getModelCommitmentV2(model).modelId,
    input: bytesToHex(encodeTensor(input)),
    inputHash: getTensorHash(input),
    tensors: result.trace.tensors.map((t) => Array.from(t)),
    tensorRoots: getTensorRoots(result.trace).map(bytesToHex),
    traceRoot: result.traceRoot,
    output: bytesToHex(encodeTensor(result.output)),
    outputHash: getTensorHash(result.output),
  };
}

const testModel = buildTestModel();
const cases = [
  vector("cnn-all-ops", testModel, buildInput(testModel)),
  ...Object.entries(buildEdgeModels()).map(([name, { model, input }]) => vector(name, model, input)),
];
writeFileSync(
  path.join(__dirname, "..", "docs", "vectors", "integer-v2-golden.json"),
  JSON.stringify({ version: 1, runtimeId: "verity-int8-v2", cases }, null, 2) + "\n",
);
