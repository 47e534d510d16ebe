// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceRouter} from "../interfaces/IInferenceRouter.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IRouterDisputes} from "../interfaces/IRouterDisputes.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {ReceiptHashing} from "../libraries/ReceiptHashing.sol";
import {BatchId} from "../types/BatchId.sol";
import {ModelId} from "../types/ModelId.sol";
import {RequestId} from "../types/RequestId.sol";
import {TokenTransfers} from "../libraries/TokenTransfers.sol";
import {PullCredits} from "../utils/PullCredits.sol";
import {Clock} from "../utils/Clock.sol";
import {BoundedParameters} from "../libraries/BoundedParameters.sol";
import {BasisPoints} from "../libraries/BasisPoints.sol";

/// @title Inference router
/// @notice See {IInferenceRouter}.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` sets parameters; `PAUSER_ROLE` pauses new requests. The router must hold
/// `Staking.DISPUTE_ROLE` (liveness penalties) and the dispute manager's router role (disputes on disagreement).
contract InferenceRouter is IInferenceRouter, AccessControl, Pausable, ReentrancyGuard, PullCredits, Clock {
    using ReceiptHashing for IAttestationRegistry.InferenceReceipt;

    /// @notice The contracts a router works with.
    struct Wiring {
        IStaking staking;
        INodeRegistry nodes;
        IModelRegistry models;
        IAttestationRegistry attestations;
        IRouterDisputes disputes;
    }

    /// @notice Initial parameters (each within the bounds of its setter).
    struct Parameters {
        uint256 minFeePerNode;
        uint16 protocolFeeBps;
        uint96 livenessPenalty;
        uint8 maxReassignments;
    }

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    uint8 public constant MAX_REDUNDANCY = 5;
    uint48 public constant MIN_RESPONSE_TIME = 1 minutes;
    uint48 public constant MAX_RESPONSE_TIME = 1 days;
    uint32 public constant MAX_CALLBACK_GAS = 1_000_000;
    uint256 public constant MIN_MIN_FEE_PER_NODE = 1;
    uint256 public constant MAX_MIN_FEE_PER_NODE = 1e30;
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 2_000;
    uint96 public constant MAX_LIVENESS_PENALTY = 1_000e18;
    uint8 public constant MAX_REASSIGNMENTS_LIMIT = 3;
    /// @notice Longest `inputURI`, in bytes.
    uint256 public constant MAX_INPUT_URI_LENGTH = 512;
    /// @notice Longest input published on chain (`RequestParams.input`, `publishInput`), in bytes.
    uint256 public constant MAX_INPUT_LENGTH = 16_384;
    /// @notice Sortition draws per slot to fill before giving up (draws may repeat a node already chosen).
    uint256 public constant DRAW_ATTEMPTS_PER_SLOT = 16;

    /// @dev Gas kept for the call itself and the work after it, on top of the consumer's cap.
    uint256 private constant _CALLBACK_GAS_RESERVE = 10_000;
    /// @dev Rank offset that puts receipts not upheld by a dispute after every upheld one.
    uint256 private constant _NOT_UPHELD = 1 << 8;

    IERC20 private immutable _token;
    IStaking private immutable _staking;
    INodeRegistry private immutable _nodes;
    IModelRegistry private immutable _models;
    IAttestationRegistry private immutable _attestations;
    IRouterDisputes private immutable _disputes;

    mapping(RequestId id => Request) private _requests;
    mapping(RequestId id => mapping(uint256 slot => Assignment)) private _assignments;
    mapping(address consumer => uint256) private _nonces;
    uint256 private _minFeePerNode;
    uint96 private _livenessPenalty;
    uint16 private _protocolFeeBps;
    uint8 private _maxReassignments;

    /// @param wiring Staking (its token is the fee token; its treasury takes the protocol share), node registry
    /// (sortition), model registry, attestation registry and dispute manager. None zero.
    /// @param parameters Initial parameters, within bounds.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    constructor(Wiring memory wiring, Parameters memory parameters, address admin) {
        if (
            address(wiring.staking) == address(0) ||
            address(wiring.nodes) == address(0) ||
            address(wiring.models) == address(0) ||
            address(wiring.attestations) == address(0) ||
            address(wiring.disputes) == address(0) ||
            admin == address(0)
        ) revert RouterZeroAddress();
        _staking = wiring.staking;
        _token = wiring.staking.token();
        _nodes = wiring.nodes;
        _models = wiring.models;
        _attestations = wiring.attestations;
        _disputes = wiring.disputes;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setMinFeePerNode(parameters.minFeePerNode);
        _setProtocolFeeBps(parameters.protocolFeeBps);
        _setLivenessPenalty(parameters.livenessPenalty);
        _setMaxReassignments(parameters.maxReassignments);
    }

    // ------------------------------------------------------------------------------------------------- requests

    /// @inheritdoc IInferenceRouter
    function request(RequestParams calldata params) external whenNotPaused nonReentrant returns (RequestId id) {
        return _request(msg.sender, params);
    }

    /// @inheritdoc IInferenceRouter
    function fulfill(
        RequestId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external nonReentrant {
        Request storage r = _requests[id];
        RequestState current = _state(id);
        if (current != RequestState.Pending) {
            // Open with unfilled slots but not pending: its deadline has been reached.
            bool missed = current != RequestState.None && r.outcome == Outcome.Open && r.fulfilled < r.redundancy;
            if (missed) revert RouterDeadlinePassed(id, r.deadline, _clock());
            revert RouterUnexpectedState(id, current, RequestState.Pending);
        }
        if (receipt.requestId != RequestId.unwrap(id)) revert RouterReceiptRequestMismatch(id, receipt.requestId);
        if (receipt.modelId != r.modelId) revert RouterReceiptModelMismatch(id, r.modelId, receipt.modelId);
        if (receipt.inputHash != r.inputHash) revert RouterReceiptInputMismatch(id, r.inputHash, receipt.inputHash);

        uint256 slot = _slotOf(id, r.redundancy, receipt.node);
        if (slot == type(uint256).max) revert RouterNodeNotAssigned(id, receipt.node);
        Assignment storage a = _assignments[id][slot];
        if (a.rank != 0) revert RouterAlreadyFulfilled(id, receipt.node);

        bytes32 receiptHash = receipt.hash();
        IAttestationRegistry.ReceiptState receiptState = _checkAttested(id, a, receipt, receiptHash, batchId, proof);

        uint8 rank = r.fulfilled + 1;
        r.fulfilled = rank;
        a.rank = rank;
        a.receiptHash = receiptHash;
        a.outputHash = receipt.outputHash;
        emit RequestFulfilled(id, receipt.node, receiptHash, receipt.outputHash, batchId, rank);

        // A receipt already under dispute (or upheld by one) needs no second dispute.
        if (receiptState == IAttestationRegistry.ReceiptState.None) {
            _disputeIfDisagreeing(id, r.redundancy, slot, receipt, receiptHash, batchId, proof);
        }
    }

    /// @inheritdoc IInferenceRouter
    function disputeFulfillment(
        RequestId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external nonReentrant {
        Request storage r = _requests[id];
        if (r.consumer == address(0) || r.outcome != Outcome.Open) {
            revert RouterUnexpectedState(id, _state(id), RequestState.Verifying);
        }
        bytes32 receiptHash = receipt.hash();
        uint256 slot = _slotOfReceipt(id, r.redundancy, receiptHash);
        if (slot == type(uint256).max) revert RouterReceiptNotFulfilled(id, receiptHash);
        Assignment storage a = _assignments[id][slot];
        (bool disagrees, bytes32 conflicting) = _conflictingOutput(id, r.redundancy, slot, a.outputHash);
        if (!disagrees) revert RouterNoDisagreement(id, receiptHash);
        address judge = _attestations.fraudJudgeOf(receipt.modelId);
        if (judge != address(0)) revert RouterDisagreementNeedsFraudProof(id, receiptHash, judge);
        emit DisagreementDisputed(id, a.node, receiptHash, a.outputHash);
        _disputes.openRouterDispute(receipt, batchId, proof, conflicting);
    }

    /// @inheritdoc IInferenceRouter
    function publishInput(RequestId id, bytes calldata input) external nonReentrant {
        RequestState current = _state(id);
        if (current != RequestState.Pending) revert RouterUnexpectedState(id, current, RequestState.Pending);
        Request storage r = _requests[id];
        if (r.inputOnChain) revert RouterInputOnChain(id);
        _checkInput(r.inputHash, input);
        r.inputOnChain = true;
        emit InputPublished(id, msg.sender, input);
        if (r.publishBy == 0) return;
        // A claim was open: the nodes get a full response time from now, and the claims are answered.
        uint48 deadline = _clock() + r.responseTime;
        if (deadline > r.deadline) r.deadline = deadline;
        uint256 redundancy = r.redundancy;
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            _assignments[id][slot].inputClaimed = false;
        }
        emit RequestDeadlineExtended(id, r.deadline);
    }

    /// @inheritdoc IInferenceRouter
    function claimInputUnavailable(RequestId id) external nonReentrant {
        RequestState current = _state(id);
        if (current != RequestState.Pending) revert RouterUnexpectedState(id, current, RequestState.Pending);
        Request storage r = _requests[id];
        uint256 slot = _slotOf(id, r.redundancy, msg.sender);
        if (slot == type(uint256).max) revert RouterNodeNotAssigned(id, msg.sender);
        Assignment storage a = _assignments[id][slot];
        if (a.rank != 0) revert RouterAlreadyFulfilled(id, msg.sender);
        if (a.inputClaimed) revert RouterInputAlreadyClaimed(id, msg.sender);
        a.inputClaimed = true;
        uint48 publishBy = r.publishBy;
        if (!r.inputOnChain && publishBy == 0) {
            publishBy = _clock() + r.responseTime;
            r.publishBy = publishBy;
        }
        emit InputClaimedUnavailable(id, msg.sender, r.inputOnChain, publishBy);
    }

    /// @inheritdoc IInferenceRouter
    function reassign(RequestId id) external nonReentrant {
        RequestState current = _state(id);
        if (current != RequestState.Expired) revert RouterUnexpectedState(id, current, RequestState.Expired);
        Request storage r = _requests[id];
        uint256 absent = _penalizeAbsent(id, r);

        uint8 round = r.reassignments + 1;
        uint256 redundancy = r.redundancy;
        address[] memory drawn;
        uint256 count;
        if (_models.isActive(r.modelId)) {
            (drawn, count) = _drawNodes(id, r.modelId, round, absent, _currentNodes(id, redundancy));
        }
        if (count < absent) {
            r.closed = true;
            emit RequestClosed(id, r.reassignments);
            return;
        }

        uint48 deadline = _clock() + r.responseTime;
        r.reassignments = round;
        r.deadline = deadline;
        r.penalized = false;
        emit RequestReassigned(id, round, deadline);
        uint256 next = 0;
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            Assignment storage a = _assignments[id][slot];
            if (a.rank != 0) continue;
            a.node = drawn[next++];
            a.inputClaimed = false;
            emit NodeAssigned(id, a.node, uint8(slot), round, deadline);
        }
    }

    /// @inheritdoc IInferenceRouter
    function settle(RequestId id) external nonReentrant {
        RequestState current = _state(id);
        if (current != RequestState.Settleable) revert RouterUnexpectedState(id, current, RequestState.Settleable);
        Request storage r = _requests[id];
        r.outcome = Outcome.Settled;
        if (r.fulfilled < r.redundancy) _penalizeAbsent(id, r);

        (uint256 paid, uint256 toTreasury, uint256 resultSlot) = _payNodes(id, r);
        (uint256 compensated, uint256 compensationCut) = _compensateClaims(id, r);
        paid += compensated;
        toTreasury += compensationCut;
        // Cannot underflow: each paid or compensated slot pays exactly `fee / redundancy` in total, and a slot is
        // paid (filled) or compensated (unfilled), never both, out of `redundancy` slots.
        uint256 refunded = r.fee - paid - toTreasury;
        _credit(_staking.treasury(), toTreasury);
        _credit(r.consumer, refunded);

        if (resultSlot == type(uint256).max) {
            emit RequestSettled(id, address(0), bytes32(0), paid, toTreasury, refunded);
            return;
        }
        Assignment storage result = _assignments[id][resultSlot];
        emit RequestSettled(id, result.node, result.outputHash, paid, toTreasury, refunded);
        _callback(id, r.consumer, r.callbackGasLimit, result);
    }

    /// @inheritdoc IInferenceRouter
    function refund(RequestId id) external nonReentrant {
        RequestState current = _state(id);
        if (current != RequestState.Unservable) revert RouterUnexpectedState(id, current, RequestState.Unservable);
        Request storage r = _requests[id];
        r.outcome = Outcome.Refunded;
        _penalizeAbsent(id, r);
        (uint256 compensated, uint256 compensationCut) = _compensateClaims(id, r);
        uint256 refunded = r.fee - compensated - compensationCut;
        _credit(_staking.treasury(), compensationCut);
        _credit(r.consumer, refunded);
        emit RequestRefunded(id, r.consumer, refunded);
    }

    // ----------------------------------------------------------------------------------------------- parameters

    /// @inheritdoc IInferenceRouter
    function setMinFeePerNode(uint256 minFeePerNode_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinFeePerNode(minFeePerNode_);
    }

    /// @inheritdoc IInferenceRouter
    function setProtocolFeeBps(uint16 protocolFeeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setProtocolFeeBps(protocolFeeBps_);
    }

    /// @inheritdoc IInferenceRouter
    function setLivenessPenalty(uint96 livenessPenalty_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLivenessPenalty(livenessPenalty_);
    }

    /// @inheritdoc IInferenceRouter
    function setMaxReassignments(uint8 maxReassignments_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxReassignments(maxReassignments_);
    }

    /// @inheritdoc IInferenceRouter
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IInferenceRouter
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------------------------------------------- views

    /// @inheritdoc IInferenceRouter
    function state(RequestId id) external view returns (RequestState) {
        return _state(id);
    }

    /// @inheritdoc IInferenceRouter
    function getRequest(RequestId id) external view returns (Request memory) {
        return _requests[id];
    }

    /// @inheritdoc IInferenceRouter
    function getAssignments(RequestId id) external view returns (Assignment[] memory assignments) {
        uint256 redundancy = _requests[id].redundancy;
        assignments = new Assignment[](redundancy);
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            assignments[slot] = _assignments[id][slot];
        }
    }

    /// @inheritdoc IInferenceRouter
    function nonceOf(address consumer) external view returns (uint256) {
        return _nonces[consumer];
    }

    /// @inheritdoc IInferenceRouter
    function computeRequestId(address consumer, uint256 nonce) external view returns (RequestId) {
        return _requestId(consumer, nonce);
    }

    /// @inheritdoc IInferenceRouter
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @inheritdoc IInferenceRouter
    function minFeePerNode() external view returns (uint256) {
        return _minFeePerNode;
    }

    /// @inheritdoc IInferenceRouter
    function protocolFeeBps() external view returns (uint16) {
        return _protocolFeeBps;
    }

    /// @inheritdoc IInferenceRouter
    function livenessPenalty() external view returns (uint96) {
        return _livenessPenalty;
    }

    /// @inheritdoc IInferenceRouter
    function maxReassignments() external view returns (uint8) {
        return _maxReassignments;
    }

    // ------------------------------------------------------------------------------------------------- internal

    // -------------------------------------------------------------------------------------------------- private

    function _request(address consumer, RequestParams calldata params) private returns (RequestId id) {
        uint48 now_ = _clock();
        _checkParams(params, now_);

        id = _requestId(consumer, _nonces[consumer]++);
        Request storage r = _requests[id];
        r.consumer = consumer;
        r.deadline = params.deadline;
        // Cannot overflow: bounded by MAX_RESPONSE_TIME above.
        r.responseTime = uint32(params.deadline - now_);
        r.redundancy = params.redundancy;
        r.modelId = params.modelId;
        r.inputHash = params.inputHash;
        r.fee = SafeCast.toUint128(params.fee);
        r.livenessPenalty = _livenessPenalty;
        r.callbackGasLimit = params.callbackGasLimit;
        r.createdAt = now_;
        r.protocolFeeBps = _protocolFeeBps;
        r.maxReassignments = _maxReassignments;
        r.inputOnChain = params.input.length != 0;
        emit RequestCreated(
            id,
            consumer,
            params.modelId,
            params.inputHash,
            params.inputURI,
            params.redundancy,
            params.fee,
            params.deadline,
            params.callbackGasLimit
        );
        if (r.inputOnChain) emit InputPublished(id, consumer, params.input);

        (address[] memory drawn, uint256 count) = _drawNodes(
            id,
            params.modelId,
            0,
            params.redundancy,
            new address[](0)
        );
        if (count < params.redundancy) revert RouterNotEnoughNodes(params.modelId, params.redundancy, count);
        for (uint256 slot = 0; slot < count; ++slot) {
            _assignments[id][slot].node = drawn[slot];
            emit NodeAssigned(id, drawn[slot], uint8(slot), 0, params.deadline);
        }

        // Last, under `nonReentrant`: the balance delta rejects fee-on-transfer tokens and reverts everything above.
        uint256 received = TokenTransfers.pullMeasured(_token, consumer, params.fee);
        if (received != params.fee) revert RouterTransferAmountMismatch(params.fee, received);
    }

    /// @dev Reverts on any bound of `params` (see {IInferenceRouter-RequestParams}).
    function _checkParams(RequestParams calldata params, uint48 now_) private view {
        if (!_models.isActive(params.modelId)) revert RouterModelNotActive(params.modelId);
        if (params.inputHash == bytes32(0)) revert RouterZeroInputHash();
        if (bytes(params.inputURI).length > MAX_INPUT_URI_LENGTH) {
            revert RouterInputURITooLong(bytes(params.inputURI).length, MAX_INPUT_URI_LENGTH);
        }
        if (params.input.length != 0) _checkInput(params.inputHash, params.input);
        if (params.redundancy == 0 || params.redundancy > MAX_REDUNDANCY) {
            revert RouterRedundancyOutOfBounds(params.redundancy, 1, MAX_REDUNDANCY);
        }
        if (params.deadline < now_ + MIN_RESPONSE_TIME || params.deadline > now_ + MAX_RESPONSE_TIME) {
            revert RouterDeadlineOutOfBounds(params.deadline, now_ + MIN_RESPONSE_TIME, now_ + MAX_RESPONSE_TIME);
        }
        if (params.callbackGasLimit > MAX_CALLBACK_GAS) {
            revert RouterCallbackGasOutOfBounds(params.callbackGasLimit, MAX_CALLBACK_GAS);
        }
        uint256 minimumFee = _minFeePerNode * params.redundancy;
        if (params.fee < minimumFee) revert RouterFeeTooLow(params.fee, minimumFee);
    }

    /// @dev Reverts unless `input` is at most `MAX_INPUT_LENGTH` bytes and hashes (keccak256, the tensor hash of a
    /// canonical encoding) to `inputHash`.
    function _checkInput(bytes32 inputHash, bytes calldata input) private pure {
        if (input.length > MAX_INPUT_LENGTH) revert RouterInputTooLong(input.length, MAX_INPUT_LENGTH);
        bytes32 actual = keccak256(input);
        if (actual != inputHash) revert RouterInputHashMismatch(inputHash, actual);
    }

    /// @dev Checks that `receipt` is attested, still in its window and not rejected; records its window end in `a`.
    function _checkAttested(
        RequestId id,
        Assignment storage a,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes32 receiptHash,
        BatchId batchId,
        bytes32[] calldata proof
    ) private returns (IAttestationRegistry.ReceiptState receiptState) {
        if (!_attestations.verifyInclusion(receipt, batchId, proof)) {
            revert RouterReceiptNotAttested(id, receiptHash, batchId);
        }
        uint48 windowEnd =
            batchId.isZero() ? _attestations.getReceipt(receipt).windowEnd : _attestations.getBatch(batchId).windowEnd;
        uint48 now_ = _clock();
        // An open window is what lets a disagreement still be disputed.
        if (now_ >= windowEnd) revert RouterReceiptWindowClosed(id, receiptHash, windowEnd, now_);
        receiptState = _attestations.receiptState(receiptHash);
        if (receiptState == IAttestationRegistry.ReceiptState.Rejected) revert RouterReceiptRejected(id, receiptHash);
        a.windowEnd = windowEnd;
    }

    /// @dev Opens a dispute on a just-fulfilled receipt when another fulfilment of the request disagrees with it; for a
    /// fraud-provable model only reports the disagreement (the committee may not judge it; the fraud game needs a
    /// challenger to play it), so the fulfilment stands either way.
    function _disputeIfDisagreeing(
        RequestId id,
        uint256 redundancy,
        uint256 slot,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes32 receiptHash,
        BatchId batchId,
        bytes32[] calldata proof
    ) private {
        (bool disagrees, bytes32 conflicting) = _conflictingOutput(id, redundancy, slot, receipt.outputHash);
        if (!disagrees) return;
        address judge = _attestations.fraudJudgeOf(receipt.modelId);
        if (judge != address(0)) {
            emit DisagreementNeedsFraudProof(id, receipt.node, receiptHash, receipt.outputHash, conflicting, judge);
            return;
        }
        emit DisagreementDisputed(id, receipt.node, receiptHash, receipt.outputHash);
        _disputes.openRouterDispute(receipt, batchId, proof, conflicting);
    }

    /// @dev Credits every slot whose receipt earned its fee (see `_earned`); returns the totals and the slot giving
    /// the result (the earliest-ranked upheld receipt, else the earliest-ranked one; `type(uint256).max` when none).
    function _payNodes(
        RequestId id,
        Request storage r
    ) private returns (uint256 paid, uint256 toTreasury, uint256 resultSlot) {
        uint256 redundancy = r.redundancy;
        uint256 share = r.fee / redundancy;
        uint256 cut = (share * r.protocolFeeBps) / BasisPoints.WHOLE;
        IAttestationRegistry.ReceiptState[] memory states = new IAttestationRegistry.ReceiptState[](redundancy);
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            Assignment storage a = _assignments[id][slot];
            if (a.rank != 0) states[slot] = _attestations.receiptState(a.receiptHash);
        }
        uint256 bestKey = type(uint256).max;
        resultSlot = type(uint256).max;
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            Assignment storage a = _assignments[id][slot];
            if (a.rank == 0 || !_earned(id, redundancy, slot, states)) continue;
            uint256 key = states[slot] == IAttestationRegistry.ReceiptState.Upheld ? a.rank : _NOT_UPHELD + a.rank;
            if (key < bestKey) (bestKey, resultSlot) = (key, slot);
            paid += share - cut;
            toTreasury += cut;
            _credit(a.node, share - cut);
            emit FeePaid(id, a.node, share - cut);
        }
    }

    /// @dev Whether the fulfilled `slot` earned its fee: its receipt was upheld by a dispute; or it was never judged
    /// and every fulfilment of the request that disagrees with it was rejected. A rejected receipt never earns, and
    /// neither does an unjudged one that another unrejected fulfilment contradicts (only a judgment settles which of
    /// two disagreeing outputs is right).
    function _earned(
        RequestId id,
        uint256 redundancy,
        uint256 slot,
        IAttestationRegistry.ReceiptState[] memory states
    ) private view returns (bool) {
        IAttestationRegistry.ReceiptState own = states[slot];
        if (own == IAttestationRegistry.ReceiptState.Upheld) return true;
        if (own == IAttestationRegistry.ReceiptState.Rejected) return false;
        bytes32 outputHash = _assignments[id][slot].outputHash;
        for (uint256 other = 0; other < redundancy; ++other) {
            Assignment storage b = _assignments[id][other];
            if (other == slot || b.rank == 0 || b.outputHash == outputHash) continue;
            if (states[other] != IAttestationRegistry.ReceiptState.Rejected) return false;
        }
        return true;
    }

    /// @dev When the consumer withheld the input (a claim's publication period passed without it), credits each
    /// unfilled slot whose node claimed the input unavailable its share, less the protocol cut. Returns the totals.
    function _compensateClaims(
        RequestId id,
        Request storage r
    ) private returns (uint256 compensated, uint256 toTreasury) {
        if (!_withheld(r)) return (0, 0);
        uint256 redundancy = r.redundancy;
        uint256 share = r.fee / redundancy;
        uint256 cut = (share * r.protocolFeeBps) / BasisPoints.WHOLE;
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            Assignment storage a = _assignments[id][slot];
            if (a.rank != 0 || !a.inputClaimed) continue;
            compensated += share - cut;
            toTreasury += cut;
            _credit(a.node, share - cut);
            emit InputClaimCompensated(id, a.node, share - cut);
        }
    }

    /// @dev The stake token, which credits are paid in.
    function _creditToken() internal view override returns (IERC20) {
        return _token;
    }

    /// @dev Calls the consumer with exactly its gas cap. Return data is never copied (no return bomb); a revert, an
    /// out-of-gas or a reentrant call (blocked by `nonReentrant`) only emits `CallbackFailed`.
    function _callback(RequestId id, address consumer, uint32 gasLimit, Assignment storage result) private {
        if (gasLimit == 0 || consumer.code.length == 0) return;
        bytes memory data = abi.encodeCall(
            IInferenceConsumer.onInferenceResult,
            (id, result.outputHash, result.node, result.receiptHash)
        );
        // EIP-150 passes at most 63/64 of what is left: without this check a keeper could under-fund the
        // transaction so that the callback fails while settlement stands.
        uint256 required = uint256(gasLimit) + gasLimit / 63 + _CALLBACK_GAS_RESERVE;
        uint256 available = gasleft();
        if (available < required) revert RouterInsufficientCallbackGas(id, available, required);
        bool success;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            success := call(gasLimit, consumer, 0, add(data, 0x20), mload(data), 0, 0)
        }
        if (!success) emit CallbackFailed(id, consumer);
    }

    /// @dev Charges the request's liveness penalty, once per round, to every unfilled slot's node, but only when the
    /// input is on chain (so it was provably available) and the node did not claim it unservable. Returns how many
    /// slots are unfilled.
    function _penalizeAbsent(RequestId id, Request storage r) private returns (uint256 absent) {
        uint256 redundancy = r.redundancy;
        bool charge = !r.penalized && r.inputOnChain;
        r.penalized = true;
        uint256 penalty = r.livenessPenalty;
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            Assignment storage a = _assignments[id][slot];
            if (a.rank != 0) continue;
            ++absent;
            if (!charge || a.inputClaimed) continue;
            uint256 slashed = penalty == 0 ? 0 : _staking.slash(a.node, penalty, new address[](0), new uint16[](0));
            emit NodePenalized(id, a.node, penalty, slashed);
        }
    }

    /// @dev Draws up to `needed` distinct nodes serving `model`, none in `exclude` and none jailed at the weights'
    /// block, in at most `needed * DRAW_ATTEMPTS_PER_SLOT` O(log n) draws (a draw on a jailed node's uncleared weight
    /// counts as one). Returns the drawn nodes and how many there are.
    function _drawNodes(
        RequestId id,
        ModelId model,
        uint8 round,
        uint256 needed,
        address[] memory exclude
    ) private view returns (address[] memory drawn, uint256 count) {
        drawn = new address[](needed);
        // Weights of the end of the previous block: fixed before its hash, part of the seed, exists; a stake change in
        // this block (once the seed is known) can't steer the draw.
        uint256 weightsBlock = block.number - 1;
        if (_nodes.totalModelWeightAt(model, weightsBlock) == 0) return (drawn, 0);
        bytes32 base = keccak256(abi.encode(block.prevrandao, blockhash(weightsBlock), id, round));
        uint256 attempts = needed * DRAW_ATTEMPTS_PER_SLOT;
        for (uint256 attempt = 0; attempt < attempts && count < needed; ++attempt) {
            address node = _nodes.drawNodeAt(model, uint256(keccak256(abi.encode(base, attempt))), weightsBlock);
            // Zero: the draw landed on weight a node jailed by `weightsBlock` still holds (cleared lazily).
            if (node == address(0) || _contains(exclude, exclude.length, node) || _contains(drawn, count, node)) {
                continue;
            }
            drawn[count++] = node;
        }
    }

    function _currentNodes(RequestId id, uint256 redundancy) private view returns (address[] memory nodes) {
        nodes = new address[](redundancy);
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            nodes[slot] = _assignments[id][slot].node;
        }
    }

    function _state(RequestId id) private view returns (RequestState) {
        Request storage r = _requests[id];
        if (r.consumer == address(0)) return RequestState.None;
        if (r.outcome == Outcome.Settled) return RequestState.Settled;
        if (r.outcome == Outcome.Refunded) return RequestState.Refunded;
        if (r.fulfilled < r.redundancy) {
            if (_clock() < _openUntil(r)) return RequestState.Pending;
            if (!r.closed && !_withheld(r) && r.reassignments < r.maxReassignments) return RequestState.Expired;
            if (r.fulfilled == 0) return RequestState.Unservable;
        }
        return _allFinalOrRejected(id, r.redundancy) ? RequestState.Settleable : RequestState.Verifying;
    }

    /// @dev Until when fulfilments are taken: the deadline, or the end of an open claim's publication period if later.
    function _openUntil(Request storage r) private view returns (uint48) {
        uint48 publishBy = r.publishBy;
        if (publishBy == 0 || r.inputOnChain) return r.deadline;
        return publishBy > r.deadline ? publishBy : r.deadline;
    }

    /// @dev True once a claim's publication period has passed without the input published on chain: no more rounds.
    function _withheld(Request storage r) private view returns (bool) {
        uint48 publishBy = r.publishBy;
        return publishBy != 0 && !r.inputOnChain && _clock() >= publishBy;
    }

    /// @dev True when every fulfilled slot's window has closed and none is under dispute. The window is the later of
    /// the one cached at fulfilment and the registry's: a dispute that expired undecided extends the receipt's window
    /// there, and the receipt must stay unpaid (and challengeable) until that window closes too.
    function _allFinalOrRejected(RequestId id, uint256 redundancy) private view returns (bool) {
        uint48 now_ = _clock();
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            Assignment storage a = _assignments[id][slot];
            if (a.rank == 0) continue;
            if (now_ < a.windowEnd) return false;
            IAttestationRegistry.ReceiptDispute memory record = _attestations.getReceiptDispute(a.receiptHash);
            if (record.state == IAttestationRegistry.ReceiptState.Disputed || now_ < record.windowEnd) return false;
        }
        return true;
    }

    /// @dev Whether a fulfilled slot other than `slot` claims an output other than `outputHash`, and the output of the
    /// earliest-ranked such slot.
    function _conflictingOutput(
        RequestId id,
        uint256 redundancy,
        uint256 slot,
        bytes32 outputHash
    ) private view returns (bool disagrees, bytes32 conflicting) {
        uint256 bestRank = type(uint256).max;
        for (uint256 other = 0; other < redundancy; ++other) {
            Assignment storage a = _assignments[id][other];
            if (other == slot || a.rank == 0 || a.outputHash == outputHash || a.rank >= bestRank) continue;
            (disagrees, bestRank, conflicting) = (true, a.rank, a.outputHash);
        }
    }

    /// @dev The slot `node` holds now, or `type(uint256).max`.
    function _slotOf(RequestId id, uint256 redundancy, address node) private view returns (uint256) {
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            if (_assignments[id][slot].node == node) return slot;
        }
        return type(uint256).max;
    }

    /// @dev The fulfilled slot whose receipt has struct hash `receiptHash`, or `type(uint256).max`.
    function _slotOfReceipt(RequestId id, uint256 redundancy, bytes32 receiptHash) private view returns (uint256) {
        for (uint256 slot = 0; slot < redundancy; ++slot) {
            Assignment storage a = _assignments[id][slot];
            if (a.rank != 0 && a.receiptHash == receiptHash) return slot;
        }
        return type(uint256).max;
    }

    function _requestId(address consumer, uint256 nonce) private view returns (RequestId) {
        return RequestId.wrap(keccak256(abi.encode(address(this), block.chainid, consumer, nonce)));
    }

    function _setMinFeePerNode(uint256 minFeePerNode_) private {
        BoundedParameters.check("minFeePerNode", minFeePerNode_, MIN_MIN_FEE_PER_NODE, MAX_MIN_FEE_PER_NODE);
        _minFeePerNode = minFeePerNode_;
        emit ParameterSet("minFeePerNode", minFeePerNode_);
    }

    function _setProtocolFeeBps(uint16 protocolFeeBps_) private {
        BoundedParameters.check("protocolFeeBps", protocolFeeBps_, 0, MAX_PROTOCOL_FEE_BPS);
        _protocolFeeBps = protocolFeeBps_;
        emit ParameterSet("protocolFeeBps", protocolFeeBps_);
    }

    function _setLivenessPenalty(uint96 livenessPenalty_) private {
        BoundedParameters.check("livenessPenalty", livenessPenalty_, 0, MAX_LIVENESS_PENALTY);
        _livenessPenalty = livenessPenalty_;
        emit ParameterSet("livenessPenalty", livenessPenalty_);
    }

    function _setMaxReassignments(uint8 maxReassignments_) private {
        BoundedParameters.check("maxReassignments", maxReassignments_, 0, MAX_REASSIGNMENTS_LIMIT);
        _maxReassignments = maxReassignments_;
        emit ParameterSet("maxReassignments", maxReassignments_);
    }

    /// @dev True when `node` is among the first `length` entries of `list`.
    function _contains(address[] memory list, uint256 length, address node) private pure returns (bool) {
        for (uint256 i = 0; i < length; ++i) {
            if (list[i] == node) return true;
        }
        return false;
    }
}
