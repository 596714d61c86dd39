import { attributeValue } from './exr.lookup.ts';
import type {
  ExrAttribute,
  ExrBox2,
  ExrChunks,
  ExrKnownType,
  ExrPartSummary,
  ExrPartType,
} from './exr.types.ts';

const span = (min: number, max: number) => max - min + 1;

function windowSize(box: ExrBox2 | undefined, prefix: '' | 'display') {
  if (box === undefined) return {};
  const w = span(box.xMin, box.xMax);
  const h = span(box.yMin, box.yMax);
  return prefix === '' ? { width: w, height: h } : { displayWidth: w, displayHeight: h };
}

/** Leaves out what the part does not have, so a summary stored as JSON has no nulls to explain. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function summarize(
  part: { attributes: readonly ExrAttribute[] },
  type: ExrPartType | 'unknown',
  chunks: ExrChunks,
): ExrPartSummary {
  const get = <T extends ExrKnownType>(name: string, t: T) => attributeValue(part, name, t);
  const dataWindow = get('dataWindow', 'box2i');
  const displayWindow = get('displayWindow', 'box2i');
  return defined({
    name: get('name', 'string'),
    type,
    typeAttribute: get('type', 'string'),
    deep: type === 'deepscanline' || type === 'deeptile',
    tiled: type === 'tiledimage' || type === 'deeptile',
    dataWindow,
    displayWindow,
    ...windowSize(dataWindow, ''),
    ...windowSize(displayWindow, 'display'),
    compression: get('compression', 'compression'),
    lineOrder: get('lineOrder', 'lineOrder'),
    pixelAspectRatio: get('pixelAspectRatio', 'float'),
    channels: get('channels', 'chlist') ?? [],
    tiles: get('tiles', 'tiledesc'),
    view: get('view', 'string'),
    multiView: get('multiView', 'stringvector'),
    chunkCount: chunks.count,
    declaredChunkCount: chunks.declared,
    computedChunkCount: chunks.computed,
  });
}
