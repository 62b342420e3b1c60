/**
 * @module mock-upstream/http-util
 * Small response helpers for the mock server: JSON answers, streamed chunks with optional delays,
 * a connection cut, and sleeping.
 */
import type { ServerResponse } from 'node:http';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export interface StreamPlan {
  contentType: string;
  /** Text pieces to write in order. */
  chunks: string[];
  /** Pause before each chunk after the first, ms. */
  delayMs: number;
  /** Destroy the socket after writing this many chunks (simulates a broken upstream). */
  cutAfter?: number;
}

export async function sendStream(res: ServerResponse, plan: StreamPlan): Promise<void> {
  res.writeHead(200, {
    'content-type': plan.contentType,
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  for (let i = 0; i < plan.chunks.length; i++) {
    if (res.destroyed) return;
    if (plan.cutAfter !== undefined && i >= plan.cutAfter) {
      // Let what was written reach the client, then break the connection mid-response.
      await sleep(20);
      res.socket?.destroy();
      return;
    }
    if (i > 0 && plan.delayMs > 0) await sleep(plan.delayMs);
    if (plan.cutAfter !== undefined)
      await new Promise<void>((resolve) => res.write(plan.chunks[i], () => resolve()));
    else res.write(plan.chunks[i]);
  }
  res.end();
}
