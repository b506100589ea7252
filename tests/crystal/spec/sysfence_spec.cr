# SPDX-License-Identifier: MIT OR Apache-2.0
require "./spec_helper"

# IPv4 sockets fail with EAFNOSUPPORT; every other socket works.
NO_IPV4 = {
  "default_action" => "allow",
  "rules"          => [{"action" => "errno:EAFNOSUPPORT", "syscalls" => ["socket"],
                        "args" => [{"index" => 0, "op" => "eq", "value" => LibC::AF_INET}]}],
}

TYPO = %({"default_action": "allow",
          "rules": [{"action": "errno:EACCES", "syscalls": ["execve", "exceve"]}]})

describe Sysfence do
  it "names its version and libseccomp's" do
    Sysfence.version.should contain("libseccomp 2.")
  end

  it "runs programs without a filter (control)" do
    in_child { exec_true }.should eq 0
  end

  it "refuses exec under no-exec with EACCES" do
    in_child {
      Sysfence.apply_preset("no-exec")
      exec_true
    }.should eq Errno::EACCES.value
  end

  it "has the kernel honour a JSON policy with an argument rule" do
    in_child { sockets }.should eq 0
    in_child {
      Sysfence.apply(NO_IPV4)
      sockets
    }.should eq Errno::EAFNOSUPPORT.value
  end

  it "takes the mode as an argument of apply" do
    in_child {
      e = expect_raises(Sysfence::InvalidArgumentError) { Sysfence.apply_preset("no-exec", mode: "lgo") }
      next 101 unless e.message.not_nil!.includes?(%("log"))
      Sysfence.apply_preset("no-exec", mode: "log")
      Sysfence.apply(NO_IPV4, mode: "log")
      next 102 unless sockets == 0
      exec_true # logged, not refused
    }.should eq 0
    in_child {
      Sysfence.apply(%({"default_action": "allow", "mode": "log", "extends": ["no-exec"]}), mode: "enforce")
      exec_true
    }.should eq Errno::EACCES.value
  end

  it "raises PolicyError naming the place for a bad policy, and loads nothing" do
    in_child {
      e = expect_raises(Sysfence::PolicyError) { Sysfence.apply(TYPO) }
      next 101 unless e.path == "rules[0].syscalls[1]" && e.code == -1
      next 102 unless e.message.not_nil!.includes?("rules[0].syscalls[1]")
      next 103 unless e.message.not_nil!.includes?(%("execve")) # did you mean
      e = expect_raises(Sysfence::PolicyError) { Sysfence.apply(%({"default_action": )) }
      next 104 unless e.path == "$"
      e = expect_raises(Sysfence::PolicyError) { Sysfence.apply_preset("no-exce") }
      next 105 unless e.message.not_nil!.includes?(%("no-exec"))
      exec_true # nothing was loaded
    }.should eq 0
  end

  it "compiles a filter, exports its BPF and simulates syscalls" do
    filter = Sysfence.compile(NO_IPV4)
    bpf = filter.bpf
    (bpf.size >= 32).should be_true
    (bpf.size % 8).should eq 0
    IO::ByteFormat::LittleEndian.decode(UInt16, bpf[0, 2]).should eq 0x20 # load seccomp_data.arch
    IO::ByteFormat::LittleEndian.decode(UInt32, bpf[4, 4]).should eq 4
    filter.simulate("socket", [2_u64, 1_u64, 0_u64]).should eq "errno:EAFNOSUPPORT"
    filter.simulate("socket", [1_u64, 1_u64, 0_u64]).should eq "allow"
    filter.simulate("read").should eq "allow"
    filter.simulate("read", arch: "x86").should eq "kill_process"
    filter.pfc.empty?.should be_false
  end

  # simulate and explain take the same arguments and refuse the same ones.
  {% for call in %w[simulate explain] %}
    it "raises InvalidArgumentError for bad {{call.id}} arguments" do
      filter = Sysfence.compile(NO_IPV4)
      e = expect_raises(Sysfence::InvalidArgumentError) { filter.{{call.id}}("exceve") }
      e.code.should eq -5
      e.message.not_nil!.should contain(%("execve"))
      expect_raises(Sysfence::InvalidArgumentError) { filter.{{call.id}}("read", [0_u64] * 7) }
      expect_raises(Sysfence::InvalidArgumentError) { filter.{{call.id}}("read", arch: "vax") }
    end
  {% end %}

  it "raises InvalidArgumentError for policy text with a NUL or invalid UTF-8" do
    expect_raises(Sysfence::InvalidArgumentError) { Sysfence.compile("{\"a\0\": 1}") }
    expect_raises(Sysfence::InvalidArgumentError) { Sysfence.compile(String.new(Bytes[0x22, 0xff, 0x22])) }
  end

  it "explains what decided a verdict" do
    filter = Sysfence.compile(NO_IPV4)
    e = filter.explain("socket", [2_u64, 1_u64, 0_u64])
    e["syscall"].as_s.should eq "socket"
    e["action"].as_s.should eq "errno:EAFNOSUPPORT"
    e["decided_by"].as_s.should eq "rules[0].syscalls[0] (errno:EAFNOSUPPORT)"
    e["arguments"].as_a.size.should eq 1
    (e["instructions"].as_i > 0).should be_true
    e = filter.explain("read")
    {e["action"].as_s, e["decided_by"].as_s}.should eq({"allow", "default_action"})
    e["arguments"]?.should be_nil
    filter.explain("read", arch: "x86")["decided_by"].as_s.should start_with("bad_arch_action ")
  end

  it "loads a precompiled filter and raw BPF in a forked child" do
    bytes = Sysfence.compile({"default_action" => "allow", "extends" => ["no-exec"]}).to_bytes
    filter = Sysfence::Filter.from_bytes(bytes)
    filter.simulate("execve").should eq "errno:EACCES"
    in_child {
      filter.load!
      exec_true
    }.should eq Errno::EACCES.value
    raw = Sysfence::Filter.from_raw_bpf(filter.bpf, flags: 1_u32)
    in_child {
      raw.load!
      exec_true
    }.should eq Errno::EACCES.value
  end

  it "refuses the shared malformed precompiled inputs" do
    dir = File.join(ENV.fetch("SYSFENCE_VECTORS", File.expand_path("../../vectors", __DIR__)), "../fixtures/compiled")
    cases = JSON.parse(File.read(File.join(dir, "expected.json"))).as_h
    (cases.size >= 15).should be_true
    cases.each do |name, c|
      data = File.open(File.join(dir, name), "rb", &.getb_to_end)
      e = expect_raises(Sysfence::InvalidArgumentError) do
        c["kind"].as_s == "sfb" ? Sysfence::Filter.from_bytes(data) : Sysfence::Filter.from_raw_bpf(data)
      end
      (e.message || "").should contain(c["error"].as_s)
    end
  end

  it "loads a filter compiled in the parent in a forked child" do
    filter = Sysfence.compile({"default_action" => "allow", "extends" => ["no-exec"]})
    filter.simulate("execve").should eq "errno:EACCES"
    in_child {
      filter.load!
      exec_true
    }.should eq Errno::EACCES.value
  end

  it "reports every error with its path" do
    report = Sysfence.check(TYPO)
    report["ok"].as_bool.should be_false
    report["diagnostics"].as_a.select { |d| d["severity"] == "error" }.map(&.["path"].as_s)
      .should eq ["rules[0].syscalls[1]"]
    Sysfence.check(NO_IPV4)["ok"].as_bool.should be_true
  end

  it "converts a Docker profile for a context" do
    docker = %({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]})
    Sysfence.convert(docker, to: "oci")["syscalls"].as_a.size.should eq 1
    Sysfence.convert(docker, to: "oci", caps: "default,CAP_SYS_ADMIN")["syscalls"][0]["names"].as_a.size.should eq 2
    e = expect_raises(Sysfence::PolicyError) { Sysfence.convert(%({"defaultAction": "SCMP_ACT_NOPE"}), to: "oci") }
    e.path.should eq "defaultAction"
  end

  it "shows the filter in the status after apply" do
    in_child {
      Sysfence.apply_preset("no-exec")
      s = Sysfence.status
      s["mode"] == "filter" && s["no_new_privs"] == true ? 0 : 1
    }.should eq 0
  end

  it "maps each C code to its own exception class" do
    classes = (-7..-1).map { |code| Sysfence.error_for(code, "x").class }
    classes.uniq.size.should eq 7
    classes.each { |c| (c < Sysfence::Error).should be_true }
  end
end

describe "LibSysfence::Result" do
  it "has every code of include/sysfence.h's enum sysfence_result, by name and value" do
    header = File.read(File.expand_path("../../../bindings-c/include/sysfence.h", __DIR__))
    codes = header.scan(/SYSFENCE_(OK|ERR_[A-Z_]+) = (-?\d+),/).to_h { |m| {m[1], m[2].to_i} }
    codes.size.should eq 8
    LibSysfence::Result.values.to_h { |r| {r.to_s, r.value} }.should eq codes
  end
end
