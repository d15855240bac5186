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
      'bedrock/anthropic.claude-3-sonnet-20240229-v1:0',
      'bedrock/amazon.titan-text-express-v1',
      'bedrock/meta.llama3-70b-instruct-v1:0',
      'bedrock/mistral.mistral-7b-instruct-v0:2',
    ]),
  })
  .refine((v) => v['base-url'] === '' || v.endpoint === '' || v['base-url'] === v.endpoint, {
    message: 'base-url and endpoint name the same setting: set one of them',
    path: ['base-url'],
  });
