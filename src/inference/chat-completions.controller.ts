import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { streamAsSse } from '../common/sse/sse-stream.writer.js';
import { StreamFlow } from '../common/sse/stream-flow.js';
import { Governed } from '../governance/pipeline/governed.decorator.js';
import { contextOf } from '../governance/pipeline/governance-request.js';
import { GovernancePipeline } from '../governance/pipeline/governance-pipeline.service.js';
import { chatRequestFacts } from '../governance/pipeline/request-facts.js';
import { abortOnDisconnect } from './call-abort.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';
import { answerHeaders, firstEventHeaders } from './gateway-headers.js';

@Controller('v1/chat')
export class ChatCompletionsController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly governance: GovernancePipeline,
  ) {}

  /** JSON, or SSE when `stream: true`; both commit late so early failures are HTTP errors. */
  @Post('completions')
  @HttpCode(200)
  @Governed({
    kind: 'chat',
    scope: 'completions:write',
    body: ChatCompletionRequestDto,
    facts: chatRequestFacts,
  })
  async create(
    @Body() body: ChatCompletionRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const context = contextOf(request);
    if (body.stream) {
      // The writer holds it while the client reads slowly; the upstream reader then waits.
      const flow = new StreamFlow();
      const { events$, answer } = this.chat.stream(body, context, flow);
      await streamAsSse(reply, events$, firstEventHeaders(context, answer, this.governance), flow);
      return;
    }
    const { value, answer } = await this.chat.complete(body, context, abortOnDisconnect(reply));
    void reply.headers(answerHeaders(answer, this.governance.headers(context))).send(value);
  }
}
