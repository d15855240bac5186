import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminApi } from '../admin-api.decorators.js';
import { AdminInputPipe } from '../admin-input.pipe.js';
import { ActivityQuery } from '../dto/activity.query.js';
import { ActivityAdminService, type ActivityView } from './activity-admin.service.js';

@ApiTags('spend')
@AdminApi()
@Controller('v1/admin/activity')
export class ActivityAdminController {
  constructor(private readonly activity: ActivityAdminService) {}

  @Get()
  @ApiOperation({
    summary:
      'Calls over time: requests, errors, tokens and spend per bucket; top tenants and models',
    description:
      'Read from the `GATEWAY_RESPONSE` audit events (every /v1 call, refusals included; errors are ' +
      'status >= 400). `series` has every bucket of [from, to), empty ones as zeros; at most 1500 ' +
      'buckets. `truncated` is true when the range held more than 200000 calls (the newest are ' +
      'counted).',
  })
  @ApiOkResponse({ description: 'The activity.' })
  async get(@Query(new AdminInputPipe(ActivityQuery)) query: ActivityQuery): Promise<ActivityView> {
    return this.activity.activity(query);
  }
}
