// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// The API that loads nothing: policies, compiling, exporting, simulating, checking, errors and
// the installed package itself. Nothing here may load a filter into the runner.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const sysfence = require('sysfence')
const { Policy, Filter, compilePolicy, checkPolicy, status, versions } = sysfence

/** Runs `fn`, which must throw; returns the error after checking it is an Error. */
function thrown(fn) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error, `threw a non-Error: ${e}`)
    return e
  }
  assert.fail('did not throw')
}

const NO_GETPPID = {
  default_action: 'allow',
  rules: [{ action: 'errno:EACCES', syscalls: ['getppid'] }],
}

test('the package is the installed tarball, with nothing but what it needs', () => {
  const dir = path.dirname(require.resolve('sysfence'))
  assert.equal(path.basename(dir), 'sysfence')
  assert.equal(path.basename(path.dirname(dir)), 'node_modules')
  assert.ok(!fs.existsSync(path.join(dir, 'Cargo.toml')), 'resolved to the source tree')
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    'README.md',
    'index.d.ts',
    'index.js',
    'package.json',
    'sysfence.linux-x64-gnu.node',
  ])
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  assert.equal(pkg.name, 'sysfence')
  assert.equal(pkg.version, versions().sysfence)
})

test('exports', () => {
  for (const name of ['applyPolicy', 'compilePolicy', 'checkPolicy', 'status', 'versions', 'parseAuditLine']) {
    assert.equal(typeof sysfence[name], 'function', name)
  }
  assert.equal(typeof Policy, 'function')
  assert.equal(typeof Filter, 'function')
  // Every code a sysfence error can carry, declared in index.d.ts.
  assert.deepEqual(Object.values(sysfence.ErrorCode).sort(), [
    'ERR_SYSFENCE_COMPILE',
    'ERR_SYSFENCE_INTERNAL',
    'ERR_SYSFENCE_INVALID_ARGUMENT',
    'ERR_SYSFENCE_IO',
    'ERR_SYSFENCE_LOAD',
    'ERR_SYSFENCE_POLICY',
    'ERR_SYSFENCE_UNSUPPORTED',
  ])
})

test('versions: libseccomp 2.6.1 or newer is linked in', () => {
  const v = versions()
  const [major, minor, micro] = v.libseccomp.split('.').map(Number)
  assert.ok(major > 2 || (major === 2 && (minor > 6 || (minor === 6 && micro >= 1))), v.libseccomp)
})

test('status() is what /proc/thread-self/status says', () => {
  const text = fs.readFileSync('/proc/thread-self/status', 'utf8')
  const field = (name) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)[1])
  const mode = ['disabled', 'strict', 'filter'][field('Seccomp')]
  assert.deepEqual(status(), {
    mode,
    filters: field('Seccomp_filters'),
    noNewPrivs: field('NoNewPrivs') === 1,
  })
})

test('Policy: fromJson, fromFile, preset, constructor and toJSON agree', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysfence-node-'))
  const file = path.join(dir, 'policy.json')
  fs.writeFileSync(file, JSON.stringify(NO_GETPPID))
  const fromObject = new Policy(NO_GETPPID)
  const fromText = Policy.fromJson(JSON.stringify(NO_GETPPID))
  const fromFile = Policy.fromFile(file)
  assert.ok(fromObject instanceof Policy)
  assert.deepEqual(fromText.toJSON(), fromObject.toJSON())
  assert.deepEqual(fromFile.toJSON(), fromObject.toJSON())
  // The canonical form spells the defaults out and reads back to the same policy.
  const canonical = fromObject.toJSON()
  assert.equal(canonical.mode, 'enforce')
  assert.equal(canonical.log_denied, true)
  assert.equal(canonical.bad_arch_action, 'kill_process')
  assert.deepEqual(new Policy(canonical).toJSON(), canonical)
  assert.deepEqual(JSON.parse(JSON.stringify(fromObject)), canonical)
  const preset = Policy.preset('no-exec').toJSON()
  assert.deepEqual(preset.rules, [
    { action: 'errno:EACCES', syscalls: ['execve', 'execveat', 'fork', 'vfork'] },
  ])
})

