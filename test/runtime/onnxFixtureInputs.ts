import fs from "node:fs";
import path from "node:path";
import { createRandom, shuffleInPlace } from "../../src/models/build/random";
import { createTensor, type Tensor, type TensorPayload } from "../../src/protocol";

const FIXTURES = path.join(__dirname, "..", "..", "models", "onnx");

/** The committed ONNX fixtures by name. */
export function loadFixtureArtifacts(): Record<string, Uint8Array> {
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, "manifest.json"), "utf8")) as {
    models: { name: string; file: string }[];
  };
  return Object.fromEntries(
    manifest.models.map((m) => [m.name, new Uint8Array(fs.readFileSync(path.join(FIXTURES, m.file)))]),
  );
}

/** A bundle whose keys are inserted in shuffled order (the encoding and the feeds must not care). */
function shuffledBundle(tensors: Record<string, Tensor>, random: () => number): TensorPayload {
  return { tensors: Object.fromEntries(shuffleInPlace(Object.entries(tensors), random)) };
}

/**
 * Seeded inputs for each fixture (12 per model; the dynamic-batch model gets batches of 1..12 rows); in "shuffled"
 * order the named inputs of each bundle are inserted in a seeded random order and the list is given as bundles even
 * for one-input models.
 */
export function fixtureInputs(name: string, order: "forward" | "shuffled"): TensorPayload[] {
  const random = createRandom(777);
  const shuffle = createRandom(order === "shuffled" ? 31337 : 1);
  const floats = (n: number, scale = 2) => Array.from({ length: n }, () => (random() * 2 - 1) * scale);
  return Array.from({ length: 12 }, (_, i) => {
    switch (name) {
      case "multi-input": {
        const tensors = {
          features: createTensor("float32", [1, 4], floats(4)),
          category: createTensor("int64", [1, 1], [BigInt(i % 5)]),
          mask: createTensor(
            "bool",
            [1, 4],
            floats(4).map((v) => (v > 0 ? 1 : 0)),
          ),
        };
        return order === "shuffled" ? shuffledBundle(tensors, shuffle) : { tensors };
      }
      case "small-cnn": {
        const image = createTensor("float32", [1, 1, 8, 8], floats(64, 1));
        return order === "shuffled" ? { tensors: { image } } : image;
      }
      case "dynamic-batch": {
        const x = createTensor("float32", [i + 1, 4], floats(4 * (i + 1)));
        return order === "shuffled" ? { tensors: { x } } : x;
      }
      default:
        throw new Error(`no inputs for ${name}`);
    }
  });
}
