import { Injectable, type PipeTransform } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';

/**
 * A policy entry body: any JSON object. Its fields are the policy engine's to check (with the
 * hints it gives for the usual mistakes), not a DTO's.
 * @throws GatewayError `invalid_request` for anything but a JSON object
 */
@Injectable()
export class PolicyBodyPipe implements PipeTransform<unknown, Record<string, unknown>> {
  transform(value: unknown): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
    }
    return value as Record<string, unknown>;
  }
}
