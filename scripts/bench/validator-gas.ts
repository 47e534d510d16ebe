import { ethers } from "hardhat";
import type { ContractTransactionResponse, Signer } from "ethers";
import type { Address, Hex } from "viem";
import type { AttestationRegistry, VerityValidator } from "../../typechain-types";
import { buildReceiptBatch, getReceiptStructHash, signBatch, signReceipt } from "../../src/protocol";
import type { Receipt, ReceiptBatch } from "../../src/protocol";

/** What `measureValidatorGas` needs of the benchmark's attestation system. */
export interface ValidatorGasParameters {
  registry: AttestationRegistry;
  keeper: Signer;
  node: Address;
  signer: Parameters<typeof signReceipt>[0]["signer"];
  domain: Parameters<typeof signReceipt>[0]["domain"];
  /** Fresh receipts of `node` (deterministic, like the rest of the benchmark). */
  makeReceipt: () => Receipt;
}

async function gasOf(sent: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await sent).wait();
  if (!receipt || receipt.status !== 1) throw new Error("validator benchmark transaction failed");
  return Number(receipt.gasUsed);
}

/**
 * Gas of `VerityValidator.update`, i.e. of an ERC-8004 `validationResponse` pushed through the validator into the
 * test Validation Registry (`ValidationRegistryForTests`, reference behaviour of erc-8004-contracts v2.0.0): the first
 * answer ("soft") for a single receipt and for a leaf of a batch of 1,024 (a 10-hash proof), then "final" after the
 * window. Runs after every other case of the benchmark, so it moves none of their figures.
 */
export async function measureValidatorGas(params: ValidatorGasParameters): Promise<Record<string, number>> {
  const { registry, keeper, node, signer, domain, makeReceipt } = params;
  const identity = await ethers.deployContract("IdentityRegistryForTests");
  const validationRegistry = await ethers.deployContract("ValidationRegistryForTests", [await identity.getAddress()]);
  const validator = (await ethers.deployContract("VerityValidator", [
    await registry.getAddress(),
    await validationRegistry.getAddress(),
  ])) as unknown as VerityValidator;
  const agent = keeper;
  await (await identity.connect(agent).register("ipfs://bench-agent")).wait();
  const agentId = 0n;

  const request = async (receipt: Receipt, batchId: Hex, proof: Hex[]) => {
    const salt = ethers.ZeroHash;
    const requestHash = await validator.requestHashOf(agentId, getReceiptStructHash(receipt), batchId, salt);
    await (
      await validationRegistry
        .connect(agent)
        .validationRequest(await validator.getAddress(), agentId, "ipfs://bench-request", requestHash)
    ).wait();
    return () => validator.connect(keeper).update(requestHash, receipt, batchId, proof, salt);
  };

  const single = params.makeReceipt();
  await (
    await registry.connect(keeper).submitReceipt(single, await signReceipt({ signer, domain, receipt: single }))
  ).wait();
  const pushSingle = await request(single, ethers.ZeroHash as Hex, []);

  const receipts = Array.from({ length: 1024 }, () => makeReceipt());
  const built = buildReceiptBatch(receipts);
  const batch: ReceiptBatch = {
    node,
    sequence: await registry.nextSequence(node),
    root: built.root,
    count: built.count,
    dataHash: ethers.ZeroHash as Hex,
  };
  await (await registry.connect(keeper).submitBatch(batch, await signBatch({ signer, domain, batch }))).wait();
  const batchId = (await registry.computeBatchId(node, built.root)) as Hex;
  const pushLeaf = await request(built.receipts[700]!, batchId, built.proofs[700]!);

  const soft = await gasOf(pushSingle());
  const softLeaf = await gasOf(pushLeaf());
  await ethers.provider.send("evm_increaseTime", [Number(await registry.challengeWindow())]);
  const final = await gasOf(pushSingle());
  return {
    "ERC-8004 validationResponse via VerityValidator: soft, single receipt": soft,
    "ERC-8004 validationResponse via VerityValidator: soft, leaf of 1024": softLeaf,
    "ERC-8004 validationResponse via VerityValidator: soft → final, single receipt": final,
  };
}
