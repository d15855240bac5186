import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Governed } from '../governance/pipeline/governed.decorator.js';
import { contextOf } from '../governance/pipeline/governance-request.js';
import { GovernancePipeline } from '../governance/pipeline/governance-pipeline.service.js';
import { embeddingRequestFacts } from '../governance/pipeline/request-facts.js';
import { abortOnDisconnect } from './call-abort.js';
import { EmbeddingRequestDto } from './dto/embedding-request.dto.js';
import { EmbeddingsService } from './embeddings.service.js';
import { answerHeaders } from './gateway-headers.js';

@Controller('v1')
export class EmbeddingsController {
  constructor(
    private readonly embeddings: EmbeddingsService,
    private readonly governance: GovernancePipeline,
  ) {}

  @Post('embeddings')
  @HttpCode(200)
  @Governed({
    kind: 'embeddings',
    scope: 'embeddings:write',
    body: EmbeddingRequestDto,
    facts: embeddingRequestFacts,
  })
  async create(
    @Body() body: EmbeddingRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const context = contextOf(request);
    const { answer, response } = await this.embeddings.create(
      body,
      context,
      abortOnDisconnect(reply),
    );
    void reply.headers(answerHeaders(answer, this.governance.headers(context))).send(response);
  }
}
