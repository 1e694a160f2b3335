// Pairwise subject identifiers (OpenID Connect Core 8.1): the `sub` a pairwise client sees is
// HMAC-SHA256(salt, sector + account), base64url: stable for one person and one sector, unrelated
// across sectors, and 43 characters whatever the account id. oidc-provider applies it to ID tokens,
// userinfo, introspection and logout tokens of clients with subject_type pairwise.
import { createHmac } from 'node:crypto';
import type { ClientConfig } from '../config/index.js';

export class PairwiseSubjects {
  readonly #salt: Buffer;
  readonly #sectors: ReadonlyMap<string, string>;

  constructor(salt: Buffer, clients: readonly ClientConfig[]) {
    this.#salt = salt;
    this.#sectors = new Map(clients.flatMap((c) => (c.sector ? [[c.clientId, c.sector] as const] : [])));
  }

  /** The pairwise sub of an account for a sector (a host). */
  forSector(sector: string, accountId: string): string {
    return createHmac('sha256', this.#salt).update(`${sector}\n${accountId}`).digest('base64url');
  }

  /** The sub a client sees: pairwise for a pairwise client, else the account id itself. */
  forClient(clientId: string, accountId: string): string {
    const sector = this.#sectors.get(clientId);
    return sector === undefined ? accountId : this.forSector(sector, accountId);
  }
}
