// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test double: an ERC-20 whose transfer fee (burnt, in basis points) can be switched on after deployment, so
/// stake can be added fee-free and a later transfer (a dispute bond) can be charged.
contract ToggleFeeTokenMock is ERC20 {
    uint256 public feeBps;

    constructor() ERC20("Toggle Fee Mock", "TFEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = (from == address(0) || to == address(0)) ? 0 : (value * feeBps) / 10_000;
        if (fee > 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
