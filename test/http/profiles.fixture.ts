/**
 * A Profile's `flow_metadata` (8.2's profile-put.json example, trimmed): the technical metadata
 * of a video Flow, for the tests of Profiles and of Flows made from them.
 */
export const PROFILE_METADATA = {
  format: 'urn:x-nmos:format:video',
  codec: 'video/h264',
  container: 'video/mp2t',
  avg_bit_rate: 2479,
  segment_duration: { numerator: 6, denominator: 1 },
  essence_parameters: { frame_rate: { numerator: 25, denominator: 1 }, frame_width: 1280, frame_height: 720 },
};
