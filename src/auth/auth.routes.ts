import { actorOf } from '../http/principal.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import type { AuthRouteConfig } from './auth.hook.ts';
import { SCOPES } from './auth.model.ts';
import type { AuthModule } from './auth.module.ts';
import {
  IssuedToken,
  NameParams,
  NewPassword,
  NewToken,
  NewUser,
  TokenList,
  TokenParams,
  User,
  UserList,
  Whoami,
} from './auth.schemas.ts';

const admin: AuthRouteConfig = { tamsAuth: 'admin' };
const tags = ['Auth'];
const BAD_REQUEST = 'Bad request. Invalid name, scopes or password, or the name is taken.';

/**
 * Users and tokens over HTTP, for the admin scope: the way to manage them while the server runs
 * (the embedded DuckDB file is the server's alone, so tams-mgmt needs it stopped). A
 * tams-server extension: tagged `Auth` in the OpenAPI document, and marked as beyond TAMS 7.0.
 */
export async function authRoutes(app: App, auth: AuthModule): Promise<void> {
  app.get(
    '/auth/whoami',
    {
      schema: {
        operationId: 'GET_auth-whoami',
        summary: 'Who Am I',
        description:
          'What the server makes of the credentials sent: the principal, its scopes and the scheme, and which scopes each route needs (`scope_map`).',
        tags,
        response: { 200: ok(Whoami) },
      },
      config: { tamsAuth: 'authenticated' } satisfies AuthRouteConfig,
    },
    async (request) => {
      const p = request.principal;
      const scope_map = auth.scopeMap;
      return p
        ? { name: p.name, scopes: [...p.scopes], scheme: p.scheme, scope_map }
        : { name: null, scopes: [...SCOPES], scheme: 'none' as const, scope_map };
    },
  );

  app.get(
    '/auth/users',
    {
      schema: {
        operationId: 'GET_auth-users',
        summary: 'List Users',
        description: 'The users of HTTP Basic authentication (admin scope).',
        tags,
        response: { 200: ok(UserList) },
      },
      config: admin,
    },
    async () => auth.admin.listUsers(),
  );

  app.post(
    '/auth/users',
    {
      schema: {
        operationId: 'POST_auth-users',
        summary: 'Add User',
        description: 'Adds a user of HTTP Basic authentication with its password and scopes (admin scope).',
        tags,
        body: NewUser,
        response: { 201: ok(User, 'The user has been added.'), ...errors({ 400: BAD_REQUEST }) },
      },
      config: admin,
    },
    async (request, reply) => {
      const { name, password, scopes } = request.body;
      return reply.code(201).send(await auth.admin.addUser(name, password, scopes, actorOf(request)));
    },
  );

  app.put(
    '/auth/users/:name/password',
    {
      schema: {
        operationId: 'PUT_auth-users-name-password',
        summary: 'Set User Password',
        description: "Replaces a user's password (admin scope).",
        tags,
        params: NameParams,
        body: NewPassword,
        response: {
          204: noContent('The password has been set.'),
          ...errors({ 400: BAD_REQUEST, 404: 'The user does not exist.' }),
        },
      },
      config: admin,
    },
    async (request, reply) => {
      await auth.admin.setPassword(request.params.name, request.body.password);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/auth/users/:name',
    {
      schema: {
        operationId: 'DELETE_auth-users-name',
        summary: 'Remove User',
        description: 'Removes a user, and revokes the API tokens acting as it (admin scope).',
        tags,
        params: NameParams,
        response: {
          204: noContent('The user has been removed.'),
          ...errors({ 400: BAD_REQUEST, 404: 'The user does not exist.' }),
        },
      },
      config: admin,
    },
    async (request, reply) => {
      await auth.admin.removeUser(request.params.name);
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/tokens',
    {
      schema: {
        operationId: 'GET_auth-tokens',
        summary: 'List API Tokens',
        description: 'The API tokens, revoked and expired ones included, never their values (admin scope).',
        tags,
        response: { 200: ok(TokenList) },
      },
      config: admin,
    },
    async () => auth.admin.listTokens(),
  );

  app.post(
    '/auth/tokens',
    {
      schema: {
        operationId: 'POST_auth-tokens',
        summary: 'Issue API Token',
        description: 'Issues an API token; the answer holds its value, shown this once (admin scope).',
        tags,
        body: NewToken,
        response: { 201: ok(IssuedToken, 'The token has been issued.'), ...errors({ 400: BAD_REQUEST }) },
      },
      config: admin,
    },
    async (request, reply) => {
      const { name, scopes, principal, expires_in } = request.body;
      const created = await auth.admin.createToken({
        name,
        scopes,
        principal,
        expiresInSeconds: expires_in,
        createdBy: actorOf(request),
      });
      return reply.code(201).send({ token: created.token, ...created.info });
    },
  );

  app.delete(
    '/auth/tokens/:id',
    {
      schema: {
        operationId: 'DELETE_auth-tokens-id',
        summary: 'Revoke API Token',
        description: 'Revokes an API token, by id or name (admin scope).',
        tags,
        params: TokenParams,
        response: {
          204: noContent('The token has been revoked.'),
          ...errors({
            400: 'Bad request. Invalid token id or name.',
            404: 'No active token has this id or name.',
          }),
        },
      },
      config: admin,
    },
    async (request, reply) => {
      await auth.admin.revokeToken(request.params.id);
      return reply.code(204).send();
    },
  );
}
