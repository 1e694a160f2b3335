// A list of IP addresses and CIDR ranges (CAS_SERVER_ADDRESSES), matched with node's BlockList.
import { BlockList, isIP } from 'node:net';
import type { Middleware } from 'koa';

/** Why an entry is not an address or range, or undefined when it is one. */
export function addressEntryProblem(entry: string): string | undefined {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return 'must be an IP address or a CIDR range such as 192.0.2.0/24';
  if (bits === undefined) return undefined;
  const n = Number(bits);
  if (!/^\d+$/.test(bits) || n > (family === 4 ? 32 : 128)) return `has a prefix length that does not fit an IPv${family} address`;
  return undefined;
}

export class AddressList {
  readonly #list = new BlockList();

  /** Entries must have passed addressEntryProblem. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', bits] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, Number(bits), type);
    }
  }

  includes(ip: string): boolean {
    // an IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(plain);
    if (!family) return false;
    return this.#list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/**
 * Lets through only requests from the listed addresses (`ctx.ip`: the proxy's X-Forwarded-For
 * when it is trusted); others get 403. Everyone passes when no list is set.
 */
export function onlyFrom(entries: readonly string[] | undefined, refused: (ip: string) => void): Middleware {
  if (!entries) return (_ctx, next) => next();
  const list = new AddressList(entries);
  return async (ctx, next) => {
    if (list.includes(ctx.ip)) return next();
    refused(ctx.ip);
    ctx.status = 403;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'forbidden\n';
  };
}
