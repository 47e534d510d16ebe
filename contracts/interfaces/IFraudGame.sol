// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttestationRegistry} from "./IAttestationRegistry.sol";
import {IBoundedParameters} from "./IBoundedParameters.sol";
import {IFraudJudge} from "./IFraudJudge.sol";
import {IOneStepExecutor} from "./IOneStepExecutor.sol";
import {IPullCredits} from "./IPullCredits.sol";
import {BatchId} from "../types/BatchId.sol";
import {DisputeId} from "../types/DisputeId.sol";
import {RequestId} from "../types/RequestId.sol";

/// @title Fraud-proof dispute game (EXACT models of the integer runtime v2)
/// @notice A bonded challenge of one receipt, decided by the chain alone: the node reveals its trace step by step
/// (tensor roots, then tree nodes down to one chunk), the challenger narrows it to one element, then, for dense and
/// conv2d, to one segment of that element's accumulator; the last step is re-executed on chain by the
/// `OneStepExecutor` against weights proven by the model id and inputs proven by the trace root. Every move has a
/// deadline; the side whose move it is when it passes loses. A node found wrong is slashed the amount at risk fixed at
/// the challenge, its receipt is `Rejected`; a challenger found wrong forfeits its bond and the receipt becomes
/// challengeable again (a lost challenge proves nothing about the receipt, so it never upholds it).
///
/// It is the attestation registry's fraud judge (`IAttestationRegistry.setFraudJudge`): receipts of the models it can
/// decide (`isFraudProvable`) can be disputed only here, never through the committee of `DisputeManager`.
interface IFraudGame is IFraudJudge, IPullCredits, IBoundedParameters {
    /// @notice Whose move it is and what it is.
    enum Phase {
        None,
        /// node: reveal the L + 1 tensor roots
        RevealTensors,
        /// challenger: pick a tensor (or prove the output does not match the last tensor)
        PickTensor,
        /// node: reveal the 2^b nodes below the current tree node
        RevealNodes,
        /// challenger: pick one of them
        PickNode,
        /// node: reveal the current chunk's 128 bytes
        RevealChunk,
        /// challenger: pick an element of the chunk (or prove the input element differs)
        PickElement,
        /// node: reveal accumulators splitting the current segment range
        RevealAccumulators,
        /// challenger: pick a sub-range
        PickAccumulator,
        /// challenger: run the one-step
        Step,
        Resolved
    }

    enum Outcome {
        None,
        NodeWrong,
        NodeRight
    }

    /// @notice Why a game ended.
    enum Reason {
        OneStep,
        InputMismatch,
        OutputMismatch,
        PaddingNotZero,
        Timeout
    }

    /// @notice Governance parameters; each game keeps the values it opened with.
    /// @param bondFloor Least bond.
    /// @param bondBps Bond as a share of the amount at risk (the larger of the two is taken).
    /// @param slashBps Share of the node's slashable stake at risk in one game.
    /// @param challengerRewardBps Share of the slash paid to the winning challenger (≤ 50 %).
    /// @param nodeBondShareBps Share of a losing challenger's bond paid to the node; the rest goes to the treasury.
    /// @param movePeriod Seconds each side has for each move.
    struct Parameters {
        uint256 bondFloor;
        uint16 bondBps;
        uint16 slashBps;
        uint16 challengerRewardBps;
        uint16 nodeBondShareBps;
        uint48 movePeriod;
    }

    /// @notice A game. `cursor` is the tree node (or chunk hash) the game stands on; `revealed` the hash of the last
    /// list the node revealed; `lo`/`hi` the segment range with the node's accumulators `accLo`/`accHi` at its ends.
    struct Game {
        address node;
        Phase phase;
        Outcome outcome;
        uint48 deadline;
        uint16 challengerRewardBps;
        uint16 nodeBondShareBps;
        address challenger;
        uint48 movePeriod;
        uint8 level;
        uint8 depth;
        uint32 tensor;
        address beneficiary;
        uint32 element;
        uint32 lo;
        uint32 hi;
        bytes32 receiptHash;
        bytes32 modelId;
        bytes32 traceRoot;
        bytes32 cursor;
        bytes32 revealed;
        uint128 bond;
        uint128 amountAtRisk;
        uint64 index;
        int32 claimed;
        int32 accLo;
        int32 accHi;
        uint32 size;
    }

    error FraudGameZeroAddress();
    error FraudGameModelNotFraudProvable(bytes32 modelId, bytes32 runtimeId);
    error FraudGameNotFulfillment(RequestId requestId, bytes32 receiptHash);
    error FraudGameBondAboveMaximum(uint256 bond, uint256 maxBond);
    error FraudGameTransferAmountMismatch(uint256 expected, uint256 received);
    error FraudGameUnexpectedPhase(DisputeId id, Phase current, Phase expected);
    error FraudGameNotParty(DisputeId id, address caller, address expected);
    error FraudGameDeadlinePassed(DisputeId id, uint48 deadline);
    error FraudGameDeadlineNotPassed(DisputeId id, uint48 deadline);
    error FraudGameBadReveal(DisputeId id);
    error FraudGameOutOfRange(DisputeId id, uint256 value, uint256 bound);
    error FraudGameReceiptMismatch(DisputeId id, bytes32 receiptHash);
    error FraudGameNotDisputable(DisputeId id);
    error FraudGameStepMismatch(DisputeId id);

