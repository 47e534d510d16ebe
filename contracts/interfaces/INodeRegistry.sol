// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelId} from "../types/ModelId.sol";
import {INodeObserver} from "./INodeObserver.sol";
import {IStakeObserver} from "./IStakeObserver.sol";

/// @title Node registry
/// @notice Inference nodes and verifiers: operator, signer key, endpoint, role, models served, jail state; and the
/// stake-weighted sortition trees from which committees (verifiers) and request assignees (nodes per model) are drawn.
/// @dev A node is identified by its operator address. Its signer key signs receipts; a signer address is never
/// reused by another node, nor reused after rotation.
///
/// Node observer: the admin sets it once (the attestation registry, which keeps its own copy of each node's signer
/// and active status); it can never change afterwards. It is told in the same transaction of every register,
/// signer rotation, deregistration, jail, unjail, active-stake change reported by Staking, and `syncWeight`; and of a
/// change of Staking's minimum stake (`minimumStakeChanged`, forwarded from Staking), after which it must treat every
/// copied status as stale.
///
/// History: every sortition weight, sum and total, and every node's signer and jail, is checkpointed by block number
/// (OpenZeppelin `Checkpoints`). The `...At(blockNumber)` views read the state at the end of a past block, so a
/// committee or an assignment drawn with a seed learnt after that block cannot be steered by stake changes, jails or
/// weight clearing made once the seed is known, and a signature can be judged by the key registered at a given block.
///
/// Jail: O(1) in the number of models a node lists. An inference node's jail writes no model tree: the weight it held
/// stays in its models' trees (counted in their totals) until anyone clears it (`clearJailedWeight`, `syncWeight`), the
/// node updates its models or deregisters, or it is unjailed; a draw landing on it returns zero from the block of the
/// jail on. A verifier's jail zeroes its one tree at once.
interface INodeRegistry is IStakeObserver {
    /// @notice What a node does.
    enum NodeRole {
        Inference,
        Verifier
    }

    /// @notice A node's registration.
    /// @param signer The key that signs its receipts and batches.
    /// @param role Inference node or verifier.
    /// @param registered True from `registerNode` until `deregisterNode`.
    /// @param jailed True while jailed by the dispute role.
    /// @param registeredAt When it registered.
    /// @param endpoint Where its HTTP service answers (URL).
    /// @param models The models it serves (inference nodes) or replays (verifiers).
    struct Node {
        address signer;
        NodeRole role;
        bool registered;
        bool jailed;
        uint48 registeredAt;
        string endpoint;
        ModelId[] models;
    }

    error NodeRegistryZeroSigner();
    error NodeRegistryEmptyEndpoint();
    error NodeRegistryEndpointTooLong(uint256 length, uint256 max);
    error NodeRegistryFutureLookup(uint256 blockNumber, uint48 currentBlock);
    error NodeRegistrySignerInUse(address signer);
    error NodeRegistryAlreadyRegistered(address node);
    error NodeRegistryNotRegistered(address node);
    error NodeRegistryModelNotActive(ModelId model);
    error NodeRegistryDuplicateModel(ModelId model);
    error NodeRegistryTooManyModels(uint256 count, uint256 max);
    error NodeRegistryStakeRemaining(address node, uint256 slashable, uint256 locked);
    error NodeRegistryNotJailed(address node);
    error NodeRegistryOnlyStaking(address caller);
    error NodeRegistryNoWeight();
    error NodeRegistryZeroAddress();
    error NodeRegistryObserverAlreadySet(address observer);

    event NodeRegistered(
        address indexed node,
        address indexed signer,
        NodeRole role,
        string endpoint,
        ModelId[] models
    );
    event NodeDeregistered(address indexed node);
    event SignerRotated(address indexed node, address indexed oldSigner, address indexed newSigner);
    event EndpointUpdated(address indexed node, string endpoint);
    event ModelsUpdated(address indexed node, ModelId[] models);
    event NodeJailed(address indexed node);
    event NodeUnjailed(address indexed node);
    event SortitionWeightChanged(address indexed node, uint256 weight);
    /// @notice The stale weight a jailed node still held in `model`'s tree was removed from it.
    event JailedWeightCleared(address indexed node, ModelId indexed model, uint256 weight);
    event NodeObserverSet(address indexed observer);

    /// @notice Registers the caller as a node.
    /// @param signer The key that will sign its receipts: not zero, never used by another node.
    /// @param endpoint Its service URL, not empty, at most `MAX_ENDPOINT_LENGTH` (512) bytes.
    /// @param role Inference node or verifier.
    /// @param models Models it serves, each registered and active, no duplicates, at most `MAX_MODELS`.
    function registerNode(address signer, string calldata endpoint, NodeRole role, ModelId[] calldata models) external;

    /// @notice Replaces the caller's signer key. Receipts signed by the old key are no longer accepted.
    function rotateSigner(address newSigner) external;

    /// @notice Replaces the caller's endpoint (not empty, at most `MAX_ENDPOINT_LENGTH` bytes).
    function updateEndpoint(string calldata endpoint) external;

    /// @notice Replaces the caller's list of models.
    function updateModels(ModelId[] calldata models) external;

    /// @notice Removes the caller's registration; only when it has no slashable or locked stake left. The signer stays
    /// used forever and a jail stays in force; the operator may register again with a fresh signer.
    function deregisterNode() external;

