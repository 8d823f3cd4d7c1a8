using System.Text;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Fuzzing;

/// <summary>The kind of file a fuzz target feeds to the generator.</summary>
public enum FuzzFileKind { RuleFile, SigmaConfig, FieldTypes }

/// <summary>
/// One parser under fuzz: its seed files (real ones from ../shared's corpus when present, else the repository's own
/// rules and hand-written files), the special tokens its mutations insert, and the hostile files made for it.
/// </summary>
public sealed record FuzzTarget(string Name, string Extension, FuzzFileKind Kind, IReadOnlyList<string> Seeds, IReadOnlyList<string> Specials)
{
    /// <summary>The targets, one per rule-file parser; <paramref name="seedsPerTarget"/> caps the corpus files read.</summary>
    public static IReadOnlyList<FuzzTarget> All(int seedsPerTarget)
    {
        var elastic = ElasticSeeds(seedsPerTarget * 3);
        var kql = elastic.Where(t => t.Contains("language = \"kuery\"", StringComparison.Ordinal)).Take(seedsPerTarget).ToList();
        var eql = elastic.Where(t => t.Contains("language = \"eql\"", StringComparison.Ordinal)).Take(seedsPerTarget).ToList();
        var otherElastic = elastic.Where(t => !t.Contains("language = \"kuery\"", StringComparison.Ordinal) && !t.Contains("language = \"eql\"", StringComparison.Ordinal))
            .Take(seedsPerTarget).ToList();
        if (kql.Count == 0) kql.Add(File.ReadAllText(Repo.SeedRulePath));
        if (eql.Count == 0) eql.Add(GeneratorHarness.ElasticRule("process where process.name : \"cmd.exe\" and process.args : (\"/c\", \"whoami\")", language: "eql", type: "eql"));
        if (otherElastic.Count == 0) otherElastic.Add(GeneratorHarness.ElasticRule("event.outcome:failure", type: "threshold") + "\n[rule.threshold]\nfield = [\"user.name\"]\nvalue = 5\n");
        eql.Add(GeneratorHarness.ElasticRule("sequence by host.id with maxspan=1m [process where process.name == \"a\"] [network where destination.port == 443] until [process where true]", language: "eql", type: "eql"));

        return new[]
        {
            new FuzzTarget("elastic-kql", ".toml", FuzzFileKind.RuleFile, kql, TomlSpecials.Concat(KqlSpecials).ToArray()),
            new FuzzTarget("elastic-eql", ".toml", FuzzFileKind.RuleFile, eql, TomlSpecials.Concat(EqlSpecials).ToArray()),
            new FuzzTarget("elastic-toml", ".toml", FuzzFileKind.RuleFile, otherElastic, TomlSpecials.Concat(KqlSpecials).ToArray()),
            new FuzzTarget("sigma", ".yml", FuzzFileKind.RuleFile, SigmaSeeds(seedsPerTarget), YamlSpecials.Concat(SigmaSpecials).ToArray()),
            new FuzzTarget("sigma-correlation", ".yml", FuzzFileKind.RuleFile, CorrelationSeeds, YamlSpecials.Concat(CorrelationSpecials).ToArray()),
            new FuzzTarget("sigma-config", ".yml", FuzzFileKind.SigmaConfig, ConfigSeeds, YamlSpecials.Concat(ConfigSpecials).ToArray()),
            new FuzzTarget("field-types", ".fieldtypes.tsv", FuzzFileKind.FieldTypes, FieldTypeSeeds, FieldTypeSpecials),
        };
    }

