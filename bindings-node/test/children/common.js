// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// What the child scripts share: report a result to the test, try to run programs, and read
// the kernel's view of every thread.

const { execSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')

/** Sends `value` to the test and lets the child exit. */
function report(value) {
  process.send(value, () => process.disconnect())
}

/** `execSync` through a shell: 'ok', or the error's code (`EACCES`). */
function tryExec() {
  try {
    execSync('true', { stdio: 'ignore' })
    return 'ok'
  } catch (e) {
    return e.code ?? `status ${e.status}`
  }
}

/** `spawnSync` of a program: 'ok', or the error's code (`EACCES`). */
function trySpawn() {
  const r = spawnSync('/bin/true')
  if (r.error) return r.error.code
  return r.status === 0 ? 'ok' : `status ${r.status}`
}

/** The seccomp fields of /proc/<path>/status. */
function parseStatus(text) {
  const field = (name) => {
    const m = text.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))
    return m ? m[1].trim() : null
  }
  return {
    name: field('Name'),
    seccomp: Number(field('Seccomp')),
    filters: Number(field('Seccomp_filters')),
    noNewPrivs: Number(field('NoNewPrivs')),
  }
}

/** Every thread of this process as the kernel shows it. */
function tasks() {
  return fs.readdirSync('/proc/self/task').map((tid) => ({
    tid: Number(tid),
    ...parseStatus(fs.readFileSync(`/proc/self/task/${tid}/status`, 'utf8')),
  }))
}

/** A thrown error's code and properties, for the test to compare. */
function errorOf(fn) {
  try {
    fn()
    return null
  } catch (e) {
    return {
      isError: e instanceof Error,
      code: e.code,
      path: e.path,
      errno: e.errno,
      stage: e.stage,
      diagnostics: e.diagnostics,
    }
  }
}

module.exports = { report, tryExec, trySpawn, parseStatus, tasks, errorOf }
