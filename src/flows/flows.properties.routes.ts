import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import type { ApiVersion } from '../http/api.version.ts';
import { Uuid } from '../http/common.schemas.ts';
import { propertyRoutes } from '../http/property.routes.ts';
import { tagRoutes } from '../http/tags.routes.ts';
import type { App } from '../http/types.ts';
import { flowForbidden } from './flows.api.ts';
import { collectionDocument, collectionItemsFrom } from './flows.mapper.ts';
import { FlowParams } from './flows.routes.ts';
import { FlowCollection } from './flows.schemas.ts';
import type { EditableFlow, FlowsService } from './flows.service.ts';
import { FlowCollection82 } from './flows.v8.schemas.ts';

const BitRate = Type.Integer({ minimum: 0 });

const BIT_RATE_NOTE = (long: string) =>
  `\n\nThe ${long === 'max' ? 'maximum' : long} bit rate of the Flow Segments in 1000 bits/second. A precise definition can be found in the [Setting Flow Bit Rate Properties](https://github.com/bbc/tams/blob/main/docs/appnotes/0013-setting-flow-bit-rate-properties.md) AppNote.`;
const PROFILE_NOTE =
  '\n\nA Flow made from a Profile inherits its average bit rate: while the Flow is linked to the Profile (`profile_id`), a change is refused with 400; unlink it first with `profile_id: ""` in a PUT of the Flow.';
const READ_ONLY_NOTE =
  " If set to 'true', service implementations SHOULD reject client requests to update Flow metadata (other than the read_only property), and Flow Segments, requests to the `/flows/{flowId}/storage` endpoint for the Flow, and requests to delete the Flow.";

/** What 8.2's text adds to 7.0's, by property (none in 7.0). */
const ABOUT_8_2 = {
  description:
    ' This should be a human-readable description that may be showed in detailed views of Flows. The description should be longer and more detailed than `label`.',
  label: ' This should be a very short, human-readable label that may be displayed in listings of Flows.',
  collection: ' An ordered list of Flows that are collected together by this Flow.',
};

/**
 * The per-property endpoints of a Flow (ADR 0025) as `version` has them: the same operations,
 * with 8.2's words, its collection items (`role` optional) and 8.1's label rule (`""` when unset,
 * where 7.0 answers 404).
 */
