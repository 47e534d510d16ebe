// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IFraudJudge} from "../interfaces/IFraudJudge.sol";
import {IModelObserver} from "../interfaces/IModelObserver.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeObserver} from "../interfaces/INodeObserver.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {NodeSignatures} from "../libraries/NodeSignatures.sol";
import {ReceiptHashing} from "../libraries/ReceiptHashing.sol";
import {BatchId, toBatchId} from "../types/BatchId.sol";
import {ModelId} from "../types/ModelId.sol";
import {Clock} from "../utils/Clock.sol";
import {BoundedParameters} from "../libraries/BoundedParameters.sol";

/// @title Attestation registry
/// @notice See {IAttestationRegistry}.
contract AttestationRegistry is IAttestationRegistry, EIP712, AccessControl, Clock {
    using ReceiptHashing for InferenceReceipt;
    using ReceiptHashing for ReceiptBatch;

    /// @notice Role of the dispute manager: opens and resolves disputes on receipts.
    bytes32 public constant DISPUTE_ROLE = keccak256("DISPUTE_ROLE");

    /// @notice Bounds of the challenge window.
    uint48 public constant MIN_CHALLENGE_WINDOW = 1 minutes;
    uint48 public constant MAX_CHALLENGE_WINDOW = 30 days;

    /// @dev A single receipt's slot: the top 200 bits of its struct hash, then 8 spare bits, then its window end in
    /// the low 48 bits. Never zero once written (the window end is never zero).
    uint256 private constant _WINDOW_END_MASK = type(uint48).max;
    uint256 private constant _HASH_PREFIX_MASK = ~uint256(type(uint56).max);

    INodeRegistry private immutable _nodes;
    IModelRegistry private immutable _models;

    /// @dev One slot, read once per submission: the challenge window (6 bytes) and the parameters version (2).
    Settings private _settings;
    mapping(BatchId id => Batch) private _batches;
    /// @dev One slot per node (see `NodeRecord`): a submission's only read about its node.
    mapping(address node => NodeRecord) private _nodeRecords;
    mapping(ModelId model => ModelRecord) private _modelRecords;
    mapping(bytes32 requestKey => uint256 packed) private _singles;
    mapping(bytes32 receiptHash => ReceiptDispute) private _receiptDisputes;
    /// @dev The fraud judge (zero: none). Read only when a dispute opens, never by a submission.
    IFraudJudge private _fraudJudge;

    /// @param nodes The node registry (signers and active status).
    /// @param models The model registry (active models).
    /// @param window The initial challenge window, within bounds.
    /// @param admin Holder of the default admin role (sets the window, grants `DISPUTE_ROLE`).
    constructor(INodeRegistry nodes, IModelRegistry models, uint48 window, address admin) EIP712("Verity", "1") {
        if (address(nodes) == address(0) || address(models) == address(0) || admin == address(0)) {
            revert AttestationZeroAddress();
        }
        _nodes = nodes;
        _models = models;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setChallengeWindow(window);
    }

    // ------------------------------------------------------------------------------------------------ submissions

    /// @inheritdoc IAttestationRegistry
    function submitReceipt(
        InferenceReceipt calldata receipt,
        bytes calldata signature
    ) external returns (bytes32 receiptHash) {
        address node = receipt.node;
        bytes32 key = ReceiptHashing.requestKey(node, receipt.requestId);
        if (_singles[key] != 0) revert AttestationReceiptExists(node, receipt.requestId);
        if (!_isModelActive(receipt.modelId)) revert AttestationModelNotActive(receipt.modelId);

        receiptHash = receipt.hash();
        Settings memory settings = _settings;
        _checkSignature(node, _nodeRecord(node, settings.parametersVersion), receiptHash, signature);

        uint48 windowEnd = _clock() + settings.challengeWindow;
        _singles[key] = (uint256(receiptHash) & _HASH_PREFIX_MASK) | windowEnd;
        emit ReceiptSubmitted(
            receiptHash,
            node,
            receipt.requestId,
            receipt.modelId,
            receipt.inputHash,
            receipt.outputHash,
            receipt.traceRoot,
            receipt.issuedAt,
            windowEnd
        );
    }

    /// @inheritdoc IAttestationRegistry
    function submitBatch(ReceiptBatch calldata batch, bytes calldata signature) external returns (BatchId id) {
        address node = batch.node;
        if (batch.count == 0) revert AttestationEmptyBatch(node, batch.sequence);
        if (batch.root == bytes32(0)) revert AttestationZeroRoot(node, batch.sequence);
        id = toBatchId(node, batch.root);
        Batch storage stored = _batches[id];
        if (stored.node != address(0)) revert AttestationBatchExists(id, stored.node);
        Settings memory settings = _settings;
        NodeRecord memory record = _nodeRecord(node, settings.parametersVersion);
        if (batch.sequence != record.lastSequence + 1) {
            revert AttestationUnexpectedSequence(node, batch.sequence, record.lastSequence + 1);
        }

        _checkSignature(node, record, batch.hash(), signature);

        uint48 windowEnd = _clock() + settings.challengeWindow;
        _nodeRecords[node].lastSequence = batch.sequence;
        stored.node = node;
        stored.windowEnd = windowEnd;
        stored.count = batch.count;
        emit BatchSubmitted(id, node, batch.sequence, batch.root, batch.count, batch.dataHash, windowEnd);
    }

    // ------------------------------------------------------------------------------------------------ node status

    /// @inheritdoc INodeObserver
    function nodeChanged(address node) external {
        if (!_nodesBound()) revert AttestationRegistryNotBound(address(_nodes), address(_nodes.nodeObserver()));
        _storeNode(node, _nodes.signerOf(node), _nodes.isActive(node), _settings.parametersVersion);
    }

    /// @inheritdoc INodeObserver
    function minimumStakeChanged() external {
        if (msg.sender != address(_nodes)) revert AttestationOnlyNodeRegistry(msg.sender);
        // Wraps after 65,536 changes of the minimum; a record would have to sit unused through all of them to pass.
        uint16 version;
        unchecked {
            version = _settings.parametersVersion + 1;
        }
        _settings.parametersVersion = version;
        emit NodeRecordsInvalidated(version);
    }

    /// @inheritdoc IModelObserver
    function modelChanged(ModelId model) external {
        if (!_modelsBound()) revert AttestationRegistryNotBound(address(_models), address(_models.modelObserver()));
        _storeModel(model, _models.isActive(model));
    }

    // --------------------------------------------------------------------------------------------------- disputes

    /// @inheritdoc IAttestationRegistry
    function openDispute(
        InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external onlyRole(DISPUTE_ROLE) returns (bytes32 receiptHash, uint48 windowEnd) {
        receiptHash = receipt.hash();
        // The judge first, like the role: a receipt the fraud game can decide is never held by a weaker judge.
        IFraudJudge judge = _fraudJudge;
        if (address(judge) != address(0) && msg.sender != address(judge) && judge.isFraudProvable(receipt.modelId))
            revert AttestationDisputeNeedsFraudProof(receiptHash, receipt.modelId, address(judge));
        bool attested;
        (attested, windowEnd) = _attestation(receipt, receiptHash, batchId, proof);
        if (!attested) revert AttestationReceiptNotAttested(receiptHash, batchId);
        ReceiptDispute storage record = _receiptDisputes[receiptHash];
        (ReceiptState state, uint48 extendedEnd) = (record.state, record.windowEnd);
        if (extendedEnd != 0) windowEnd = extendedEnd;
        uint48 currentTime = _clock();
        if (currentTime >= windowEnd) revert AttestationWindowClosed(receiptHash, windowEnd, currentTime);
        if (state != ReceiptState.None) {
            revert AttestationUnexpectedReceiptState(receiptHash, state, ReceiptState.None);
        }
        record.state = ReceiptState.Disputed;
        record.disputedAt = currentTime;
        record.windowEnd = windowEnd;
        emit ReceiptDisputed(receiptHash, batchId, receipt.node, windowEnd);
    }

    /// @inheritdoc IAttestationRegistry
    function resolveDispute(bytes32 receiptHash, bool wrong) external onlyRole(DISPUTE_ROLE) {
        ReceiptDispute storage record = _checkDisputed(receiptHash);
        record.state = wrong ? ReceiptState.Rejected : ReceiptState.Upheld;
        emit ReceiptDisputeResolved(receiptHash, wrong);
    }

    /// @inheritdoc IAttestationRegistry
    function expireDispute(bytes32 receiptHash) external onlyRole(DISPUTE_ROLE) returns (uint48 windowEnd) {
        ReceiptDispute storage record = _checkDisputed(receiptHash);
        // The dispute opened strictly before the window end, so the extended window leaves the same time to challenge
        // as was left when the dispute froze it.
        windowEnd = record.windowEnd + (_clock() - record.disputedAt);
        record.state = ReceiptState.None;
        record.windowEnd = windowEnd;
        emit ReceiptDisputeExpired(receiptHash, windowEnd);
    }

    // ------------------------------------------------------------------------------------------------- parameters

    /// @inheritdoc IAttestationRegistry
    function setChallengeWindow(uint48 window) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setChallengeWindow(window);
    }

    /// @inheritdoc IAttestationRegistry
    function setFraudJudge(address judge) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (judge != address(0)) {
            if (judge.code.length == 0) revert AttestationFraudJudgeNotAJudge(judge);
            // A probe: a judge that can't answer would make every dispute revert.
            try IFraudJudge(judge).isFraudProvable(ModelId.wrap(bytes32(0))) returns (bool) {} catch {
                revert AttestationFraudJudgeNotAJudge(judge);
            }
            if (!hasRole(DISPUTE_ROLE, judge)) revert AttestationFraudJudgeWithoutRole(judge);
        }
        address previous = address(_fraudJudge);
        _fraudJudge = IFraudJudge(judge);
        emit FraudJudgeSet(previous, judge);
    }

    // ------------------------------------------------------------------------------------------------------ views

    /// @inheritdoc IAttestationRegistry
    function fraudJudge() external view returns (address) {
        return address(_fraudJudge);
    }

    /// @inheritdoc IAttestationRegistry
    function fraudJudgeOf(ModelId model) external view returns (address judge) {
        IFraudJudge configured = _fraudJudge;
        if (address(configured) != address(0) && configured.isFraudProvable(model)) judge = address(configured);
    }

    /// @inheritdoc IAttestationRegistry
    function isFinal(
        InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external view returns (bool) {
        return _isFinal(receipt, batchId, proof);
    }

    /// @inheritdoc IAttestationRegistry
    function isReceiptFinal(InferenceReceipt calldata receipt) external view returns (bool) {
        return _isFinal(receipt, BatchId.wrap(0), new bytes32[](0));
    }

    /// @inheritdoc IAttestationRegistry
    function verifyInclusion(
        InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external view returns (bool attested) {
        (attested, ) = _attestation(receipt, receipt.hash(), batchId, proof);
    }

    /// @inheritdoc IAttestationRegistry
    function getBatch(BatchId id) external view returns (Batch memory) {
        return _batches[id];
    }

    /// @inheritdoc IAttestationRegistry
    function getReceipt(InferenceReceipt calldata receipt) external view returns (ReceiptStatus memory status) {
        status.receiptHash = receipt.hash();
        (bool attested, uint48 windowEnd) = _single(receipt, status.receiptHash);
        ReceiptDispute storage record = _receiptDisputes[status.receiptHash];
        if (attested && record.windowEnd != 0) windowEnd = record.windowEnd;
        status.windowEnd = windowEnd;
        status.state = record.state;
    }

    /// @inheritdoc IAttestationRegistry
    function getReceiptByRequest(
        address node,
        bytes32 requestId
    ) external view returns (bytes32 receiptHashPrefix, uint48 windowEnd) {
        uint256 packed = _singles[ReceiptHashing.requestKey(node, requestId)];
        receiptHashPrefix = bytes32(packed & _HASH_PREFIX_MASK);
        windowEnd = uint48(packed & _WINDOW_END_MASK);
    }

    /// @inheritdoc IAttestationRegistry
    function receiptState(bytes32 receiptHash) external view returns (ReceiptState) {
        return _receiptDisputes[receiptHash].state;
    }

    /// @inheritdoc IAttestationRegistry
    function getReceiptDispute(bytes32 receiptHash) external view returns (ReceiptDispute memory) {
        return _receiptDisputes[receiptHash];
    }

    /// @inheritdoc IAttestationRegistry
    function nextSequence(address node) external view returns (uint64) {
        return _nodeRecords[node].lastSequence + 1;
    }

    /// @inheritdoc IAttestationRegistry
    function getNodeRecord(address node) external view returns (NodeRecord memory) {
        return _nodeRecords[node];
    }

    /// @inheritdoc IAttestationRegistry
    function getModelRecord(ModelId model) external view returns (ModelRecord) {
        return _modelRecords[model];
    }

    /// @inheritdoc IAttestationRegistry
    function challengeWindow() external view returns (uint48) {
        return _settings.challengeWindow;
    }

    /// @inheritdoc IAttestationRegistry
    function parametersVersion() external view returns (uint16) {
        return _settings.parametersVersion;
    }

    /// @inheritdoc IAttestationRegistry
    function hashReceipt(InferenceReceipt calldata receipt) external pure returns (bytes32) {
        return receipt.hash();
    }

    /// @inheritdoc IAttestationRegistry
    function hashBatch(ReceiptBatch calldata batch) external pure returns (bytes32) {
        return batch.hash();
    }

    /// @inheritdoc IAttestationRegistry
    function computeBatchId(address node, bytes32 root) external pure returns (BatchId) {
        return toBatchId(node, root);
    }

    /// @inheritdoc IAttestationRegistry
    function receiptDigest(InferenceReceipt calldata receipt) external view returns (bytes32) {
        return _hashTypedDataV4(receipt.hash());
    }

    /// @inheritdoc IAttestationRegistry
    function batchDigest(ReceiptBatch calldata batch) external view returns (bytes32) {
        return _hashTypedDataV4(batch.hash());
    }

    /// @inheritdoc IAttestationRegistry
    function receiptLeaf(InferenceReceipt calldata receipt) external pure returns (bytes32) {
        return ReceiptHashing.leaf(receipt.hash());
    }

    /// @inheritdoc IAttestationRegistry
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IAttestationRegistry
    function version() external pure returns (string memory) {
        return "1";
    }

    // --------------------------------------------------------------------------------------------------- internal

    /// @dev The configured fraud judge keeps `DISPUTE_ROLE` (neither revoked nor renounced): without it, the receipts
    /// only it may dispute could not be disputed at all. Change the fraud judge first.
    function _revokeRole(bytes32 role, address account) internal override returns (bool) {
        if (role == DISPUTE_ROLE && account != address(0) && account == address(_fraudJudge)) {
            revert AttestationFraudJudgeWithoutRole(account);
        }
        return super._revokeRole(role, account);
    }

    function _setChallengeWindow(uint48 window) internal {
        BoundedParameters.check("challengeWindow", window, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW);
        _settings.challengeWindow = window;
        emit ParameterSet("challengeWindow", window);
    }

    /// @dev `node`'s record: the stored copy while synced under the current parameters version; else (never copied, or
    /// copied before the last change of the minimum stake) its signer and status read live from the node registry,
    /// copied (and marked synced at `version`) when that registry is bound to this one.
    function _nodeRecord(address node, uint16 version) internal returns (NodeRecord memory record) {
        record = _nodeRecords[node];
        if (record.synced && record.parametersVersion == version) return record;
        record.signer = _nodes.signerOf(node);
        record.active = _nodes.isActive(node);
        if (_nodesBound()) {
            _storeNode(node, record.signer, record.active, version);
            record.synced = true;
            record.parametersVersion = version;
        }
    }

    /// @dev Whether `model` is active: the stored copy once synced; else read live, copied when the model registry is
    /// bound to this one.
    function _isModelActive(ModelId model) internal returns (bool) {
        ModelRecord stored = _modelRecords[model];
        if (stored != ModelRecord.Unsynced) return stored == ModelRecord.Active;
        bool active = _models.isActive(model);
        if (_modelsBound()) _storeModel(model, active);
        return active;
    }

    /// @dev Writes `node`'s signer and status, marked synced at `version`, keeping its sequence; emits only when the
    /// signer or status changed (or were never copied).
    function _storeNode(address node, address signer, bool active, uint16 version) internal {
        NodeRecord storage stored = _nodeRecords[node];
        bool changed = !stored.synced || stored.signer != signer || stored.active != active;
        if (!changed && stored.parametersVersion == version) return;
        stored.signer = signer;
        stored.active = active;
        stored.synced = true;
        stored.parametersVersion = version;
        if (changed) emit NodeRecordSynced(node, signer, active);
    }

    /// @dev Writes `model`'s status; emits only on a change.
    function _storeModel(ModelId model, bool active) internal {
        ModelRecord record = active ? ModelRecord.Active : ModelRecord.Inactive;
        if (_modelRecords[model] == record) return;
        _modelRecords[model] = record;
        emit ModelRecordSynced(model, active);
    }

    /// @dev True when the node registry reports every change to this registry (a permanent binding).
    function _nodesBound() internal view returns (bool) {
        return address(_nodes.nodeObserver()) == address(this);
    }

    /// @dev True when the model registry reports every change to this registry (a permanent binding).
    function _modelsBound() internal view returns (bool) {
        return address(_models.modelObserver()) == address(this);
    }

    /// @dev Reverts unless `record` (of `node`) is registered and active and `signature` over the EIP-712 digest of
    /// `structHash` is by its current signer.
    function _checkSignature(
        address node,
        NodeRecord memory record,
        bytes32 structHash,
        bytes calldata signature
    ) internal view {
        address signer = record.signer;
        if (signer == address(0)) revert AttestationNodeNotRegistered(node);
        if (!record.active) revert AttestationNodeNotActive(node);
        if (!NodeSignatures.isValid(signer, _hashTypedDataV4(structHash), signature)) {
            revert AttestationInvalidSignature(node, signer);
        }
    }

    function _isFinal(
        InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] memory proof
    ) internal view returns (bool) {
        bytes32 receiptHash = receipt.hash();
        (bool attested, uint48 windowEnd) = _attestation(receipt, receiptHash, batchId, proof);
        if (!attested) return false;
        ReceiptDispute memory record = _receiptDisputes[receiptHash];
        if (record.windowEnd != 0) windowEnd = record.windowEnd;
        if (_clock() < windowEnd) return false;
        return record.state == ReceiptState.None || record.state == ReceiptState.Upheld;
    }

    /// @dev The record of `receiptHash`; reverts unless a dispute on it is open.
    function _checkDisputed(bytes32 receiptHash) internal view returns (ReceiptDispute storage record) {
        record = _receiptDisputes[receiptHash];
        ReceiptState state = record.state;
        if (state != ReceiptState.Disputed) {
            revert AttestationUnexpectedReceiptState(receiptHash, state, ReceiptState.Disputed);
        }
    }

    /// @dev Whether `receipt` is attested singly (`batchId` zero) or in `batchId` with `proof`, and its window end.
    function _attestation(
        InferenceReceipt calldata receipt,
        bytes32 receiptHash,
        BatchId batchId,
        bytes32[] memory proof
    ) internal view returns (bool attested, uint48 windowEnd) {
        if (batchId.isZero()) {
            return proof.length == 0 ? _single(receipt, receiptHash) : (false, 0);
        }
        Batch storage batch = _batches[batchId];
        (address node, uint32 count) = (batch.node, batch.count);
        // The id names its node: a batch of another node never holds this receipt.
        if (node == address(0) || node != receipt.node) return (false, 0);
        // A StandardMerkleTree of `count` leaves is a complete binary tree: every leaf sits at depth
        // floor(log2 count) or ceil(log2 count). Any other proof length is not a leaf of this batch.
        if (
            proof.length < Math.log2(count, Math.Rounding.Floor) || proof.length > Math.log2(count, Math.Rounding.Ceil)
        ) {
            return (false, 0);
        }
        bytes32 root = MerkleProof.processProof(proof, ReceiptHashing.leaf(receiptHash));
        if (toBatchId(node, root) != batchId) return (false, 0);
        return (true, batch.windowEnd);
    }

    function _single(
        InferenceReceipt calldata receipt,
        bytes32 receiptHash
    ) internal view returns (bool attested, uint48 windowEnd) {
        uint256 packed = _singles[ReceiptHashing.requestKey(receipt.node, receipt.requestId)];
        if (packed == 0 || (packed & _HASH_PREFIX_MASK) != (uint256(receiptHash) & _HASH_PREFIX_MASK))
            return (false, 0);
        return (true, uint48(packed & _WINDOW_END_MASK));
    }
}
