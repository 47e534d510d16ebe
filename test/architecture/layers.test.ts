import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";

/**
 * The layers of `src/` and what each may import (docs/architecture.md). A layer is a top-level folder of `src/`;
 * `models/build` (training and export code) is a layer of its own, so services never load it.
 */
const ALLOWED: Record<string, readonly string[]> = {
  protocol: [],
  runtime: ["protocol"],
  models: ["protocol", "runtime"],
  "models/build": ["protocol", "runtime", "models"],
  chain: ["protocol"],
  config: ["protocol", "chain"],
  service: ["protocol"],
  node: ["protocol", "runtime", "models", "chain", "config", "service"],
  keeper: ["protocol", "runtime", "models", "chain", "config", "service"],
  verifier: ["protocol", "runtime", "models", "chain", "config", "service"],
  cli: ["protocol", "runtime", "models", "models/build", "chain", "config", "service", "node", "keeper", "verifier"],
  devnet: [
    "protocol",
    "runtime",
    "models",
    "models/build",
    "chain",
    "config",
    "service",
    "node",
    "keeper",
    "verifier",
    "cli",
  ],
};

const SRC = path.join(__dirname, "..", "..", "src");
const IMPORT = /(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|import\("(\.[^"]+)"\)|require\("(\.[^"]+)"\)/g;

/** The layer a path inside `src/` belongs to. */
export function layerOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts[0] === "models" && parts[1] === "build") return "models/build";
  return parts[0]!;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Every relative import of a source file, resolved to the layer it reaches. */
function importedLayers(file: string): { specifier: string; layer: string }[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = (match[1] ?? match[2] ?? match[3])!;
    return { specifier, layer: layerOf(path.resolve(path.dirname(file), specifier)) };
  });
}

describe("architecture: which layer may import which (docs/architecture.md)", function () {
  const files = sourceFiles(SRC);

  it("knows every folder of src/", function () {
    const layers = new Set(files.map(layerOf));
    for (const layer of layers)
      expect(Object.keys(ALLOWED), `layer ${layer} in docs/architecture.md`).to.include(layer);
  });

  it("finds the imports it checks", function () {
    const total = files.reduce((sum, file) => sum + importedLayers(file).length, 0);
    expect(total).to.be.greaterThan(files.length);
  });

  it("has no import across the allowed direction", function () {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const { specifier, layer } of importedLayers(file)) {
        if (layer === from) continue;
        if (!(ALLOWED[from] ?? []).includes(layer)) {
          violations.push(`${path.relative(SRC, file)} (${from}) imports ${specifier} (${layer})`);
        }
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it("keeps the protocol free of chain clients and of node modules beyond hashing and signatures", function () {
    const offenders = files
      .filter((file) => layerOf(file) === "protocol")
      .filter((file) =>
        /from\s+"viem\/actions"|createPublicClient|better-sqlite3|hono/.test(fs.readFileSync(file, "utf8")),
      );
    expect(offenders.map((file) => path.relative(SRC, file))).to.deep.equal([]);
  });

  it("would catch a violation (the checker itself)", function () {
    const nodeFile = path.join(SRC, "node", "x.ts");
    expect(layerOf(path.resolve(path.dirname(nodeFile), "../keeper/startKeeper"))).to.equal("keeper");
    expect(ALLOWED.node).to.not.include("keeper");
    expect(layerOf(path.join(SRC, "models", "build", "iris.ts"))).to.equal("models/build");
    expect(ALLOWED.verifier).to.not.include("models/build");
  });
});
