import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../governance/auth/api-key.guard.js';
import { RequiredScope } from '../governance/auth/required-scope.decorator.js';
import { abortOnDisconnect } from './call-abort.js';
import { EmbeddingRequestDto } from './dto/embedding-request.dto.js';
import { EmbeddingsService } from './embeddings.service.js';
import { gatewayHeaders } from './gateway-headers.js';

@Controller('v1')
@UseGuards(ApiKeyGuard)
@RequiredScope('embeddings:write')
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Post('embeddings')
  @HttpCode(200)
  async create(
    @Body() body: EmbeddingRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { answer, response } = await this.embeddings.create(
      body,
      request.id,
      abortOnDisconnect(reply),
    );
    void reply.headers(gatewayHeaders(answer)).send(response);
  }
}
