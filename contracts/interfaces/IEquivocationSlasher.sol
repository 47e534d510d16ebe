// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchId} from "../types/BatchId.sol";
import {ModelId} from "../types/ModelId.sol";
import {IAttestationRegistry} from "./IAttestationRegistry.sol";
import {IBoundedParameters} from "./IBoundedParameters.sol";
import {IModelRegistry} from "./IModelRegistry.sol";

/// @title Equivocation slasher
/// @notice Punishes, without a committee, a node that signed two different outputs for one request of a
/// deterministic (`EXACT`) model: two receipts by one node with the same `requestId`, `modelId` and `inputHash` and
/// different `outputHash` are proof enough. On proof the node is slashed a share of its slashable stake at once, the
/// prover is paid a share of what was slashed, the rest goes to the staking treasury, and the node is jailed.
/// @dev Holds `DISPUTE_ROLE` on `Staking` (to slash) and on `NodeRegistry` (to jail).
///
/// Evidence that a node issued a receipt is either its EIP-712 signature (domain "Verity" version "1" of the
/// attestation registry), or its attestation on chain: included with a Merkle proof in a batch the node submitted, or
/// attested singly (`batchId` zero, empty proof). Signatures follow the one rule of `NodeSignatures.isValid`, the
/// attestation registry's own, so a signature accepted at submission is accepted here and vice versa.
///
/// Whose key: evidence is judged against the signer registered when the chain first saw the receipt. An attested
/// receipt was checked against the node's signer of that moment by the attestation registry, so its attestation proves
/// it whatever keys the node rotated to since. A signature never seen on chain is judged now: by the node's current
/// signer, or by the signer it had at the end of the previous block (so a rotation that front-runs the proof in its own
/// block does not void it). A key rotated out before that is not accepted: it may have leaked (that is why keys are
/// rotated), and its thief could otherwise forge receipts the node never issued. The price: a node can void the
/// signature-only evidence against it by rotating its key before the proof lands; whoever relies on a receipt should
/// attest it at once (`submitReceipt` is open to anyone), after which no rotation can void it.
///
/// Each `(node, requestId)` can be proven once, whatever the pair of receipts used.
///
/// A proof is public once sent: a front-runner can copy it from the mempool and take the prover's share (the node is
/// punished either way). Provers who care send it through a private relay.
interface IEquivocationSlasher is IBoundedParameters {
    /// @notice How a piece of evidence shows that the node issued its receipt.
    enum EvidenceKind {
        Signature,
        Attestation
    }

    /// @notice One receipt and the evidence that its node issued it.
    /// @param receipt The receipt.
    /// @param kind `Signature`: `signature` is the node's signer's signature over the receipt's EIP-712 digest.
    /// `Attestation`: the receipt is attested on chain, in batch `batchId` with `proof`, or singly when `batchId` is
    /// zero and `proof` empty.
    /// @param signature For `Signature`: 65-byte low-s ECDSA tried first, then EIP-1271 when the signer has code
    /// (`NodeSignatures.isValid`). Ignored otherwise.
    /// @param batchId For `Attestation`: the batch holding the receipt, zero for a single attestation.
    /// @param proof For `Attestation`: the receipt's Merkle proof in the batch.
    struct Evidence {
        IAttestationRegistry.InferenceReceipt receipt;
        EvidenceKind kind;
        bytes signature;
        BatchId batchId;
        bytes32[] proof;
    }

    /// @notice The record of a proven equivocation. One slot: `prover` (20 bytes) + `provenAt` (6).
    /// @param prover Who was paid for the proof (zero when not proven).
    /// @param provenAt When it was proven.
    struct Equivocation {
        address prover;
        uint48 provenAt;
    }

    error EquivocationZeroAddress();
    error EquivocationNodeMismatch(address nodeA, address nodeB);
    error EquivocationRequestMismatch(bytes32 requestIdA, bytes32 requestIdB);
    error EquivocationModelMismatch(ModelId modelA, ModelId modelB);
    error EquivocationInputMismatch(bytes32 inputHashA, bytes32 inputHashB);
    error EquivocationSameOutput(bytes32 outputHash);
    error EquivocationModelNotExact(ModelId modelId, IModelRegistry.VerificationMode mode);
    error EquivocationNodeNotRegistered(address node);
    error EquivocationInvalidSignature(address node, address signer, bytes32 receiptHash);
    error EquivocationNotAttested(bytes32 receiptHash, BatchId batchId);
    error EquivocationAlreadyProven(address node, bytes32 requestId, address prover);

    /// @notice `node` was proven to have signed two outputs for `requestId`; `slashed` was taken from its stake, of
    /// which the prover was paid `proverRewardBps` / 10,000 (rounded down) and the rest went to the treasury.
    /// @param jailed True when the node was jailed by this proof (false when it was already jailed).
    event EquivocationProven(
        address indexed node,
        bytes32 indexed requestId,
        address indexed prover,
        ModelId modelId,
        bytes32 receiptHashA,
        bytes32 receiptHashB,
        uint256 slashed,
        bool jailed
    );

    /// @notice Proves that the node named in both receipts equivocated, and pays the caller.
    /// @dev Reverts unless both receipts name the same node, `requestId`, `modelId` and `inputHash`, their
    /// `outputHash`es differ, the model's policy is `EXACT`, both pieces of evidence hold, and `(node, requestId)` was
    /// not proven before. Slashes `slashBps` / 10,000 of the node's slashable stake (rounded up, capped by `Staking`),
    /// pays `proverRewardBps` / 10,000 of what was slashed to the caller, and jails the node unless it is jailed
    /// already (registered or not: the registry's jail outlives deregistration).
    /// @param evidenceA One receipt and its evidence.
    /// @param evidenceB The other receipt and its evidence.
    /// @return slashed What was taken from the node's stake.
    function proveEquivocation(
        Evidence calldata evidenceA,
        Evidence calldata evidenceB
    ) external returns (uint256 slashed);

    /// @notice Same as `proveEquivocation`, paying `prover` instead of the caller.
    /// @param prover Who is paid the prover's share; not zero.
    function proveEquivocationFor(
        Evidence calldata evidenceA,
        Evidence calldata evidenceB,
        address prover
    ) external returns (uint256 slashed);

    /// @notice Sets the share of a node's slashable stake slashed on proof. Admin only.
    /// @param slashBps Basis points within [`MIN_SLASH_BPS`, `MAX_SLASH_BPS`].
    function setSlashBps(uint16 slashBps) external;

    /// @notice Sets the prover's share of what is slashed. Admin only.
    /// @param proverRewardBps Basis points within [`MIN_PROVER_REWARD_BPS`, `MAX_PROVER_REWARD_BPS`].
    function setProverRewardBps(uint16 proverRewardBps) external;

    /// @notice The record of `(node, requestId)` (all zero when not proven).
    function getEquivocation(address node, bytes32 requestId) external view returns (Equivocation memory);

    /// @notice True when an equivocation of `node` on `requestId` was proven.
    function isProven(address node, bytes32 requestId) external view returns (bool);

    /// @notice The share of a node's slashable stake slashed on proof, in basis points.
    function slashBps() external view returns (uint16);

    /// @notice The prover's share of what is slashed, in basis points.
    function proverRewardBps() external view returns (uint16);
}
