import { nonCanonicalReason } from './path-hygiene.js';

describe('nonCanonicalReason', () => {
  it.each([
    '/v1/chat/completions',
    '/v1/models',
    '/v1/models/mock/default',
    '/v1/models/mock%2Fdefault',
    '/v1/chat/completions?x=%20;y',
    '/health/live',
    '/other//path',
    '/v10/x%20',
  ])('accepts %s', (url) => {
    expect(nonCanonicalReason(url)).toBeUndefined();
  });

  it.each([
    ['/v1/mod%65ls', 'percent-escapes'],
    ['/v1/models%2Fx/y', 'percent-escapes'],
    ['/v1/models/mock%2Edefault', 'percent-escapes'],
    ['/v1/models;a=b', "';'"],
    ['/v1\\models', "'\\'"],
    ['/v1//models', 'empty segments'],
    ['//v1/models', 'empty segments'],
    ['/v1/./models', "'.' or '..' segments"],
    ['/v1/models/..', "'.' or '..' segments"],
    ['/./v1/models', "'.' or '..' segments"],
    ['/%2e/v1/models', 'percent-escapes'],
    ['/v1', undefined],
  ])('judges %s as %s', (url, reason) => {
    expect(nonCanonicalReason(url)).toBe(reason);
  });
});
