// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Every case in tests/vectors/ (format: tests/vectors/README.md), the same cases the core and
// every binding run. Policies go in as plain objects, the way JavaScript code passes them;
// `policy_text` cases go through Policy.fromJson, `argument` cases as strings.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { ErrorCode, Policy, compilePolicy, checkPolicy } = require('sysfence')
const { repoRoot } = require('./helpers')

const dir = path.join(repoRoot(), 'tests', 'vectors')
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()

test('the vectors are there', () => {
  assert.ok(files.length >= 10, `only ${files.length} vectors in ${dir}`)
})

/** The error a policy input must raise, with every diagnostic. */
function policyError(fn) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error)
    return e
  }
  assert.fail('the policy was accepted')
}

/** `[path, kind]` pairs, to compare with a vector's `errors` or `warnings`. */
const pairs = (list) => list.map((d) => [d.path, d.kind])

for (const file of files) {
  const vector = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
  // A string policy argument (JSON text or a preset name), JSON text through Policy.fromJson,
  // or a plain object.
  const input =
    'argument' in vector
      ? vector.argument
      : 'policy_text' in vector || typeof vector.policy === 'string'
        ? null
        : vector.policy
  const text = 'policy_text' in vector ? vector.policy_text : JSON.stringify(vector.policy)
  const build = () => compilePolicy(input === null ? Policy.fromJson(text) : input)

  test(`${file}: ${vector.description}`, () => {
    let report
    if (input === null) {
      try {
        report = checkPolicy(Policy.fromJson(text))
      } catch (e) {
        assert.equal(e.code, 'ERR_SYSFENCE_POLICY')
        const errors = e.diagnostics
        report = { ok: false, errors: errors.length, warnings: 0, diagnostics: errors }
      }
    } else {
      report = checkPolicy(input)
    }
    const errors = report.diagnostics.filter((d) => d.severity === 'error')
    assert.equal(report.ok, errors.length === 0)
    assert.deepEqual([report.errors, report.warnings], [errors.length, report.diagnostics.length - errors.length])
    if (vector.errors) {
      assert.deepEqual(pairs(errors), pairs(vector.errors))
      for (const [where, suggestion] of Object.entries(vector.suggestions ?? {})) {
        assert.deepEqual(
          errors.filter((d) => d.path === where).map((d) => d.suggestion),
          [suggestion],
        )
      }
      const e = policyError(build)
      assert.equal(e.code, ErrorCode.Policy)
      assert.equal(e.path, vector.errors[0].path)
      assert.deepEqual(pairs(e.diagnostics)[0], pairs(vector.errors)[0])
      return
    }
    assert.deepEqual(pairs(report.diagnostics), pairs(vector.warnings))
    if (input !== null && typeof input !== 'string') {
      // The canonical form reads back to the same policy.
      const policy = new Policy(input)
      assert.deepEqual(new Policy(policy.toJSON()).toJSON(), policy.toJSON())
    }
    const filter = build()
    for (const sim of vector.simulate ?? []) {
      assert.equal(
        filter.simulate(sim.syscall, sim.args ?? [], sim.arch),
        sim.action,
        JSON.stringify(sim),
      )
      if (sim.decided_by !== undefined) {
        const e = filter.explain(sim.syscall, sim.args ?? [], sim.arch)
        assert.deepEqual([e.action, e.decidedBy], [sim.action, sim.decided_by], JSON.stringify(sim))
      }
    }
  })
}
