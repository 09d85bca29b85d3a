import { describe, expect, it } from 'vitest';
import { isLivesyncError, LivesyncError, RecordUploader } from '../src/index.js';

describe('RecordUploader', () => {
  it('uploads a stream in order in batches of batchSize, the last one partial', async () => {
    const seen: number[][] = [];
    const up = new RecordUploader<number>({ batchSize: 4, upload: async (b) => void seen.push(b) });
    async function* gen() {
      for (let i = 0; i < 10; i++) yield i;
    }
    expect(await up.iterateOver(gen())).toEqual({ batches: 3, records: 10 });
    expect(seen).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('accepts a bare batch size like the seed and defaults to 1000', () => {
    expect(new RecordUploader(250).batchSize).toBe(250);
    expect(new RecordUploader().batchSize).toBe(1000);
    expect(() => new RecordUploader(0)).toThrow(TypeError);
  });

  it('retries a failing batch with exponential backoff, then continues', async () => {
    const delays: number[] = [];
    let calls = 0;
    const up = new RecordUploader<number>({
      batchSize: 2,
      retries: 3,
      backoffMs: 50,
      sleep: async (ms) => void delays.push(ms),
      upload: async () => {
        calls++;
        if (calls <= 2) throw new Error('flaky');
      },
    });
    expect(await up.iterateOver([1, 2, 3])).toEqual({ batches: 2, records: 3 });
    expect(delays).toEqual([50, 100]);
    expect(calls).toBe(4);
  });

  it('gives up with UPLOAD_FAILED after the retries and sends no later batch', async () => {
    const sent: number[][] = [];
    const up = new RecordUploader<number>({
      batchSize: 1,
      retries: 2,
      sleep: async () => {},
      upload: async (b) => {
        if (b[0] === 2) throw new Error('down');
        sent.push(b);
      },
    });
    const err = await up.iterateOver([1, 2, 3]).catch((e: unknown) => e);
    expect(isLivesyncError(err) && err.code).toBe('UPLOAD_FAILED');
    expect(sent).toEqual([[1]]);
  });

  it('does not retry a rejection by the sink', async () => {
    let calls = 0;
    const up = new RecordUploader<number>({
      sleep: async () => {},
      upload: async () => {
        calls++;
        throw new LivesyncError('SINK_REJECTED', '400');
      },
    });
    const err = await up.iterateOver([1]).catch((e: unknown) => e);
    expect(isLivesyncError(err) && err.code).toBe('SINK_REJECTED');
    expect(calls).toBe(1);
  });

  it('calls onBatch after each successful batch', async () => {
    const beats: number[] = [];
    const up = new RecordUploader<number>({
      batchSize: 1,
      upload: async () => {},
      onBatch: (i) => void beats.push(i.index),
    });
    await up.iterateOver([1, 2, 3]);
    expect(beats).toEqual([0, 1, 2]);
  });
});
