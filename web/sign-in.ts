/**
 * Sign-in by the OpenID Connect authorization code flow with PKCE (openid-client), against the
 * configured provider: Cognito's hosted UI or the force's own in AWS, the local issuer's persona
 * picker with `npm start`. The ID token is kept in the server-side session and sent to the API
 * as the bearer of each call, so the API decides what the person may see, and its audit log
 * names them.
 */
import * as oidc from 'openid-client';
import type { PendingSignIn, SignedIn } from './sessions.ts';

export interface ProviderSettings {
  readonly issuerUrl: string;
  readonly clientId: string;
  /** Where the provider sends the person back: this application's `/auth/callback`. */
  readonly redirectUri: string;
  /** Where the provider sends the person after signing out: this application's `/signed-out`. */
  readonly signedOutUri: string;
  /** The claim holding the person's roles (Cognito: `cognito:groups`). */
  readonly rolesClaim: string;
}

export interface Provider {
  /** Where to send the person to sign in, and what to keep to check the answer. */
  begin(): Promise<{ url: string; pending: PendingSignIn }>;
  /** The signed-in person, from the provider's answer at `callbackUrl`. */
  finish(callbackUrl: URL, pending: PendingSignIn): Promise<SignedIn>;
  /** Where to send the person to end their session at the provider too. */
  signOutUrl(idToken: string): string;
}

const isLoopback = (url: string) => ['127.0.0.1', 'localhost'].includes(new URL(url).hostname);

export async function connectProvider(settings: ProviderSettings): Promise<Provider> {
  const config = await oidc.discovery(
    new URL(settings.issuerUrl),
    settings.clientId,
    undefined,
    oidc.None(),
    // Plain http is allowed for the local issuer on the loopback interface only.
    isLoopback(settings.issuerUrl) ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );
  return {
    async begin() {
      const pending = {
        codeVerifier: oidc.randomPKCECodeVerifier(),
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.href, pending };
    },
    async finish(callbackUrl, pending) {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!tokens.id_token || !claims) throw new Error('The provider sent no ID token');
      const roles = claims[settings.rolesClaim];
      return {
        idToken: tokens.id_token,
        subject: claims.sub,
        name: typeof claims.name === 'string' ? claims.name : claims.sub,
        roles: Array.isArray(roles) ? roles.map(String) : [],
      };
    },
    signOutUrl(idToken) {
      return oidc.buildEndSessionUrl(config, {
        id_token_hint: idToken,
        post_logout_redirect_uri: settings.signedOutUri,
      }).href;
    },
  };
}
