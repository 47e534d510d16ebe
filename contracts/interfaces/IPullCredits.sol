// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Pull credits
/// @notice Payments are pulled: what a contract owes an account is credited to it (`claimableOf`) and withdrawn by the
/// account with `claim(to)`, in the contract's one token. No transfer to a party other than the caller happens when a
/// credit is made, so a recipient that refuses tokens (a blacklisted address, a reverting receive hook) can block
/// only its own claim, never the settlement that credited it. The contract's token balance always covers
/// `totalClaimable()` (plus whatever else the contract holds on others' behalf, see each contract).
interface IPullCredits {
    /// @notice `claim` was called with `to == address(0)`.
    error PullCreditsZeroRecipient();

    /// @notice `account` called `claim` with nothing credited to it.
    error PullCreditsNothingToClaim(address account);

    /// @notice `amount` was credited to `account`, to be withdrawn with `claim`.
    /// @dev Contracts whose credits carry a context of their own emit their own event instead (the dispute manager and
    /// the fraud game emit `RewardCredited(id, account, amount)` with the dispute id).
    event Credited(address indexed account, uint256 amount);

    /// @notice `account` withdrew its whole credit, `amount`, to `to`.
    event CreditClaimed(address indexed account, address indexed to, uint256 amount);

    /// @notice Sends the caller's whole credit to `to`.
    /// @dev Reverts with `PullCreditsZeroRecipient` for `to == 0` and `PullCreditsNothingToClaim` when the caller has
    /// no credit.
    /// @param to Where the tokens go (the caller may name another address than its own, e.g. when it can't receive).
    /// @return amount What was sent.
    function claim(address to) external returns (uint256 amount);

    /// @notice What `account` can withdraw with `claim`.
    /// @param account The credited account.
    /// @return The account's whole credit.
    function claimableOf(address account) external view returns (uint256);

    /// @notice Credits not yet claimed, summed over every account: part of what the contract's balance must cover.
    /// @return The sum of `claimableOf` over all accounts.
    function totalClaimable() external view returns (uint256);
}
