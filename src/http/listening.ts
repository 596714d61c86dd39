/**
 * Where the server listens, for the parts built before it does that need its URL (media URLs in
 * events when TAMS_PUBLIC_URL is not set): built with them, read through `url()`, and told the
 * address once the server listens (the port may be chosen then). Until then, the fallback.
 */
export class ListeningUrl {
  private heard: string | undefined;

  constructor(private readonly fallback: string) {}

  /** The server listens at `url` from now on. */
  listened(url: string): void {
    this.heard = url;
  }

  url(): string {
    return this.heard ?? this.fallback;
  }
}
