import { Agent } from 'node:http';
import { sendRequest } from './send-request';

/**
 * Sends `total` requests to `url` as fast as `concurrency` connections allow and waits for them.
 *
 * Why the demo does this: a freshly started Node process grows its resident memory for a
 * minute or two as it warms up (JIT, allocator arenas, buffers), about 50 KB/s here, and
 * Rollgate's memory-trend rule is right to call such growth a leak when it happens after a
 * deploy. A real service has been serving for hours before a deploy; a few thousand requests
 * bring the demo's young service to the same steady memory in about two seconds.
 */
export async function warmUp(url: string, total: number, concurrency = 32): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await sendRequest(url, agent);
      }
    }),
  );
  agent.destroy();
}
