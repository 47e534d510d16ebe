import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The ERC-8004 validator (`VerityValidator`) answering into an existing ERC-8004 Validation Registry. Parameters:
 * `attestationRegistry` (the deployed AttestationRegistry) and `validationRegistry` (the network's ERC-8004
 * Validation Registry). Deployed by `deploy/deployVerity.ts` after the core, in the same Ignition deployment.
 */
export const VerityValidatorModule = buildModule("VerityValidator", (m) => {
  const attestationRegistry = m.contractAt("AttestationRegistry", m.getParameter<string>("attestationRegistry"));
  const validationRegistry = m.contractAt("IValidationRegistry", m.getParameter<string>("validationRegistry"));
  const verityValidator = m.contract("VerityValidator", [attestationRegistry, validationRegistry]);
  return { verityValidator, validationRegistry };
});

/**
 * Local chains only: an ERC-8004 identity registry and Validation Registry written for tests
 * (`IdentityRegistryForTests`, `ValidationRegistryForTests`, reference behaviour of erc-8004-contracts v2.0.0), and the
 * validator answering into them, so the demo and local runs have the whole ERC-8004 flow. Parameter:
 * `attestationRegistry`.
 */
export const VerityValidatorLocalModule = buildModule("VerityValidatorLocal", (m) => {
  const attestationRegistry = m.contractAt("AttestationRegistry", m.getParameter<string>("attestationRegistry"));
  const identityRegistry = m.contract("IdentityRegistryForTests", []);
  const validationRegistry = m.contract("ValidationRegistryForTests", [identityRegistry]);
  const verityValidator = m.contract("VerityValidator", [attestationRegistry, validationRegistry]);
  return { verityValidator, validationRegistry, identityRegistry };
});
