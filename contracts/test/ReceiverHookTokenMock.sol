// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test double: an ERC-20 that, like an ERC-777 style token, calls `onTokenReceived` on a recipient that asked
/// for it (`setHooked`) after every transfer to it, bubbling up any revert.
contract ReceiverHookTokenMock is ERC20 {
    mapping(address account => bool) public hooked;

    constructor() ERC20("Receiver Hook Mock", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setHooked(address account, bool on) external {
        hooked[account] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (hooked[to]) ReentrantReceiverMock(to).onTokenReceived(from, value);
    }
}

/// @notice Test double: a recipient that, when it receives tokens, calls `reentryTarget` with `reentryData` once (a reentrancy
/// attempt) and bubbles up any revert.
contract ReentrantReceiverMock {
    address public reentryTarget;
    bytes public reentryData;

    function arm(address target_, bytes calldata data_) external {
        reentryTarget = target_;
        reentryData = data_;
    }

    function onTokenReceived(address, uint256) external {
        address to = reentryTarget;
        if (to == address(0)) return;
        reentryTarget = address(0);
        (bool ok, bytes memory returned) = to.call(reentryData);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
    }
}
