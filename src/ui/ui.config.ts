import { Type } from 'typebox';

/** The TAMS_* settings of the web UI (spread into the one config schema). */
export const uiSettings = {
  TAMS_UI: Type.Boolean({
    default: true,
    description:
      'Serve the web UI at `/ui` (browse Sources and Flows, their timelines and gaps, play a Flow through HLS; see [Web UI](ui-hls.md#web-ui)). The page itself is public; everything it shows comes from the API with the credentials signed in with.',
  }),
  TAMS_UI_DIR: Type.String({
    default: '',
    description:
      'Folder of the built web UI (`npm run build:ui` writes `ui/dist`). Empty: `ui/dist` of the installation.',
  }),
};
