// solidity-coverage: measure the deployable contracts only (test doubles and the test token are not product code).
module.exports = {
  skipFiles: ["test/", "token/VerityTestToken.sol", "interfaces/"],
  istanbulReporter: ["text-summary", "lcov", "json-summary"],
};
