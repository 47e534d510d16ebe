import { expect } from "chai";
import path from "node:path";
import { parseEther } from "viem";
import { runDisputeScenario } from "../../src/demo/runDisputeScenario";
import { startLocalSystem, type LocalSystem } from "../../src/demo/startLocalSystem";
import { DisputeState } from "../../src/verifier/pursueChallenges";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");

describe("verifier end to end on a real JSON-RPC chain", function () {
  this.timeout(300_000);
  let system: LocalSystem;

  before(async function () {
    system = await startLocalSystem({ VERITY_MINIMUM_STAKE: parseEther("100").toString() });
  });

  after(async function () {
    await system?.stop();
  });

  it("challenges a node that lies about an output; the committee slashes and jails it", async function () {
    const report = await runDisputeScenario({
      system,
      modelsDir: MODELS_DIR,
      receipts: 5,
      logLevel: process.env.VERITY_TEST_LOG ?? "silent",
    });
    expect(report.firstAudit).to.include({
      attestationsRecorded: 1,
      batchesAudited: 1,
      receiptsChecked: 5,
      wrongResults: 1,
    });
    expect(report.firstAudit.challengesOpened).to.equal(1);
    expect(report.verdicts).to.deep.equal({ valid: 4, "wrong-output": 1 });
    expect(report.secondAuditChallenges, "a second pass never challenges again").to.equal(0);
    expect(report.finalState).to.equal(DisputeState.Resolved);
    expect(report.outcome, "NodeWrong").to.equal(1);
    expect(report.revealedVotes).to.be.greaterThanOrEqual(2);
    expect(report.nodeJailed).to.equal(true);
    expect(report.nodeStake.after).to.be.lessThan(report.nodeStake.before);
    expect(report.challengerTokens.after, "bond back plus reward").to.be.greaterThan(report.challengerTokens.before);
    expect(report.treasuryTokens.after).to.be.greaterThan(report.treasuryTokens.before);
  });
});
