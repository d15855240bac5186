import { All, Controller } from '@nestjs/common';
import { adminApiDisabled } from './admin-token.guard.js';

/**
 * The admin API while it is off (no GATEWAY_ADMIN_TOKEN): every method on every path under
 * /v1/admin answers 404 `admin_api_disabled`, as the token guard does when the API is on but has
 * no token. It stands in for the real controllers so that they, their DTOs and the OpenAPI
 * machinery are never loaded.
 */
@Controller('v1/admin')
export class AdminDisabledController {
  @All(['', '*'])
  disabled(): never {
    throw adminApiDisabled();
  }
}
