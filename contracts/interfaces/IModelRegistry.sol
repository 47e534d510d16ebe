// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelId} from "../types/ModelId.sol";
import {IModelObserver} from "./IModelObserver.sol";

/// @title Model registry
/// @notice Models registered by content hash, each with the rule by which its results are verified.
/// @dev There is no admin. The one privileged act is wiring: the deployer sets the model observer (the attestation
/// registry, which keeps its own copy of every model's active status) once; it can never change afterwards. The
/// observer is told of every registration and deprecation in the same transaction.
interface IModelRegistry {
    /// @notice How a replay of a model's result is compared with the claimed result.
    /// @dev `TEE` and `ZK` are reserved: registering them reverts until a verifier for them exists.
    enum VerificationMode {
        EXACT,
        TOLERANCE,
        TEE,
        ZK
    }

    /// @notice Lifecycle of a model. `None` means never registered.
    enum ModelStatus {
        None,
        Active,
        Deprecated
    }

    /// @notice Everything a model registration carries. Storage: `owner` (20 bytes) + `mode` (1) + `status` (1) +
    /// `registeredAt` (6) share slot 0, `tolerance` (16) slot 1, then one slot each for the rest.
    /// @param owner Who may deprecate, transfer and register new versions.
    /// @param runtimeId Which runtime replays the model (e.g. keccak256("verity-int8/1"), keccak256("onnxruntime/1")).
    /// @param mode Verification mode.
    /// @param tolerance For `TOLERANCE`: the maximum element-wise absolute difference, as a fixed-point number with
    /// 18 decimals (1e18 = 1.0). Zero for `EXACT`.
    /// @param weightsRoot Merkle root over the model's weight tensors (lets a replayer check parts of the weights).
    /// @param previous The model this one supersedes (zero for a first version).
    /// @param status Active or deprecated.
    /// @param registeredAt When the model was registered.
    /// @param metadataURI Where the artifact and its description live: not empty, at most 512 bytes.
    struct Model {
        address owner;
        VerificationMode mode;
        ModelStatus status;
        uint48 registeredAt;
        uint128 tolerance;
        bytes32 runtimeId;
        bytes32 weightsRoot;
        ModelId previous;
        string metadataURI;
    }

    /// @notice The registration arguments of a model.
    struct ModelRegistration {
        ModelId id;
        bytes32 runtimeId;
        VerificationMode mode;
        uint128 tolerance;
        bytes32 weightsRoot;
        ModelId previous;
        string metadataURI;
    }

    error ModelRegistryZeroId();
    error ModelRegistryZeroRuntime();
    error ModelRegistryEmptyURI();
    error ModelRegistryMetadataURITooLong(uint256 length, uint256 max);
    error ModelRegistryAlreadyRegistered(ModelId id);
    error ModelRegistryUnknownModel(ModelId id);
    error ModelRegistryNotOwner(ModelId id, address caller, address owner);
    error ModelRegistryModeNotSupported(VerificationMode mode);
    error ModelRegistryInvalidTolerance(VerificationMode mode, uint128 tolerance);
    error ModelRegistryZeroOwner();
    error ModelRegistryAlreadyDeprecated(ModelId id);
    error ModelRegistrySelfReference(ModelId id);
    /// @notice `previous` already has a newer version: versions form a chain, each model has at most one successor.
    error ModelRegistryAlreadySuperseded(ModelId previous, ModelId successor);

    event ModelRegistered(
        ModelId indexed id,
        address indexed owner,
        bytes32 runtimeId,
        VerificationMode mode,
        uint128 tolerance,
        bytes32 weightsRoot,
        ModelId indexed previous,
        string metadataURI
    );
    error ModelRegistryNotDeployer(address caller, address deployer);
    error ModelRegistryZeroObserver();
    error ModelRegistryObserverAlreadySet(address observer);

    event ModelDeprecated(ModelId indexed id);
    event ModelOwnershipTransferred(ModelId indexed id, address indexed from, address indexed to);
    event ModelObserverSet(address indexed observer);

    /// @notice Registers a model owned by the caller. A registered id is never overwritten.
    /// @dev Rules: id, runtime and URI not empty; mode `EXACT` with tolerance 0 or `TOLERANCE` with
    /// 0 < tolerance <= 1e36; `previous` zero, or a registered model of the caller other than `id` that has no
    /// successor yet.
    /// @param registration The model's id (artifact hash), runtime, policy, weights root, previous version and URI.
    function registerModel(ModelRegistration calldata registration) external;

    /// @notice Marks a model deprecated: nodes can no longer add it and new receipts for it are rejected.
    function deprecateModel(ModelId id) external;

    /// @notice Sets the observer told of every registration and deprecation from now on. Only the deployer, once.
    /// @dev Reverts for the zero address and when an observer is already set: the binding is permanent, so an
    /// observer that checks `modelObserver() == itself` knows it will hear of every later change.
    /// @param observer The attestation registry.
    function setModelObserver(IModelObserver observer) external;

    /// @notice Hands a model to a new owner.
    function transferModel(ModelId id, address newOwner) external;

    /// @notice The registration of `id` (all fields zero when unknown).
    function getModel(ModelId id) external view returns (Model memory);

    /// @notice True when `id` is registered and not deprecated.
    function isActive(ModelId id) external view returns (bool);

    /// @notice The verification mode and tolerance of an active or deprecated model; reverts when unknown.
    function policyOf(ModelId id) external view returns (VerificationMode mode, uint128 tolerance);

    /// @notice The model observer (zero until set).
    function modelObserver() external view returns (IModelObserver);

    /// @notice The model registered with `previous = id` (zero when `id` has no newer version yet).
    function successorOf(ModelId id) external view returns (ModelId);
}
