import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  CallSettlement,
  type CallObserver,
} from '../../governance/pipeline/call-settlement.service.js';
import type {
  CallOutcome,
  GovernanceContext,
} from '../../governance/pipeline/governance-context.js';
import { accessLine } from './access-line.js';

/**
 * Writes one access line per /v1 call when it ends (contract 14), from settlement, where every
 * outcome passes: answered, refused at any stage (401 included), failed upstream, or cut short
 * by the client. Info for answers and refusals, warn for the gateway's and upstreams' failures.
 */
@Injectable()
export class AccessLogObserver implements CallObserver, OnModuleInit {
  private readonly logger = new Logger('Access');

  constructor(private readonly settlement: CallSettlement) {}

  onModuleInit(): void {
    this.settlement.observe(this);
  }

  callSettled(context: GovernanceContext, outcome: CallOutcome): void {
    const line = accessLine(context, outcome);
    if (outcome.status >= 500) this.logger.warn(line);
    else this.logger.log(line);
  }
}
