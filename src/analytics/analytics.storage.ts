import type { StorageBackendDescriptor } from '../media/media.types.ts';
import type { StorageDoc } from './analytics.schemas.ts';
import type { StorageFigures, StorageReport } from './store/reports.ts';

const figures = (f: StorageFigures | undefined) => ({
  objects: f?.objects ?? 0,
  bytes: Number(f?.bytes ?? 0n),
  unsized_objects: f?.unsized ?? 0,
});

/**
 * The storage report as the API gives it: every configured backend (with its label, zeros when
 * empty) and any other the objects still name (a backend since removed from the configuration),
 * formats by name (null last: the registering Flow is gone), growth as recorded.
 */
export function storageDoc(
  report: StorageReport,
  descriptors: readonly StorageBackendDescriptor[],
  since: Date,
  bucket: string,
): StorageDoc {
  const configured = new Set(descriptors.map((d) => d.id));
  const others = [...report.backends.keys()].filter((id) => !configured.has(id)).sort();
  const formats = [...report.formats.keys()].sort((a, b) =>
    a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return {
    backends: [
      ...descriptors.map((d) => ({
        storage_id: d.id,
        ...(d.label !== undefined && { label: d.label }),
        ...figures(report.backends.get(d.id)),
      })),
      ...others.map((id) => ({ storage_id: id, ...figures(report.backends.get(id)) })),
    ],
    formats: formats.map((format) => ({
      format: format === '' ? null : format,
      ...figures(report.formats.get(format)),
    })),
    growth: {
      since: since.toISOString(),
      bucket,
      series: report.growth.map((g) => ({
        storage_id: g.storageId,
        start: g.start.toISOString(),
        objects: g.objects,
        bytes: Number(g.bytes),
        unsized_objects: g.unsized,
      })),
    },
    totals: figures(report.totals),
    unreferenced: { allocated_unused: report.allocatedUnused, awaiting_deletion: report.awaitingDeletion },
  };
}