test('policy values: undefined fields are left out, BigInts and hex strings are 64-bit', () => {
  const p = new Policy({
    default_action: 'allow',
    mode: undefined,
    rules: [
      {
        action: 'errno:EPERM',
        syscalls: ['dup'],
        args: [{ index: 0, op: 'eq', value: 2n ** 63n }],
      },
      {
        action: 'errno:EPERM',
        syscalls: ['dup2'],
        args: [{ index: 0, op: 'eq', value: 2 ** 40 }],
      },
    ],
  })
  const f = compilePolicy(p)
  assert.equal(f.simulate('dup', [2n ** 63n]), 'errno:EPERM')
  assert.equal(f.simulate('dup', [0]), 'allow')
  assert.equal(f.simulate('dup2', [2 ** 40, 1]), 'errno:EPERM')
  assert.equal(f.simulate('dup2', [0, 1]), 'allow')
  assert.equal(p.toJSON().mode, 'enforce')
  const big = thrown(() => compilePolicy({ ...NO_GETPPID, rules: [{ action: 'errno', syscalls: ['dup'], args: [{ index: 0, op: 'eq', value: 2n ** 64n }] }] }))
  assert.equal(big.code, 'ERR_SYSFENCE_POLICY')
  assert.equal(big.path, 'rules[0].args[0].value')
  const cyclic = { default_action: 'allow' }
  cyclic.rules = [cyclic]
  // A cycle is a policy error at the place it loops back, as Python reports it.
  const loop = thrown(() => new Policy(cyclic))
  assert.equal(loop.code, 'ERR_SYSFENCE_POLICY')
  assert.ok(loop.path.startsWith('rules[0].rules[0].rules[0]'), loop.path)
})

test('compilePolicy takes an object, a Policy or a preset name', () => {
  for (const input of ['no-exec', Policy.preset('no-exec'), Policy.preset('no-exec').toJSON()]) {
    const f = compilePolicy(input)
    assert.ok(f instanceof Filter)
    assert.equal(f.simulate('execve'), 'errno:EACCES')
    assert.equal(f.simulate('read'), 'allow')
  }
})

test('Filter: bpf(), pfc(), length and the other properties', () => {
  const f = compilePolicy({ ...NO_GETPPID, mode: 'log', log_denied: false })
  const bpf = f.bpf()
  assert.ok(Buffer.isBuffer(bpf))
  assert.ok(f.length > 3)
  assert.equal(bpf.length, f.length * 8)
  // The last instruction is a BPF_RET (class 0x06).
  assert.equal(bpf.readUInt16LE(bpf.length - 8) & 0x07, 0x06)
  assert.match(f.pfc(), /getppid/)
  assert.deepEqual(f.architectures, ['x86_64'])
  assert.equal(f.mode, 'log')
  assert.equal(f.logDenied, false)
  assert.equal(f.simulate('getppid'), 'log', 'log mode turns the errno into log')
})

test('simulate: names, numbers, BigInt arguments and architectures', () => {
  const f = compilePolicy({
    default_action: 'allow',
    architectures: ['x86_64', 'x86'],
    rules: [
      { action: 'errno:EACCES', syscalls: ['execve'] },
      { action: 'kill_process', syscalls: ['dup'], args: [{ index: 0, op: 'gt', value: '0xffffffff' }] },
    ],
  })
  assert.equal(f.simulate('execve'), 'errno:EACCES')
  assert.equal(f.simulate(59), 'errno:EACCES')
  assert.equal(f.simulate('execve', [], 'x86'), 'errno:EACCES')
  assert.equal(f.simulate('execve', null, 'x32'), 'kill_process')
  assert.equal(f.simulate('dup', [0xffffffff]), 'allow')
  assert.equal(f.simulate('dup', [0x100000000]), 'kill_process')
  assert.equal(f.simulate('dup', [2n ** 64n - 1n]), 'kill_process')
})

test('simulate: bad arguments throw ERR_SYSFENCE_INVALID_ARGUMENT', () => {
  const f = compilePolicy('no-exec')
  const typo = thrown(() => f.simulate('exceve'))
  assert.equal(typo.code, 'ERR_SYSFENCE_INVALID_ARGUMENT')
  assert.match(typo.message, /did you mean "execve"/)
  const arch = thrown(() => f.simulate('read', [], 'x86_65'))
  assert.equal(arch.code, 'ERR_SYSFENCE_INVALID_ARGUMENT')
  assert.match(arch.message, /did you mean "x86_64"/)
  for (const bad of [
    () => f.simulate('read', [-1]),
    () => f.simulate('read', [1.5]),
    () => f.simulate('read', [2 ** 53]),
    () => f.simulate('read', [2n ** 64n]),
    () => f.simulate('read', [-1n]),
    () => f.simulate('read', ['1']),
    () => f.simulate('read', [0, 0, 0, 0, 0, 0, 0]),
    () => f.simulate('read', 'nope'),
    () => f.simulate({}),
    () => f.simulate('read', [], 7),
  ]) {
    assert.equal(thrown(bad).code, 'ERR_SYSFENCE_INVALID_ARGUMENT', bad.toString())
  }
})

