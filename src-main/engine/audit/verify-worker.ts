// Worker thread for verify: checks the segments it is sent and answers with their summaries.
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { checkSegment } from './segment-check.js';

parentPort?.on('message', async (task: { path: string; name: string; headSeq: number }) => {
  try {
    const buf = await readFile(task.path);
    parentPort!.postMessage({ ok: true, summary: checkSegment(buf, task.name, task.headSeq) });
  } catch (error) {
    parentPort!.postMessage({ ok: false, code: (error as NodeJS.ErrnoException).code, message: (error as Error).message });
  }
});
