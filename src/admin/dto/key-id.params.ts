import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `{keyId}` of /v1/admin/keys/{keyId}... */
export class KeyIdParams {
  @ApiProperty({ pattern: '[A-Za-z0-9_-]{1,64}', example: 'key_3f9a0c1d2e3b4a5f' })
  @Matches(KEY_ID, { message: '$property must be an API key id, e.g. key_3f9a0c1d2e3b4a5f' })
  @IsString()
  keyId!: string;
}
