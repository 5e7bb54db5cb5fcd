/**
 * Who can sign in. By default a Cognito user pool with one group per role (the groups arrive in
 * the `cognito:groups` claim); with an external OIDC provider configured, no pool is created and
 * the API trusts that issuer and audience instead.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLE_DESCRIPTIONS, ROLES } from '../../shared/roles.ts';
import type { ExternalOidcProvider } from '../config.ts';

export interface IdentityProps {
  readonly oidc?: ExternalOidcProvider;
  readonly uiOrigin: string;
}

export class Identity extends Construct {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly userPool?: cognito.UserPool;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    if (props.oidc) {
      this.issuer = props.oidc.issuer;
      this.audience = props.oidc.audience;
      return;
    }
    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of ROLES) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: userPool.userPoolId,
        groupName: role,
        description: ROLE_DESCRIPTIONS[role],
      });
    }
    const client = userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${props.uiOrigin}/callback`],
        logoutUrls: [props.uiOrigin],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
    });
    this.userPool = userPool;
    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${userPool.userPoolId}`;
    this.audience = [client.userPoolClientId];
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        'Threat protection is enforced through the PLUS feature plan (standardThreatProtectionMode FULL_FUNCTION)',
    });
  }
}
