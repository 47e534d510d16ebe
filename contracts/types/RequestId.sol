// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice An on-chain inference request's id: `keccak256(abi.encode(router, chainid, consumer, nonce))`. It is the
/// `requestId` that assigned nodes put in their receipts. A distinct type so it can't be confused with other hashes.
type RequestId is bytes32;

using {eqRequestId as ==, neqRequestId as !=} for RequestId global;

function eqRequestId(RequestId a, RequestId b) pure returns (bool) {
    return RequestId.unwrap(a) == RequestId.unwrap(b);
}

function neqRequestId(RequestId a, RequestId b) pure returns (bool) {
    return RequestId.unwrap(a) != RequestId.unwrap(b);
}
