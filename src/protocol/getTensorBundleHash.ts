import type { Hex } from "viem";
import { toHex } from "./bytes";
import { encodePayload, encodeTensorBundle } from "./encodeTensorBundle";
import { keccak256Bytes } from "./keccak";
import type { TensorBundle, TensorPayload } from "./tensor";

/**
 * keccak256 of a bundle's canonical encoding: the `inputHash` / `outputHash` of a receipt for a model with several
 * named inputs or outputs. Hashing the whole encoding (not a digest of digests) keeps the on-chain input
 * availability check (`keccak256(input) == inputHash` in the InferenceRouter) valid for bundles unchanged.
 */
export function getTensorBundleHash(bundle: TensorBundle): Hex {
  return toHex(keccak256Bytes(encodeTensorBundle(bundle)));
}

/** The hash a receipt commits for a payload: the plain tensor hash for one unnamed tensor, else the bundle hash. */
export function getPayloadHash(payload: TensorPayload): Hex {
  return toHex(keccak256Bytes(encodePayload(payload)));
}
