// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IValidationRegistry} from "../erc8004/IValidationRegistry.sol";
import {BatchId} from "../types/BatchId.sol";
import {IAttestationRegistry} from "./IAttestationRegistry.sol";

/// @title Verity validator for ERC-8004
/// @notice Acts as the `validatorAddress` of ERC-8004 validation requests (Validation Registry interface as in
/// {IValidationRegistry}: reference contracts `erc-8004/erc-8004-contracts` v2.0.0, Jan 2026 spec) whose work is a
/// Verity inference receipt, and answers them from the attestation registry's state, which slashing backs:
///
/// | answer     | response | tag        | when                                                                     |
/// |------------|----------|------------|--------------------------------------------------------------------------|
/// | `Soft`     | 100      | "soft"     | attested, not final (window open, or a dispute on it still undecided)    |
/// | `Final`    | 100      | "final"    | `IAttestationRegistry.isFinal`: window closed, no open dispute, not wrong|
/// | `Rejected` | 0        | "rejected" | a dispute (committee, arbitrator or fraud proof) found the receipt wrong |
///
/// Anyone may push an answer (`update`); it is read from the chain, never from the caller.
///
/// @dev Request binding. A request's `requestHash` must be `requestHashOf(agentId, receiptHash, batchId, salt)`, the
/// hash of the request payload
/// `abi.encode(REQUEST_TYPEHASH, chainId, this validator, agentId, receiptHash, batchId, salt)`: the request names the
/// receipt (its EIP-712 struct hash) and where it was attested (`batchId` zero: singly), so nobody can point a request
/// at another receipt. The registry accepts a request hash once, from whoever files it first, without binding it to
/// the agent: someone who copies an agent's pending request hash under another agent id makes that hash unanswerable
/// (this validator refuses it, `ValidatorRequestMismatch`) but gains no answer; the agent files again with a fresh
/// `salt`.
///
/// The answer lattice. Answers are ordered `None < Soft < Final` and `None < Soft < Rejected`; `Final` and `Rejected`
/// are incomparable and terminal. `update` moves a request strictly up this order and reverts otherwise:
/// - the same answer again: `ValidatorAnswerUnchanged` (no repeated responses in the registry);
/// - anything else from `Final` or `Rejected`: `ValidatorAnswerFinalized`.
/// Soft → Rejected (100 → 0) is the one move that lowers the numeric response: it is the truth after a dispute, and it
/// can't be undone. The attestation registry's state moves the same way, so the guard never fires on today's
/// contracts: a receipt is final only once its window has closed with no open dispute, after which no dispute can be
/// opened and an upheld receipt stays upheld; a rejected receipt stays rejected; only an open dispute extends a window,
/// and a receipt under one is not final. The guard keeps the answers monotonic should a future dispute path break that.
///
/// Not answered: a receipt that is not attested where the request says (`ValidatorReceiptNotFound`), or a batch leaf
/// whose proof does not lead to the batch (`ValidatorWrongProof`). An open dispute does not withdraw `Soft`: Soft means
/// "attested, may still be rejected".
interface IVerityValidator {
    /// @notice What this validator last answered to a request.
    enum Answer {
        None,
        Soft,
        Final,
        Rejected
    }

    error ValidatorZeroAddress();
    /// @notice The Validation Registry holds no request `requestHash`.
    error ValidatorUnknownRequest(bytes32 requestHash);
    /// @notice The request `requestHash` names another validator.
    error ValidatorWrongValidator(bytes32 requestHash, address validator);
    /// @notice The receipt reference given does not hash to the request (expected: what it hashes to).
    error ValidatorRequestMismatch(bytes32 requestHash, bytes32 expected);
    /// @notice The receipt is not attested singly (`batchId` zero), or `batchId` is no batch of the receipt's node.
    error ValidatorReceiptNotFound(bytes32 receiptHash, BatchId batchId);
    /// @notice `proof` does not prove the receipt in batch `batchId` (or a proof was given for a single receipt).
    error ValidatorWrongProof(bytes32 receiptHash, BatchId batchId);
    /// @notice The answer the chain gives now is the one already pushed.
    error ValidatorAnswerUnchanged(bytes32 requestHash, Answer answer);
    /// @notice The request's answer is terminal (`Final` or `Rejected`) and would change to `next`.
    error ValidatorAnswerFinalized(bytes32 requestHash, Answer current, Answer next);

    /// @notice The answer to `requestHash` moved from `previous` to `answer`, pushed by `caller`.
    event AnswerUpdated(
        bytes32 indexed requestHash,
        bytes32 indexed receiptHash,
        address indexed caller,
        Answer previous,
        Answer answer
    );

    /// @notice Reads the receipt's state and pushes the answer it gives to the Validation Registry. Anyone may call it.
    /// @dev Reverts unless the request exists, names this validator, hashes to `(agentId, receipt, batchId, salt)`, the
    /// receipt is attested there (with `proof` for a batch leaf), and the answer moves up the lattice.
    /// @param requestHash The ERC-8004 request.
    /// @param receipt The receipt the request names.
    /// @param batchId Its batch, or zero for a receipt attested singly.
    /// @param proof Its Merkle proof in the batch (empty for a single receipt).
    /// @param salt The salt the request was filed with.
    /// @return answer The answer pushed.
    function update(
        bytes32 requestHash,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        bytes32 salt
    ) external returns (Answer answer);

    /// @notice The answer the chain gives now for `receipt` (attested singly if `batchId` is zero, else in that batch
    /// with `proof`), whatever was pushed. Reverts like `update` for a receipt not attested there or a wrong proof.
    function currentAnswer(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external view returns (Answer);

    /// @notice The answer last pushed for `requestHash` (`None` before the first).
    function answerOf(bytes32 requestHash) external view returns (Answer);

    /// @notice The request hash an agent must use to ask this validator about a receipt:
    /// `keccak256(abi.encode(REQUEST_TYPEHASH, block.chainid, address(this), agentId, receiptHash, batchId, salt))`.
    /// @param agentId The requesting agent.
    /// @param receiptHash The receipt's EIP-712 struct hash.
    /// @param batchId Its batch, or zero for a receipt attested singly.
    /// @param salt Any value chosen by the agent (a fresh one gives a fresh request).
    function requestHashOf(
        uint256 agentId,
        bytes32 receiptHash,
        BatchId batchId,
        bytes32 salt
    ) external view returns (bytes32);

    /// @notice The response value and tag pushed for `answer` (`None`: 0 and "").
    function responseOf(Answer answer) external pure returns (uint8 response, string memory tag);

    /// @notice The attestation registry answers are read from.
    function attestationRegistry() external view returns (IAttestationRegistry);

    /// @notice The ERC-8004 Validation Registry answers are pushed to.
    function validationRegistry() external view returns (IValidationRegistry);
}
