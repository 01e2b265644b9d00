/**
 * A user-facing failure: printed as one line on stderr, exit code given. Its own
 * module so that the CLI entry point can catch it without loading the store.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
