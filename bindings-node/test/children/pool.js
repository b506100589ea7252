// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// libuv's thread pool runs fs.promises calls; its threads exist before the filter is loaded
// and must be covered by it (TSYNC). access(2) is refused on every thread.

const fs = require('node:fs')
const { report } = require('./common')

const codeOf = async (fn) => {
  try {
    await fn()
    return 'ok'
  } catch (e) {
    return e.code
  }
}

;(async () => {
  const sysfence = require('sysfence')
  const before = {
    pool: await codeOf(() => fs.promises.access('/')),
    main: await codeOf(() => fs.accessSync('/')),
  }
  sysfence.applyPolicy({
    default_action: 'allow',
    rules: [{ action: 'errno:EACCES', syscalls: ['access', 'faccessat', 'faccessat2'] }],
  })
  const after = {
    pool: await codeOf(() => fs.promises.access('/')),
    main: await codeOf(() => fs.accessSync('/')),
  }
  report({ before, after })
})()
