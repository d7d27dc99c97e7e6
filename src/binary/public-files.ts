import { fileURLToPath } from 'node:url';
import { readAssetDir } from '../http/assets.ts';
import { assetKeys } from './manifest.ts';
import { binaryManifest, embeddedBytes, isBinary } from './sea.ts';

/** The public/ folder's files: embedded in the binary, read from the source tree otherwise. */
export function publicFiles(): Map<string, Uint8Array> {
  if (isBinary()) {
    const files = new Map<string, Uint8Array>();
    for (const name of binaryManifest().public) files.set(name, embeddedBytes(assetKeys.public(name)));
    return files;
  }
  return readAssetDir(fileURLToPath(new URL('../../public', import.meta.url)));
}
