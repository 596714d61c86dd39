import { Type } from 'typebox';
import { actorOf } from '../http/principal.ts';
import type { App } from '../http/types.ts';
import { MAX_TOKEN_SECONDS, MIN_PASSWORD_LENGTH } from './auth.admin.ts';
import type { AuthRouteConfig } from './auth.hook.ts';
import { SCOPES } from './auth.model.ts';
import type { AuthModule } from './auth.module.ts';

const ScopeList = Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { minItems: 1 });
const Name = Type.String({ minLength: 1, maxLength: 64 });
const admin: AuthRouteConfig = { tamsAuth: 'admin' };

/**
 * Users and tokens over HTTP, for the admin scope: the way to manage them while the server runs
 * (the embedded DuckDB file is the server's alone, so tams-mgmt needs it stopped). A
 * tams-server extension, left out of the OpenAPI document, which is the TAMS API's.
 */
export async function authRoutes(app: App, auth: AuthModule): Promise<void> {
  const hidden = { hide: true };

  app.get(
    '/auth/whoami',
    { schema: hidden, config: { tamsAuth: 'authenticated' } satisfies AuthRouteConfig },
    async (request) => {
      const p = request.principal;
      return p
        ? { name: p.name, scopes: [...p.scopes], scheme: p.scheme }
        : { name: null, scopes: SCOPES, scheme: 'none' };
    },
  );

  app.get('/auth/users', { schema: hidden, config: admin }, async () => auth.admin.listUsers());

  app.post(
    '/auth/users',
    {
      schema: {
        ...hidden,
        body: Type.Object({
          name: Name,
          password: Type.String({ minLength: MIN_PASSWORD_LENGTH }),
          scopes: ScopeList,
        }),
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
        ...hidden,
        params: Type.Object({ name: Name }),
        body: Type.Object({ password: Type.String({ minLength: MIN_PASSWORD_LENGTH }) }),
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
    { schema: { ...hidden, params: Type.Object({ name: Name }) }, config: admin },
    async (request, reply) => {
      await auth.admin.removeUser(request.params.name);
      return reply.code(204).send();
    },
  );

  app.get('/auth/tokens', { schema: hidden, config: admin }, async () => auth.admin.listTokens());

  app.post(
    '/auth/tokens',
    {
      schema: {
        ...hidden,
        body: Type.Object({
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
        }),
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
    { schema: { ...hidden, params: Type.Object({ id: Name }) }, config: admin },
    async (request, reply) => {
      await auth.admin.revokeToken(request.params.id);
      return reply.code(204).send();
    },
  );
}
