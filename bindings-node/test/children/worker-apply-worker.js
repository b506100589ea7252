// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// The worker half of worker-apply.js.

const { parentPort } = require('node:worker_threads')
const { applyPolicy } = require('sysfence')

parentPort.postMessage(applyPolicy('no-exec'))
