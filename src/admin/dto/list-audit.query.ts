import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AUDIT_EVENT_TYPES } from '../../governance/audit/audit.types.js';

export const DEFAULT_AUDIT_PAGE = 50;
export const MAX_AUDIT_PAGE = 500;

/** The filters of `GET /v1/admin/audit` and its export (contract 12). */
export class AuditFilterQuery {
  @ApiPropertyOptional({ description: 'Only records of this tenant.' })
  @IsOptional()
  @MaxLength(200)
  @IsString()
  tenant?: string;

  @ApiPropertyOptional({ enum: AUDIT_EVENT_TYPES })
  @IsOptional()
  @IsIn(AUDIT_EVENT_TYPES)
  @IsString()
  event_type?: string;

  @ApiPropertyOptional({ description: 'The `X-Trace-ID` of a call.' })
  @IsOptional()
  @MaxLength(200)
  @IsString()
  trace_id?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; records at or after it.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsString()
  from?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; records before it.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsString()
  to?: string;
}

/** `GET /v1/admin/audit`: newest first, one page at a time. */
export class ListAuditQuery extends AuditFilterQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_AUDIT_PAGE,
    default: DEFAULT_AUDIT_PAGE,
  })
  @IsOptional()
  @Type(() => Number)
  @Max(MAX_AUDIT_PAGE)
  @Min(1)
  @IsInt()
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page.' })
  @IsOptional()
  @MaxLength(1_000)
  @IsString()
  cursor?: string;
}

/** `GET /v1/admin/audit/export`. */
export class ExportAuditQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ enum: ['jsonl', 'csv'], default: 'jsonl' })
  @IsOptional()
  @IsIn(['jsonl', 'csv'])
  @IsString()
  format?: 'jsonl' | 'csv';
}
