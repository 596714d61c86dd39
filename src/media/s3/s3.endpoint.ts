import type { S3Client } from '@aws-sdk/client-s3';

export interface BucketLocation {
  /** Base URL of the bucket's objects: `https://b.s3.eu-west-2.amazonaws.com/`, `http://h:9000/b`. */
  bucketUrl: URL;
  signingRegion: string;
  signingName: string;
}

export interface BucketAddress {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
}

interface AuthScheme {
  name?: string;
  signingRegion?: string;
  signingName?: string;
}

/**
 * Where the SDK sends requests for this bucket, from the SDK's own endpoint rules (the client's
 * `endpointProvider`, synchronous), so presigned URLs use the very host and path the SDK would:
 * virtual-hosted unless path-style is forced or the bucket name cannot be a DNS label (dots,
 * capitals), AWS hosts per region when no endpoint is given, the endpoint's base path kept.
 */
export function locateBucket(client: S3Client, address: BucketAddress): BucketLocation {
  const resolved = client.config.endpointProvider({
    Bucket: address.bucket,
    Region: address.region,
    Endpoint: address.endpoint,
    ForcePathStyle: address.forcePathStyle,
    UseFIPS: false,
    UseDualStack: false,
    Accelerate: false,
  });
  const schemes = resolved.properties?.authSchemes;
  const scheme: AuthScheme | undefined = Array.isArray(schemes) ? (schemes[0] as AuthScheme) : undefined;
  if (scheme?.name !== 'sigv4' || scheme.signingRegion === undefined) {
    throw new Error(
      `S3 bucket ${JSON.stringify(address.bucket)} needs ${scheme?.name ?? 'an unknown'} signing, ` +
        'which this storage backend does not support (S3 Express and access point ARNs are not supported)',
    );
  }
  return {
    bucketUrl: new URL(resolved.url.href),
    signingRegion: scheme.signingRegion,
    signingName: scheme.signingName ?? 's3',
  };
}
