import { ethers } from "hardhat";
import type { Signer } from "ethers";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { AttestationRegistry } from "../../typechain-types";

const CHALLENGE_WINDOW = 3_600n;
const MINIMUM_STAKE = ethers.parseEther("100");
const UNBONDING_PERIOD = 7n * 24n * 3600n;

/**
 * Deploys the real contracts an attestation touches, wired as in production (Staking observed by NodeRegistry, both
 * registries observed by the AttestationRegistry), and
 * one active inference node (staked the minimum, signer key of its own) serving one active EXACT model.
 */
export async function deployVeritySystem(deployer: Signer) {
  const [, , operator, treasury] = await ethers.getSigners();
  const admin = await deployer.getAddress();

  const token = await ethers.deployContract("VerityTestToken", [admin], deployer);
  const staking = await ethers.deployContract(
    "Staking",
    [await token.getAddress(), admin, treasury.address, MINIMUM_STAKE, UNBONDING_PERIOD],
    deployer,
  );
  const modelRegistry = await ethers.deployContract("ModelRegistry", [], deployer);
  const nodeRegistry = await ethers.deployContract(
    "NodeRegistry",
    [await modelRegistry.getAddress(), await staking.getAddress(), admin],
    deployer,
  );
  await (await staking.setStakeObserver(await nodeRegistry.getAddress())).wait();
  const registry = (await ethers.deployContract(
    "AttestationRegistry",
    [await nodeRegistry.getAddress(), await modelRegistry.getAddress(), CHALLENGE_WINDOW, admin],
    deployer,
  )) as unknown as AttestationRegistry;
  await (await nodeRegistry.setNodeObserver(await registry.getAddress())).wait();
  await (await modelRegistry.setModelObserver(await registry.getAddress())).wait();

  const modelId = ethers.id("bench-model") as Hex;
  await (
    await modelRegistry.registerModel({
      id: modelId,
      runtimeId: ethers.id("verity-int8/1"),
      mode: 0,
      tolerance: 0n,
      weightsRoot: ethers.id("bench-model/weights"),
      previous: ethers.ZeroHash,
      metadataURI: "ipfs://bench-model",
    })
  ).wait();

  const signer = privateKeyToAccount(ethers.id("bench-gas/signer") as Hex);
  await (await token.mint(operator.address, MINIMUM_STAKE)).wait();
  await (await token.connect(operator).approve(await staking.getAddress(), MINIMUM_STAKE)).wait();
  await (await staking.connect(operator).stake(MINIMUM_STAKE)).wait();
  await (await nodeRegistry.connect(operator).registerNode(signer.address, "https://bench.node", 0, [modelId])).wait();

  const { chainId } = await ethers.provider.getNetwork();
  const domain = { chainId, verifyingContract: (await registry.getAddress()) as Address };
  return {
    registry,
    node: operator.address as Address,
    signer,
    modelId,
    domain,
    description:
      "AttestationRegistry over the real ModelRegistry, NodeRegistry and Staking, bound as both registries' observer",
  };
}
