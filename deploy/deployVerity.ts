import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { verityModule } from "./modules/Verity";
import { DEFAULT_DISPUTE_PARAMETERS } from "./modules/VerityCore";
import type { ValidatorPlacement } from "./modules/VerityValidator";
import { getAddress } from "viem";
import {
  localIgnitionDeploymentId,
  readDeploymentFile,
  writeDeploymentFile,
  type DeploymentRecord,
  type VerityContracts,
} from "../src/chain/deployment";

/** What a deployment may be told; everything is optional and has a documented default. */
export interface DeployVerityOptions {
  /** An existing ERC-20 to stake. Without it a `VerityTestToken` is deployed (local chains, testnets). */
  stakeToken?: string;
  /** Receives the admin roles after wiring; the deployer then renounces them. Defaults to the deployer. */
  admin?: string;
  /** Receives slashed tokens not paid out. Defaults to the deployer. */
  treasury?: string;
  /** Minimum active stake of a node, in token base units. */
  minimumStake?: bigint;
  /** Unbonding period in seconds. */
  unbondingPeriod?: bigint;
  /** Challenge window of attested receipts, in seconds. */
  challengeWindow?: bigint;
  /** Dispute parameters (IDisputeManager.Parameters); defaults in deploy/modules/VerityCore.ts. */
  disputeParameters?: typeof DEFAULT_DISPUTE_PARAMETERS;
  /**
   * The network's ERC-8004 Validation Registry, which `VerityValidator` answers into. Without it, a local chain
   * (chain id 31337) gets test ERC-8004 registries (`IdentityRegistryForTests`, `ValidationRegistryForTests`) and the
   * validator; any other chain gets no validator (the ERC-8004 registries are optional).
   */
  validationRegistry?: string;
  /** Directory of `<network>.json` address files. Defaults to `deployments/` at the repository root. */
  deploymentsDir?: string;
  /** Write the address file (default true). Tests pass false. */
  writeFile?: boolean;
}

/** Addresses of a deployed system, by contract name. */
export type VerityAddresses = VerityContracts;

/**
 * Deploys and wires Verity through Hardhat Ignition (resumable and idempotent: a second run on the same network
 * changes nothing), hands the admin roles to `options.admin`, and records the addresses in
 * `deployments/<network>.json` for the off-chain components.
 */
