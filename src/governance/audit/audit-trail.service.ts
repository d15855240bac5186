import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { createPublicKey } from 'node:crypto';
import { AuditRepository } from '../../storage/audit.repository.js';
import type { DatabaseTarget } from '../../storage/database-target.js';
import { DATABASE_TARGET } from '../../storage/database.types.js';
import { AuditWorkerClient, type AuditWriterStats } from './audit-worker.client.js';
import { AUDIT_SETTINGS, type AuditSettings } from './audit.settings.js';
import type { AuditEvent } from './audit.types.js';
import type { VerifyOptions } from './audit.verifier.js';

/**
 * The audit trail of this process (contract 12): what every feature records its events through
 * (settlement, admin changes, and the PII, budget and rate-limit stages as they land). Starts the
 * chain writer's worker thread after storage is migrated (resuming its chain), and flushes it at
 * shutdown after the HTTP server has closed, so the last call's event is written too. Disabled,
 * it records nothing and never refuses a call.
 */
@Injectable()
export class AuditTrail implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private writer?: AuditWorkerClient;

  constructor(
    @Inject(AUDIT_SETTINGS) readonly settings: AuditSettings,
    private readonly store: AuditRepository,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.settings.enabled) {
      this.logger.warn(
        'The audit trail is off (gateway.audit.enabled: false): nothing is recorded.',
      );
      return;
    }
    for (const warning of this.settings.warnings) this.logger.warn(warning);
    const writer = new AuditWorkerClient(this.settings, this.store, this.target);
    await writer.start();
    this.writer = writer;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.writer?.stop();
  }

  get enabled(): boolean {
    return this.writer !== undefined;
  }

  get captureContent(): boolean {
    return this.settings.captureContent;
  }

  /** Queues an event; never waits for storage (nor seals it: the worker thread does). */
  record(event: AuditEvent): void {
    this.writer?.record(event);
  }

  /** Whether new calls must be refused (503 `audit_unavailable`): the queue is past `max-queue`. */
  get saturated(): boolean {
    return this.writer?.saturated ?? false;
  }

  /** A call refused because the queue was full (recorded later as one `AUDIT_OVERFLOW`). */
  countRefusal(): void {
    this.writer?.countRefusal();
  }

  /** Queue depth and batch figures, for readiness and (later) metrics. */
  stats(): AuditWriterStats | undefined {
    return this.writer?.snapshot();
  }

  /** Commits everything queued so far. */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  /** What this process can check its own trail with: its secret and its checkpoints' key. */
  verifyOptions(): VerifyOptions {
    const key = this.settings.signingKey;
    return {
      secret: this.settings.enabled ? this.settings.secret : undefined,
      publicKey: key === undefined ? undefined : createPublicKey(key),
    };
  }
}