test('explain: what decided, with simulate\'s arguments and errors', () => {
  const f = compilePolicy({
    default_action: 'allow',
    rules: [{ action: 'errno:EAFNOSUPPORT', syscalls: ['socket'], args: [{ index: 0, op: 'eq', value: 2 }] }],
  })
  const e = f.explain('socket', [2, 1, 0])
  assert.equal(e.syscall, 'socket')
  assert.equal(e.action, 'errno:EAFNOSUPPORT')
  assert.equal(e.decidedBy, 'rules[0].syscalls[0] (errno:EAFNOSUPPORT)')
  assert.equal(e.arguments.length, 1)
  assert.ok(e.instructions > 0)
  assert.deepEqual([e.arch, e.nr], ['x86_64', 41])
  const read = f.explain(0)
  assert.deepEqual([read.syscall, read.action, read.decidedBy], ['read', 'allow', 'default_action'])
  assert.equal(read.arguments, undefined)
  assert.equal(read.multiplexed, undefined)
  assert.match(f.explain('read', null, 'x86').decidedBy, /^bad_arch_action /)
  const typo = thrown(() => f.explain('exceve'))
  assert.equal(typo.code, 'ERR_SYSFENCE_INVALID_ARGUMENT')
  assert.match(typo.message, /did you mean "execve"/)
  for (const bad of [
    () => f.explain('read', [], 'x86_65'),
    () => f.explain('read', [-1]),
    () => f.explain('read', [0, 0, 0, 0, 0, 0, 0]),
    () => f.explain({}),
  ]) {
    assert.equal(thrown(bad).code, 'ERR_SYSFENCE_INVALID_ARGUMENT', bad.toString())
  }
})

test('explain: a call i386 multiplexes carries the multiplexed verdict', () => {
  const f = compilePolicy({
    default_action: 'allow',
    architectures: ['x86_64', 'x86'],
    rules: [{ action: 'errno:EPERM', syscalls: ['@network'] }],
  })
  const e = f.explain('socket', [2, 1, 0], 'x86')
  assert.deepEqual([e.syscall, e.arch, e.nr, e.action], ['socket', 'x86', 359, 'errno:EPERM'])
  const { instructions, ...m } = e.multiplexed
  assert.ok(instructions > 0)
  assert.deepEqual(m, { multiplexer: 'socketcall', nr: 102, call: 1, action: 'errno:EPERM' })
  assert.equal(e.multiplexedDecidedBy, 'rules[0].syscalls[0] (errno:EPERM)')
})

test('policy errors: ERR_SYSFENCE_POLICY with path and every diagnostic', () => {
  const e = thrown(() =>
    compilePolicy({
      defualt_action: 'allow',
      rules: [{ action: 'errno:EACCES', syscalls: ['exceve'] }],
    }),
  )
  assert.equal(e.code, 'ERR_SYSFENCE_POLICY')
  assert.equal(e.errno, undefined)
  const paths = e.diagnostics.map((d) => d.path)
  assert.ok(paths.includes(e.path))
  assert.deepEqual([...paths].sort(), ['default_action', 'defualt_action', 'rules[0].syscalls[0]'])
  assert.ok(e.diagnostics.every((d) => d.severity === 'error'))
  const typo = e.diagnostics.find((d) => d.path === 'rules[0].syscalls[0]')
  assert.match(typo.message, /did you mean "execve"/)
  const json = thrown(() => Policy.fromJson('{"default_action": '))
  assert.equal(json.code, 'ERR_SYSFENCE_POLICY')
  assert.equal(json.path, '$')
  const preset = thrown(() => Policy.preset('no-exex'))
  assert.equal(preset.code, 'ERR_SYSFENCE_POLICY')
  assert.match(preset.message, /did you mean "no-exec"/)
})

test('a filter longer than the kernel takes: ERR_SYSFENCE_COMPILE', () => {
  const rules = []
  for (let i = 0; i < 4200; i++) {
    rules.push({ action: 'errno', syscalls: ['dup'], args: [{ index: 0, op: 'eq', value: 1000 + i }] })
  }
  const e = thrown(() => compilePolicy({ default_action: 'allow', rules }))
  assert.equal(e.code, 'ERR_SYSFENCE_COMPILE')
  assert.equal(e.path, undefined)
})

test('io errors: ERR_SYSFENCE_IO with errno and the file as path', () => {
  const missing = path.join(os.tmpdir(), 'sysfence-node-does-not-exist.json')
  const e = thrown(() => Policy.fromFile(missing))
  assert.equal(e.code, 'ERR_SYSFENCE_IO')
  assert.equal(e.errno, os.constants.errno.ENOENT)
  assert.equal(e.path, missing)
})

test('wrong argument types throw ERR_SYSFENCE_INVALID_ARGUMENT', () => {
  for (const bad of [
    () => Policy.fromJson(42),
    () => Policy.fromFile(undefined),
    () => Policy.preset(null),
    () => new Policy(undefined),
    () => compilePolicy(undefined),
    () => compilePolicy(() => 1),
    () => checkPolicy(undefined),
  ]) {
    assert.equal(thrown(bad).code, 'ERR_SYSFENCE_INVALID_ARGUMENT', bad.toString())
  }
})

