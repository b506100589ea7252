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
    policy = fields["policy_text"].as_s if fields.has_key?("policy_text")
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
      diags = Sysfence.check(c.policy)["diagnostics"].as_a
      errors = diags.select { |d| d["severity"] == "error" }.map(&.["path"].as_s).uniq.sort
      if expected = c.fields["errors"]?
        errors.should eq expected.as_a.map(&.as_s).sort
        e = expect_raises(Sysfence::PolicyError) { Sysfence.compile(c.policy) }
        expected.as_a.map(&.as_s).should contain(e.path.not_nil!)
        c.fields["error_contains"]?.try &.as_h.each do |path, needle|
          diags.any? { |d| d["path"] == path && d["message"].as_s.includes?(needle.as_s) }
            .should be_true
        end
      else
        errors.should be_empty
        paths = diags.map(&.["path"].as_s)
        c.fields["warnings"]?.try &.as_a.each { |w| paths.should contain(w.as_s) }
        filter = Sysfence.compile(c.policy)
        c.fields["simulate"]?.try &.as_a.each do |s|
          args = s["args"]?.try(&.as_a.map(&.as_i64.to_u64)) || [] of UInt64
          filter.simulate(s["syscall"].as_s, args, s["arch"]?.try(&.as_s)).should eq s["action"].as_s
        end
      end
    end
  end
end