    /// @notice Jails `node` (it stops being active and is never drawn again until unjailed). Only the dispute role.
    /// @dev Idempotent: a node already jailed is left as it is (no event) and `false` returned, so a slasher calls it
    /// unconditionally and reads nothing of the node first. Works whether or not `node` is registered, so resolving a
    /// dispute never depends on the node staying registered; the jail outlives deregistration and re-registration.
    /// O(1): records the jail at this block (`jailedAt`); an inference node's model trees keep its weight until cleared
    /// (draws skip it), a verifier's tree is zeroed. Jail before slashing: the slash's stake notice then writes no
    /// tree.
    /// @return jailed True when this call jailed the node, false when it was jailed already.
    function jail(address node) external returns (bool jailed);

    /// @notice Releases `node` from jail. Only the dispute role. Registered or not, like `jail`.
    /// @dev Writes the node's current weight to the tree of every model it lists (O(models)), whatever was cleared
    /// while it was jailed.
    function unjail(address node) external;

    /// @notice Recomputes `node`'s sortition weight from its current state and tells the node observer (anyone; e.g.
    /// after a minimum-stake change). For a jailed inference node: clears its stale weight from every tree of its
    /// models (`JailedWeightCleared` for each).
    /// @dev Reverts for a node that is not registered (its weight is zero already).
    function syncWeight(address node) external;

    /// @notice Removes the stale weight jailed `node` still holds in `model`'s tree (anyone; nothing when it holds
    /// none). Draws skip that weight anyway; clearing it only stops them from landing on it (and spending an attempt).
    /// @dev Reverts with `NodeRegistryNotJailed` for a node that is not jailed.
    function clearJailedWeight(address node, ModelId model) external;

    /// @notice Sets the node observer told of every change of a node's signer or active status. Admin only, once.
    /// @dev Reverts for the zero address and when an observer is already set: the binding is permanent, so an
    /// observer that checks `nodeObserver() == itself` knows it will hear of every later change.
    /// @param observer The attestation registry.
    function setNodeObserver(INodeObserver observer) external;

    /// @notice The node observer (zero until set).
    function nodeObserver() external view returns (INodeObserver);

    /// @notice The registration of `node`.
    function getNode(address node) external view returns (Node memory);

    /// @notice `node`'s current signer (zero when not registered).
    function signerOf(address node) external view returns (address);

    /// @notice `node`'s signer at the end of block `blockNumber` (zero when it was not registered then).
    /// @dev Reverts with `NodeRegistryFutureLookup` unless `blockNumber` is a past block.
    function signerAt(address node, uint256 blockNumber) external view returns (address);

    /// @notice The node a signer key belongs to now (zero when none).
    function nodeOfSigner(address signer) external view returns (address);

    /// @notice Registered, not jailed, and active stake at least the minimum.
    function isActive(address node) external view returns (bool);

    /// @notice Whether `node` was jailed at the end of block `blockNumber`.
    /// @dev Reverts with `NodeRegistryFutureLookup` unless `blockNumber` is a past block.
    function jailedAt(address node, uint256 blockNumber) external view returns (bool);

    /// @notice True when `node` is registered and lists `model`.
    function servesModel(address node, ModelId model) external view returns (bool);

    /// @notice Total weight of active verifiers in the verifier sortition tree.
    function totalVerifierWeight() external view returns (uint256);

    /// @notice Total weight in `model`'s tree: the active inference nodes serving it, plus the stale weight of jailed
    /// nodes not yet cleared (which draws skip).
    function totalModelWeight(ModelId model) external view returns (uint256);

    /// @notice `node`'s current sortition weight (its active stake while active, else zero); the same in every tree
    /// it sits in. Zero for an inference node that lists no models, and zero while jailed.
    function sortitionWeightOf(address node) external view returns (uint256);

    /// @notice The weight `node` holds in `model`'s tree now: `sortitionWeightOf(node)` for a node listing `model`,
    /// except a jailed node's stale weight not yet cleared.
    function modelWeightOf(address node, ModelId model) external view returns (uint256);

    /// @notice Draws one active verifier with probability proportional to its active stake, in O(log n).
    /// @param seed A random value; the draw takes `seed % totalVerifierWeight()`.
    function drawVerifier(uint256 seed) external view returns (address);

    /// @notice Draws one active inference node serving `model`, weighted by active stake, in O(log n); zero when the
    /// draw lands on the stale weight of a node jailed now (the caller draws again with another seed).
    function drawNode(ModelId model, uint256 seed) external view returns (address);

    /// @notice `totalVerifierWeight()` as it was at the end of block `blockNumber`.
    /// @dev Every `...At` view reverts with `NodeRegistryFutureLookup` unless `blockNumber` is a past block.
    function totalVerifierWeightAt(uint256 blockNumber) external view returns (uint256);

    /// @notice `totalModelWeight(model)` as it was at the end of block `blockNumber` (stale weight of jailed nodes
    /// included).
    function totalModelWeightAt(ModelId model, uint256 blockNumber) external view returns (uint256);

    /// @notice `verifier`'s weight in the verifier tree at the end of block `blockNumber` (zero when it was not an
    /// active verifier then).
    function verifierWeightAt(address verifier, uint256 blockNumber) external view returns (uint256);

    /// @notice `drawVerifier(seed)` with the weights of the end of block `blockNumber`: O(log n · log h) for h
    /// checkpoints per tree node.
    /// @param seed A random value; the draw takes `seed % totalVerifierWeightAt(blockNumber)`.
    function drawVerifierAt(uint256 seed, uint256 blockNumber) external view returns (address);

    /// @notice `drawNode(model, seed)` with the weights and jails of the end of block `blockNumber`: zero when the draw
    /// lands on the weight of a node jailed at that block (the caller counts a failed attempt and draws again).
    /// @dev A function of the seed and of the state at the end of `blockNumber` alone: jails, unjails and clearing
    /// after that block change nothing.
    function drawNodeAt(ModelId model, uint256 seed, uint256 blockNumber) external view returns (address);
}
