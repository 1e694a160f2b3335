// The effective value of every setting, as check-config prints it: secrets hidden, structured
// values summarised, and where each value came from (default, file, env, or derived from others).
import type { LoadedSettings } from '../config/load.js';
import type { BridgeConfig } from '../config/index.js';
import { SETTINGS, SETTING_NAMES, type SettingDef, type SettingName } from '../config/settings.js';

export interface EffectiveSetting {
  readonly name: SettingName;
  readonly value: string;
  readonly origin: 'default' | 'file' | 'env' | 'derived';
}

const MAX_SHOWN = 90;

/** Settings whose default is computed from others: the value the bridge actually uses. */
const DERIVED: Partial<Record<SettingName, (c: BridgeConfig) => unknown>> = {
  CAS_PROTOCOL: (c) => c.cas.protocol,
  CAS_VALIDATE_URL: (c) => c.cas.validateUrl,
  SERVICE_URL: (c) => c.cas.serviceUrl,
  TRUST_PROXY: (c) => c.server.trustProxy,
};

function shorten(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}… (${text.length} characters)` : text;
}

/** A database URL without its credentials; anything else secret is not shown at all. */
function hidden(name: SettingName, value: unknown): string {
  if (Array.isArray(value)) return value.length ? `[${value.length} hidden value${value.length === 1 ? '' : 's'}]` : '(empty)';
  if (typeof value !== 'string') return '[hidden]';
  const url = name === 'DATABASE_URL' ? URL.parse(value) : null;
  if (url) {
    const had = Boolean(url.username || url.password);
    url.username = '';
    url.password = '';
    return `${url.href}${had ? ' (credentials hidden)' : ''}`;
  }
  return `[hidden, ${value.length} characters]`;
}

export function formatValue(name: SettingName, value: unknown): string {
  const def = SETTINGS[name] as SettingDef<unknown>;
  if (def.secret) return hidden(name, value);
  if (def.kind.typeName.startsWith('JSON')) {
    // may hold client secrets: summarised, detailed below in their own sections
    if (Array.isArray(value)) return `${value.length} entr${value.length === 1 ? 'y' : 'ies'} (see below)`;
    return 'set (see below)';
  }
  if (Array.isArray(value)) return value.length ? shorten(value.join(', ')) : '(empty)';
  return shorten(String(value));
}

export function effectiveSettings(loaded: LoadedSettings, config: BridgeConfig | undefined): { shown: EffectiveSetting[]; unset: SettingName[] } {
  const shown: EffectiveSetting[] = [];
  const unset: SettingName[] = [];
  for (const name of SETTING_NAMES) {
    const value = loaded.values[name];
    const origin = loaded.origins[name];
    if (value !== undefined && origin) {
      shown.push({ name, value: formatValue(name, value), origin });
      continue;
    }
    const derive = config ? DERIVED[name] : undefined;
    if (derive && config) {
      shown.push({ name, value: formatValue(name, derive(config)), origin: 'derived' });
      continue;
    }
    unset.push(name);
  }
  return { shown, unset };
}
