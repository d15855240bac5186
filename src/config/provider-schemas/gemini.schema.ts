import { z } from 'zod';
import { str, stringList, url } from '../schema-fields.js';

/** `gateway.providers.gemini` (Generative Language API). */
export const geminiSchema = z.strictObject({
  'api-key': str().default(''),
  'base-url': url().default('https://generativelanguage.googleapis.com/v1beta'),
  models: stringList().default([
    // Current models (December 2026); Gemini 1.5 is retired.
    'gemini-3-pro-preview',
    'gemini-3-flash-preview',
    'gemini-2.5-pro',
    'gemini-2.5-flash',
    'gemini-2.5-flash-lite',
    'gemini-embedding-001',
  ]),
});
