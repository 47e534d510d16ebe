import { expect } from "chai";
import path from "node:path";
import { FraudGameOutcome, Reason, ReceiptState } from "../../src/chain/enums.generated";
import { describeGriefedGame, describeWonGame } from "../../src/devnet/printScenarioReport";
import { runSystemScenario, type SystemScenarioReport } from "../../src/devnet/runSystemScenario";
import { scenarioChecks } from "../../src/devnet/scenarioChecks";
import { DEMO_DEPLOY_ENVIRONMENT, startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");

describe("the demo scenario end to end on a real JSON-RPC chain", function () {
  this.timeout(300_000);
  let system: LocalSystem;
  let report: SystemScenarioReport;

  before(async function () {
    system = await startLocalSystem(DEMO_DEPLOY_ENVIRONMENT);
    report = await runSystemScenario({
      system,
      modelsDir: MODELS_DIR,
      logLevel: process.env.VERITY_TEST_LOG ?? "silent",
    });
  });

  after(async function () {
    await system?.stop();
  });

  it("serves API and on-chain requests from three nodes, one of them dishonest", function () {
    // 4 requests per node to each Iris model, 2 per node to the digits CNN v2.
    expect(report.answers).to.have.length(3 * 2 * 4 + 3 * 2);
    expect(report.onChain).to.have.length(3);
    expect(new Set(report.answers.map((a) => a.node)).size).to.equal(3);
    expect(report.answers.filter((a) => a.wrong).every((a) => a.node === report.dishonestNode)).to.equal(true);
  });

  it("attests every served receipt exactly once, in fewer transactions than receipts", function () {
    expect(report.attestations.receipts).to.equal(report.served.length);
    expect(report.attestations.batches).to.be.lessThan(report.served.length);
  });

  for (const [index, label] of [
    "every API answer carries a receipt signed by its node's registered signer",
    "the keeper attested every receipt exactly once, many per transaction",
    "every on-chain request was answered, relayed and settled",
    "the dishonest node gave at least one wrong result",
    "every wrong result, and nothing else, was challenged",
    "each committee left out the challenger, revealed in full and found the node wrong",
    "the dishonest node was slashed and jailed",
    "honest nodes kept all their stake",
    "honest on-chain results were paid to their nodes, with the protocol share to the treasury",
    "wrong on-chain results were refunded, not paid",
    "the challenger came out ahead after claiming its bonds and rewards",
    "the treasury gained protocol fees and slashed stake",
    "the digits CNN is registered EXACT on verity-int8-v2 and judged by the fraud game (Iris by committees)",
    "every node served the digits CNN; the dishonest node, and only it, gave a wrong digits answer",
    "every wrong digits result went to a fraud game the challenger opened, none to a committee",
    "the verifier won each fraud game: the node's stake fell by exactly the amount at risk, the receipt is Rejected",
    "the dishonest node's corrupted trace element was found by bisection and re-executed on chain: one-step proof",
    "the verifier's claim returned its bond plus its reward: its balance rose by the reward",
    "both sides played each fraud game on chain: the challenger opened it, the node service answered",
    "an honest node's griefed digits receipt: the node won, kept its stake, the griefer lost its bond",
  ].entries()) {
    it(`checks: ${label}`, function () {
      const checks = scenarioChecks(report);
      expect(checks[index]![0]).to.equal(label);
      expect(checks[index]![1], label).to.equal(true);
    });
  }

  it("has no outcome the test does not name", function () {
    expect(scenarioChecks(report)).to.have.length(20);
  });

  it("fails the fraud-game checks when the chain tells another story", function () {
    const checkNamed = (r: SystemScenarioReport, start: string) =>
      scenarioChecks(r).find(([l]) => l.startsWith(start))![1];
    const [won] = report.fraudGames;
    const [griefed] = report.griefedGames;
    const withGame = (game: Partial<typeof won>) => ({ ...report, fraudGames: [{ ...won!, ...game }] });
    expect(checkNamed(withGame({ stakeDrop: won!.amountAtRisk - 1n }), "the verifier won")).to.equal(false);
    expect(checkNamed(withGame({ receiptState: ReceiptState.Disputed }), "the verifier won")).to.equal(false);
    expect(checkNamed(withGame({ claimedByBeneficiary: won!.bond }), "the verifier's claim")).to.equal(false);
    expect(checkNamed(withGame({ reason: Reason.OutputMismatch }), "the dishonest node's corrupted")).to.equal(false);
    const byOutput = won!.moves.map((m) => (m.name === "proveStep" ? { ...m, name: "proveOutputMismatch" } : m));
    expect(checkNamed(withGame({ moves: byOutput }), "the dishonest node's corrupted")).to.equal(false);
    expect(checkNamed({ ...report, fraudGames: [] }, "every wrong digits result")).to.equal(false);
    const lostGrief = { ...report, griefedGames: [{ ...griefed!, outcome: FraudGameOutcome.NodeWrong }] };
    expect(checkNamed(lostGrief, "an honest node's griefed")).to.equal(false);
    const committeeJudge = { ...report, v2Model: { ...report.v2Model, judge: report.challenger } };
    expect(checkNamed(committeeJudge, "the digits CNN is registered")).to.equal(false);
  });

  it("decides the wrong digits answer in a fraud game, with the gas of every move read from its receipt", function () {
    expect(report.fraudGames).to.have.length(1);
    const [game] = report.fraudGames;
    expect(game!.outcome).to.equal(FraudGameOutcome.NodeWrong);
    expect(game!.reason).to.equal(Reason.OneStep);
    expect(game!.moves.map((m) => m.name)).to.include.members([
      "revealTensors",
      "pickTensor",
      "pickElement",
      "proveStep",
    ]);
    expect(game!.receiptState).to.equal(ReceiptState.Rejected);
    expect(game!.slashed > 0n).to.equal(true);
    expect(game!.moves.map((m) => m.name)[0]).to.equal("challenge");
    expect(game!.moves.every((m) => m.gas > 21_000n)).to.equal(true);
    expect(describeWonGame(game!)).to.match(
      /^fraud game #\d+: node 0x[0-9a-fA-F]{8}… slashed [\d.]+ VRTT by one-step proof after \d+ moves \(gas \d+;/,
    );
    expect(report.disputes.map((d) => d.receiptHash)).to.not.include(game!.receiptHash);
  });

  it("lets the honest node defend a griefed digits receipt through the bisection to the one-step proof", function () {
    expect(report.griefedGames).to.have.length(1);
    const [game] = report.griefedGames;
    expect(game!.outcome).to.equal(FraudGameOutcome.NodeRight);
    const names = game!.moves.map((m) => m.name);
    expect(names).to.include.members(["challenge", "revealTensors", "pickTensor", "proveStep"]);
    expect(describeGriefedGame(game!)).to.match(/→ node wins by one-step proof after \d+ moves/);
  });
});
