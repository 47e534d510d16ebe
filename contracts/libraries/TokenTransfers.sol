// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title Token transfers
/// @notice Pulling tokens in and measuring what actually arrived, so callers can refuse fee-on-transfer tokens.
library TokenTransfers {
    using SafeERC20 for IERC20;

    /// @notice Transfers `amount` from `from` to this contract and returns how much this contract's balance grew.
    /// @dev Callers compare the result with `amount` and revert with their own named error when it differs.
    function pullMeasured(IERC20 token, address from, uint256 amount) internal returns (uint256 received) {
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        received = token.balanceOf(address(this)) - balanceBefore;
    }
}
