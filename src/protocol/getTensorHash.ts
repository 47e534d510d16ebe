import { type Hex, keccak256 } from "viem";
import { encodeTensor } from "./encodeTensor";
import type { Tensor } from "./tensor";

/** keccak256 of a tensor's canonical encoding: the `inputHash` / `outputHash` of a receipt. */
export function getTensorHash<to extends "hex" | "bytes" = "hex">(
  tensor: Tensor,
  to?: to,
): to extends "bytes" ? Uint8Array : Hex {
  return keccak256(encodeTensor(tensor), (to ?? "hex") as "hex") as to extends "bytes" ? Uint8Array : Hex;
}
