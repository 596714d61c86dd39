import { describe, expect, it } from 'vitest';
import { TTML_IMSC, TTML_TICKS } from '../../../test/support/search/timedtext/timedtext.samples.testkit.ts';
import {
  ttmlDoc as doc,
  failure,
  ns,
  TT_NAMESPACES as TT,
} from '../../../test/support/search/timedtext/timedtext.testkit.ts';
import { parseTtml } from './ttml.parse.ts';

const cues = (text: string) => parseTtml(text).cues;
const texts = (text: string) => cues(text).map((c) => c.text);
const spans = (text: string) => cues(text).map((c) => [c.start, c.end, c.text]);

describe('parseTtml: namespaces', () => {
  it('reads elements and parameters by namespace, whatever their prefixes', () => {
    const text = `<x:tt xmlns:x="http://www.w3.org/ns/ttml" xmlns:rate="http://www.w3.org/ns/ttml#parameter"
      xmlns:who="http://www.w3.org/ns/ttml#metadata" rate:frameRate="25">
      <x:head><x:metadata><who:agent xml:id="a"><who:name>Ann</who:name></who:agent></x:metadata></x:head>
      <x:body><x:div><x:p begin="00:00:01:00" end="25f" who:agent="a">hi<x:br/>there</x:p></x:div></x:body></x:tt>`;
    // 25f at 25 fps is 1 s: the same instant as the begin, so the cue is empty.
    expect(parseTtml(text)).toMatchObject({ cues: [], skipped: 1 });
    const later = text.replace('end="25f"', 'end="50f"');
    expect(cues(later)).toEqual([{ start: ns(1), end: ns(2), text: 'hi\nthere', speaker: 'Ann' }]);
  });

  it('follows default namespace changes and ignores elements of other namespaces', () => {
    const text = doc(
      '<div><p begin="1s" end="2s">a <x:note xmlns:x="urn:x">hidden</x:note>b <span xmlns="urn:other">also hidden</span></p></div>',
    );
    expect(texts(text)).toEqual(['a b']);
  });

  it('does not take a ttp-prefixed attribute of another namespace as a parameter', () => {
    const text = `<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="urn:not-ttml" ttp:timeBase="smpte" ttp:frameRate="10">
      <body><p begin="00:00:00:15" end="1s">x</p></body></tt>`;
    expect(cues(text)[0]?.start).toBe(ns('0.5'));
  });

  it('reads the DFXP namespace of 2006', () => {
    const text = `<tt xmlns="http://www.w3.org/2006/10/ttaf1" xmlns:ttp="http://www.w3.org/2006/10/ttaf1#parameter" ttp:frameRate="25">
      <body><div><p begin="00:00:02:00" end="00:00:03:00">old</p></div></body></tt>`;
    expect(spans(text)).toEqual([[ns(2), ns(3), 'old']]);
  });

  it.each([
    ['<tt><body><p begin="1s" end="2s">x</p></body></tt>', 'no namespace'],
    ['<tt xmlns="urn:other"><body/></tt>', 'another namespace'],
    ['<tt:tt xmlns:tt="http://www.w3.org/ns/ttml#metadata"/>', 'the metadata namespace'],
    [`<html ${TT}><body/></html>`, 'another root'],
  ])('refuses a root that is not TTML tt (%s)', (text) => {
    const error = failure(() => parseTtml(text));
    expect(error.message).toMatch(/root element is not tt/);
    expect(error.where).toBe('byte 0');
  });

  it('refuses an undeclared prefix', () => {
    const text = doc('<p begin="1s" end="2s"><x:span>a</x:span></p>');
    const error = failure(() => parseTtml(text));
    expect(error.message).toMatch(/prefix of "x:span" is not declared/);
    expect(error.where).toBe(`byte ${text.indexOf('<x:span')}`);
  });
});

describe('parseTtml: text', () => {
  it('collapses whitespace by default and breaks lines at br', () => {
    const text = doc(`<p begin="1s" end="2s">
        First   line,
        still first<br/>
        second <span>line</span>  <br/><br/>  fourth
      </p>`);
    expect(texts(text)).toEqual(['First line, still first\nsecond line\n\nfourth']);
  });

  it('keeps whitespace and line feeds under xml:space="preserve", inherited', () => {
    const text = doc(
      '<div xml:space="preserve"><p begin="1s" end="2s">a  b\n  c<span xml:space="default">  d   e  </span></p></div>',
    );
    expect(texts(text)).toEqual(['a  b\nc d e']);
    const fromRoot = doc('<p begin="1s" end="2s">x   y</p>', 'xml:space="preserve"');
    expect(texts(fromRoot)).toEqual(['x   y']);
  });

  it('decodes XML references, keeps CDATA as written, and leaves comments and PIs out', () => {
    const text = doc(
      '<p begin="1s" end="2s">Tom &amp; Jerry &lt;3 &#233;&#x00E9; &nbsp;<![CDATA[ &amp; <raw> ]]><!-- note --><?pi x?>!</p>',
    );
    expect(texts(text)).toEqual(['Tom & Jerry <3 éé &nbsp; &amp; <raw> !']);
  });

  it('leaves metadata inside content out', () => {
    const text = doc(
      '<p begin="1s" end="2s"><metadata><ttm:desc>a description</ttm:desc></metadata>shown<ttm:desc>not shown</ttm:desc></p>',
    );
    expect(texts(text)).toEqual(['shown']);
  });

  it('takes no text from outside p', () => {
    expect(texts(doc('stray<div>text in div<p begin="1s" end="2s">p text</p></div>'))).toEqual(['p text']);
  });

  it('reads a document with no body as no cues', () => {
    expect(parseTtml(`<tt ${TT}><head/></tt>`)).toEqual({ format: 'ttml', cues: [], skipped: 0 });
  });
});

