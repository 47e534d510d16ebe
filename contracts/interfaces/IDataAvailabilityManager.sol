// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {BatchId} from "../types/BatchId.sol";
import {DemandId} from "../types/DemandId.sol";
import {IAttestationRegistry} from "./IAttestationRegistry.sol";
import {IBoundedParameters} from "./IBoundedParameters.sol";
import {IPullCredits} from "./IPullCredits.sol";

/// @title Data-availability manager
/// @notice Makes a node serve the receipts of the batches it attested. While a batch's challenge window is open,
/// anyone may demand a leaf of it, posting a bond in the stake token. The node (or anyone holding its data) answers
/// on chain with a receipt of that batch and its Merkle proof before the response deadline. Answered in time: the
/// bond goes to the node, as compensation for the griefing. Not answered: anyone calls `slashUnanswered`, and the
/// node is slashed as if the receipt were wrong; the demander gets the bond back plus a share of the slash, the
/// rest goes to the staking treasury, and the node is jailed.
///
/// Payments are pulled: what a demand pays the node or the demander is credited to it here (`claimableOf`) and
/// withdrawn with `claim(to)` (see {IPullCredits}). No token transfer to a party other than the caller happens inside
/// `answer` or `slashUnanswered`, so a recipient that refuses tokens (a blacklisted address, an ERC-777-style hook that
/// reverts) can block only its own claim, never a slash or an answer.
/// @dev Holds `DISPUTE_ROLE` on `Staking` (to lock, unlock and slash) and on `NodeRegistry` (to jail).
///
/// Why "a leaf not revealed before" and not "leaf number i": batches are OpenZeppelin `StandardMerkleTree`s, which
/// hash sibling pairs sorted, so a proof does not bind a leaf's position and a demand can't name an index the node
/// must open. Instead each answer must reveal a receipt of the batch that no earlier answer revealed, and a batch
/// takes at most `count` demands. A node can answer all of them only by revealing `count` distinct leaves: the whole
/// batch, which is exactly the data it claimed to hold. A node that can't produce a fresh leaf is slashed.
///
/// Lifecycle (computed by `state`, from the stored deadline and outcome): `Open` from the demand until the deadline
/// (exclusive), `Expired` from the deadline on while unanswered, then `Answered` or `Slashed` for good. Answering
/// at `now == deadline` is too late; slashing at `now == deadline` is allowed.
///
/// For the demand's lifetime the node's stake is locked (`Staking.lock`) by the amount the demand would slash, fixed
/// at demand time from the node's slashable stake and not reduced by other judgments' locks (locks only block
/// withdrawals), and unlocked (exactly that amount) when it is answered or slashed. An unanswered demand slashes
/// `min(slashAmount, what the node has left)`: a node's own demands, answered or not, can't shrink what a dispute or
/// another demand puts at risk. Bonds, the response period and the shares are fixed per demand when
/// it is made; later parameter changes do not touch open demands.
interface IDataAvailabilityManager is IPullCredits, IBoundedParameters {
    /// @notice Lifecycle of a demand.
    enum DemandState {
        None,
        Open,
        Expired,
        Answered,
        Slashed
    }

    /// @notice What ended a demand (stored; `DemandState` is derived from it and the deadline).
    enum Outcome {
        Pending,
        Answered,
        Slashed
    }

    /// @notice A demand. Slot 0: `demander` (20) + `deadline` (6) + `rewardBps` (2) + `outcome` (1); slot 1:
    /// `node` (20); slot 2: `batchId`; slot 3: `bond` (16) + `slashAmount` (16); slot 4: `locked` (16).
    /// @param demander Who demanded and posted the bond (zero when no such demand).
    /// @param deadline The answer must come strictly before it.
    /// @param rewardBps The demander's share of a slash, in basis points (fixed at demand time).
    /// @param outcome Pending, answered or slashed.
    /// @param node The node that attested the batch.
    /// @param batchId The batch demanded.
    /// @param bond The demander's bond, held by this contract while pending.
    /// @param slashAmount What an unanswered demand slashes: `slashBps` of the node's slashable stake at demand time,
    /// rounded up (`Staking` caps it at what the node has left).
    /// @param locked What this demand locked in `Staking`: always `slashAmount` (locks are not capped).
    struct Demand {
        address demander;
        uint48 deadline;
        uint16 rewardBps;
        Outcome outcome;
        address node;
        BatchId batchId;
        uint128 bond;
        uint128 slashAmount;
        uint128 locked;
    }

    /// @notice The governance parameters (initial values at deployment; each has a setter with the same bounds).
    /// @param bondFloor The least bond a demand posts, in stake-token units. It should cover a node's gas to answer.
    /// @param responsePeriod Seconds a node has to answer a demand.
    /// @param slashBps Share of the node's slashable stake an unanswered demand slashes, in basis points.
    /// @param demanderRewardBps The demander's share of that slash, in basis points.
    struct Parameters {
        uint256 bondFloor;
        uint48 responsePeriod;
        uint16 slashBps;
        uint16 demanderRewardBps;
    }

