import type { Hex } from "viem";
import { toHex } from "./bytes";
import { encodeTensor } from "./encodeTensor";
import { keccak256Bytes } from "./keccak";
import type { Tensor } from "./tensor";

/** keccak256 of a tensor's canonical encoding: the `inputHash` / `outputHash` of a receipt. */
export function getTensorHash<to extends "hex" | "bytes" = "hex">(
  tensor: Tensor,
  to?: to,
): to extends "bytes" ? Uint8Array : Hex {
  const hash = keccak256Bytes(encodeTensor(tensor));
  return (to === "bytes" ? hash : toHex(hash)) as to extends "bytes" ? Uint8Array : Hex;
}
