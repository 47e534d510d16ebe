import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ModelFormatError } from "../errors";

/** The onnxruntime-web release the pinned WASM runtime runs (package.json pins it exactly). */
export const ORT_WEB_VERSION = "1.23.2";
/** sha256 of `dist/ort-wasm-simd-threaded.wasm` of that release: the float kernels, all of them. */
export const ORT_WEB_WASM_SHA256 = "45eaee27761ad883742a8d4b8fce1538d60ce43b51adf1726fafccc59b8c1a15";
/** sha256 of its Emscripten glue `dist/ort-wasm-simd-threaded.mjs` (no float arithmetic; checked, not named). */
export const ORT_WEB_GLUE_SHA256 = "90a557d15c02bac4504d95b67f431d8594635ed2a0a62a7f2cd83d090ff91d3e";

/**
 * Runtime id of the pinned WASM runtime: the exact onnxruntime-web version, one thread, fixed-width SIMD only, and
 * the sha256 of the WASM binary. A node or verifier with any other binary computes another id and can't serve or
 * replay models registered under this one.
 */
export const ONNX_WASM_RUNTIME_ID = `onnxruntime-web-${ORT_WEB_VERSION}-wasm-st-simd128-sha256:${ORT_WEB_WASM_SHA256}`;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Where the installed onnxruntime-web keeps its files. */
export function getOrtWebDirectory(): string {
  // The package exports no package.json: go up from its entry point (dist/ort.node.min.js).
  return path.dirname(path.dirname(require.resolve("onnxruntime-web")));
}

/**
 * Reads the installed WASM binary and checks version and hashes against the pin; throws {@link ModelFormatError}
 * naming what differs (a node must not serve an EXACT model with a binary other than the one its id names).
 */
export function readPinnedWasmBinary(directory: string = getOrtWebDirectory()): Uint8Array {
  const pkg = JSON.parse(fs.readFileSync(path.join(directory, "package.json"), "utf8")) as { version: string };
  if (pkg.version !== ORT_WEB_VERSION) {
    throw new ModelFormatError(
      `onnxruntime-web ${pkg.version} is installed; the pinned WASM runtime needs ${ORT_WEB_VERSION}.`,
    );
  }
  const wasm = new Uint8Array(fs.readFileSync(path.join(directory, "dist", "ort-wasm-simd-threaded.wasm")));
  const glue = new Uint8Array(fs.readFileSync(path.join(directory, "dist", "ort-wasm-simd-threaded.mjs")));
  if (sha256(wasm) !== ORT_WEB_WASM_SHA256) {
    throw new ModelFormatError("The installed ONNX Runtime WASM binary is not the pinned one.", {
      details: `sha256 ${sha256(wasm)}, pinned ${ORT_WEB_WASM_SHA256}`,
    });
  }
  if (sha256(glue) !== ORT_WEB_GLUE_SHA256) {
    throw new ModelFormatError("The installed ONNX Runtime WASM glue is not the pinned one.", {
      details: `sha256 ${sha256(glue)}, pinned ${ORT_WEB_GLUE_SHA256}`,
    });
  }
  return wasm;
}
