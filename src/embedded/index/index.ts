export { FlowSegmentIndex, type SegmentPage } from './segment-index.flow.ts';
export { PlainPage } from './segment-index.plain.ts';
export { SegmentIndex, type SegmentIndexStats } from './segment-index.registry.ts';
export { NO_STORAGE, StorageIds } from './segment-index.storage-ids.ts';
