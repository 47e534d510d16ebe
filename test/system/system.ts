import { ethers } from "hardhat";
import { Wallet, keccak256, AbiCoder, solidityPackedKeccak256 } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex, LocalAccount } from "viem";
import { deploySystem as deployWholeSystem } from "../fixtures/system";
import { buildReceiptBatch, getReceiptStructHash, signBatch, signReceipt } from "../../src/protocol";
import type { Receipt, ReceiptBatch } from "../../src/protocol";

export const TOKEN = 10n ** 18n;
export const HOUR = 3_600;
export const DAY = 24 * HOUR;

/** The stake each inference node starts with, and each verifier's, in token units (distinct verifier weights). */
export const NODE_STAKE = 1_000n * TOKEN;
export const VERIFIER_STAKES = [500n, 540n, 580n, 620n, 660n].map((n) => n * TOKEN);
/** What each plain account (challengers, consumers, demanders, the accomplice) starts with. */
export const USER_FUNDS = 100_000n * TOKEN;
/** Spare tokens every node and verifier holds for top-ups. */
export const SPARE = 2_000n * TOKEN;

/** `IModelRegistry.VerificationMode.EXACT` and `INodeRegistry.NodeRole`. */
const EXACT = 0;
const Role = { Inference: 0, Verifier: 1 } as const;

/** An inference node: its operator account and its receipt-signing key (a viem local account). */
export interface NodeActor {
  name: string;
  honest: boolean;
  account: HardhatEthersSigner;
  address: string;
  /** Its current signing key; `keys` keeps every key it ever used (a liar may rotate). */
  key: LocalAccount;
  keys: LocalAccount[];
}

export interface VerifierActor {
  name: string;
  account: HardhatEthersSigner;
  address: string;
}

export interface UserActor {
  name: string;
  /** The accomplice acts for the lying node; the others are honest. */
  accomplice: boolean;
  account: HardhatEthersSigner;
  address: string;
}

/** The correct output of an input: what every honest node and verifier computes. */
export function truth(inputHash: string): Hex {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], ["output", inputHash])) as Hex;
}

/** A wrong output of an input (a lying node's, or a lying challenger's claim); `salt` makes several distinct ones. */
export function lie(inputHash: string, salt = 0): Hex {
  return solidityPackedKeccak256(["string", "bytes32", "uint256"], ["lie", inputHash, salt]) as Hex;
}

/** Deploys the whole system exactly as deploy/ does (the VerityLocal Ignition module), then enrolls the actors. */
export async function deploySystem() {
  const deployed = await deployWholeSystem();
  const { token, modelRegistry, staking, nodeRegistry } = deployed;
  const attestation = deployed.attestationRegistry;
  const disputes = deployed.disputeManager;
  const equivocation = deployed.equivocationSlasher;
  const availability = deployed.dataAvailabilityManager;
  const router = deployed.inferenceRouter;

  const signers = await ethers.getSigners();
  const [admin, arbitrator] = signers;
  await (await disputes.grantRole(await disputes.ARBITRATOR_ROLE(), arbitrator.address)).wait();

  const modelId = ethers.id("system-property-model");
  await (
    await modelRegistry.registerModel({
      id: modelId,
      runtimeId: ethers.id("verity-int8/1"),
      mode: EXACT,
      tolerance: 0n,
      weightsRoot: ethers.id("weights"),
      previous: ethers.ZeroHash,
      metadataURI: "ipfs://system-property-model",
    })
  ).wait();

  const spenders = [
    await staking.getAddress(),
    await disputes.getAddress(),
    await availability.getAddress(),
    await router.getAddress(),
  ];
  const fund = async (account: HardhatEthersSigner, amount: bigint) => {
    await (await token.mint(account.address, amount)).wait();
    for (const spender of spenders) await (await token.connect(account).approve(spender, ethers.MaxUint256)).wait();
  };

  const nodes: NodeActor[] = [];
  for (const [i, name] of ["honest-1", "honest-2", "liar"].entries()) {
    const account = signers[2 + i];
    const key = privateKeyToAccount(Wallet.createRandom().privateKey as Hex);
    await fund(account, NODE_STAKE + SPARE);
    await (await staking.connect(account).stake(NODE_STAKE)).wait();
    await (
      await nodeRegistry
        .connect(account)
        .registerNode(key.address, `https://${name}.example`, Role.Inference, [modelId])
    ).wait();
    nodes.push({ name, honest: name !== "liar", account, address: account.address, key, keys: [key] });
  }
  const verifiers: VerifierActor[] = [];
  for (const [i, amount] of VERIFIER_STAKES.entries()) {
    const account = signers[5 + i];
    const key = Wallet.createRandom();
    await fund(account, amount + SPARE);
    await (await staking.connect(account).stake(amount)).wait();
    await (
      await nodeRegistry.connect(account).registerNode(key.address, `https://verifier-${i}.example`, Role.Verifier, [])
    ).wait();
    verifiers.push({ name: `verifier-${i}`, account, address: account.address });
  }
  const users: UserActor[] = [];
  for (const [i, name] of ["accomplice", "alice", "bob"].entries()) {
    const account = signers[10 + i];
    await fund(account, USER_FUNDS);
    users.push({ name, accomplice: name === "accomplice", account, address: account.address });
  }

  const { chainId } = await ethers.provider.getNetwork();
  const domain = { chainId, verifyingContract: (await attestation.getAddress()) as Hex };
  const contracts = {
    staking: await staking.getAddress(),
    nodeRegistry: await nodeRegistry.getAddress(),
    attestation: await attestation.getAddress(),
    disputes: await disputes.getAddress(),
    equivocation: await equivocation.getAddress(),
    availability: await availability.getAddress(),
    router: await router.getAddress(),
    modelRegistry: await modelRegistry.getAddress(),
    token: await token.getAddress(),
  };
  return {
    token,
    modelRegistry,
    staking,
    nodeRegistry,
    attestation,
    disputes,
    equivocation,
    availability,
    router,
    admin,
    arbitrator,
    nodes,
    verifiers,
    users,
    modelId,
    domain,
    contracts,
    /** Every address that can hold tokens in a run: accounts, contracts and the treasury. */
    holders: [
      admin.address,
      arbitrator.address,
      ...nodes.map((n) => n.address),
      ...verifiers.map((v) => v.address),
      ...users.map((u) => u.address),
      ...Object.values(contracts),
    ],
  };
}

export type System = Awaited<ReturnType<typeof deploySystem>>;

/** Signs a receipt with a node's key through src/protocol, the same code the node runs. */
export async function signed(system: System, key: LocalAccount, receipt: Receipt): Promise<Hex> {
  return signReceipt({ signer: key, domain: system.domain, receipt });
}

/** Builds and signs a batch header through src/protocol. */
export async function signedBatch(system: System, key: LocalAccount, receipts: Receipt[], sequence: bigint) {
  const built = buildReceiptBatch(receipts);
  const header: ReceiptBatch = {
    node: receipts[0]!.node,
    sequence,
    root: built.root,
    count: built.count,
    dataHash: keccak256(built.root) as Hex,
  };
  const signature = await signBatch({ signer: key, domain: system.domain, batch: header });
  return { built, header, signature };
}

export { getReceiptStructHash };
export type { Receipt };
