import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import type { ApiVersion } from '../http/api.version.ts';
import { propertyRoutes } from '../http/property.routes.ts';
import type { App } from '../http/types.ts';
import { collectionDocument, collectionItemsFrom } from './flows.mapper.ts';
import { FlowParams } from './flows.routes.ts';
import { FlowCollection } from './flows.schemas.ts';
import type { EditableFlow, FlowsService } from './flows.service.ts';
import { flowTagRoutes } from './flows.tags.routes.ts';

const FORBIDDEN = 'Forbidden. You do not have permission to modify this flow. It may be marked read-only.';
const MISSING = 'The requested flow does not exist.';
const INVALID_ID = 'The requested flow ID in the path is invalid.';

const BitRate = Type.Integer({ minimum: 0 });

/** The per-property endpoints of a Flow (ADR 0025). */
export async function flowPropertyRoutes(
  app: App,
  flows: FlowsService,
  /** The API version of the mount: tag values differ (flows.tags.routes.ts). */
  version: ApiVersion = '7.0',
): Promise<void> {
  const id = (p: Record<string, string>) => p.flowId as string;
  const set = (patch: (flow: EditableFlow, value: unknown) => void) => {
    return (p: Record<string, string>, value: unknown, actor: string | undefined) =>
      flows.update(id(p), actor, (flow) => patch(flow, value));
  };
  const unset = (key: 'description' | 'label' | 'max_bit_rate' | 'avg_bit_rate' | 'flow_collection') => {
    return (p: Record<string, string>, actor: string | undefined) =>
      flows.update(id(p), actor, (flow) => {
        flow[key] = undefined;
      });
  };

  flowTagRoutes(app, flows, version);

  propertyRoutes(app, {
    url: '/flows/:flowId/description',
    operation: 'flows-flowId-description',
    tag: 'Flows',
    params: FlowParams,
    value: Type.String(),
    get: {
      summary: 'Flow Description',
      description: 'Returns the flow description property.',
      responses: { 200: '', 404: MISSING },
      handler: (p) => flows.getProperty(id(p), 'description'),
    },
    put: {
      summary: 'Create or Update Flow Description',
      description: `Create or update the description property. ${CELL_NOTE}`,
      responses: {
        204: 'No content. The description has been created or updated.',
        400: 'Bad request. Invalid flow description.',
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
        204: 'No content. The flow description property has been deleted.',
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
      description: 'Returns the Flow label property.',
      responses: { 200: '', 404: 'The requested Flow does not exist, or does not have a label set.' },
      handler: (p) => flows.getProperty(id(p), 'label'),
    },
    put: {
      summary: 'Create or Update Flow Label',
      description: `Create or update the label property. ${CELL_NOTE}`,
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
      // The spec lists no 403 here, but a read-only Flow's metadata must not change (ADR 0005);
      // every other metadata write answers 403, and so does this one.
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
      description: 'Returns the flow read_only property.',
      responses: { 200: '', 404: MISSING },
      handler: async (p) => (await flows.getFlow(id(p))).read_only ?? false,
    },
    put: {
      summary: 'Set Flow Read-Only',
      description: 'Set the read-only property.',
      responses: {
        204: 'No content. The read_only property has been set to the given value.',
        400: 'Bad request. Invalid flow read_only value. Value must be boolean.',
        404: MISSING,
      },
      // Never 403: clearing the flag must always be possible.
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
    value: FlowCollection,
    get: {
      summary: 'Flow Collection',
      description: 'Returns the flow collection property.',
      responses: { 200: '', 404: MISSING },
      handler: async (p) => collectionDocument((await flows.getFlow(id(p))).flow_collection ?? []),
    },
    put: {
      summary: 'Create or Update Flow Collection',
      description: `Create or update the flow collection property. ${CELL_NOTE}`,
      responses: {
        204: 'No content. The flow collection has been created or updated.',
        400: 'Bad request. Invalid flow collection.',
        403: FORBIDDEN,
        404: MISSING,
      },
      handler: set((flow, value) => {
        flow.flow_collection = collectionItemsFrom(value);
      }),
    },
    delete: {
      summary: 'Delete Flow Collection',
      description: 'Delete the flow collection property.',
      responses: {
        204: 'No content. The flow collection property has been deleted.',
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
    propertyRoutes(app, {
      url: `/flows/:flowId/${key}`,
      operation: `flows-flowId-${short}-bit-rate`,
      tag: 'Flows',
      params: FlowParams,
      value: BitRate,
      get: {
        summary: `Flow ${name} Bit Rate`,
        description: `Returns the flow ${long} bit rate property.`,
        responses: { 200: '', 404: MISSING },
        handler: (p) => flows.getProperty(id(p), key),
      },
      put: {
        summary: `Create or Update Flow ${name} Bit Rate`,
        description: `Create or update the ${long} bit rate property.`,
        responses: {
          204: `No content. The ${long} bit rate has been created or updated.`,
          400: `Bad request. Invalid flow ${short} bit rate.`,
          403: FORBIDDEN,
          404: MISSING,
        },
        handler: set((flow, value) => {
          flow[key] = value as number;
        }),
      },
      delete: {
        summary: `Delete Flow ${name} Bit Rate`,
        description: `Delete the flow ${long} bit rate property.`,
        responses: {
          204: `No content. The flow ${long} bit rate property has been deleted.`,
          403: FORBIDDEN,
          404: INVALID_ID,
        },
        handler: unset(key),
      },
    });
  }
}
