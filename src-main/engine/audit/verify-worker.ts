// Worker thread for verify: checks the segments it is sent and answers with their summaries.
import { parentPort } from 'node:worker_threads';
import { checkSegmentFile } from './segment-check.js';

const buffer = { buf: Buffer.allocUnsafe(8 * 1024 * 1024) };

parentPort?.on('message', async (task: { path: string; name: string; headSeq: number }) => {
  try {
    parentPort!.postMessage({ ok: true, summary: await checkSegmentFile(task.path, task.name, task.headSeq, buffer) });
  } catch (error) {
    parentPort!.postMessage({ ok: false, code: (error as NodeJS.ErrnoException).code, message: (error as Error).message });
  }
});
