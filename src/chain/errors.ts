import {
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  NonceTooLowError,
  TransactionReceiptNotFoundError,
  decodeErrorResult,
  type Abi,
  type Hex,
} from "viem";
import { getNodeError } from "viem/utils";
import { formatRevertArgs, type TokenUnits } from "./formatRevertArgs";
import { BaseError } from "../protocol";
import {
  attestationRegistryAbi,
  dataAvailabilityManagerAbi,
  disputeManagerAbi,
  equivocationSlasherAbi,
  inferenceRouterAbi,
  modelRegistryAbi,
  nodeRegistryAbi,
  stakingAbi,
  verityTestTokenAbi,
  verityValidatorAbi,
} from "./abis.generated";

/**
 * Every custom error any Verity contract can revert with (a call may revert inside another contract), OpenZeppelin's
 * (ERC-20, access control, SafeERC20, ...) included through the contracts' ABIs.
 */
export const VERITY_ERRORS_ABI = [
  ...attestationRegistryAbi,
  ...dataAvailabilityManagerAbi,
  ...disputeManagerAbi,
  ...equivocationSlasherAbi,
  ...inferenceRouterAbi,
  ...modelRegistryAbi,
  ...nodeRegistryAbi,
  ...stakingAbi,
  ...verityTestTokenAbi,
  ...verityValidatorAbi,
].filter((item) => item.type === "error") as Abi;

/** The chain refused a transaction or a call: the contract reverted, with its named error when it has one. */
export class TransactionRevertedError extends BaseError {
  override name = "TransactionRevertedError";
  /** The custom error's name (e.g. `AttestationWindowClosed`), when the contract reverted with one. */
  readonly errorName: string | undefined;
  /** The custom error's arguments, decoded. */
  readonly errorArgs: readonly unknown[] | undefined;
  /** The function whose call reverted. */
  readonly functionName: string;

  /** `fn reverted with Error(name: value, ...)`, the arguments in human units when `token` is given. */
  describe(token?: TokenUnits): string {
    if (!this.errorName) return this.shortMessage;
    const args = formatRevertArgs(VERITY_ERRORS_ABI, this.errorName, this.errorArgs ?? [], token);
    return `${this.functionName} reverted with ${this.errorName}${args ? `(${args})` : ""}`;
  }

  constructor(
    functionName: string,
    errorName: string | undefined,
    errorArgs: readonly unknown[] | undefined,
    cause: unknown,
  ) {
    super(`${functionName} reverted${errorName ? ` with ${errorName}` : ""}.`, {
      cause,
      details: errorArgs?.map(String).join(", "),
    });
    this.functionName = functionName;
    this.errorName = errorName;
    this.errorArgs = errorArgs;
  }
}

/**
 * The one revert decoder: maps an error thrown by viem while simulating, estimating or sending `functionName` to a
 * {@link TransactionRevertedError} naming the contract's custom error and its arguments. Reverts viem already decoded
 * keep its decoding; raw revert data is decoded against every Verity contract's errors. Anything that is not a revert
 * is returned unchanged.
 */
export function decodeRevert(error: unknown, functionName: string): unknown {
  if (error instanceof TransactionRevertedError || !(error instanceof ViemBaseError)) return error;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    const decoded = reverted.data ?? decodeRevertData(reverted.raw);
    return new TransactionRevertedError(
      functionName,
      decoded?.errorName,
      decoded?.args as readonly unknown[] | undefined,
      error,
    );
  }
  const raw = error.walk((e) => typeof (e as { data?: unknown }).data === "string") as { data?: Hex } | null;
  const decoded = raw?.data ? decodeRevertData(raw.data) : undefined;
  if (decoded) return new TransactionRevertedError(functionName, decoded.errorName, decoded.args, error);
  return error;
}

function decodeRevertData(data: Hex | undefined): { errorName: string; args: readonly unknown[] } | undefined {
  if (!data || data === "0x") return undefined;
  try {
    const decoded = decodeErrorResult({ abi: VERITY_ERRORS_ABI, data });
    return { errorName: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] };
  } catch {
    return undefined;
  }
}

/**
 * True when the node refuses a transaction because its nonce is taken: viem's {@link NonceTooLowError} (nonce too
 * low, already known, already imported), or a pending transaction at that nonce that a replacement does not outbid
 * (viem has no class for "replacement transaction underpriced" or "nonce has already been used"; both mean the
 * nonce is in use).
 */
export function isNonceUsedError(error: unknown): boolean {
  if (!(error instanceof ViemBaseError)) return false;
  if (error.walk((e) => e instanceof NonceTooLowError)) return true;
  const node = getNodeError(error, {});
  if (node instanceof NonceTooLowError) return true;
  return /replacement transaction underpriced|nonce has already been used/.test((node.details ?? "").toLowerCase());
}

/** True when a transaction the node is given again is one it holds already (a rebroadcast, which is fine). */
export function isKnownTransactionError(error: unknown): boolean {
  if (!(error instanceof ViemBaseError)) return false;
  return /already known|known transaction/.test((getNodeError(error, {}).details ?? "").toLowerCase());
}

/** True when the chain has no receipt for a transaction (yet). */
export function isReceiptNotFoundError(error: unknown): boolean {
  return error instanceof ViemBaseError && Boolean(error.walk((e) => e instanceof TransactionReceiptNotFoundError));
}
