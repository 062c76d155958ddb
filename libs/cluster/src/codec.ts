const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const encodeJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

/** Parses JSON bytes; throws with a short reason (not the whole payload) when they are not JSON. */
export function decodeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new Error(`payload is not JSON (${(e as Error).message.slice(0, 80)})`);
  }
}

export const previewText = (bytes: Uint8Array, max = 512): string => decoder.decode(bytes.subarray(0, max));
