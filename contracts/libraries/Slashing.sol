// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @title Slashing
/// @notice The one "slash to" path of the slashers (dispute manager, fraud game, data-availability manager,
/// equivocation slasher): slash a node's stake and pay one recipient a share of it, the rest to the treasury.
/// Jailing is `INodeRegistry.jail`, which jails unless the node is already jailed and says whether it did.
library Slashing {
    /// @notice Slashes up to `amount` of `node`'s slashable stake; `recipient` is paid `shareBps` of what was slashed
    /// (rounded down) and the treasury the rest.
    /// @return slashed What was actually slashed (`Staking` caps it at what the node has left).
    function slashTo(
        IStaking staking,
        address node,
        uint256 amount,
        address recipient,
        uint16 shareBps
    ) internal returns (uint256 slashed) {
        address[] memory recipients = new address[](1);
        recipients[0] = recipient;
        uint16[] memory shares = new uint16[](1);
        shares[0] = shareBps;
        slashed = staking.slash(node, amount, recipients, shares);
    }

    /// @notice `slashTo` this contract, measuring what arrived (a fee-on-transfer token delivers less than it sends).
    /// @return slashed What was actually slashed.
    /// @return received The tokens this contract's balance gained.
    function slashToSelf(
        IStaking staking,
        IERC20 token,
        address node,
        uint256 amount,
        uint16 shareBps
    ) internal returns (uint256 slashed, uint256 received) {
        uint256 balanceBefore = token.balanceOf(address(this));
        slashed = slashTo(staking, node, amount, address(this), shareBps);
        received = token.balanceOf(address(this)) - balanceBefore;
    }
}
