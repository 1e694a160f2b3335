// A single-page app as web developers write it with oidc-client-ts: authorization code + PKCE as a
// public client, the user's claims (with userinfo) on the page, tokens refreshed with the refresh
// token, logout through the provider's end-session endpoint with the refresh token revoked first.
/* global oidc, SPA_CONFIG */
const manager = new oidc.UserManager({
  authority: SPA_CONFIG.authority,
  client_id: SPA_CONFIG.client_id,
  redirect_uri: `${location.origin}/callback`,
  post_logout_redirect_uri: `${location.origin}/logged-out`,
  response_type: 'code',
  scope: 'openid profile email offline_access',
  loadUserInfo: true,
  automaticSilentRenew: false,
  revokeTokensOnSignout: true,
  revokeTokenTypes: ['refresh_token'],
  userStore: new oidc.WebStorageStateStore({ store: window.localStorage }),
});
const $ = (id) => document.getElementById(id);
let refreshes = 0;

function show(user) {
  $('status').textContent = user ? `signed in as ${user.profile.sub}` : 'signed out';
  $('claims').textContent = user ? JSON.stringify(user.profile, null, 1) : '';
}
function fail(what, err) {
  $('error').textContent = `${what} failed: ${err && err.message ? err.message : String(err)}`;
}

$('login').onclick = () => manager.signinRedirect().catch((err) => fail('login', err));
$('refresh').onclick = async () => {
  try {
    show(await manager.signinSilent());
    refreshes += 1;
    $('refreshes').textContent = String(refreshes);
  } catch (err) { fail('refresh', err); }
};
$('userinfo').onclick = async () => {
  try {
    const user = await manager.getUser();
    const meta = await manager.metadataService.getMetadata();
    const res = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${user.access_token}` } });
    $('userinfo-out').textContent = JSON.stringify(await res.json(), null, 1);
  } catch (err) { fail('userinfo', err); }
};
$('logout').onclick = async () => {
  try { await manager.signoutRedirect(); } catch (err) { fail('logout', err); }
};

(async () => {
  try {
    if (location.pathname === '/callback') {
      await manager.signinRedirectCallback();
      history.replaceState(null, '', '/');
    } else if (location.pathname === '/logged-out') {
      await manager.signoutRedirectCallback();
      history.replaceState(null, '', '/');
    }
    show(await manager.getUser());
  } catch (err) {
    show(null);
    fail('start', err);
  }
})();
