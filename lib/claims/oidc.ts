// What OpenID Connect says about claims (Core 1.0 §5.1, §5.4, §2) and what that means for mapping.

/** Claims OIDC defines as JSON strings: always one string, never an array or a number. */
export const STRING_CLAIMS: ReadonlySet<string> = new Set([
  'sub',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'acr',
]);

export const BOOLEAN_CLAIMS: ReadonlySet<string> = new Set(['email_verified', 'phone_number_verified']);

/** updated_at is a number of seconds since the epoch. */
export const NUMBER_CLAIMS: ReadonlySet<string> = new Set(['updated_at']);

/** address is a JSON object; a mapped string becomes its `formatted` member. */
export const ADDRESS_CLAIM = 'address';

/** amr is always an array of strings (Core §2), even with one method. */
export const ARRAY_CLAIMS: ReadonlySet<string> = new Set(['amr']);

/** Set by the provider itself; a mapping must not produce them. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'cnf',
  'scope',
  'client_id',
  '_claim_names',
  '_claim_sources',
]);

/** Claims put on the ID token from the login, not released through a scope. */
export const LOGIN_CLAIMS: ReadonlySet<string> = new Set(['acr', 'amr']);

/** email -> email_verified, phone_number -> phone_number_verified (a Map: claim names are user input) */
export const VERIFIED_COMPANION: ReadonlyMap<string, string> = new Map([
  ['email', 'email_verified'],
  ['phone_number', 'phone_number_verified'],
]);

/** Standard scopes (Core §5.4) plus the common `groups` scope. */
export const STANDARD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
  groups: ['groups'],
};

/** RFC 6749 §3.3 scope-token characters. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Claim names: printable ASCII without spaces or quotes (they end up as JSON keys and in discovery). */
export const CLAIM_NAME = /^[\x21\x23-\x7E]+$/;