    event GameOpened(
        DisputeId indexed id,
        bytes32 indexed receiptHash,
        address indexed node,
        BatchId batchId,
        address challenger,
        address beneficiary,
        uint256 bond,
        uint256 amountAtRisk,
        uint48 deadline
    );
    event TensorsRevealed(DisputeId indexed id, bytes32[] roots, uint48 deadline);
    event TensorPicked(DisputeId indexed id, uint256 tensor, uint256 size, uint256 depth, uint48 deadline);
    event NodesRevealed(DisputeId indexed id, uint256 level, uint256 index, bytes32[] nodes, uint48 deadline);
    event NodePicked(DisputeId indexed id, uint256 level, uint256 index, bytes32 node, uint48 deadline);
    event ChunkRevealed(DisputeId indexed id, uint256 tensor, uint256 index, bytes data, uint48 deadline);
    event ElementPicked(DisputeId indexed id, uint256 element, int256 claimed, uint256 segments, uint48 deadline);
    event AccumulatorsRevealed(DisputeId indexed id, uint256 lo, uint256 hi, int32[] accumulators, uint48 deadline);
    event AccumulatorPicked(DisputeId indexed id, uint256 lo, uint256 hi, int256 accLo, int256 accHi, uint48 deadline);
    event GameResolved(
        DisputeId indexed id,
        Outcome outcome,
        Reason reason,
        uint256 slashed,
        uint256 challengerReward,
        int256 expected,
        int256 computed
    );
    event RewardCredited(DisputeId indexed id, address indexed account, uint256 amount);
    event ParametersSet(Parameters parameters);

    /// @notice Opens a game on `receipt` (attested singly when `batchId` is zero, else in that batch with `proof`):
    /// pulls the bond, locks the amount at risk, freezes the receipt in the attestation registry.
    /// @dev The model must be fraud-provable (`isFraudProvable`: registered EXACT with the runtime `verity-int8-v2`),
    /// else `FraudGameModelNotFraudProvable`; the registry checks inclusion, the window and that no dispute holds the
    /// receipt. The node reveals its tensor roots first.
    function challenge(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        address beneficiary,
        uint256 maxBond
    ) external returns (DisputeId id);

    /// @notice Same as `challenge`, for a receipt that fulfils router request `requestId` (checked against the router's
    /// assignments).
    function challengeFulfillment(
        RequestId requestId,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        address beneficiary,
        uint256 maxBond
    ) external returns (DisputeId id);

    /// @notice Node: reveals the L + 1 tensor roots; their positional root must be the receipt's trace root.
    function revealTensors(DisputeId id, bytes32[] calldata roots) external;

    /// @notice Challenger: picks tensor `t` (the first one that differs from the honest trace), proven by `proof`.
    function pickTensor(
        DisputeId id,
        bytes calldata header,
        bytes32 weightsRoot,
        uint256 t,
        bytes32 tensorRoot,
        bytes32[] calldata proof
    ) external;

    /// @notice Challenger: when every tensor matches the honest trace, shows that the receipt's output hash is not
    /// the output of the last tensor (given whole, at most 1,024 elements).
    function proveOutputMismatch(
        DisputeId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes calldata header,
        bytes32 weightsRoot,
        bytes32[] calldata proof,
        bytes calldata chunks
    ) external;

    /// @notice Node: reveals the nodes `b` levels below the cursor (`b = min(4, depth - level)`).
    function revealNodes(DisputeId id, bytes32[] calldata nodes) external;

    /// @notice Challenger: moves the cursor to `nodes[child]` (the list the node revealed).
    function pickNode(DisputeId id, bytes32[] calldata nodes, uint256 child) external;

    /// @notice Node: reveals the chunk the cursor stands on.
    function revealChunk(DisputeId id, bytes calldata data) external;

    /// @notice Challenger: picks element `offset` of the revealed chunk.
    function pickElement(DisputeId id, bytes calldata data, uint256 offset) external;

    /// @notice Challenger, on tensor 0: shows the node's input element differs from the receipt's input tensor.
    function proveInputMismatch(
        DisputeId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes calldata data,
        uint256 offset,
        bytes calldata inputEncoding
    ) external;

    /// @notice Node: reveals the accumulators at the inner boundaries of `min(16, hi - lo)` equal parts of [lo, hi].
    function revealAccumulators(DisputeId id, int32[] calldata accumulators) external;

    /// @notice Challenger: narrows to part `part` of the revealed split.
    function pickAccumulator(DisputeId id, int32[] calldata accumulators, uint256 part) external;

    /// @notice Challenger: the one-step. The node loses if the executor's value differs from its claim, else the
    /// challenger loses.
    function proveStep(DisputeId id, IOneStepExecutor.Step calldata step) external;

    /// @notice Anyone, after a deadline: the side whose move it was loses.
    function timeout(DisputeId id) external;

    /// @notice Sets the parameters of games opened from now on. Admin only, each within its bounds.
    function setParameters(Parameters calldata parameters) external;

    /// @notice Stops new challenges; open games go on (moves, timeouts and claims are never paused). Pauser only.
    function pause() external;

    /// @notice Undoes `pause`. Pauser only.
    function unpause() external;

    /// @notice Game `id` (zeroed when it does not exist).
    function getGame(DisputeId id) external view returns (Game memory);

    /// @notice The parameters new games open with.
    function getParameters() external view returns (Parameters memory);

    /// @notice The bond a challenge of `node` would take now, and the amount it would put at risk.
    function previewBond(address node) external view returns (uint256 bond, uint256 amountAtRisk);

    /// @notice Games opened so far (ids run from 1).
    function gameCount() external view returns (uint256);
}
