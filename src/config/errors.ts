/**
 * Bad configuration: a malformed file, an unknown key, a value of the wrong type,
 * a wrong flag. The message names where the problem is (file key, variable or flag).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'

  /** Each problem, already prefixed with where it is. */
  readonly problems: string[]

  constructor (problems: string[]) {
    super(problems.join('\n'))
    this.problems = problems
  }
}
