import { expect } from "chai";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { encodeOnnxModel, node, valueInfo, type OnnxElementType } from "../../src/models/build/onnxGraph";
import {
  createTensor,
  getPayloadHash,
  isTensorBundle,
  toSingleTensor,
  type Tensor,
  type TensorBundle,
} from "../../src/protocol";
import { ModelFormatError, RuntimeInputError, compareWithTolerance, createIntegerRuntime } from "../../src/runtime";
import { createOnnxRuntime } from "../../src/runtime/onnx/createOnnxRuntime";
import { createOnnxWasmRuntime } from "../../src/runtime/onnx/createOnnxWasmRuntime";
import {
  ONNX_WASM_RUNTIME_ID,
  ORT_WEB_VERSION,
  ORT_WEB_WASM_SHA256,
  getOrtWebDirectory,
  readPinnedWasmBinary,
} from "../../src/runtime/onnx/pinnedWasm";
import type { Runtime } from "../../src/runtime/types";
import { fixtureInputs, loadFixtureArtifacts } from "./onnxFixtureInputs";

const run = promisify(execFile);
/** The engine's WebAssembly validator (the project's TypeScript lib has no WebAssembly types). */
const { WebAssembly } = globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } };
const ROOT = path.join(__dirname, "..", "..");

/** One Identity per dtype: every dtype goes in and comes back out by name. */
function buildIdentityModel(): Uint8Array {
  const dtypes: OnnxElementType[] = ["float32", "float16", "float64", "int64", "int32", "int8", "uint8", "bool"];
  return encodeOnnxModel({
    name: "identities",
    node: dtypes.map((d) => node("Identity", `id_${d}`, [`in_${d}`], [`out_${d}`])),
    input: dtypes.map((d) => valueInfo(`in_${d}`, d, [3])),
    output: dtypes.map((d) => valueInfo(`out_${d}`, d, [3])),
  });
}

function identityInput(): TensorBundle {
  return {
    tensors: {
      in_float32: createTensor("float32", [3], [-0, 1e-45, 3.4028234663852886e38]),
      in_float16: createTensor("float16", [3], [0x8000, 0x0001, 0x7bff]),
      in_float64: createTensor("float64", [3], [-0, 5e-324, Number.MAX_VALUE]),
      in_int64: createTensor("int64", [3], [-(1n << 63n), 0n, (1n << 63n) - 1n]),
      in_int32: createTensor("int32", [3], [-2147483648, 0, 2147483647]),
      in_int8: createTensor("int8", [3], [-128, 0, 127]),
      in_uint8: createTensor("uint8", [3], [0, 128, 255]),
      in_bool: createTensor("bool", [3], [1, 0, 1]),
    },
  };
}

