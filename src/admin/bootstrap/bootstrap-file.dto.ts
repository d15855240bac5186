import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { EACH_OBJECT } from '../../common/validation/object-shape.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../storage/api-key.types.js';
import type { TenantStatus } from '../../storage/tenant.types.js';
import {
  IsCredentialMap,
  IsTagMap,
  REGION_PATTERN,
  REGION_TEXT,
  SLUG_PATTERN,
  SLUG_TEXT,
  TENANT_STATUSES,
} from '../dto/admin-input.validators.js';
import { BUDGET_ID_PATTERN, BUDGET_ID_TEXT, CreateBudgetDto } from '../dto/create-budget.dto.js';
import { TenantSettingsDto } from '../dto/tenant-settings.dto.js';

/** A budget of the file (contract 11.3): the admin API's fields, the id required. */
class BootstrapBudgetDto extends CreateBudgetDto {
  @Matches(BUDGET_ID_PATTERN, { message: `$property must match ${BUDGET_ID_TEXT}` })
  @IsString()
  declare id: string;
}

class BootstrapKeyDto {
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  name!: string;

  @IsOptional()
  @IsIn(API_KEY_SCOPES, {
    each: true,
    message: `$property must hold only ${API_KEY_SCOPES.join(', ')}`,
  })
  @ArrayUnique()
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayNotEmpty()
  @IsArray()
  scopes?: ApiKeyScope[];

  /** A `gw_` key, usually `${ENV_VAR}`; checked after interpolation, never echoed. */
  @IsOptional()
  @IsString()
  key?: string;
}

class BootstrapTenantDto {
  @Matches(SLUG_PATTERN, { message: `$property must match ${SLUG_TEXT}` })
  @IsString()
  id!: string;

  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  name!: string;

  @IsOptional()
  @IsIn(TENANT_STATUSES, { message: '$property must be active or suspended' })
  status?: TenantStatus;

  @IsOptional()
  @Matches(REGION_PATTERN, { message: `$property must match ${REGION_TEXT}` })
  @IsString()
  region?: string;

  @IsOptional()
  @IsTagMap()
  tags?: Record<string, string>;

  @IsOptional()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  @IsObject()
  settings?: TenantSettingsDto;

  @IsOptional()
  @IsCredentialMap(false)
  credentials?: Record<string, Record<string, string>>;

  @IsOptional()
  @IsArray()
  @IsObject({ each: true, message: EACH_OBJECT })
  @ValidateNested({ each: true })
  @Type(() => BootstrapKeyDto)
  keys?: BootstrapKeyDto[];
}

/**
 * The bootstrap file (GATEWAY_BOOTSTRAP_FILE): tenants and their keys, policies and budgets, seeded
 * idempotently at start-up. Field names and rules are the admin API's.
 */
export class BootstrapFileDto {
  @IsOptional()
  @IsArray()
  @IsObject({ each: true, message: EACH_OBJECT })
  @ValidateNested({ each: true })
  @Type(() => BootstrapTenantDto)
  tenants?: BootstrapTenantDto[];

  /**
   * Policy entries `{id, tenant|workspace, status, dsl}`. Checked one by one by the policy engine
   * when applied, not here: an invalid entry is skipped with an error log, never the whole file.
   */
  @IsOptional()
  @IsArray()
  policies?: unknown[];

  /** Budgets by id; the file is their source of truth (read-only on the admin API). */
  @IsOptional()
  @IsArray()
  @IsObject({ each: true, message: EACH_OBJECT })
  @ValidateNested({ each: true })
  @Type(() => BootstrapBudgetDto)
  budgets?: BootstrapBudgetDto[];
}
