// Errors that are the user's doing (a bad flag, a bad configuration value, a missing file). The
// command line prints their message as `Error: <message>` and exits 1, never with a stack trace;
// any other exception is a bug and is reported as such.

/** A mistake on the command line or in the configuration; `message` is complete and user-facing. */
export class UserError extends Error {
  override readonly name: string = 'UserError';
  /** Process exit code to use (Falco exits 1 on every fatal error). */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A configuration that cannot be used; one line per problem, each naming its file and position. */
export class ConfigError extends UserError {
  override readonly name: string = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** A feature whose module is not connected to the command line yet (see src/cli/integration.ts). */
export class NotIntegratedError extends UserError {
  override readonly name: string = 'NotIntegratedError';

  constructor(feature: string, integrationPoint: string) {
    super(`${feature} is not available in this build yet (integration point: ${integrationPoint})`);
  }
}
