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
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi, actorOf } from '../admin-api.decorators.js';
import { AdminInputPipe } from '../admin-input.pipe.js';
import { AdminErrorView } from '../dto/admin-error.view.js';
import { BudgetIdParams } from '../dto/budget-id.params.js';
import { BudgetListView } from '../dto/budget-list.view.js';
import { BudgetUsageView } from '../dto/budget-usage.view.js';
import { BudgetView } from '../dto/budget.view.js';
import { CreateBudgetDto } from '../dto/create-budget.dto.js';
import { ListBudgetsQuery } from '../dto/list-budgets.query.js';
import { UpdateBudgetDto } from '../dto/update-budget.dto.js';
import { toBudgetView } from './budget-view.mapper.js';
import { BudgetsAdminService } from './budgets-admin.service.js';

const NOT_FOUND = { type: AdminErrorView, description: '`budget_not_found`' };
const READ_ONLY = {
  type: AdminErrorView,
  description: '`budget_read_only`: a configuration or bootstrap-file budget.',
};

@ApiTags('budgets')
@AdminApi()
@Controller('v1/admin/budgets')
export class BudgetsAdminController {
  constructor(private readonly budgets: BudgetsAdminService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a budget on a tenant or one of its keys',
    description: 'Enforced by every replica within a second; the id is generated when absent.',
  })
  @ApiCreatedResponse({ type: BudgetView })
  @ApiNotFoundResponse({
    type: AdminErrorView,
    description: '`tenant_not_found`, `api_key_not_found`',
  })
  @ApiConflictResponse({ type: AdminErrorView, description: '`budget_exists`, `budget_read_only`' })
  async create(@Body() body: CreateBudgetDto, @Req() request: FastifyRequest): Promise<BudgetView> {
    const budget = await this.budgets.create(
      {
        id: body.id,
        tenantId: body.tenant,
        keyId: body.key_id ?? null,
        period: body.period,
        limitUsd: body.limit_usd,
        softLimitPct: body.soft_limit_pct ?? 80,
        enabled: body.enabled ?? true,
      },
      actorOf(request),
    );
    return toBudgetView(budget);
  }

  @Get()
  @ApiOperation({ summary: 'List budgets: configuration, bootstrap file and API alike' })
  @ApiOkResponse({ type: BudgetListView })
  async list(
    @Query(new AdminInputPipe(ListBudgetsQuery)) query: ListBudgetsQuery,
  ): Promise<BudgetListView> {
    const budgets = await this.budgets.list(query.tenant);
    return { object: 'list', data: budgets.map(toBudgetView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a budget' })
  @ApiOkResponse({ type: BudgetView })
  @ApiNotFoundResponse(NOT_FOUND)
  async get(
    @Param(new AdminInputPipe(BudgetIdParams)) params: BudgetIdParams,
  ): Promise<BudgetView> {
    return toBudgetView(await this.budgets.get(params.id));
  }

  @Get(':id/usage')
  @ApiOperation({
    summary: "The budget's current period: spent, reserved by calls in flight, remaining",
  })
  @ApiOkResponse({ type: BudgetUsageView })
  @ApiNotFoundResponse(NOT_FOUND)
  usage(
    @Param(new AdminInputPipe(BudgetIdParams)) params: BudgetIdParams,
  ): Promise<BudgetUsageView> {
    return this.budgets.usage(params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a budget's period, limits or state" })
  @ApiOkResponse({ type: BudgetView })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(READ_ONLY)
  async update(
    @Param(new AdminInputPipe(BudgetIdParams)) params: BudgetIdParams,
    @Body() body: UpdateBudgetDto,
    @Req() request: FastifyRequest,
  ): Promise<BudgetView> {
    const budget = await this.budgets.update(
      params.id,
      {
        period: body.period,
        limitUsd: body.limit_usd,
        softLimitPct: body.soft_limit_pct,
        enabled: body.enabled,
      },
      actorOf(request),
    );
    return toBudgetView(budget);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a budget' })
  @ApiNoContentResponse({
    description: 'Deleted; no longer enforced by any replica within a second.',
  })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(READ_ONLY)
  async delete(
    @Param(new AdminInputPipe(BudgetIdParams)) params: BudgetIdParams,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.budgets.delete(params.id, actorOf(request));
  }
}
