import { Module } from '@nestjs/common';
import { GovernanceModule } from '../governance/pipeline/governance.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { ChatCompletionsController } from './chat-completions.controller.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { EmbeddingsController } from './embeddings.controller.js';
import { EmbeddingsService } from './embeddings.service.js';
import { MessagesController } from './messages/messages.controller.js';
import { MessagesService } from './messages/messages.service.js';
import { ModelsController } from './models.controller.js';
import { ModelsService } from './models.service.js';

/** The OpenAI-compatible surface under /v1, and the Messages ingress (contract 15). */
@Module({
  imports: [GovernanceModule, RoutingModule],
  controllers: [
    ChatCompletionsController,
    EmbeddingsController,
    ModelsController,
    MessagesController,
  ],
  providers: [ChatCompletionsService, EmbeddingsService, ModelsService, MessagesService],
})
export class InferenceModule {}
