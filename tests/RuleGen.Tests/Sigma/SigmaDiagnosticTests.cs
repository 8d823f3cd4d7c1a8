using Microsoft.CodeAnalysis;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>Bad Sigma rules get a located diagnostic (file, line, column of the offending token) and the other rules still compile.</summary>
public sealed class SigmaDiagnosticTests
{
    private const string Good = "title: Good Rule\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    selection:\n        Image|endswith: '\\cmd.exe'\n    condition: selection\nlevel: low\n";

    private static (Diagnostic Diagnostic, GeneratorRun Run) Single(string id, string rule)
    {
        var run = GeneratorHarness.Run(("/rules/bad.yml", rule), ("/rules/good.yml", Good));
        Assert.Contains(run.RuleSet().Rules, r => r.Info.Name == "Good Rule");
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal("/rules/bad.yml", diagnostic.Location.GetLineSpan().Path);
        return (diagnostic, run);
    }

    private static (int Line, int Column) Position(Diagnostic d)
    {
        var start = d.Location.GetLineSpan().StartLinePosition;
        return (start.Line + 1, start.Character + 1);
    }

    private static string Rule(string detection) =>
        "title: Bad Rule\nid: 22222222-2222-4222-8222-222222222222\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n" + detection + "level: low\n";

    [Fact]
    public void Unknown_modifier_is_an_error_at_its_key()
    {
        var (d, run) = Single("RG0204", Rule("    selection:\n        Image|endwith: 'x'\n    condition: selection\n"));
        using (run)
        {
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal((8, 9), Position(d));
            Assert.Contains("endwith", d.GetMessage());
            Assert.DoesNotContain(run.RuleSet().Rules, r => r.Info.Name == "Bad Rule");
        }
    }

    [Fact]
    public void Regex_after_another_modifier_is_a_bad_chain()
    {
        var (d, run) = Single("RG0205", Rule("    selection:\n        Image|contains|re: 'x'\n    condition: selection\n"));
        using (run)
        {
            Assert.Equal((8, 9), Position(d));
            Assert.Contains("'re' must come first", d.GetMessage());
        }
    }

    [Fact]
    public void Base64_of_a_wildcard_value_is_a_bad_chain()
    {
        var (d, run) = Single("RG0205", Rule("    selection:\n        Image|contains|base64: 'x'\n    condition: selection\n"));
        using (run) Assert.Contains("wildcards", d.GetMessage());
    }

    [Fact]
    public void Condition_syntax_error_points_at_the_token()
    {
        var (d, run) = Single("RG0206", Rule("    selection:\n        Image: 'x'\n    condition: selection and or selection\n"));
        using (run)
        {
            Assert.Equal((9, 30), Position(d));
        }
    }

    [Fact]
    public void Unknown_identifier_in_the_condition_points_at_it()
    {
        var (d, run) = Single("RG0207", Rule("    selection:\n        Image: 'x'\n    condition: selection and not filter\n"));
        using (run)
        {
            Assert.Equal((9, 34), Position(d));
            Assert.Contains("'filter'", d.GetMessage());
        }
    }

    [Fact]
    public void Pattern_matching_no_identifier_is_an_error()
    {
        var (d, run) = Single("RG0206", Rule("    selection:\n        Image: 'x'\n    condition: selection and not 1 of filter_*\n"));
        using (run) Assert.Contains("filter_*", d.GetMessage());
    }

    [Fact]
    public void Regex_dotnet_cannot_compile_is_an_error_at_its_key()
    {
        var (d, run) = Single("RG0208", Rule("    selection:\n        Image|re: 'a(b'\n    condition: selection\n"));
        using (run) Assert.Equal((8, 9), Position(d));
    }

    [Fact]
    public void Aggregation_pipe_skips_the_rule_with_a_warning()
    {
        var (d, run) = Single("RG0210", Rule("    selection:\n        Image: 'x'\n    condition: selection | count() by Computer > 5\n"));
        using (run) Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
    }

