// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title Verity test token
/// @notice A plain ERC-20 with permit for local chains and testnets; production points `Staking` at an existing token.
contract VerityTestToken is ERC20, ERC20Permit, Ownable {
    constructor(
        address initialOwner
    ) ERC20("Verity Test Token", "VRTT") ERC20Permit("Verity Test Token") Ownable(initialOwner) {}

    /// @notice Mints `amount` to `to`. Owner only.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
