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
import { ResponsesController } from './responses/responses.controller.js';
import { ResponsesService } from './responses/responses.service.js';

/**
 * The OpenAI-compatible surface under /v1, the Messages ingress (contract 15) and the Responses
 * ingress (contract 16).
 */
@Module({
  imports: [GovernanceModule, RoutingModule],
  controllers: [
    ChatCompletionsController,
    EmbeddingsController,
    ModelsController,
    MessagesController,
    ResponsesController,
  ],
  providers: [
    ChatCompletionsService,
    EmbeddingsService,
    ModelsService,
    MessagesService,
    ResponsesService,
  ],
})
export class InferenceModule {}
