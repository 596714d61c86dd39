/**
 * Realistic multi-minute documents, written for these tests (a made-up harbour documentary, a
 * made-up drama), in the shapes real tools produce.
 */

/** A broadcaster's WebVTT: STYLE, REGION and NOTE blocks, voices, settings, 3 min 40 s. */
export const VTT_DOCUMENTARY = `WEBVTT - Harbour Lights, episode 3
Kind: captions
Language: en-GB

STYLE
::cue(.loud) { font-weight: bold; }

REGION
id:bottom
width:80%
lines:3

NOTE
Captioned by the in-house team, checked 2024-05-02.
Speaker names follow the running order.

intro-1
00:00:00.000 --> 00:00:04.200 region:bottom align:center
<v Narrator>The harbour wakes before the town does.</v>

intro-2
00:00:04.400 --> 00:00:09.000
<v Narrator>By five, the first boats are already
slipping past the breakwater.</v>

00:00:09.500 --> 00:00:13.250 line:85%
<v.loud Harbour Master>Morning! Mind the chain
on berth six – it's loose again.</v>

00:00:13.500 --> 00:00:17.000
<v Skipper>I told them last week.
<i>Nobody</i> listens.</v>

NOTE the next cue is the title card

title
00:00:18.000 --> 00:00:22.000 position:50% align:center
<c.title>HARBOUR LIGHTS</c>

00:00:25.000 --> 00:00:31.500
<v Narrator>Margaret Doyle has run this harbour
for twenty-two years.</v>

00:00:32.000 --> 00:00:36.000
<v Margaret Doyle>When I started, there were
forty boats working out of here.</v>

00:00:36.200 --> 00:00:39.800
<v Margaret Doyle>Now? On a good day, eleven.</v>

00:00:41.000 --> 00:00:46.000
[gulls calling]

00:01:02.000 --> 00:01:07.500
<v Narrator>The fish market opens at six sharp,
whatever the weather.</v>

00:01:08.000 --> 00:01:11.000
<v Auctioneer>Lot one, hake, four boxes &amp; a half!</v>

00:01:11.200 --> 00:01:13.900
<v Buyer>Forty.</v>

00:01:14.000 --> 00:01:16.500
<v Auctioneer>Forty I have. <00:01:15.200>Forty-five?</v>

00:01:30.000 --> 00:01:36.000
<v Narrator>Prices have doubled in ten years.
The catch has halved.</v>

00:01:50.000 --> 00:01:55.500
<v Margaret Doyle>People think it's the quotas.
It's not only the quotas.</v>

00:01:56.000 --> 00:02:02.000
<v Margaret Doyle>It's the young ones.
They don't want the hours – and who'd blame them?</v>

00:02:10.000 --> 00:02:16.000
<v Narrator>At the end of the quay, the old lighthouse
has been dark since 1998.</v>

00:02:20.000 --> 00:02:25.000
<v Skipper>My grandfather kept that light.
Forty-one years, never missed a night.</v>

00:02:40.000 --> 00:02:46.000
<v Narrator>Next spring, the council plans
to light it again&nbsp;&#x2014; for the visitors.</v>

00:03:00.000 --> 00:03:05.000
<v Margaret Doyle>A light for the visitors.
<i>Well</i>. It's something.</v>

00:03:20.000 --> 00:03:26.000
<v Narrator>Tomorrow: the lifeboat crew
that hasn't had a quiet night since March.</v>

00:03:34.000 --> 00:03:40.000
[theme music]
`;

/** An HLS subtitle segment: X-TIMESTAMP-MAP, short window of a long programme. */
export const VTT_HLS_SEGMENT = `WEBVTT
X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:8589924592

00:00:00.500 --> 00:00:02.000
Previously on Harbour Lights...

00:00:02.200 --> 00:00:05.900
<v Skipper>You can't run a boat on goodwill.</v>
`;

