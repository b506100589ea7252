// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Attacks on the conversion of JavaScript values into a policy (issue 9, items 7 and 8). What
// is read is what JSON.stringify would read of plain data: own enumerable string-keyed
// properties, own array elements, each once; everything else is a coded error naming the
// path, never an abort, a stack overflow, or an exception of another kind. Filters are loaded
// only in children (test/children/*).

const test = require('node:test')
const assert = require('node:assert/strict')
const { Policy, checkPolicy, compilePolicy } = require('sysfence')
const { runChild, onlyMessage } = require('./helpers')

const thrown = (fn) => {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('did not throw')
}

/** Runs `fn` with `proto[key] = value`, then removes it again. */
function polluted(proto, entries, fn) {
  for (const [k, v] of Object.entries(entries)) proto[k] = v
  try {
    return fn()
  } finally {
    for (const k of Object.keys(entries)) delete proto[k]
  }
}

/** The policy error `fn` throws: code ERR_SYSFENCE_POLICY, at `path`, message matching `re`. */
function policyError(fn, path, re) {
  const e = thrown(fn)
  assert.ok(e instanceof Error, `not an Error: ${e}`)
  assert.equal(e.code, 'ERR_SYSFENCE_POLICY', e.message)
  assert.equal(e.path, path, e.message)
  if (re) assert.match(e.message, re)
  return e
}

const NO_EXEC = { default_action: 'allow', extends: ['no-exec'] }

test('Object.prototype pollution adds no field: mode, log_denied, default_action, rules', () => {
  const p = polluted(Object.prototype, { mode: 'log', log_denied: false }, () => new Policy(NO_EXEC))
  assert.equal(p.toJSON().mode, 'enforce')
  assert.equal(p.toJSON().log_denied, true)
  const f = polluted(
    Object.prototype,
    { rules: [{ action: 'allow', syscalls: ['execve'] }], architectures: ['x86'] },
    () => compilePolicy(NO_EXEC),
  )
  assert.equal(f.simulate('execve'), 'errno:EACCES')
  assert.deepEqual(f.architectures, ['x86_64'])
  // A field the policy lacks stays missing: the core says so.
  const missing = polluted(Object.prototype, { default_action: 'allow' }, () =>
    checkPolicy({ rules: [{ action: 'errno', syscalls: ['ptrace'] }] }),
  )
  assert.ok(missing.diagnostics.some((d) => d.path === 'default_action' && d.severity === 'error'))
  // Nested objects too: a rule's args, an arg's mask.
  const rule = polluted(Object.prototype, { args: [{ index: 0, op: 'eq', value: 1 }] }, () =>
    compilePolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls: ['dup'] }] }),
  )
  assert.equal(rule.simulate('dup', [7]), 'errno:EPERM')
})

test('a getter that deletes a later property does not expose the inherited one', () => {
  const policy = {
    default_action: 'allow',
    get extends() {
      delete this.mode
      return ['no-exec']
    },
    mode: 'enforce',
  }
  const p = polluted(Object.prototype, { mode: 'log' }, () => new Policy(policy))
  assert.equal(p.toJSON().mode, 'enforce')
})

test('holes are errors, never Array.prototype[i]', () => {
  // eslint-disable-next-line no-sparse-arrays
  const holey = [, { action: 'errno', syscalls: ['dup'] }]
  polluted(Array.prototype, { 0: { action: 'allow', syscalls: ['execve'] } }, () => {
    policyError(
      () => new Policy({ ...NO_EXEC, rules: holey }),
      'rules[0]',
      /missing element \(sparse array\)/,
    )
    policyError(() => checkPolicy({ ...NO_EXEC, extends: ['no-exec', , 'hardened'] }), 'extends[1]', /sparse/)
  })
  // simulate()'s arguments too.
  const f = compilePolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls: ['dup'], args: [{ index: 0, op: 'eq', value: 1 }] }] })
  const e = polluted(Array.prototype, { 0: 1 }, () => thrown(() => f.simulate('dup', [, 2])))
  assert.equal(e.code, 'ERR_SYSFENCE_INVALID_ARGUMENT')
  assert.match(e.message, /args\[0\]: missing element/)
  // Extra non-index properties of an array are not part of it (as in JSON.stringify).
  const syscalls = ['dup']
  syscalls.extra = 'execve'
  assert.deepEqual(checkPolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls }] }).diagnostics, [])
})

test('symbols, non-enumerable and inherited keys are not read; null prototypes are', () => {
  const policy = Object.create(null)
  policy.default_action = 'allow'
  policy.extends = ['no-exec']
  Object.defineProperty(policy, 'mode', { value: 'log', enumerable: false })
  policy[Symbol('mode')] = 'log'
  assert.equal(new Policy(policy).toJSON().mode, 'enforce')
})

