import { ApiProperty } from '@nestjs/swagger';

class AdminErrorBody {
  @ApiProperty({ example: "Tenant 'acme' does not exist." })
  message!: string;

  @ApiProperty({ example: 'not_found_error' })
  type!: string;

  @ApiProperty({ example: 'tenant_not_found' })
  code!: string;

  @ApiProperty({ type: String, nullable: true, example: 'id' })
  param!: string | null;

  @ApiProperty({ example: '0f9c2d6a4b1e4c7d' })
  trace_id!: string;
}

/** The error envelope of every admin failure (contract 4.4). */
export class AdminErrorView {
  @ApiProperty({ type: () => AdminErrorBody })
  error!: AdminErrorBody;
}
