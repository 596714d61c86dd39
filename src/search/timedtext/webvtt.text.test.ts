import { describe, expect, it } from 'vitest';
import { plainCueText } from './webvtt.text.ts';

describe('plainCueText', () => {
  it.each([
    ['plain', 'plain'],
    ['<i>italic</i> <b>bold</b> <u>under</u>', 'italic bold under'],
    ['<c.yellow.bg_blue>classed</c>', 'classed'],
    ['<i><b><u>nested</u></b></i> end', 'nested end'],
    ['<ruby>漢<rt>kan</rt>字<rt>ji</rt></ruby>', '漢kan字ji'],
    ['<lang en-GB>colour</lang>', 'colour'],
    ['one <00:00:01.000>two <00:00:02.500>three', 'one two three'],
    ['<1:00:00.000>late', 'late'],
    ['a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;', 'a & b <c> "d" \'e\''],
    ['a&nbsp;b', 'a\u00a0b'],
    ['&lrm;left&rlm;', '\u200eleft\u200f'],
    ['&#65;&#x42;&#X43;', 'ABC'],
    ['&#x1F600;', '😀'],
    ['&#0; &#xD800; &#x110000; &#99999999999;', '\ufffd \ufffd \ufffd \ufffd'],
    ['&unknown; &amp &; &#; &#x; & alone', '&unknown; &amp &; &#; &#x; & alone'],
    ['&amp;lt;', '&lt;'],
    ['  padded  \n  lines  ', 'padded\nlines'],
    ['unterminated <i tag runs to the end', 'unterminated'],
    ['a <> b', 'a  b'],
    ['</i>stray end', 'stray end'],
  ])('%j -> %j', (payload, text) => {
    expect(plainCueText(payload).text).toBe(text);
  });

  it.each([
    ['<v Mary>hi</v>', 'Mary'],
    ['<v.loud Mary>hi</v>', 'Mary'],
    ['<v.loud.angry   Mary   Jane  >hi</v>', 'Mary Jane'],
    ['<v\tMary>hi', 'Mary'],
    ['<v Tom &amp; Jerry>hi</v>', 'Tom & Jerry'],
    ['<i><v Inner>hi</v></i>', 'Inner'],
    ['<v First>a</v> <v Second>b</v>', 'First'],
    ['<v>nameless</v> <v Named>b</v>', 'Named'],
  ])('%j speaks as %j', (payload, speaker) => {
    expect(plainCueText(payload).speaker).toBe(speaker);
  });

  it.each([
    ['no voice'],
    ['<v>nameless</v>'],
    ['<v.loud>classes only</v>'],
    ['<vx Name>not a voice</vx>'],
    ['<c Name>c'],
  ])('%j has no speaker', (payload) => {
    expect(plainCueText(payload)).not.toHaveProperty('speaker');
  });

  it('keeps the text of a voice span', () => {
    expect(plainCueText('<v Mary>Hello <i>there</i></v>')).toEqual({ text: 'Hello there', speaker: 'Mary' });
  });
});