    error DataAvailabilityZeroAddress();
    error DataAvailabilityUnknownBatch(BatchId batchId);
    error DataAvailabilityWindowClosed(BatchId batchId, uint48 windowEnd, uint48 currentTime);
    error DataAvailabilityTooManyDemands(BatchId batchId, uint32 count);
    error DataAvailabilityBondTooLow(uint256 bond, uint256 floor);
    error DataAvailabilityTransferAmountMismatch(uint256 expected, uint256 received);
    error DataAvailabilityUnexpectedState(DemandId id, DemandState current, DemandState expected);
    error DataAvailabilityNotIncluded(DemandId id, bytes32 receiptHash, BatchId batchId);
    error DataAvailabilityLeafRevealed(BatchId batchId, bytes32 receiptHash, DemandId revealedBy);

    /// @notice `demander` demanded a leaf of `batchId` from `node`, posting `bond`; `locked` of the node's stake is
    /// locked until the demand ends, and `slashAmount` is what it slashes if unanswered by `deadline`.
    event DataDemanded(
        DemandId indexed id,
        BatchId indexed batchId,
        address indexed node,
        address demander,
        uint256 bond,
        uint48 deadline,
        uint256 slashAmount,
        uint256 locked
    );

    /// @notice Demand `id` was answered with `receipt` (struct hash `receiptHash`), a leaf of `batchId` revealed for
    /// the first time; the bond was credited to `node` and its stake was unlocked.
    event DemandAnswered(
        DemandId indexed id,
        BatchId indexed batchId,
        address indexed node,
        bytes32 receiptHash,
        IAttestationRegistry.InferenceReceipt receipt
    );

    /// @notice Demand `id` went unanswered: `slashed` was taken from `node`, the demander was credited the bond back
    /// and its share of the slash; `jailed` tells whether this jailed the node.
    event DemandSlashed(
        DemandId indexed id,
        BatchId indexed batchId,
        address indexed node,
        address demander,
        uint256 slashed,
        uint256 bond,
        bool jailed
    );

    /// @notice Demands a leaf of `batchId` from the node that attested it, posting `bond` of the stake token from the
    /// caller (approve first).
    /// @dev Reverts unless the batch exists, its challenge window is open (`now < windowEnd`), fewer than `count`
    /// demands were made on it, `bond >= bondFloor`, and exactly `bond` tokens arrive (no fee-on-transfer tokens).
    /// @param batchId The batch.
    /// @param bond The bond, at least `bondFloor`.
    /// @return id The new demand's id.
    function demand(BatchId batchId, uint256 bond) external returns (DemandId id);

    /// @notice Answers an open demand with a receipt of its batch and the receipt's Merkle proof. Anyone may answer
    /// (a mirror of the node's data, say); the bond is always credited to the node.
    /// @dev Reverts unless the demand is `Open`, the receipt is included in the batch with `proof` (it must name the
    /// batch's node), and no earlier answer revealed the same receipt for this batch.
    /// @param id The demand.
    /// @param receipt A receipt of the batch.
    /// @param proof Its Merkle proof in the batch.
    function answer(
        DemandId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes32[] calldata proof
    ) external;

    /// @notice Slashes the node of an `Expired` demand, credits the demander the bond back with its share of the
    /// slash, and jails the node unless it is jailed already. Anyone may call it.
    /// @dev The demander's share of the slash is paid by `Staking` to this contract and credited here, so the
    /// demander's address receives nothing during the call.
    /// @return slashed What was taken from the node's stake.
    function slashUnanswered(DemandId id) external returns (uint256 slashed);

    /// @notice Sets the minimum bond of demands made from now on. Admin only.
    /// @param bondFloor Within [`MIN_BOND_FLOOR`, `MAX_BOND_FLOOR`].
    function setBondFloor(uint256 bondFloor) external;

    /// @notice Sets the response period of demands made from now on. Admin only.
    /// @param responsePeriod Seconds within [`MIN_RESPONSE_PERIOD`, `MAX_RESPONSE_PERIOD`].
    function setResponsePeriod(uint48 responsePeriod) external;

    /// @notice Sets the share of a node's slashable stake that demands made from now on slash. Admin only.
    /// @param slashBps Basis points within [`MIN_SLASH_BPS`, `MAX_SLASH_BPS`].
    function setSlashBps(uint16 slashBps) external;

    /// @notice Sets the demander's share of a slash for demands made from now on. Admin only.
    /// @param demanderRewardBps Basis points within [`MIN_DEMANDER_REWARD_BPS`, `MAX_DEMANDER_REWARD_BPS`].
    function setDemanderRewardBps(uint16 demanderRewardBps) external;

    /// @notice The demand `id` (all zero when unknown).
    function getDemand(DemandId id) external view returns (Demand memory);

    /// @notice The lifecycle state of demand `id`.
    function state(DemandId id) external view returns (DemandState);

    /// @notice How many demands were made on `batchId` (at most its `count`).
    function demandCount(BatchId batchId) external view returns (uint32);

    /// @notice The demand whose answer revealed the receipt with struct hash `receiptHash` of `batchId` (zero when
    /// none).
    function revealedBy(BatchId batchId, bytes32 receiptHash) external view returns (DemandId);

    /// @notice The id the next demand will get.
    function nextDemandId() external view returns (DemandId);

    /// @notice The bond token: the stake token of `Staking`.
    function token() external view returns (IERC20);

    function bondFloor() external view returns (uint256);

    function responsePeriod() external view returns (uint48);

    function slashBps() external view returns (uint16);

    function demanderRewardBps() external view returns (uint16);
}
