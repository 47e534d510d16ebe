import { expect } from "chai";
import { loadBundledModel } from "../../src/models";
import { getIrisSplit } from "../../src/models/build";
import { type Tensor, getTensorHash, toSingleTensor } from "../../src/protocol";
import { RuntimeInputError, compareWithTolerance, createOnnxRuntime, onnxSessionOptions } from "../../src/runtime";

describe("ONNX runtime adapter", function () {
  it("rejects a non-float32 input", async function () {
    const loaded = await createOnnxRuntime().load(loadBundledModel("iris-f32").artifact);
    try {
      await loaded.run({ dtype: "int8", shape: [1, 4], data: Int8Array.of(1, 2, 3, 4) });
      expect.fail("expected a RuntimeInputError");
    } catch (error) {
      expect(error).to.be.instanceOf(RuntimeInputError);
    } finally {
      await loaded.dispose();
    }
  });

  describe("onnxruntime-web (WASM, 1 thread) against onnxruntime-node", function () {
    it("is bit-identical run to run and within the registered tolerance of native (not bit-identical)", async function () {
      const { artifact, entry } = loadBundledModel("iris-f32");
      const native = await createOnnxRuntime().load(artifact);
      const ortWeb = await import("onnxruntime-web");
      ortWeb.env.wasm.numThreads = 1;
      const web = await ortWeb.InferenceSession.create(artifact, {
        executionProviders: ["wasm"],
        executionMode: "sequential",
        graphOptimizationLevel: onnxSessionOptions.graphOptimizationLevel,
      });
      const { train, heldOut } = getIrisSplit();
      let differing = 0;
      for (const sample of [...train, ...heldOut]) {
        const x = Float32Array.from(sample.features);
        const runWeb = async (): Promise<Tensor> => ({
          dtype: "float32",
          shape: [1, 3],
          data: Float32Array.from(
            (await web.run({ features: new ortWeb.Tensor("float32", x, [1, 4]) })).logits!.data as Float32Array,
          ),
        });
        const a = await runWeb();
        const b = await runWeb();
        const c = toSingleTensor((await native.run({ dtype: "float32", shape: [1, 4], data: x })).output);
        expect(getTensorHash(a)).to.equal(getTensorHash(b));
        expect(compareWithTolerance(a, c, BigInt(entry.tolerance)).ok).to.equal(true);
        if (getTensorHash(a) !== getTensorHash(c)) differing++;
      }
      // Recorded finding (docs/runtime.md): WASM and native disagree in low bits for most inputs.
      expect(differing).to.be.greaterThan(0);
      await web.release();
      await native.dispose();
    });
  });
});
