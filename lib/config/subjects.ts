// A client's subject type (OpenID Connect Core 8): `public`, or `pairwise` with the sector its `sub`
// is computed for. The sector is the host of the client's redirect URIs; when they span several
// hosts the client must name its sector with a `sector_identifier_uri` (8.1), whose document the
// bridge fetches and checks at start (lib/provider/sector.ts).

export type SubjectType = 'public' | 'pairwise';

export interface SubjectInput {
  readonly where: string;
  readonly subjectType: SubjectType | undefined;
  readonly defaultType: SubjectType;
  readonly sectorIdentifierUri: string | undefined;
  /** every redirect URI the client may use: exact ones and allowlist entries */
  readonly redirectUris: readonly string[];
  readonly isLoopbackHost: (hostname: string) => boolean;
}

export interface ClientSubject {
  readonly subjectType: SubjectType;
  readonly sectorIdentifierUri: string | undefined;
  /** pairwise only: the host the sub is computed for */
  readonly sector: string | undefined;
}

const hostOf = (uri: string): string | undefined => URL.parse(uri)?.host;

export function resolveSubject(input: SubjectInput): { value: ClientSubject; problems: string[] } {
  const problems: string[] = [];
  const subjectType = input.subjectType ?? input.defaultType;
  const sectorUri = input.sectorIdentifierUri;
  if (sectorUri !== undefined) {
    const url = new URL(sectorUri);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && input.isLoopbackHost(url.hostname))) {
      problems.push(`${input.where}.sector_identifier_uri: must use https (OpenID Connect Core 8.1; plain http only on a loopback host)`);
    }
    if (url.username || url.password || url.hash) problems.push(`${input.where}.sector_identifier_uri: must not carry credentials or a fragment`);
  }
  if (subjectType !== 'pairwise') return { value: { subjectType, sectorIdentifierUri: sectorUri, sector: undefined }, problems };

  const hosts = [...new Set(input.redirectUris.map(hostOf).filter((h): h is string => h !== undefined))];
  if (sectorUri !== undefined) return { value: { subjectType, sectorIdentifierUri: sectorUri, sector: hostOf(sectorUri) }, problems };
  if (hosts.includes('')) {
    problems.push(`${input.where}: subject_type pairwise with a redirect URI that has no host (a private-use scheme) needs a `
      + 'sector_identifier_uri naming its sector (OpenID Connect Core 8.1)');
  } else if (hosts.length > 1) {
    problems.push(`${input.where}: subject_type pairwise with redirect URIs on several hosts (${hosts.join(', ')}) needs a `
      + 'sector_identifier_uri: an https URL serving a JSON array of those redirect URIs, whose host names the sector '
      + `(OpenID Connect Core 8.1)${input.where === 'CLIENT_ID' ? '; the single-client form has no such setting: define the client in a `clients` list' : ''}`);
  }
  return { value: { subjectType, sectorIdentifierUri: undefined, sector: hosts[0] }, problems };
}
