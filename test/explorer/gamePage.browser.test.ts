import { serve } from "@hono/node-server";
import { expect } from "chai";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { createExplorerApp, createUpdateFeed } from "../../src/explorer/createExplorerApp";
import { ExplorerQueries } from "../../src/explorer/ExplorerQueries";
import { IndexStore } from "../../src/indexer/IndexStore";
import { GAME, NODE, RECEIPT, SETUP, TRANSACTIONS } from "./fraudGameFixture";

const CHROMIUM = process.env.VERITY_CHROMIUM ?? "/usr/bin/chromium";

/**
 * The fraud-game pages in Debian's chromium (playwright-core), over a real SQLite index holding one decided game (the
 * events the indexer stores for it), with what the demo's chain never has: a router disagreement left to the game and
 * a verdict sent by a third party. Games played on chain are checked in explorer.e2e.test.ts.
 */
describe("the fraud-game pages in a browser", function () {
  this.timeout(120_000);
  let dir: string;
  let store: IndexStore;
  let server: ReturnType<typeof serve>;
  let url: string;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI) throw new Error(`chromium not found at ${CHROMIUM}: CI must apt-get install chromium`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-game-page-"));
    store = new IndexStore(path.join(dir, "index.sqlite"));
    for (const [events, nextBlock, transactions] of [
      [SETUP, 3, []],
      [GAME, 8, TRANSACTIONS],
    ] as const) {
      store.applyRange({
        events,
        timestamps: new Map(events.map((e) => [e.blockNumber, 1_700_000_000 + e.blockNumber * 12])),
        transactions,
        activeStakes: new Map(),
        nextBlock: BigInt(nextBlock),
        head: { number: BigInt(nextBlock - 1), timestamp: 1_700_000_000 + (nextBlock - 1) * 12 },
      });
    }
    const app = createExplorerApp(new ExplorerQueries(store), createUpdateFeed());
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async function () {
    await browser?.close();
    server?.close();
    store?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const moves = (selector: string) =>
    page
      .locator(`${selector} li`)
      .evaluateAll((items) => items.map((item) => [item.getAttribute("data-event"), item.getAttribute("data-by")]));

  it("a game's page shows the moves in order, who made each with its gas, and the verdict", async function () {
    await page.goto(`${url}/games/1`);
    expect(await page.locator("#game-title .game-outcome").textContent()).to.equal("node wrong");
    expect(await page.locator(".game-verdict").textContent()).to.match(/node wrong by output mismatch/);
    expect(await moves("#game-1-timeline")).to.deep.equal([
      ["ReceiptDisputed", "challenger"],
      ["GameOpened", "challenger"],
      ["TensorsRevealed", "node"],
      ["TensorPicked", "challenger"],
      ["Slashed", "other"],
      ["ReceiptDisputeResolved", "other"],
      ["RewardCredited", "other"],
      ["GameResolved", "other"],
      ["CreditClaimed", ""],
    ]);
    const picked = page.locator("#game-1-timeline li[data-event='TensorPicked']");
    expect(await picked.locator(".gas").textContent()).to.equal("105,792 gas");
    expect(await picked.locator("[data-badge]").textContent()).to.equal("challenger");
  });

  it("the receipt's page reads rejected and links its game, with the same timeline", async function () {
    await page.goto(`${url}/receipts/${RECEIPT}`);
    expect(await page.locator(`[data-receipt="${RECEIPT}"] .receipt-state`).textContent()).to.equal("rejected");
    expect((await moves("#game-1-timeline")).map(([name]) => name)).to.include.ordered.members([
      "ReceiptDisputed",
      "GameOpened",
    ]);
    await page.locator("dd a[data-game='1']").click();
    await page.waitForURL(`${url}/games/1`);
  });

  it("the disputes page lists the game, the disagreement it took up, and the registry's fraud judge", async function () {
    await page.goto(`${url}/disputes`);
    expect(await page.locator("#games tr[data-game-row='1'] [data-badge]").textContent()).to.equal("node wrong");
    expect(await page.locator(`#disagreements tr[data-disagreement='${RECEIPT}'] a[data-game='1']`).count()).to.equal(
      1,
    );
    expect(await page.locator("#fraud-judges [data-badge='current']").count()).to.equal(1);
    await page.goto(`${url}/nodes/${NODE}`);
    expect(await page.locator("#node-jailed").count()).to.equal(1);
  });
});
