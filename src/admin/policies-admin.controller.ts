import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PolicyDryRun } from '../governance/policy/policy-dry-run.service.js';
import { AdminApi, actorOf } from './admin-api.decorators.js';
import { AdminInputPipe } from './admin-input.pipe.js';
import { AdminErrorView } from './dto/admin-error.view.js';
import { ListPoliciesQuery } from './dto/list-policies.query.js';
import { PolicyDryRunDto } from './dto/policy-dry-run.dto.js';
import { PolicyDryRunView } from './dto/policy-dry-run.view.js';
import { PolicyIdParams } from './dto/policy-id.params.js';
import { PolicyInputDto } from './dto/policy-input.dto.js';
import { PolicyListView } from './dto/policy-list.view.js';
import { PolicyView } from './dto/policy.view.js';
import { PoliciesAdminService } from './policies-admin.service.js';
import { PolicyBodyPipe } from './policy-body.pipe.js';
import { toPolicyView } from './policy-view.mapper.js';

const INVALID = {
  type: AdminErrorView,
  description:
    '`policy_invalid`: the entry or its DSL does not compile; `param` names the rule and key ' +
    '(`no-turbo.conditions.model.denylist`) or the field (`dsl`, `status`, ...). ' +
    '`invalid_request`: the body is not a JSON object.',
};
const READ_ONLY = {
  type: AdminErrorView,
  description: '`policy_read_only`: a configuration or bootstrap-file policy.',
};
const NOT_FOUND = { type: AdminErrorView, description: '`policy_not_found`' };

@ApiTags('policies')
@AdminApi()
@Controller('v1/admin/policies')
export class PoliciesAdminController {
  constructor(
    private readonly policies: PoliciesAdminService,
    private readonly dryRuns: PolicyDryRun,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List policies: configuration, bootstrap file and API alike',
    description:
      'Each with its `source` and whether it is `read_only`. With `tenant`, only the policies of ' +
      'that tenant; the global policies that also govern it are not listed.',
  })
  @ApiOkResponse({ type: PolicyListView })
  async list(
    @Query(new AdminInputPipe(ListPoliciesQuery)) query: ListPoliciesQuery,
  ): Promise<PolicyListView> {
    const policies = await this.policies.list(query.tenant);
    return { object: 'list', data: policies.map(toPolicyView) };
  }

  @Post()
  @ApiOperation({
    summary: 'Create a policy',
    description: 'Enforced by every replica within seconds; the id is generated when absent.',
  })
  @ApiBody({ type: PolicyInputDto })
  @ApiCreatedResponse({ type: PolicyView })
  @ApiBadRequestResponse(INVALID)
  @ApiNotFoundResponse({ type: AdminErrorView, description: '`tenant_not_found`' })
  @ApiConflictResponse({
    type: AdminErrorView,
    description: '`policy_exists`, or `policy_read_only` for the id of a configuration policy.',
  })
  async create(
    @Body(PolicyBodyPipe) body: Record<string, unknown>,
    @Req() request: FastifyRequest,
  ): Promise<PolicyView> {
    return toPolicyView(await this.policies.create(body, actorOf(request)));
  }

  @Post('dry-run')
  @HttpCode(200)
  @ApiOperation({
    summary: 'What the policies in force, or a draft DSL, would decide for a sample request',
    description: 'No provider is called and nothing is recorded.',
  })
  @ApiOkResponse({ type: PolicyDryRunView })
  @ApiBadRequestResponse({
    type: AdminErrorView,
    description:
      '`validation_error` (e.g. `request.model`), or `policy_invalid` for a draft that does not compile.',
  })
  @ApiNotFoundResponse({ type: AdminErrorView, description: '`tenant_not_found`' })
  async dryRun(@Body() body: PolicyDryRunDto): Promise<PolicyDryRunView> {
    return this.dryRuns.run({ request: body.request, tenant: body.tenant, dsl: body.dsl });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a policy' })
  @ApiOkResponse({ type: PolicyView })
  @ApiNotFoundResponse(NOT_FOUND)
  async get(
    @Param(new AdminInputPipe(PolicyIdParams)) params: PolicyIdParams,
  ): Promise<PolicyView> {
    return toPolicyView(await this.policies.get(params.id));
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Replace a policy',
    description:
      'A full replacement: absent fields take their defaults (`status` ACTIVE, global). The id is ' +
      "the path's; a different `id` in the body is 400 `validation_error`.",
  })
  @ApiBody({ type: PolicyInputDto })
  @ApiOkResponse({ type: PolicyView })
  @ApiBadRequestResponse(INVALID)
  @ApiNotFoundResponse({
    type: AdminErrorView,
    description: '`policy_not_found`, `tenant_not_found`',
  })
  @ApiConflictResponse(READ_ONLY)
  async replace(
    @Param(new AdminInputPipe(PolicyIdParams)) params: PolicyIdParams,
    @Body(PolicyBodyPipe) body: Record<string, unknown>,
    @Req() request: FastifyRequest,
  ): Promise<PolicyView> {
    return toPolicyView(await this.policies.replace(params.id, body, actorOf(request)));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a policy' })
  @ApiNoContentResponse({
    description: 'Deleted; no longer enforced by any replica within seconds.',
  })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(READ_ONLY)
  async delete(
    @Param(new AdminInputPipe(PolicyIdParams)) params: PolicyIdParams,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.policies.delete(params.id, actorOf(request));
  }
}
