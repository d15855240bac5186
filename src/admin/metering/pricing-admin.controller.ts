import { Body, Controller, Delete, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { AdminApi, actorOf } from '../admin-api.decorators.js';
import { AdminInputPipe } from '../admin-input.pipe.js';
import { PricingEntryDto } from '../dto/pricing-entry.dto.js';
import { PricingQuery } from '../dto/pricing.query.js';
import { PricingAdminService } from './pricing-admin.service.js';
import { toEffectivePriceView, toPriceEntryView } from './pricing-view.mapper.js';

@ApiTags('pricing')
@AdminApi()
@Controller('v1/admin/pricing')
export class PricingAdminController {
  constructor(private readonly pricing: PricingAdminService) {}

  @Get()
  @ApiOperation({
    summary: 'The price table, or one model’s effective price',
    description:
      'With `provider` and `model`: the price a call to that model pays, its `source` (admin, ' +
      'config, pricing-file, catalogue) and the entry it `matched`; `priced: false` when nothing ' +
      'prices it. Without them: every entry of the admin, configuration and pricing-file layers ' +
      '(the bundled catalogue, several hundred models, is looked up, not listed).',
  })
  @ApiOkResponse({ description: 'A price, or a list of entries.' })
  list(@Query(new AdminInputPipe(PricingQuery)) query: PricingQuery): object {
    if (query.provider !== undefined && query.model !== undefined) {
      return toEffectivePriceView(this.pricing.lookup(query.provider, query.model));
    }
    if (query.provider !== undefined || query.model !== undefined) {
      throw new GatewayError(
        ErrorCode.ValidationError,
        'Give both provider and model to look up one price, or neither to list the table.',
        { param: query.provider === undefined ? 'provider' : 'model' },
      );
    }
    return {
      object: 'list',
      data: this.pricing.list().map(({ source, entry }) => toPriceEntryView(source, entry)),
    };
  }

  @Post()
  @ApiOperation({
    summary: 'Store a price (insert or replace by provider and model glob)',
    description:
      'Overrides configuration, pricing.yml and the catalogue, on every replica within a second.',
  })
  @ApiCreatedResponse({ description: 'The effective price of the entry’s model.' })
  async upsert(@Body() body: PricingEntryDto, @Req() request: FastifyRequest): Promise<object> {
    const found = await this.pricing.upsert(
      {
        provider: body.provider,
        model: body.model,
        price: {
          input: body.input,
          output: body.output,
          ...(body.cached_input === undefined ? {} : { cachedInput: body.cached_input }),
          ...(body.cache_write === undefined ? {} : { cacheWrite: body.cache_write }),
        },
      },
      actorOf(request),
    );
    return toEffectivePriceView(found);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a stored price (`provider` and `model` as stored)' })
  @ApiNoContentResponse({ description: 'Removed; the next layer prices the model again.' })
  async delete(
    @Query(new AdminInputPipe(PricingQuery)) query: PricingQuery,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    if (query.provider === undefined || query.model === undefined) {
      throw new GatewayError(ErrorCode.ValidationError, 'provider and model are required.', {
        param: query.provider === undefined ? 'provider' : 'model',
      });
    }
    await this.pricing.delete(query.provider, query.model, actorOf(request));
  }
}