test('toJSON is not called; class instances, Map, Date and friends are refused', () => {
  // An own toJSON is a function: left out, as JSON.stringify leaves out functions.
  const withToJson = { ...NO_EXEC, toJSON: () => ({ default_action: 'allow', mode: 'log' }) }
  assert.equal(new Policy(withToJson).toJSON().mode, 'enforce')
  class Config {
    constructor() {
      this.default_action = 'allow'
    }
  }
  const plain = /prototype is not Object.prototype or null/
  policyError(() => new Policy(new Config()), '$', plain)
  policyError(() => new Policy(new Map([['default_action', 'allow']])), '$', plain)
  policyError(() => new Policy(Object.create({ default_action: 'allow' })), '$', plain)
  policyError(() => checkPolicy({ ...NO_EXEC, description: new Date() }), 'description', plain)
  policyError(() => checkPolicy({ ...NO_EXEC, description: new String('x') }), 'description', plain)
  policyError(() => checkPolicy({ ...NO_EXEC, rules: [/x/] }), 'rules[0]', plain)
  policyError(() => checkPolicy({ ...NO_EXEC, extends: Buffer.from('no-exec') }), 'extends', plain)
  class List extends Array {}
  const list = List.from(['no-exec'])
  policyError(() => checkPolicy({ default_action: 'allow', extends: list }), 'extends', /not Array.prototype/)
  // A Policy where a Policy is expected is still fine; one faked from its prototype is not.
  assert.equal(compilePolicy(Policy.preset('no-exec')).simulate('execve'), 'errno:EACCES')
  const fake = thrown(() => compilePolicy(Object.create(Policy.prototype)))
  assert.equal(fake.code, 'ERR_SYSFENCE_INVALID_ARGUMENT')
})

test('a getter that throws is a policy error at its path', () => {
  const e = policyError(
    () =>
      new Policy({
        default_action: 'allow',
        rules: [
          {
            action: 'errno',
            get syscalls() {
              throw new TypeError('boom')
            },
          },
        ],
      }),
    'rules[0].syscalls',
    /threw TypeError: boom/,
  )
  assert.equal(e.diagnostics.length, 1)
  // Thrown non-Errors are described too, and nothing stays pending.
  const values = ['a string', 42, undefined, null, Symbol('s'), { not: 'an error' }]
  for (const value of values) {
    policyError(
      () =>
        checkPolicy({
          get default_action() {
            throw value
          },
        }),
      'default_action',
      /threw /,
    )
  }
  // An index getter on an array.
  const syscalls = ['read']
  Object.defineProperty(syscalls, 0, {
    get() {
      throw new RangeError('index')
    },
    enumerable: true,
  })
  policyError(
    () => checkPolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls }] }),
    'rules[0].syscalls[0]',
    /RangeError: index/,
  )
  // A getter that overflows the stack.
  const deep = () => deep()
  policyError(
    () =>
      checkPolicy({
        get default_action() {
          return deep()
        },
      }),
    'default_action',
    /RangeError/,
  )
  assert.deepEqual(checkPolicy('no-exec').diagnostics, [], 'the addon still works')
})

test('a Proxy whose traps throw is a policy error at its path', () => {
  const trap = (name) => ({
    [name]() {
      throw new Error(`${name} trap`)
    },
  })
  const target = () => ({ ...NO_EXEC })
  for (const name of ['ownKeys', 'getOwnPropertyDescriptor', 'get']) {
    const re = new RegExp(`threw Error: ${name} trap`)
    const top = new Proxy(target(), trap(name))
    const at = name === 'get' ? 'default_action' : '$'
    policyError(() => new Policy(top), at, re)
    policyError(() => checkPolicy(top), at, re)
    policyError(() => compilePolicy(top), at, re)
    // Nested, the path says where.
    const nested = { default_action: 'allow', rules: [new Proxy({ action: 'errno', syscalls: ['dup'] }, trap(name))] }
    policyError(() => compilePolicy(nested), name === 'get' ? 'rules[0].action' : 'rules[0]', re)
  }
  // getPrototypeOf runs only where a Policy instance is accepted (`instanceof Policy`); the
  // plain-data check reads a Proxy's own prototype slot, which runs no trap.
  const top = new Proxy(target(), trap('getPrototypeOf'))
  policyError(() => checkPolicy(top), '$', /threw Error: getPrototypeOf trap/)
  policyError(() => compilePolicy(top), '$', /threw Error: getPrototypeOf trap/)
  assert.equal(new Policy(top).toJSON().default_action, 'allow')
  const revoked = Proxy.revocable({}, {})
  revoked.revoke()
  policyError(() => checkPolicy({ ...NO_EXEC, rules: [revoked.proxy] }), 'rules[0]', /revoked/)
})

test('a Proxy that answers differently each time is read once', () => {
  const reads = {}
  const answers = { mode: ['enforce', 'log'], default_action: ['allow', 'kill_process'] }
  const proxy = new Proxy(
    { default_action: 'allow', mode: 'enforce', extends: ['no-exec'] },
    {
      get(t, key) {
        reads[key] = (reads[key] ?? 0) + 1
        const list = answers[key]
        return list ? list[Math.min(reads[key], list.length) - 1] : t[key]
      },
    },
  )
  const f = compilePolicy(proxy)
  assert.equal(f.mode, 'enforce')
  assert.equal(f.simulate('read'), 'allow')
  assert.equal(f.simulate('execve'), 'errno:EACCES')
  assert.deepEqual(reads, { default_action: 1, mode: 1, extends: 1 })
  // ownKeys may list a key twice only in violation of the spec: the engine refuses that.
  const twice = new Proxy({ mode: 'log' }, { ownKeys: () => ['mode', 'mode'] })
  policyError(() => checkPolicy(twice), '$', /threw TypeError/)
})

