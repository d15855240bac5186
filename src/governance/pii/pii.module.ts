import { Module } from '@nestjs/common';
import { PiiActionStage } from './pii-action.stage.js';
import { PiiAnswerStage } from './pii-answer.stage.js';
import { PiiScanStage } from './pii-scan.stage.js';
import { PiiSettingsResolver } from './pii-settings.resolver.js';

/** PII (contract 9): the scan (stage 6), the action (stage 8) and the answer operator (stage 10). */
@Module({
  providers: [PiiSettingsResolver, PiiScanStage, PiiActionStage, PiiAnswerStage],
  exports: [PiiScanStage, PiiActionStage, PiiAnswerStage],
})
export class PiiModule {}
