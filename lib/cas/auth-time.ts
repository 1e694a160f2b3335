// CAS `authenticationDate` -> epoch seconds. django-cas-server sends ISO 8601
// (`2026-11-22T05:30:33+00:00`); Apereo sends Java's ZonedDateTime form with a zone id suffix
// (`2019-08-01T19:33:21.527+08:00[Asia/Shanghai]`) or nanoseconds.
export function parseAuthenticationDate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const withoutZoneId = value.trim().replace(/\[[^\]]+\]$/, '');
  // JavaScript's Date keeps milliseconds only: cut longer fractions
  const normalised = withoutZoneId.replace(/(\.\d{3})\d+/, '$1');
  // without an offset Date.parse would use the bridge's own time zone; CAS servers mean UTC
  const zoned = /T[\d:.]+$/.test(normalised) ? `${normalised}Z` : normalised;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) return undefined;
  return Math.floor(ms / 1000);
}
