import { encodeAbiParameters, keccak256, toBytes } from "viem";
import type { Address, Hex } from "viem";

/** The preimage of `VerityValidator.REQUEST_TYPEHASH`. */
export const VALIDATION_REQUEST_TYPE =
  "VerityValidationRequest(uint256 chainId,address validator,uint256 agentId,bytes32 receiptHash,bytes32 batchId,bytes32 salt)";

/** `VerityValidator.REQUEST_TYPEHASH`: keccak256 of {@link VALIDATION_REQUEST_TYPE}. */
export const VALIDATION_REQUEST_TYPEHASH: Hex = keccak256(toBytes(VALIDATION_REQUEST_TYPE));

const ZERO_BYTES32: Hex = `0x${"00".repeat(32)}`;

export type GetValidationRequestHashParameters = {
  /** The chain the validator lives on. */
  chainId: bigint | number;
  /** The `VerityValidator` asked. */
  validator: Address;
  /** The ERC-8004 agent id of the requester. */
  agentId: bigint;
  /** The receipt's EIP-712 struct hash. */
  receiptHash: Hex;
  /** The batch holding the receipt; omitted or zero for a receipt attested singly. */
  batchId?: Hex | undefined;
  /** The agent's salt (a fresh one gives a fresh request); omitted: zero. */
  salt?: Hex | undefined;
};

/**
 * The ERC-8004 `requestHash` an agent uses to ask a `VerityValidator` about a receipt: keccak256 of the request payload
 * `abi.encode(REQUEST_TYPEHASH, chainId, validator, agentId, receiptHash, batchId, salt)`, as
 * `VerityValidator.requestHashOf` computes it on chain.
 */
export function getValidationRequestHash({
  chainId,
  validator,
  agentId,
  receiptHash,
  batchId,
  salt,
}: GetValidationRequestHashParameters): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "bytes32" },
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "bytes32" },
      ],
      [
        VALIDATION_REQUEST_TYPEHASH,
        BigInt(chainId),
        validator,
        agentId,
        receiptHash,
        batchId ?? ZERO_BYTES32,
        salt ?? ZERO_BYTES32,
      ],
    ),
  );
}
