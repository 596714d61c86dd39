import { type Column, formatName, wide } from './common.tsx';

/** What the list pages show of a Flow's technical metadata (a Flow's own, or a Profile's `flow_metadata`). */
export interface TechnicalMetadata {
  format?: string;
  codec?: string;
  container?: string;
}

/** The columns of TechnicalCells. */
export const TECHNICAL_COLUMNS: readonly Column[] = ['Label', 'Format', 'Codec', wide('Container')];

/** A row's label, linking to its page at `link`, then its format, codec and container. */
export function TechnicalCells({
  link,
  label,
  metadata,
}: {
  link: string;
  label: string | undefined;
  metadata: TechnicalMetadata;
}) {
  return (
    <>
      <td>
        <a href={link}>{label || <span class="muted">(no label)</span>}</a>
      </td>
      <td>{formatName(metadata.format)}</td>
      <td>{metadata.codec}</td>
      <td class="wide">{metadata.container}</td>
    </>
  );
}
