// A data worker thread's entry (see parallel.ts). It is sent one job: the path of a data file
// and, for a CSV file read in parts, the byte range of its part. It reads what it needs from
// the file itself, so the thread that started it never reads, copies or hashes those bytes. It
// replies with the part's scan first (the columns handed over, not copied), then, when asked,
// the whole file's sha256.
//
// A streamed CSV file's parse workers are sent a StreamJob instead, then one batch request after
// another (csv-stream.ts).
import { parentPort } from 'node:worker_threads';
import { type StreamJob, serveStream } from './csv-stream.ts';
import { runJob, type WorkerJob } from './parallel.ts';

parentPort?.once('message', (job: WorkerJob | StreamJob) => {
  if ('stream' in job) {
    serveStream(
      job,
      (handle) => parentPort?.on('message', handle),
      (message, transfer) => parentPort?.postMessage(message, transfer),
    );
  } else {
    runJob(job, (message, transfer) => parentPort?.postMessage(message, transfer));
  }
});
