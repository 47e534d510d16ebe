// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeObserver} from "../interfaces/INodeObserver.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStakeObserver} from "../interfaces/IStakeObserver.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {SortitionTree} from "../libraries/SortitionTree.sol";
import {ModelId} from "../types/ModelId.sol";
import {Clock} from "../utils/Clock.sol";

/// @title NodeRegistry
/// @notice Nodes and verifiers, their signer keys, endpoints and models, jail state, and the stake-weighted
/// sortition trees committees and request assignments are drawn from.
/// @dev Sortition: verifiers sit in one tree, inference nodes in the tree of every model they list. A node's weight is
/// its active stake while `isActive`, else zero, and is the same in every tree it sits in. It is recomputed on every
/// event that can change it here (register, deregister, jail, unjail, models), on `stakeChanged` from Staking, and by
/// anyone through `syncWeight` (a change of Staking's minimum is reported to the node observer through
/// `minimumStakeChanged`, but moves no weight until then). The node observer is told after each of these, and after a
/// signer rotation. Every weight, sum and total is checkpointed by block number, and so is each node's signer and jail,
/// so a draw or a signature can be judged by the state of a past block.
///
/// Jail in O(1): jailing an inference node writes its jail record (checkpointed) and no model tree. Its weight stays in
/// the trees of its models, stale, until anyone clears it (`clearJailedWeight`, `syncWeight`), the node changes its
/// models or deregisters, or it is unjailed (which writes its current weight to every tree). A draw that lands on such
/// weight returns zero when the node was jailed at the draw's block, so it is never drawn from the block of its jail
/// on, whether or not anyone clears anything. A verifier sits in one tree, which its jail zeroes at once. Invariant: a
/// node that is not jailed holds the same weight in every tree of its models and zero in every other tree; a jailed
/// inference node holds zero in every tree of a model it does not list.
contract NodeRegistry is INodeRegistry, AccessControl, Clock {
    using SortitionTree for SortitionTree.Tree;
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Held by the dispute contracts: may jail and unjail nodes.
    bytes32 public constant DISPUTE_ROLE = keccak256("DISPUTE_ROLE");

    /// @notice Most models one node may list (bounds every loop over a node's models).
    uint256 public constant MAX_MODELS = 32;

    /// @notice Longest endpoint, in bytes (bounds what a reader of `getNode` copies).
    uint256 public constant MAX_ENDPOINT_LENGTH = 512;

    IModelRegistry private immutable _modelRegistry;
    IStaking private immutable _staking;

    /// @dev `INodeRegistry.Node` packs signer (20 bytes) + role (1) + registered (1) + jailed (1) + registeredAt (6)
    /// into slot 0; endpoint and models take one slot each (plus their data).
    mapping(address node => Node) private _nodes;
    /// @dev A signer address, once used by any node, is never accepted again (not after rotation either).
    mapping(address signer => bool used) private _signerUsed;
    mapping(address signer => address node) private _nodeOfSigner;
    mapping(address node => mapping(ModelId model => bool)) private _serves;
    /// @dev Each node's signer by block number (zero while not registered).
    mapping(address node => Checkpoints.Trace208) private _signerHistory;
    /// @dev Each node's jail by block number: 1 from the block of a jail, 0 from the block of an unjail.
    mapping(address node => Checkpoints.Trace208) private _jailHistory;

    SortitionTree.Tree private _verifiers;
    mapping(ModelId model => SortitionTree.Tree) private _modelNodes;
    INodeObserver private _nodeObserver;

    modifier onlyRegistered() {
        _checkRegistered(msg.sender);
        _;
    }

    constructor(IModelRegistry modelRegistry, IStaking staking, address admin) {
        if (address(modelRegistry) == address(0) || address(staking) == address(0) || admin == address(0)) {
            revert NodeRegistryZeroAddress();
        }
        _modelRegistry = modelRegistry;
        _staking = staking;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc INodeRegistry
    function registerNode(address signer, string calldata endpoint, NodeRole role, ModelId[] calldata models) external {
        address node = msg.sender;
        if (_nodes[node].registered) revert NodeRegistryAlreadyRegistered(node);
        _checkEndpoint(endpoint);
        _claimSigner(node, signer);

        Node storage info = _nodes[node];
        info.signer = signer;
        info.role = role;
        info.registered = true;
        // `jailed` is left as it is: a jail outlives deregistration.
        info.registeredAt = _clock();
        info.endpoint = endpoint;
        _recordSigner(node, signer);
        _setModels(node, models);
        emit NodeRegistered(node, signer, role, endpoint, models);
        _syncWeight(node);
        _notifyObserver(node);
    }

    /// @inheritdoc INodeRegistry
    function rotateSigner(address newSigner) external onlyRegistered {
        address node = msg.sender;
        address oldSigner = _nodes[node].signer;
        _claimSigner(node, newSigner);
        delete _nodeOfSigner[oldSigner];
        _nodes[node].signer = newSigner;
        _recordSigner(node, newSigner);
        emit SignerRotated(node, oldSigner, newSigner);
        _notifyObserver(node);
    }

    /// @inheritdoc INodeRegistry
    function updateEndpoint(string calldata endpoint) external onlyRegistered {
        _checkEndpoint(endpoint);
        _nodes[msg.sender].endpoint = endpoint;
        emit EndpointUpdated(msg.sender, endpoint);
    }

    /// @inheritdoc INodeRegistry
    function updateModels(ModelId[] calldata models) external onlyRegistered {
        address node = msg.sender;
        uint256 before = _weightOf(node);
        // Zeroes every tree of the old list, a jailed node's stale weights included (the node pays for them).
        _writeWeight(node, 0);
        _clearModels(node);
        _setModels(node, models);
        emit ModelsUpdated(node, models);
        // Zero for a jailed node: its new trees hold nothing until it is unjailed.
        _writeWeight(node, _targetWeight(node));
        uint256 weight = _weightOf(node);
        if (weight != before) emit SortitionWeightChanged(node, weight);
    }

    /// @inheritdoc INodeRegistry
    function deregisterNode() external onlyRegistered {
        address node = msg.sender;
        uint256 slashable = _staking.slashableStakeOf(node);
        uint256 locked = _staking.lockedStakeOf(node);
        if (slashable != 0 || locked != 0) revert NodeRegistryStakeRemaining(node, slashable, locked);
        uint256 before = _weightOf(node);
        // Every tree, a jailed node's stale weights included.
        _writeWeight(node, 0);
        _clearModels(node);
        Node storage info = _nodes[node];
        delete _nodeOfSigner[info.signer];
        bool jailed = info.jailed;
        delete _nodes[node];
        info.jailed = jailed;
        _recordSigner(node, address(0));
        emit NodeDeregistered(node);
        if (before != 0) emit SortitionWeightChanged(node, 0);
        _notifyObserver(node);
    }

    /// @inheritdoc INodeRegistry
    function jail(address node) external onlyRole(DISPUTE_ROLE) returns (bool jailed) {
        if (node == address(0)) revert NodeRegistryZeroAddress();
        Node storage info = _nodes[node];
        // Idempotent: every slasher may call it unconditionally, reading nothing of the node first.
        if (info.jailed) return false;
        uint256 before = _weightOf(node);
        info.jailed = true;
        _jailHistory[node].push(Time.blockNumber(), 1);
        emit NodeJailed(node);
        // O(1) whatever the node's models: their trees keep its weight until cleared, and every draw from this block on
        // skips it by the jail record. The verifier tree is one tree: zeroed now.
        if (info.role == NodeRole.Verifier) _verifiers.set(node, 0, Time.blockNumber());
        if (before != 0) emit SortitionWeightChanged(node, 0);
        _notifyObserver(node);
        return true;
    }

    /// @inheritdoc INodeRegistry
    function unjail(address node) external onlyRole(DISPUTE_ROLE) {
        Node storage info = _nodes[node];
        if (!info.jailed) revert NodeRegistryNotJailed(node);
        info.jailed = false;
        _jailHistory[node].push(Time.blockNumber(), 0);
        emit NodeUnjailed(node);
        // Every tree, whatever was cleared while jailed: back to the invariant of a node that is not jailed.
        uint256 weight = _targetWeight(node);
        _writeWeight(node, weight);
        weight = _weightOf(node);
        if (weight != 0) emit SortitionWeightChanged(node, weight);
        _notifyObserver(node);
    }

    /// @inheritdoc IStakeObserver
    function stakeChanged(address node) external {
        if (msg.sender != address(_staking)) revert NodeRegistryOnlyStaking(msg.sender);
        // Accounts that stake before registering are picked up by `registerNode`.
        if (_nodes[node].registered) {
            _syncWeight(node);
            _notifyObserver(node);
        }
    }

    /// @inheritdoc IStakeObserver
    function minimumStakeChanged() external {
        if (msg.sender != address(_staking)) revert NodeRegistryOnlyStaking(msg.sender);
        INodeObserver observer = _nodeObserver;
        if (address(observer) != address(0)) observer.minimumStakeChanged();
    }

    /// @inheritdoc INodeRegistry
    function syncWeight(address node) external {
        _checkRegistered(node);
        Node storage info = _nodes[node];
        if (info.jailed && info.role == NodeRole.Inference) {
            ModelId[] storage models = info.models;
            for (uint256 i = 0; i < models.length; ++i) _clearJailedWeight(node, models[i]);
        } else {
            _syncWeight(node);
        }
        _notifyObserver(node);
    }

    /// @inheritdoc INodeRegistry
    function clearJailedWeight(address node, ModelId model) external {
        if (!_nodes[node].jailed) revert NodeRegistryNotJailed(node);
        _clearJailedWeight(node, model);
    }

    /// @inheritdoc INodeRegistry
    function setNodeObserver(INodeObserver observer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(observer) == address(0)) revert NodeRegistryZeroAddress();
        INodeObserver current = _nodeObserver;
        if (address(current) != address(0)) revert NodeRegistryObserverAlreadySet(address(current));
        _nodeObserver = observer;
        emit NodeObserverSet(address(observer));
    }

    /// @inheritdoc INodeRegistry
    function nodeObserver() external view returns (INodeObserver) {
        return _nodeObserver;
    }

    /// @inheritdoc INodeRegistry
    function getNode(address node) external view returns (Node memory) {
        return _nodes[node];
    }

    /// @inheritdoc INodeRegistry
    function signerOf(address node) external view returns (address) {
        return _nodes[node].signer;
    }

    /// @inheritdoc INodeRegistry
    function signerAt(address node, uint256 blockNumber) external view returns (address) {
        return address(uint160(_signerHistory[node].upperLookupRecent(_pastBlock(blockNumber))));
    }

    /// @inheritdoc INodeRegistry
    function nodeOfSigner(address signer) external view returns (address) {
        return _nodeOfSigner[signer];
    }

    /// @inheritdoc INodeRegistry
    function isActive(address node) external view returns (bool) {
        Node storage info = _nodes[node];
        return info.registered && !info.jailed && _staking.activeStakeOf(node) >= _staking.minimumStake();
    }

    /// @inheritdoc INodeRegistry
    function jailedAt(address node, uint256 blockNumber) external view returns (bool) {
        return _jailHistory[node].upperLookupRecent(_pastBlock(blockNumber)) != 0;
    }

    /// @inheritdoc INodeRegistry
    function servesModel(address node, ModelId model) external view returns (bool) {
        return _serves[node][model];
    }

    /// @inheritdoc INodeRegistry
    function modelWeightOf(address node, ModelId model) external view returns (uint256) {
        return _modelNodes[model].weightOf(node);
    }

    /// @inheritdoc INodeRegistry
    function totalVerifierWeight() external view returns (uint256) {
        return _verifiers.total();
    }

    /// @inheritdoc INodeRegistry
    function totalModelWeight(ModelId model) external view returns (uint256) {
        return _modelNodes[model].total();
    }

    /// @inheritdoc INodeRegistry
    function sortitionWeightOf(address node) external view returns (uint256) {
        return _weightOf(node);
    }

    /// @inheritdoc INodeRegistry
    function drawVerifier(uint256 seed) external view returns (address) {
        return _draw(_verifiers, seed);
    }

    /// @inheritdoc INodeRegistry
    function drawNode(ModelId model, uint256 seed) external view returns (address) {
        address node = _draw(_modelNodes[model], seed);
        return _nodes[node].jailed ? address(0) : node;
    }

    /// @inheritdoc INodeRegistry
    function totalVerifierWeightAt(uint256 blockNumber) external view returns (uint256) {
        return _verifiers.totalAt(_pastBlock(blockNumber));
    }

    /// @inheritdoc INodeRegistry
    function totalModelWeightAt(ModelId model, uint256 blockNumber) external view returns (uint256) {
        return _modelNodes[model].totalAt(_pastBlock(blockNumber));
    }

    /// @inheritdoc INodeRegistry
    function verifierWeightAt(address verifier, uint256 blockNumber) external view returns (uint256) {
        return _verifiers.weightAt(verifier, _pastBlock(blockNumber));
    }

    /// @inheritdoc INodeRegistry
    function drawVerifierAt(uint256 seed, uint256 blockNumber) external view returns (address) {
        return _drawAt(_verifiers, seed, _pastBlock(blockNumber));
    }

    /// @inheritdoc INodeRegistry
    function drawNodeAt(ModelId model, uint256 seed, uint256 blockNumber) external view returns (address) {
        uint48 at = _pastBlock(blockNumber);
        address node = _drawAt(_modelNodes[model], seed, at);
        // Weight a jailed node still holds (cleared lazily) draws nobody: judged by the jail of that same block.
        return _jailHistory[node].upperLookupRecent(at) != 0 ? address(0) : node;
    }

    function _draw(SortitionTree.Tree storage tree, uint256 seed) private view returns (address) {
        uint256 total = tree.total();
        if (total == 0) revert NodeRegistryNoWeight();
        return tree.draw(seed % total);
    }

    function _drawAt(SortitionTree.Tree storage tree, uint256 seed, uint48 blockNumber) private view returns (address) {
        uint256 total = tree.totalAt(blockNumber);
        if (total == 0) revert NodeRegistryNoWeight();
        return tree.drawAt(seed % total, blockNumber);
    }

    /// @dev `blockNumber` as a checkpoint key, reverting unless it is a past block (the current block's state may
    /// still change within it).
    function _pastBlock(uint256 blockNumber) private view returns (uint48) {
        uint48 current = Time.blockNumber();
        if (blockNumber >= current) revert NodeRegistryFutureLookup(blockNumber, current);
        return uint48(blockNumber);
    }

    function _recordSigner(address node, address signer) private {
        _signerHistory[node].push(Time.blockNumber(), uint160(signer));
    }

    function _checkEndpoint(string calldata endpoint) private pure {
        uint256 length = bytes(endpoint).length;
        if (length == 0) revert NodeRegistryEmptyEndpoint();
        if (length > MAX_ENDPOINT_LENGTH) revert NodeRegistryEndpointTooLong(length, MAX_ENDPOINT_LENGTH);
    }

    function _claimSigner(address node, address signer) private {
        if (signer == address(0)) revert NodeRegistryZeroSigner();
        if (_signerUsed[signer]) revert NodeRegistrySignerInUse(signer);
        _signerUsed[signer] = true;
        _nodeOfSigner[signer] = node;
    }

    function _setModels(address node, ModelId[] calldata models) private {
        if (models.length > MAX_MODELS) revert NodeRegistryTooManyModels(models.length, MAX_MODELS);
        ModelId[] storage list = _nodes[node].models;
        mapping(ModelId model => bool) storage serves = _serves[node];
        for (uint256 i = 0; i < models.length; ++i) {
            ModelId model = models[i];
            if (!_modelRegistry.isActive(model)) revert NodeRegistryModelNotActive(model);
            if (serves[model]) revert NodeRegistryDuplicateModel(model);
            serves[model] = true;
            list.push(model);
        }
    }

    function _clearModels(address node) private {
        ModelId[] storage list = _nodes[node].models;
        mapping(ModelId model => bool) storage serves = _serves[node];
        for (uint256 i = 0; i < list.length; ++i) delete serves[list[i]];
        delete _nodes[node].models;
    }

    /// @dev Brings `node`'s weight in all its trees to `_targetWeight` and reports a change. A jailed inference node's
    /// model trees are left as they are (its weight is zero whatever they hold), so a slash after the jail, or any
    /// stake change while jailed, writes no tree.
    function _syncWeight(address node) private {
        Node storage info = _nodes[node];
        if (info.jailed && info.role == NodeRole.Inference) return;
        uint256 before = _weightOf(node);
        uint256 weight = _targetWeight(node);
        // Not jailed: every tree holds `before` (the invariant), so equal means nothing to write.
        if (weight == before) return;
        _writeWeight(node, weight);
        // An inference node without models sits in no tree: its weight stays zero.
        weight = _weightOf(node);
        if (weight != before) emit SortitionWeightChanged(node, weight);
    }

    /// @dev Zeroes the stale weight a jailed `node` holds in `model`'s tree, reporting it; nothing when there is none.
    function _clearJailedWeight(address node, ModelId model) private {
        SortitionTree.Tree storage tree = _modelNodes[model];
        uint256 stale = tree.weightOf(node);
        if (stale == 0) return;
        tree.set(node, 0, Time.blockNumber());
        emit JailedWeightCleared(node, model, stale);
    }

    /// @dev Sets `node`'s weight in every tree its role and models put it in (bounded by `MAX_MODELS`).
    function _writeWeight(address node, uint256 weight) private {
        Node storage info = _nodes[node];
        uint48 blockNumber = Time.blockNumber();
        if (info.role == NodeRole.Verifier) {
            _verifiers.set(node, weight, blockNumber);
        } else {
            ModelId[] storage models = info.models;
            for (uint256 i = 0; i < models.length; ++i) _modelNodes[models[i]].set(node, weight, blockNumber);
        }
    }

    /// @dev The weight `node` holds now: zero while jailed (whatever stale weight its trees still hold), else equal
    /// in all its trees, so the first one tells.
    function _weightOf(address node) private view returns (uint256) {
        Node storage info = _nodes[node];
        if (info.role == NodeRole.Verifier) return _verifiers.weightOf(node);
        if (info.jailed || info.models.length == 0) return 0;
        return _modelNodes[info.models[0]].weightOf(node);
    }

    /// @dev The weight `node` should hold: its active stake while registered, not jailed and at the minimum.
    function _targetWeight(address node) private view returns (uint256) {
        Node storage info = _nodes[node];
        if (!info.registered || info.jailed) return 0;
        uint256 active = _staking.activeStakeOf(node);
        return active >= _staking.minimumStake() ? active : 0;
    }

    /// @dev Tells the observer, when set, that `node`'s signer or active status may have changed. Called last, once
    /// this registry's state is final (the observer reads it back). The observer is trusted wiring (the attestation
    /// registry); its revert reverts the change, so its copy can never fall behind.
    function _notifyObserver(address node) private {
        INodeObserver observer = _nodeObserver;
        if (address(observer) != address(0)) observer.nodeChanged(node);
    }

    function _checkRegistered(address node) private view {
        if (!_nodes[node].registered) revert NodeRegistryNotRegistered(node);
    }
}
