/** Raised when configuration cannot be loaded or validated; start-up stops with its message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
