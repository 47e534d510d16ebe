// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceRouter} from "../interfaces/IInferenceRouter.sol";
import {RequestId} from "../types/RequestId.sol";

/// @notice Test double of a consumer contract: places requests and reacts to its callback as `mode` says: records the
/// result, reverts, burns all its gas, returns a huge buffer, or re-enters the router with the call set by `setReentry` (and records how it failed).
contract InferenceConsumerMock is IInferenceConsumer {
    enum Mode {
        Record,
        Revert,
        BurnGas,
        ReturnBomb,
        Reenter
    }

    error InferenceConsumerMockRefused(RequestId id);

    event ResultReceived(RequestId indexed id, bytes32 outputHash, address node, bytes32 receiptHash);
    event ReentryBlocked(bytes reason);

    IInferenceRouter public immutable router;
    Mode public mode;
    uint256 public calls;
    bytes32 public lastOutputHash;
    bytes public lastReentryError;
    bytes public reentryData;

    constructor(IInferenceRouter router_) {
        router = router_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// @notice The call the callback makes into the router in `Reenter` mode.
    function setReentry(bytes calldata data) external {
        reentryData = data;
    }

    /// @notice Places a request paid from this contract's tokens.
    function makeRequest(IInferenceRouter.RequestParams calldata params) external returns (RequestId) {
        IERC20(router.token()).approve(address(router), params.fee);
        return router.request(params);
    }

    function onInferenceResult(RequestId id, bytes32 outputHash, address node, bytes32 receiptHash) external {
        Mode current = mode;
        if (current == Mode.Revert) revert InferenceConsumerMockRefused(id);
        if (current == Mode.BurnGas) {
            // solhint-disable-next-line no-empty-blocks
            while (true) {}
        }
        if (current == Mode.ReturnBomb) {
            // solhint-disable-next-line no-inline-assembly
            assembly {
                return(0, 200000)
            }
        }
        if (current == Mode.Reenter) {
            (bool ok, bytes memory reason) = address(router).call(reentryData);
            if (!ok) {
                lastReentryError = reason;
                emit ReentryBlocked(reason);
            }
        }
        ++calls;
        lastOutputHash = outputHash;
        emit ResultReceived(id, outputHash, node, receiptHash);
    }
}
