import path from "node:path";
import { readFileSync } from "node:fs";
import { createRandom } from "../../src/models/build/random";
import { createTensor, getPayloadHash, type Tensor } from "../../src/protocol";
import { createOnnxRuntime, createOnnxWasmRuntime, type Runtime } from "../../src/runtime";
import { type Measurement, type MeasureOptions, measure } from "./measure";

/** Replays of models/onnx/small-cnn.onnx (incl. input/output hash) under one runtime, on 64 seeded images. */
export async function benchCnnReplays(createRuntime: () => Runtime, options: MeasureOptions): Promise<Measurement> {
  const artifact = new Uint8Array(readFileSync(path.join(__dirname, "..", "..", "models", "onnx", "small-cnn.onnx")));
  const random = createRandom(99);
  const images: Tensor[] = Array.from({ length: 64 }, () =>
    createTensor(
      "float32",
      [1, 1, 8, 8],
      Array.from({ length: 64 }, () => random() * 2 - 1),
    ),
  );
  const model = await createRuntime().load(artifact);
  const expected = await Promise.all(images.map(async (x) => getPayloadHash((await model.run(x)).output)));
  const result = await measure(async () => {
    for (let i = 0; i < images.length; i++) {
      getPayloadHash(images[i]!);
      if (getPayloadHash((await model.run(images[i]!)).output) !== expected[i]) throw new Error(`cnn replay ${i}`);
    }
    return images.length;
  }, options);
  await model.dispose();
  return result;
}

/** The native and pinned-WASM CNN replay rates and their WASM/native ratio (per CPU-second medians). */
export async function benchCnn(options: MeasureOptions) {
  const native = await benchCnnReplays(createOnnxRuntime, options);
  const wasm = await benchCnnReplays(createOnnxWasmRuntime, options);
  return { native, wasm, wasmToNative: Math.round((wasm.cpu.median / native.cpu.median) * 1000) / 1000 };
}
