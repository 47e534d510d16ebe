// Rebuilds models/iris-int8.vmodel, models/iris.onnx and models/manifest.json from the Iris data in node_modules.
// Run: npx ts-node scripts/build-models.ts   (deterministic: the same bytes every time)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildIrisModels } from "../src/models/build";

async function main(): Promise<void> {
  const directory = path.join(__dirname, "..", "models");
  mkdirSync(directory, { recursive: true });
  const { int8, onnx, manifest } = await buildIrisModels();
  writeFileSync(path.join(directory, "iris-int8.vmodel"), int8);
  writeFileSync(path.join(directory, "iris.onnx"), onnx);
  // The `digits` section is written by scripts/build-digits-model.ts: keep it.
  const file = path.join(directory, "manifest.json");
  const digits = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { digits?: unknown }).digits : undefined;
  writeFileSync(file, JSON.stringify(digits === undefined ? manifest : { ...manifest, digits }, null, 2) + "\n");
  for (const m of manifest.models) {
    console.log(`${m.name}: ${m.modelId} held-out ${m.heldOut?.correct}/${m.heldOut?.total}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
