// A real OpenID Connect provider for the login tests (oidc-provider is ESM-only, so it runs in a
// child process started by test/support/oidc-provider.ts). Its built-in development
// interactions show a login form that accepts any name and password (the name becomes the
// account id) and a consent page. Accounts and their claims come from OIDC_TEST_ACCOUNTS.
import Provider from 'oidc-provider';

const { PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, OIDC_TEST_ACCOUNTS } = process.env;
const accounts = JSON.parse(OIDC_TEST_ACCOUNTS ?? '{}');
const issuer = `http://localhost:${PORT}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email'],
    groups: ['groups'],
  },
  async findAccount(_ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`server_error ${error.stack}\n`));
provider.listen(Number(PORT), 'localhost', () => process.stdout.write(`READY ${issuer}\n`));
