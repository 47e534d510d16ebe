import { expect } from "chai";
import { gameTurn } from "../../src/explorer/gameTurn";
import { countdown } from "../../src/explorer/pages/games";

const event = (name: string, args: Record<string, unknown> = {}) => ({ name, args });

describe("an open fraud game's turn (gameTurn) and its countdown", function () {
  it("follows FraudGame's phases: the node reveals, the challenger picks", function () {
    const side = (...names: string[]) =>
      gameTurn(
        names.map((n) => event(n)),
        1_000,
        400,
      )?.by;
    expect(side("ReceiptDisputed", "GameOpened")).to.equal("node");
    expect(side("GameOpened", "TensorsRevealed")).to.equal("challenger");
    expect(side("GameOpened", "TensorsRevealed", "TensorPicked")).to.equal("node");
    expect(side("TensorPicked", "NodesRevealed")).to.equal("challenger");
    expect(side("NodesRevealed", "NodePicked")).to.equal("node");
    expect(side("NodePicked", "ChunkRevealed")).to.equal("challenger");
    expect(side("ElementPicked", "AccumulatorsRevealed")).to.equal("challenger");
  });

  it("an element or accumulator pick that leaves one segment waits for the challenger's one-step proof", function () {
    expect(gameTurn([event("ElementPicked", { segments: "1" })], 1_000, 400)).to.deep.include({
      by: "challenger",
      move: "prove the one step on chain",
    });
    expect(gameTurn([event("ElementPicked", { segments: "4" })], 1_000, 400)?.by).to.equal("node");
    expect(gameTurn([event("AccumulatorPicked", { lo: "2", hi: "3" })], 1_000, 400)?.by).to.equal("challenger");
    expect(gameTurn([event("AccumulatorPicked", { lo: "2", hi: "4" })], 1_000, 400)?.by).to.equal("node");
  });

  it("counts the time left from the newest indexed block, and none once the game is decided", function () {
    expect(gameTurn([event("GameOpened")], 1_000, 400)).to.deep.include({ deadline: 1_000, secondsLeft: 600 });
    expect(gameTurn([event("GameOpened")], 1_000, 1_200)?.secondsLeft).to.equal(-200);
    expect(gameTurn([event("GameOpened"), event("TensorsRevealed"), event("GameResolved")], 1_000, 400)).to.equal(
      undefined,
    );
    expect(gameTurn([event("Slashed")], 1_000, 400)).to.equal(undefined);
  });

  it("writes the countdown in hours, minutes and seconds, and overdue past the deadline", function () {
    expect(countdown(7_384)).to.equal("2 h 3 min 4 s left");
    expect(countdown(61)).to.equal("1 min 1 s left");
    expect(countdown(9)).to.equal("9 s left");
    expect(countdown(3_600)).to.equal("1 h 0 min 0 s left");
    expect(countdown(-1)).to.equal("overdue");
  });
});
