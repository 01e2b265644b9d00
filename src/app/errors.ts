/**
 * A request a use case cannot serve, for a reason the caller can fix: the CLI prints it as one
 * line (exit 1), the API answers 400 (invalid input) or 404 (not found) with it.
 */
export class UseCaseError extends Error {
  override readonly name = 'UseCaseError';
  constructor(
    message: string,
    readonly kind: 'invalid-input' | 'not-found' = 'invalid-input',
  ) {
    super(message);
  }
}
