import { Type } from 'typebox';

/** The operations routes' answers (ops.routes.ts), for the OpenAPI document. */

export const Health = Type.Object({ status: Type.Literal('ok') }, { title: 'Health' });

export const Ready = Type.Object(
  {
    status: Type.Literal('ready'),
    checks: Type.Unsafe<Record<string, 'ok'>>({
      type: 'object',
      description:
        'Each check passed, by name: `store`, and one per media backend (`media backend "<label>"`).',
      additionalProperties: { type: 'string', enum: ['ok'] },
    }),
  },
  { title: 'Ready' },
);

export const Metrics = Type.String({
  description: 'Prometheus text exposition format (version 0.0.4).',
});
