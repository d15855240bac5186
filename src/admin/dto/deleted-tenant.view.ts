import { ApiProperty } from '@nestjs/swagger';

/** The answer to DELETE /v1/admin/tenants/{id}. */
export class DeletedTenantView {
  @ApiProperty({ enum: ['tenant'] })
  object!: 'tenant';

  @ApiProperty({ example: 'acme' })
  id!: string;

  @ApiProperty({ enum: [true] })
  deleted!: true;
}
