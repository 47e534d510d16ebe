import type {
  IgnitionModuleBuilder,
  NamedArtifactContractAtFuture,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";

/** Seven days: the default unbonding period. */
const SEVEN_DAYS = 7n * 24n * 60n * 60n;

/** One day: the default challenge window of attested receipts. */
const ONE_DAY = 24n * 60n * 60n;

/** Default dispute parameters (see IDisputeManager.Parameters); periods in seconds. */
export const DEFAULT_DISPUTE_PARAMETERS = {
  bondFloor: 10n * 10n ** 18n,
  bondBps: 1_000,
  slashBps: 5_000,
  challengerRewardBps: 2_000,
  voterRewardBps: 1_000,
  nonRevealPenaltyBps: 100,
  committeeSize: 3,
  quorum: 2,
  commitPeriod: 3_600,
  revealPeriod: 3_600,
  arbitrationPeriod: 3_600,
};

/** Default data-availability parameters (see IDataAvailabilityManager.Parameters). */
export const DEFAULT_DATA_AVAILABILITY_PARAMETERS = {
  bondFloor: 1n * 10n ** 18n,
  responsePeriod: 3_600,
  slashBps: 1_000,
  demanderRewardBps: 2_000,
};

/** Default router parameters (see InferenceRouter.Parameters). */
export const DEFAULT_ROUTER_PARAMETERS = {
  minFeePerNode: 10n ** 16n,
  protocolFeeBps: 500,
  livenessPenalty: 10n ** 18n,
  maxReassignments: 2,
};

/** Default fraud-game parameters (see IFraudGame.Parameters); the move period in seconds. */
export const DEFAULT_FRAUD_GAME_PARAMETERS = {
  bondFloor: 10n * 10n ** 18n,
  bondBps: 1_000,
  slashBps: 5_000,
  challengerRewardBps: 2_000,
  nodeBondShareBps: 5_000,
  movePeriod: 3_600,
};

/** Default minimum stake: 100 tokens of 18 decimals. */
const DEFAULT_MINIMUM_STAKE = 100n * 10n ** 18n;

type ContractFuture = NamedArtifactContractDeploymentFuture<string> | NamedArtifactContractAtFuture<string>;

/**
 * Deploys and wires the core contracts (ModelRegistry, Staking, NodeRegistry, AttestationRegistry, DisputeManager and FraudGame holding the dispute role, FraudGame the registry's fraud judge) on top of a stake token, inside an
 * Ignition module. The deployer holds the admin roles while wiring; `deploy/deploy.ts` hands them to the configured
 * admin afterwards. Ignition records every step, so re-running is a no-op and an interrupted run resumes.
 *
 * Parameters (under the calling module's id): `treasury` (defaults to the deployer), `minimumStake`,
 * `unbondingPeriod` and `challengeWindow` (seconds), `disputeParameters` (an IDisputeManager.Parameters object).
 */
export function buildVerityCore(m: IgnitionModuleBuilder, token: ContractFuture) {
  const deployer = m.getAccount(0);
  const treasury = m.getParameter("treasury", deployer);
  const minimumStake = m.getParameter("minimumStake", DEFAULT_MINIMUM_STAKE);
  const unbondingPeriod = m.getParameter("unbondingPeriod", SEVEN_DAYS);
  const challengeWindow = m.getParameter("challengeWindow", ONE_DAY);

  const modelRegistry = m.contract("ModelRegistry", []);
  const staking = m.contract("Staking", [token, deployer, treasury, minimumStake, unbondingPeriod]);
  const nodeRegistry = m.contract("NodeRegistry", [modelRegistry, staking, deployer]);
  m.call(staking, "setStakeObserver", [nodeRegistry]);
  const attestationRegistry = m.contract("AttestationRegistry", [
    nodeRegistry,
    modelRegistry,
    challengeWindow,
    deployer,
  ]);
  // The attestation registry keeps its own copy of node and model status; the registries tell it of every change.
  m.call(nodeRegistry, "setNodeObserver", [attestationRegistry]);
  m.call(modelRegistry, "setModelObserver", [attestationRegistry]);
  const disputeParameters = m.getParameter("disputeParameters", DEFAULT_DISPUTE_PARAMETERS);
  const disputeManager = m.contract("DisputeManager", [
    staking,
    nodeRegistry,
    attestationRegistry,
    deployer,
    disputeParameters,
  ]);
  const equivocationSlasher = m.contract("EquivocationSlasher", [
    attestationRegistry,
    staking,
    nodeRegistry,
    modelRegistry,
    m.getParameter("equivocationSlashBps", 5_000),
    m.getParameter("equivocationProverRewardBps", 2_000),
    deployer,
  ]);
  const dataAvailabilityManager = m.contract("DataAvailabilityManager", [
    attestationRegistry,
    staking,
    nodeRegistry,
    m.getParameter("dataAvailabilityParameters", DEFAULT_DATA_AVAILABILITY_PARAMETERS),
    deployer,
  ]);
  const inferenceRouter = m.contract("InferenceRouter", [
    {
      staking,
      nodes: nodeRegistry,
      models: modelRegistry,
      attestations: attestationRegistry,
      disputes: disputeManager,
    },
    m.getParameter("routerParameters", DEFAULT_ROUTER_PARAMETERS),
    deployer,
  ]);
  // EXACT models of the integer runtime v2 are disputed by the fraud game (TOLERANCE ones by the committee above).
  const oneStepExecutor = m.contract("OneStepExecutor", []);
  const fraudGame = m.contract("FraudGame", [
    {
      staking,
      nodes: nodeRegistry,
      attestation: attestationRegistry,
      models: modelRegistry,
      router: inferenceRouter,
      executor: oneStepExecutor,
    },
    deployer,
    m.getParameter("fraudGameParameters", DEFAULT_FRAUD_GAME_PARAMETERS),
  ]);
  const routerRole = m.staticCall(disputeManager, "ROUTER_ROLE", [], 0, { id: "DisputeManager_ROUTER_ROLE" });
  m.call(disputeManager, "grantRole", [routerRole, inferenceRouter], { id: "DisputeManager_grantRouter" });
  for (const [name, contract] of [
    ["Staking", staking],
    ["NodeRegistry", nodeRegistry],
    ["AttestationRegistry", attestationRegistry],
  ] as const) {
    const role = m.staticCall(contract, "DISPUTE_ROLE", [], 0, { id: `${name}_DISPUTE_ROLE` });
    m.call(contract, "grantRole", [role, disputeManager], { id: `${name}_grantDisputeManager` });
    const grantFraudGame = m.call(contract, "grantRole", [role, fraudGame], { id: `${name}_grantFraudGame` });
    if (name === "AttestationRegistry") {
      // Receipts the fraud game can decide are disputed only there, never by the committee (the registry requires
      // its fraud judge to hold the dispute role, hence after the grant).
      m.call(attestationRegistry, "setFraudJudge", [fraudGame], { after: [grantFraudGame] });
      continue;
    }
    m.call(contract, "grantRole", [role, equivocationSlasher], { id: `${name}_grantEquivocationSlasher` });
    m.call(contract, "grantRole", [role, dataAvailabilityManager], { id: `${name}_grantDataAvailabilityManager` });
    if (name === "Staking") m.call(contract, "grantRole", [role, inferenceRouter], { id: "Staking_grantRouter" });
  }

  return {
    modelRegistry,
    staking,
    nodeRegistry,
    attestationRegistry,
    disputeManager,
    equivocationSlasher,
    dataAvailabilityManager,
    inferenceRouter,
    oneStepExecutor,
    fraudGame,
  };
}
