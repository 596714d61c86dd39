import { CUE_ENTITIES, decodeReferences, readReference } from './timedtext.entities.ts';
import { tidyText } from './timedtext.sink.ts';

export interface PlainCue {
  readonly text: string;
  readonly speaker?: string;
}

/**
 * A WebVTT cue payload as plain text, tokenized as the W3C cue text parsing rules do: a tag runs
 * from '<' to the next '>' (or the end of the payload) and is dropped whatever it is (class, i, b,
 * u, ruby, rt, lang, v, an end tag, an inline timestamp); character references are decoded. The
 * speaker is the annotation of the first voice span.
 */
export function plainCueText(payload: string): PlainCue {
  let out = '';
  let speaker: string | undefined;
  let from = 0;
  let i = 0;
  while (i < payload.length) {
    const c = payload.charCodeAt(i);
    if (c === 0x26 /* & */) {
      const ref = readReference(payload, i, CUE_ENTITIES);
      out += payload.slice(from, i) + ref.value;
      i += ref.length;
      from = i;
    } else if (c === 0x3c /* < */) {
      out += payload.slice(from, i);
      const close = payload.indexOf('>', i + 1);
      const tag = payload.slice(i + 1, close === -1 ? payload.length : close);
      i = close === -1 ? payload.length : close + 1;
      from = i;
      speaker ??= voiceOf(tag);
    } else {
      i++;
    }
  }
  const text = tidyText(out + payload.slice(from));
  return speaker === undefined ? { text } : { text, speaker };
}

const WS = /[ \t\n\f\r]/;

/** The annotation of a `v` start tag (`v Name`, `v.loud.x Name`), whitespace collapsed. */
function voiceOf(tag: string): string | undefined {
  if (tag.charCodeAt(0) !== 0x76 /* v */ || (tag.length > 1 && !/^[.\t\n\f\r ]$/.test(tag.charAt(1)))) {
    return undefined;
  }
  const gap = tag.search(WS);
  if (gap === -1) return undefined;
  const name = decodeReferences(tag.slice(gap + 1), CUE_ENTITIES)
    .split(/[ \t\n\f\r]+/)
    .filter((word) => word !== '')
    .join(' ');
  return name === '' ? undefined : name;
}