export async function flowPropertyRoutes(app: App, flows: FlowsService, version: ApiVersion): Promise<void> {
  const v82 = version === '8.2';
  const flow = v82 ? 'Flow' : 'flow';
  const about = (key: keyof typeof ABOUT_8_2) => (v82 ? ABOUT_8_2[key] : '');
  const FORBIDDEN = flowForbidden(flow);
  const MISSING = `The requested ${flow} does not exist.`;
  const INVALID_ID = `The requested ${flow} ID in the path is invalid.`;
  const id = (p: Record<string, string>) => p.flowId as string;
  const set = (patch: (flow: EditableFlow, value: unknown) => void) => {
    return (p: Record<string, string>, value: unknown, actor: string | undefined) =>
      flows.update(id(p), actor, (flow) => patch(flow, value), { version });
  };
  const unset = (key: 'description' | 'label' | 'max_bit_rate' | 'avg_bit_rate' | 'flow_collection') => {
    return (p: Record<string, string>, actor: string | undefined) =>
      flows.update(
        id(p),
        actor,
        (flow) => {
          flow[key] = undefined;
        },
        { version },
      );
  };

  tagRoutes(
    app,
    {
      resource: 'flows',
      param: 'flowId',
      id: Uuid,
      kind: 'Flow',
      service: flows,
      words: {
        noun: flow,
        put: 'Create or update the tag.',
        delete: 'Delete the tag.',
        forbidden: FORBIDDEN,
        put404: MISSING,
        delete404: INVALID_ID,
      },
    },
    version,
  );

  propertyRoutes(app, {
    url: '/flows/:flowId/description',
    operation: 'flows-flowId-description',
    tag: 'Flows',
    params: FlowParams,
    value: Type.String(),
    get: {
      summary: 'Flow Description',
      description: `Returns the ${flow} description property.${about('description')}`,
      responses: { 200: '', 404: MISSING },
      handler: (p) => flows.getProperty(id(p), 'description'),
    },
    put: {
      summary: 'Create or Update Flow Description',
      description: `Create or update the description property.${about('description')} ${CELL_NOTE}`,
      responses: {
        204: 'No content. The description has been created or updated.',
        400: `Bad request. Invalid ${flow} description.`,
        403: FORBIDDEN,
        404: MISSING,
      },
      handler: set((flow, value) => {
        flow.description = value as string;
      }),
    },
    delete: {
      summary: 'Delete Flow Description',
      description: 'Delete the description property.',
      responses: {
        204: `No content. The ${flow} description property has been deleted.`,
        403: FORBIDDEN,
        404: INVALID_ID,
      },
      handler: unset('description'),
    },
  });

  propertyRoutes(app, {
    url: '/flows/:flowId/label',
    operation: 'flows-flowId-label',
    tag: 'Flows',
    params: FlowParams,
    value: Type.String(),
    get: {
      summary: 'Flow Label',
      description: `Returns the Flow label property.${about('label')}`,
      responses: {
        200: '',
        404: v82
          ? 'The requested Flow does not exist.'
          : 'The requested Flow does not exist, or does not have a label set.',
      },
      // 8.1 took "or does not have a label set" out of the 404: an unset label is "" (L7).
      handler: async (p) =>
        v82 ? ((await flows.getFlow(id(p))).label ?? '') : flows.getProperty(id(p), 'label'),
    },
    put: {
      summary: 'Create or Update Flow Label',
      description: `Create or update the label property.${about('label')} ${CELL_NOTE}`,
      responses: {
        204: 'No content. The label has been created or updated.',
        400: 'Bad request. Invalid Flow label.',
        403: FORBIDDEN,
        404: 'The requested Flow does not exist.',
      },
      handler: set((flow, value) => {
        flow.label = value as string;
      }),
    },
    delete: {
      summary: 'Delete Flow Label',
      description: 'Delete the label property.',
      // 7.0 lists no 403 here, but a read-only Flow's metadata must not change (ADR 0005); every
      // other metadata write answers 403, and so does this one (8.2 lists it).
      responses: {
        204: 'No content. The Flow label property has been deleted.',
        403: FORBIDDEN,
        404: 'The requested Flow ID in the path is invalid.',
      },
      handler: unset('label'),
    },
  });

  propertyRoutes(app, {
    url: '/flows/:flowId/read_only',
    operation: 'flows-flowId-read-only',
    tag: 'Flows',
    params: FlowParams,
    value: Type.Boolean(),
    get: {
      summary: 'Flow Read-Only',
      description: `Returns the ${flow} read_only property.${v82 ? READ_ONLY_NOTE : ''}`,
      responses: { 200: '', 404: MISSING },
      handler: async (p) => (await flows.getFlow(id(p))).read_only ?? false,
    },
    put: {
      summary: 'Set Flow Read-Only',
      description: `Set the read-only property.${v82 ? READ_ONLY_NOTE : ''}`,
      responses: {
        204: 'No content. The read_only property has been set to the given value.',
        400: `Bad request. Invalid ${flow} read_only value. Value must be boolean.`,
        // Permission (the credential's scopes), never the flag itself: clearing it must be possible.
        ...(v82 ? { 403: 'Forbidden. You do not have permission to modify this Flow.' } : {}),
        404: MISSING,
      },
      handler: (p, value, actor) =>
        flows.update(
          id(p),
          actor,
          (flow) => {
            flow.read_only = value as boolean;
          },
          { allowReadOnly: true },
        ),
    },
  });

  propertyRoutes(app, {
    url: '/flows/:flowId/flow_collection',
    operation: 'flows-flowId-flow-collection',
    tag: 'Flows',
    params: FlowParams,
    value: v82 ? FlowCollection82 : FlowCollection,
    get: {
      summary: 'Flow Collection',
      description: `Returns the ${flow} collection property.${about('collection')}`,
      responses: { 200: '', 404: MISSING },
      handler: async (p) => collectionDocument((await flows.getFlow(id(p))).flow_collection ?? [], version),
    },
    put: {
      summary: 'Create or Update Flow Collection',
      description: `Create or update the ${flow} collection property.${about('collection')} ${CELL_NOTE}`,
      responses: {
        204: `No content. The ${flow} collection has been created or updated.`,
        400: `Bad request. Invalid ${flow} collection.`,
        403: FORBIDDEN,
        404: MISSING,
      },
      handler: set((flow, value) => {
        flow.flow_collection = collectionItemsFrom(value);
      }),
    },
    delete: {
      summary: 'Delete Flow Collection',
      description: `Delete the ${flow} collection property.`,
      responses: {
        204: `No content. The ${flow} collection property has been deleted.`,
        403: FORBIDDEN,
        404: INVALID_ID,
      },
      handler: unset('flow_collection'),
    },
  });

  for (const [key, name, short] of [
    ['max_bit_rate', 'Maximum', 'max'],
    ['avg_bit_rate', 'Average', 'avg'],
  ] as const) {
    const long = name === 'Maximum' ? 'max' : 'average';
    const note = v82 ? BIT_RATE_NOTE(long) : '';
    // AppNote 0020: a Flow made from a Profile inherits its avg_bit_rate (not its max_bit_rate).
    const linked = v82 && key === 'avg_bit_rate' ? PROFILE_NOTE : '';
    propertyRoutes(app, {
      url: `/flows/:flowId/${key}`,
      operation: `flows-flowId-${short}-bit-rate`,
      tag: 'Flows',
      params: FlowParams,
      value: BitRate,
      get: {
        summary: `Flow ${name} Bit Rate`,
        description: `Returns the ${flow} ${long} bit rate property.${note}`,
        responses: { 200: '', 404: MISSING },
        handler: (p) => flows.getProperty(id(p), key),
      },
      put: {
        summary: `Create or Update Flow ${name} Bit Rate`,
        description: `Create or update the ${long} bit rate property.${note}${linked}`,
        responses: {
          204: `No content. The ${long} bit rate has been created or updated.`,
          400: `Bad request. Invalid ${flow} ${short} bit rate.`,
          403: FORBIDDEN,
          404: MISSING,
        },
        handler: set((flow, value) => {
          flow[key] = value as number;
        }),
      },
      delete: {
        summary: `Delete Flow ${name} Bit Rate`,
        description: `Delete the ${flow} ${long} bit rate property.${linked}`,
        responses: {
          204: `No content. The ${flow} ${long} bit rate property has been deleted.`,
          403: FORBIDDEN,
          404: INVALID_ID,
        },
        handler: unset(key),
      },
    });
  }
}