/** A fan-made SRT of a drama scene: CRLF, BOM, italics, font colours, an ASS position tag, 3 min. */
export const SRT_DRAMA = `\ufeff${[
  '1',
  '00:00:01,200 --> 00:00:04,000',
  '<i>Previously...</i>',
  '',
  '2',
  '00:00:04,500 --> 00:00:07,250',
  'Where were you last night?',
  '',
  '3',
  '00:00:07,400 --> 00:00:10,100',
  "Out. I'm allowed out,",
  "aren't I?",
  '',
  '4',
  '00:00:12,000 --> 00:00:15,500',
  '<font color="#ffff00">- Until three in the morning?</font>',
  '<font color="#00ffff">- It wasn\'t three.</font>',
  '',
  '5',
  '00:00:20,000 --> 00:00:23,000',
  '{\\an8}[DOOR SLAMS]',
  '',
  '6',
  '00:00:31,000 --> 00:00:35,750',
  'Dad, wait. Please.',
  '',
  '7',
  '00:00:36,000 --> 00:00:40,000',
  'I found the letters, Sam.',
  '<b>All</b> of them.',
  '',
  '8',
  '00:00:55,000 --> 00:00:58,300',
  "They weren't meant for you.",
  '',
  '9',
  '00:01:10,000 --> 00:01:14,000',
  'Then who were they for?',
  '',
  '10',
  '00:01:25,500 --> 00:01:30,000',
  '<i>(phone buzzing)</i>',
  '',
  '11',
  '00:01:45,000 --> 00:01:49,900',
  "Don't answer that.",
  '',
  '12',
  '00:02:05,000 --> 00:02:09,000',
  "It's Mum. It's... it's Mum's handwriting.",
  '',
  '13',
  '00:02:20,000 --> 00:02:25,000',
  'She wrote to him for six years',
  '&amp; you never said a word.',
  '',
  '14',
  '00:02:40,000 --> 00:02:44,000',
  'Because it would have broken you.',
  '',
  '15',
  '00:02:58,000 --> 00:03:02,500',
  '<i>It did anyway.</i>',
  '',
  '',
].join('\r\n')}`;

/**
 * An IMSC 1 text profile document as a broadcaster's tool writes it: frames at 25 fps, styling
 * and layout in head, agents, br, nested spans, 3 min 5 s.
 */
