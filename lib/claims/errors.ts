// Errors of this module. Configuration problems are collected, not thrown one by one, so that an
// administrator fixes everything in one pass.

/** Thrown by compileClaims / compileAccessRules with every problem, one line each. */
export class ClaimsConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ClaimsConfigError';
    this.problems = problems;
  }
}

/** A CAS authentication that cannot become claims (e.g. the sub source gave nothing). */
export class ClaimMappingError extends Error {
  /** the claim that failed */
  readonly claim: string;

  constructor(claim: string, message: string) {
    super(message);
    this.name = 'ClaimMappingError';
    this.claim = claim;
  }
}
