import { open } from 'node:fs/promises';
import { lastLines } from '../release/releases-log';

const CHUNK = 64 * 1024;

/**
 * The last `count` lines of a file, like `tail -n`, reading backwards from the end so a
 * releases_log of any length costs only its tail. Resolves null when the file does not exist.
 */
export async function tailFile(path: string, count: number): Promise<string[] | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // One newline more than `count` guarantees `count` whole lines even with a final newline.
    while (position > 0 && newlines <= count) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      const used = chunk.subarray(0, bytesRead);
      for (const byte of used) if (byte === 0x0a) newlines++;
      chunks.unshift(used);
    }
    let buffer = Buffer.concat(chunks);
    if (position > 0) {
      // Cut at a line boundary so a multi-byte character is never split.
      const firstNewline = buffer.indexOf(0x0a);
      buffer = firstNewline < 0 ? Buffer.alloc(0) : buffer.subarray(firstNewline + 1);
    }
    return lastLines(buffer.toString('utf8'), count);
  } finally {
    await handle.close();
  }
}
