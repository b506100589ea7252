// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// applyPolicy('no-exec') with a worker thread that was running before the call: running a
// program fails with EACCES on the main thread and in the worker, and every thread of the
// process shows the filter.

const { Worker } = require('node:worker_threads')
const fs = require('node:fs')
const { report, tryExec, trySpawn, tasks } = require('./common')

const worker = new Worker(
  `
  const { parentPort } = require('node:worker_threads')
  const { execSync, spawnSync } = require('node:child_process')
  const fs = require('node:fs')
  parentPort.on('message', () => {
    let exec = 'ok'
    try { execSync('true', { stdio: 'ignore' }) } catch (e) { exec = e.code ?? 'status ' + e.status }
    const r = spawnSync('/bin/true')
    const spawn = r.error ? r.error.code : (r.status === 0 ? 'ok' : 'status ' + r.status)
    const self = fs.readFileSync('/proc/thread-self/status', 'utf8')
    parentPort.postMessage({ exec, spawn, seccomp: Number(/^Seccomp:\\s*(\\d+)/m.exec(self)[1]) })
  })
  parentPort.postMessage('ready')
  `,
  { eval: true },
)

const ask = () => new Promise((resolve) => worker.once('message', resolve).postMessage('go'))

worker.once('message', async () => {
  // Put libuv's thread pool to work too, so its threads exist before the call.
  await fs.promises.readFile('/proc/self/status')
  const before = { main: { exec: tryExec(), spawn: trySpawn() }, worker: await ask() }
  const tasksBefore = tasks()
  const sysfence = require('sysfence')
  const result = sysfence.applyPolicy('no-exec')
  const after = { main: { exec: tryExec(), spawn: trySpawn() }, worker: await ask() }
  const tasksAfter = tasks() // with the worker's thread still running
  await worker.terminate()
  report({ pid: process.pid, before, after, result, tasksBefore, tasksAfter, status: sysfence.status() })
})
