/** A wrong command, flag or argument: the CLI prints it with a usage hint and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
