'use strict'
// Every case in tests/vectors/ (format: tests/vectors/README.md), the same cases the core and
// every binding run. Policies go in as plain objects, the way JavaScript code passes them;
// `policy_text` cases go through Policy.fromJson.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { Policy, compilePolicy, checkPolicy } = require('sysfence')
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

for (const file of files) {
  const vector = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
  const textual = 'policy_text' in vector || typeof vector.policy === 'string'
  const text = 'policy_text' in vector ? vector.policy_text : JSON.stringify(vector.policy)

  test(`${file}: ${vector.description}`, () => {
    if (vector.errors) {
      const expected = [...vector.errors].sort()
      let diagnostics
      if (textual) {
        const e = policyError(() => Policy.fromJson(text))
        assert.equal(e.code, 'ERR_SYSFENCE_POLICY')
        diagnostics = e.diagnostics
      } else {
        diagnostics = checkPolicy(vector.policy)
        const e = policyError(() => compilePolicy(vector.policy))
        assert.equal(e.code, 'ERR_SYSFENCE_POLICY')
        assert.ok(expected.includes(e.path), `first path ${e.path}`)
        assert.deepEqual(
          e.diagnostics.map((d) => d.path).sort(),
          expected,
          'the thrown error carries every problem',
        )
      }
      const errors = diagnostics.filter((d) => d.severity === 'error')
      assert.deepEqual(errors.map((d) => d.path).sort(), expected)
      for (const [where, needle] of Object.entries(vector.error_contains ?? {})) {
        const d = errors.find((x) => x.path === where)
        assert.ok(d, `no error at ${where}`)
        assert.ok(d.message.includes(needle), `${where}: ${d.message}`)
      }
      return
    }
    const input = textual ? Policy.fromJson(text) : vector.policy
    const diagnostics = checkPolicy(input)
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
      'unexpected errors',
    )
    const warned = new Set(diagnostics.map((d) => d.path))
    for (const w of vector.warnings ?? []) {
      assert.ok(warned.has(w), `warning ${w} missing from ${JSON.stringify(diagnostics)}`)
    }
    // The canonical form reads back to the same policy.
    const policy = textual ? input : new Policy(vector.policy)
    assert.deepEqual(new Policy(policy.toJSON()).toJSON(), policy.toJSON())
    const filter = compilePolicy(input)
    for (const sim of vector.simulate ?? []) {
      assert.equal(
        filter.simulate(sim.syscall, sim.args ?? [], sim.arch),
        sim.action,
        JSON.stringify(sim),
      )
    }
  })
}
