import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { streamAsSse } from '../../common/sse/sse-stream.writer.js';
import { StreamFlow } from '../../common/sse/stream-flow.js';
import { Governed } from '../../governance/pipeline/governed.decorator.js';
import { contextOf } from '../../governance/pipeline/governance-request.js';
import { GovernancePipeline } from '../../governance/pipeline/governance-pipeline.service.js';
import { chatRequestFacts } from '../../governance/pipeline/request-facts.js';
import { abortOnDisconnect } from '../call-abort.js';
import { answerHeaders, firstEventHeaders } from '../gateway-headers.js';
import type { ResponsesRequest } from './dto/responses-request.schema.js';
import { ResponsesRequestDto } from './dto/responses-request.dto.js';
import { toChatRequest } from './responses-request.mapper.js';
import { responsesSseFraming } from './responses-sse.framing.js';
import { ResponsesService } from './responses.service.js';

/**
 * The Responses ingress (contract 16), for OpenAI SDKs' `responses.create` and `responses.stream`:
 * governed exactly as chat is, since the route hands the stages the request's chat form. Errors
 * before the first byte leave in the OpenAI envelope with the gateway's codes.
 */
@Controller('v1/responses')
export class ResponsesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly governance: GovernancePipeline,
  ) {}

  /** JSON, or SSE with `event:` lines when `stream: true`; both commit late. */
  @Post()
  @HttpCode(200)
  @Governed({
    kind: 'chat',
    scope: 'completions:write',
    body: ResponsesRequestDto,
    normalize: toChatRequest,
    facts: chatRequestFacts,
  })
  async create(
    @Body() body: ResponsesRequest,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const context = contextOf(request);
    if (body.stream === true) {
      // The writer holds it while the client reads slowly; the upstream reader then waits.
      const flow = new StreamFlow();
      const { events$, answer } = this.responses.stream(body, context, flow);
      await streamAsSse(
        reply,
        events$,
        firstEventHeaders(context, answer, this.governance),
        flow,
        responsesSseFraming(),
      );
      return;
    }
    const { value, answer } = await this.responses.create(body, context, abortOnDisconnect(reply));
    void reply.headers(answerHeaders(answer, this.governance.headers(context))).send(value);
  }
}
