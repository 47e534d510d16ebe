// Child process for test/runtime/onnxRuntimes.test.ts: runs the ONNX fixtures under the pinned WASM runtime on
// seeded inputs, feeding the named inputs in the order given by argv[2] ("forward" or "shuffled"), and prints the
// output hashes as JSON on stdout.
import { createOnnxWasmRuntime } from "../../src/runtime/onnx/createOnnxWasmRuntime";
import { getPayloadHash } from "../../src/protocol";
import { fixtureInputs, loadFixtureArtifacts } from "./onnxFixtureInputs";

async function main(): Promise<void> {
  const order = process.argv[2] === "shuffled" ? "shuffled" : "forward";
  const runtime = createOnnxWasmRuntime();
  const hashes: Record<string, string[]> = {};
  for (const [name, artifact] of Object.entries(loadFixtureArtifacts())) {
    const model = await runtime.load(artifact);
    hashes[name] = [];
    for (const input of fixtureInputs(name, order)) hashes[name].push(getPayloadHash((await model.run(input)).output));
    await model.dispose();
  }
  process.stdout.write(JSON.stringify({ runtimeId: runtime.runtimeId, hashes }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
