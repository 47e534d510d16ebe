/**
 * A signature-recovery worker thread (see {@link SignaturePool}). It receives packed 32-byte digests and 65-byte
 * `r ‖ s ‖ v` signatures (already checked canonical by the caller) and answers the 20-byte signer address of each,
 * with a flag per item (0 when the signature recovers no key). libsecp256k1 when it loads, viem (noble) otherwise.
 */
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";
import { bytesToHex, getTypedDataDigest, hexToBytes, keccak256Into, nobleEngine } from "../../protocol";

interface NativeRecover {
  ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed: false): Uint8Array;
}

/**
 * A job: `count` digests (32 bytes each) and signatures (65 bytes each). With `domainSeparator`, `digests` holds
 * EIP-712 struct hashes and the worker makes each digest itself (`keccak256(0x1901 ‖ separator ‖ structHash)`), so
 * that hash is off the keeper's event loop too.
 */
export interface RecoverJob {
  id: number;
  count: number;
  digests: Uint8Array;
  signatures: Uint8Array;
  domainSeparator?: Uint8Array | undefined;
}

/** The answer: `count` addresses (20 bytes each) and `ok[i] = 1` when item i recovered a key. */
export interface RecoverResult {
  id: number;
  signers: Uint8Array;
  ok: Uint8Array;
}

function loadNative(): NativeRecover | undefined {
  if (process.env.VERITY_SECP256K1 === "noble") return undefined;
  try {
    return createRequire(__filename)("secp256k1/bindings") as NativeRecover;
  } catch {
    return undefined;
  }
}

const native = loadNative();
const compact = new Uint8Array(64);
const publicKeyXY = new Uint8Array(64);

async function recover(job: RecoverJob): Promise<RecoverResult> {
  const signers = new Uint8Array(20 * job.count);
  const ok = new Uint8Array(job.count);
  for (let i = 0; i < job.count; i++) {
    const digest = job.domainSeparator
      ? getTypedDataDigest(job.domainSeparator, job.digests.subarray(32 * i, 32 * i + 32))
      : job.digests.subarray(32 * i, 32 * i + 32);
    const signature = job.signatures.subarray(65 * i, 65 * i + 65);
    try {
      if (native) {
        compact.set(signature.subarray(0, 64));
        const publicKey = native.ecdsaRecover(compact, signature[64]! - 27, digest, false);
        publicKeyXY.set(publicKey.subarray(1, 65));
        keccak256Into(publicKeyXY, 0, 64, publicKeyXY, 0);
        signers.set(publicKeyXY.subarray(12, 32), 20 * i);
      } else {
        const address = await nobleEngine.recoverDigestSigner(digest, bytesToHex(signature));
        signers.set(hexToBytes(address), 20 * i);
      }
      ok[i] = 1;
    } catch {
      ok[i] = 0;
    }
  }
  return { id: job.id, signers, ok };
}

parentPort!.on("message", (job: RecoverJob) => {
  void recover(job).then((result) =>
    parentPort!.postMessage(result, [result.signers.buffer as ArrayBuffer, result.ok.buffer as ArrayBuffer]),
  );
});
