// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title Node signatures
/// @notice The one rule by which a node's signer is held to have signed a digest. Every contract that checks a node's
/// signature (the attestation registry at submission, the equivocation slasher on evidence) calls `isValid`, so a
/// signature accepted by one is accepted by the other and vice versa.
library NodeSignatures {
    /// @notice True when `signature` is `signer`'s over `digest`: either an ECDSA signature of 65 bytes (r, s, v) with
    /// low s and v in {27, 28} that recovers to `signer` (OpenZeppelin `ECDSA.tryRecover`), or, when `signer` has code,
    /// an EIP-1271 `isValidSignature` approval (OpenZeppelin `SignatureChecker.isValidERC1271SignatureNow`).
    /// @dev ECDSA is tried first: it saves the cold `EXTCODESIZE` of the common path, and a key that recovers to the
    /// signer is its key whether or not the account has code (an EIP-7702 delegated account included). A zero `signer`
    /// never validates (recovery never yields zero without an error, and it has no code).
    function isValid(address signer, bytes32 digest, bytes calldata signature) internal view returns (bool) {
        if (signature.length == 65) {
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(
                digest,
                uint8(signature[64]),
                bytes32(signature[0:32]),
                bytes32(signature[32:64])
            );
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        }
        return signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature);
    }
}
