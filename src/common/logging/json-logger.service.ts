import type { LoggerService } from '@nestjs/common';
import pino, { type Logger, type LevelWithSilent } from 'pino';
import { LOG_REDACTION } from './log-redaction.js';

/** Nest's own start-up chatter (one line per module and route): useful when debugging only. */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
]);

/**
 * Nest's logger on pino: every `Logger` of the gateway writes through it, one JSON object per
 * line on stdout (contract 14). Messages may carry fields in an object (`{msg, trace_id, ...}`);
 * pino's `redact` removes secrets from them ({@link LOG_REDACTION}) wherever a call site put them.
 */
export class JsonLogger implements LoggerService {
  private readonly logger: Logger;

  constructor(level: LevelWithSilent, destination?: pino.DestinationStream) {
    this.logger = pino(
      {
        level,
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        redact: LOG_REDACTION,
      },
      destination ?? pino.destination({ sync: false }),
    );
  }

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    const level = typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info';
    this.write(level, message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Flushes buffered lines; call before the process exits. */
  flush(): void {
    this.logger.flush();
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    // Nest passes (message, context) or (message, stack, context); the context is last.
    const context = typeof rest[rest.length - 1] === 'string' ? rest.pop() : undefined;
    const fields: Record<string, unknown> = { context };
    for (const extra of rest) {
      if (typeof extra === 'string') fields.stack = extra;
      else if (extra && typeof extra === 'object') Object.assign(fields, extra);
    }
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, ...others } = message as Record<string, unknown>;
      this.logger[level]({ ...fields, ...others }, typeof msg === 'string' ? msg : '');
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
