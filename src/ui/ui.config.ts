import { type Static, type TObject, Type } from 'typebox';

/** The TAMS_* settings of the web UI (spread into the one config schema). */
export const uiSettings = {
  TAMS_UI: Type.Boolean({
    default: true,
    description:
      'Serve the web UI at `/ui` (browse Sources and Flows, their timelines and gaps, play a Flow through HLS; see [Web UI](ui-hls.md#web-ui)). The page itself is public; everything it shows comes from the API with the credentials signed in with.',
  }),
  TAMS_UI_DIR: Type.String({
    default: '',
    description:
      'Folder of the built web UI (`npm run build:ui` writes `ui/dist`). Empty: `ui/dist` of the installation.',
  }),
  TAMS_UI_OIDC_CLIENT_ID: Type.String({
    default: '',
    description:
      'Client id of a public client (no secret; authorization code with PKCE) registered at the identity provider of `TAMS_JWT_ISSUER`, with the redirect URI `<server URL>/ui/signin/callback`: the sign-in page then offers "Sign in with" that provider besides the pasted token (see [Authentication](authentication.md#signing-in-to-the-web-ui-with-the-identity-provider)). Empty: the pasted token only.',
  }),
  TAMS_UI_OIDC_SCOPES: Type.String({
    default: '',
    description:
      'Scopes the web UI asks the identity provider for, space-separated. Empty: `openid` and the four scopes of this server with `TAMS_JWT_SCOPE_PREFIX` (`openid tams.read tams.write tams.delete tams.admin` with the prefix `tams.`); the provider grants each user what it allows.',
  }),
  TAMS_UI_OIDC_RESOURCE: Type.String({
    default: '',
    description:
      'Resource indicator (RFC 8707, an absolute URI) the web UI sends with its sign-in and token requests, for providers that issue a JWT access token for this server only when asked for it by resource (its `aud` must then be one of `TAMS_JWT_AUDIENCE`). Empty: none sent.',
  }),
};

/** The web UI's settings as parsed (part of src/config.ts's Config). */
export type UiConfig = Static<TObject<typeof uiSettings>>;
