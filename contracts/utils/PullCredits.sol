// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IPullCredits} from "../interfaces/IPullCredits.sol";

/// @title Pull credits
/// @notice The credit ledger and `claim(to)` shared by the contracts that pay by crediting: see {IPullCredits}.
/// @dev Inherits OpenZeppelin `ReentrancyGuard`, so an inheriting contract that lists `ReentrancyGuard` itself (or only
/// through this base) has one guard and one status slot: `claim` and the contract's own `nonReentrant` entry points
/// exclude each other. The inheriting contract names its token with `_creditToken()` (an immutable, read without a
/// storage access) and credits with `_credit` (emits `Credited`) or, when its event carries more context,
/// `_addCredit` followed by its own event. Invariant: `_totalClaimable == Σ _claimable[account]`.
abstract contract PullCredits is IPullCredits, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint256 private _totalClaimable;
    mapping(address account => uint256) private _claimable;

    /// @inheritdoc IPullCredits
    /// @dev Checks, effects, then the one transfer; `nonReentrant` with the inheriting contract's guard.
    function claim(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert PullCreditsZeroRecipient();
        amount = _claimable[msg.sender];
        if (amount == 0) revert PullCreditsNothingToClaim(msg.sender);
        _claimable[msg.sender] = 0;
        // Cannot underflow: the total is the sum of the credits, `amount` among them.
        unchecked {
            _totalClaimable -= amount;
        }
        emit CreditClaimed(msg.sender, to, amount);
        _creditToken().safeTransfer(to, amount);
    }

    /// @inheritdoc IPullCredits
    function claimableOf(address account) external view returns (uint256) {
        return _claimable[account];
    }

    /// @inheritdoc IPullCredits
    function totalClaimable() external view returns (uint256) {
        return _totalClaimable;
    }

    /// @dev Credits `amount` to `account` and emits `Credited`; nothing (no event) when `amount` is zero.
    function _credit(address account, uint256 amount) internal {
        if (amount == 0) return;
        _addCredit(account, amount);
        emit Credited(account, amount);
    }

    /// @dev Adds `amount` to `account`'s credit and to the total, without an event: the caller emits its own.
    function _addCredit(address account, uint256 amount) internal {
        _totalClaimable += amount;
        // Cannot overflow: a credit is at most the total, which the checked addition above bounds.
        unchecked {
            _claimable[account] += amount;
        }
    }

    /// @dev The token credits are paid in.
    function _creditToken() internal view virtual returns (IERC20);
}
