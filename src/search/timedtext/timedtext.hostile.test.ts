import { describe, expect, it } from 'vitest';
import {
  SRT_DRAMA,
  SRT_LECTURE,
  TTML_IMSC,
  TTML_TICKS,
  VTT_AUTO_CAPTIONS,
  VTT_DOCUMENTARY,
} from '../../../test/support/search/timedtext/timedtext.samples.testkit.ts';
import { encode, failure, Prng } from '../../../test/support/search/timedtext/timedtext.testkit.ts';
import { INT64_MAX, INT64_MIN } from '../../time/index.ts';
import { parseSrt } from './srt.parse.ts';
import { parseTimedText } from './timedtext.parse.ts';
import { TIMED_TEXT_LIMITS, type TimedText, TimedTextError } from './timedtext.types.ts';
import { parseTtml } from './ttml.parse.ts';
import { parseWebVtt } from './webvtt.parse.ts';

const TT_OPEN = '<tt xmlns="http://www.w3.org/ns/ttml"><body>';
const TT_CLOSE = '</body></tt>';

/** Runs `parse`; anything thrown but a TimedTextError fails the test, a result must be sane. */
function survives(parse: () => TimedText): 'parsed' | 'refused' {
  let result: TimedText;
  try {
    result = parse();
  } catch (error) {
    if (error instanceof TimedTextError) return 'refused';
    throw error;
  }
  expect(result.cues.length).toBeLessThanOrEqual(TIMED_TEXT_LIMITS.maxCues);
  expect(result.skipped).toBeGreaterThanOrEqual(0);
  for (const cue of result.cues) {
    if (
      !(cue.end > cue.start && cue.start >= INT64_MIN && cue.end <= INT64_MAX && typeof cue.text === 'string')
    ) {
      throw new Error(`insane cue ${JSON.stringify(cue, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    }
  }
  return 'parsed';
}

describe('size cap', () => {
  const size = 17 * 1024 * 1024;

  it('refuses 17 MiB of bytes before decoding them', () => {
    const error = failure(() => parseTimedText(new Uint8Array(size), { contentType: 'text/vtt' }));
    expect(error.where).toBe(`byte ${TIMED_TEXT_LIMITS.maxBytes}`);
    expect(error.message).toMatch(/larger than 16777216 bytes/);
  });

  it.each([
    ['webvtt', parseWebVtt, `WEBVTT\n\n${'x'.repeat(size)}`],
    ['srt', parseSrt, 'x'.repeat(size)],
    ['ttml', parseTtml, `${TT_OPEN}${' '.repeat(size)}${TT_CLOSE}`],
  ] as const)('%s refuses a 17 MiB text', (format, parse, text) => {
    const error = failure(() => parse(text));
    expect(error.format).toBe(format);
    expect(error.message).toMatch(/larger than/);
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 6 Mi characters, 18 MiB of UTF-8.
    const text = `WEBVTT\n\n00:00.000 --> 00:01.000\n${'€'.repeat(6 * 1024 * 1024)}`;
    expect(failure(() => parseWebVtt(text)).message).toMatch(/larger than/);
  });

  it('accepts a file just under the cap', () => {
    const cue = '00:00.000 --> 00:01.000\n';
    const text = `WEBVTT\n\n${cue}${'x'.repeat(TIMED_TEXT_LIMITS.maxBytes - 8 - cue.length)}`;
    expect(encode(text).length).toBe(TIMED_TEXT_LIMITS.maxBytes);
    expect(parseTimedText(encode(text)).cues).toHaveLength(1);
  });
});

describe('cue cap', () => {
  const cap = TIMED_TEXT_LIMITS.maxCues;

  it('refuses 300,000 tiny WebVTT cues at the cap, naming the line', () => {
    const text = `WEBVTT\n\n${'00:00.000 --> 00:01.000\nx\n\n'.repeat(300_000)}`;
    const error = failure(() => parseTimedText(encode(text)));
    expect(error.format).toBe('webvtt');
    expect(error.message).toMatch(/more than 200000 cues/);
    expect(error.where).toBe(`line ${3 + cap * 3}`);
  });

  it('refuses 300,000 tiny SRT cues at the cap, naming the line', () => {
    const text = '00:00:00,000 --> 00:00:01,000\nx\n\n'.repeat(300_000);
    const error = failure(() => parseTimedText(encode(text), { contentType: 'application/x-subrip' }));
    expect(error.format).toBe('srt');
    expect(error.where).toBe(`line ${1 + cap * 3}`);
  });

  it('accepts exactly the cap', () => {
    const text = '00:00:00,000 --> 00:00:01,000\nx\n\n'.repeat(cap);
    expect(parseSrt(text).cues).toHaveLength(cap);
  });

  it('refuses 300,000 tiny TTML p at the element bound, before building them', () => {
    const text = `${TT_OPEN}${'<p begin="0s" end="1s">x</p>'.repeat(300_000)}${TT_CLOSE}`;
    const error = failure(() => parseTimedText(encode(text)));
    expect(error.format).toBe('ttml');
    expect(error.message).toMatch(/more than 200000 elements/);
  });

  it('refuses a TTML document whose split p make more cues than the cap', () => {
    // Each p has 20 nested spans, each inside its parent's interval: some 40 pieces of different text.
    const nested = (depth: number): string =>
      depth === 20 ? '' : `<span begin="1s" end="${40 - 2 * depth}s">w${depth} ${nested(depth + 1)}</span>`;
    const p = `<p begin="0s" end="80s">${nested(0)}</p>`;
    const perP = parseTtml(`${TT_OPEN}${p}${TT_CLOSE}`).cues.length;
    expect(perP).toBeGreaterThan(30);
    // 21 elements a p: well under the element bound.
    const error = failure(() => parseTtml(`${TT_OPEN}${p.repeat(Math.ceil(300_000 / perP))}${TT_CLOSE}`));
    expect(error.message).toMatch(/more than 200000 cues/);
    expect(error.where).toMatch(/^byte \d+$/);
  });
});

describe('hostile XML', () => {
  it('refuses 100,000 nested spans at the nesting bound', () => {
    const text = `${TT_OPEN}<p begin="0s" end="1s">${'<span>'.repeat(100_000)}x${'</span>'.repeat(100_000)}</p>${TT_CLOSE}`;
    const error = failure(() => parseTimedText(encode(text)));
    expect(error.message).toMatch(/nested deeper than 100/);
    // The 101st level: tt, body, p and 98 spans.
    expect(error.where).toBe(
      `byte ${TT_OPEN.length + '<p begin="0s" end="1s">'.length + 97 * '<span>'.length}`,
    );
  });

  it('parses nesting within the bound', () => {
    const text = `${TT_OPEN}<p begin="0s" end="1s">${'<span>'.repeat(90)}deep${'</span>'.repeat(90)}</p>${TT_CLOSE}`;
    expect(parseTtml(text).cues[0]?.text).toBe('deep');
  });

  it('does not expand a billion-laughs DOCTYPE', () => {
    const entities = ['<!ENTITY lol0 "lol">'];
    for (let n = 1; n <= 9; n++) entities.push(`<!ENTITY lol${n} "${`&lol${n - 1};`.repeat(10)}">`);
    const text = `<?xml version="1.0"?>\n<!DOCTYPE tt [\n${entities.join('\n')}\n]>\n${TT_OPEN}<p begin="0s" end="1s">&lol9;&lol0;</p>${TT_CLOSE}`;
    const result = parseTimedText(encode(text));
    expect(result.cues).toEqual([{ start: 0n, end: 1_000_000_000n, text: '&lol9;&lol0;' }]);
  });

  it('does not read external entities', () => {
    const text = `<?xml version="1.0"?>\n<!DOCTYPE tt [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n${TT_OPEN}<p begin="0s" end="1s">&secret;</p>${TT_CLOSE}`;
    const outcome = survives(() => parseTimedText(encode(text)));
    if (outcome === 'refused') {
      expect(failure(() => parseTtml(text)).where).toBe(`byte ${text.indexOf('<!DOCTYPE')}`);
    } else {
      expect(parseTtml(text).cues[0]?.text).toBe('&secret;');
    }
  });

  it('refuses prototype-polluting names as malformed, not with a crash', () => {
    const text = `${TT_OPEN}<p begin="0s" end="1s" __proto__="x">a</p>${TT_CLOSE}`;
    expect(survives(() => parseTtml(text))).toBe('refused');
  });
});

describe('pathological text stays parseable', () => {
  it.each([
    [
      'unclosed SRT tags and ASS blocks',
      () => parseSrt(`1\n00:00:00,000 --> 00:00:01,000\n${'<font {\\'.repeat(400_000)}`),
    ],
    [
      'WebVTT tags and references',
      () => parseWebVtt(`WEBVTT\n\n00:00.000 --> 00:01.000\n${'&#99999<'.repeat(400_000)}`),
    ],
    ['WebVTT arrow lines', () => parseWebVtt(`WEBVTT\n\n${'-->\n'.repeat(1_000_000)}`)],
    ['SRT index and arrow lines', () => parseSrt('1\n-->\n'.repeat(1_000_000))],
    ['SRT digit lines', () => parseSrt('1\n'.repeat(3_000_000))],
    [
      'a WebVTT line of spaces',
      () => parseWebVtt(`WEBVTT\n\n00:00.000 --> 00:01.000${' '.repeat(5_000_000)}`),
    ],
    [
      'XML tag full of spaces',
      () => parseTtml(`<tt xmlns="http://www.w3.org/ns/ttml"${' '.repeat(5_000_000)}/>`),
    ],
    ['XML with unclosed quotes', () => parseTtml(`<tt a="${'<'.repeat(1_000_000)}`)],
    ['XML of open brackets', () => parseTtml(`<tt>${'<'.repeat(1_000_000)}`)],
    [
      'a p with a thousand timed spans',
      () =>
        parseTtml(
          `${TT_OPEN}<p begin="0s" end="2000s">${Array.from({ length: 1000 }, (_, n) => `<span begin="${n}s" end="${n + 2}s">w${n}</span>`).join(' ')}</p>${TT_CLOSE}`,
        ),
    ],
  ])('%s', (_, parse) => {
    expect(['parsed', 'refused']).toContain(survives(parse));
  });
});

describe('random input', () => {
  const HINTS = [
    undefined,
    { contentType: 'text/vtt' },
    { contentType: 'application/x-subrip' },
    { contentType: 'application/ttml+xml' },
    { contentType: 'application/xml' },
    { codec: 'text/vtt', contentType: 'text/plain; charset=iso-8859-1' },
  ];

  it('throws nothing but TimedTextError for 3,000 random byte strings', () => {
    const prng = new Prng(0x7a115);
    const outcomes = { parsed: 0, refused: 0 };
    for (let n = 0; n < 3000; n++) {
      const bytes = prng.bytes(prng.below(n < 100 ? 8 : 2000));
      outcomes[survives(() => parseTimedText(bytes, prng.pick(HINTS)))]++;
    }
    expect(outcomes.parsed + outcomes.refused).toBe(3000);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  // Random strings over the formats' own tokens reach much deeper than random bytes.
  const TOKENS = [
    'WEBVTT',
    '\n',
    '\r\n',
    '\r',
    '\n\n',
    ' ',
    '\t',
    '-->',
    ' --> ',
    '00:',
    '01:',
    '59:',
    '60:',
    '99:',
    '1',
    '12',
    '.000',
    '.5',
    ',000',
    ',5',
    ':',
    '.',
    'NOTE',
    'STYLE',
    'REGION',
    'X-TIMESTAMP-MAP=',
    'MPEGTS:900000',
    'LOCAL:',
    ',',
    '<',
    '>',
    '</',
    '/>',
    '<v ',
    '<v.a ',
    '<c.x>',
    '<i>',
    '</i>',
    '<font color="x">',
    '{\\an8}',
    '{',
    '}',
    '&',
    ';',
    '&amp;',
    '&#',
    '&#x',
    'x',
    'é',
    '\0',
    '\ufeff',
    '"',
    "'",
    '=',
    'tt',
    'p',
    'span',
    'br',
    'div',
    'body',
    '<tt xmlns="http://www.w3.org/ns/ttml">',
    '</tt>',
    '<body>',
    '</body>',
    '<p begin="1s" end="2s">',
    '</p>',
    '<span begin="',
    '" end="',
    '" dur="',
    '<br/>',
    'xml:space="preserve"',
    'timeContainer="seq"',
    '0.5s',
    '10f',
    '3t',
    '1ms',
    'ttp:frameRate="',
    'xmlns:ttp="http://www.w3.org/ns/ttml#parameter"',
    'ttm:agent="a"',
    '<!--',
    '-->',
    '<![CDATA[',
    ']]>',
    '<!DOCTYPE tt [<!ENTITY e "v">]>',
    '<?xml version="1.0"?>',
    '&e;',
    'xmlns:q="u"',
  ];

  it.each([
    ['parseWebVtt', parseWebVtt, 'WEBVTT\n\n'],
    ['parseSrt', parseSrt, ''],
  ] as const)('%s throws nothing but TimedTextError for 2,000 token soups', (_, parse, prefix) => {
    const prng = new Prng(prefix.length + 17);
    let parsed = 0;
    for (let n = 0; n < 2000; n++) {
      const parts = Array.from({ length: prng.below(120) }, () => prng.pick(TOKENS));
      if (survives(() => parse(prng.below(2) === 0 ? prefix + parts.join('') : parts.join(''))) === 'parsed')
        parsed++;
    }
    expect(parsed).toBeGreaterThan(0);
  });

  // Token soup is never well-formed XML: random trees of TTML content with random timing reach
  // the timing and text code instead.
  const ATTRS: Record<string, readonly string[]> = {
    begin: ['0s', '1s', '2.5s', '00:00:01:10', '15t', '3f', '00:00:02.25', 'bad', '-1s', '1h'],
    end: ['1s', '3s', '40f', '00:00:05', '0.5s', '100t', '2ms', '00:00:00:99'],
    dur: ['2s', '100ms', '1f', '0s', '1.5m'],
    timeContainer: ['par', 'seq', 'seq', 'excl'],
    'xml:space': ['preserve', 'default', 'other'],
    'ttm:agent': ['a', 'b', 'a b', 'ghost', ''],
    'xml:id': ['i1', 'i2'],
  };
  const TEXT = [
    'word',
    ' ',
    '\n  ',
    'a &amp; b',
    '&#233;',
    '&lt;',
    'é',
    '&lol;',
    '<![CDATA[<x>]]>',
    '<!-- c -->',
  ];

  function randomElement(prng: Prng, depth: number): string {
    const name =
      depth === 0 ? 'div' : prng.pick(depth > 3 ? ['span', 'br'] : ['div', 'p', 'span', 'p', 'br']);
    if (name === 'br') return '<br/>';
    const attrs = Object.entries(ATTRS)
      .filter(() => prng.below(3) === 0)
      .map(([key, values]) => ` ${key}="${prng.pick(values)}"`)
      .join('');
    const children = Array.from({ length: prng.below(5) }, () =>
      prng.below(2) === 0 && depth < 6 ? randomElement(prng, depth + 1) : prng.pick(TEXT),
    );
    return `<${name}${attrs}>${children.join('')}</${name}>`;
  }

  it('parseTtml throws nothing but TimedTextError for 2,000 random TTML trees', () => {
    const prng = new Prng(0x77);
    const head =
      '<head><metadata><ttm:agent xml:id="a"><ttm:name>Ann</ttm:name></ttm:agent></metadata></head>';
    const outcomes = { parsed: 0, refused: 0 };
    for (let n = 0; n < 2000; n++) {
      const params = prng.pick([
        '',
        ' ttp:frameRate="25"',
        ' ttp:tickRate="10"',
        ' ttp:frameRate="30" ttp:frameRateMultiplier="1000 1001"',
      ]);
      const body = Array.from({ length: 1 + prng.below(4) }, () => randomElement(prng, 0)).join('');
      const text = `<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"${params}>${head}<body>${body}</body></tt>`;
      outcomes[survives(() => parseTtml(text))]++;
    }
    expect(outcomes.parsed).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
  });

  it.each([
    ['WebVTT', VTT_DOCUMENTARY],
    ['WebVTT captions', VTT_AUTO_CAPTIONS],
    ['SRT', SRT_DRAMA],
    ['SRT lecture', SRT_LECTURE],
    ['IMSC', TTML_IMSC],
    ['DFXP', TTML_TICKS],
  ])('throws nothing but TimedTextError for 500 mutations of the %s sample', (_, sample) => {
    const prng = new Prng(sample.length);
    for (let n = 0; n < 500; n++) {
      let text = sample;
      for (let k = 1 + prng.below(4); k > 0; k--) {
        const at = prng.below(text.length);
        const len = prng.below(12);
        const insert = prng.below(3) === 0 ? '' : prng.pick(TOKENS);
        text = text.slice(0, at) + insert + text.slice(at + len);
      }
      survives(() => parseTimedText(encode(text)));
    }
  });
});
