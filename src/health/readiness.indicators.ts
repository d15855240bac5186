import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AuditTrail } from '../governance/audit/audit-trail.service.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { StorageHealth } from '../storage/storage.health.js';
import { ShutdownState } from './shutdown-state.service.js';

/** Terminus indicators behind /health/ready (contract section 13). */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ProviderRegistry,
    private readonly shutdown: ShutdownState,
    private readonly storage: StorageHealth,
    private readonly audit: AuditTrail,
  ) {}

  database() {
    return this.indicators
      .check('database')
      .attempt(() => this.storage.pingDatabase())
      .withTimeout(3_000);
  }

  /**
   * Only when Redis is configured: without it, nothing depends on Redis. A Redis that does not
   * answer leaves the gateway ready but degraded (contract 11.4): rate limits count per replica
   * meanwhile, and key revocations reach other replicas only when their cached keys expire.
   */
  async redis() {
    const session = this.indicators.check('redis');
    try {
      await this.storage.pingRedis();
      return session.up();
    } catch (err) {
      return session.degraded({
        message: err instanceof Error ? err.message : String(err),
        rate_limits: 'counted per replica until Redis answers again',
      });
    }
  }

  get redisConfigured(): boolean {
    return this.storage.redisConfigured;
  }

  providers() {
    const session = this.indicators.check('providers');
    const ids = this.registry.providers.map((p) => p.id);
    return ids.length > 0
      ? session.up({ registered: ids })
      : session.down({ message: 'no provider is activated' });
  }

  /**
   * Down while the audit queue is past `max-queue`, or when the writer thread has stopped (calls
   * are refused with 503 meanwhile); the
   * batch figures show how the writer keeps up (the bench reads them).
   */
  auditQueue() {
    const session = this.indicators.check('audit');
    const stats = this.audit.stats();
    if (stats === undefined) return session.up({ enabled: false });
    const details = {
      queue_depth: stats.queueDepth,
      max_queue: stats.maxQueue,
      written: stats.written,
      batches: stats.batches,
      largest_batch: stats.largestBatch,
      last_flush_ms: Math.round(stats.lastFlushMs * 100) / 100,
      slowest_flush_ms: Math.round(stats.slowestFlushMs * 100) / 100,
      refused: stats.refused,
    };
    if (stats.failed) {
      return session.down({ ...details, message: 'the audit writer stopped: calls are refused' });
    }
    return stats.saturated
      ? session.down({ ...details, message: 'the audit queue is full: calls are refused' })
      : session.up(details);
  }

  accepting() {
    const session = this.indicators.check('shutdown');
    return this.shutdown.draining ? session.down({ message: 'draining' }) : session.up();
  }
}
