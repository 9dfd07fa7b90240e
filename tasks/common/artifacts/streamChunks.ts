import type { Readable } from 'stream';

/**
 * A readable's chunks one by one, as they were pushed, with backpressure (zlib's output of a large
 * text file, into the archive). `for await` on the stream itself calls `read()`, which joins
 * everything buffered into a new Buffer: a second copy of nearly every byte, and work for the
 * garbage collector.
 */
export async function* chunksOf(stream: Readable, highWater = 4): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    if (queue.length >= highWater) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= { error };
    notify();
  };
  const onClose = () => {
    // Destroyed without an error or an end: nothing more comes.
    if (!ended && !failure) failure = { error: new Error('The stream closed before it ended.') };
    notify();
  };
  stream.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        if (queue.length < highWater / 2 && stream.isPaused()) stream.resume();
        yield chunk;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
  }
}
