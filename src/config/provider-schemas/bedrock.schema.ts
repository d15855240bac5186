import { z } from 'zod';
import { bool, optionalUrl, str, stringList } from '../schema-fields.js';

/**
 * `gateway.providers.bedrock` (Converse API through the AWS SDK). `base-url` is the contract's
 * name for every provider's address; `endpoint` (the AWS SDK's word) is kept as its synonym.
 */
export const bedrockSchema = z
  .strictObject({
    enabled: bool().default(false),
    'access-key': str().default(''),
    'secret-key': str().default(''),
    'session-token': str().default(''),
    region: str().default('us-east-1'),
    // Empty: the SDK's regional endpoint. Set for VPC endpoints, proxies and test fakes.
    'base-url': optionalUrl().default(''),
    endpoint: optionalUrl().default(''),
    models: stringList().default([
      // Current models reached through cross-region inference profiles (December 2026).
      'bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'bedrock/global.anthropic.claude-haiku-4-5-20251001-v1:0',
      'bedrock/amazon.nova-pro-v1:0',
      'bedrock/amazon.nova-lite-v1:0',
      'bedrock/meta.llama3-3-70b-instruct-v1:0',
      'bedrock/mistral.mistral-large-2402-v1:0',
    ]),
  })
  .refine((v) => v['base-url'] === '' || v.endpoint === '' || v['base-url'] === v.endpoint, {
    message: 'base-url and endpoint name the same setting: set one of them',
    path: ['base-url'],
  });
