# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

require_relative "helper"
require "socket"

class TestSysfence < Minitest::Test
  include ChildProcess

  # IPv4 sockets fail with EAFNOSUPPORT; every other socket works.
  NO_IPV4 = {
    "default_action" => "allow",
    "rules" => [{ "action" => "errno:EAFNOSUPPORT", "syscalls" => ["socket"],
                  "args" => [{ "index" => 0, "op" => "eq", "value" => Socket::AF_INET }] }]
  }.freeze

  TYPO = { "default_action" => "allow",
           "rules" => [{ "action" => "errno:EACCES", "syscalls" => %w[execve exceve] }] }.freeze

  def test_version
    assert_match(/libseccomp 2\./, Sysfence.version)
  end

  def test_exec_works_without_a_filter
    assert_equal 0, in_child { exec_true }
  end

  def test_no_exec_preset_refuses_exec
    assert_equal Errno::EACCES::Errno, in_child {
      Sysfence.apply_preset("no-exec")
      exec_true
    }
  end

  def test_json_policy_argument_rule
    sockets = lambda do
      UNIXSocket.pair.each(&:close)
      begin
        Socket.new(:INET, :STREAM).close
        0
      rescue SystemCallError => e
        e.errno
      end
    end
    assert_equal 0, in_child { sockets.call }
    assert_equal Errno::EAFNOSUPPORT::Errno, in_child {
      Sysfence.apply(NO_IPV4)
      sockets.call
    }
  end

  def test_mode_is_an_argument_of_apply
    assert_equal 0, in_child {
      e = assert_raises(Sysfence::InvalidArgumentError) { Sysfence.apply_preset("no-exec", mode: "lgo") }
      raise "message #{e.message}" unless e.message.include?('"log"')

      Sysfence.apply_preset("no-exec", mode: :log)
      Sysfence.apply(NO_IPV4, mode: "log")
      raise "IPv4 refused in log mode" unless Socket.new(:INET, :STREAM).close.nil?

      exec_true # logged, not refused
    }
    logged = { "default_action" => "allow", "mode" => "log", "extends" => ["no-exec"] }
    assert_equal Errno::EACCES::Errno, in_child {
      Sysfence.apply(logged, mode: "enforce")
      exec_true
    }
  end

  def test_bad_policy_raises_policy_error_and_loads_nothing
    assert_equal 0, in_child {
      e = assert_raises(Sysfence::PolicyError) { Sysfence.apply(TYPO) }
      raise "path #{e.path}" unless e.path == "rules[0].syscalls[1]" && e.code == -1
      raise "message #{e.message}" unless e.message.include?("rules[0].syscalls[1]")
      raise "no suggestion" unless e.message.include?('"execve"')

      e = assert_raises(Sysfence::PolicyError) { Sysfence.apply('{"default_action": ') }
      raise "path #{e.path}" unless e.path == "$"

      e = assert_raises(Sysfence::PolicyError) { Sysfence.apply_preset("no-exce") }
      raise "no suggestion" unless e.message.include?('"no-exec"')

      exec_true # nothing was loaded
    }
  end

  def test_compile_bpf_simulate_pfc
    filter = Sysfence.compile(NO_IPV4)
    bpf = filter.bpf
    assert_equal Encoding::BINARY, bpf.encoding
    assert_operator bpf.bytesize, :>=, 32
    assert_equal 0, bpf.bytesize % 8
    code, _jt, _jf, k = bpf.unpack("SCCL")
    assert_equal [0x20, 4], [code, k] # load seccomp_data.arch
    assert_equal "errno:EAFNOSUPPORT", filter.simulate("socket", [Socket::AF_INET, 1, 0])
    assert_equal "allow", filter.simulate("socket", [Socket::AF_UNIX, 1, 0])
    assert_equal "allow", filter.simulate("read")
    assert_equal "kill_process", filter.simulate("read", arch: "x86")
    refute_empty filter.pfc
  end

  # simulate and explain take the same arguments and refuse the same ones.
  def test_simulate_and_explain_errors
    filter = Sysfence.compile(NO_IPV4)
    %i[simulate explain].each do |call|
      e = assert_raises(Sysfence::InvalidArgumentError) { filter.public_send(call, "exceve") }
      assert_equal(-5, e.code)
      assert_includes e.message, '"execve"'
      assert_raises(Sysfence::InvalidArgumentError) { filter.public_send(call, "read", [0] * 7) }
      assert_raises(Sysfence::InvalidArgumentError) { filter.public_send(call, "read", arch: "vax") }
    end
  end

  def test_explain_names_what_decided
    filter = Sysfence.compile(NO_IPV4)
    e = filter.explain("socket", [Socket::AF_INET, 1, 0])
    assert_equal "socket", e["syscall"]
    assert_equal "errno:EAFNOSUPPORT", e["action"]
    assert_equal "rules[0].syscalls[0] (errno:EAFNOSUPPORT)", e["decided_by"]
    assert_equal 1, e["arguments"].size
    assert_operator e["instructions"], :>, 0
    e = filter.explain("read")
    assert_equal %w[allow default_action], [e["action"], e["decided_by"]]
    refute e.key?("arguments")
    assert_match(/\Abad_arch_action /, filter.explain("read", arch: "x86")["decided_by"])
  end

  def test_compiled_filter_loads_in_a_forked_child
    filter = Sysfence.compile({ "default_action" => "allow", "extends" => ["no-exec"] })
    assert_equal "errno:EACCES", filter.simulate("execve")
    assert_equal Errno::EACCES::Errno, in_child {
      filter.load!
      exec_true
    }
  end

  def test_precompiled_filter_loads_in_a_forked_child
    bytes = Sysfence.compile({ "default_action" => "allow", "extends" => ["no-exec"] }).to_bytes
    filter = Sysfence::Filter.from_bytes(bytes)
    assert_equal "errno:EACCES", filter.simulate("execve")
    assert_equal Errno::EACCES::Errno, in_child {
      filter.load!
      exec_true
    }
    raw = Sysfence::Filter.from_raw_bpf(filter.bpf, flags: 1)
    assert_equal Errno::EACCES::Errno, in_child {
      raw.load!
      exec_true
    }
  end

  def test_shared_malformed_precompiled_inputs_are_refused
    dir = File.expand_path("../fixtures/compiled", __dir__)
    cases = JSON.parse(File.read(File.join(dir, "expected.json")))
    assert_operator cases.size, :>=, 15
    cases.each do |name, c|
      data = File.binread(File.join(dir, name))
      e = assert_raises(Sysfence::InvalidArgumentError, name) {
        c["kind"] == "sfb" ? Sysfence::Filter.from_bytes(data) : Sysfence::Filter.from_raw_bpf(data)
      }
      assert_includes e.message, c["error"], name
    end
  end

  def test_bad_arguments_are_invalid_argument_errors
    assert_raises(Sysfence::InvalidArgumentError) { Sysfence.compile(nil) }
    assert_raises(Sysfence::InvalidArgumentError) { Sysfence.compile("{\"a\0\": 1}") }
    e = assert_raises(Sysfence::InvalidArgumentError) { Sysfence.compile("{\"\xff\": 1}".b) }
    assert_equal(-5, e.code)
    assert_nil e.path
  end

  def test_check_reports_every_error_with_its_path
    report = Sysfence.check(TYPO)
    refute report["ok"]
    assert_equal ["rules[0].syscalls[1]"],
                 report["diagnostics"].select { |d| d["severity"] == "error" }.map { |d| d["path"] }
    assert Sysfence.check(NO_IPV4)["ok"]
  end

  def test_convert_resolves_a_docker_profile_for_a_context
    docker = { "defaultAction" => "SCMP_ACT_ERRNO",
               "syscalls" => [{ "names" => ["read"], "action" => "SCMP_ACT_ALLOW" },
                              { "names" => ["mount"], "action" => "SCMP_ACT_ALLOW",
                                "includes" => { "caps" => ["CAP_SYS_ADMIN"] } }] }
    assert_equal 1, Sysfence.convert(docker, to: "oci")["syscalls"].length
    assert_equal 2, Sysfence.convert(docker, to: "oci", caps: "default,CAP_SYS_ADMIN")["syscalls"][0]["names"].length
    err = assert_raises(Sysfence::PolicyError) { Sysfence.convert({ "defaultAction" => "SCMP_ACT_NOPE" }, to: "oci") }
    assert_equal "defaultAction", err.path
  end

  def test_status_after_apply
    assert_equal 0, in_child {
      Sysfence.apply_preset("no-exec")
      s = Sysfence.status
      s["mode"] == "filter" && s["no_new_privs"] == true ? 0 : 1
    }
  end

  # Every code of include/sysfence.h's enum sysfence_result is a Result constant of the same
  # name and value, and every error code has its own class.
  def test_one_class_per_error_code
    header = File.read(File.expand_path("../../bindings-c/include/sysfence.h", __dir__))
    codes = header.scan(/^\s*SYSFENCE_(OK|ERR_[A-Z_]+) = (-?\d+),/).to_h { |n, v| [n, Integer(v)] }
    assert_equal 8, codes.size
    assert_equal codes, Sysfence::Result.constants.to_h { |c| [c.to_s, Sysfence::Result.const_get(c)] }
    assert_equal codes.values.reject(&:zero?).sort, Sysfence::ERRORS.keys.sort
    Sysfence::ERRORS.each_value { |klass| assert_operator klass, :<, Sysfence::Error }
    assert_equal 7, Sysfence::ERRORS.values.uniq.size
  end

  def test_docs_example_prints_what_it_says
    docs = File.read(File.expand_path("../../docs/ruby.md", __dir__))
    example = docs[/```ruby\n(.*?)```/m, 1]
    refute_nil example
    expected = example.scan(/# => (.*)$/).flatten.map(&:strip)
    assert_operator expected.size, :>=, 8
    lib = File.expand_path("../../bindings-c/ruby/lib", __dir__)
    # A subprocess: the example applies a filter to its own process.
    out = IO.popen([RbConfig.ruby, "-I", lib, "-e", example], &:read)
    assert_predicate $?, :success?
    assert_equal expected, out.lines.map(&:chomp)
  end
end
