// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IModelObserver} from "../interfaces/IModelObserver.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ModelId} from "../types/ModelId.sol";
import {Clock} from "../utils/Clock.sol";

/// @title ModelRegistry
/// @notice Permissionless registry of models by artifact hash. There is no admin: a model belongs to its owner. The
/// deployer only wires the model observer, once.
contract ModelRegistry is IModelRegistry, Clock {
    /// @notice The largest `TOLERANCE` tolerance accepted (1e36 = 1e18 in 18-decimal fixed point).
    uint128 public constant MAX_TOLERANCE = 1e36;

    /// @notice Longest `metadataURI`, in bytes (bounds what a reader of `getModel` copies).
    uint256 public constant MAX_METADATA_URI_LENGTH = 512;

    /// @dev The account that may set the model observer, once.
    address private immutable _deployer;

    /// @dev Stored as `IModelRegistry.Model`, whose field order packs it: slot 0 = owner (20 bytes) + mode (1) +
    /// status (1) + registeredAt (6) = 28 bytes; slot 1 = tolerance (16); slots 2-4 = runtimeId, weightsRoot,
    /// previous; slot 5 = metadataURI. Registration writes 6 slots (more for a URI over 31 bytes); deprecation and
    /// transfer rewrite slot 0 only.
    mapping(ModelId id => Model) private _models;
    /// @dev The model that names `id` as its previous version; versions form a chain without forks.
    mapping(ModelId id => ModelId successor) private _successors;
    IModelObserver private _modelObserver;

    constructor() {
        _deployer = msg.sender;
    }

    /// @inheritdoc IModelRegistry
    function registerModel(ModelRegistration calldata registration) external {
        _registerModel(msg.sender, registration);
    }

    /// @inheritdoc IModelRegistry
    function deprecateModel(ModelId id) external {
        Model storage model = _checkOwner(id, msg.sender);
        if (model.status == ModelStatus.Deprecated) revert ModelRegistryAlreadyDeprecated(id);
        model.status = ModelStatus.Deprecated;
        emit ModelDeprecated(id);
        _notifyObserver(id);
    }

    /// @inheritdoc IModelRegistry
    function transferModel(ModelId id, address newOwner) external {
        Model storage model = _checkOwner(id, msg.sender);
        if (newOwner == address(0)) revert ModelRegistryZeroOwner();
        model.owner = newOwner;
        emit ModelOwnershipTransferred(id, msg.sender, newOwner);
    }

    /// @inheritdoc IModelRegistry
    function setModelObserver(IModelObserver observer) external {
        if (msg.sender != _deployer) revert ModelRegistryNotDeployer(msg.sender, _deployer);
        if (address(observer) == address(0)) revert ModelRegistryZeroObserver();
        IModelObserver current = _modelObserver;
        if (address(current) != address(0)) revert ModelRegistryObserverAlreadySet(address(current));
        _modelObserver = observer;
        emit ModelObserverSet(address(observer));
    }

    /// @inheritdoc IModelRegistry
    function getModel(ModelId id) external view returns (Model memory) {
        return _models[id];
    }

    /// @inheritdoc IModelRegistry
    function isActive(ModelId id) external view returns (bool) {
        return _models[id].status == ModelStatus.Active;
    }

    /// @inheritdoc IModelRegistry
    function policyOf(ModelId id) external view returns (VerificationMode mode, uint128 tolerance) {
        Model storage model = _models[id];
        if (model.status == ModelStatus.None) revert ModelRegistryUnknownModel(id);
        return (model.mode, model.tolerance);
    }

    /// @inheritdoc IModelRegistry
    function modelObserver() external view returns (IModelObserver) {
        return _modelObserver;
    }

    /// @inheritdoc IModelRegistry
    function successorOf(ModelId id) external view returns (ModelId) {
        return _successors[id];
    }

    function _registerModel(address owner, ModelRegistration calldata registration) private {
        ModelId id = registration.id;
        if (id.isZero()) revert ModelRegistryZeroId();
        if (registration.runtimeId == bytes32(0)) revert ModelRegistryZeroRuntime();
        uint256 uriLength = bytes(registration.metadataURI).length;
        if (uriLength == 0) revert ModelRegistryEmptyURI();
        if (uriLength > MAX_METADATA_URI_LENGTH) {
            revert ModelRegistryMetadataURITooLong(uriLength, MAX_METADATA_URI_LENGTH);
        }
        if (_models[id].status != ModelStatus.None) revert ModelRegistryAlreadyRegistered(id);
        _checkPolicy(registration.mode, registration.tolerance);
        ModelId previous = registration.previous;
        if (!previous.isZero()) {
            if (previous == id) revert ModelRegistrySelfReference(id);
            _checkOwner(previous, owner);
            ModelId successor = _successors[previous];
            if (!successor.isZero()) revert ModelRegistryAlreadySuperseded(previous, successor);
            _successors[previous] = id;
        }

        _models[id] = Model({
            owner: owner,
            mode: registration.mode,
            status: ModelStatus.Active,
            registeredAt: _clock(),
            tolerance: registration.tolerance,
            runtimeId: registration.runtimeId,
            weightsRoot: registration.weightsRoot,
            previous: previous,
            metadataURI: registration.metadataURI
        });
        emit ModelRegistered(
            id,
            owner,
            registration.runtimeId,
            registration.mode,
            registration.tolerance,
            registration.weightsRoot,
            previous,
            registration.metadataURI
        );
        _notifyObserver(id);
    }

    /// @dev Tells the observer, when set, that `id`'s active status changed. The observer is trusted wiring (the
    /// attestation registry); its revert reverts the change, so its copy can never fall behind.
    function _notifyObserver(ModelId id) private {
        IModelObserver observer = _modelObserver;
        if (address(observer) != address(0)) observer.modelChanged(id);
    }

    function _checkOwner(ModelId id, address caller) private view returns (Model storage model) {
        model = _models[id];
        if (model.status == ModelStatus.None) revert ModelRegistryUnknownModel(id);
        if (model.owner != caller) revert ModelRegistryNotOwner(id, caller, model.owner);
    }

    /// @dev Only modes with a working verifier are accepted: EXACT (integer replay, no tolerance) and TOLERANCE.
    function _checkPolicy(VerificationMode mode, uint128 tolerance) private pure {
        if (mode == VerificationMode.TEE || mode == VerificationMode.ZK) revert ModelRegistryModeNotSupported(mode);
        bool valid = mode == VerificationMode.EXACT ? tolerance == 0 : tolerance > 0 && tolerance <= MAX_TOLERANCE;
        if (!valid) revert ModelRegistryInvalidTolerance(mode, tolerance);
    }
}
