/** The SDK's chunk limit (splitDataToChunksHelper.js): the sum of the rows' JSON sizes stays below this. */
export const SDK_CHUNK_BYTES = 1_000_000;

/**
 * Cuts rows into chunks exactly as the SDK's `splitDataToChunks` does, so that one `upload()` call per
 * chunk makes exactly one request. Returns chunks of positions into `sizes`.
 */
export function splitLikeSdk(sizes: readonly number[], maxBytes: number = SDK_CHUNK_BYTES): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let size = 0;
  for (let i = 0; i < sizes.length; i++) {
    const elementSize = sizes[i] ?? 0;
    if (size + elementSize < maxBytes) {
      chunk.push(i);
      size += elementSize;
    } else {
      if (chunk.length > 0) chunks.push(chunk);
      chunk = [i];
      size = elementSize;
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
