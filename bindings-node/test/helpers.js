// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Shared by the tests. They run from a scratch project that installed the packed tarball
// (see mk/node.mk), so `require('sysfence')` is the installed package, never the source tree.
// Every filter is loaded in a child process: the test runner itself never gets one.

const { fork } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { setTimeout: sleep } = require('node:timers/promises')

/** The repository checkout, for the shared vectors and docs (set by `make test-node`). */
function repoRoot() {
  const root = process.env.SYSFENCE_REPO
  if (!root || !fs.existsSync(path.join(root, 'tests', 'vectors'))) {
    throw new Error('SYSFENCE_REPO must name the sysfence checkout (make test-node sets it)')
  }
  return root
}

/**
 * Forks `test/children/<name>` with `args`. The child reports with `process.send`; resolves to
 * `{ code, signal, stdout, stderr, messages }` once it has exited.
 */
function runChild(name, args = [], options = {}) {
  const file = path.join(__dirname, 'children', name)
  return runScript(file, args, options)
}

/** Forks any script file (used for the docs' examples too). */
function runScript(file, args = [], options = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(file, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      cwd: options.cwd ?? path.dirname(file),
      env: { ...process.env, ...(options.env ?? {}) },
    })
    const messages = []
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('message', (m) => messages.push(m))
    child.on('error', reject)
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 30000)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      // Let the stdio streams drain before resolving.
      setImmediate(() => resolve({ code, signal, stdout, stderr, messages, pid: child.pid }))
    })
  })
}

/** The one message a child sent, or a failure that shows what the child printed. */
function onlyMessage(result) {
  if (result.messages.length !== 1) {
    throw new Error(
      `expected one message from the child, got ${result.messages.length} ` +
        `(exit ${result.code}, signal ${result.signal})\n${result.stderr}`,
    )
  }
  return result.messages[0]
}

/**
 * Reads /dev/kmsg from now on: `find(needles, ms)` waits for a record holding every needle.
 * Records already in the buffer are skipped first.
 */
function openKmsg() {
  const fd = fs.openSync('/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  const buf = Buffer.alloc(16384)
  const next = () => {
    for (;;) {
      try {
        const n = fs.readSync(fd, buf, 0, buf.length, null)
        return n > 0 ? buf.toString('utf8', 0, n) : null
      } catch (e) {
        if (e.code === 'EAGAIN') return null
        if (e.code === 'EPIPE') continue // records were overwritten while reading: go on
        throw e
      }
    }
  }
  while (next() !== null) {
    // skip the records that were there before
  }
  return {
    async find(needles, ms) {
      const deadline = Date.now() + ms
      for (;;) {
        let line
        while ((line = next()) !== null) {
          if (needles.every((n) => line.includes(n))) return line
        }
        if (Date.now() > deadline) return null
        await sleep(50)
      }
    },
    close() {
      fs.closeSync(fd)
    },
  }
}

/**
 * Runs `name` (a child that reports `{ pid }` of the process whose syscall is logged) and
 * waits for the kernel's seccomp record with every needle. The kernel rate-limits the audit
 * lines it prints (10 per 5 s), so a missed record is tried again after the window.
 */
async function loggedChild(name, needlesFor, args = []) {
  let last
  for (let attempt = 0; attempt < 4; attempt++) {
    const kmsg = openKmsg()
    try {
      const result = await runChild(name, args)
      const report = onlyMessage(result)
      const line = await kmsg.find(needlesFor(report), 2000)
      last = { result, report, line }
      if (line) return last
    } finally {
      kmsg.close()
    }
    await sleep(5500)
  }
  return last
}

module.exports = { repoRoot, runChild, runScript, onlyMessage, openKmsg, loggedChild, sleep }
