import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { runCorruptedIntegerModelV2 } from "../../src/node/corruptTrace";
import {
  computeElement,
  getShapeSize,
  isAccumulating,
  parseIntegerModelV2,
  runIntegerModelV2,
} from "../../src/runtime/integerV2";

const model = parseIntegerModelV2(
  fs.readFileSync(path.resolve(__dirname, "..", "..", "models", "digits-cnn-int8.vmodel2")),
);

function seededInput(seed: number): Int8Array {
  const data = new Int8Array(getShapeSize(model.inputShape));
  let x = seed;
  for (let i = 0; i < data.length; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    data[i] = (x >>> 24) % 17;
  }
  return data;
}

describe("the dishonest node's trace mode (one wrong element, propagated)", function () {
  for (const seed of [1, 2, 3]) {
    it(`changes exactly one element that does not recompute, and the output follows it (input ${seed})`, function () {
      const input = seededInput(seed);
      const honest = runIntegerModelV2(model, { dtype: "int8", shape: [...model.inputShape], data: input });
      const wrong = runCorruptedIntegerModelV2(model, input)!;
      expect(wrong, "a corruption that moves the output").to.not.equal(undefined);
      expect(Buffer.from(wrong.output.data.buffer).equals(Buffer.from(honest.output.data.buffer))).to.equal(false);
      expect(wrong.traceRoot).to.not.equal(honest.traceRoot);
      const { tensor, element } = wrong.corruption;
      expect(tensor).to.be.within(1, model.layers.length - 1);
      expect(isAccumulating(model.layers[tensor - 1]!), "an accumulating layer: the game bisects its sum").to.equal(
        true,
      );
      // Every element but the corrupted one recomputes from the node's own trace: only a one-step proof at that
      // element can show the fraud (the output check agrees with the trace).
      const tensors = wrong.trace.tensors;
      const faults: string[] = [];
      for (let k = 1; k < tensors.length; k++)
        for (let e = 0; e < tensors[k]!.length; e++)
          if (computeElement(model, tensors, k, e) !== tensors[k]![e]) faults.push(`${k}:${e}`);
      expect(faults).to.deep.equal([`${tensor}:${element}`]);
      // Deterministic: the node rebuilds the same trace when it defends the receipt.
      expect(runCorruptedIntegerModelV2(model, input)!.traceRoot).to.equal(wrong.traceRoot);
    });
  }
});
