// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IStakeObserver} from "../interfaces/IStakeObserver.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {BasisPoints} from "../libraries/BasisPoints.sol";
import {BoundedParameters} from "../libraries/BoundedParameters.sol";
import {TokenTransfers} from "../libraries/TokenTransfers.sol";
import {Clock} from "../utils/Clock.sol";

/// @title Staking
/// @notice ERC-20 stake per node with an unbonding queue, dispute locks and slashing.
/// @dev Invariants: `token.balanceOf(this) >= totalActive + totalUnbonding`; a node's `locked` is the sum of the locks
/// its open judgments hold (it may exceed `active + unbonding`; only `lock` and `unlock` change it); a node's unbonding
/// stake equals the sum of its queue, which never holds an empty request and never more than `MAX_UNBONDING_REQUESTS`.
contract Staking is IStaking, AccessControl, Pausable, ReentrancyGuard, Clock {
    using SafeERC20 for IERC20;

    /// @dev Per-node balances. Three full slots: amounts are bounded by the token supply, not by a narrower type; the
    /// sum of locks is not bounded by the stake. Then `slashableUntil` (6 bytes) in a fourth slot.
    struct NodeStake {
        uint256 active;
        uint256 unbonding;
        uint256 locked;
        uint48 slashableUntil;
    }

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant DISPUTE_ROLE = keccak256("DISPUTE_ROLE");

    uint256 public constant MIN_MINIMUM_STAKE = 1;
    uint256 public constant MAX_MINIMUM_STAKE = 1e30;
    uint48 public constant MIN_UNBONDING_PERIOD = 1 hours;
    uint48 public constant MAX_UNBONDING_PERIOD = 365 days;
    uint256 public constant MAX_UNBONDING_REQUESTS = 8;
    uint256 public constant MAX_SLASH_RECIPIENTS = 32;

    IERC20 private immutable _token;

    mapping(address node => NodeStake) private _stakes;
    mapping(address node => UnbondingRequest[]) private _unbonding;
    uint256 private _totalActive;
    uint256 private _totalUnbonding;
    uint256 private _minimumStake;
    uint48 private _unbondingPeriod;
    address private _treasury;
    address private _stakeObserver;

    constructor(IERC20 token_, address admin, address treasury_, uint256 minimumStake_, uint48 unbondingPeriod_) {
        if (address(token_) == address(0) || admin == address(0)) revert StakingZeroAddress();
        _token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setTreasury(treasury_);
        _setMinimumStake(minimumStake_);
        _setUnbondingPeriod(unbondingPeriod_);
    }

    // ------------------------------------------------------------------ external: nodes

    /// @inheritdoc IStaking
    function stake(uint256 amount) external whenNotPaused nonReentrant {
        _stake(msg.sender, msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function stakeFor(address node, uint256 amount) external whenNotPaused nonReentrant {
        if (node == address(0)) revert StakingZeroAddress();
        _stake(msg.sender, node, amount);
    }

    /// @inheritdoc IStaking
    function requestUnstake(uint256 amount) external whenNotPaused nonReentrant {
        _requestUnstake(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function requestUnstakeAll() external whenNotPaused nonReentrant returns (uint256 amount) {
        amount = _stakes[msg.sender].active;
        _requestUnstake(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function withdraw() external nonReentrant returns (uint256 amount) {
        return _withdraw(msg.sender);
    }

    // ------------------------------------------------------------------ external: disputes

    /// @inheritdoc IStaking
    function lock(address node, uint256 amount) external onlyRole(DISPUTE_ROLE) {
        // Not capped by what is not locked yet: a lock only blocks withdrawals, so an earlier judgment (possibly the
        // node's own accomplice) can't shrink what a later one puts at risk.
        NodeStake storage s = _stakes[node];
        uint256 locked = s.locked + amount;
        s.locked = locked;
        emit StakeLocked(node, amount, locked);
    }

    /// @inheritdoc IStaking
    function unlock(address node, uint256 amount) external onlyRole(DISPUTE_ROLE) {
        NodeStake storage s = _stakes[node];
        if (amount > s.locked) revert StakingUnlockExceedsLocked(node, s.locked, amount);
        s.locked -= amount;
        emit StakeUnlocked(node, amount, s.locked);
    }

    /// @inheritdoc IStaking
    function extendSlashableUntil(address node, uint48 until) external onlyRole(DISPUTE_ROLE) {
        NodeStake storage s = _stakes[node];
        if (until <= s.slashableUntil) return;
        s.slashableUntil = until;
        emit SlashableUntilExtended(node, until);
    }

    /// @inheritdoc IStaking
    function slash(
        address node,
        uint256 amount,
        address[] calldata recipients,
        uint16[] calldata sharesBps
    ) external onlyRole(DISPUTE_ROLE) nonReentrant returns (uint256 slashed) {
        _checkPayout(recipients, sharesBps);
        uint256 fromActive;
        (slashed, fromActive) = _take(node, amount);
        if (slashed == 0) return 0;

        uint256 toTreasury = slashed;
        for (uint256 i = 0; i < recipients.length; ++i) {
            uint256 share = (slashed * sharesBps[i]) / BasisPoints.WHOLE;
            if (share == 0) continue;
            // Cannot underflow: shares sum to at most 10,000 bps and each rounds down.
            toTreasury -= share;
            _token.safeTransfer(recipients[i], share);
            emit SlashPaid(node, recipients[i], share);
        }
        if (toTreasury > 0) _token.safeTransfer(_treasury, toTreasury);
        emit Slashed(node, amount, slashed, toTreasury);

        if (fromActive > 0) _notifyObserver(node);
    }

    // ------------------------------------------------------------------ external: governance

    /// @inheritdoc IStaking
    function setMinimumStake(uint256 minimumStake_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinimumStake(minimumStake_);
        // Every node's active status may have changed: the observer (and the copies behind it) must know.
        address observer = _stakeObserver;
        if (observer != address(0)) IStakeObserver(observer).minimumStakeChanged();
    }

    /// @inheritdoc IStaking
    function setUnbondingPeriod(uint48 unbondingPeriod_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingPeriod(unbondingPeriod_);
    }

    /// @inheritdoc IStaking
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IStaking
    function setStakeObserver(address observer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _stakeObserver = observer;
        emit StakeObserverSet(observer);
    }

    /// @inheritdoc IStaking
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IStaking
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ external: views

    /// @inheritdoc IStaking
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @inheritdoc IStaking
    function activeStakeOf(address node) external view returns (uint256) {
        return _stakes[node].active;
    }

    /// @inheritdoc IStaking
    function unbondingStakeOf(address node) external view returns (uint256) {
        return _stakes[node].unbonding;
    }

    /// @inheritdoc IStaking
    function slashableStakeOf(address node) external view returns (uint256) {
        return _stakes[node].active + _stakes[node].unbonding;
    }

    /// @inheritdoc IStaking
    function lockedStakeOf(address node) external view returns (uint256) {
        return _stakes[node].locked;
    }

    /// @inheritdoc IStaking
    function slashableUntil(address node) external view returns (uint48) {
        return _stakes[node].slashableUntil;
    }

    /// @inheritdoc IStaking
    function unbondingRequestsOf(address node) external view returns (UnbondingRequest[] memory) {
        return _unbonding[node];
    }

    /// @inheritdoc IStaking
    function totalActiveStake() external view returns (uint256) {
        return _totalActive;
    }

    /// @inheritdoc IStaking
    function totalUnbondingStake() external view returns (uint256) {
        return _totalUnbonding;
    }

    /// @inheritdoc IStaking
    function minimumStake() external view returns (uint256) {
        return _minimumStake;
    }

    /// @inheritdoc IStaking
    function unbondingPeriod() external view returns (uint48) {
        return _unbondingPeriod;
    }

    /// @inheritdoc IStaking
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IStaking
    function stakeObserver() external view returns (address) {
        return _stakeObserver;
    }

    // ------------------------------------------------------------------ private

    function _stake(address from, address node, uint256 amount) private {
        if (amount == 0) revert StakingZeroAmount();
        NodeStake storage s = _stakes[node];
        uint256 newActive = s.active + amount;
        if (newActive < _minimumStake) revert StakingBelowMinimum(node, newActive, _minimumStake);
        s.active = newActive;
        _totalActive += amount;

        // State first; a short delivery reverts everything, so fee-on-transfer tokens can never be staked.
        uint256 received = TokenTransfers.pullMeasured(_token, from, amount);
        if (received != amount) revert StakingTransferAmountMismatch(amount, received);

        emit Staked(node, from, amount, newActive);
        _notifyObserver(node);
    }

    function _requestUnstake(address node, uint256 amount) private {
        if (amount == 0) revert StakingZeroAmount();
        NodeStake storage s = _stakes[node];
        if (amount > s.active) revert StakingInsufficientStake(node, s.active, amount);
        uint256 remaining = s.active - amount;
        if (remaining != 0 && remaining < _minimumStake) revert StakingBelowMinimum(node, remaining, _minimumStake);
        UnbondingRequest[] storage queue = _unbonding[node];
        if (queue.length >= MAX_UNBONDING_REQUESTS) {
            revert StakingTooManyUnbondingRequests(node, MAX_UNBONDING_REQUESTS);
        }

        // Fixed now: a later change of the period does not move this request.
        uint48 releaseAt = _clock() + _unbondingPeriod;
        s.active = remaining;
        s.unbonding += amount;
        _totalActive -= amount;
        _totalUnbonding += amount;
        queue.push(UnbondingRequest({amount: SafeCast.toUint128(amount), releaseAt: releaseAt}));

        emit UnstakeRequested(node, amount, releaseAt, remaining);
        _notifyObserver(node);
    }

    function _withdraw(address node) private returns (uint256 amount) {
        NodeStake storage s = _stakes[node];
        if (s.locked > 0) revert StakingStakeLocked(node, s.locked);
        uint48 now_ = _clock();
        if (now_ < s.slashableUntil) revert StakingWithdrawalHeld(node, s.slashableUntil);

        // Pays every matured request and compacts the rest in order; the queue holds at most 8 entries.
        UnbondingRequest[] storage queue = _unbonding[node];
        uint256 length = queue.length;
        uint256 kept = 0;
        for (uint256 i = 0; i < length; ++i) {
            UnbondingRequest memory request = queue[i];
            if (request.releaseAt <= now_) {
                amount += request.amount;
            } else {
                if (kept != i) queue[kept] = request;
                ++kept;
            }
        }
        if (amount == 0) revert StakingNothingToWithdraw(node);
        for (uint256 i = kept; i < length; ++i) {
            queue.pop();
        }

        s.unbonding -= amount;
        _totalUnbonding -= amount;
        emit Withdrawn(node, amount);
        _token.safeTransfer(node, amount);
    }

    /// @dev Removes up to `amount` from `node`: active first, then unbonding requests newest first. Locks are left
    /// alone: each belongs to a judgment that releases it. Returns what was taken in total and from the active stake.
    function _take(address node, uint256 amount) private returns (uint256 slashed, uint256 fromActive) {
        NodeStake storage s = _stakes[node];
        uint256 slashable = s.active + s.unbonding;
        slashed = amount < slashable ? amount : slashable;
        if (slashed == 0) return (0, 0);

        fromActive = slashed < s.active ? slashed : s.active;
        uint256 fromUnbonding = slashed - fromActive;
        s.active -= fromActive;
        s.unbonding -= fromUnbonding;
        _totalActive -= fromActive;
        _totalUnbonding -= fromUnbonding;

        // The queue sums to the old unbonding stake, so it cannot run empty before `fromUnbonding` is covered.
        UnbondingRequest[] storage queue = _unbonding[node];
        uint256 left = fromUnbonding;
        while (left > 0) {
            uint256 last = queue.length - 1;
            uint256 requestAmount = queue[last].amount;
            if (requestAmount <= left) {
                left -= requestAmount;
                queue.pop();
            } else {
                // `requestAmount - left` is below `requestAmount`, which fits in uint128.
                queue[last].amount = uint128(requestAmount - left);
                left = 0;
            }
        }
    }

    function _checkPayout(address[] calldata recipients, uint16[] calldata sharesBps) private pure {
        if (recipients.length != sharesBps.length) revert StakingLengthMismatch(recipients.length, sharesBps.length);
        if (recipients.length > MAX_SLASH_RECIPIENTS) {
            revert StakingTooManyRecipients(recipients.length, MAX_SLASH_RECIPIENTS);
        }
        uint256 totalBps = 0;
        for (uint256 i = 0; i < recipients.length; ++i) {
            if (recipients[i] == address(0)) revert StakingZeroAddress();
            totalBps += sharesBps[i];
        }
        if (totalBps > BasisPoints.WHOLE) revert StakingInvalidShares(totalBps);
    }

    function _notifyObserver(address node) private {
        address observer = _stakeObserver;
        if (observer != address(0)) IStakeObserver(observer).stakeChanged(node);
    }

    function _setMinimumStake(uint256 minimumStake_) private {
        BoundedParameters.check("minimumStake", minimumStake_, MIN_MINIMUM_STAKE, MAX_MINIMUM_STAKE);
        _minimumStake = minimumStake_;
        emit ParameterSet("minimumStake", minimumStake_);
    }

    function _setUnbondingPeriod(uint48 unbondingPeriod_) private {
        BoundedParameters.check("unbondingPeriod", unbondingPeriod_, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        _unbondingPeriod = unbondingPeriod_;
        emit ParameterSet("unbondingPeriod", unbondingPeriod_);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert StakingZeroAddress();
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }
}
