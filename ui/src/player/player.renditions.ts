/** What the player needs of a loaded media playlist to tell whether its renditions can line up. */
export interface RenditionTimeline {
  /** The discontinuity sequence number of its last segment (hls.js's `endCC`). */
  endCC: number;
  live: boolean;
}

/**
 * Why hls.js will never play this alternate audio beside this video, if it will not: it holds an
 * audio playlist back until the video's reaches the audio's last discontinuity, which a finished
 * video with fewer discontinuities never does. It neither plays nor reports an error: the page
 * would wait for ever. A live video may still get there.
 */
export function audioUnplayable(video: RenditionTimeline, audio: RenditionTimeline): string | undefined {
  if (video.live || audio.endCC <= video.endCC) return undefined;
  const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
  return (
    `the audio breaks (EXT-X-DISCONTINUITY) ${times(audio.endCC)} and the video ${times(video.endCC)}: ` +
    'this player cannot line up audio whose timeline breaks where its video does not'
  );
}
