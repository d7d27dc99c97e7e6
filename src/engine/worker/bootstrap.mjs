// Worker bootstrap in plain JavaScript: registers the TypeScript loader in this thread, then loads
// the worker module named in workerData (Node 20 does not pass the main thread's loader on).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
