import { formatName } from './common.tsx';

/** What the list pages show of a Flow's technical metadata (a Flow's own, or a Profile's `flow_metadata`). */
export interface TechnicalMetadata {
  format?: string;
  codec?: string;
  container?: string;
}

/** The heading cells of TechnicalCells. */
export function TechnicalHead() {
  return (
    <>
      <th scope="col">Label</th>
      <th scope="col">Format</th>
      <th scope="col">Codec</th>
      <th scope="col" class="wide">
        Container
      </th>
    </>
  );
}

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
