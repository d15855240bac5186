import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminApi } from '../admin-api.decorators.js';
import { AdminInputPipe } from '../admin-input.pipe.js';
import { SpendQueryDto } from '../dto/spend.query.js';
import { SpendAdminService } from './spend-admin.service.js';

@ApiTags('spend')
@AdminApi()
@Controller('v1/admin/spend')
export class SpendAdminController {
  constructor(private readonly spend: SpendAdminService) {}

  @Get()
  @ApiOperation({
    summary: 'Spend report: usage and cost, grouped and filtered',
    description:
      'Rows `{<group keys>, requests, input_tokens, output_tokens, cached_input_tokens, cost_usd, ' +
      'estimated_requests, unpriced_requests}` and a `total` counting each call once. CSV: a ' +
      'header row, then one line per row, no total. Reflects every settled call within 2 s.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'The report.' })
  async report(
    @Query(new AdminInputPipe(SpendQueryDto)) query: SpendQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object | string> {
    const report = await this.spend.report(query);
    if (query.format !== 'csv') return report;
    void reply.type('text/csv; charset=utf-8');
    return this.spend.toCsv(report);
  }
}
