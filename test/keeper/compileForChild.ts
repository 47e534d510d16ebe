import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Transpiles `src/` and the keeper child script once into `cache/keeper-child/` (CommonJS, no type check), so the
 * crash test restarts its child keeper with plain `node` in about a second instead of paying ts-node each time.
 * Returns the path of the compiled child script.
 */
export function compileKeeperChild(): string {
  const out = path.join(ROOT, "cache", "keeper-child");
  fs.rmSync(out, { recursive: true, force: true });
  const files: string[] = [path.join(ROOT, "test", "keeper", "keeperChild.ts")];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(full);
    }
  };
  walk(path.join(ROOT, "src"));
  for (const file of files) {
    const { outputText } = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    const target = path.join(out, path.relative(ROOT, file)).replace(/\.ts$/, ".js");
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  return path.join(out, "test", "keeper", "keeperChild.js");
}
