import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { solidityEnums } from "../../src/chain/enums.generated";
import * as abis from "../../src/chain/abis.generated";

const ROOT = path.resolve(__dirname, "..", "..");

/** Every `enum X { ... }` declared in the interfaces, read from the Solidity text (independently of the compiler). */
function declaredEnums(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const dir = path.join(ROOT, "contracts", "interfaces");
  for (const file of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, file), "utf8").replace(/\/\/.*$/gm, "");
    const scope = /(?:interface|contract|library)\s+(\w+)/.exec(text)?.[1];
    for (const match of text.matchAll(/\benum\s+(\w+)\s*\{([^}]*)\}/g)) {
      const members = match[2]!
        .split(",")
        .map((member) => member.trim())
        .filter((member) => member !== "");
      found.set(`${scope}.${match[1]}`, members);
    }
  }
  return found;
}

describe("the generated on-chain enums", function () {
  it("hold every member of each Solidity declaration, in order", function () {
    const declared = declaredEnums();
    for (const [name, generated] of Object.entries(solidityEnums)) {
      const members = declared.get(name);
      expect(members, `${name} is declared in contracts/interfaces`).to.not.equal(undefined);
      expect(Object.entries(generated)).to.deep.equal(members!.map((member, index) => [member, index]));
    }
  });

  it("cover every enum the ABIs carry", function () {
    const inAbis = new Set<string>();
    const visit = (parameter: { internalType?: string; components?: readonly unknown[] }) => {
      const match = /^enum ([\w.]+)/.exec(parameter.internalType ?? "");
      if (match) inAbis.add(match[1]!);
      parameter.components?.forEach((component) => visit(component as typeof parameter));
    };
    for (const abi of Object.values(abis)) {
      for (const item of abi as readonly { inputs?: readonly object[]; outputs?: readonly object[] }[]) {
        [...(item.inputs ?? []), ...(item.outputs ?? [])].forEach((parameter) => visit(parameter));
      }
    }
    expect([...inAbis].sort()).to.deep.equal(Object.keys(solidityEnums).sort());
  });

  it("are the only mirror: no enum is written by hand in src/ or test/", function () {
    const handWritten: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith(".ts") && !file.endsWith(".generated.ts")) {
          const text = fs.readFileSync(file, "utf8");
          for (const name of Object.keys(solidityEnums)) {
            const short = name.split(".")[1]!;
            if (new RegExp(`\\benum ${short}\\b|Mirrors \`${name.replace(".", "\\.")}\``).test(text)) {
              handWritten.push(`${path.relative(ROOT, file)}: ${short}`);
            }
          }
        }
      }
    };
    walk(path.join(ROOT, "src"));
    walk(path.join(ROOT, "test", "fixtures"));
    walk(path.join(ROOT, "test", "helpers"));
    walk(path.join(ROOT, "test", "dispute"));
    expect(handWritten).to.deep.equal([]);
  });
});
