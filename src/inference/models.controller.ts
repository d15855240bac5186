import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../governance/auth/api-key.guard.js';
import { RequiredScope } from '../governance/auth/required-scope.decorator.js';
import type { ModelCard } from './models.service.js';
import { ModelsService } from './models.service.js';

@Controller('v1/models')
@UseGuards(ApiKeyGuard)
@RequiredScope('models:read')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  list(): { object: 'list'; data: ModelCard[] } {
    return this.models.list();
  }

  /** Model ids may contain slashes (`mock/fast`), hence the wildcard. */
  @Get('*')
  get(@Param('*') id: string): ModelCard {
    return this.models.get(id);
  }
}
