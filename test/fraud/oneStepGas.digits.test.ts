import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createChallenger, createNodeResponder } from "../../src/runtime/integerV2/fraudProofs";
import {
  getModelCommitmentV2,
  getSegmentCount,
  getShapeSize,
  isAccumulating,
  parseIntegerModelV2,
  quantizeInputV2,
} from "../../src/runtime/integerV2";
import { getDigitsSplit } from "../../src/models/build/digits";
import { getOnchainRuntimeId } from "../../src/runtime/getOnchainRuntimeId";
import { deployFraudGameFixture, runModel } from "../fixtures/fraudGame";
import { Outcome, openGame, playGame } from "../helpers/fraudGame";

/** The target for the one-step move (`proveStep`, the whole transaction: re-execution and resolution). */
const ONE_STEP_GAS_LIMIT = 500_000n;
/** The re-execution alone (`OneStepExecutor.execute` as a transaction: 21,000 base, calldata, proofs, element). */
const EXECUTE_GAS_LIMIT = 100_000n;

/**
 * For every layer of the bundled digits CNN: the executor's gas for every (element, segment), and a whole game won
 * with `proveStep` on the layer's most expensive element. The fixture's node serves one model; the slashing `proveStep`
 * of a node serving `MAX_MODELS` models is measured too (the jail is O(1) in the models served: docs/disputes.md).
 */
describe("one-step gas on every layer of the digits CNN", function () {
  this.timeout(300_000);
  const model = parseIntegerModelV2(
    new Uint8Array(readFileSync(path.join(__dirname, "..", "..", "models", "digits-cnn-int8.vmodel2"))),
  );
  const commitment = getModelCommitmentV2(model);
  const input = quantizeInputV2(model, getDigitsSplit().heldOut[0]!.features);
  const honest = runModel(model, input);

  for (let k = 1; k <= model.layers.length; k++) {
    const layer = model.layers[k - 1]!;
    it(`layer ${k} (${layer.op}): the one-step stays within ${ONE_STEP_GAS_LIMIT} gas`, async function () {
      if (process.env.VERITY_COVERAGE) this.skip();
      const f = await loadFixture(deployFraudGameFixture);
      await f.register(commitment, "digits-cnn");
      const challenger = createChallenger(model, commitment, honest.trace);
      const roots = createNodeResponder(model, honest.trace).tensorRoots();
      challenger.pickTensor(roots);
      const segments = isAccumulating(layer) ? getSegmentCount(layer) : 1;
      let worst = { gas: 0n, element: 0 };
      for (let e = 0; e < getShapeSize(layer.outShape); e++) {
        for (let s = 0; s < segments; s++) {
          const step = challenger.step(k, e, s, 0, roots);
          const gas = await f.executor.execute.estimateGas(commitment.modelId, honest.trace.traceRoot, step);
          if (gas > worst.gas) worst = { gas, element: e };
        }
      }
      expect(worst.gas).to.be.lessThanOrEqual(EXECUTE_GAS_LIMIT);

      const bad = runModel(model, input, (ts) => {
        ts[k]![worst.element]! += 1 << 20;
      });
      const receipt = await f.attest(input, bad, { modelId: commitment.modelId });
      const id = await openGame(f.game, f.challenger, receipt);
      const moves = await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(model, bad.trace),
        strategy: challenger,
        receipt,
        input,
      });
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
      const step = moves.find((m) => m.name === "proveStep");
      expect(step, "the game ends with proveStep").to.not.equal(undefined);
      expect(step!.gas).to.be.lessThanOrEqual(ONE_STEP_GAS_LIMIT);
      if (process.env.VERITY_GAS_LOG) {
        console.log(
          `      layer ${k} ${layer.op}: execute ≤ ${worst.gas} (element ${worst.element}), proveStep ${step!.gas}`,
        );
      }
    });
  }

  it(`the slashing proveStep of a node serving MAX_MODELS (32) models stays within ${ONE_STEP_GAS_LIMIT} gas`, async function () {
    if (process.env.VERITY_COVERAGE) this.skip();
    const f = await loadFixture(deployFraudGameFixture);
    await f.register(commitment, "digits-cnn");
    const served: string[] = [commitment.modelId];
    const max = Number(await f.nodes.MAX_MODELS());
    for (let i = 1; i < max; i++) {
      const id = ethers.id(`one-step-gas/extra-model-${i}`) as `0x${string}`;
      await f.models.registerModel({
        id,
        runtimeId: getOnchainRuntimeId("onnxruntime-cpu-f32-v1"),
        mode: 1,
        tolerance: 10n ** 14n,
        weightsRoot: ethers.id(`w${i}`),
        previous: ethers.ZeroHash,
        metadataURI: `ipfs://one-step-gas-${i}`,
      });
      served.push(id);
    }
    // A registration writing 32 trees: the node's gas estimate overshoots the per-transaction cap.
    await f.nodes.connect(f.nodeAccount).updateModels(served, { gasLimit: 15_000_000n });
    expect((await f.nodes.getNode(f.nodeAccount.address)).models).to.have.length(max);

    const last = model.layers.length;
    const challenger = createChallenger(model, commitment, honest.trace);
    const bad = runModel(model, input, (ts) => {
      ts[last]![7]! += 1 << 20;
    });
    const receipt = await f.attest(input, bad, { modelId: commitment.modelId });
    const id = await openGame(f.game, f.challenger, receipt);
    const moves = await playGame({
      game: f.game,
      id,
      node: f.nodeAccount,
      challenger: f.challenger,
      responder: createNodeResponder(model, bad.trace),
      strategy: challenger,
      receipt,
      input,
    });
    expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
    expect((await f.nodes.getNode(f.nodeAccount.address)).jailed).to.equal(true);
    const step = moves.find((m) => m.name === "proveStep");
    expect(step, "the game ends with proveStep").to.not.equal(undefined);
    // Measured: 351,540 (3,483,247 when the jail zeroed the node's weight in each of its 32 models' trees).
    expect(step!.gas).to.be.lessThanOrEqual(ONE_STEP_GAS_LIMIT);
    if (process.env.VERITY_GAS_LOG) console.log(`      32 models: proveStep ${step!.gas}`);
  });
});
