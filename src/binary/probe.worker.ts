// The `probe` worker: answers one message with where it runs, so tests (and the binary) can show
// that worker entries start from the source tree and from the executable alike.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { version } from '../version.ts';
import { isBinary } from './sea.ts';

parentPort?.postMessage({ threadId, binary: isBinary(), version, echo: workerData as unknown });
