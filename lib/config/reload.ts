// A reload (SIGHUP, `cas-oidc-bridge reload`): what of a newly read configuration is applied to a
// running bridge. Settings marked `live` in settings.ts (clients, claims, access rules) take the new
// values; every other setting keeps the running value, and a change to one is reported as needing
// a restart (ports, database, ISSUER, secrets, …).
import type { LoadedSettings } from './load.js';
import { SETTINGS, SETTING_NAMES, type RawSettings, type SettingDef, type SettingName } from './settings.js';

export interface ReloadPlan {
  /** the settings to run with: live ones from the new configuration, the others as running */
  readonly settings: LoadedSettings;
  /** live settings whose value changed (applied) */
  readonly applied: SettingName[];
  /** other settings whose value changed (not applied: they need a restart) */
  readonly restartNeeded: SettingName[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function planReload(running: LoadedSettings, next: LoadedSettings): ReloadPlan {
  const values = { ...running.values } as Record<SettingName, unknown>;
  const origins = { ...running.origins };
  const applied: SettingName[] = [];
  const restartNeeded: SettingName[] = [];
  for (const name of SETTING_NAMES) {
    if (same(running.values[name], next.values[name])) continue;
    if (!(SETTINGS[name] as SettingDef<unknown>).live) {
      restartNeeded.push(name);
      continue;
    }
    applied.push(name);
    values[name] = next.values[name];
    if (next.origins[name]) origins[name] = next.origins[name];
    else delete origins[name];
  }
  return {
    settings: { ...running, values: values as RawSettings, origins, file: next.file, problems: [], fileFailed: false },
    applied,
    restartNeeded,
  };
}
