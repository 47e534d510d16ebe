import type { VerityEvent } from "../../src/indexer/decodeVerityLogs";
import type { IndexedTransaction } from "../../src/indexer/IndexStore";

/**
 * One fraud game as the indexer sees it, for the index and browser tests: a node with stake and a batch, the registry's
 * judge, a router disagreement left to the game, then the game in five transactions (opened by the challenger, the
 * node's reveal, the challenger's pick, the verdict by output mismatch sent by a third party with the slash, the claim).
 */
export const NODE = `0x${"11".repeat(20)}`;
export const CHALLENGER = `0x${"22".repeat(20)}`;
export const KEEPER = `0x${"33".repeat(20)}`;
export const JUDGE = `0x${"44".repeat(20)}`;
export const RECEIPT = `0x${"aa".repeat(32)}`;
export const BATCH = `0x${"bb".repeat(32)}`;
export const tx = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

let log = 0;
function event(
  blockNumber: number,
  txNumber: number,
  contract: VerityEvent["contract"],
  name: string,
  args: VerityEvent["args"],
): VerityEvent {
  return { blockNumber, logIndex: log++, txHash: tx(txNumber), contract, name, args };
}

/** A node, its stake and one batch; the registry's judge is the game. */
export const SETUP: VerityEvent[] = [
  event(1, 1, "nodeRegistry", "NodeRegistered", {
    node: NODE,
    signer: NODE,
    role: 0,
    endpoint: "http://n",
    models: [],
  }),
  event(1, 2, "staking", "Staked", { node: NODE, from: NODE, amount: "1000", activeStake: "1000" }),
  event(1, 3, "attestationRegistry", "FraudJudgeSet", { previous: `0x${"00".repeat(20)}`, judge: JUDGE }),
  event(2, 4, "attestationRegistry", "BatchSubmitted", {
    id: BATCH,
    node: NODE,
    sequence: "0",
    root: RECEIPT,
    count: 4,
    dataHash: RECEIPT,
    windowEnd: 5_000,
  }),
  event(2, 5, "inferenceRouter", "DisagreementNeedsFraudProof", {
    id: `0x${"cc".repeat(32)}`,
    node: NODE,
    receiptHash: RECEIPT,
    outputHash: `0x${"01".repeat(32)}`,
    conflictingOutputHash: `0x${"02".repeat(32)}`,
    judge: JUDGE,
  }),
];

/** A game in four transactions: opened, two moves, the verdict (with the slash), then the challenger's claim. */
export const GAME: VerityEvent[] = [
  event(3, 10, "attestationRegistry", "ReceiptDisputed", {
    receiptHash: RECEIPT,
    batchId: BATCH,
    node: NODE,
    windowEnd: 9_000,
  }),
  event(3, 10, "fraudGame", "GameOpened", {
    id: "1",
    receiptHash: RECEIPT,
    node: NODE,
    batchId: BATCH,
    challenger: CHALLENGER,
    beneficiary: CHALLENGER,
    bond: "50",
    amountAtRisk: "500",
    deadline: 2_000,
  }),
  event(4, 11, "fraudGame", "TensorsRevealed", { id: "1", roots: [RECEIPT, RECEIPT], deadline: 2_100 }),
  event(5, 12, "fraudGame", "TensorPicked", { id: "1", tensor: "1", size: "10", depth: "1", deadline: 2_200 }),
  event(6, 13, "staking", "Slashed", { node: NODE, requested: "500", slashed: "500", toTreasury: "400" }),
  event(6, 13, "attestationRegistry", "ReceiptDisputeResolved", { receiptHash: RECEIPT, wrong: true }),
  event(6, 13, "fraudGame", "RewardCredited", { id: "1", account: CHALLENGER, amount: "150" }),
  event(6, 13, "fraudGame", "GameResolved", {
    id: "1",
    outcome: 1,
    reason: 2,
    slashed: "500",
    challengerReward: "100",
    expected: "0",
    computed: "0",
  }),
  event(7, 14, "fraudGame", "CreditClaimed", { account: CHALLENGER, to: CHALLENGER, amount: "150" }),
];

export const TRANSACTIONS: IndexedTransaction[] = [
  { txHash: tx(10), sender: CHALLENGER, functionName: "challenge", gasUsed: 400_000n },
  { txHash: tx(11), sender: NODE, functionName: "revealTensors", gasUsed: 55_905n },
  { txHash: tx(12), sender: CHALLENGER, functionName: "pickTensor", gasUsed: 105_792n },
  { txHash: tx(13), sender: KEEPER, functionName: "proveOutputMismatch", gasUsed: 361_219n },
  { txHash: tx(14), sender: CHALLENGER, functionName: "claim", gasUsed: 40_000n },
];
