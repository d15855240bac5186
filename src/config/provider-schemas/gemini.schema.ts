import { z } from 'zod';
import { str, stringList, url } from '../schema-fields.js';

/** `gateway.providers.gemini` (Generative Language API). */
export const geminiSchema = z.strictObject({
  'api-key': str().default(''),
  'base-url': url().default('https://generativelanguage.googleapis.com/v1beta'),
  models: stringList().default([
    'gemini-2.0-flash',
    'gemini-1.5-pro',
    'gemini-1.5-flash',
    'gemini-embedding-001',
  ]),
});
