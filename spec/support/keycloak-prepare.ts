// Fetches, unpacks and builds the specs' Keycloak (KEYCLOAK_VERSION or the pinned default) and
// makes its database template, so that `npm test` only starts it: `npx tsx spec/support/keycloak-prepare.ts`.
import { keycloakUnavailable, keycloakVersion, prepareKeycloak } from './keycloak.js';

const reason = keycloakUnavailable();
if (reason) {
  process.stderr.write(`Keycloak cannot run here: ${reason}\n`);
  process.exit(1);
}
const started = Date.now();
const { home } = await prepareKeycloak();
process.stdout.write(`Keycloak ${keycloakVersion()} ready in ${home} (${Math.round((Date.now() - started) / 1000)} s)\n`);
