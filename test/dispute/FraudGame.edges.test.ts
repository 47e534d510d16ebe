import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createChallenger, createNodeResponder } from "../../src/runtime/integerV2/fraudProofs";
import { buildEdgeModels } from "../../src/models/build/syntheticV2";
import { getModelCommitmentV2, getSegmentCount, getShapeSize, isAccumulating } from "../../src/runtime/integerV2";
import { deployFraudGameFixture, runModel } from "../fixtures/fraudGame";
import { Outcome, naiveChallenger, openGame, playGame } from "../helpers/fraudGame";

describe("FraudGame edge cases on chain", function () {
  this.timeout(120_000);
  const edges = buildEdgeModels();

  for (const [name, { model, input }] of Object.entries(edges)) {
    it(`the one-step recomputes every element of ${name} as the runtime does`, async function () {
      const f = await loadFixture(deployFraudGameFixture);
      const commitment = getModelCommitmentV2(model);
      const { tensors, trace } = runModel(model, input);
      const challenger = createChallenger(model, commitment, trace);
      const roots = createNodeResponder(model, trace).tensorRoots();
      challenger.pickTensor(roots);
      for (let k = 1; k <= model.layers.length; k++) {
        const layer = model.layers[k - 1]!;
        for (let e = 0; e < getShapeSize(layer.outShape); e++) {
          // the whole accumulator chain for dense / conv2d, one step for the other ops
          let acc = 0;
          const segments = isAccumulating(layer) ? getSegmentCount(layer) : 1;
          for (let s = 0; s < segments; s++) {
            const step = challenger.step(k, e, s, acc, roots);
            acc = Number(await f.executor.execute(commitment.modelId, trace.traceRoot, step));
          }
          expect(acc).to.equal(tensors[k]![e], `${name} tensor ${k} element ${e}`);
        }
      }
    });
  }

  it("slashes a node that serves the bundled digits CNN with one wrong conv2d element", async function () {
    const f = await loadFixture(deployFraudGameFixture);
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { parseIntegerModelV2, quantizeInputV2 } = await import("../../src/runtime/integerV2");
    const { getDigitsSplit } = await import("../../src/models/build/digits");
    const model = parseIntegerModelV2(
      new Uint8Array(readFileSync(path.join(__dirname, "..", "..", "models", "digits-cnn-int8.vmodel2"))),
    );
    const commitment = getModelCommitmentV2(model);
    await f.register(commitment, "digits-cnn");
    const input = quantizeInputV2(model, getDigitsSplit().heldOut[0]!.features);
    const honest = runModel(model, input);
    const bad = runModel(model, input, (ts) => {
      ts[1]![100]! += 1;
    });
    const receipt = await f.attest(input, bad, { modelId: commitment.modelId });
    const id = await openGame(f.game, f.challenger, receipt);
    const moves = await playGame({
      game: f.game,
      id,
      node: f.nodeAccount,
      challenger: f.challenger,
      responder: createNodeResponder(model, bad.trace),
      strategy: createChallenger(model, commitment, honest.trace),
      receipt,
      input,
    });
    expect(moves.map((m) => m.name)).to.include("revealAccumulators");
    expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
  });

  describe("an int32 accumulator that wraps", function () {
    async function setupWrap() {
      const f = await loadFixture(deployFraudGameFixture);
      const { model, input } = edges.int32Wrap!;
      const commitment = getModelCommitmentV2(model);
      await f.register(commitment, "int32-wrap");
      const honest = runModel(model, input);
      return { f, model, input, commitment, honest };
    }

    it("an honest node that wrapped wins against a challenger who expected saturation", async function () {
      const { f, model, input, commitment, honest } = await setupWrap();
      const receipt = await f.attest(input, honest, { modelId: commitment.modelId });
      const id = await openGame(f.game, f.challenger, receipt);
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(model, honest.trace),
        strategy: naiveChallenger(createChallenger(model, commitment, honest.trace), 1),
        receipt,
        input,
      });
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeRight);
    });

    it("a node that saturated instead of wrapping is slashed", async function () {
      const { f, model, input, commitment, honest } = await setupWrap();
      const saturated = runModel(model, input, (ts) => {
        ts[1]![0] = 2 ** 31 - 1;
      });
      expect(saturated.tensors[1]![0]).to.not.equal(honest.tensors[1]![0]);
      const receipt = await f.attest(input, saturated, { modelId: commitment.modelId });
      const id = await openGame(f.game, f.challenger, receipt);
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(model, saturated.trace),
        strategy: createChallenger(model, commitment, honest.trace),
        receipt,
        input,
      });
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
    });
  });
});