test('deep nesting and cycles stop at 64 levels, without a stack overflow', () => {
  let deep = {}
  const root = deep
  for (let i = 0; i < 100000; i++) deep = deep.a = {}
  const e = policyError(() => checkPolicy(root), 'a'.repeat(65).split('').join('.'), /nested more than 64 levels/)
  assert.equal(e.diagnostics.length, 1)
  let array = []
  const top = array
  for (let i = 0; i < 100000; i++) array = array[0] = []
  policyError(() => checkPolicy({ default_action: 'allow', rules: top }), 'rules' + '[0]'.repeat(64), /nested/)
  const cyclic = { default_action: 'allow' }
  cyclic.rules = [cyclic]
  const loop = thrown(() => new Policy(cyclic))
  assert.equal(loop.code, 'ERR_SYSFENCE_POLICY')
  assert.ok(loop.path.startsWith('rules[0].rules[0].rules[0]'), loop.path)
  assert.match(loop.message, /refers to itself/)
})

test('sizes are bounded: elements, properties, text, BigInts', () => {
  const many = new Array(65537).fill('read')
  policyError(
    () => checkPolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls: many }] }),
    'rules[0].syscalls',
    /an array of 65537 elements; at most 65536/,
  )
  const wide = {}
  for (let i = 0; i < 65537; i++) wide[`k${i}`] = 1
  policyError(() => checkPolicy({ default_action: 'allow', description: wide }), 'description', /65537 properties/)
  policyError(
    () => checkPolicy({ default_action: 'allow', description: 'x'.repeat(5 << 20) }),
    'description',
    /larger than 4 MiB/,
  )
  // Many small values count too.
  const rules = new Array(65536).fill(0).map(() => ({ action: 'errno', syscalls: ['dup'], comment: 'x'.repeat(100) }))
  const e = thrown(() => checkPolicy({ default_action: 'allow', rules }))
  assert.equal(e.code, 'ERR_SYSFENCE_POLICY')
  assert.match(e.path, /^rules\[\d+\]/)
  assert.match(e.message, /larger than 4 MiB/)
  // A BigInt of a million bits is refused at once, not turned into 300,000 digits.
  const start = Date.now()
  policyError(
    () => checkPolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls: ['dup'], args: [{ index: 0, op: 'eq', value: 2n ** 1000000n }] }] }),
    'rules[0].args[0].value',
    /out of range/,
  )
  assert.ok(Date.now() - start < 1000)
  const f = compilePolicy('no-exec')
  assert.equal(thrown(() => f.simulate('read', [2n ** 1000000n])).code, 'ERR_SYSFENCE_INVALID_ARGUMENT')
  // Within the bounds, everything still works.
  assert.deepEqual(checkPolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls: new Array(1000).fill('dup') }] }).errors, 0)
})

for (const kind of ['sparse', 'sparse1e7', 'dense1e7']) {
  test(`a ${kind} array is refused by its length, in a child that must not abort`, async () => {
    const r = await runChild('huge-array.js', [kind], { timeout: 20000 })
    assert.equal(r.signal, null, r.stderr)
    assert.equal(r.code, 0, r.stderr)
    const out = onlyMessage(r)
    const len = kind === 'sparse' ? 4294967295 : 10000000
    const expected = {
      rules: ['ERR_SYSFENCE_POLICY', 'rules', 65536],
      syscalls: ['ERR_SYSFENCE_POLICY', 'rules[0].syscalls', 65536],
      args: ['ERR_SYSFENCE_POLICY', 'rules[0].args', 65536],
      extends: ['ERR_SYSFENCE_POLICY', 'extends', 65536],
      simulate: ['ERR_SYSFENCE_INVALID_ARGUMENT', undefined, 16],
    }
    for (const [name, [code, path, max]] of Object.entries(expected)) {
      const { error, ms } = out[name]
      assert.ok(error, `${name}: no error`)
      assert.equal(error.isError, true, name)
      assert.equal(error.code, code, name)
      assert.equal(error.path, path, name)
      assert.ok(ms < 500, `${name}: ${ms} ms`)
      if (code === 'ERR_SYSFENCE_POLICY') {
        assert.match(error.diagnostics[0].message, new RegExp(`an array of ${len} elements; at most ${max}`), name)
      }
    }
  })
}

test('kernel: a polluted Object.prototype does not turn no-exec into log mode', async () => {
  const r = onlyMessage(await runChild('polluted.js'))
  assert.deepEqual(r.before, { exec: 'ok', spawn: 'ok' })
  assert.equal(r.result.mode, 'enforce')
  assert.equal(r.result.logDenied, true)
  assert.deepEqual(r.after, { exec: 'EACCES', spawn: 'EACCES' })
})