describe('parseTtml: speakers', () => {
  const head = `<metadata>
    <ttm:agent xml:id="ann" type="person"><ttm:name type="full">Ann  Smith</ttm:name></ttm:agent>
    <ttm:agent xml:id="bob" type="person"><ttm:name type="alias">Bob</ttm:name><ttm:name type="full">Robert</ttm:name></ttm:agent>
    <ttm:agent xml:id="nameless" type="other"/>
  </metadata>`;

  it('names the agent of a p, a span or an enclosing div', () => {
    const text = doc(
      `<div ttm:agent="ann">
        <p begin="1s" end="2s">from the div</p>
        <p begin="2s" end="3s" ttm:agent="bob">own agent</p>
        <p begin="3s" end="4s" ttm:agent="  bob  ann ">first of several</p>
      </div>
      <p begin="4s" end="5s"><span ttm:agent="ann">span agent</span> and more</p>
      <p begin="5s" end="6s" ttm:agent="nameless">undeclared name</p>
      <p begin="6s" end="7s" ttm:agent="ghost">unknown id</p>
      <p begin="7s" end="8s">nobody</p>`,
      '',
      head,
    );
    expect(cues(text).map((c) => [c.text, c.speaker])).toEqual([
      ['from the div', 'Ann Smith'],
      ['own agent', 'Bob'],
      ['first of several', 'Bob'],
      ['span agent and more', 'Ann Smith'],
      ['undeclared name', 'nameless'],
      ['unknown id', 'ghost'],
      ['nobody', undefined],
    ]);
  });
});

describe('parseTtml: malformed XML', () => {
  it.each([
    ['<tt xmlns="http://www.w3.org/ns/ttml"><body><p>unclosed</body></tt>', 'mismatched'],
    ['<tt xmlns="http://www.w3.org/ns/ttml"><body>', 'unclosed'],
    ['<tt xmlns="http://www.w3.org/ns/ttml" a="1" a="2"/>', 'repeated attribute'],
    ['<tt xmlns="http://www.w3.org/ns/ttml" begin=1s/>', 'unquoted attribute'],
    ['<tt xmlns="http://www.w3.org/ns/ttml">&</tt>', 'bare ampersand'],
    ['not xml at all', 'text'],
    ['', 'empty'],
    ['<tt xmlns="http://www.w3.org/ns/ttml"/><tt/>', 'two roots'],
  ])('refuses %j (%s) with a byte offset', (text) => {
    const error = failure(() => parseTtml(text));
    expect(error.format).toBe('ttml');
    expect(error.where).toMatch(/^byte \d+$/);
  });

  it('refuses a second root element after a self-closed one, at its offset', () => {
    const text = `<tt ${TT}/>\n<tt ${TT}/>`;
    const error = failure(() => parseTtml(text));
    expect(error.message).toMatch(/more than one root element/);
    expect(error.where).toBe(`byte ${text.indexOf('\n') + 1}`);
  });

  it('locates a malformed tag by its byte offset', () => {
    const text = '<tt xmlns="http://www.w3.org/ns/ttml">\n<body>\n<p>é</span>\n</body></tt>';
    const error = failure(() => parseTtml(text));
    expect(error.message).toMatch(/malformed XML/);
    // Line 3, at "</span>": 38 + 1 + 6 + 1 bytes of the first lines, then "<p>é" (5 bytes).
    expect(error.where).toBe('byte 51');
  });
});

describe('parseTtml: realistic files', () => {
  it('reads an IMSC text profile document at 25 fps', () => {
    const result = parseTtml(TTML_IMSC);
    expect(result.skipped).toBe(0);
    expect(result.cues).toHaveLength(12);
    expect(result.cues[0]).toEqual({
      start: 0n,
      end: ns('4.2'),
      text: 'The harbour wakes\nbefore the town does.',
      speaker: 'Narrator',
      id: 'c1',
    });
    expect(result.cues[1]?.text).toBe('By five, the first boats are already slipping past the breakwater.');
    expect(result.cues[3]).toMatchObject({
      text: 'When I started, there were\nforty boats working out of here.',
    });
    expect(result.cues[6]).toMatchObject({ start: ns(62), end: ns('67.48'), id: 'c7' });
    expect(result.cues[9]).toMatchObject({ start: ns(140), end: ns(145), speaker: 'Skipper' });
    expect(result.cues[10]).toMatchObject({
      speaker: 'Narrator',
      text: 'Next spring, the council plans\nto light it again — for the visitors.',
    });
    expect(result.cues[11]).toEqual({
      start: ns(180),
      end: ns(185),
      text: "A light for the visitors.\nWell. It's something.",
      speaker: 'Margaret Doyle',
      id: 'c12',
    });
    expect(result.cues.filter((c) => c.speaker === undefined).map((c) => c.text)).toEqual([
      '[gulls calling]',
    ]);
  });

  it('reads a prefixed DFXP timed in 10 MHz ticks', () => {
    const result = parseTtml(TTML_TICKS);
    expect(result.skipped).toBe(0);
    expect(result.cues.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `subtitle${n}`));
    expect(result.cues[0]).toEqual({
      start: ns('1.2'),
      end: ns('4.5'),
      text: 'Where were you last night?',
      id: 'subtitle1',
    });
    expect(result.cues[1]?.text).toBe("Out. I'm allowed out,\naren't I?");
    expect(result.cues[2]?.text).toBe("- Until three in the morning?\n- It wasn't three.");
    expect(result.cues.at(-1)).toMatchObject({ start: ns(145), end: ns('149.9') });
  });
});
