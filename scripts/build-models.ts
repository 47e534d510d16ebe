// Rebuilds models/iris-int8.vmodel, models/iris.onnx and models/manifest.json from the Iris data in node_modules.
// Run: npx ts-node scripts/build-models.ts   (deterministic: the same bytes every time)
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildIrisModels } from "../src/models/build";

async function main(): Promise<void> {
  const directory = path.join(__dirname, "..", "models");
  mkdirSync(directory, { recursive: true });
  const { int8, onnx, manifest } = await buildIrisModels();
  writeFileSync(path.join(directory, "iris-int8.vmodel"), int8);
  writeFileSync(path.join(directory, "iris.onnx"), onnx);
  writeFileSync(path.join(directory, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  for (const m of manifest.models) {
    console.log(`${m.name}: ${m.modelId} held-out ${m.heldOut?.correct}/${m.heldOut?.total}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
