import { expect } from "chai";
import { decodeFunctionData, encodeFunctionData, type Address, type Hex } from "viem";
import { fraudGameAbi } from "../../src/chain/abis.generated";
import type { FraudGameRecord } from "../../src/chain/actions/fraudGame";
import { FraudGameOutcome, Phase } from "../../src/chain/enums.generated";
import { isNodeTurn, nextFraudMove, type FraudGameView, type FraudPlayer } from "../../src/chain/fraudGamePlayer";
import { buildInput, buildTestModel } from "../../src/models/build/syntheticV2";
import { bytesToHex, encodeTensor, getPayloadHash } from "../../src/protocol";
import {
  buildTraceV2,
  createChallenger,
  createNodeResponder,
  getModelCommitmentV2,
  runIntegerModelV2,
} from "../../src/runtime/integerV2";

const GAME = "0x00000000000000000000000000000000000000f9" as Address;
const ZERO = `0x${"00".repeat(32)}` as Hex;
const model = buildTestModel();
const commitment = getModelCommitmentV2(model);
const input = buildInput(model, 5);
const honest = runIntegerModelV2(model, input);
const receipt = {
  requestId: ZERO,
  modelId: commitment.modelId,
  inputHash: getPayloadHash(input),
  outputHash: getPayloadHash(honest.output),
  traceRoot: honest.traceRoot,
  node: "0x00000000000000000000000000000000000000aa" as Address,
  issuedAt: 1n,
};

function view(
  phase: Phase,
  overrides: Partial<FraudGameView> = {},
  game: Partial<FraudGameRecord> = {},
): FraudGameView {
  const record: FraudGameRecord = {
    node: receipt.node,
    phase,
    outcome: FraudGameOutcome.None,
    deadline: 1_000,
    challengerRewardBps: 0,
    nodeBondShareBps: 0,
    challenger: "0x00000000000000000000000000000000000000cc",
    movePeriod: 3_600,
    level: 0,
    depth: 0,
    tensor: 0,
    beneficiary: "0x00000000000000000000000000000000000000cc",
    element: 0,
    lo: 0,
    hi: 1,
    receiptHash: ZERO,
    modelId: commitment.modelId,
    traceRoot: honest.traceRoot,
    cursor: ZERO,
    revealed: ZERO,
    bond: 0n,
    amountAtRisk: 0n,
    index: 0n,
    claimed: 0,
    accLo: 0,
    accHi: 0,
    size: 0,
    ...game,
  };
  return {
    id: 3n,
    game: record,
    roots: undefined,
    nodes: undefined,
    chunk: undefined,
    accumulators: undefined,
    now: 500n,
    ...overrides,
  };
}

const node: FraudPlayer = { side: "node", strategy: createNodeResponder(model, honest.trace) };
const challenger = (): FraudPlayer => ({
  side: "challenger",
  strategy: createChallenger(model, commitment, honest.trace),
  receipt,
  inputEncoding: bytesToHex(encodeTensor(input)),
});
const decode = (move: ReturnType<typeof nextFraudMove>) => {
  if (move.kind !== "send") throw new Error(`expected a call, got ${move.kind}`);
  return decodeFunctionData({
    abi: fraudGameAbi,
    data: encodeCall(move.call.functionName, move.call.args),
  });
};
const encodeCall = (functionName: string, args: readonly unknown[]) =>
  encodeFunctionData({ abi: fraudGameAbi, functionName: functionName as never, args: args as never });

describe("fraud game player (pure: the next move from the chain's view)", function () {
  it("answers the node's reveal with its trace's roots, and has the challenger wait meanwhile", function () {
    const call = decode(nextFraudMove(GAME, view(Phase.RevealTensors), node));
    expect(call.functionName).to.equal("revealTensors");
    expect(call.args).to.deep.equal([3n, honest.trace.chunkTrees.map((t) => bytesToHex(t[t.length - 1]![0]!))]);
    expect(nextFraudMove(GAME, view(Phase.RevealTensors), challenger())).to.deep.equal({
      kind: "wait",
      deadline: 1_000n,
    });
    expect(nextFraudMove(GAME, view(Phase.PickTensor), node).kind).to.equal("wait");
  });

  it("calls timeout on the side that missed its deadline, and knows when it missed its own", function () {
    const late = view(Phase.RevealTensors, { now: 1_001n });
    expect(nextFraudMove(GAME, late, node)).to.deep.equal({ kind: "lost-by-timeout", deadline: 1_000n });
    expect(decode(nextFraudMove(GAME, late, challenger())).functionName).to.equal("timeout");
    // At the deadline itself a move is still on time (the contract reverts only after it).
    expect(nextFraudMove(GAME, view(Phase.RevealTensors, { now: 1_000n }), node).kind).to.equal("send");
  });

  it("reports the outcome once resolved and refuses a game that does not exist", function () {
    const done = view(Phase.Resolved, {}, { outcome: FraudGameOutcome.NodeWrong });
    expect(nextFraudMove(GAME, done, node)).to.deep.equal({ kind: "resolved", nodeWrong: true });
    expect(() => nextFraudMove(GAME, view(Phase.None), node)).to.throw(/does not exist/);
  });

  it("has the challenger follow the first differing tensor, or prove the output when none differs", function () {
    const roots = honest.trace.chunkTrees.map((t) => bytesToHex(t[t.length - 1]![0]!));
    const same = decode(nextFraudMove(GAME, view(Phase.PickTensor, { roots }), challenger()));
    expect(same.functionName).to.equal("proveOutputMismatch");
    const tensors = honest.trace.tensors.map((t) => Int32Array.from(t));
    tensors[2]![0] = tensors[2]![0]! + 1;
    const wrong = buildTraceV2(tensors).chunkTrees.map((t) => bytesToHex(t[t.length - 1]![0]!));
    const picked = decode(nextFraudMove(GAME, view(Phase.PickTensor, { roots: wrong }), challenger()));
    expect(picked.functionName).to.equal("pickTensor");
    expect(picked.args![3]).to.equal(2n);
  });

  it("fails loudly when the chain lacks what the phase needs (never guesses a move)", function () {
    expect(() => nextFraudMove(GAME, view(Phase.PickTensor), challenger())).to.throw(/no tensor roots/);
    const roots = honest.trace.chunkTrees.map((t) => bytesToHex(t[t.length - 1]![0]!));
    expect(() => nextFraudMove(GAME, view(Phase.PickNode, { roots }), challenger())).to.throw(/no revealed nodes/);
  });

  it("knows whose turn each phase is (the contract's _isNodeTurn)", function () {
    const nodePhases = [Phase.RevealTensors, Phase.RevealNodes, Phase.RevealChunk, Phase.RevealAccumulators];
    for (const phase of Object.values(Phase)) expect(isNodeTurn(phase)).to.equal(nodePhases.includes(phase as never));
  });
});
