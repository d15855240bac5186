/** `X-Gateway-*` headers that tell the caller what answered (contract 4.5). */
export function gatewayHeaders(providerId: string, model: string): Record<string, string> {
  return { 'x-gateway-provider': providerId, 'x-gateway-model': model };
}
