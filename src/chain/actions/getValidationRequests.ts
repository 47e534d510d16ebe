import type { Address, Client, Hex } from "viem";
import {
  getErrorMessage,
  getReceiptStructHash,
  getValidationRequestHash,
  parseValidationRequestUri,
  type ValidationRequestDocument,
} from "../../protocol";
import { getValidationRequestEvents } from "./getValidationRequestEvents";

/** An ERC-8004 request addressed to a VerityValidator, with what its `requestURI` says. */
export type ValidationRequestEntry = {
  requestHash: Hex;
  agentId: bigint;
  requestURI: string;
  blockNumber: bigint;
  /**
   * The request document, when the URI is a Verity request document whose fields hash to the request (else
   * undefined: the request can't be answered from what the chain holds, see `problem`).
   */
  document: ValidationRequestDocument | undefined;
  /** Why `document` is undefined. */
  problem: string | undefined;
};

export type GetValidationRequestsParameters = {
  /** The ERC-8004 Validation Registry. */
  registry: Address;
  /** The VerityValidator the requests name. */
  validator: Address;
  chainId: number;
  fromBlock: bigint;
  toBlock?: bigint | undefined;
  /** Only this request. */
  requestHash?: Hex | undefined;
};

/**
 * The requests addressed to `validator` (ERC-8004 `ValidationRequest` logs), each with its request document read from
 * the `requestURI` (a `data:` URI written by `verity validator request`) and checked: its chain, validator and agent
 * are the request's and its fields hash to the `requestHash`.
 */
export async function getValidationRequests(
  client: Client,
  { registry, validator, chainId, fromBlock, toBlock, requestHash }: GetValidationRequestsParameters,
): Promise<ValidationRequestEntry[]> {
  const events = await getValidationRequestEvents(client, {
    address: registry,
    args: { validatorAddress: validator, ...(requestHash ? { requestHash } : {}) },
    fromBlock,
    toBlock,
  });
  return events.map((event) => {
    const { requestHash: hash, agentId, requestURI } = event.args;
    const entry = { requestHash: hash, agentId, requestURI, blockNumber: event.blockNumber };
    let document: ValidationRequestDocument;
    try {
      document = parseValidationRequestUri(requestURI);
    } catch (error) {
      return { ...entry, document: undefined, problem: getErrorMessage(error).split("\n")[0] };
    }
    const expected = getValidationRequestHash({
      chainId,
      validator,
      agentId,
      receiptHash: getReceiptStructHash(document.receipt),
      batchId: document.batchId,
      salt: document.salt,
    });
    const mismatch =
      document.chainId !== chainId ||
      document.validator.toLowerCase() !== validator.toLowerCase() ||
      document.agentId !== agentId ||
      expected !== hash;
    return mismatch
      ? { ...entry, document: undefined, problem: "the request document does not hash to the request" }
      : { ...entry, document, problem: undefined };
  });
}