    /// <summary>Files built to hurt this parser (deep nesting, alias bombs, huge strings, encodings), made from its first seed.</summary>
    public IEnumerable<(string What, string Text)> HostileFiles()
    {
        var seed = Seeds[0];
        const int deep = 10_000;
        string Repeat(string s, int n) => new StringBuilder(s.Length * n).Insert(0, s, n).ToString();
        var huge = new string('x', 3_000_000);
        yield return ("bom and NUL", "\uFEFF" + seed.Replace("\n", "\n\0", StringComparison.Ordinal));
        yield return ("invalid utf-8", Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(seed).Select((b, i) => i % 7 == 3 ? (byte)0xFF : b).ToArray()));
        yield return ("lone surrogates", seed.Replace("e", "\uD800", StringComparison.Ordinal));
        yield return ("only a BOM", "\uFEFF");
        switch (Name)
        {
            case "elastic-kql":
            case "elastic-toml":
                yield return ("10,000 parentheses in KQL", GeneratorHarness.ElasticRule(Repeat("(", deep) + "a:1" + Repeat(")", deep)));
                yield return ("10,000 unclosed parentheses in KQL", GeneratorHarness.ElasticRule(Repeat("(", deep) + "a:1"));
                yield return ("10,000 nots in KQL", GeneratorHarness.ElasticRule(Repeat("not ", deep) + "a:1"));
                yield return ("10,000 nested field groups in KQL", GeneratorHarness.ElasticRule(Repeat("a:(", deep) + "1" + Repeat(")", deep)));
                yield return ("10,000 nested braces in KQL", GeneratorHarness.ElasticRule(Repeat("a:{", deep) + "b:1" + Repeat("}", deep)));
                yield return ("a 3 MB KQL value", GeneratorHarness.ElasticRule("a:\"" + huge + "\""));
                yield return ("a 3 MB KQL wildcard", GeneratorHarness.ElasticRule("a:*" + huge + "*"));
                yield return ("10,000 ors in KQL", GeneratorHarness.ElasticRule(string.Join(" or ", Enumerable.Range(0, deep).Select(i => "a:" + i))));
                yield return ("10,000 deep TOML inline tables", "[rule]\nx = " + Repeat("{a=", deep) + "1" + Repeat("}", deep) + "\n");
                yield return ("10,000 deep TOML arrays", "[rule]\nx = " + Repeat("[", deep) + "1" + Repeat("]", deep) + "\n");
                yield return ("10,000 deep TOML arrays in the query key", seed.Replace("query = ", "query = " + Repeat("[", deep) + Repeat("]", deep) + "\nx = ", StringComparison.Ordinal));
                yield return ("a 3 MB TOML string", seed + "\n[x]\ny = \"" + huge + "\"\n");
                yield return ("10,000 dotted key parts", "[rule]\n" + Repeat("a.", deep) + "b = 1\n");
                yield return ("10,000 table headers", string.Concat(Enumerable.Range(0, deep).Select(i => $"[[rule.threat]]\nx = {i}\n")));
                break;
            case "elastic-eql":
                yield return ("10,000 parentheses in EQL", GeneratorHarness.ElasticRule("process where " + Repeat("(", deep) + "true" + Repeat(")", deep), language: "eql", type: "eql"));
                yield return ("10,000 nots in EQL", GeneratorHarness.ElasticRule("process where " + Repeat("not ", deep) + "true", language: "eql", type: "eql"));
                yield return ("10,000 nested calls in EQL", GeneratorHarness.ElasticRule("process where " + Repeat("length(", deep) + "a" + Repeat(")", deep) + " > 1", language: "eql", type: "eql"));
                yield return ("10,000 unary minus in EQL", GeneratorHarness.ElasticRule("process where a == " + Repeat("-", deep) + "1", language: "eql", type: "eql"));
                yield return ("10,000 nested arithmetic in EQL", GeneratorHarness.ElasticRule("process where a == " + Repeat("(1 + ", deep) + "1" + Repeat(")", deep), language: "eql", type: "eql"));
                yield return ("10,000 sequence steps in EQL", GeneratorHarness.ElasticRule("sequence " + Repeat("[process where true] ", deep), language: "eql", type: "eql"));
                yield return ("10,000 ands in EQL", GeneratorHarness.ElasticRule("process where " + string.Join(" and ", Enumerable.Range(0, deep).Select(i => "a == " + i)), language: "eql", type: "eql"));
                yield return ("a 3 MB EQL string", GeneratorHarness.ElasticRule("process where a == \"" + huge + "\"", language: "eql", type: "eql"));
                yield return ("a 3 MB EQL regex", GeneratorHarness.ElasticRule("process where a regex \"" + huge + "\"", language: "eql", type: "eql"));
                yield return ("10,000 regex groups in EQL", GeneratorHarness.ElasticRule("process where a regex \"" + Repeat("(", deep) + "a" + Repeat(")", deep) + "\"", language: "eql", type: "eql"));
                break;
            case "sigma":
                yield return ("10,000 parentheses in a condition", SigmaRule("    selection:\n        a: 1\n    condition: " + Repeat("(", deep) + "selection" + Repeat(")", deep)));
                yield return ("10,000 nots in a condition", SigmaRule("    selection:\n        a: 1\n    condition: " + Repeat("not ", deep) + "selection"));
                yield return ("10,000 ands in a condition", SigmaRule("    selection:\n        a: 1\n    condition: " + string.Join(" and ", Enumerable.Repeat("selection", deep))));
                yield return ("10,000 deep flow mappings", SigmaRule("    selection: " + Repeat("{a: ", deep) + "1" + Repeat("}", deep) + "\n    condition: selection"));
                yield return ("10,000 deep flow sequences", SigmaRule("    selection:\n        a: " + Repeat("[", deep) + "1" + Repeat("]", deep) + "\n    condition: selection"));
                yield return ("10,000 deep block sequences", SigmaRule("    selection:\n        a:\n            " + Repeat("- ", deep) + "1\n    condition: selection"));
                yield return ("2,000 deep block mappings", "title: t\ndetection:\n" + string.Concat(Enumerable.Range(1, 2_000).Select(i => new string(' ', i) + "a:\n")) + "condition: a\n");
                yield return ("10,000 deep unclosed flow", SigmaRule("    selection: " + Repeat("[{a: ", deep)));
                yield return ("a billion laughs in the detection", SigmaRule(AliasBomb("    ") + "    selection:\n        a: *l9\n    condition: selection"));
                yield return ("a billion laughs as keys", AliasBomb("") + "title: t\nlogsource: {product: windows}\ndetection:\n    selection:\n        *l9 : 1\n    condition: selection\n");
                yield return ("a billion laughs in the tags", "tags: *l9\n" + AliasBomb("") + seed);
                yield return ("an alias to its own anchor", SigmaRule("    selection: &s\n        a: *s\n    condition: selection"));
                yield return ("an undefined alias", SigmaRule("    selection:\n        a: *nowhere\n    condition: selection"));
                yield return ("a 3 MB value", SigmaRule("    selection:\n        a|contains: '" + huge + "'\n    condition: selection"));
                yield return ("a 3 MB regex", SigmaRule("    selection:\n        a|re: '" + huge + "'\n    condition: selection"));
                yield return ("a 3 MB key", SigmaRule("    selection:\n        " + huge + ": 1\n    condition: selection"));
                yield return ("10,000 modifiers", SigmaRule("    selection:\n        a" + Repeat("|contains", deep) + ": 1\n    condition: selection"));
                yield return ("10,000 regex groups", SigmaRule("    selection:\n        a|re: '" + Repeat("(", deep) + "a" + Repeat(")", deep) + "'\n    condition: selection"));
                yield return ("3,000 documents", string.Concat(Enumerable.Repeat("---\ntitle: t\n", 3_000)));
                break;
            case "sigma-correlation":
                yield return ("a billion laughs in the rules list", AliasBomb("") + "title: c\nid: c0ffee00-0000-4000-8000-000000000009\ncorrelation:\n    type: event_count\n    rules: *l9\n    group-by: [User]\n    timespan: 5m\n    condition: {gte: 2}\n");
                yield return ("10,000 deep group-by", "title: c\ncorrelation:\n    type: event_count\n    rules: [a]\n    group-by: " + Repeat("[", deep) + "User" + Repeat("]", deep) + "\n    timespan: 5m\n    condition: {gte: 2}\n");
                yield return ("a 3 MB timespan", "title: c\ncorrelation:\n    type: event_count\n    rules: [a]\n    timespan: " + huge + "\n    condition: {gte: 2}\n");
                yield return ("a huge count", "title: c\ncorrelation:\n    type: event_count\n    rules: [a]\n    timespan: 99999999999999999999d\n    condition: {gte: 99999999999999999999999999}\n");
                yield return ("10,000 correlations referring to each other", string.Join("---\n", Enumerable.Range(0, 2_000).Select(i =>
                    $"title: c{i}\nname: c{i}\ncorrelation:\n    type: event_count\n    rules: [c{(i + 1) % 2_000}]\n    timespan: 5m\n    condition: {{gte: 2}}\n")));
                break;
            case "sigma-config":
                yield return ("a billion laughs in placeholders", AliasBomb("") + "placeholders:\n    Admins: *l9\n");
                yield return ("a billion laughs in field mappings", AliasBomb("") + "profiles:\n    flat:\n        fields: *l8\n");
                yield return ("10,000 deep profiles", "profiles: " + Repeat("{a: ", deep) + "1" + Repeat("}", deep) + "\n");
                yield return ("a 3 MB field name", "profiles:\n    flat:\n        fields:\n            " + huge + ": b\n");
                break;
            case "field-types":
                yield return ("100,000 declarations", string.Concat(Enumerable.Range(0, 100_000).Select(i => $"f{i}.x\tkeyword\n")));
                yield return ("a 3 MB field name", huge + "\tkeyword\n");
                yield return ("a 3 MB type", "a.b\t" + huge + "\n");
                yield return ("10,000 dots", Repeat(".", deep) + "\tkeyword\n");
                break;
        }
    }

    private static string SigmaRule(string detection) =>
        "title: Hostile\nid: 0badf00d-0000-4000-8000-000000000001\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n" + detection + "\nlevel: low\n";

    /// <summary>
    /// Nine anchors, each a list of ten aliases of the one before: a billion "lol"s if expanded, 1 KB as written.
    /// <paramref name="indent"/> places it inside a mapping (their keys start with <c>_</c>, which Sigma's <c>them</c> leaves out).
    /// </summary>
    public static string AliasBomb(string indent)
    {
        var sb = new StringBuilder();
        sb.Append(indent).Append("_l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i <= 9; i++)
        {
            sb.Append(indent).Append("_l").Append(i).Append(": &l").Append(i).Append(" [")
                .Append(string.Join(", ", Enumerable.Repeat("*l" + (i - 1), 10))).Append("]\n");
        }
        return sb.ToString();
    }

    private static List<string> ElasticSeeds(int count)
    {
        var shared = Repo.Shared;
        var files = new List<string>();
        if (shared is not null && Directory.Exists(Path.Combine(shared, "corpus", "elastic")))
        {
            // Every 7th file in path order: a spread over the rule packs' folders that does not change between runs.
            files.AddRange(Directory.EnumerateFiles(Path.Combine(shared, "corpus", "elastic"), "*.toml", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal).Where((_, i) => i % 7 == 0).Take(count).Select(File.ReadAllText));
        }
        files.Add(File.ReadAllText(Repo.SeedRulePath));
        files.Add(File.ReadAllText(Repo.Fixture("azure_full_network_packet_capture_detected_quoted.toml")));
        return files;
    }

    private static List<string> SigmaSeeds(int count)
    {
        var shared = Repo.Shared;
        var files = new List<string>();
        if (shared is not null && Directory.Exists(Path.Combine(shared, "corpus", "sigma")))
        {
            files.AddRange(Directory.EnumerateFiles(Path.Combine(shared, "corpus", "sigma"), "*.yml", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal).Where((_, i) => i % 11 == 0).Take(count).Select(File.ReadAllText));
        }
        files.Add(SigmaRule("    selection:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains|all: ['whoami', '/all']\n    filter:\n        User|re: '^adm(in)?$'\n    keywords:\n        - 'mimikatz'\n    condition: selection and not filter or 1 of keywords*"));
        files.Add(SigmaRule("    sel:\n        DestinationIp|cidr: ['10.0.0.0/8', 'fe80::/10']\n        Port|gte: 1024\n        Data|base64offset|contains: 'http'\n        Cmd|windash|contains: '-enc'\n        Time|hour: 3\n    condition: all of them"));
        return files;
    }

    private static string BaseRule(string title, string id, string name, string eventId) =>
        $"title: {title}\nid: {id}\nname: {name}\nlogsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID: {eventId}\n    condition: selection\nlevel: low\n";

    private static readonly string[] CorrelationSeeds =
    {
        "title: Failures then success\nid: fa11ed00-0000-4000-8000-000000000001\ncorrelation:\n    type: temporal_ordered\n    rules:\n        - failures\n        - success\n    group-by:\n        - TargetUserName\n    timespan: 1h\nlevel: high\n---\n"
            + "title: Failures\nid: fa11ed00-0000-4000-8000-000000000002\nname: failures\ncorrelation:\n    type: event_count\n    rules:\n        - failed\n    group-by:\n        - TargetUserName\n    timespan: 10m\n    condition:\n        gte: 5\n        lt: 100\nlevel: medium\n---\n"
            + BaseRule("Failed", "fa11ed00-0000-4000-8000-000000000003", "failed", "4625") + "---\n" + BaseRule("Success", "fa11ed00-0000-4000-8000-000000000004", "success", "4624"),
        "title: Spray\nid: fa11ed00-0000-4000-8000-000000000005\ncorrelation:\n    type: value_count\n    rules:\n        - failed\n    group-by:\n        - IpAddress\n    timespan: 2d\n    condition:\n        field: TargetUserName\n        gte: 3\n    generate: true\nlevel: high\n---\n"
            + BaseRule("Failed", "fa11ed00-0000-4000-8000-000000000006", "failed", "4625"),
        "title: Both ways\nid: fa11ed00-0000-4000-8000-000000000007\ncorrelation:\n    type: temporal\n    rules:\n        - failed\n        - success\n    group-by:\n        - address\n    timespan: 30s\n    aliases:\n        address:\n            failed: IpAddress\n            success: WorkstationName\nlevel: high\n---\n"
            + BaseRule("Failed", "fa11ed00-0000-4000-8000-000000000008", "failed", "4625") + "---\n" + BaseRule("Success", "fa11ed00-0000-4000-8000-000000000009", "success", "4624"),
    };

    private static readonly string[] ConfigSeeds =
    {
        "placeholders:\n    Admins: ['root', 'adm*']\n    Servers: srv01\nprofiles:\n    flat:\n        fields:\n            Image: exe_path\n            CommandLine:\n                - cmd\n                - { field: cmd.line, when: { category: process_creation } }\n        logsources:\n            - when: { product: windows, category: process_creation }\n              any:\n                  - { source: [edr, EDR2] }\n                  - { channel: Security }\n",
        "profiles:\n    mine:\n        base: ecs\n        fields:\n            CommandLine: { field: cmd.line, when: { category: process_creation } }\n    routed:\n        base: flat\n        logsource_fields:\n            product: product\n            category: category\n            service: service\n",
    };

    private static readonly string[] FieldTypeSeeds =
    {
        "# field\ttype\t[lowercase]\nmy.addr\tip\nmy.name\tkeyword\tlowercase\nevent.code\tlong\nmy.when\tdate\nmy.text\ttext\nmy.flag\tboolean\nmy.ratio\tdouble\n",
        "process.pid long\nuser.name   keyword lowercase\n\n  # indented comment\nhost.ip\tip\r\n",
    };

    private static readonly string[] TomlSpecials =
    {
        "[", "]", "[[", "]]", "[rule]", "[metadata]", "[[rule.threat]]", "=", "\"", "'", "'''", "\"\"\"", "\\", "\\u", "\\U0010FFFF", "\\uD800", "#", ",", "{", "}", ".",
        "\n", "\r\n", "true", "1979-05-27T07:32:00Z", "0x", "1e400", "inf", "nan", "-", "+", "_", "query = ", "language = \"eql\"", "language = \"kuery\"", "language = \"esql\"",
        "type = \"threshold\"", "type = \"new_terms\"", "type = \"threat_match\"", "type = \"machine_learning\"", "rule_id = \"x\"",
    };

    private static readonly string[] KqlSpecials =
    {
        " or ", " and ", "not ", " OR ", " AND ", "NOT ", ":", ":*", "(", ")", "{", "}", "<", "<=", ">", ">=", "*", "?", "\\", "\\*", "\\:", "\"", "\\\"", "@timestamp",
        "10.0.0.0/8", "::1", "now-1d", "null", "true", "1.5", "-0", "é", "😀", "\\u00e9", "\\ud800", " ", "\t", "a.b.c", "a.*",
    };

    private static readonly string[] EqlSpecials =
    {
        " where ", "any where ", "sequence ", "sample ", " by ", " with maxspan=", "1m", " until ", "[", "]", "(", ")", " and ", " or ", "not ", "==", "!=", ":", "~", ":~", " like ",
        " regex ", " in ", " in~ ", "~(", "<", ">=", "+", "-", "*", "/", "%", "\"", "\"\"\"", "?\"", "\\", "\\u{1F600}", "\\u{D800}", "|", " | head 5", " | tail 1",
        "length(", "wildcard(", "cidrMatch(", "startsWith~(", "stringContains(", "substring(", "add(", "number(", "`", "`a b`", "?", "null", "true", "1.5e308", "9223372036854775808",
        "process.name", "~", ".", "*", "!",
    };

    private static readonly string[] YamlSpecials =
    {
        "- ", ": ", ":", "? ", "|", "|-", ">", ">+", "&a ", "*a", "!!str ", "!!binary ", "!", "{", "}", "[", "]", ",", "'", "\"", "''", "\\", "#", "---\n", "...\n", "%YAML 1.2\n",
        "\t", "  ", "\n", "~", "null", "true", "0x1F", "0o17", "1e400", ".inf", ".nan", "<<: ", "<<: *a", "&a", "@", "`", "\\u", "\\x", "\\U0010FFFF", "\"\\uD800\"",
    };

    private static readonly string[] SigmaSpecials =
    {
        "|contains", "|startswith", "|endswith", "|all", "|re", "|re|i", "|base64", "|base64offset", "|wide", "|utf16be", "|windash", "|cidr", "|exists", "|cased", "|neq",
        "|gt", "|lte", "|fieldref", "|expand", "|minute", "|week", "|bogus", "condition: ", " and ", " or ", "not ", "1 of ", "all of ", "any of them", "them", "selection*", "*",
        "(", ")", "%Admins%", "?", "\\*", "\\\\", "'(a+)+$'", "(?P<n>a)", "(?<=a)", "\\1", "{,3}", "detection:\n", "logsource:\n", "timeframe: 5m\n", "EventID", "level: ",
    };

    private static readonly string[] CorrelationSpecials =
    {
        "correlation:\n", "type: ", "event_count", "value_count", "temporal", "temporal_ordered", "rules: ", "group-by: ", "timespan: ", "5m", "0s", "-1h", "99999999999y",
        "condition: ", "gte: ", "lt: ", "eq: ", "field: ", "aliases: ", "generate: ", "name: ", "id: ", "failed", "success", "failures",
    };

    private static readonly string[] ConfigSpecials =
    {
        "placeholders:", "profiles:", "fields:", "logsources:", "logsource_fields:", "base: ", "flat", "ecs", "when: ", "any: ", "field: ", "product", "category", "service",
    };

    private static readonly string[] FieldTypeSpecials =
    {
        "\t", " ", "#", "\n", "\r\n", ".", "*", "keyword", "text", "ip", "long", "integer", "double", "date", "boolean", "lowercase", "match_only_text", "wildcard", "flattened",
        "constant_keyword", "unknown_type", "a.b", "@timestamp", "é", ",", ";",
    };
}
