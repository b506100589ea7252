// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// What the kernel decides, checked against the kernel. Each filter is loaded in a forked child
// (test/children/*), which reports what happened; the runner itself never loads a filter.

const test = require('node:test')
const assert = require('node:assert/strict')
const os = require('node:os')
const { parseAuditLine } = require('sysfence')
const { runChild, onlyMessage, loggedChild } = require('./helpers')


test('no-exec: exec fails with EACCES on the main thread and in a worker started before', async () => {
  const r = onlyMessage(await runChild('no-exec.js'))
  // Controls: before the call, both threads could run programs.
  assert.deepEqual(r.before.main, { exec: 'ok', spawn: 'ok' })
  assert.deepEqual(r.before.worker, { exec: 'ok', spawn: 'ok', seccomp: r.before.worker.seccomp })
  assert.deepEqual(r.after.main, { exec: 'EACCES', spawn: 'EACCES' })
  assert.deepEqual(r.after.worker, { exec: 'EACCES', spawn: 'EACCES', seccomp: 2 })
  assert.deepEqual(r.result.architectures, [process.arch === 'x64' ? 'x86_64' : process.arch])
  assert.equal(r.result.mode, 'enforce')
  assert.equal(r.result.logDenied, true)
  assert.ok(r.result.instructions > 0)
  // One filter more than before (a container runtime may have loaded one already).
  const main = r.tasksBefore.find((t) => t.tid === r.pid)
  assert.deepEqual(r.status, { mode: 'filter', filters: main.filters + 1, noNewPrivs: true })
})

test('no-exec: every thread in /proc/self/task shows the filter', async () => {
  const r = onlyMessage(await runChild('no-exec.js'))
  // Node runs V8 platform threads and libuv's pool besides the main thread and the worker.
  assert.ok(r.tasksBefore.length >= 6, `only ${r.tasksBefore.length} threads`)
  const before = new Map(r.tasksBefore.map((t) => [t.tid, t]))
  const survivors = r.tasksAfter.filter((t) => before.has(t.tid))
  assert.ok(survivors.length >= r.tasksBefore.length - 1, 'threads went away before the check')
  for (const t of survivors) {
    const was = before.get(t.tid)
    assert.deepEqual(
      { seccomp: t.seccomp, filters: t.filters, noNewPrivs: t.noNewPrivs },
      { seccomp: 2, filters: was.filters + 1, noNewPrivs: 1 },
      `thread ${t.tid}`,
    )
  }
})

test("libuv's thread pool, running before the call, is covered (TSYNC)", async () => {
  const r = onlyMessage(await runChild('pool.js'))
  assert.deepEqual(r.before, { pool: 'ok', main: 'ok' })
  assert.deepEqual(r.after, { pool: 'EACCES', main: 'EACCES' })
})

test('applyPolicy from a worker thread covers the main thread', async () => {
  const r = onlyMessage(await runChild('worker-apply.js'))
  assert.equal(r.before, 'ok')
  assert.equal(r.result.mode, 'enforce')
  assert.equal(r.after, 'EACCES')
})

test('applyPolicy takes the mode as an option', async () => {
  const r = onlyMessage(await runChild('mode-option.js'))
  assert.equal(r.bad.code, 'ERR_SYSFENCE_INVALID_ARGUMENT')
  assert.match(r.bad.message, /"log"/)
  assert.equal(r.bad.seccomp, 'disabled', 'a bad mode loads nothing')
  assert.equal(r.misspelt, 'ERR_SYSFENCE_INVALID_ARGUMENT', 'a misspelt option is not ignored')
  assert.equal(r.mode, 'log')
  assert.equal(r.inLog, 'ok')
  assert.equal(r.enforced, 'EACCES')
})

