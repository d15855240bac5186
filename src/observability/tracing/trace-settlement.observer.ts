import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CallSettlement } from '../../governance/pipeline/call-settlement.service.js';
import { CallTracer } from './call-tracer.js';

/**
 * Ends every traced call's server span at settlement, where every outcome passes (a stream's
 * when its last byte is sent or the client leaves), and exports what is left at shutdown.
 */
@Injectable()
export class TraceSettlementObserver implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly settlement: CallSettlement,
    private readonly tracer: CallTracer,
  ) {}

  onModuleInit(): void {
    if (!this.tracer.enabled) return;
    this.settlement.observe({
      callSettled: (context, outcome) => this.tracer.close(context, outcome),
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.tracer.shutdown();
  }
}
