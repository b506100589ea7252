// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// applyPolicy called from a worker thread covers the whole process, the main thread too.

const { Worker } = require('node:worker_threads')
const path = require('node:path')
const { report, trySpawn } = require('./common')

const before = trySpawn()
const worker = new Worker(path.join(__dirname, 'worker-apply-worker.js'))
worker.once('message', async (result) => {
  await worker.terminate()
  report({ before, result, after: trySpawn() })
})
