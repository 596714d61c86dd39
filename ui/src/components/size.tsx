/** Bytes as `1.2 MB` (decimal units, as storage is billed), with the exact count in its title. */
export function SizeText({ bytes }: { bytes: number }) {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const text = unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
  return (
    <span title={`${bytes.toLocaleString('en')} bytes`} data-bytes={bytes}>
      {text}
    </span>
  );
}