export const TTML_IMSC = `<?xml version="1.0" encoding="UTF-8"?>
<tt xml:lang="en" xmlns="http://www.w3.org/ns/ttml"
    xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
    xmlns:tts="http://www.w3.org/ns/ttml#styling"
    xmlns:ttm="http://www.w3.org/ns/ttml#metadata"
    xmlns:ittp="http://www.w3.org/ns/ttml/profile/imsc1#parameter"
    ttp:profile="http://www.w3.org/ns/ttml/profile/imsc1/text"
    ttp:frameRate="25" ttp:timeBase="media" ittp:aspectRatio="16 9">
  <head>
    <metadata>
      <ttm:title>Harbour Lights 3</ttm:title>
      <ttm:agent xml:id="narrator" type="person"><ttm:name type="full">Narrator</ttm:name></ttm:agent>
      <ttm:agent xml:id="doyle" type="person"><ttm:name type="full">Margaret Doyle</ttm:name></ttm:agent>
      <ttm:agent xml:id="skipper" type="person"><ttm:name type="alias">Skipper</ttm:name></ttm:agent>
    </metadata>
    <styling>
      <style xml:id="s0" tts:fontFamily="proportionalSansSerif" tts:fontSize="100%"/>
      <style xml:id="yellow" tts:color="#FFFF00"/>
    </styling>
    <layout>
      <region xml:id="bottom" tts:origin="10% 80%" tts:extent="80% 15%" tts:displayAlign="after"/>
    </layout>
  </head>
  <body style="s0" region="bottom">
    <div>
      <p xml:id="c1" begin="00:00:00:00" end="00:00:04:05" ttm:agent="narrator">The harbour wakes<br/>before the town does.</p>
      <p xml:id="c2" begin="00:00:04:10" end="00:00:09:00" ttm:agent="narrator">By five, the first boats are already
        slipping past the breakwater.</p>
      <p xml:id="c3" begin="00:00:25:00" end="00:00:31:12" ttm:agent="narrator">Margaret Doyle has run this harbour<br/>for twenty-two years.</p>
      <p xml:id="c4" begin="00:00:32:00" end="00:00:36:00" ttm:agent="doyle"><span style="yellow">When I started, there were</span><br/><span style="yellow">forty boats working out of here.</span></p>
      <p xml:id="c5" begin="00:00:36:05" end="00:00:39:20" ttm:agent="doyle"><span style="yellow">Now? On a good day, eleven.</span></p>
      <p xml:id="c6" begin="00:00:41:00" end="00:00:46:00">[gulls calling]</p>
    </div>
    <div begin="00:01:00:00">
      <p xml:id="c7" begin="00:00:02:00" end="00:00:07:12" ttm:agent="narrator">The fish market opens at six sharp,<br/>whatever the weather.</p>
      <p xml:id="c8" begin="00:00:30:00" end="00:00:36:00" ttm:agent="narrator">Prices have doubled in ten years.<br/>The catch has halved.</p>
      <p xml:id="c9" begin="00:00:50:00" end="00:00:55:12" ttm:agent="doyle">People think it's the quotas.<br/>It's not only the quotas.</p>
    </div>
    <div begin="00:02:00:00" ttm:agent="skipper">
      <p xml:id="c10" begin="00:00:20:00" end="00:00:25:00">My grandfather kept that light.<br/>Forty-one years, never missed a night.</p>
      <p xml:id="c11" begin="00:00:40:00" end="00:00:46:00" ttm:agent="narrator">Next spring, the council plans<br/>to light it again &#8212; for the visitors.</p>
      <p xml:id="c12" begin="00:01:00:00" end="00:01:05:00" ttm:agent="doyle">A light for the visitors.<br/><span tts:fontStyle="italic">Well</span>. It&apos;s something.</p>
    </div>
  </body>
</tt>
`;

/**
 * A DFXP as streaming services deliver them: every element prefixed (tt:), ticks at 10 MHz,
 * timing on p only, 2 min 30 s.
 */
export const TTML_TICKS = `<?xml version="1.0" encoding="utf-8"?>
<tt:tt xmlns:tt="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
  xmlns:tts="http://www.w3.org/ns/ttml#styling" ttp:tickRate="10000000" xml:lang="en">
<tt:head>
<tt:styling><tt:style xml:id="s1" tts:textAlign="center"/></tt:styling>
<tt:layout><tt:region xml:id="r1" tts:origin="10% 10%" tts:extent="80% 80%"/></tt:layout>
</tt:head>
<tt:body>
<tt:div>
<tt:p begin="12000000t" end="45000000t" region="r1" style="s1" xml:id="subtitle1">Where were you last night?</tt:p>
<tt:p begin="46000000t" end="81000000t" region="r1" style="s1" xml:id="subtitle2">Out. I&apos;m allowed out,<tt:br/>aren&apos;t I?</tt:p>
<tt:p begin="120000000t" end="155000000t" region="r1" style="s1" xml:id="subtitle3"><tt:span tts:color="yellow">- Until three in the morning?</tt:span><tt:br/><tt:span tts:color="cyan">- It wasn&apos;t three.</tt:span></tt:p>
<tt:p begin="310000000t" end="357500000t" region="r1" style="s1" xml:id="subtitle4">Dad, wait. Please.</tt:p>
<tt:p begin="600000000t" end="640000000t" region="r1" style="s1" xml:id="subtitle5">I found the letters, Sam.</tt:p>
<tt:p begin="1200000000t" end="1249000000t" region="r1" style="s1" xml:id="subtitle6">Then who were they for?</tt:p>
<tt:p begin="1450000000t" end="1499000000t" region="r1" style="s1" xml:id="subtitle7">Don&apos;t answer that.</tt:p>
</tt:div>
</tt:body>
</tt:tt>
`;

