// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IFraudGame} from "../interfaces/IFraudGame.sol";
import {IFraudJudge} from "../interfaces/IFraudJudge.sol";
import {IInferenceRouter} from "../interfaces/IInferenceRouter.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IOneStepExecutor} from "../interfaces/IOneStepExecutor.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {JudgmentBonds} from "../libraries/JudgmentBonds.sol";
import {ModelHeaderV2} from "../libraries/ModelHeaderV2.sol";
import {PositionalMerkle} from "../libraries/PositionalMerkle.sol";
import {ReceiptHashing} from "../libraries/ReceiptHashing.sol";
import {TokenTransfers} from "../libraries/TokenTransfers.sol";
import {PullCredits} from "../utils/PullCredits.sol";
import {BatchId} from "../types/BatchId.sol";
import {DisputeId} from "../types/DisputeId.sol";
import {ModelId} from "../types/ModelId.sol";
import {RequestId} from "../types/RequestId.sol";
import {Clock} from "../utils/Clock.sol";
import {BoundedParameters} from "../libraries/BoundedParameters.sol";
import {BasisPoints} from "../libraries/BasisPoints.sol";
import {Slashing} from "../libraries/Slashing.sol";

/// @title Fraud-proof dispute game
/// @notice See {IFraudGame}.
/// @dev Needs `DISPUTE_ROLE` on `Staking` (lock, unlock, slash, hold), `NodeRegistry` (jail) and `AttestationRegistry`
/// (open, resolve, expire receipt disputes). Invariant: `token.balanceOf(this) >= _totalBonds + totalClaimable()`.
/// Node moves are bounded: at most 256 tensor roots, 16 tree nodes, one 128-byte chunk or 15 accumulators each.
contract FraudGame is IFraudGame, AccessControl, Pausable, ReentrancyGuard, PullCredits, Clock {
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice `keccak256("verity-int8-v2")`: the only runtime whose receipts this game can decide.
    bytes32 public constant RUNTIME_ID = keccak256("verity-int8-v2");
    /// @notice Tree levels a node reveals per move (16 nodes) and parts an accumulator range splits into.
    uint256 public constant ARITY_BITS = 4;
    uint256 public constant ARITY = 16;
    uint256 public constant MAX_BOND_FLOOR = 1e30;
    uint256 public constant MAX_CHALLENGER_REWARD_BPS = 5_000;
    uint48 public constant MIN_MOVE_PERIOD = 10 minutes;
    uint48 public constant MAX_MOVE_PERIOD = 7 days;
    uint256 private constant CHUNK = 32;
    uint256 private constant CHUNK_BYTES = 128;

    IStaking private immutable _staking;
    INodeRegistry private immutable _nodes;
    IAttestationRegistry private immutable _attestation;
    IModelRegistry private immutable _models;
    IInferenceRouter private immutable _router;
    IOneStepExecutor private immutable _executor;
    IERC20 private immutable _token;

    Parameters private _params;
    uint256 private _gameCount;
    uint256 private _totalBonds;
    mapping(DisputeId id => Game) private _games;

    /// @notice The wiring of a game contract.
    struct Wiring {
        IStaking staking;
        INodeRegistry nodes;
        IAttestationRegistry attestation;
        IModelRegistry models;
        IInferenceRouter router;
        IOneStepExecutor executor;
    }

    constructor(Wiring memory wiring, address admin, Parameters memory params) {
        if (
            address(wiring.staking) == address(0) ||
            address(wiring.nodes) == address(0) ||
            address(wiring.attestation) == address(0) ||
            address(wiring.models) == address(0) ||
            address(wiring.router) == address(0) ||
            address(wiring.executor) == address(0) ||
            admin == address(0)
        ) revert FraudGameZeroAddress();
        _staking = wiring.staking;
        _nodes = wiring.nodes;
        _attestation = wiring.attestation;
        _models = wiring.models;
        _router = wiring.router;
        _executor = wiring.executor;
        _token = wiring.staking.token();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParameters(params);
    }

    // ----------------------------------------------------------------------------------------------------- opening

    /// @inheritdoc IFraudGame
    function challenge(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        address beneficiary,
        uint256 maxBond
    ) external whenNotPaused nonReentrant returns (DisputeId id) {
        return _challenge(receipt, batchId, proof, beneficiary, maxBond);
    }

    /// @inheritdoc IFraudGame
    function challengeFulfillment(
        RequestId requestId,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        address beneficiary,
        uint256 maxBond
    ) external whenNotPaused nonReentrant returns (DisputeId id) {
        bytes32 receiptHash = ReceiptHashing.hash(receipt);
        IInferenceRouter.Assignment[] memory slots = _router.getAssignments(requestId);
        bool found;
        for (uint256 i = 0; i < slots.length && !found; ++i) {
            found = slots[i].rank != 0 && slots[i].receiptHash == receiptHash;
        }
        if (!found || receipt.requestId != RequestId.unwrap(requestId)) {
            revert FraudGameNotFulfillment(requestId, receiptHash);
        }
        return _challenge(receipt, batchId, proof, beneficiary, maxBond);
    }

    // ------------------------------------------------------------------------------------------------------- moves

    /// @inheritdoc IFraudGame
    function revealTensors(DisputeId id, bytes32[] calldata roots) external {
        Game storage g = _nodeMove(id, Phase.RevealTensors);
        uint256 n = roots.length;
        if (n == 0 || n > 256) revert FraudGameBadReveal(id);
        bytes32[] memory padded = new bytes32[](uint256(1) << PositionalMerkle.depthOf(n));
        for (uint256 i = 0; i < n; ++i) padded[i] = roots[i];
        if (PositionalMerkle.rootOf(padded) != g.traceRoot) revert FraudGameBadReveal(id);
        emit TensorsRevealed(id, roots, _advance(g, Phase.PickTensor));
    }

    /// @inheritdoc IFraudGame
    function pickTensor(
        DisputeId id,
        bytes calldata header,
        bytes32 weightsRoot,
        uint256 t,
        bytes32 tensorRoot,
        bytes32[] calldata proof
    ) external {
        Game storage g = _challengerMove(id, Phase.PickTensor);
        uint256 layers = ModelHeaderV2.check(header, weightsRoot, g.modelId);
        if (t > layers) revert FraudGameOutOfRange(id, t, layers);
        if (!PositionalMerkle.verify(proof, g.traceRoot, tensorRoot, t, layers + 1)) revert FraudGameBadReveal(id);
        uint256 size = ModelHeaderV2.tensorSize(header, t);
        uint256 depth = PositionalMerkle.depthOf((size + CHUNK - 1) / CHUNK);
        g.tensor = SafeCast.toUint32(t);
        g.size = SafeCast.toUint32(size);
        g.depth = SafeCast.toUint8(depth);
        g.hi = SafeCast.toUint32(t == 0 ? 1 : ModelHeaderV2.segmentCount(ModelHeaderV2.layer(header, t)));
        g.cursor = tensorRoot;
        emit TensorPicked(id, t, size, depth, _advance(g, depth == 0 ? Phase.RevealChunk : Phase.RevealNodes));
    }

    /// @inheritdoc IFraudGame
    function proveOutputMismatch(
        DisputeId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes calldata header,
        bytes32 weightsRoot,
        bytes32[] calldata proof,
        bytes calldata chunks
    ) external nonReentrant {
        Game storage g = _challengerMove(id, Phase.PickTensor);
        _checkReceipt(id, g, receipt);
        (bool valid, bytes32 outputHash) = _executor.outputHashOf(
            g.modelId,
            g.traceRoot,
            header,
            weightsRoot,
            proof,
            chunks
        );
        // A last tensor no honest run can produce (an int8 output out of range) is itself the node's fault.
        _resolve(id, g, !valid || outputHash != receipt.outputHash, Reason.OutputMismatch, 0, 0);
    }

    /// @inheritdoc IFraudGame
    function revealNodes(DisputeId id, bytes32[] calldata nodes) external {
        Game storage g = _nodeMove(id, Phase.RevealNodes);
        uint256 bits = Math.min(ARITY_BITS, g.depth - g.level);
        if (nodes.length != uint256(1) << bits) revert FraudGameBadReveal(id);
        bytes32[] memory copy = nodes;
        if (PositionalMerkle.rootOf(copy) != g.cursor) revert FraudGameBadReveal(id);
        g.revealed = keccak256(abi.encodePacked(nodes));
        emit NodesRevealed(id, g.level, g.index, nodes, _advance(g, Phase.PickNode));
    }

    /// @inheritdoc IFraudGame
    function pickNode(DisputeId id, bytes32[] calldata nodes, uint256 child) external nonReentrant {
        Game storage g = _challengerMove(id, Phase.PickNode);
        if (keccak256(abi.encodePacked(nodes)) != g.revealed) revert FraudGameBadReveal(id);
        if (child >= nodes.length) revert FraudGameOutOfRange(id, child, nodes.length);
        uint256 bits = Math.min(ARITY_BITS, g.depth - g.level);
        uint256 level = g.level + bits;
        uint256 index = (uint256(g.index) << bits) | child;
        bytes32 node = nodes[child];
        g.level = uint8(level);
        g.index = uint64(index);
        g.cursor = node;
        if (level < g.depth) {
            emit NodePicked(id, level, index, node, _advance(g, Phase.RevealNodes));
            return;
        }
        if (index * CHUNK >= g.size) {
            // A chunk past the tensor's end is a zero leaf in every honest trace.
            if (node == bytes32(0)) revert FraudGameNotDisputable(id);
            _resolve(id, g, true, Reason.PaddingNotZero, 0, 0);
            return;
        }
        emit NodePicked(id, level, index, node, _advance(g, Phase.RevealChunk));
    }

    /// @inheritdoc IFraudGame
    function revealChunk(DisputeId id, bytes calldata data) external {
        Game storage g = _nodeMove(id, Phase.RevealChunk);
        if (data.length != CHUNK_BYTES || keccak256(data) != g.cursor) revert FraudGameBadReveal(id);
        emit ChunkRevealed(id, g.tensor, g.index, data, _advance(g, Phase.PickElement));
    }

    /// @inheritdoc IFraudGame
    function pickElement(DisputeId id, bytes calldata data, uint256 offset) external nonReentrant {
        Game storage g = _challengerMove(id, Phase.PickElement);
        if (g.tensor == 0) revert FraudGameNotDisputable(id);
        (bool padding, int32 value) = _element(id, g, data, offset);
        if (padding) return;
        g.accHi = value;
        emit ElementPicked(id, g.element, value, g.hi, _advance(g, g.hi == 1 ? Phase.Step : Phase.RevealAccumulators));
    }

    /// @inheritdoc IFraudGame
    function proveInputMismatch(
        DisputeId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes calldata data,
        uint256 offset,
        bytes calldata inputEncoding
    ) external nonReentrant {
        Game storage g = _challengerMove(id, Phase.PickElement);
        if (g.tensor != 0) revert FraudGameNotDisputable(id);
        _checkReceipt(id, g, receipt);
        if (keccak256(inputEncoding) != receipt.inputHash) revert FraudGameReceiptMismatch(id, receipt.inputHash);
        (bool padding, int32 value) = _element(id, g, data, offset);
        if (padding) return;
        (bool valid, int256 input) = _executor.inputElementOf(inputEncoding, g.size, g.element);
        // An input the model can't take (not int8, wrong size) never has a correct receipt.
        _resolve(id, g, !valid || input != value, Reason.InputMismatch, input, value);
    }

    /// @inheritdoc IFraudGame
    function revealAccumulators(DisputeId id, int32[] calldata accumulators) external {
        Game storage g = _nodeMove(id, Phase.RevealAccumulators);
        uint256 parts = Math.min(ARITY, g.hi - g.lo);
        if (accumulators.length != parts - 1) revert FraudGameBadReveal(id);
        g.revealed = keccak256(abi.encodePacked(accumulators));
        emit AccumulatorsRevealed(id, g.lo, g.hi, accumulators, _advance(g, Phase.PickAccumulator));
    }

    /// @inheritdoc IFraudGame
    function pickAccumulator(DisputeId id, int32[] calldata accumulators, uint256 part) external {
        Game storage g = _challengerMove(id, Phase.PickAccumulator);
        if (keccak256(abi.encodePacked(accumulators)) != g.revealed) revert FraudGameBadReveal(id);
        uint256 lo = g.lo;
        uint256 span = g.hi - lo;
        uint256 parts = Math.min(ARITY, span);
        if (part >= parts) revert FraudGameOutOfRange(id, part, parts);
        if (part != 0) g.accLo = accumulators[part - 1];
        if (part != parts - 1) g.accHi = accumulators[part];
        uint256 newLo = lo + (span * part) / parts;
        uint256 newHi = lo + (span * (part + 1)) / parts;
        g.lo = uint32(newLo);
        g.hi = uint32(newHi);
        uint48 deadline = _advance(g, newHi - newLo == 1 ? Phase.Step : Phase.RevealAccumulators);
        emit AccumulatorPicked(id, newLo, newHi, g.accLo, g.accHi, deadline);
    }

    /// @inheritdoc IFraudGame
    function proveStep(DisputeId id, IOneStepExecutor.Step calldata step) external nonReentrant {
        Game storage g = _challengerMove(id, Phase.Step);
        if (step.layer != g.tensor || step.element != g.element || step.segment != g.lo || step.accIn != g.accLo)
            revert FraudGameStepMismatch(id);
        int256 computed = _executor.execute(g.modelId, g.traceRoot, step);
        int256 expected = g.accHi;
        _resolve(id, g, computed != expected, Reason.OneStep, expected, computed);
    }

    /// @inheritdoc IFraudGame
    function timeout(DisputeId id) external nonReentrant {
        Game storage g = _games[id];
        Phase phase = g.phase;
        if (phase == Phase.None || phase == Phase.Resolved) revert FraudGameUnexpectedPhase(id, phase, Phase.None);
        uint48 deadline = g.deadline;
        if (_clock() <= deadline) revert FraudGameDeadlineNotPassed(id, deadline);
        _resolve(id, g, _isNodeTurn(phase), Reason.Timeout, 0, 0);
    }

    // -------------------------------------------------------------------------------------------------- governance

    /// @inheritdoc IFraudGame
    function setParameters(Parameters calldata parameters) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParameters(parameters);
    }

    /// @inheritdoc IFraudGame
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IFraudGame
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------------------------------------------- views

    /// @inheritdoc IFraudJudge
    function isFraudProvable(ModelId model) external view returns (bool provable) {
        (provable, ) = _fraudProvable(model);
    }

    /// @inheritdoc IFraudGame
    function getGame(DisputeId id) external view returns (Game memory) {
        return _games[id];
    }

    /// @inheritdoc IFraudGame
    function getParameters() external view returns (Parameters memory) {
        return _params;
    }

    /// @inheritdoc IFraudGame
    function previewBond(address node) external view returns (uint256 bond, uint256 amountAtRisk) {
        Parameters memory p = _params;
        amountAtRisk = JudgmentBonds.amountAtRisk(_staking.slashableStakeOf(node), p.slashBps);
        bond = JudgmentBonds.bondFor(amountAtRisk, p.bondBps, p.bondFloor);
    }

    /// @inheritdoc IFraudGame
    function gameCount() external view returns (uint256) {
        return _gameCount;
    }

    /// @notice Total bonds held for open games.
    function totalBonds() external view returns (uint256) {
        return _totalBonds;
    }

    // --------------------------------------------------------------------------------------------------- internals

    function _challenge(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        address beneficiary,
        uint256 maxBond
    ) internal returns (DisputeId id) {
        if (beneficiary == address(0)) revert FraudGameZeroAddress();
        (bool provable, bytes32 runtimeId) = _fraudProvable(receipt.modelId);
        if (!provable) revert FraudGameModelNotFraudProvable(ModelId.unwrap(receipt.modelId), runtimeId);
        // The registry checks inclusion, the window (`now < windowEnd`) and that no dispute holds the receipt: the
        // same checks every dispute path goes through.
        (bytes32 receiptHash, ) = _attestation.openDispute(receipt, batchId, proof);
        id = _open(receipt, receiptHash, beneficiary, maxBond);
        Game storage g = _games[id];
        uint256 bond = g.bond;
        emit GameOpened(id, receiptHash, g.node, batchId, msg.sender, beneficiary, bond, g.amountAtRisk, g.deadline);
        uint256 received = TokenTransfers.pullMeasured(_token, msg.sender, bond);
        if (received != bond) revert FraudGameTransferAmountMismatch(bond, received);
    }

    /// @dev The one rule of which receipts this game decides (`isFraudProvable`, `_challenge` and, through the former,
    /// the attestation registry's gate): `model` is registered EXACT with runtime `RUNTIME_ID`. Also returns the
    /// model's runtime id (zero for an unknown model).
    function _fraudProvable(ModelId model) internal view returns (bool provable, bytes32 runtimeId) {
        IModelRegistry.Model memory m = _models.getModel(model);
        runtimeId = m.runtimeId;
        provable = runtimeId == RUNTIME_ID && m.mode == IModelRegistry.VerificationMode.EXACT;
    }

    function _open(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes32 receiptHash,
        address beneficiary,
        uint256 maxBond
    ) internal returns (DisputeId id) {
        Parameters memory p = _params;
        // The snapshot: what this game can slash is fixed now, whatever happens to the stake later.
        uint256 atRisk = JudgmentBonds.amountAtRisk(_staking.slashableStakeOf(receipt.node), p.slashBps);
        uint256 bond = JudgmentBonds.bondFor(atRisk, p.bondBps, p.bondFloor);
        if (bond > maxBond) revert FraudGameBondAboveMaximum(bond, maxBond);
        // Only blocks withdrawals; never capped by what other judgments locked.
        _staking.lock(receipt.node, atRisk);

        id = DisputeId.wrap(++_gameCount);
        Game storage g = _games[id];
        g.node = receipt.node;
        g.challengerRewardBps = p.challengerRewardBps;
        g.nodeBondShareBps = p.nodeBondShareBps;
        g.challenger = msg.sender;
        g.movePeriod = p.movePeriod;
        g.beneficiary = beneficiary;
        g.receiptHash = receiptHash;
        g.modelId = ModelId.unwrap(receipt.modelId);
        g.traceRoot = receipt.traceRoot;
        g.bond = SafeCast.toUint128(bond);
        g.amountAtRisk = SafeCast.toUint128(atRisk);
        _totalBonds += bond;
        _advance(g, Phase.RevealTensors);
    }

    function _isNodeTurn(Phase phase) internal pure returns (bool) {
        return
            phase == Phase.RevealTensors ||
            phase == Phase.RevealNodes ||
            phase == Phase.RevealChunk ||
            phase == Phase.RevealAccumulators;
    }

    function _move(DisputeId id, Phase expected, address party) internal view returns (Game storage g) {
        g = _games[id];
        if (g.phase != expected) revert FraudGameUnexpectedPhase(id, g.phase, expected);
        if (msg.sender != party) revert FraudGameNotParty(id, msg.sender, party);
        if (_clock() > g.deadline) revert FraudGameDeadlinePassed(id, g.deadline);
    }

    function _nodeMove(DisputeId id, Phase expected) internal view returns (Game storage) {
        return _move(id, expected, _games[id].node);
    }

    function _challengerMove(DisputeId id, Phase expected) internal view returns (Game storage) {
        return _move(id, expected, _games[id].challenger);
    }

    /// @dev Hands the move to the other side with a fresh deadline.
    function _advance(Game storage g, Phase next) internal returns (uint48 deadline) {
        deadline = _clock() + g.movePeriod;
        g.phase = next;
        g.deadline = deadline;
    }

    function _checkReceipt(
        DisputeId id,
        Game storage g,
        IAttestationRegistry.InferenceReceipt calldata receipt
    ) internal view {
        bytes32 receiptHash = ReceiptHashing.hash(receipt);
        if (receiptHash != g.receiptHash) revert FraudGameReceiptMismatch(id, receiptHash);
    }

    /// @dev Element `offset` of the revealed chunk. An element past the tensor's end must be zero: a non-zero one ends
    /// the game against the node (`padding` true); a zero one can't be disputed.
    function _element(
        DisputeId id,
        Game storage g,
        bytes calldata data,
        uint256 offset
    ) internal returns (bool padding, int32 value) {
        if (keccak256(data) != g.cursor || data.length != CHUNK_BYTES) revert FraudGameBadReveal(id);
        if (offset >= CHUNK) revert FraudGameOutOfRange(id, offset, CHUNK);
        value = int32(uint32(bytes4(data[4 * offset:4 * offset + 4])));
        uint256 element = uint256(g.index) * CHUNK + offset;
        if (element >= g.size) {
            if (value == 0) revert FraudGameNotDisputable(id);
            _resolve(id, g, true, Reason.PaddingNotZero, 0, value);
            return (true, value);
        }
        g.element = uint32(element);
        g.claimed = value;
    }

    /// @dev Ends a game. Node wrong: slash the amount at risk fixed at the challenge, reward the challenger, jail the
    /// node, reject the receipt. Challenger wrong: its bond is forfeited (node share, rest to the treasury) and the
    /// receipt is challengeable again with its window extended by the time it was frozen.
    function _resolve(
        DisputeId id,
        Game storage g,
        bool nodeWrong,
        Reason reason,
        int256 expected,
        int256 computed
    ) internal {
        g.phase = Phase.Resolved;
        g.outcome = nodeWrong ? Outcome.NodeWrong : Outcome.NodeRight;
        address node = g.node;
        uint256 bond = g.bond;
        uint256 atRisk = g.amountAtRisk;
        _totalBonds -= bond;
        // Exactly this game's own lock.
        _staking.unlock(node, atRisk);
        uint256 slashed;
        uint256 reward;
        if (nodeWrong) {
            // Jail first (O(1): a jail record, no tree write): the slash's stake notice then finds the node jailed
            // and writes no sortition tree (slashing first would rewrite the tree of every model it serves).
            _nodes.jail(node);
            (slashed, reward) = _slash(g, node, atRisk);
            _credit(id, g.beneficiary, bond + reward);
            _attestation.resolveDispute(g.receiptHash, true);
        } else {
            uint256 toNode = (bond * g.nodeBondShareBps) / BasisPoints.WHOLE;
            _credit(id, node, toNode);
            _credit(id, _staking.treasury(), bond - toNode);
            uint48 windowEnd = _attestation.expireDispute(g.receiptHash);
            _staking.extendSlashableUntil(node, windowEnd);
        }
        emit GameResolved(id, g.outcome, reason, slashed, reward, expected, computed);
    }

    function _slash(Game storage g, address node, uint256 atRisk) internal returns (uint256 slashed, uint256 reward) {
        if (atRisk == 0) return (0, 0);
        (slashed, reward) = Slashing.slashToSelf(_staking, _token, node, atRisk, g.challengerRewardBps);
    }

    function _credit(DisputeId id, address account, uint256 amount) internal {
        if (amount == 0) return;
        _addCredit(account, amount);
        emit RewardCredited(id, account, amount);
    }

    /// @dev The stake token, which credits are paid in.
    function _creditToken() internal view override returns (IERC20) {
        return _token;
    }

    function _setParameters(Parameters memory p) internal {
        BoundedParameters.check("bondFloor", p.bondFloor, 1, MAX_BOND_FLOOR);
        BoundedParameters.check("bondBps", p.bondBps, 0, BasisPoints.WHOLE);
        BoundedParameters.check("slashBps", p.slashBps, 1, BasisPoints.WHOLE);
        BoundedParameters.check("challengerRewardBps", p.challengerRewardBps, 0, MAX_CHALLENGER_REWARD_BPS);
        BoundedParameters.check("nodeBondShareBps", p.nodeBondShareBps, 0, BasisPoints.WHOLE);
        BoundedParameters.check("movePeriod", p.movePeriod, MIN_MOVE_PERIOD, MAX_MOVE_PERIOD);
        _params = p;
        emit ParametersSet(p);
    }
}
