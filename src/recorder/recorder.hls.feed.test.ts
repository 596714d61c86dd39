import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UrlGuard } from '../common/url.guard.ts';
import { HlsFeed } from './recorder.hls.feed.ts';

/** A live playlist of five 2 s segments (sequence 10-14) whose bytes name them, then its end. */
const SEGMENTS = [10, 11, 12, 13, 14];
let server: Server;
let base: string;
let ended = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/master.m3u8') {
      res.end(
        [
          '#EXTM3U',
          '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="French",LANGUAGE="fr",URI="subs_fr.m3u8"',
          '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",DEFAULT=YES,LANGUAGE="en",URI="subs_en.m3u8"',
          '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="other",NAME="German",DEFAULT=YES,URI="subs_de.m3u8"',
          '#EXT-X-STREAM-INF:BANDWIDTH=100000,SUBTITLES="other"',
          'live.m3u8',
          '#EXT-X-STREAM-INF:BANDWIDTH=900000,SUBTITLES="subs"',
          'live.m3u8',
          '',
        ].join('\n'),
      );
      return;
    }
    if (path === '/live.m3u8') {
      res.setHeader('content-type', 'application/vnd.apple.mpegurl');
      res.end(
        [
          '#EXTM3U',
          '#EXT-X-TARGETDURATION:2',
          `#EXT-X-MEDIA-SEQUENCE:${SEGMENTS[0]}`,
          ...SEGMENTS.flatMap((n) => ['#EXTINF:2.0,', `seg${n}.ts`]),
          ...(ended ? ['#EXT-X-ENDLIST'] : []),
          '',
        ].join('\n'),
      );
      return;
    }
    const n = /^\/seg(\d+)\.ts$/.exec(path)?.[1];
    if (n === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.end(`[${n}]`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const guard = () =>
  new UrlGuard(['127.0.0.1'], { setting: 'TAMS_RECORDER_ALLOW', schemes: ['http:'], subject: 'source' });

describe('HlsFeed', () => {
  it('starts at the live edge', async () => {
    const feed = new HlsFeed(`${base}/live.m3u8`, guard());
    expect((await feed.first()).toString()).toBe('[14]');
  });

  it('starts far enough back to cover what a run before it may have missed, and a target duration more', async () => {
    // 5 s back and 2 s more: the newest four segments (8 s).
    expect((await new HlsFeed(`${base}/live.m3u8`, guard()).first(5)).toString()).toBe('[11][12][13][14]');
    // Further back than the playlist lists: from its oldest.
    expect((await new HlsFeed(`${base}/live.m3u8`, guard()).first(60)).toString()).toBe(
      '[10][11][12][13][14]',
    );
  });

  it('feeds what it fetched first, then nothing twice, until the playlist ends', async () => {
    const feed = new HlsFeed(`${base}/live.m3u8`, guard());
    await feed.first(3);
    ended = true;
    const parts: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        parts.push(chunk.toString());
        done();
      },
    });
    try {
      await feed.writeTo(sink, () => false);
    } finally {
      ended = false;
    }
    expect(parts.join('')).toBe('[12][13][14]');
    expect(sink.writableEnded).toBe(true);
  });

  it("names the subtitle rendition of the variant it reads: its group's default", async () => {
    const feed = new HlsFeed(`${base}/master.m3u8`, guard());
    expect(feed.subtitles()).toBeUndefined();
    await feed.first();
    expect(feed.subtitles()).toBe(`${base}/subs_en.m3u8`);
    // A media playlist has no renditions.
    const plain = new HlsFeed(`${base}/live.m3u8`, guard());
    await plain.first();
    expect(plain.subtitles()).toBeUndefined();
  });
});
