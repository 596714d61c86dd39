import { useState } from 'preact/hooks';
import { api, nextPageKey } from '../api/http.ts';
import type { ExrFile } from '../api/types.ts';
import { ErrorMessage, Loading, useLoad } from '../components/common.tsx';
import { spanOf, utcText } from '../time.ts';

const PAGE = 100;

/**
 * The OpenEXR headers of an image Flow's frames (GET /exr/files?flow_id=, in timeline order):
 * resolution, compression, channels and pixel types of each; a frame's time seeks the timeline.
 */
export function ExrFrames({ flowId, onSeek }: { flowId: string; onSeek: (t: bigint) => void }) {
  const [page, setPage] = useState<string | undefined>();
  const result = useLoad(`${flowId} ${page ?? ''}`, async (signal) => {
    const { body, headers } = await api<ExrFile[]>('/exr/files', {
      query: { flow_id: flowId, limit: PAGE, page },
      signal,
    });
    return { files: body, next: nextPageKey(headers) };
  });
  return (
    <section class="exr" aria-labelledby="exr-title">
      <h2 id="exr-title">EXR frames</h2>
      {result.state === 'loading' && <Loading what="EXR metadata" />}
      {result.state === 'error' && <ErrorMessage error={result.error} />}
      {result.state === 'done' && result.value.files.length === 0 && (
        <p class="muted">No frame of this Flow has been inspected (yet).</p>
      )}
      {result.state === 'done' && result.value.files.length > 0 && (
        <>
          <div class="table-wrap">
            <table class="list" data-testid="exr-frames">
              <thead>
                <tr>
                  <th scope="col">Frame</th>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Size</th>
                  <th scope="col">Compression</th>
                  <th scope="col" class="wide">
                    Channels
                  </th>
                  <th scope="col">Pixels</th>
                  <th scope="col" class="wide">
                    Parts
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.value.files.map((file) => {
                  const at = spanOf(file.frame?.timerange);
                  return (
                    <tr key={`${file.id} ${file.frame?.timerange ?? ''}`}>
                      <td>{file.frame_number ?? '–'}</td>
                      <td>
                        {at ? (
                          <button type="button" class="link" onClick={() => onSeek(at.start)}>
                            {utcText(at.start)}
                          </button>
                        ) : (
                          '–'
                        )}
                      </td>
                      <td>
                        {file.status === 'failed' ? (
                          <span class="error">{file.error?.code ?? 'failed'}</span>
                        ) : (
                          `${file.width ?? '?'}×${file.height ?? '?'}`
                        )}
                      </td>
                      <td>{file.compressions.join(', ')}</td>
                      <td class="wide">{file.channel_names.join(' ')}</td>
                      <td>{file.pixel_types.join(', ')}</td>
                      <td class="wide">
                        {file.part_count ?? 1}
                        {file.deep ? ', deep' : ''}
                        {file.tiled ? ', tiled' : ''}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="EXR pages">
            {page !== undefined && (
              <button type="button" onClick={() => setPage(undefined)}>
                First page
              </button>
            )}
            {result.value.next !== undefined && (
              <button type="button" onClick={() => setPage(result.value.next)}>
                Next page
              </button>
            )}
          </nav>
        </>
      )}
    </section>
  );
}
