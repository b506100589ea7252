# SPDX-License-Identifier: MIT OR Apache-2.0
require "./spec_helper"

# Sysfence.parse_audit_line over the shared audit fixtures (tests/fixtures/audit/cases.json).
# The value at a dotted path ("seccomp.syscall.name"), or nil.
def at(doc : JSON::Any, path : String) : JSON::Any?
  path.split(".").reduce(doc.as(JSON::Any?)) { |v, part| v.try &.as_h?.try &.[part]? }
end

describe "Sysfence.parse_audit_line" do
  cases = JSON.parse(File.read(File.expand_path("../../fixtures/audit/cases.json", __DIR__)))["cases"].as_a

  it "has the shared fixtures" do
    (cases.size >= 30).should be_true
  end

  cases.each do |c|
    it c["name"].as_s do
      line = c["line"].as_s
      if line.includes?('\0')
        # A NUL cannot cross a C string: refused before the library sees it.
        expect_raises(Sysfence::InvalidArgumentError) { Sysfence.parse_audit_line(line) }
        next
      end
      doc = Sysfence.parse_audit_line(line)
      if c["expect"].raw.nil?
        doc.should be_nil
        next
      end
      doc = doc.not_nil!
      c["expect"].as_h.each do |path, want|
        # "test-host" in the fixtures stands for this machine's name.
        want = JSON::Any.new(System.hostname) if want == "test-host"
        at(doc, path).should eq want
      end
      c["absent"]?.try &.as_a.each { |path| at(doc, path.as_s).should be_nil }
    end
  end
end
