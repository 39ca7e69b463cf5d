// Worker-thread entry: hosts one learner group (a slice of a collection's tasks) and answers one message per
// env step. Started by WorkerPool; never imported by the library itself.
import { parentPort } from 'node:worker_threads';
import type { BatchedLearner } from '../algorithm';
import { makeAlgorithm } from '../registry';
import { serializeError, type WorkerReply, type WorkerRequest } from './protocol';

let learner: BatchedLearner | null = null;

function handle(msg: WorkerRequest): WorkerReply {
  if (msg.type === 'init') {
    learner = makeAlgorithm(msg.name, msg.settings).createLearner(msg.spec);
    return {};
  }
  if (learner === null) throw new Error('learner worker: step before init');
  if (msg.type === 'metrics') return { metrics: learner.metrics() };
  if (msg.observe !== null) learner.observe(msg.observe, msg.observe.last);
  const actions = msg.act === null ? null : learner.act(msg.act.obs, msg.act.optimalActions);
  return { actions };
}

parentPort!.on('message', (msg: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = handle(msg);
  } catch (error) {
    reply = { error: serializeError(error) };
  }
  parentPort!.postMessage(reply);
});
