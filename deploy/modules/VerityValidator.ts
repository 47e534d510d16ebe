import type { ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

/**
 * Where the ERC-8004 validator (`VerityValidator`) answers:
 * - `"none"`: no validator (a public chain without a known Validation Registry);
 * - `"registry"`: into an existing ERC-8004 Validation Registry, given as the `validationRegistry` parameter;
 * - `"test-registries"`: into an identity registry and Validation Registry written for tests (`IdentityRegistryForTests`,
 *   `ValidationRegistryForTests`, reference behaviour of erc-8004-contracts v2.0.0) deployed with it: local chains only,
 *   so the demo and local runs have the whole ERC-8004 flow.
 */
export type ValidatorPlacement = "none" | "registry" | "test-registries";

/** The validator's futures by placement: none, the validator and its registry, or those and the identity registry. */
export type ValidatorFutures = Partial<
  Record<"verityValidator" | "validationRegistry" | "identityRegistry", ContractFuture<string>>
>;

/**
 * Adds the ERC-8004 validator to the module being built, after the core (it reads `attestationRegistry`). It is part
 * of the one Ignition module of the deployment, never a second module in the same journal: Ignition judges a resumed
 * deployment by every future in its journal, so a second module interrupted mid-way would fail the first one's
 * resumption ("neither timeouts or failures").
 */
export function buildVerityValidator(
  m: IgnitionModuleBuilder,
  attestationRegistry: ContractFuture<string>,
  placement: ValidatorPlacement,
): ValidatorFutures {
  if (placement === "none") return {};
  if (placement === "registry") {
    const validationRegistry = m.contractAt("IValidationRegistry", m.getParameter<string>("validationRegistry"));
    const verityValidator = m.contract("VerityValidator", [attestationRegistry, validationRegistry]);
    return { verityValidator, validationRegistry };
  }
  const identityRegistry = m.contract("IdentityRegistryForTests", []);
  const validationRegistry = m.contract("ValidationRegistryForTests", [identityRegistry]);
  const verityValidator = m.contract("VerityValidator", [attestationRegistry, validationRegistry]);
  return { verityValidator, validationRegistry, identityRegistry };
}
