import { Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { AdminApi } from './admin-api.decorators.js';
import { AdminInputPipe } from './admin-input.pipe.js';
import { AuditAdminService } from './audit-admin.service.js';
import { AuditListView, AuditVerifyView } from './dto/audit.views.js';
import { DEFAULT_AUDIT_PAGE, ExportAuditQuery, ListAuditQuery } from './dto/list-audit.query.js';

@ApiTags('audit')
@AdminApi()
@Controller('v1/admin/audit')
export class AuditAdminController {
  constructor(private readonly audit: AuditAdminService) {}

  @Get()
  @ApiOperation({
    summary: 'Audit records, newest first, one page at a time (`cursor` = previous `next_cursor`)',
    description: '`from` is inclusive, `to` exclusive (ISO-8601).',
  })
  @ApiOkResponse({ type: AuditListView })
  async list(
    @Query(new AdminInputPipe(ListAuditQuery)) query: ListAuditQuery,
  ): Promise<AuditListView> {
    return this.audit.list(query, query.limit ?? DEFAULT_AUDIT_PAGE, query.cursor);
  }

  @Get('export')
  @ApiOperation({
    summary: 'Every matching record, newest first, streamed as JSONL or CSV (any size)',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'One record per line (CSV: a header line, then one per row).' })
  exportRecords(
    @Query(new AdminInputPipe(ExportAuditQuery)) query: ExportAuditQuery,
    @Res() reply: FastifyReply,
  ): void {
    const format = query.format ?? 'jsonl';
    void reply
      .header(
        'content-type',
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      )
      .header('content-disposition', `attachment; filename="audit.${format}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(this.audit.export(query, format)));
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check every chain in the database: hashes, links, HMACs and checkpoint signatures',
    description: 'Answers `valid: false` with the first broken link; the answer is 200 either way.',
  })
  @ApiOkResponse({ type: AuditVerifyView })
  async verify(): Promise<AuditVerifyView> {
    const report = await this.audit.verify();
    return { ...report, writers: [...report.writers] };
  }
}
