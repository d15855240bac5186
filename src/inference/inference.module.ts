import { Module } from '@nestjs/common';
import { GovernanceModule } from '../governance/pipeline/governance.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { ChatCompletionsController } from './chat-completions.controller.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { EmbeddingsController } from './embeddings.controller.js';
import { EmbeddingsService } from './embeddings.service.js';
import { ModelsController } from './models.controller.js';
import { ModelsService } from './models.service.js';

/** The OpenAI-compatible surface under /v1. */
@Module({
  imports: [GovernanceModule, RoutingModule],
  controllers: [ChatCompletionsController, EmbeddingsController, ModelsController],
  providers: [ChatCompletionsService, EmbeddingsService, ModelsService],
})
export class InferenceModule {}
