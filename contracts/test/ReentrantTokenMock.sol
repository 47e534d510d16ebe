// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test double: when `hookTarget` moves tokens (transfer or transferFrom), the token first calls back into
/// `hookTarget` with `hookData` once, and bubbles up any revert of that call.
contract ReentrantTokenMock is ERC20 {
    address public hookTarget;
    bytes public hookData;

    constructor() ERC20("Reentrant Mock", "REENTER") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        address target = hookTarget;
        if (target != address(0) && msg.sender == target) {
            hookTarget = address(0);
            (bool ok, bytes memory returned) = target.call(hookData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(returned, 0x20), mload(returned))
                }
            }
        }
        super._update(from, to, value);
    }
}
