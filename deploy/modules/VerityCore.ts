import type {
  IgnitionModuleBuilder,
  NamedArtifactContractAtFuture,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";

/** Seven days: the default unbonding period. */
const SEVEN_DAYS = 7n * 24n * 60n * 60n;

/** Default minimum stake: 100 tokens of 18 decimals. */
const DEFAULT_MINIMUM_STAKE = 100n * 10n ** 18n;

type ContractFuture = NamedArtifactContractDeploymentFuture<string> | NamedArtifactContractAtFuture<string>;

/**
 * Deploys and wires the core contracts (ModelRegistry, Staking, NodeRegistry) on top of a stake token, inside an
 * Ignition module. The deployer holds the admin roles while wiring; `deploy/deploy.ts` hands them to the configured
 * admin afterwards. Ignition records every step, so re-running is a no-op and an interrupted run resumes.
 *
 * Parameters (under the calling module's id): `treasury` (defaults to the deployer), `minimumStake`,
 * `unbondingPeriod` (seconds).
 */
export function buildVerityCore(m: IgnitionModuleBuilder, token: ContractFuture) {
  const deployer = m.getAccount(0);
  const treasury = m.getParameter("treasury", deployer);
  const minimumStake = m.getParameter("minimumStake", DEFAULT_MINIMUM_STAKE);
  const unbondingPeriod = m.getParameter("unbondingPeriod", SEVEN_DAYS);

  const modelRegistry = m.contract("ModelRegistry", []);
  const staking = m.contract("Staking", [token, deployer, treasury, minimumStake, unbondingPeriod]);
  const nodeRegistry = m.contract("NodeRegistry", [modelRegistry, staking, deployer]);
  m.call(staking, "setStakeObserver", [nodeRegistry]);

  return { modelRegistry, staking, nodeRegistry };
}