/** Automatic captions as a video site exports them: word timestamps in c spans, 2 min 50 s. */
export const VTT_AUTO_CAPTIONS = `WEBVTT
Kind: captions
Language: en

00:00:00.000 --> 00:00:03.120 align:start position:0%
welcome<00:00:00.480><c> back</c><00:00:00.960><c> to</c><00:00:01.199><c> the</c><00:00:01.439><c> boat</c><00:00:01.800><c> building</c><00:00:02.280><c> workshop</c>

00:00:03.120 --> 00:00:07.590 align:start position:0%
today<00:00:03.600><c> we're</c><00:00:03.840><c> fitting</c><00:00:04.200><c> the</c><00:00:04.320><c> garboard</c><00:00:04.920><c> strake</c>

00:00:07.590 --> 00:00:12.000 align:start position:0%
which<00:00:07.920><c> is</c><00:00:08.040><c> the</c><00:00:08.160><c> plank</c><00:00:08.520><c> next</c><00:00:08.760><c> to</c><00:00:08.880><c> the</c><00:00:09.000><c> keel</c>

00:00:45.000 --> 00:00:49.800 align:start position:0%
[Music]

00:01:02.330 --> 00:01:06.450 align:start position:0%
you<00:01:02.640><c> want</c><00:01:02.880><c> the</c><00:01:03.000><c> steam</c><00:01:03.360><c> box</c><00:01:03.720><c> hot</c><00:01:04.080><c> before</c><00:01:04.560><c> you</c><00:01:04.680><c> start</c>

00:01:06.450 --> 00:01:11.000 align:start position:0%
about<00:01:06.810><c> an</c><00:01:06.930><c> hour</c><00:01:07.290><c> per</c><00:01:07.530><c> inch</c><00:01:07.890><c> of</c><00:01:08.010><c> thickness</c>

00:01:40.000 --> 00:01:44.250 align:start position:0%
okay<00:01:40.560><c> it's</c><00:01:40.800><c> coming</c><00:01:41.160><c> out</c><00:01:41.400><c> now</c><00:01:41.760><c> quick</c><00:01:42.120><c> quick</c>

00:01:44.250 --> 00:01:48.000 align:start position:0%
clamp<00:01:44.610><c> at</c><00:01:44.730><c> the</c><00:01:44.850><c> bow</c><00:01:45.210><c> first</c>

00:02:30.000 --> 00:02:35.400 align:start position:0%
and<00:02:30.360><c> that's</c><00:02:30.720><c> it</c><00:02:30.960><c> let</c><00:02:31.200><c> it</c><00:02:31.320><c> cool</c><00:02:31.680><c> overnight</c>

00:02:45.000 --> 00:02:50.000 align:start position:0%
[Applause]
`;

/**
 * A transcription tool's SRT: no index lines, '.' for ',', a missing blank line, trailing
 * spaces, 4 min 10 s of a lecture.
 */
export const SRT_LECTURE = [
  '00:00:02.000 --> 00:00:06.500  ',
  'Good morning. Today we start on tides,',
  'and why there are two of them a day.',
  '',
  '00:00:07.000 --> 00:00:11.200',
  'The Moon pulls the near side of the ocean',
  '00:00:11.400 --> 00:00:15.000',
  'and, less obviously, the Earth away from the far side.',
  '',
  '',
  '00:00:40.000 --> 00:00:45.750 ',
  'So you get two bulges, not one.',
  '',
  '00:01:20.000 --> 00:01:26.000',
  'Spring tides come when Sun and Moon line up,',
  'at new moon and at full moon.',
  '',
  '00:02:05.500 --> 00:02:10.000',
  'Neap tides, a week later, when they pull at right angles.',
  '',
  '00:03:00.000 --> 00:03:04.000',
  'Questions so far?',
  '',
  '00:03:30.000 --> 00:03:36.000',
  "Yes - why isn't high tide exactly when the Moon is overhead?",
  '',
  '00:04:02.000 --> 00:04:10.000',
  'Good question. The oceans lag: friction, and the shape of the basins.',
  '',
].join('\n');
