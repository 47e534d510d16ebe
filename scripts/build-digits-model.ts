// Trains the digits CNN on models/data/digits.csv.gz (UCI, CC BY 4.0), quantizes it to runtime v2, and writes
// models/digits-cnn-int8.vmodel2 and the `digits` section of models/manifest.json (float and int8 held-out accuracy).
// Run: npx ts-node --transpile-only scripts/build-digits-model.ts   (deterministic: the same bytes every time)
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildDigitsModel } from "../src/models/build/buildDigitsModel";

const directory = path.join(__dirname, "..", "models");
const { artifact, manifest } = buildDigitsModel();
writeFileSync(path.join(directory, manifest.models[0]!.file), artifact);
const file = path.join(directory, "manifest.json");
const current = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
writeFileSync(file, JSON.stringify({ ...current, digits: manifest }, null, 2) + "\n");
const m = manifest.models[0]!;
console.log(
  `${m.name}: ${m.modelId} held-out int8 ${m.heldOut.correct}/${m.heldOut.total}, float ${manifest.float.correct}/${manifest.float.total}`,
);