async function expectRejected(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => Error,
  message: RegExp,
) {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(errorClass);
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected ${errorClass.name}`);
}

const RUNTIMES: [string, () => Runtime][] = [
  ["native onnxruntime-node", createOnnxRuntime],
  ["pinned WASM", createOnnxWasmRuntime],
];

describe("ONNX runtimes", function () {
  for (const [label, createRuntime] of RUNTIMES) {
    describe(label, function () {
      it("carries every dtype in and out by name, bit for bit", async function () {
        const model = await createRuntime().load(buildIdentityModel());
        const input = identityInput();
        const { output } = await model.run(input);
        expect(isTensorBundle(output)).to.equal(true);
        const outputs = (output as TensorBundle).tensors;
        for (const [name, tensor] of Object.entries(input.tensors)) {
          const out = outputs[name.replace("in_", "out_")]!;
          expect(out.dtype).to.equal(tensor.dtype, name);
          expect(getPayloadHash(out)).to.equal(getPayloadHash(tensor), name);
        }
        await model.dispose();
      });

      it("runs several named inputs of three dtypes into two named outputs", async function () {
        const model = await createRuntime().load(loadFixtureArtifacts()["multi-input"]!);
        for (const input of fixtureInputs("multi-input", "forward")) {
          const { output } = await model.run(input);
          const { logits, label } = (output as TensorBundle).tensors;
          const values = Array.from(logits!.data as Float32Array);
          expect(logits!.shape).to.deep.equal([1, 3]);
          expect(label!.dtype).to.equal("int64");
          expect(Number((label!.data as BigInt64Array)[0])).to.equal(values.indexOf(Math.max(...values)));
        }
        await model.dispose();
      });

      it("gives the same bits whatever the order the named inputs come in", async function () {
        const artifacts = loadFixtureArtifacts();
        for (const name of Object.keys(artifacts)) {
          const model = await createRuntime().load(artifacts[name]!);
          const forward = fixtureInputs(name, "forward");
          const shuffled = fixtureInputs(name, "shuffled");
          for (let i = 0; i < forward.length; i++) {
            expect(getPayloadHash((await model.run(shuffled[i]!)).output)).to.equal(
              getPayloadHash((await model.run(forward[i]!)).output),
              `${name} #${i}`,
            );
          }
          await model.dispose();
        }
      });

      it("takes a dynamic batch and returns one row per input row", async function () {
        const model = await createRuntime().load(loadFixtureArtifacts()["dynamic-batch"]!);
        for (const input of fixtureInputs("dynamic-batch", "forward")) {
          const rows = (input as Tensor).shape[0]!;
          expect(toSingleTensor((await model.run(input)).output).shape).to.deep.equal([rows, 2]);
        }
        await model.dispose();
      });

      it("refuses what it cannot load, and inputs that don't fit the graph", async function () {
        await expectRejected(
          createRuntime().load(Uint8Array.from([1, 2, 3, 4, 5])),
          ModelFormatError,
          /Not an ONNX model/,
        );
        const model = await createRuntime().load(loadFixtureArtifacts()["small-cnn"]!);
        await expectRejected(
          model.run(createTensor("float32", [1, 1, 4, 4], new Array<number>(16).fill(0))),
          RuntimeInputError,
          /input "image": dimension 2 is 4, the model takes 8/,
        );
        await model.dispose();
      });
    });
  }

  it("the integer runtime refuses named inputs", async function () {
    const { artifact } = (await import("../../src/models")).loadBundledModel("iris-int8");
    const model = await createIntegerRuntime().load(artifact);
    await expectRejected(
      model.run({ tensors: { x: createTensor("int8", [1, 4], [1, 2, 3, 4]) } }),
      RuntimeInputError,
      /not named inputs/,
    );
  });

  describe("pinned WASM runtime", function () {
    it("names the exact onnxruntime-web version and the sha256 of the installed WASM binary in its id", function () {
      const wasm = fs.readFileSync(path.join(getOrtWebDirectory(), "dist", "ort-wasm-simd-threaded.wasm"));
      expect(createHash("sha256").update(wasm).digest("hex")).to.equal(ORT_WEB_WASM_SHA256);
      expect(createOnnxWasmRuntime().runtimeId).to.equal(ONNX_WASM_RUNTIME_ID);
      expect(ONNX_WASM_RUNTIME_ID).to.include(`onnxruntime-web-${ORT_WEB_VERSION}-`).and.include(ORT_WEB_WASM_SHA256);
    });

    it("refuses a binary other than the pinned one", function () {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "ort-web-"));
      try {
        const source = getOrtWebDirectory();
        fs.mkdirSync(path.join(directory, "dist"));
        fs.copyFileSync(path.join(source, "package.json"), path.join(directory, "package.json"));
        fs.copyFileSync(
          path.join(source, "dist", "ort-wasm-simd-threaded.mjs"),
          path.join(directory, "dist", "ort-wasm-simd-threaded.mjs"),
        );
        const wasm = fs.readFileSync(path.join(source, "dist", "ort-wasm-simd-threaded.wasm"));
        wasm[wasm.length - 1] ^= 1;
        fs.writeFileSync(path.join(directory, "dist", "ort-wasm-simd-threaded.wasm"), wasm);
        expect(() => readPinnedWasmBinary(directory)).to.throw(ModelFormatError, /not the pinned one/);
      } finally {
        fs.rmSync(directory, { recursive: true, force: true });
      }
    });

    it("holds no relaxed-SIMD instruction: it validates on an engine without relaxed SIMD, which rejects one", function () {
      // Node 20's V8 (11.3) ships relaxed SIMD only behind --experimental-wasm-relaxed-simd.
      const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
      const module = (body: number[]) => {
        const fn = [0x00, ...body, 0x0b];
        return Uint8Array.from([
          ...header,
          1,
          5,
          1,
          0x60,
          0,
          1,
          0x7b,
          3,
          2,
          1,
          0,
          10,
          fn.length + 2,
          1,
          fn.length,
          ...fn,
        ]);
      };
      const v128 = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
      expect(WebAssembly.validate(module([...v128, ...v128, 0xfd, 0xe4, 0x01]))).to.equal(true); // f32x4.add
      expect(WebAssembly.validate(module([...v128, ...v128, ...v128, 0xfd, 0x85, 0x02]))).to.equal(false); // relaxed_madd
      expect(WebAssembly.validate(readPinnedWasmBinary())).to.equal(true);
    });

    it("canonicalizes NaN results (WebAssembly leaves their sign and payload open)", async function () {
      const artifact = encodeOnnxModel({
        name: "nan",
        node: [node("Sqrt", "sqrt", ["x"], ["y"])],
        input: [valueInfo("x", "float32", [2])],
        output: [valueInfo("y", "float32", [2])],
      });
      const model = await createOnnxWasmRuntime().load(artifact);
      const y = toSingleTensor((await model.run(createTensor("float32", [2], [-1, 4]))).output);
      expect(Array.from(new Uint32Array(y.data.buffer, y.data.byteOffset, 2))).to.deep.equal([0x7fc00000, 0x40000000]);
      await model.dispose();
    });

    it("gives the same bits in separate processes, inputs in shuffled order, as in this one; native stays within tolerance", async function () {
      this.timeout(240_000);
      const child = (order: string) =>
        run(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "wasmChild.ts"), order], {
          cwd: ROOT,
          env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
          maxBuffer: 16 * 1024 * 1024,
        });
      const [forward, shuffled] = await Promise.all([child("forward"), child("shuffled")]);
      const a = JSON.parse(forward.stdout) as { runtimeId: string; hashes: Record<string, string[]> };
      const b = JSON.parse(shuffled.stdout) as typeof a;
      expect(a.runtimeId).to.equal(ONNX_WASM_RUNTIME_ID);
      expect(b).to.deep.equal(a);

      const wasm = createOnnxWasmRuntime();
      const native = createOnnxRuntime();
      let differing = 0;
      let total = 0;
      for (const [name, artifact] of Object.entries(loadFixtureArtifacts())) {
        const w = await wasm.load(artifact);
        const n = await native.load(artifact);
        const inputs = fixtureInputs(name, "forward");
        for (let i = 0; i < inputs.length; i++) {
          const ours = (await w.run(inputs[i]!)).output;
          expect(getPayloadHash(ours)).to.equal(a.hashes[name]![i], `${name} #${i}`);
          const theirs = (await n.run(inputs[i]!)).output;
          expect(compareWithTolerance(ours, theirs, 10n ** 14n).ok).to.equal(true, `${name} #${i}`);
          if (getPayloadHash(ours) !== getPayloadHash(theirs)) differing++;
          total++;
        }
        await w.dispose();
        await n.dispose();
      }
      expect(total).to.equal(36);
      console.log(`      WASM vs native: ${differing}/${total} fixture outputs differ in some bit`);
    });
  });
});
