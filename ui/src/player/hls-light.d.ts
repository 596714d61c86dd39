// hls.js's light build (no subtitles, alternate audio, DRM or CMCD: a media playlist of one
// Flow needs none of them) ships without declarations of its own; its API is the full build's.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
