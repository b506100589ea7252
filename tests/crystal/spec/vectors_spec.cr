# SPDX-License-Identifier: MIT OR Apache-2.0
require "./spec_helper"

# One case of tests/vectors/ (format in tests/vectors/README.md). The policy is kept as raw
# text: its numbers may not fit an Int64.
record VectorCase, name : String, policy : String, fields : Hash(String, JSON::Any)

def vector_cases : Array(VectorCase)
  dir = ENV.fetch("SYSFENCE_VECTORS", File.expand_path("../../vectors", __DIR__))
  Dir.glob(File.join(dir, "*.json")).sort.map do |path|
    pull = JSON::PullParser.new(File.read(path))
    policy = nil
    fields = {} of String => JSON::Any
    pull.read_object do |key|
      if key == "policy"
        policy = pull.read_raw
      else
        fields[key] = JSON::Any.new(pull)
      end
    end
    # Text (JSON or a preset name) given as a policy argument, as the other languages do.
    policy = fields["policy_text"].as_s if fields.has_key?("policy_text")
    policy = fields["argument"].as_s if fields.has_key?("argument")
    VectorCase.new(File.basename(path), policy.not_nil!, fields)
  end
end

describe "tests/vectors" do
  cases = vector_cases

  it "has the shared vectors" do
    (cases.size >= 10).should be_true
  end

  cases.each do |c|
    it c.name do
      report = Sysfence.check(c.policy)
      diags = report["diagnostics"].as_a
      errors = diags.select { |d| d["severity"] == "error" }
      pairs = ->(list : Array(JSON::Any)) { list.map { |d| {d["path"].as_s, d["kind"].as_s} } }
      report["ok"].as_bool.should eq errors.empty?
      report["errors"].as_i.should eq errors.size
      report["warnings"].as_i.should eq diags.size - errors.size
      if expected = c.fields["errors"]?
        pairs.call(errors).should eq pairs.call(expected.as_a)
        c.fields["suggestions"]?.try &.as_h.each do |path, suggestion|
          errors.find! { |d| d["path"] == path }["suggestion"].should eq suggestion
        end
        e = expect_raises(Sysfence::PolicyError) { Sysfence.compile(c.policy) }
        e.path.should eq expected.as_a[0]["path"].as_s
      else
        pairs.call(diags).should eq pairs.call(c.fields["warnings"].as_a)
        filter = Sysfence.compile(c.policy)
        c.fields["simulate"]?.try &.as_a.each do |s|
          args = s["args"]?.try(&.as_a.map(&.as_i64.to_u64)) || [] of UInt64
          filter.simulate(s["syscall"].as_s, args, s["arch"]?.try(&.as_s)).should eq s["action"].as_s
          if by = s["decided_by"]?
            e = filter.explain(s["syscall"].as_s, args, s["arch"]?.try(&.as_s))
            {e["action"].as_s, e["decided_by"].as_s}.should eq({s["action"].as_s, by.as_s})
          end
        end
      end
    end
  end
end
