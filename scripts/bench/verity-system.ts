import { ethers } from "hardhat";
import { keccak256, toUtf8Bytes } from "ethers";
import type { Signer } from "ethers";
import type { AttestationRegistry } from "../../typechain-types";
import { randomWallet } from "../../test/helpers/receipts";
import type { Domain } from "../../test/helpers/receipts";

const CHALLENGE_WINDOW = 3_600n;

/** Deploys the contracts an attestation touches and one active node serving one active model. */
export async function deployVeritySystem(deployer: Signer) {
  const [, , operator] = await ethers.getSigners();
  const nodes = await ethers.deployContract("NodeRegistryMock", [], deployer);
  const models = await ethers.deployContract("ModelRegistryMock", [], deployer);
  const registry = (await ethers.deployContract(
    "AttestationRegistry",
    [await nodes.getAddress(), await models.getAddress(), CHALLENGE_WINDOW, await deployer.getAddress()],
    deployer,
  )) as unknown as AttestationRegistry;
  const modelId = keccak256(toUtf8Bytes("bench-model"));
  await (await models.getFunction("setActive")(modelId, true)).wait();
  const signer = randomWallet();
  await (await nodes.getFunction("setNode")(operator.address, signer.address, true)).wait();
  const { chainId } = await ethers.provider.getNetwork();
  const domain: Domain = { name: "Verity", version: "1", chainId, verifyingContract: await registry.getAddress() };
  return {
    registry,
    node: operator.address,
    signer,
    modelId,
    domain,
    description: "AttestationRegistry over registry TEST DOUBLES (NodeRegistryMock, ModelRegistryMock)",
  };
}
