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
import { type CountTokensRequest, type MessagesRequest } from './dto/messages-request.schema.js';
import { CountTokensRequestDto, MessagesRequestDto } from './dto/messages-request.dto.js';
import { toChatPrompt, toChatRequest } from './messages-request.mapper.js';
import { MESSAGES_SSE_FRAMING } from './messages-sse.framing.js';
import { MessagesService } from './messages.service.js';
import type { PassthroughHeaders } from '../../providers/messages-passthrough.js';

/**
 * The Messages ingress (contract 15), for Anthropic's SDKs and Claude Code: governed exactly as
 * chat is, since the route hands the stages the request's chat form. Errors leave in the Messages
 * API's envelope (the exception filter picks it by path).
 */
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly governance: GovernancePipeline,
  ) {}

  /** JSON, or SSE with `event:` lines when `stream: true`; both commit late. */
  @Post()
  @HttpCode(200)
  @Governed({
    kind: 'chat',
    scope: 'completions:write',
    body: MessagesRequestDto,
    normalize: toChatRequest,
    facts: chatRequestFacts,
  })
  async create(
    @Body() body: MessagesRequest,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const context = contextOf(request);
    if (body.stream === true) {
      // The writer holds it while the client reads slowly; the upstream reader then waits.
      const flow = new StreamFlow();
      const { events$, answer } = this.messages.stream(
        body,
        passthroughHeaders(request),
        context,
        flow,
      );
      await streamAsSse(
        reply,
        events$,
        firstEventHeaders(context, answer, this.governance),
        flow,
        MESSAGES_SSE_FRAMING,
      );
      return;
    }
    const { value, answer } = await this.messages.create(
      body,
      passthroughHeaders(request),
      context,
      abortOnDisconnect(reply),
    );
    void reply.headers(answerHeaders(answer, this.governance.headers(context))).send(value);
  }

  /** `{input_tokens}`: the gateway's estimate of the prompt. */
  @Post('count_tokens')
  @HttpCode(200)
  @Governed({
    kind: 'chat',
    scope: 'completions:write',
    body: CountTokensRequestDto,
    normalize: toChatPrompt,
    facts: chatRequestFacts,
  })
  async countTokens(
    @Body() body: CountTokensRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ input_tokens: number }> {
    return this.messages.countTokens(
      body,
      passthroughHeaders(request),
      contextOf(request),
      abortOnDisconnect(reply),
    );
  }
}

/** The caller's `anthropic-version` and `anthropic-beta`, for a native upstream. */
function passthroughHeaders(request: FastifyRequest): PassthroughHeaders {
  const version = single(request.headers['anthropic-version']);
  const beta = request.headers['anthropic-beta'];
  return {
    ...(version === undefined ? {} : { version }),
    ...(beta === undefined ? {} : { beta: Array.isArray(beta) ? beta.join(',') : beta }),
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
