/**
 * The worker thread of `FeedWorker`: reads the dashboard's feed, says when it has the
 * snapshot, and answers every `records` message with all it received so far.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FeedClient } from './dashboard-feed-client.js';

const port = parentPort!;
const client = await FeedClient.open((workerData as { url: string }).url);
port.postMessage('ready');
port.on('message', () => {
  port.postMessage({ snapshotSeq: client.snapshotSeq, events: client.events });
});
