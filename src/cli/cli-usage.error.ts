/** A command line the CLI cannot run (unknown command, bad option, invalid value): exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
