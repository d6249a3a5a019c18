import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { APP_CONFIG, AppConfig, OidcConfig } from '../config/app-config';
import type { LoginPrincipal } from './sessions.service';

/** What /auth/login remembers until the provider sends the browser back (a signed cookie). */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
}

export type OidcOutcome =
  | { allowed: true; principal: LoginPrincipal }
  | { allowed: false; username: string; groups: string[] };

const MAX_GROUPS = 512;

/**
 * Single sign-on with OpenID Connect (openid-client): the authorization code flow with PKCE
 * (S256), state and nonce. The provider's metadata is discovered on first use and kept; a
 * failed discovery is retried on the next login instead of failing the server's start.
 */
@Injectable()
export class OidcLoginService {
  private configuration?: Promise<oidc.Configuration>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get settings(): OidcConfig {
    const settings = this.config.auth.oidc;
    if (!settings) throw new Error('OIDC login is not configured');
    return settings;
  }

  async start(next: string): Promise<{ url: URL; pending: PendingLogin }> {
    const configuration = await this.discover();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      next,
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * Redeems the code of the provider's redirect (checking state, nonce and PKCE) and decides who
   * logged in. Claims come from the ID token, completed by the UserInfo endpoint (many providers
   * put groups only there).
   */
  async finish(requestUrl: string, pending: PendingLogin): Promise<OidcOutcome> {
    const configuration = await this.discover();
    // The address the provider redirected to, as configured: never built from the Host header.
    const callback = new URL(requestUrl, this.settings.redirectUrl);
    const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('the provider sent no ID token');
    let claims: Record<string, unknown> = { ...idClaims };
    if (configuration.serverMetadata().userinfo_endpoint) {
      const userInfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
      claims = { ...userInfo, ...idClaims };
    }
    const username = this.usernameOf(claims);
    const groups = this.groupsOf(claims);
    const { allowedGroups } = this.settings;
    if (allowedGroups.length > 0 && !groups.some((g) => allowedGroups.includes(g))) {
      return { allowed: false, username, groups };
    }
    return { allowed: true, principal: { username, via: 'oidc', groups } };
  }

  private usernameOf(claims: Record<string, unknown>): string {
    for (const claim of [this.settings.usernameClaim, 'preferred_username', 'sub']) {
      const value = claims[claim];
      if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 255);
    }
    throw new Error('the ID token names nobody (no sub claim)');
  }

  private groupsOf(claims: Record<string, unknown>): string[] {
    const value = claims[this.settings.groupsClaim];
    const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    return list.filter((g): g is string => typeof g === 'string').slice(0, MAX_GROUPS);
  }

  private discover(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const { issuerUrl, clientId, clientSecret } = this.settings;
      const issuer = new URL(issuerUrl);
      // openid-client refuses plain HTTP unless told otherwise; an http:// issuer is what the
      // operator configured (a local provider in development; docs/authentication.md warns).
      const insecure = issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
      this.configuration = oidc
        .discovery(issuer, clientId, clientSecret, undefined, {
          execute: insecure,
          timeout: 10,
        })
        .catch((error: unknown) => {
          this.configuration = undefined;
          throw new OidcUnavailableError(issuerUrl, error);
        });
    }
    return this.configuration;
  }
}

export class OidcUnavailableError extends Error {
  constructor(issuer: string, cause: unknown) {
    super(
      `the identity provider ${issuer} could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}