export async function deployVerity(
  hre: HardhatRuntimeEnvironment,
  options: DeployVerityOptions = {},
): Promise<DeploymentRecord> {
  const [deployer] = await hre.ethers.getSigners();
  const startBlock = await hre.ethers.provider.getBlockNumber();
  const shared = {
    ...(options.treasury ? { treasury: options.treasury } : {}),
    ...(options.minimumStake !== undefined ? { minimumStake: options.minimumStake } : {}),
    ...(options.unbondingPeriod !== undefined ? { unbondingPeriod: options.unbondingPeriod } : {}),
    ...(options.challengeWindow !== undefined ? { challengeWindow: options.challengeWindow } : {}),
    ...(options.disputeParameters !== undefined ? { disputeParameters: options.disputeParameters } : {}),
  };
  const deploymentId = await getDeploymentId(hre);
  const { chainId } = await hre.ethers.provider.getNetwork();
  const validator = validatorPlacement(options, chainId);
  const parameters = {
    ...shared,
    ...(options.stakeToken ? { stakeToken: options.stakeToken } : {}),
    ...(options.validationRegistry ? { validationRegistry: options.validationRegistry } : {}),
  };
  const module = verityModule(options.stakeToken ? "existing" : "test", validator);
  const deployed = await hre.ignition.deploy(module, {
    ...(deploymentId === undefined ? {} : { deploymentId }),
    parameters: { [module.id]: parameters },
  });

  const contracts: VerityAddresses = {
    token: getAddress(await deployed.token.getAddress()),
    modelRegistry: getAddress(await deployed.modelRegistry.getAddress()),
    staking: getAddress(await deployed.staking.getAddress()),
    nodeRegistry: getAddress(await deployed.nodeRegistry.getAddress()),
    attestationRegistry: getAddress(await deployed.attestationRegistry.getAddress()),
    disputeManager: getAddress(await deployed.disputeManager.getAddress()),
    equivocationSlasher: getAddress(await deployed.equivocationSlasher.getAddress()),
    dataAvailabilityManager: getAddress(await deployed.dataAvailabilityManager.getAddress()),
    inferenceRouter: getAddress(await deployed.inferenceRouter.getAddress()),
    oneStepExecutor: getAddress(await deployed.oneStepExecutor.getAddress()),
    fraudGame: getAddress(await deployed.fraudGame.getAddress()),
  };
  for (const name of ["verityValidator", "validationRegistry", "identityRegistry"] as const) {
    const contract = deployed[name];
    if (contract !== undefined) contracts[name] = getAddress(await contract.getAddress());
  }

  if (options.admin && options.admin.toLowerCase() !== deployer.address.toLowerCase()) {
    for (const contract of [
      deployed.staking,
      deployed.nodeRegistry,
      deployed.attestationRegistry,
      deployed.disputeManager,
      deployed.equivocationSlasher,
      deployed.dataAvailabilityManager,
      deployed.inferenceRouter,
      deployed.fraudGame,
    ]) {
      await handOverAdmin(contract, deployer.address, options.admin);
    }
  }

  const record: DeploymentRecord = {
    network: hre.network.name,
    chainId: Number(chainId),
    startBlock,
    contracts,
    ...(localRpcUrl(hre) ? { rpcUrl: localRpcUrl(hre) } : {}),
  };
  if (options.writeFile !== false) {
    const dir = options.deploymentsDir ?? path.join(hre.config.paths.root, "deployments");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${hre.network.name}.json`);
    record.startBlock = keepFirstStartBlock(file, record);
    writeDeploymentFile(file, record);
  }
  return record;
}

/**
 * Where `VerityValidator` answers: into `options.validationRegistry` when given; into test ERC-8004 registries deployed
 * with it on a local chain (31337); nowhere on any other chain (the ERC-8004 registries are optional). The validator
 * holds no role and no admin: nothing to hand over.
 */
function validatorPlacement(options: DeployVerityOptions, chainId: bigint): ValidatorPlacement {
  if (options.validationRegistry) return "registry";
  return chainId === 31337n ? "test-registries" : "none";
}

/**
 * The start block to record: a re-run that finds the same system (same chain, same contract addresses) in the
 * deployment file keeps the earlier start block, so indexers still read the history from the first deployment.
 */
function keepFirstStartBlock(file: string, record: DeploymentRecord): number {
  if (!fs.existsSync(file)) return record.startBlock;
  let previous: DeploymentRecord;
  try {
    previous = readDeploymentFile(file);
  } catch {
    return record.startBlock;
  }
  const same =
    previous.chainId === record.chainId &&
    Object.entries(previous.contracts).every(
      ([name, address]) =>
        address === undefined ||
        record.contracts[name as keyof DeploymentRecord["contracts"]]?.toLowerCase() === address.toLowerCase(),
    );
  return same ? Math.min(previous.startBlock, record.startBlock) : record.startBlock;
}

/** Ignition's journal id: `chain-<id>` on real networks; on a local dev chain, `localIgnitionDeploymentId`. */
export async function getDeploymentId(hre: HardhatRuntimeEnvironment): Promise<string | undefined> {
  const { chainId } = await hre.ethers.provider.getNetwork();
  if (hre.network.name === "hardhat") return undefined;
  if (chainId !== 31337n) return `chain-${chainId}`;
  const genesis = await hre.ethers.provider.getBlock(0);
  const url = "url" in hre.network.config ? hre.network.config.url : "";
  const port = new URL(url || "http://127.0.0.1:8545").port || "80";
  return localIgnitionDeploymentId(BigInt(genesis?.timestamp ?? 0), port);
}

interface AccessControlled {
  DEFAULT_ADMIN_ROLE(): Promise<string>;
  hasRole(role: string, account: string): Promise<boolean>;
  grantRole(role: string, account: string): Promise<{ wait(): Promise<unknown> }>;
  renounceRole(role: string, account: string): Promise<{ wait(): Promise<unknown> }>;
}

/** Grants the admin role to `admin` and renounces the deployer's, each only if not done yet (resumable). */
async function handOverAdmin(contract: unknown, deployer: string, admin: string): Promise<void> {
  const controlled = contract as AccessControlled;
  const role = await controlled.DEFAULT_ADMIN_ROLE();
  if (!(await controlled.hasRole(role, admin))) await (await controlled.grantRole(role, admin)).wait();
  if (await controlled.hasRole(role, deployer)) await (await controlled.renounceRole(role, deployer)).wait();
}

/** The RPC URL of a local dev chain (`localhost` and the like, chain 31337, served over HTTP); undefined elsewhere. */
function localRpcUrl(hre: HardhatRuntimeEnvironment): string | undefined {
  const config = hre.network.config;
  return config.chainId === 31337 && "url" in config ? config.url : undefined;
}