test('checkPolicy lists errors and warnings with paths, and throws for none of them', () => {
  const clean = { ok: true, errors: 0, warnings: 0, diagnostics: [] }
  assert.deepEqual(checkPolicy(NO_GETPPID), clean)
  assert.deepEqual(checkPolicy(Policy.preset('no-exec')), clean)
  assert.deepEqual(checkPolicy('no-exec'), clean)
  // A string is JSON text or a preset name, as in every language.
  assert.deepEqual(checkPolicy(JSON.stringify(NO_GETPPID)), clean)
  const bad = checkPolicy({ default_action: 'allow', rules: [{ action: 'deny', syscalls: ['read'] }] })
  assert.deepEqual([bad.ok, bad.errors, bad.warnings], [false, 1, 0])
  assert.deepEqual(
    bad.diagnostics.map((d) => [d.severity, d.kind, d.path, d.suggestion]),
    [['error', 'unknown_action', 'rules[0].action', null]],
  )
  const warned = checkPolicy({
    default_action: 'errno:EPERM',
    rules: [
      { action: 'allow', syscalls: ['read'] },
      { action: 'errno', syscalls: ['ptrace'] },
    ],
  })
  assert.ok(warned.diagnostics.some((d) => d.severity === 'warning' && d.kind === 'no_effect' && d.path === 'rules[1]'))
  assert.deepEqual(
    checkPolicy('no-exex').diagnostics.map((d) => [d.kind, d.path, d.suggestion]),
    [['unknown_preset', '$', 'no-exec']],
  )
  assert.deepEqual(
    checkPolicy(['execve']).diagnostics.map((d) => [d.kind, d.path]),
    [['wrong_type', '$']],
  )
})

test('JSON.stringify keeps 64-bit argument values exact', () => {
  const p = new Policy({
    default_action: 'allow',
    rules: [{ action: 'errno', syscalls: ['dup'], args: [{ index: 0, op: 'masked_eq', mask: '0xffffffff00000000', value: 0x12345678n << 32n }] }],
  })
  const text = JSON.stringify(p)
  const back = Policy.fromJson(text)
  assert.deepEqual(back.toJSON(), p.toJSON())
  assert.equal(compilePolicy(back).simulate('dup', [0x1234567800000001n]), 'errno:EPERM')
  assert.equal(compilePolicy(back).simulate('dup', [0x1234567900000000n]), 'allow')
})

const DOCKER_PROFILE = {
  defaultAction: 'SCMP_ACT_ERRNO',
  syscalls: [
    { names: ['read'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['dup'], action: 'SCMP_ACT_ERRNO', errnoRet: 13,
      args: [{ index: 0, value: 18446744073709551615n, op: 'SCMP_CMP_EQ' }] },
  ],
}

test('Policy.fromOci resolves the context and toOci writes exact JSON text', () => {
  const p = Policy.fromOci(DOCKER_PROFILE, { arch: 'x86_64', kernel: '6.1' })
  const text = p.toOci()
  assert.match(text, /18446744073709551615/)
  const out = JSON.parse(text)
  const names = out.syscalls.flatMap((s) => s.names)
  assert.ok(names.includes('read') && !names.includes('mount'))
  assert.deepEqual(out.architectures, ['SCMP_ARCH_X86_64'])
  assert.equal(out.defaultErrnoRet, 1)
  assert.deepEqual(Policy.fromOci(text).toJSON(), p.toJSON())
  const admin = Policy.fromOci(JSON.stringify({ ...DOCKER_PROFILE, syscalls: DOCKER_PROFILE.syscalls.slice(0, 2) }),
    { caps: ['default', 'CAP_SYS_ADMIN'] })
  assert.ok(JSON.parse(admin.toOci('docker')).syscalls[0].names.includes('mount'))
  assert.equal(JSON.parse(Policy.preset('docker-default').toOci()).defaultAction, 'SCMP_ACT_ERRNO')
})

test('Policy.fromOci errors name the profile path', () => {
  assert.throws(() => Policy.fromOci({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: 'read', action: 'SCMP_ACT_ALLOW' }] }),
    (e) => e.code === 'ERR_SYSFENCE_POLICY' && e.path === 'syscalls[0].names')
  assert.throws(() => Policy.fromOci(DOCKER_PROFILE, { caps: ['CAP_FLY'] }),
    (e) => e.code === 'ERR_SYSFENCE_INVALID_ARGUMENT')
  assert.throws(() => Policy.preset('no-exec').toOci('yaml'), (e) => e.code === 'ERR_SYSFENCE_INVALID_ARGUMENT')
})
