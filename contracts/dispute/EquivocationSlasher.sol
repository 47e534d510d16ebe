// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IEquivocationSlasher} from "../interfaces/IEquivocationSlasher.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {NodeSignatures} from "../libraries/NodeSignatures.sol";
import {ModelId} from "../types/ModelId.sol";
import {Clock} from "../utils/Clock.sol";
import {BoundedParameters} from "../libraries/BoundedParameters.sol";
import {BasisPoints} from "../libraries/BasisPoints.sol";
import {Slashing} from "../libraries/Slashing.sol";

/// @title Equivocation slasher
/// @notice See {IEquivocationSlasher}.
contract EquivocationSlasher is IEquivocationSlasher, AccessControl, ReentrancyGuard, Clock {
    /// @notice Bounds of `slashBps`: equivocation on a deterministic model is proof, so at least 5%.
    uint16 public constant MIN_SLASH_BPS = 500;
    uint16 public constant MAX_SLASH_BPS = uint16(BasisPoints.WHOLE);

    /// @notice Bounds of `proverRewardBps`: at most half, so a node proving its own equivocation still loses.
    uint16 public constant MIN_PROVER_REWARD_BPS = 0;
    uint16 public constant MAX_PROVER_REWARD_BPS = 5_000;

    IAttestationRegistry private immutable _attestation;
    IStaking private immutable _staking;
    INodeRegistry private immutable _nodes;
    IModelRegistry private immutable _models;

    uint16 private _slashBps;
    uint16 private _proverRewardBps;
    mapping(address node => mapping(bytes32 requestId => Equivocation)) private _equivocations;

    /// @param attestation The attestation registry (EIP-712 digests and on-chain inclusion).
    /// @param staking The staking contract; this contract needs its `DISPUTE_ROLE`.
    /// @param nodes The node registry (signers; jail); this contract needs its `DISPUTE_ROLE`.
    /// @param models The model registry (verification policy).
    /// @param initialSlashBps The initial `slashBps`, within bounds.
    /// @param initialProverRewardBps The initial `proverRewardBps`, within bounds.
    /// @param admin Holder of the default admin role (sets the parameters).
    constructor(
        IAttestationRegistry attestation,
        IStaking staking,
        INodeRegistry nodes,
        IModelRegistry models,
        uint16 initialSlashBps,
        uint16 initialProverRewardBps,
        address admin
    ) {
        if (
            address(attestation) == address(0) ||
            address(staking) == address(0) ||
            address(nodes) == address(0) ||
            address(models) == address(0) ||
            admin == address(0)
        ) revert EquivocationZeroAddress();
        _attestation = attestation;
        _staking = staking;
        _nodes = nodes;
        _models = models;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setSlashBps(initialSlashBps);
        _setProverRewardBps(initialProverRewardBps);
    }

    // ------------------------------------------------------------------------------------------------------ proofs

    /// @inheritdoc IEquivocationSlasher
    function proveEquivocation(
        Evidence calldata evidenceA,
        Evidence calldata evidenceB
    ) external nonReentrant returns (uint256 slashed) {
        return _prove(evidenceA, evidenceB, msg.sender);
    }

    /// @inheritdoc IEquivocationSlasher
    function proveEquivocationFor(
        Evidence calldata evidenceA,
        Evidence calldata evidenceB,
        address prover
    ) external nonReentrant returns (uint256 slashed) {
        return _prove(evidenceA, evidenceB, prover);
    }

    // -------------------------------------------------------------------------------------------------- parameters

    /// @inheritdoc IEquivocationSlasher
    function setSlashBps(uint16 newSlashBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSlashBps(newSlashBps);
    }

    /// @inheritdoc IEquivocationSlasher
    function setProverRewardBps(uint16 newProverRewardBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setProverRewardBps(newProverRewardBps);
    }

    // ------------------------------------------------------------------------------------------------------- views

    /// @inheritdoc IEquivocationSlasher
    function getEquivocation(address node, bytes32 requestId) external view returns (Equivocation memory) {
        return _equivocations[node][requestId];
    }

    /// @inheritdoc IEquivocationSlasher
    function isProven(address node, bytes32 requestId) external view returns (bool) {
        return _equivocations[node][requestId].prover != address(0);
    }

    /// @inheritdoc IEquivocationSlasher
    function slashBps() external view returns (uint16) {
        return _slashBps;
    }

    /// @inheritdoc IEquivocationSlasher
    function proverRewardBps() external view returns (uint16) {
        return _proverRewardBps;
    }

    // ---------------------------------------------------------------------------------------------------- internal

    function _prove(
        Evidence calldata evidenceA,
        Evidence calldata evidenceB,
        address prover
    ) internal returns (uint256 slashed) {
        if (prover == address(0)) revert EquivocationZeroAddress();
        (address node, bytes32 requestId, ModelId modelId, bytes32 receiptHashA, bytes32 receiptHashB) = _checkPair(
            evidenceA,
            evidenceB
        );
        return _punish(node, requestId, modelId, receiptHashA, receiptHashB, prover);
    }

    /// @dev Reverts unless the pair proves an equivocation not proven before; returns what the event reports.
    function _checkPair(
        Evidence calldata evidenceA,
        Evidence calldata evidenceB
    )
        internal
        view
        returns (address node, bytes32 requestId, ModelId modelId, bytes32 receiptHashA, bytes32 receiptHashB)
    {
        IAttestationRegistry.InferenceReceipt calldata a = evidenceA.receipt;
        IAttestationRegistry.InferenceReceipt calldata b = evidenceB.receipt;
        node = a.node;
        requestId = a.requestId;
        modelId = a.modelId;

        // The cheap field checks first, so a malformed pair costs no external call.
        if (node != b.node) revert EquivocationNodeMismatch(node, b.node);
        if (requestId != b.requestId) revert EquivocationRequestMismatch(requestId, b.requestId);
        if (modelId != b.modelId) revert EquivocationModelMismatch(modelId, b.modelId);
        if (a.inputHash != b.inputHash) revert EquivocationInputMismatch(a.inputHash, b.inputHash);
        if (a.outputHash == b.outputHash) revert EquivocationSameOutput(a.outputHash);
        address earlier = _equivocations[node][requestId].prover;
        if (earlier != address(0)) revert EquivocationAlreadyProven(node, requestId, earlier);

        (IModelRegistry.VerificationMode mode, ) = _models.policyOf(modelId);
        if (mode != IModelRegistry.VerificationMode.EXACT) revert EquivocationModelNotExact(modelId, mode);

        receiptHashA = _checkEvidence(evidenceA);
        receiptHashB = _checkEvidence(evidenceB);
    }

    /// @dev Records the proof, slashes, pays the prover, jails, and emits.
    function _punish(
        address node,
        bytes32 requestId,
        ModelId modelId,
        bytes32 receiptHashA,
        bytes32 receiptHashB,
        address prover
    ) internal returns (uint256 slashed) {
        _equivocations[node][requestId] = Equivocation({prover: prover, provenAt: _clock()});

        // Round the slash up: rounding goes against the slashed party.
        uint256 amount = Math.mulDiv(_staking.slashableStakeOf(node), _slashBps, BasisPoints.WHOLE, Math.Rounding.Ceil);

        // Idempotent: a node already jailed (by another proof or a dispute) is left as it is. A node that has
        // deregistered is jailed all the same: the jail outlives re-registration. Before the slash, whose stake notice
        // then writes no sortition tree.
        bool jailed = _nodes.jail(node);
        if (amount != 0) slashed = Slashing.slashTo(_staking, node, amount, prover, _proverRewardBps);

        emit EquivocationProven(node, requestId, prover, modelId, receiptHashA, receiptHashB, slashed, jailed);
    }

    /// @dev Reverts unless `evidence` shows that the node named in its receipt issued it; returns the struct hash.
    function _checkEvidence(Evidence calldata evidence) internal view returns (bytes32 receiptHash) {
        IAttestationRegistry.InferenceReceipt calldata receipt = evidence.receipt;
        receiptHash = _attestation.hashReceipt(receipt);
        if (evidence.kind == EvidenceKind.Signature) {
            address node = receipt.node;
            // The key registered at the end of the last block: a rotation in the proof's own block (front-running it)
            // does not void it. An earlier key proves nothing on its own: it may have leaked since its rotation.
            address previous = _nodes.signerAt(node, block.number - 1);
            address signer = _nodes.signerOf(node);
            if (signer == address(0) && previous == address(0)) revert EquivocationNodeNotRegistered(node);
            bytes32 digest = _attestation.receiptDigest(receipt);
            // The one signature rule, the attestation registry's: a signature accepted there is accepted here.
            if (
                !NodeSignatures.isValid(signer, digest, evidence.signature) &&
                (previous == signer || !NodeSignatures.isValid(previous, digest, evidence.signature))
            ) {
                revert EquivocationInvalidSignature(node, signer, receiptHash);
            }
        } else if (!_attestation.verifyInclusion(receipt, evidence.batchId, evidence.proof)) {
            revert EquivocationNotAttested(receiptHash, evidence.batchId);
        }
    }

    function _setSlashBps(uint16 newSlashBps) internal {
        BoundedParameters.check("slashBps", newSlashBps, MIN_SLASH_BPS, MAX_SLASH_BPS);
        _slashBps = newSlashBps;
        emit ParameterSet("slashBps", newSlashBps);
    }

    function _setProverRewardBps(uint16 newProverRewardBps) internal {
        BoundedParameters.check("proverRewardBps", newProverRewardBps, MIN_PROVER_REWARD_BPS, MAX_PROVER_REWARD_BPS);
        _proverRewardBps = newProverRewardBps;
        emit ParameterSet("proverRewardBps", newProverRewardBps);
    }
}
