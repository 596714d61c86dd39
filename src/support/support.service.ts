import type { Bundle } from './support.bundle.ts';

/**
 * The support bundles of a running server, one at a time: a bundle reads whole tables (verify
 * scans every segment for up to its budget), so a second request while one is made is refused
 * rather than doubling that load.
 */
export class SupportBundles {
  private making = false;

  constructor(private readonly make: () => Promise<Bundle>) {}

  /** A new bundle; undefined while another is being made. */
  async take(): Promise<Bundle | undefined> {
    if (this.making) return undefined;
    this.making = true;
    try {
      return await this.make();
    } finally {
      this.making = false;
    }
  }
}
