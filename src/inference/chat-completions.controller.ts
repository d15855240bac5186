import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { streamAsSse } from '../common/sse/sse-stream.writer.js';
import { ApiKeyGuard } from '../governance/auth/api-key.guard.js';
import { RequiredScope } from '../governance/auth/required-scope.decorator.js';
import { abortOnDisconnect } from './call-abort.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';
import { gatewayHeaders } from './gateway-headers.js';

@Controller('v1/chat')
@UseGuards(ApiKeyGuard)
@RequiredScope('completions:write')
export class ChatCompletionsController {
  constructor(private readonly chat: ChatCompletionsService) {}

  /** JSON, or SSE when `stream: true`; both commit late so early failures are HTTP errors. */
  @Post('completions')
  @HttpCode(200)
  async create(
    @Body() body: ChatCompletionRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (body.stream) {
      const { events$, answer } = this.chat.stream(body, request.id);
      // Which target answers is known only at the first chunk (a fallback may take over).
      await streamAsSse(reply, events$, () => {
        const answered = answer();
        return answered === undefined ? {} : gatewayHeaders(answered);
      });
      return;
    }
    const { value, answer } = await this.chat.complete(body, request.id, abortOnDisconnect(reply));
    void reply.headers(gatewayHeaders(answer)).send(value);
  }
}
