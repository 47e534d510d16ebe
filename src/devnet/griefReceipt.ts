import type { Address, Hex } from "viem";
import { ensureAllowance } from "../chain/actions/ensureAllowance";
import { getBatchSubmittedEvents } from "../chain/actions/getBatchSubmittedEvents";
import { getFraudGameEvents, openFraudGame, previewFraudBond } from "../chain/actions/fraudGame";
import { getNode } from "../chain/actions/getNode";
import { nextFraudMove, readFraudGame, type FraudChallengerStrategy } from "../chain/fraudGamePlayer";
import { sendContractCall } from "../chain/sendContractCall";
import {
  buildReceiptBatch,
  bytesToHex,
  encodeTensor,
  getReceiptStructHash,
  parseBatchFile,
  type Receipt,
  type Tensor,
} from "../protocol";
import {
  createChallenger,
  createNaiveChallenger,
  getModelCommitmentV2,
  runIntegerModelV2,
  type IntegerModelV2,
} from "../runtime/integerV2";
import { fetchBatchFile } from "../service/fetchContent";
import type { LocalSystem } from "./startLocalSystem";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The attested batch holding `receipt` and the receipt's Merkle proof in it. */
async function locateInBatch(system: LocalSystem, receipt: Receipt): Promise<{ batchId: Hex; proof: Hex[] }> {
  const { publicClient } = system.clients(0);
  const hash = getReceiptStructHash(receipt);
  const logs = await getBatchSubmittedEvents(publicClient, {
    address: system.addresses.attestationRegistry,
    fromBlock: BigInt(system.deployment.startBlock),
  });
  for (const log of logs.filter((l) => l.args.node.toLowerCase() === receipt.node.toLowerCase())) {
    const { endpoint } = await getNode(publicClient, { address: system.addresses.nodeRegistry, node: log.args.node });
    const file = parseBatchFile(await fetchBatchFile({ endpoint }, log.args.id, log.args.dataHash));
    const tree = buildReceiptBatch(file.entries.map((e) => e.receipt));
    const index = tree.receipts.findIndex((r) => getReceiptStructHash(r) === hash);
    if (index >= 0) return { batchId: log.args.id, proof: tree.proofs[index]! };
  }
  throw new Error(`receipt ${hash} is in no attested batch`);
}

/**
 * A griefer: the moves of an honest challenger's proofs, but it claims the node is wrong wherever it has to choose
 * (tensor 1, the first child, element and part), so it loses wherever the node's trace is right.
 */
function griefStrategy(model: IntegerModelV2, input: Tensor): FraudChallengerStrategy {
  return createNaiveChallenger(
    createChallenger(model, getModelCommitmentV2(model), runIntegerModelV2(model, input).trace),
    1,
  );
}

/**
 * Account `griefer` opens a fraud game on an honest node's runtime-v2 receipt (found in its attested batch) and plays
 * it to the end against the node service, which defends by itself. Returns the game id once the game is decided.
 */
export async function griefReceipt(
  system: LocalSystem,
  parameters: { griefer: number; receipt: Receipt; input: Tensor; model: IntegerModelV2; timeoutMs?: number },
): Promise<bigint> {
  const { receipt, input, model } = parameters;
  const clients = system.clients(parameters.griefer);
  const account: Address = system.account(parameters.griefer).address;
  const fraudGame = system.addresses.fraudGame;
  const { batchId, proof } = await locateInBatch(system, receipt);
  const [bond] = await previewFraudBond(clients.publicClient, { address: fraudGame, node: receipt.node });
  await ensureAllowance(clients, { token: system.addresses.token, spender: fraudGame, amount: bond });
  const openTx = await sendContractCall(
    clients,
    openFraudGame({ address: fraudGame, receipt, batchId, proof, beneficiary: account, maxBond: bond }),
  );
  const opened = await clients.publicClient.getTransactionReceipt({ hash: openTx });
  const [event] = await getFraudGameEvents(clients.publicClient, {
    address: fraudGame,
    eventName: "GameOpened",
    args: { receiptHash: getReceiptStructHash(receipt) },
    fromBlock: opened.blockNumber,
    toBlock: opened.blockNumber,
  });
  const id = event!.args.id;
  const strategy = griefStrategy(model, input);
  const inputEncoding = bytesToHex(encodeTensor(input));
  const deadline = Date.now() + (parameters.timeoutMs ?? 45_000);
  while (Date.now() < deadline) {
    const view = await readFraudGame(clients.publicClient, { address: fraudGame, id, fromBlock: opened.blockNumber });
    const move = nextFraudMove(fraudGame, view, { side: "challenger", strategy, receipt, inputEncoding });
    if (move.kind === "resolved") return id;
    if (move.kind === "send") await sendContractCall(clients, move.call);
    else await sleep(100);
  }
  throw new Error(`the griefed game ${id} was not decided in time`);
}
