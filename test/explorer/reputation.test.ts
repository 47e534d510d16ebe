import { expect } from "chai";
import fc from "fast-check";
import { getReputation, REPUTATION_PRIOR, type ReputationInputs } from "../../src/indexer/getReputation";

const clean: ReputationInputs = {
  attestedReceipts: 0,
  disputesLost: 0,
  dataAvailabilityFailures: 0,
  missedDeadlines: 0,
  equivocations: 0,
  timesJailed: 0,
  jailed: false,
};

const inputs = fc.record({
  attestedReceipts: fc.nat(1_000_000),
  disputesLost: fc.nat(100),
  dataAvailabilityFailures: fc.nat(100),
  missedDeadlines: fc.nat(100),
  equivocations: fc.nat(10),
  timesJailed: fc.nat(10),
  jailed: fc.boolean(),
});

describe("getReputation", function () {
  it("starts a newcomer at 0 and reaches 500 after PRIOR fault-free receipts", function () {
    expect(getReputation(clean).score).to.equal(0);
    expect(getReputation({ ...clean, attestedReceipts: REPUTATION_PRIOR }).score).to.equal(500);
    expect(getReputation({ ...clean, attestedReceipts: 900 }).score).to.equal(900);
  });

  it("is 0 while jailed, whatever the track record", function () {
    expect(getReputation({ ...clean, attestedReceipts: 1_000_000, jailed: true }).score).to.equal(0);
  });

  it("weighs one lost dispute like 100 receipts of doubt", function () {
    const lost = getReputation({ ...clean, attestedReceipts: 200, disputesLost: 1 });
    expect(lost).to.deep.equal({ score: 500, volume: 200, faultPoints: 100 });
  });

  it("stays an integer in [0, 1000), rises with receipts and falls with every fault (property)", function () {
    fc.assert(
      fc.property(inputs, (x) => {
        const { score } = getReputation(x);
        expect(Number.isInteger(score) && score >= 0 && score < 1000).to.equal(true);
        if (!x.jailed) {
          expect(getReputation({ ...x, attestedReceipts: x.attestedReceipts + 1 }).score).to.be.at.least(score);
          for (const key of [
            "disputesLost",
            "dataAvailabilityFailures",
            "missedDeadlines",
            "equivocations",
            "timesJailed",
          ] as const) {
            expect(getReputation({ ...x, [key]: x[key] + 1 }).score, key).to.be.at.most(score);
          }
        }
      }),
    );
  });
});
