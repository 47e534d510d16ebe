// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IDataAvailabilityManager} from "../interfaces/IDataAvailabilityManager.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {BatchId} from "../types/BatchId.sol";
import {DemandId} from "../types/DemandId.sol";
import {TokenTransfers} from "../libraries/TokenTransfers.sol";
import {PullCredits} from "../utils/PullCredits.sol";
import {Clock} from "../utils/Clock.sol";
import {BoundedParameters} from "../libraries/BoundedParameters.sol";
import {BasisPoints} from "../libraries/BasisPoints.sol";
import {Slashing} from "../libraries/Slashing.sol";

/// @title Data-availability manager
/// @notice See {IDataAvailabilityManager}.
contract DataAvailabilityManager is IDataAvailabilityManager, AccessControl, ReentrancyGuard, PullCredits, Clock {
    using SafeCast for uint256;

    /// @notice Bounds of `bondFloor` (token units): never free, never prohibitive.
    uint256 public constant MIN_BOND_FLOOR = 1;
    uint256 public constant MAX_BOND_FLOOR = 1e24;

    /// @notice Bounds of `responsePeriod`.
    uint48 public constant MIN_RESPONSE_PERIOD = 10 minutes;
    uint48 public constant MAX_RESPONSE_PERIOD = 7 days;

    /// @notice Bounds of `slashBps`.
    uint16 public constant MIN_SLASH_BPS = 100;
    uint16 public constant MAX_SLASH_BPS = uint16(BasisPoints.WHOLE);

    /// @notice Bounds of `demanderRewardBps`: at most half, so a node demanding from itself still loses.
    uint16 public constant MIN_DEMANDER_REWARD_BPS = 0;
    uint16 public constant MAX_DEMANDER_REWARD_BPS = 5_000;

    IAttestationRegistry private immutable _attestation;
    IStaking private immutable _staking;
    INodeRegistry private immutable _nodes;
    IERC20 private immutable _token;

    uint256 private _bondFloor;
    uint48 private _responsePeriod;
    uint16 private _slashBps;
    uint16 private _demanderRewardBps;
    uint256 private _lastDemandId;
    mapping(DemandId id => Demand) private _demands;
    mapping(BatchId batchId => uint32) private _demandCounts;
    mapping(BatchId batchId => mapping(bytes32 receiptHash => DemandId)) private _revealedBy;

    /// @param attestation The attestation registry (batches and inclusion proofs).
    /// @param staking The staking contract (its token is the bond token); this contract needs its `DISPUTE_ROLE`.
    /// @param nodes The node registry (jail); this contract needs its `DISPUTE_ROLE`.
    /// @param parameters The initial parameters.
    /// @param admin Holder of the default admin role (sets the parameters).
    constructor(
        IAttestationRegistry attestation,
        IStaking staking,
        INodeRegistry nodes,
        Parameters memory parameters,
        address admin
    ) {
        if (
            address(attestation) == address(0) ||
            address(staking) == address(0) ||
            address(nodes) == address(0) ||
            admin == address(0)
        ) revert DataAvailabilityZeroAddress();
        _attestation = attestation;
        _staking = staking;
        _nodes = nodes;
        _token = staking.token();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setBondFloor(parameters.bondFloor);
        _setResponsePeriod(parameters.responsePeriod);
        _setSlashBps(parameters.slashBps);
        _setDemanderRewardBps(parameters.demanderRewardBps);
    }

    // ----------------------------------------------------------------------------------------------------- demands

    /// @inheritdoc IDataAvailabilityManager
    function demand(BatchId batchId, uint256 bond) external nonReentrant returns (DemandId id) {
        return _demand(msg.sender, batchId, bond);
    }

    /// @inheritdoc IDataAvailabilityManager
    function answer(
        DemandId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes32[] calldata proof
    ) external nonReentrant {
        _checkState(id, DemandState.Open);
        Demand storage stored = _demands[id];
        BatchId batchId = stored.batchId;
        bytes32 receiptHash = _attestation.hashReceipt(receipt);
        if (!_attestation.verifyInclusion(receipt, batchId, proof)) {
            revert DataAvailabilityNotIncluded(id, receiptHash, batchId);
        }
        DemandId earlier = _revealedBy[batchId][receiptHash];
        if (DemandId.unwrap(earlier) != 0) revert DataAvailabilityLeafRevealed(batchId, receiptHash, earlier);

        _revealedBy[batchId][receiptHash] = id;
        stored.outcome = Outcome.Answered;
        address node = stored.node;
        _unlock(node, stored.locked);
        _credit(node, stored.bond);
        emit DemandAnswered(id, batchId, node, receiptHash, receipt);
    }

    /// @inheritdoc IDataAvailabilityManager
    function slashUnanswered(DemandId id) external nonReentrant returns (uint256 slashed) {
        _checkState(id, DemandState.Expired);
        Demand storage stored = _demands[id];
        stored.outcome = Outcome.Slashed;
        (address node, address demander, uint256 bond) = (stored.node, stored.demander, stored.bond);

        // Exactly this demand's own lock (slashes never change locks); the slash takes `min(slashAmount, what is
        // left)`.
        _unlock(node, stored.locked);
        // Jails unless already jailed; a node that has deregistered is jailed all the same (the jail outlives
        // re-registration). Before the slash, whose stake notice then writes no sortition tree.
        bool jailed = _nodes.jail(node);
        uint256 amount = stored.slashAmount;
        uint256 reward;
        if (amount != 0) {
            // The demander's share comes here and is credited: a demander that refuses tokens can't block its slash.
            (slashed, reward) = Slashing.slashToSelf(_staking, _token, node, amount, stored.rewardBps);
        }
        _credit(demander, bond + reward);
        emit DemandSlashed(id, stored.batchId, node, demander, slashed, bond, jailed);
    }

    // -------------------------------------------------------------------------------------------------- parameters

    /// @inheritdoc IDataAvailabilityManager
    function setBondFloor(uint256 newBondFloor) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setBondFloor(newBondFloor);
    }

    /// @inheritdoc IDataAvailabilityManager
    function setResponsePeriod(uint48 newResponsePeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setResponsePeriod(newResponsePeriod);
    }

    /// @inheritdoc IDataAvailabilityManager
    function setSlashBps(uint16 newSlashBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSlashBps(newSlashBps);
    }

    /// @inheritdoc IDataAvailabilityManager
    function setDemanderRewardBps(uint16 newDemanderRewardBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDemanderRewardBps(newDemanderRewardBps);
    }

    // ------------------------------------------------------------------------------------------------------- views

    /// @inheritdoc IDataAvailabilityManager
    function getDemand(DemandId id) external view returns (Demand memory) {
        return _demands[id];
    }

    /// @inheritdoc IDataAvailabilityManager
    function state(DemandId id) external view returns (DemandState) {
        return _state(id);
    }

    /// @inheritdoc IDataAvailabilityManager
    function demandCount(BatchId batchId) external view returns (uint32) {
        return _demandCounts[batchId];
    }

    /// @inheritdoc IDataAvailabilityManager
    function revealedBy(BatchId batchId, bytes32 receiptHash) external view returns (DemandId) {
        return _revealedBy[batchId][receiptHash];
    }

    /// @inheritdoc IDataAvailabilityManager
    function nextDemandId() external view returns (DemandId) {
        return DemandId.wrap(_lastDemandId + 1);
    }

    /// @inheritdoc IDataAvailabilityManager
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @inheritdoc IDataAvailabilityManager
    function bondFloor() external view returns (uint256) {
        return _bondFloor;
    }

    /// @inheritdoc IDataAvailabilityManager
    function responsePeriod() external view returns (uint48) {
        return _responsePeriod;
    }

    /// @inheritdoc IDataAvailabilityManager
    function slashBps() external view returns (uint16) {
        return _slashBps;
    }

    /// @inheritdoc IDataAvailabilityManager
    function demanderRewardBps() external view returns (uint16) {
        return _demanderRewardBps;
    }

    // ---------------------------------------------------------------------------------------------------- internal

    function _demand(address demander, BatchId batchId, uint256 bond) internal returns (DemandId id) {
        IAttestationRegistry.Batch memory batch = _attestation.getBatch(batchId);
        if (batch.node == address(0)) revert DataAvailabilityUnknownBatch(batchId);
        uint48 currentTime = _clock();
        if (currentTime >= batch.windowEnd) revert DataAvailabilityWindowClosed(batchId, batch.windowEnd, currentTime);
        uint32 made = _demandCounts[batchId];
        if (made >= batch.count) revert DataAvailabilityTooManyDemands(batchId, batch.count);
        uint256 floor = _bondFloor;
        if (bond < floor) revert DataAvailabilityBondTooLow(bond, floor);

        // Effects before any call: the count, the id and the demand.
        _demandCounts[batchId] = made + 1;
        id = DemandId.wrap(++_lastDemandId);
        uint48 deadline = currentTime + _responsePeriod;
        // Round the slash up: rounding goes against the slashed party.
        uint256 slashAmount = Math.mulDiv(
            _staking.slashableStakeOf(batch.node),
            _slashBps,
            BasisPoints.WHOLE,
            Math.Rounding.Ceil
        );
        Demand storage stored = _demands[id];
        stored.demander = demander;
        stored.deadline = deadline;
        stored.rewardBps = _demanderRewardBps;
        stored.node = batch.node;
        stored.batchId = batchId;
        stored.bond = bond.toUint128();
        stored.slashAmount = slashAmount.toUint128();

        // The whole amount at risk, whatever other judgments locked: a lock only blocks withdrawals.
        stored.locked = slashAmount.toUint128();

        _pullBond(demander, bond);
        if (slashAmount != 0) _staking.lock(batch.node, slashAmount);
        emit DataDemanded(id, batchId, batch.node, demander, bond, deadline, slashAmount, slashAmount);
    }

    /// @dev Takes exactly `amount` tokens from `from`; a token that delivers less (fee on transfer) is refused.
    function _pullBond(address from, uint256 amount) internal {
        uint256 received = TokenTransfers.pullMeasured(_token, from, amount);
        if (received != amount) revert DataAvailabilityTransferAmountMismatch(amount, received);
    }

    /// @dev The stake token, which credits are paid in.
    function _creditToken() internal view override returns (IERC20) {
        return _token;
    }

    /// @dev Releases exactly what one demand locked; always there, since no slash changes a lock.
    function _unlock(address node, uint256 locked) internal {
        if (locked != 0) _staking.unlock(node, locked);
    }

    function _state(DemandId id) internal view returns (DemandState) {
        Demand storage stored = _demands[id];
        if (stored.demander == address(0)) return DemandState.None;
        Outcome outcome = stored.outcome;
        if (outcome == Outcome.Answered) return DemandState.Answered;
        if (outcome == Outcome.Slashed) return DemandState.Slashed;
        return _clock() < stored.deadline ? DemandState.Open : DemandState.Expired;
    }

    function _checkState(DemandId id, DemandState expected) internal view {
        DemandState current = _state(id);
        if (current != expected) revert DataAvailabilityUnexpectedState(id, current, expected);
    }

    function _setBondFloor(uint256 newBondFloor) internal {
        BoundedParameters.check("bondFloor", newBondFloor, MIN_BOND_FLOOR, MAX_BOND_FLOOR);
        _bondFloor = newBondFloor;
        emit ParameterSet("bondFloor", newBondFloor);
    }

    function _setResponsePeriod(uint48 newResponsePeriod) internal {
        BoundedParameters.check("responsePeriod", newResponsePeriod, MIN_RESPONSE_PERIOD, MAX_RESPONSE_PERIOD);
        _responsePeriod = newResponsePeriod;
        emit ParameterSet("responsePeriod", newResponsePeriod);
    }

    function _setSlashBps(uint16 newSlashBps) internal {
        BoundedParameters.check("slashBps", newSlashBps, MIN_SLASH_BPS, MAX_SLASH_BPS);
        _slashBps = newSlashBps;
        emit ParameterSet("slashBps", newSlashBps);
    }

    function _setDemanderRewardBps(uint16 newDemanderRewardBps) internal {
        BoundedParameters.check(
            "demanderRewardBps",
            newDemanderRewardBps,
            MIN_DEMANDER_REWARD_BPS,
            MAX_DEMANDER_REWARD_BPS
        );
        _demanderRewardBps = newDemanderRewardBps;
        emit ParameterSet("demanderRewardBps", newDemanderRewardBps);
    }
}
