import { answerHeaders, gatewayHeaders } from './gateway-headers.js';

describe(answerHeaders.name, () => {
  const answer = { provider: 'openai', model: 'gpt-4o-mini', failedOver: ['azure-openai'] };

  it("gives what answered the call, then governance's headers", () => {
    expect(
      answerHeaders(answer, {
        'x-gateway-cost-usd': '0.00042',
        'x-ratelimit-limit-requests': '10',
      }),
    ).toEqual({
      'x-gateway-provider': 'openai',
      'x-gateway-model': 'gpt-4o-mini',
      'x-gateway-failover': 'azure-openai',
      'x-gateway-cost-usd': '0.00042',
      'x-ratelimit-limit-requests': '10',
    });
  });

  it('gives the answer headers alone when governance has none', () => {
    expect(answerHeaders(answer, undefined)).toEqual(gatewayHeaders(answer));
  });

  it("leaves governance's object as it was", () => {
    const governed = { 'x-gateway-cost-usd': '0' };
    answerHeaders(answer, governed);
    expect(governed).toEqual({ 'x-gateway-cost-usd': '0' });
  });
});
