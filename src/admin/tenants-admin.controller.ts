import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi, actorOf } from './admin-api.decorators.js';
import { AdminInputPipe } from './admin-input.pipe.js';
import { toNewTenant, toTenantUpdate, toTenantView } from './admin-view.mapper.js';
import { AdminErrorView } from './dto/admin-error.view.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { DeletedTenantView } from './dto/deleted-tenant.view.js';
import { DEFAULT_PAGE_SIZE, ListTenantsQuery } from './dto/list-tenants.query.js';
import { TenantIdParams } from './dto/tenant-id.params.js';
import { TenantListView } from './dto/tenant-list.view.js';
import { TenantView } from './dto/tenant.view.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { TenantsAdminService } from './tenants-admin.service.js';

@ApiTags('tenants')
@AdminApi()
@Controller('v1/admin/tenants')
export class TenantsAdminController {
  constructor(private readonly tenants: TenantsAdminService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant' })
  @ApiCreatedResponse({ type: TenantView })
  @ApiConflictResponse({ type: AdminErrorView, description: '`tenant_exists`' })
  async create(@Body() body: CreateTenantDto, @Req() request: FastifyRequest): Promise<TenantView> {
    return toTenantView(await this.tenants.create(toNewTenant(body), actorOf(request)));
  }

  @Get()
  @ApiOperation({
    summary: 'List tenants by id, one page at a time (`after` = previous `last_id`)',
  })
  @ApiOkResponse({ type: TenantListView })
  async list(
    @Query(new AdminInputPipe(ListTenantsQuery)) query: ListTenantsQuery,
  ): Promise<TenantListView> {
    const page = await this.tenants.list({
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      after: query.after,
    });
    const data = page.tenants.map(toTenantView);
    return {
      object: 'list',
      data,
      has_more: page.hasMore,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a tenant' })
  @ApiOkResponse({ type: TenantView })
  async get(
    @Param(new AdminInputPipe(TenantIdParams)) params: TenantIdParams,
  ): Promise<TenantView> {
    return toTenantView(await this.tenants.get(params.id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update a tenant',
    description:
      '`settings` merge field by field (null clears a field, `settings: null` clears all); ' +
      '`tags` replace the whole map; `credentials` replace the providers they name (null removes one).',
  })
  @ApiOkResponse({ type: TenantView })
  async update(
    @Param(new AdminInputPipe(TenantIdParams)) params: TenantIdParams,
    @Body() body: UpdateTenantDto,
    @Req() request: FastifyRequest,
  ): Promise<TenantView> {
    const tenant = await this.tenants.update(params.id, toTenantUpdate(body), actorOf(request));
    return toTenantView(tenant);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a tenant and all its API keys' })
  @ApiOkResponse({ type: DeletedTenantView })
  async delete(
    @Param(new AdminInputPipe(TenantIdParams)) params: TenantIdParams,
    @Req() request: FastifyRequest,
  ): Promise<DeletedTenantView> {
    await this.tenants.delete(params.id, actorOf(request));
    return { object: 'tenant', id: params.id, deleted: true };
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspend a tenant: its keys get 403 tenant_suspended at once' })
  @ApiOkResponse({ type: TenantView })
  async suspend(
    @Param(new AdminInputPipe(TenantIdParams)) params: TenantIdParams,
    @Req() request: FastifyRequest,
  ): Promise<TenantView> {
    return toTenantView(await this.tenants.setStatus(params.id, 'suspended', actorOf(request)));
  }

  @Post(':id/activate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Activate a suspended tenant' })
  @ApiOkResponse({ type: TenantView })
  async activate(
    @Param(new AdminInputPipe(TenantIdParams)) params: TenantIdParams,
    @Req() request: FastifyRequest,
  ): Promise<TenantView> {
    return toTenantView(await this.tenants.setStatus(params.id, 'active', actorOf(request)));
  }
}
