import fs from "node:fs";
import { Wallet } from "@ethereumjs/wallet";
import { bytesToHex, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { createSignerAccount } from "../protocol";
import { ConfigError } from "./ConfigError";
import { getErrorMessage } from "../protocol";

/** Where a signing key comes from: never a command-line flag, so it can't leak into shell history or `ps`. */
export interface SignerSource {
  /** A 0x-prefixed 32-byte private key, from the environment or `.env`. */
  privateKey?: string | undefined;
  /** Path of an encrypted Web3 Secret Storage (V3) keystore file. */
  keystoreFile?: string | undefined;
  /** The keystore's password, from the environment or `.env`. */
  keystorePassword?: string | undefined;
}

/**
 * Loads a viem account (signing digests and typed data through libsecp256k1 when it loads: `createSignerAccount`) from a private key or an encrypted keystore (scrypt or pbkdf2, as written by geth, ethers or
 * `@ethereumjs/wallet`). Exactly one source must be given; the error says which part is missing or wrong.
 */
export async function loadSignerAccount(source: SignerSource, purpose: string): Promise<PrivateKeyAccount> {
  if (source.privateKey && source.keystoreFile) {
    throw new ConfigError(`${purpose}: give either a private key or a keystore file, not both`);
  }
  if (source.privateKey) return createSignerAccount(parsePrivateKey(source.privateKey, purpose));
  if (!source.keystoreFile) throw new ConfigError(`${purpose}: no signing key (set a private key or a keystore file)`);
  if (source.keystorePassword === undefined) {
    throw new ConfigError(`${purpose}: keystore ${source.keystoreFile} needs its password in the environment`);
  }
  let json: string;
  try {
    json = fs.readFileSync(source.keystoreFile, "utf8");
  } catch (cause) {
    throw new ConfigError(`${purpose}: cannot read keystore ${source.keystoreFile}: ${getErrorMessage(cause)}`);
  }
  try {
    const wallet = await Wallet.fromV3(json, source.keystorePassword, true);
    return createSignerAccount(bytesToHex(wallet.getPrivateKey()));
  } catch (cause) {
    throw new ConfigError(`${purpose}: cannot decrypt keystore ${source.keystoreFile}: ${getErrorMessage(cause)}`);
  }
}

/** secp256k1's group order: a private key must lie in [1, N - 1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function parsePrivateKey(value: string, purpose: string): Hex {
  if (value.trim() !== value) {
    throw new ConfigError(
      `${purpose}: the private key has leading or trailing whitespace (a space or newline copied with it?); remove it`,
    );
  }
  const key = value.startsWith("0x") ? value : `0x${value}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new ConfigError(
      `${purpose}: private key must be 32 bytes of hex (64 hex digits, 0x optional), got ${key.length - 2} characters`,
    );
  }
  const scalar = BigInt(key);
  if (scalar === 0n) throw new ConfigError(`${purpose}: the private key is zero, which is not a valid key`);
  if (scalar >= SECP256K1_N) {
    throw new ConfigError(`${purpose}: the private key is not below the secp256k1 group order, so not a valid key`);
  }
  return key as Hex;
}
