import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/**
 * Flips to draining when shutdown begins, so readiness fails and the load balancer stops sending
 * new calls while in-flight ones (streams included) finish.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private drainingSince?: number;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  beforeApplicationShutdown(): void {
    this.drainingSince ??= Date.now();
  }
}
