import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { parseEther, type Hex } from "viem";
import { approve } from "../../src/chain/actions/approve";
import { stake } from "../../src/chain/actions/stake";
import { sendContractCall } from "../../src/chain/sendContractCall";
import { getFraudGame, timeoutFraudGame } from "../../src/chain/actions/fraudGame";
import { DEMO_CAST } from "../../src/devnet/cast";
import type { ApiAnswer } from "../../src/devnet/serveDemoRequests";
import { INTEGER_V2_RUNTIME_ID } from "../../src/runtime/integerV2";
import { IndexStore } from "../../src/indexer/IndexStore";
import { createIndexerContext } from "../../src/indexer/startIndexer";
import { syncIndex } from "../../src/indexer/syncIndex";
import { getReceiptLeaf, processMerkleProofHex, type Receipt } from "../../src/protocol";
import { startExplorerSystem, waitForIndex, type ExplorerSystem } from "../../src/devnet/startExplorerSystem";
import { openGameOnFreshReceipt } from "../../src/devnet/openGameOnFreshReceipt";

/** Debian's chromium (`apt-get install chromium`); playwright-core cannot download a browser here. */
const CHROMIUM = process.env.VERITY_CHROMIUM ?? "/usr/bin/chromium";

describe("the explorer on a demo-sized system (real hardhat node)", function () {
  // The scenario alone takes ~25 s on an idle 2-core machine (plus ~35 s to start the chain and deploy).
  this.timeout(600_000);
  let setup: ExplorerSystem;
  let url: string;

  before(async function () {
    const started = Date.now();
    setup = await startExplorerSystem(
      process.env.VERITY_TEST_LOG
        ? { progress: (line) => console.log(`      [${(Date.now() - started) / 1000} s] ${line}`) }
        : {},
    );
    url = setup.explorer.url;
  });

  after(async function () {
    await setup?.stop();
  });

  const api = async (route: string) => {
    const response = await fetch(`${url}${route}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & unknown[] };
  };

  describe("the indexer", function () {
    it("indexed every attested receipt, every dispute and the slash of the dishonest node", async function () {
      const { report } = setup;
      const overview = (await api("/api/overview")).body as unknown as {
        receipts: { total: number };
        disputes: { total: number; open: number };
        slashes: { count: number };
      };
      expect(overview.receipts.total).to.equal(report.attestations.receipts);
      expect(overview.disputes.total).to.equal(report.disputes.length);
      expect(overview.disputes.open).to.equal(0);
      const node = (await api(`/api/nodes/${report.dishonestNode}`)).body as unknown as {
        jailed: boolean;
        slashed: boolean;
        disputesLost: number;
        reputation: { score: number };
      };
      // Committee disputes and the fraud game the verifier won count alike.
      expect(report.fraudGames).to.have.length.greaterThan(0);
      expect(node).to.include({
        jailed: true,
        slashed: true,
        disputesLost: report.disputes.length + report.fraudGames.length,
      });
      expect(node.reputation.score).to.equal(0);
    });

    it("learned every receipt of every batch from the nodes' batch files", function () {
      const store = setup.explorer.indexer.store;
      const pending = store.prepare("SELECT COUNT(*) AS n FROM batches WHERE contents != 'indexed'").get() as {
        n: number;
      };
      expect(pending.n).to.equal(0);
      for (const hash of setup.report.served) {
        expect(
          store.prepare("SELECT 1 FROM receipts WHERE receipt_hash = ?").get(hash.toLowerCase()),
          hash,
        ).to.not.equal(undefined);
      }
    });

    it("re-reading already indexed blocks adds nothing (idempotent restart)", async function () {
      const store = setup.explorer.indexer.store;
      const count = (table: string) => (store.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      const before = ["events", "receipts", "slashes", "payouts", "stake_changes"].map(count);
      const counters = store.prepare("SELECT * FROM node_counters ORDER BY node").all();
      const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-index-")), "copy.sqlite");
      await store.db.backup(copy);
      const replay = new IndexStore(copy);
      replay.setMeta("cursor", String(setup.system.deployment.startBlock)); // as if every range were re-read
      replay.close();
      const context = await createIndexerContext({
        rpcUrl: setup.system.chain.rpcUrl,
        deployment: setup.system.deployment,
        db: copy,
        confirmations: 0,
        maxBlockRange: 7,
      });
      const report = await syncIndex(context);
      expect(report.events).to.equal(0);
      expect(
        ["events", "receipts", "slashes", "payouts", "stake_changes"].map(
          (t) => (context.store.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
        ),
      ).to.deep.equal(before);
      expect(context.store.prepare("SELECT * FROM node_counters ORDER BY node").all()).to.deep.equal(counters);
      context.store.close();
    });

    it("with confirmations, never reads a block shallower than the confirmation depth", async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-index-"));
      const context = await createIndexerContext({
        rpcUrl: setup.system.chain.rpcUrl,
        deployment: setup.system.deployment,
        db: path.join(dir, "deep.sqlite"),
        confirmations: 20,
        maxBlockRange: 50,
      });
      const report = await syncIndex(context);
      const head = await setup.system.clients(0).publicClient.getBlockNumber({ cacheTime: 0 });
      expect(report.nextBlock).to.equal(head - 20n + 1n);
      const newest = context.store.prepare("SELECT MAX(block_number) AS b FROM events").get() as { b: number };
      expect(BigInt(newest.b)).to.be.at.most(head - 20n);
      context.store.close();
    });
  });

  describe("the JSON API", function () {
    it("answers a receipt by its hash and by its request id, with a proof that verifies against the batch root", async function () {
      const answer = setup.report.answers.find((a) => !a.wrong)!;
      const byHash = (await api(`/api/receipts/${answer.receiptHash}`)).body as unknown as {
        state: string;
        proof: Hex[];
        batch: { root: Hex };
        requestId: string;
      }[];
      expect(byHash).to.have.length(1);
      expect(byHash[0]!.state).to.equal("final");
      expect(processMerkleProofHex(getReceiptLeaf(answer.receipt as Receipt), byHash[0]!.proof)).to.equal(
        byHash[0]!.batch.root,
      );
      const byRequest = (await api(`/api/receipts/${answer.receipt.requestId}`)).body as unknown as {
        receiptHash: string;
      }[];
      expect(byRequest.map((r) => r.receiptHash)).to.include(answer.receiptHash.toLowerCase());
    });

    it("answers 400 for a malformed key and 404 for an unknown one, with the error name", async function () {
      expect(await api("/api/receipts/0x1234")).to.deep.include({ status: 400 });
      const unknown = await api(`/api/receipts/0x${"ab".repeat(32)}`);
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error).to.equal("UnknownReceipt");
      expect((await api("/api/disputes/999999")).body.error).to.equal("UnknownDispute");
    });
  });

  describe("in a browser (Debian's chromium driven by playwright-core)", function () {
    let browser: Browser;
    let page: Page;

    before(async function () {
      if (!fs.existsSync(CHROMIUM)) {
        if (process.env.CI) throw new Error(`chromium not found at ${CHROMIUM}: CI must apt-get install chromium`);
        console.warn(`      skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set VERITY_CHROMIUM)`);
        this.skip();
      }
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    });

    after(async function () {
      await browser?.close();
    });

    it("the overview marks the dishonest node slashed and jailed, and the honest nodes active", async function () {
      await page.goto(url);
      const row = page.locator(`#nodes tr[data-node="${setup.report.dishonestNode.toLowerCase()}"]`);
      expect(await row.locator("[data-badge]").allTextContents()).to.have.members(["slashed", "jailed"]);
      for (const honest of setup.report.honestNodes) {
        const badges = await page
          .locator(`#nodes tr[data-node="${honest.toLowerCase()}"] [data-badge]`)
          .allTextContents();
        expect(badges).to.deep.equal(["active"]);
      }
      expect(await page.locator("#plot-receipts canvas").count()).to.equal(1);
      expect(await page.locator("#plot-stake canvas").count()).to.equal(1);
    });

    it("the dishonest node's page shows its slash in the stake history, its lost disputes and a reputation of 0", async function () {
      await page.goto(`${url}/nodes/${setup.report.dishonestNode}`);
      expect(await page.locator("#node-jailed").textContent()).to.equal("yes");
      expect(await page.locator("#node-reputation").textContent()).to.equal("0.0");
      expect(await page.locator("#stake-history").textContent()).to.contain("slash");
      expect(await page.locator("#node-disputes [data-badge='node wrong']").count()).to.equal(
        setup.report.disputes.length,
      );
    });

    it("a dispute's timeline runs challenge → draw → commits → reveals → verdict → slash and payouts, in order", async function () {
      const dispute = setup.report.disputes[0]!;
      await page.goto(`${url}/disputes/${dispute.id}`);
      expect(await page.locator("#dispute-outcome").textContent()).to.equal("node wrong");
      const names = await page
        .locator("#dispute-timeline li")
        .evaluateAll((items) => items.map((item) => item.getAttribute("data-event")));
      const first = (name: string) => names.indexOf(name);
      const last = (name: string) => names.lastIndexOf(name);
      const order = [
        "DisputeOpened",
        "CommitteeMemberDrawn",
        "CommitteeDrawn",
        "VoteCommitted",
        "VoteRevealed",
        "DisputeResolved",
      ];
      for (const name of order) expect(names, name).to.include(name);
      for (let i = 1; i < order.length; i++) expect(first(order[i]!), order[i]).to.be.greaterThan(last(order[i - 1]!));
      expect(names.filter((n) => n === "VoteRevealed")).to.have.length(dispute.revealed);
      expect(names).to.include("RewardCredited");
    });

    it("a wrong receipt reads rejected with its dispute timeline; an honest one reads final with its proof", async function () {
      const wrong = setup.report.wrong[0]!.toLowerCase();
      await page.goto(`${url}/receipts/${wrong}`);
      expect(await page.locator(`[data-receipt="${wrong}"] .receipt-state`).textContent()).to.equal("rejected");
      expect(await page.locator("ol.timeline li[data-event='DisputeResolved']").count()).to.equal(1);
      const honest = setup.report.answers.find((a) => !a.wrong)!;
      await page.goto(`${url}/search?q=${honest.receipt.requestId}`);
      const section = page.locator(`[data-receipt="${honest.receiptHash.toLowerCase()}"]`);
      expect(await section.locator(".receipt-state").textContent()).to.equal("final");
      expect(await section.locator(".receipt-proof li").count()).to.be.greaterThan(0);
    });

    it("a router request's page shows it settled, with its timeline and the fee paid", async function () {
      const settled = setup.report.onChain.find((r) => !r.wrong)!;
      await page.goto(`${url}/requests/${settled.id}`);
      expect(await page.locator("#request-state").textContent()).to.equal("settled");
      const names = await page
        .locator("#request-timeline li")
        .evaluateAll((items) => items.map((i) => i.getAttribute("data-event")));
      expect(names.indexOf("RequestCreated")).to.be.lessThan(names.indexOf("RequestFulfilled"));
      expect(names.indexOf("RequestFulfilled")).to.be.lessThan(names.indexOf("RequestSettled"));
    });

    /** Each timeline entry of a game page: event, side, function and transaction. */
    const gameEntries = (id: bigint) =>
      page.locator(`#game-${id}-timeline li`).evaluateAll((items) =>
        items.map((item) => ({
          event: item.getAttribute("data-event")!,
          by: item.getAttribute("data-by")!,
          fn: item.getAttribute("data-function")!,
          tx: item.getAttribute("data-tx")!,
        })),
      );

    it("a fraud game played on chain: its page runs opening → bisection → proveStep → verdict, as the chain has it", async function () {
      const game = setup.report.fraudGames[0]!;
      await page.goto(`${url}/games/${game.id}`);
      expect(await page.locator("#game-title .game-outcome").textContent()).to.equal("node wrong");
      expect(await page.locator(".game-verdict").textContent()).to.match(/^node wrong by /);
      expect(await page.locator("#game-turn").count()).to.equal(0);
      const entries = await gameEntries(game.id);
      const names = entries.map((e) => e.event);
      // One function per transaction, in chain order, equal to the transactions read back from the chain.
      const calls = entries.filter((e, i) => e.fn !== "" && (i === 0 || entries[i - 1]!.tx !== e.tx)).map((e) => e.fn);
      expect(calls).to.deep.equal(game.moves.map((m) => m.name));
      expect(calls[0]).to.equal("challenge");
      expect(calls.at(-1)).to.equal("proveStep");
      const opened = names.indexOf("GameOpened");
      const resolved = names.indexOf("GameResolved");
      // The opening transaction comes first: the receipt frozen (and the stake locked) with the game opened.
      expect(entries.slice(0, opened + 1).every((e) => e.tx === entries[opened]!.tx)).to.equal(true);
      expect(names.slice(0, opened)).to.include("ReceiptDisputed");
      const bisection = entries.slice(opened + 1, resolved).filter((e) => /Revealed|Picked$/.test(e.event));
      expect(bisection.length).to.equal(game.moves.length - 2);
      expect(bisection.length).to.be.at.least(4);
      for (const move of bisection)
        expect(move.by, move.event).to.equal(/Revealed$/.test(move.event) ? "node" : "challenger");
      const step = entries.filter((e) => e.fn === "proveStep").map((e) => e.event);
      expect(step).to.include.members(["Slashed", "ReceiptDisputeResolved", "GameResolved"]);
      expect(resolved).to.be.greaterThan(opened + bisection.length);
      expect(names.slice(resolved + 1)).to.include("CreditClaimed");
    });

    it("the node that lost it is marked slashed and jailed, lists the game, and its stake history shows the game's slash", async function () {
      const game = setup.report.fraudGames[0]!;
      const api = (await (await fetch(`${url}/api/games/${game.id}`)).json()) as { resolvedBlock: number };
      await page.goto(`${url}/nodes/${game.node}`);
      expect(await page.locator("h1 [data-badge]").allTextContents()).to.include.members(["slashed", "jailed"]);
      expect(await page.locator(`#node-games tr[data-game-row='${game.id}'] [data-badge]`).textContent()).to.equal(
        "node wrong",
      );
      const rows = await page
        .locator("#stake-history tbody tr")
        .evaluateAll((trs) =>
          trs.map((tr) =>
            Array.from(tr.querySelectorAll("td") as ArrayLike<{ textContent: string | null }>, (td) =>
              td.textContent!.trim(),
            ),
          ),
        );
      const slash = rows.find((cells) => cells[1] === String(api.resolvedBlock));
      expect(slash, "a stake change in the block of the game's verdict").to.not.equal(undefined);
      expect(slash![2]).to.match(/slash/);
      expect(Number(slash![3]!.replace(/,/g, ""))).to.equal(Number(game.slashed / 10n ** 18n));
    });

    it("the receipt the game rejected reads rejected and links the game", async function () {
      const game = setup.report.fraudGames[0]!;
      const hash = game.receiptHash.toLowerCase();
      await page.goto(`${url}/receipts/${hash}`);
      expect(await page.locator(`[data-receipt="${hash}"] .receipt-state`).textContent()).to.equal("rejected");
      expect((await gameEntries(game.id)).map((e) => e.event)).to.include("GameResolved");
      await page.locator(`dd a[data-game='${game.id}']`).click();
      await page.waitForURL(`${url}/games/${game.id}`);
    });

    it("a live update arrives without reloading: a new stake shows up on the open overview", async function () {
      await page.goto(url);
      await page.waitForFunction(`document.getElementById("live").className === "on"`);
      await page.evaluate("window.marker = 42");
      const before = await page.locator("#stat-stake").textContent();
      const verifier = setup.system.clients(DEMO_CAST.verifiers[1].operator);
      const amount = parseEther("250");
      await sendContractCall(
        verifier,
        approve({ address: setup.system.addresses.token!, spender: setup.system.addresses.staking!, amount }),
      );
      await sendContractCall(verifier, stake({ address: setup.system.addresses.staking!, amount }));
      await waitForIndex(setup.system, setup.explorer);
      await page.waitForFunction(
        `document.getElementById("stat-stake").textContent !== ${JSON.stringify(before)}`,
        null,
        {
          timeout: 15_000,
        },
      );
      const after = await page.locator("#stat-stake").textContent();
      expect(Number(after!.replace(/,/g, "")) - Number(before!.replace(/,/g, ""))).to.equal(250);
      expect(await page.evaluate("window.marker")).to.equal(42);
      expect(Number(await page.evaluate("document.body.dataset.liveUpdates"))).to.be.at.least(1);
    });

    it("an open game arrives live, shows whose move is due with a ticking countdown, and a timeout decides it live", async function () {
      const v2 = (a: ApiAnswer) => a.model.runtimeId === INTEGER_V2_RUNTIME_ID;
      const node = DEMO_CAST.nodes[0];
      const answer = setup.report.answers.find(
        (a) => v2(a) && !a.wrong && a.node === setup.system.account(node.operator).address,
      )!;
      await page.goto(`${url}/disputes`);
      await page.waitForFunction(`document.getElementById("live").className === "on"`);
      await page.evaluate("window.marker = 7");
      const { id } = await openGameOnFreshReceipt(setup.system, { answer, signer: node.signer, challenger: 10 });
      await page.waitForSelector(`#games tr[data-game-row='${id}']`, { timeout: 15_000 });
      expect(await page.locator(`#games tr[data-game-row='${id}'] [data-badge]`).textContent()).to.equal("open");
      expect(await page.evaluate("window.marker")).to.equal(7);

      await page.goto(`${url}/games/${id}`);
      await page.waitForFunction(`document.getElementById("live").className === "on"`);
      await page.evaluate("window.marker = 8");
      const turn = page.locator("#game-turn");
      expect(await turn.getAttribute("data-side")).to.equal("node");
      expect(await turn.locator("[data-badge]").textContent()).to.equal("node's move");
      const first = await turn.locator(".countdown").textContent();
      expect(first).to.match(/^(\d+ h )?(\d+ min )?\d+ s left$/);
      await page.waitForFunction(
        `document.querySelector("#game-turn .countdown").textContent !== ${JSON.stringify(first)}`,
        null,
        { timeout: 5_000 },
      );

      // Nobody defends: past the deadline anyone may time the game out, and the node loses.
      const { publicClient } = setup.system.clients(0);
      const game = await getFraudGame(publicClient, { address: setup.system.addresses.fraudGame, id });
      const now = (await publicClient.getBlock({ blockTag: "latest" })).timestamp;
      await setup.system.advanceTime(Number(BigInt(game.deadline) - now) + 1);
      await sendContractCall(
        setup.system.clients(0),
        timeoutFraudGame({ address: setup.system.addresses.fraudGame, id }),
      );
      await page.waitForFunction(
        `document.querySelector("#game-title .game-outcome").textContent === "node wrong"`,
        null,
        { timeout: 15_000 },
      );
      expect(await page.locator(".game-verdict").textContent()).to.match(/^node wrong by timeout/i);
      expect(await page.locator("#game-turn").count()).to.equal(0);
      const entries = await gameEntries(id);
      expect(entries.find((e) => e.event === "GameResolved")).to.deep.include({ fn: "timeout", by: "other" });
      expect(await page.evaluate("window.marker")).to.equal(8);
    });
  });
});
