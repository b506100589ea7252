// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// parseAuditLine on every case of tests/fixtures/audit/cases.json, the fixture the core and
// the other bindings read. (The kernel test of log mode parses a record the kernel just wrote.)

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { parseAuditLine } = require('sysfence')
const { repoRoot } = require('./helpers')

const fixture = JSON.parse(
  fs.readFileSync(path.join(repoRoot(), 'tests', 'fixtures', 'audit', 'cases.json'), 'utf8'),
)

/** The value at a dotted ECS path (`seccomp.syscall.name`), or undefined. */
function at(doc, dotted) {
  if (dotted in doc) return doc[dotted] // `@timestamp`
  return dotted.split('.').reduce((v, k) => (v == null ? undefined : v[k]), doc)
}

test('the audit cases are there', () => {
  assert.ok(fixture.cases.length >= 20, `only ${fixture.cases.length} cases`)
})

for (const c of fixture.cases) {
  test(`parseAuditLine: ${c.name}`, () => {
    const doc = parseAuditLine(c.line)
    if (c.expect === null) {
      assert.equal(doc, null)
      return
    }
    assert.ok(doc && typeof doc === 'object', 'no document')
    for (const [dotted, value] of Object.entries(c.expect)) {
      // The fixture's host name stands for this machine's, unless the record names its node.
      const expected = dotted === 'host.name' && value === 'test-host' ? os.hostname() : value
      assert.deepEqual(at(doc, dotted), expected, dotted)
    }
    for (const dotted of c.absent ?? []) {
      assert.equal(at(doc, dotted), undefined, `${dotted} is set`)
    }
  })
}

test('parseAuditLine takes only strings', () => {
  assert.throws(() => parseAuditLine(42), { code: 'ERR_SYSFENCE_INVALID_ARGUMENT' })
  assert.throws(() => parseAuditLine(), { code: 'ERR_SYSFENCE_INVALID_ARGUMENT' })
})