    [Fact]
    public void Placeholder_without_values_rejects_the_rule_with_a_warning()
    {
        var (d, run) = Single("RG0212", Rule("    selection:\n        User|expand: '%Admins%'\n    condition: selection\n"));
        using (run)
        {
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal((8, 9), Position(d));
            Assert.Contains("%Admins%", d.GetMessage());
        }
    }

    [Fact]
    public void Correlation_rule_is_an_info_and_its_base_rule_in_the_same_file_compiles()
    {
        const string file = """
            title: Base Rule
            id: 33333333-3333-4333-8333-333333333333
            name: base_rule
            logsource:
                product: windows
                service: security
            detection:
                selection:
                    EventID: 4625
                condition: selection
            ---
            title: Many Failed Logons
            id: 44444444-4444-4444-8444-444444444444
            correlation:
                type: event_count
                rules:
                    - base_rule
                group-by:
                    - TargetUserName
                timespan: 5m
                condition:
                    gte: 10
            """;
        var (d, run) = Single("RG0211", file);
        using (run)
        {
            Assert.Equal(DiagnosticSeverity.Info, d.Severity);
            Assert.Contains("event_count of base_rule within 5m", d.GetMessage());
            Assert.Contains(run.RuleSet().Rules, r => r.Info.Name == "Base Rule");
        }
    }

    [Fact]
    public void Invalid_correlation_is_a_warning_at_the_offending_key()
    {
        const string file = "title: Odd Correlation\ncorrelation:\n    type: event_sum\n    rules: [a]\n    timespan: 5m\n    condition:\n        gte: 3\n";
        var (d, run) = Single("RG0218", file);
        using (run)
        {
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal((3, 11), Position(d));
            Assert.Contains("event_sum", d.GetMessage());
        }
    }

    [Fact]
    public void Invalid_yaml_is_an_error_with_its_position()
    {
        var (d, run) = Single("RG0201", "title: Bad Rule\ndetection:\n  selection: [a, b\n");
        using (run) Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void Missing_detection_is_an_error()
    {
        var (d, run) = Single("RG0202", "title: Bad Rule\nlogsource:\n    product: windows\n");
        using (run) Assert.Contains("detection", d.GetMessage());
    }

    [Fact]
    public void Unknown_profile_is_an_error()
    {
        using var run = GeneratorHarness.Run(new[] { ("/rules/good.yml", Good) }, new Dictionary<string, string> { ["build_property.RuleGenSigmaProfile"] = "splunk" });
        var d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == "RG0213");
        Assert.Contains("splunk", d.GetMessage());
    }

    [Fact]
    public void Rule_whose_logsource_names_no_key_gets_an_info_and_no_gate()
    {
        var rule = Good.Replace("    product: windows\n    category: process_creation\n", "    definition: 'any log'\n");
        using var run = GeneratorHarness.Run(("/rules/acme.yml", rule));
        var d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RG0214", d.Id);
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.True(run.Matches("""{"Image":"C:\\cmd.exe"}"""));
    }

    [Theory]
    [InlineData("    product: acme\n", "product: acme")]
    [InlineData("    product: zeek\n    service: rdp\n", "product: zeek, service: rdp")]
    [InlineData("    product: windows\n    service: no-such-channel\n", "service: no-such-channel")]
    [InlineData("    category: database\n", "category: database")]
    public void Rule_of_a_product_or_service_the_profile_cannot_recognise_matches_nothing_in_the_full_scope(string logsource, string named)
    {
        var rule = Good.Replace("    product: windows\n    category: process_creation\n", logsource);
        using var run = GeneratorHarness.Run(("/rules/acme.yml", rule));
        var d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RG0224", d.Id);
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Contains(named, d.GetMessage());
        Assert.True(d.Location.GetLineSpan().StartLinePosition.Line > 0, "located at the logsource");
        const string windowsEvent = """{"Channel":"Security","Provider_Name":"Microsoft-Windows-Security-Auditing","Image":"C:\\cmd.exe"}""";
        Assert.False(run.Matches(windowsEvent));
        Assert.True(run.Matches(windowsEvent, RuleGen.Runtime.MatchScope.DetectionOnly));
    }
}
