// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IBoundedParameters} from "./IBoundedParameters.sol";

/// @title Staking
/// @notice ERC-20 stake per node. Stake leaves through an unbonding queue, stays slashable while unbonding, and can't
/// be withdrawn while a judgment against the node is open (a lock) or a receipt's extended window is (a hold).
/// @dev A node is identified by its operator address. Anyone may add stake to a node (`stakeFor`); only the node can
/// unstake and withdraw it, to itself.
///
/// Locks only block withdrawals. Each judgment (dispute, data-availability demand) fixes the amount it can slash when
/// it opens, from the node's slashable stake, and locks that amount; locks are not capped by the stake and their sum
/// may exceed it, so no judgment can shrink another's amount at risk by locking first. A slash takes at most what
/// remains and never changes any lock: each judgment unlocks exactly what it locked, once. Concurrent judgments slash
/// in the order they resolve until nothing is left.
///
/// Stake leaving inside a challenge window: an unstake request matures `unbondingPeriod` after it is made, and any
/// open lock or hold blocks the withdrawal. Deployments keep `unbondingPeriod >= ` the attestation registry's
/// challenge window, so stake requested for unstake after a receipt was attested is still here when a challenge
/// comes at the window's last second (and the challenge's lock then keeps it). A window extended by an expired
/// dispute is covered by a hold (`extendSlashableUntil`) until the extended end. Stake requested for unstake before a
/// receipt was attested does not back that receipt: it leaves when it matures.
interface IStaking is IBoundedParameters {
    /// @notice One pending unstake request.
    /// @param amount Tokens waiting to leave (reduced by slashes).
    /// @param releaseAt When they can be withdrawn (fixed at request time).
    struct UnbondingRequest {
        uint128 amount;
        uint48 releaseAt;
    }

    error StakingZeroAmount();
    error StakingZeroAddress();
    error StakingBelowMinimum(address node, uint256 remaining, uint256 minimum);
    error StakingInsufficientStake(address node, uint256 stake, uint256 requested);
    error StakingTooManyUnbondingRequests(address node, uint256 max);
    error StakingNothingToWithdraw(address node);
    error StakingStakeLocked(address node, uint256 locked);
    error StakingWithdrawalHeld(address node, uint48 slashableUntil);
    error StakingUnlockExceedsLocked(address node, uint256 locked, uint256 requested);
    error StakingTransferAmountMismatch(uint256 expected, uint256 received);
    error StakingInvalidShares(uint256 totalBps);
    error StakingTooManyRecipients(uint256 count, uint256 max);
    error StakingLengthMismatch(uint256 recipients, uint256 shares);

    event Staked(address indexed node, address indexed from, uint256 amount, uint256 activeStake);
    event UnstakeRequested(address indexed node, uint256 amount, uint48 releaseAt, uint256 activeStake);
    event Withdrawn(address indexed node, uint256 amount);
    event StakeLocked(address indexed node, uint256 amount, uint256 totalLocked);
    event StakeUnlocked(address indexed node, uint256 amount, uint256 totalLocked);
    event SlashableUntilExtended(address indexed node, uint48 slashableUntil);
    event Slashed(address indexed node, uint256 requested, uint256 slashed, uint256 toTreasury);
    event SlashPaid(address indexed node, address indexed recipient, uint256 amount);
    event TreasurySet(address indexed treasury);
    event StakeObserverSet(address indexed observer);

    /// @notice Adds `amount` to the caller's own stake.
    function stake(uint256 amount) external;

    /// @notice Adds `amount` of the caller's tokens to `node`'s stake (the stake belongs to `node`).
    function stakeFor(address node, uint256 amount) external;

    /// @notice Moves `amount` of the caller's active stake into the unbonding queue; it stays slashable there.
    /// @dev The active stake left must be zero or at least the minimum. To leave entirely use `requestUnstakeAll`: an
    /// explicit amount can be made stale by anyone's `stakeFor` top-up.
    function requestUnstake(uint256 amount) external;