test('log mode: what the policy refuses runs, and the kernel logs it', async () => {
  const got = await loggedChild('log-mode.js', (r) => [
    'type=1326',
    ` pid=${r.pid} `,
    'syscall=59', // execve on x86_64
    'code=0x7ffc0000', // SECCOMP_RET_LOG
  ])
  assert.equal(got.report.error, null)
  assert.equal(got.report.status, 0, 'the program ran')
  assert.equal(got.report.result.mode, 'log')
  assert.ok(got.line, 'no seccomp log record for the child')
  // The record the kernel wrote, read back by parseAuditLine.
  const event = parseAuditLine(got.line)
  assert.equal(event.event.action, 'violated-seccomp-policy')
  assert.equal(event.process.pid, got.report.pid)
  assert.equal(event.seccomp.syscall.name, 'execve')
  assert.equal(event.seccomp.action, 'log')
})

test('argument rules: openat with O_CREAT is refused, other opens run', async () => {
  const r = onlyMessage(await runChild('args.js'))
  assert.equal(r.before, 'ok')
  assert.deepEqual(r.after, { create: 'EPERM', read: 'ok', openExisting: 'ok' })
})

test('Filter.load(): the kernel does what simulate() predicted', async () => {
  // process.ppid makes a getppid call each time it is read.
  const ranWith = (ppid) => (r) => assert.equal(lastOf(r).ppid, ppid(lastOf(r)))
  const cases = [
    ['errno:EACCES', ranWith(() => -os.constants.errno.EACCES)], // libuv returns -errno
    ['log', ranWith((m) => m.realParent)],
    ['kill_process', (r) => assert.equal(r.signal, 'SIGSYS')],
    ['trap', (r) => assert.equal(r.signal, 'SIGSYS')],
  ]
  for (const [action, check] of cases) {
    const policy = { default_action: 'allow', log_denied: false, rules: [{ action, syscalls: ['getppid'] }] }
    const r = await runChild('filter-load.js', [JSON.stringify(policy), String(process.pid)])
    assert.equal(r.messages[0]?.predicted, action, `${action}: ${r.stderr}`)
    check(r)
  }
})

function lastOf(r) {
  assert.equal(r.messages.length, 2, `child said ${JSON.stringify(r.messages)}: ${r.stderr}`)
  return r.messages[1]
}

test('a load the kernel refuses throws ERR_SYSFENCE_LOAD with errno, and adds nothing', async () => {
  const r = onlyMessage(await runChild('load-error.js'))
  assert.ok(r.length > 3637 && r.length <= 4092, `a ${r.length}-instruction filter`)
  assert.equal(r.loads, 8, 'eight such filters fit in 32768 instructions')
  assert.equal(r.error.isError, true)
  assert.equal(r.error.code, 'ERR_SYSFENCE_LOAD')
  assert.equal(r.error.errno, os.constants.errno.ENOMEM)
  assert.equal(r.error.stage, 'seccomp')
  assert.equal(r.status.mode, 'filter')
  assert.equal(r.status.filters, r.before.filters + 8, 'the refused filter was not added')
  assert.equal(r.exec, 'ok')
})

test('applyPolicy with bad input throws coded errors and loads nothing', async () => {
  const r = onlyMessage(await runChild('apply-errors.js'))
  assert.equal(r.errors.typo.isError, true)
  assert.equal(r.errors.typo.code, 'ERR_SYSFENCE_POLICY')
  assert.equal(r.errors.typo.path, 'rules[0].syscalls[0]')
  assert.deepEqual(
    r.errors.typo.diagnostics.map((d) => [d.severity, d.path]),
    [['error', 'rules[0].syscalls[0]']],
  )
  assert.match(r.errors.typo.diagnostics[0].message, /did you mean "execve"/)
  assert.equal(r.errors.preset.code, 'ERR_SYSFENCE_POLICY')
  assert.equal(r.errors.preset.path, '$')
  assert.equal(r.errors.undefined.code, 'ERR_SYSFENCE_INVALID_ARGUMENT')
  assert.equal(r.errors.number.code, 'ERR_SYSFENCE_POLICY')
  assert.equal(r.errors.number.path, '$')
  assert.deepEqual(r.status, r.before, 'nothing was loaded')
  assert.equal(r.exec, 'ok')
})
