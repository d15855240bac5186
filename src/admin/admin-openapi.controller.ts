import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, type OpenAPIObject } from '@nestjs/swagger';
import { AdminApi } from './admin-api.decorators.js';
import { AdminOpenApiService } from './admin-openapi.service.js';

@ApiTags('openapi')
@AdminApi()
@Controller('v1/admin')
export class AdminOpenApiController {
  constructor(private readonly openApi: AdminOpenApiService) {}

  @Get('openapi.json')
  @ApiOperation({ summary: 'This OpenAPI document' })
  @ApiOkResponse({ description: 'The OpenAPI 3 document of the admin API.' })
  document(): OpenAPIObject {
    return this.openApi.get();
  }
}
