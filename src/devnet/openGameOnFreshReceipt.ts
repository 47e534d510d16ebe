import { keccak256, toHex, type Hex } from "viem";
import { ensureAllowance } from "../chain/actions/ensureAllowance";
import { getFraudGameEvents, openFraudGame, previewFraudBond } from "../chain/actions/fraudGame";
import { submitReceipt } from "../chain/actions/submitReceipt";
import { sendContractCall } from "../chain/sendContractCall";
import { getReceiptStructHash, signReceipt, type Receipt } from "../protocol";
import type { ApiAnswer } from "./serveDemoRequests";
import type { LocalSystem } from "./startLocalSystem";

/**
 * After the demo's scenario every receipt's challenge window has passed, so a game needs a fresh receipt: the same
 * (right) answer as `answer` — same input, output and trace root — under a new request id, signed by its node's signer
 * key (`signer`, a development account) and attested singly. Account `challenger` then opens a fraud game on it.
 * Returns the game id and the receipt's hash. Nobody defends it once the scenario's node services have stopped: the
 * explorer's test and screenshots show an open game with whose move is due.
 */
export async function openGameOnFreshReceipt(
  system: LocalSystem,
  parameters: { answer: ApiAnswer; signer: number; challenger: number },
): Promise<{ id: bigint; receiptHash: Hex }> {
  const clients = system.clients(parameters.challenger);
  const { publicClient } = clients;
  const block = await publicClient.getBlock({ blockTag: "latest" });
  const receipt: Receipt = {
    ...parameters.answer.receipt,
    requestId: keccak256(toHex(`explorer test ${block.number}`)),
    issuedAt: block.timestamp,
  };
  const registry = system.addresses.attestationRegistry;
  const signature = await signReceipt({
    signer: system.account(parameters.signer),
    domain: { chainId: system.deployment.chainId, verifyingContract: registry },
    receipt,
  });
  await sendContractCall(clients, submitReceipt({ address: registry, receipt, signature }));

  const fraudGame = system.addresses.fraudGame;
  const [bond] = await previewFraudBond(publicClient, { address: fraudGame, node: receipt.node });
  await ensureAllowance(clients, { token: system.addresses.token, spender: fraudGame, amount: bond });
  const account = system.account(parameters.challenger).address;
  const opened = await publicClient.waitForTransactionReceipt({
    hash: await sendContractCall(
      clients,
      openFraudGame({
        address: fraudGame,
        receipt,
        batchId: `0x${"00".repeat(32)}`,
        proof: [],
        beneficiary: account,
        maxBond: bond,
      }),
    ),
  });
  const receiptHash = getReceiptStructHash(receipt);
  const [event] = await getFraudGameEvents(publicClient, {
    address: fraudGame,
    eventName: "GameOpened",
    args: { receiptHash },
    fromBlock: opened.blockNumber,
    toBlock: opened.blockNumber,
  });
  return { id: event!.args.id, receiptHash };
}
