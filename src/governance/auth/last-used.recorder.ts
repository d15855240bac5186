import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { ApiKeyRepository } from '../../storage/api-key.repository.js';

/**
 * Records when each key was last used without a database write per request: uses are collected
 * in memory and written as one batch every `auth.last-used-flush-ms`, and once more at shutdown.
 */
@Injectable()
export class LastUsedRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LastUsedRecorder.name);
  /** Key id -> last use (epoch ms); a Date is made only when the batch is written. */
  private pending = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly keys: ApiKeyRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    // Nothing queued, nothing done: an idle tick allocates no promise.
    this.timer = setInterval(() => {
      if (this.pending.size > 0) void this.flush();
    }, this.config.auth.lastUsedFlushMs);
    this.timer.unref();
  }

  record(keyId: string, atMs: number): void {
    this.pending.set(keyId, atMs);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending].map(([id, at]) => ({ id, at: new Date(at) }));
    this.pending = new Map();
    try {
      await this.keys.touchLastUsed(batch);
    } catch (err) {
      // Losing a last-used time is acceptable; failing a caller's request over it is not.
      this.logger.warn({ msg: 'Could not record API key use times', error: String(err) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
