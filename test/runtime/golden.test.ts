import { expect } from "chai";
import golden from "../../docs/vectors/iris-int8-golden.json";
import { loadBundledModel } from "../../src/models";
import { bytesToHex, decodeTensor, encodeTensor, getTensorHash, hexToBytes } from "../../src/protocol";
import { createIntegerRuntime, parseIntegerModel, quantizeInput, runIntegerModel } from "../../src/runtime";

describe("integer runtime golden outputs (docs/vectors/iris-int8-golden.json)", function () {
  it("is pinned to the bundled iris-int8 artifact", function () {
    const { entry } = loadBundledModel("iris-int8");
    expect(golden.modelId).to.equal(entry.modelId);
    expect(golden.runtimeId).to.equal(entry.runtimeId);
  });

  it("reproduces quantized inputs, hidden activations, logits, outputs and trace roots bit for bit", function () {
    const model = parseIntegerModel(loadBundledModel("iris-int8").artifact);
    for (const c of golden.cases) {
      const input = quantizeInput(model, c.features);
      expect(bytesToHex(encodeTensor(input))).to.equal(c.input);
      const result = runIntegerModel(model, input);
      expect(Array.from(result.trace[1]!.data as Int8Array)).to.deep.equal(c.hidden);
      expect(Array.from(result.trace[2]!.data as Int32Array)).to.deep.equal(c.logits);
      expect(bytesToHex(encodeTensor(result.output))).to.equal(c.output);
      expect(getTensorHash(result.output)).to.equal(c.outputHash);
      expect(result.traceRoot).to.equal(c.traceRoot);
    }
  });

  it("gives the same answers through the Runtime interface from the encoded inputs", async function () {
    const loaded = await createIntegerRuntime().load(loadBundledModel("iris-int8").artifact);
    for (const c of golden.cases) {
      const input = decodeTensor(hexToBytes(c.input));
      expect(getTensorHash(input)).to.equal(c.inputHash);
      const { output, traceRoot } = await loaded.run(input);
      expect(getTensorHash(output)).to.equal(c.outputHash);
      expect(traceRoot).to.equal(c.traceRoot);
    }
  });
});
