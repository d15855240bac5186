/** Who a verified key belongs to. */
export interface KeyIdentity {
  readonly tenantId: string;
  readonly keyId: string;
}

/**
 * The port that decides whether a presented API key is valid. The store-backed implementation
 * (tenants and keys in the database) replaces the default one below.
 */
export abstract class ApiKeyVerifier {
  abstract verify(presentedKey: string): Promise<KeyIdentity | undefined>;
}

/** With no key store, no key is valid: the gateway fails closed rather than open. */
export class NoKeyStoreVerifier extends ApiKeyVerifier {
  verify(): Promise<KeyIdentity | undefined> {
    return Promise.resolve(undefined);
  }
}
