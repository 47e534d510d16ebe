/**
 * `npm run screenshots`: runs a demo-sized system on a local `hardhat node` with the explorer following it (see
 * src/devnet/startExplorerSystem.ts: committee disputes, and fraud games on the digits CNN played on chain), then
 * saves the main pages, as a browser shows them, to docs/screenshots/.
 * Needs Debian's chromium (`apt-get install chromium`; or set VERITY_CHROMIUM to another Chromium).
 */
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { DEMO_CAST } from "../src/devnet/cast";
import { openGameOnFreshReceipt } from "../src/devnet/openGameOnFreshReceipt";
import { startExplorerSystem, waitForIndex } from "../src/devnet/startExplorerSystem";
import { INTEGER_V2_RUNTIME_ID } from "../src/runtime/integerV2";

const CHROMIUM = process.env.VERITY_CHROMIUM ?? "/usr/bin/chromium";
const OUT = path.resolve(__dirname, "..", "docs", "screenshots");

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium`);
  const started = Date.now();
  const setup = await startExplorerSystem({
    apiRequestsPerNodeAndModel: 4,
    onChainRequests: 3,
    progress: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { report } = setup;
    const honest = report.answers.find((a) => !a.wrong)!;
    const pages: [string, string][] = [
      ["overview", "/"],
      ["node-slashed", `/nodes/${report.dishonestNode}`],
      ["node-honest", `/nodes/${report.honestNodes[0]}`],
      ["dispute", `/disputes/${report.disputes[0]!.id}`],
      ["game", `/games/${report.fraudGames[0]!.id}`],
      ["game-griefed", `/games/${report.griefedGames[0]!.id}`],
      ["disputes", "/disputes"],
      ["receipt-rejected", `/receipts/${report.wrong[0]}`],
      ["receipt-final", `/receipts/${honest.receiptHash}`],
      ["request", `/requests/${report.onChain[0]!.id}`],
      ["model", `/models/${honest.receipt.modelId}`],
    ];
    // An open game with nobody defending (the scenario's services have stopped): whose move is due, the countdown.
    const node = DEMO_CAST.nodes[0];
    const digits = report.answers.find(
      (a) =>
        a.model.runtimeId === INTEGER_V2_RUNTIME_ID &&
        !a.wrong &&
        a.node === setup.system.account(node.operator).address,
    )!;
    const open = await openGameOnFreshReceipt(setup.system, { answer: digits, signer: node.signer, challenger: 10 });
    await waitForIndex(setup.system, setup.explorer);
    pages.push(["game-open", `/games/${open.id}`]);
    fs.mkdirSync(OUT, { recursive: true });
    for (const [name, route] of pages) {
      await page.goto(`${setup.explorer.url}${route}`);
      await page.waitForLoadState("networkidle").catch(() => {});
      await page.waitForTimeout(300);
      const file = path.join(OUT, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`saved ${path.relative(process.cwd(), file)}`);
    }
  } finally {
    await browser.close();
    await setup.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
