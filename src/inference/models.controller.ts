import { Controller, Get, Param } from '@nestjs/common';
import { Governed } from '../governance/pipeline/governed.decorator.js';
import type { ModelCard } from './models.service.js';
import { ModelsService } from './models.service.js';

@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @Governed({ kind: 'models', scope: 'models:read' })
  list(): { object: 'list'; data: ModelCard[] } {
    return this.models.list();
  }

  /** Model ids may contain slashes (`mock/fast`), hence the wildcard. */
  @Get('*')
  @Governed({ kind: 'models', scope: 'models:read' })
  get(@Param('*') id: string): ModelCard {
    return this.models.get(id);
  }
}
