import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import { isUuid } from '../common/ids.ts';
import { ContentFormat, describe, Uuid } from '../http/common.schemas.ts';
import { MimeType82 } from '../http/common.v8.schemas.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  PagingQuery,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { actorOf } from '../http/principal.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { Profile } from './profiles.schemas.ts';
import type { ProfilesService } from './profiles.service.ts';

export interface ProfilesRoutesDeps {
  profiles: ProfilesService;
  paging: PagingSettings;
  publicUrl: string;
}

const ProfileParams = Type.Object({ profileId: describe(Uuid, 'The Profile identifier.') });

const ListQuery = Type.Object({
  format: Type.Optional(describe(ContentFormat, 'Filter on Profile format.')),
  codec: Type.Optional(describe(MimeType82, 'Filter on Profile codec.')),
  label: Type.Optional(Type.String({ description: 'Filter on Profiles that have the given label.' })),
  ...PagingQuery,
});

/**
 * TAMS 8.2's Flow Profiles (ADR 0047): `GET/HEAD /service/profiles` (filtered, paged),
 * `GET/HEAD /service/profiles/{profileId}` and `POST /service/profiles/{profileId}`, which
 * creates a Profile once: there is no update and no deletion.
 */
export async function profilesRoutes(app: App, deps: ProfilesRoutesDeps): Promise<void> {
  const { profiles } = deps;

  app.get(
    '/service/profiles',
    {
      schema: {
        operationId: 'GET_profiles',
        summary: 'Profile Backend Information',
        description:
          'List of Profiles supported by the store instance for use when creating flows, in the order of their ids.',
        tags: ['Profiles'],
        querystring: ListQuery,
        response: {
          200: { ...ok(Type.Array(Profile)), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = effectiveLimit(q.limit, deps.paging);
      const page = await profiles.list(
        { format: q.format, codec: q.codec, label: q.label },
        decodePageKey(q.page, isUuid),
        limit,
      );
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next);
      return page.items;
    },
  );

  app.get(
    '/service/profiles/:profileId',
    {
      schema: {
        operationId: 'GET_profiles-profileId',
        summary: 'Profile Details',
        description: 'Returns Profile metadata.',
        tags: ['Profiles'],
        params: ProfileParams,
        response: { 200: ok(Profile), ...errors({ 404: 'The requested profile does not exist.' }) },
      },
    },
    async (request) => profiles.get(request.params.profileId),
  );

  app.post(
    '/service/profiles/:profileId',
    {
      schema: {
        operationId: 'POST_profiles-profileId',
        summary: 'Create Profile',
        description: `Create a new Profile to be used when creating flows with the matching metadata. Profiles cannot be updated (a request for an existing Profile is refused with 400: create a new Profile, with a new id, instead) nor deleted. Tags describe the Profile itself; they are not copied to the Flows made from it. \`created\` is set by the store; \`created_by\` is the caller's name unless given. ${CELL_NOTE}`,
        tags: ['Profiles'],
        params: ProfileParams,
        body: Profile,
        response: {
          201: ok(Profile, 'The Profile has been created.'),
          ...errors({
            400: 'Bad request. Invalid Profile JSON or Profile already exists.',
            404: 'The requested Profile ID in the path is invalid.',
          }),
        },
      },
    },
    async (request, reply) => {
      const created = await profiles.create(request.params.profileId, request.body, actorOf(request));
      return reply.code(201).send(created);
    },
  );
}
