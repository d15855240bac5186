import { Body, Controller, Get, Header, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi, actorOf } from './admin-api.decorators.js';
import { AdminInputPipe } from './admin-input.pipe.js';
import { toApiKeyView, toRateLimitSettings } from './admin-view.mapper.js';
import { ApiKeyListView } from './dto/api-key-list.view.js';
import { ApiKeyView } from './dto/api-key.view.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { IssuedApiKeyView, SHOWN_ONCE_WARNING } from './dto/issued-api-key.view.js';
import { KeyIdParams } from './dto/key-id.params.js';
import { RotateApiKeyDto } from './dto/rotate-api-key.dto.js';
import { RotatedApiKeyView } from './dto/rotated-api-key.view.js';
import { TenantIdParams } from './dto/tenant-id.params.js';
import { UpdateApiKeyDto } from './dto/update-api-key.dto.js';
import { KeysAdminService } from './keys-admin.service.js';
import { OptionalBody } from './optional-body.decorator.js';

/** Responses that carry a plaintext key must not be kept by any cache on the way. */
const NO_STORE = ['Cache-Control', 'no-store'] as const;

@ApiTags('api-keys')
@AdminApi()
@Controller('v1/admin')
export class KeysAdminController {
  constructor(private readonly keys: KeysAdminService) {}

  @Post('tenants/:id/keys')
  @Header(...NO_STORE)
  @ApiOperation({
    summary: 'Create an API key for a tenant',
    description: 'The answer carries the key itself (`key`) this once; only its SHA-256 is stored.',
  })
  @ApiCreatedResponse({ type: IssuedApiKeyView })
  async create(
    @Param(new AdminInputPipe(TenantIdParams)) params: TenantIdParams,
    @Body() body: CreateApiKeyDto,
    @Req() request: FastifyRequest,
  ): Promise<IssuedApiKeyView> {
    const issued = await this.keys.create(
      params.id,
      {
        name: body.name ?? 'default',
        scopes: body.scopes,
        expiresAt: body.expires_at === undefined ? null : new Date(body.expires_at),
        rateLimits: body.rate_limits === undefined ? null : toRateLimitSettings(body.rate_limits),
      },
      actorOf(request),
    );
    return { ...toApiKeyView(issued.key), key: issued.plaintext, warning: SHOWN_ONCE_WARNING };
  }

  @Get('tenants/:id/keys')
  @ApiOperation({ summary: "List a tenant's API keys (masked), newest first" })
  @ApiOkResponse({ type: ApiKeyListView })
  async list(
    @Param(new AdminInputPipe(TenantIdParams)) params: TenantIdParams,
  ): Promise<ApiKeyListView> {
    const keys = await this.keys.list(params.id);
    const now = Date.now();
    return { object: 'list', data: keys.map((key) => toApiKeyView(key, now)) };
  }

  @Get('keys/:keyId')
  @ApiOperation({ summary: 'Get an API key (masked)' })
  @ApiOkResponse({ type: ApiKeyView })
  async get(@Param(new AdminInputPipe(KeyIdParams)) params: KeyIdParams): Promise<ApiKeyView> {
    return toApiKeyView(await this.keys.get(params.keyId));
  }

  @Patch('keys/:keyId')
  @ApiOperation({
    summary: 'Update an API key',
    description:
      '`name` renames it; `rate_limits` replaces its own limits per minute (null: back to the ' +
      'configured per-key defaults). Applies at once, on every replica.',
  })
  @ApiOkResponse({ type: ApiKeyView })
  async update(
    @Param(new AdminInputPipe(KeyIdParams)) params: KeyIdParams,
    @Body() body: UpdateApiKeyDto,
    @Req() request: FastifyRequest,
  ): Promise<ApiKeyView> {
    const key = await this.keys.update(
      params.keyId,
      {
        name: body.name,
        rateLimits:
          body.rate_limits === undefined ? undefined : toRateLimitSettings(body.rate_limits),
      },
      actorOf(request),
    );
    return toApiKeyView(key);
  }

  @Post('keys/:keyId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key: it stops working at once, on every replica' })
  @ApiOkResponse({ type: ApiKeyView })
  async revoke(
    @Param(new AdminInputPipe(KeyIdParams)) params: KeyIdParams,
    @Req() request: FastifyRequest,
  ): Promise<ApiKeyView> {
    return toApiKeyView(await this.keys.revoke(params.keyId, actorOf(request)));
  }

  @Post('keys/:keyId/rotate')
  @HttpCode(200)
  @Header(...NO_STORE)
  @ApiOperation({
    summary: 'Rotate an API key',
    description:
      'Issues a new key with the same tenant, name and scopes (its plaintext shown this once); ' +
      'the old key keeps working for `grace_seconds`, then expires.',
  })
  @ApiBody({ type: RotateApiKeyDto, required: false })
  @ApiOkResponse({ type: RotatedApiKeyView })
  async rotate(
    @Param(new AdminInputPipe(KeyIdParams)) params: KeyIdParams,
    @OptionalBody(new AdminInputPipe(RotateApiKeyDto, { optionalBody: true }))
    body: RotateApiKeyDto,
    @Req() request: FastifyRequest,
  ): Promise<RotatedApiKeyView> {
    const rotated = await this.keys.rotate(params.keyId, body.grace_seconds, actorOf(request));
    return {
      ...toApiKeyView(rotated.key),
      key: rotated.plaintext,
      warning: SHOWN_ONCE_WARNING,
      previous: toApiKeyView(rotated.previous),
    };
  }
}
