import { ApiProperty } from '@nestjs/swagger';

/** One audit record (contract 12), exactly as hashed. */
export class AuditRecordView {
  @ApiProperty() seq!: number;
  @ApiProperty() event_id!: string;
  @ApiProperty({ description: 'ISO-8601 UTC with microseconds.' }) timestamp!: string;
  @ApiProperty({ description: 'The chain (one per gateway process).' }) writer!: string;
  @ApiProperty({ type: String, nullable: true }) tenant!: string | null;
  @ApiProperty({ type: String, nullable: true }) key_id!: string | null;
  @ApiProperty() event_type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) prev_hash!: string | null;
  @ApiProperty() hash!: string;
  @ApiProperty() hmac!: string;
}

export class AuditListView {
  @ApiProperty({ type: () => [AuditRecordView] })
  data!: AuditRecordView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next (older) page; null on the last page.',
  })
  next_cursor!: string | null;
}

export class AuditWriterView {
  @ApiProperty() writer!: string;
  @ApiProperty() checked!: number;
  @ApiProperty() last_seq!: number;
  @ApiProperty({ type: Number, nullable: true }) signed_through!: number | null;
}

export class AuditBreakView {
  @ApiProperty({ type: String, nullable: true }) writer!: string | null;
  @ApiProperty({ type: Number, nullable: true }) seq!: number | null;
  @ApiProperty({
    enum: [
      'hash mismatch',
      'hmac mismatch',
      'broken link',
      'gap in seq',
      'bad checkpoint signature',
      'unreadable line',
    ],
  })
  reason!: string;
  @ApiProperty() detail!: string;
}

export class AuditVerifyView {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Events checked, every writer together.' }) checked!: number;
  @ApiProperty() checkpoints!: number;
  @ApiProperty() hmac_checked!: boolean;
  @ApiProperty() signatures_checked!: boolean;
  @ApiProperty({ type: () => [AuditWriterView] }) writers!: AuditWriterView[];
  @ApiProperty({ type: () => AuditBreakView, nullable: true }) first_break!: AuditBreakView | null;
}
