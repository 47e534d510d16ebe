import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { modelRegistration } from "../fixtures/registry";
import { deployRouterFixture, MODEL_ID, RESPONSE_TIME } from "../fixtures/router";
import { RequestState, RouterHelper } from "../helpers/router";

/** EIP-7825's cap on one transaction's gas (2^24), which Hardhat enforces as mainnet does. */
const TRANSACTION_GAS_CAP = 16_777_216n;
/** Registrations writing many trees: their own estimate overshoots the cap. */
const GAS = { gasLimit: 15_000_000n };

/** The router fixture where every node lists `MAX_MODELS` models (MODEL_ID and fillers): the most a node may list. */
async function maxModelsFixture() {
  const f = await deployRouterFixture();
  const max = Number(await f.nodes.MAX_MODELS());
  const models = [MODEL_ID];
  for (let i = 1; i < max; i++) {
    const model = modelRegistration(`penalty-gas-filler-${i}`);
    await f.models.connect(f.modelOwner).registerModel(model);
    models.push(model.id);
  }
  for (const node of f.routerNodes) await f.nodes.connect(node.operator).updateModels(models, GAS);
  return { ...f, h: new RouterHelper(f), max };
}

describe("Attack: silent nodes listing the most models a node may, against the liveness penalty", function () {
  it("the penalty of five silent nodes fits one transaction: each is charged, the request closes and is refunded", async function () {
    const f = await loadFixture(maxModelsFixture);
    const { router, staking, consumer, stranger } = f;
    const { id, params } = await f.h.request({ redundancy: 5n });
    const silent = (await router.getAssignments(id)).map((a) => a.node);
    const stakes = await Promise.all(silent.map((node) => staking.slashableStakeOf(node)));
    await time.increase(RESPONSE_TIME + 1n);
    expect(await router.state(id)).to.equal(RequestState.Expired);
    // Each penalty slashes a node that is not jailed: its weight is rewritten in the tree of every model it lists
    // (~99k gas a tree). Silent nodes listing the most models must not make the round too costly to close, or the
    // consumer's fee would sit in escrow for good and the penalty would never be charged.
    const reassigned = await (await router.connect(stranger).reassign(id, { gasLimit: TRANSACTION_GAS_CAP })).wait();
    expect(reassigned!.gasUsed, `reassign of 5 silent nodes x ${f.max} models`).to.be.lessThan(TRANSACTION_GAS_CAP);
    const penalty = await router.livenessPenalty();
    for (const [i, node] of silent.entries()) {
      expect(await staking.slashableStakeOf(node), node).to.equal(stakes[i]! - penalty);
    }
    // One node is left besides the five silent ones: too few for another round, so the request closes.
    expect(await router.state(id)).to.equal(RequestState.Unservable);
    await router.connect(stranger).refund(id);
    expect(await router.claimableOf(consumer.address)).to.equal(params.fee);
  });
});
