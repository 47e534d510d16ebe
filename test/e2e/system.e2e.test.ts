import { expect } from "chai";
import path from "node:path";
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
    expect(report.answers).to.have.length(3 * 2 * 4);
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
  ].entries()) {
    it(`checks: ${label}`, function () {
      const checks = scenarioChecks(report);
      expect(checks[index]![0]).to.equal(label);
      expect(checks[index]![1], label).to.equal(true);
    });
  }
});
