import { analyticsFeature } from './analytics/analytics.feature.ts';
import type { Config } from './config.ts';
import { exrFeature } from './exr/exr.feature.ts';
import type { Feature, FeatureRuntime } from './feature/feature.types.ts';
import { recorderFeature } from './recorder/recorder.feature.ts';
import { replicationFeature } from './replication/replication.feature.ts';
import { searchFeature } from './search/search.feature.ts';

/** A wing as the composition root builds it: with the whole configuration, of which it reads its part. */
export type ServerFeature = Feature<FeatureRuntime, Config>;

/**
 * The wings beyond the TAMS spec, the one place that names them: the composition root builds
 * those the configuration switches on, in this order (their routes, OpenAPI components and
 * metrics come in it). A new wing implements Feature in its folder and joins this list.
 */
export const FEATURES: readonly ServerFeature[] = [
  searchFeature,
  exrFeature,
  analyticsFeature,
  recorderFeature,
  replicationFeature,
];
