// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Precompiled filters: loaded from bytes in a forked child, and the shared malformed inputs
// (tests/fixtures/compiled) refused with the reason each names.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { compilePolicy, Filter } = require('sysfence')
const { repoRoot, runChild, onlyMessage } = require('./helpers')

test('a precompiled no-exec filter refuses exec in a child', async () => {
  const bytes = compilePolicy('no-exec').toBuffer().toString('base64')
  assert.deepEqual(onlyMessage(await runChild('precompiled.js', [bytes])), { before: 'ok', after: 'EACCES' })
})

test('raw BPF loads with explicit flags in a child', async () => {
  const bytes = compilePolicy('no-exec').bpf().toString('base64')
  assert.deepEqual(onlyMessage(await runChild('precompiled.js', [bytes, 'raw'])), {
    before: 'ok',
    after: 'EACCES',
  })
})

test('round trip keeps the program, flags and policy digest', () => {
  const f = compilePolicy({ default_action: 'allow', log_denied: true, extends: ['no-exec'] })
  const g = Filter.fromBuffer(f.toBuffer())
  assert.deepEqual(g.bpf(), f.bpf())
  assert.equal(g.logDenied, true)
  assert.deepEqual(g.architectures, f.architectures)
  assert.equal(g.policyDigest, f.policyDigest)
  assert.equal(g.policyDigest.length, 64)
  assert.equal(g.simulate('execve'), 'errno:EACCES')
})

test('the shared malformed inputs are refused', () => {
  const dir = path.join(repoRoot(), 'tests', 'fixtures', 'compiled')
  const cases = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'))
  assert.ok(Object.keys(cases).length >= 15)
  for (const [name, { kind, error }] of Object.entries(cases)) {
    const data = fs.readFileSync(path.join(dir, name))
    assert.throws(
      () => (kind === 'sfb' ? Filter.fromBuffer(data) : Filter.fromRawBpf(data)),
      (e) => e.code === 'ERR_SYSFENCE_INVALID_ARGUMENT' && e.message.includes(error),
      name,
    )
  }
})
