// Files hashed on worker threads: the content hash has to be known before anything is uploaded, so
// hashing sits alone on the critical path, and one thread did ~1 GB/s. Node's sha256 runs on the
// calling thread; WebCrypto's digest runs in the thread pool but takes a whole file in one buffer.
//
// The worker's code is plain JavaScript in a string (`eval: true`), so the task bundle stays one
// file: a worker file of its own would need its own bundle beside every task that packages
// artifacts.
import * as os from 'os';
import { Worker } from 'worker_threads';
import { SAMPLE_SPAN, SAMPLE_STRIDE, SAMPLED_MIN_SIZE } from './compression';

const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('worker_threads');
const crypto = require('crypto');
const fs = require('fs');
const { readSize, progressEvery, stride, span, sampledMinSize } = workerData;
const buffer = Buffer.allocUnsafe(readSize);

// sha256 of the file and, for files of sampledMinSize bytes and more, the histogram of the bytes in
// the first span of every stride (by position in the file, whatever the reads return). Synchronous
// reads: this thread has nothing else to do, and a round trip to the thread pool per read cost as
// much as the hashing.
function hashFile(job) {
  const hash = crypto.createHash('sha256');
  const histogram = job.size >= sampledMinSize ? new Uint32Array(256) : undefined;
  let read = 0;
  let unreported = 0;
  const fd = fs.openSync(job.source, 'r');
  try {
    for (;;) {
      const bytesRead = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      if (histogram) {
        const end = read + bytesRead;
        for (let at = read; at < end;) {
          const inStride = at % stride;
          if (inStride >= span) {
            at += stride - inStride;
            continue;
          }
          const stop = Math.min(end, at - inStride + span);
          for (let k = at; k < stop; k++) histogram[buffer[k - read]]++;
          at = stop;
        }
      }
      read += bytesRead;
      unreported += bytesRead;
      if (unreported >= progressEvery) {
        parentPort.postMessage({ id: job.id, bytes: unreported });
        unreported = 0;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  if (unreported > 0) parentPort.postMessage({ id: job.id, bytes: unreported });
  return { id: job.id, sha256: hash.digest('hex'), histogram, read };
}

parentPort.on('message', (job) => {
  let reply;
  try {
    reply = hashFile(job);
  } catch (err) {
    const message = String((err && err.message) || err);
    reply = { id: job.id, error: { message, code: err && err.code } };
  }
  parentPort.postMessage(reply);
});
`;

/** Bytes per read: also the size of each worker's read buffer. */
const READ_SIZE = 1024 * 1024;
/** Progress from a worker comes every this many bytes of a file, and at its end. */
const PROGRESS_EVERY = 8 * 1024 * 1024;
/** Files on the way per worker: the next one is waiting by the time one is done. */
const FILES_PER_WORKER = 2;
const MAX_WORKERS = 4;

export interface HashedFile {
  sha256: string;
  /** Byte histogram of the entropy sample, for files of SAMPLED_MIN_SIZE bytes and more. */
  histogram?: Uint32Array;
  /** Bytes read: the file's size when it did not change. */
  read: number;
}

interface Job {
  resolve: (r: HashedFile) => void;
  reject: (e: unknown) => void;
  onBytes: (n: number) => void;
  worker: Slot;
}

interface Slot {
  worker: Worker;
  pending: number;
}

type Reply =
  | { id: number; bytes: number }
  | { id: number; sha256: string; histogram?: Uint32Array; read: number }
  | { id: number; error: { message: string; code?: string } };

export class HashWorkers {
  /**
   * As many workers as the machine has cores, up to MAX_WORKERS: hashing is all this phase does.
   */
  static readonly count = Math.max(1, Math.min(os.availableParallelism(), MAX_WORKERS));
  readonly capacity = HashWorkers.count * FILES_PER_WORKER;
  private readonly slots: Slot[];
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;
  private failure: { error: Error } | undefined;

  constructor() {
    this.slots = Array.from({ length: HashWorkers.count }, () => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          readSize: READ_SIZE,
          progressEvery: PROGRESS_EVERY,
          stride: SAMPLE_STRIDE,
          span: SAMPLE_SPAN,
          sampledMinSize: SAMPLED_MIN_SIZE,
        },
      });
      worker.on('message', (reply: Reply) => this.onReply(reply));
      worker.on('error', (err) => void this.stop(err));
      worker.on('exit', () => void this.stop(new Error('A hashing thread ended unexpectedly.')));
      return { worker, pending: 0 };
    });
  }

  hash(source: string, size: number, onBytes: (n: number) => void): Promise<HashedFile> {
    if (this.failure) return Promise.reject(this.failure.error);
    const slot = this.slots.reduce((a, b) => (b.pending < a.pending ? b : a));
    const id = this.nextId++;
    slot.pending++;
    return new Promise<HashedFile>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, onBytes, worker: slot });
      slot.worker.postMessage({ id, source, size });
    });
  }

  /** Ends the workers; jobs still on the way fail with `reason`. */
  stop(reason: Error): Promise<void> {
    this.failure ??= { error: reason };
    for (const job of this.jobs.values()) job.reject(this.failure.error);
    this.jobs.clear();
    return Promise.all(
      this.slots.map((s) => {
        s.worker.removeAllListeners('exit');
        return s.worker.terminate();
      }),
    ).then(() => undefined);
  }

  private onReply(reply: Reply): void {
    const job = this.jobs.get(reply.id);
    if (!job) return;
    if ('bytes' in reply) {
      job.onBytes(reply.bytes);
      return;
    }
    this.jobs.delete(reply.id);
    job.worker.pending--;
    if ('error' in reply)
      job.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else job.resolve({ sha256: reply.sha256, histogram: reply.histogram, read: reply.read });
  }
}