    /// @notice Moves the caller's whole active stake, whatever it is when this runs, into the unbonding queue.
    /// @dev A `stakeFor` top-up sent just before can't make it revert: it is swept along with the rest.
    /// @return amount What was moved.
    function requestUnstakeAll() external returns (uint256 amount);

    /// @notice Withdraws every matured unbonding request of the caller, oldest first.
    /// @dev Reverts while any of the caller's stake is locked by an open judgment (`StakingStakeLocked`) and before its
    /// `slashableUntil` (`StakingWithdrawalHeld`).
    /// @return amount The tokens sent to the caller.
    function withdraw() external returns (uint256 amount);

    /// @notice Locks `amount` of `node`'s stake for a judgment that can slash up to that amount. Only the dispute role.
    /// @dev Not capped: the sum of locks may exceed the stake. A lock only blocks withdrawals.
    function lock(address node, uint256 amount) external;

    /// @notice Releases `amount` of `node`'s locked stake: what one judgment locked, once. Only the dispute role.
    function unlock(address node, uint256 amount) external;

    /// @notice Blocks `node`'s withdrawals until `until` (never shortens an earlier hold). Only the dispute role.
    /// @dev Used when a receipt's challenge window is extended (a dispute on it expired undecided): the stake that
    /// backs the receipt stays until the extended window closes.
    function extendSlashableUntil(address node, uint48 until) external;

    /// @notice Slashes up to `amount` of `node`'s stake (active first, then unbonding, newest request first) and pays
    /// `sharesBps[i]` / 10,000 of what was slashed to `recipients[i]`, rounding down; the rest goes to the treasury.
    /// Only the dispute role. Locks are left as they are (each judgment releases its own).
    /// @return slashed What was actually taken: `min(amount, what the node has left)`.
    function slash(
        address node,
        uint256 amount,
        address[] calldata recipients,
        uint16[] calldata sharesBps
    ) external returns (uint256 slashed);

    /// @notice Sets the minimum active stake of a node. Admin only, within bounds. Tells the stake observer
    /// (`minimumStakeChanged`), so copies of nodes' active status are known to be stale.
    function setMinimumStake(uint256 minimumStake) external;

    /// @notice Sets the unbonding period for requests made from now on. Admin only, within bounds.
    function setUnbondingPeriod(uint48 unbondingPeriod) external;

    /// @notice Sets where slashed tokens not paid out go. Admin only, not zero.
    function setTreasury(address treasury) external;

    /// @notice Sets the contract told about active-stake changes (zero for none). Admin only.
    function setStakeObserver(address observer) external;

    /// @notice Stops new stake and new unstake requests; withdrawals, locks and slashes go on.
    function pause() external;

    /// @notice Undoes `pause`.
    function unpause() external;

    /// @notice The staked token.
    function token() external view returns (IERC20);

    /// @notice `node`'s active stake (not unbonding).
    function activeStakeOf(address node) external view returns (uint256);

    /// @notice `node`'s stake in the unbonding queue.
    function unbondingStakeOf(address node) external view returns (uint256);

    /// @notice Active plus unbonding: everything a slash can reach.
    function slashableStakeOf(address node) external view returns (uint256);

    /// @notice The sum of the locks of `node`'s open judgments (may exceed its stake). Withdrawals wait until it is
    /// zero.
    function lockedStakeOf(address node) external view returns (uint256);

    /// @notice Until when `node`'s withdrawals are held (zero: never held).
    function slashableUntil(address node) external view returns (uint48);

    /// @notice `node`'s pending unbonding requests, oldest first.
    function unbondingRequestsOf(address node) external view returns (UnbondingRequest[] memory);

    /// @notice Sum of all nodes' active stake.
    function totalActiveStake() external view returns (uint256);

    /// @notice Sum of all nodes' unbonding stake.
    function totalUnbondingStake() external view returns (uint256);

    function minimumStake() external view returns (uint256);

    function unbondingPeriod() external view returns (uint48);

    function treasury() external view returns (address);

    /// @notice The contract told about active-stake changes, or zero for none.
    function stakeObserver() external view returns (address);
}
