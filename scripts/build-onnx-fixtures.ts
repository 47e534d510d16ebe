// Rebuilds the ONNX test models under models/onnx/ (artifacts, signature documents, manifest.json) with onnx-proto.
// Run: npx ts-node --transpile-only scripts/build-onnx-fixtures.ts   (deterministic: the same bytes every time)
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildOnnxFixtures } from "../src/models/build/onnxFixtureManifest";

function main(): void {
  const directory = path.join(__dirname, "..", "models", "onnx");
  mkdirSync(directory, { recursive: true });
  const fixtures = buildOnnxFixtures();
  for (const { entry, artifact, signatureText } of fixtures) {
    writeFileSync(path.join(directory, entry.file), artifact);
    writeFileSync(path.join(directory, `${entry.signature.slice("ipfs://".length)}.json`), signatureText);
    console.log(`${entry.name}: ${entry.modelId} ${entry.runtimeId} ${entry.verificationMode} ${entry.signature}`);
  }
  const manifest = { version: 1, models: fixtures.map((f) => f.entry) };
  writeFileSync(path.join(directory, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
}

main();
