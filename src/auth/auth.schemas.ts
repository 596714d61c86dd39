import { Type } from 'typebox';
import { DateTime } from '../http/common.schemas.ts';
import { MAX_TOKEN_SECONDS, MIN_PASSWORD_LENGTH } from './auth.admin.ts';
import { SCOPES } from './auth.model.ts';

/** The HTTP administration of users and tokens (auth.routes.ts): a tams-server extension. */

const Scope = Type.Union(
  SCOPES.map((s) => Type.Literal(s)),
  {
    description:
      'read: GET and HEAD; write: PUT and POST; delete: DELETE; admin: service settings, every webhook, users and tokens.',
  },
);
export const ScopeList = Type.Array(Scope, { minItems: 1 });
export const Name = Type.String({ minLength: 1, maxLength: 64 });
const Scopes = Type.Array(Type.String(), { description: 'The scopes granted.' });

export const NameParams = Type.Object({ name: Name });
export const TokenParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'The token id, or its name.' }),
});

export const Whoami = Type.Object(
  {
    name: Type.Union([Type.String(), Type.Null()], {
      description: 'The principal: what `created_by` and `updated_by` record; null without authentication.',
    }),
    scopes: Scopes,
    scheme: Type.Union(
      [Type.Literal('basic'), Type.Literal('token'), Type.Literal('jwt'), Type.Literal('none')],
      {
        description: 'How the caller authenticated (`none`: authentication is off, TAMS_AUTH=none).',
      },
    ),
    scope_map: Type.Union([Type.Literal('methods'), Type.Literal('appnote-0016')], {
      description:
        "Which scopes each route needs (TAMS_AUTH_SCOPE_MAP): `methods`, the method's; `appnote-0016`, TAMS AppNote 0016's table.",
    }),
  },
  { title: 'Caller' },
);

export const NewUser = Type.Object({
  name: Name,
  password: Type.String({ minLength: MIN_PASSWORD_LENGTH }),
  scopes: ScopeList,
});
export const NewPassword = Type.Object({ password: Type.String({ minLength: MIN_PASSWORD_LENGTH }) });

export const User = Type.Object(
  {
    name: Type.String(),
    scopes: Scopes,
    created: DateTime,
    created_by: Type.Optional(Type.String()),
  },
  { title: 'User', description: 'A user of HTTP Basic authentication (never its password).' },
);
export const UserList = Type.Array(User);

export const NewToken = Type.Object({
  name: Name,
  scopes: ScopeList,
  principal: Type.Optional(Name),
  expires_in: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_TOKEN_SECONDS,
      description: 'Validity in seconds, at most 100 years.',
    }),
  ),
});

const TokenProperties = {
  id: Type.String({ description: 'The token id (not the token).' }),
  name: Type.String(),
  principal: Type.String({ description: 'Who the token acts as (`created_by` of what it changes).' }),
  hint: Type.String({ description: 'The first characters of the token, to recognise it.' }),
  scopes: Scopes,
  created: DateTime,
  created_by: Type.Optional(Type.String()),
  expires: Type.Optional(DateTime),
  revoked: Type.Optional(DateTime),
};
export const Token = Type.Object(TokenProperties, {
  title: 'Token',
  description: 'An API token as administrators see it (never the token itself).',
});
export const TokenList = Type.Array(Token);
export const IssuedToken = Type.Object(
  { token: Type.String({ description: 'The token: shown this once, never stored.' }), ...TokenProperties },
  { title: 'Issued token' },
);
