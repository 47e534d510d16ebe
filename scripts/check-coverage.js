#!/usr/bin/env node
// Fails (exit 1) when branch coverage in an istanbul json-summary is below a floor: `check-coverage.js <file> <pct>`.
const fs = require("node:fs");

const [file, floorArg] = process.argv.slice(2);
if (!file || !floorArg) {
  console.error("usage: check-coverage.js <coverage-summary.json> <minimum branch %>");
  process.exit(2);
}
const floor = Number(floorArg);
const summary = JSON.parse(fs.readFileSync(file, "utf8"));
const { total } = summary;
console.log(
  `coverage: statements ${total.statements.pct}%, branches ${total.branches.pct}%, ` +
    `functions ${total.functions.pct}%, lines ${total.lines.pct}%`,
);
for (const [path, figures] of Object.entries(summary)) {
  if (path !== "total" && figures.branches.pct < floor) console.log(`  below floor: ${path} ${figures.branches.pct}%`);
}
if (total.branches.pct < floor) {
  console.error(`branch coverage ${total.branches.pct}% is below the ${floor}% floor`);
  process.exit(1);
}
