namespace RuleGen.Tests.Eql;

/// <summary>The EQL rules of <see cref="EqlSemanticsTests"/>, compiled once for the class.</summary>
public sealed class EqlSemanticsFixture : IDisposable
{
    public static readonly Dictionary<string, string> Queries = new()
    {
        // Comparison and lookup operators, and their case behaviour (EQL syntax reference, "Conditions").
        ["eq"] = "process where process.name == \"cmd.exe\"",
        ["neq"] = "process where process.name != \"cmd.exe\"",
        ["colon"] = "process where process.name : \"cmd.exe\"",
        ["colon_list"] = "process where process.name : (\"cmd.exe\", \"power*.exe\")",
        ["in"] = "process where process.name in (\"cmd.exe\", \"bash\")",
        ["in_ci"] = "process where process.name in~ (\"cmd.exe\", \"bash\")",
        ["not_in"] = "process where process.name not in (\"cmd.exe\", \"bash\")",
        ["not_in_ci"] = "process where process.name not in~ (\"cmd.exe\", \"bash\")",
        ["like"] = "process where process.name like \"cmd*\"",
        ["like_ci"] = "process where process.name like~ \"cmd*\"",
        ["like_list"] = "process where process.name like (\"cmd?exe\", \"*shell*\")",
        ["regex"] = "process where process.name regex \"cmd\\\\.[a-z]+\"",
        ["regex_ci"] = "process where process.name regex~ \"cmd\\\\.exe\"",
        ["regex_ci_range"] = "process where process.name regex~ \"[a-c]md\\\\.exe\"",
        ["regex_class"] = "process where process.name regex \"\\\\w+\\\\.(exe|dll)\"",
        ["regex_list"] = "process where process.name regex (\"a.*\", \"b.*\")",
        // Wildcards: * any run, ? exactly one character, only in : and like; == never expands them.
        ["q_one"] = "process where process.name : \"cmd?.exe\"",
        ["star_mid"] = "process where process.name : \"c*d.exe\"",
        ["eq_star"] = "process where process.name == \"cmd*\"",
        ["in_star"] = "process where process.name in (\"cmd*\")",
        ["like_backslash"] = "file where file.path like \"C:\\\\Windows\\\\*\"",
        ["raw_string"] = "file where file.path : \"\"\"C:\\Windows\\*.exe\"\"\"",
        // Escapes.
        ["escape_tab"] = "process where process.command_line == \"a\\tb\"",
        ["escape_quote"] = "process where process.command_line == \"say \\\"hi\\\"\"",
        ["escape_unicode"] = "process where process.command_line : \"*\\u{202E}*\"",
        ["escape_backslash"] = "process where process.command_line == \"a\\\\b\"",
        // Fields: optional, null checks, backquoted names, arrays.
        ["optional_eq"] = "process where ?process.title == \"x\"",
        ["optional_null"] = "process where ?process.title == null",
        ["not_null"] = "process where process.title != null",
        ["is_null"] = "process where process.title == null",
        ["backquoted"] = "any where `my-field` == \"x\" and `6field` == \"y\"",
        ["args_any"] = "process where process.args : \"-enc\"",
        ["args_neq"] = "process where process.args != \"-enc\"",
        ["not_eq"] = "process where not process.name == \"cmd.exe\"",
        ["and_or"] = "process where process.name == \"a\" and (process.pid == 1 or process.pid == 2)",
        ["not_precedence"] = "process where not process.name == \"a\" and process.pid == 1",
        // Categories.
        ["any"] = "any where process.name == \"cmd.exe\"",
        ["quoted_category"] = "\"my-category\" where true",
        ["category_true"] = "file where true",
        ["category_override"] = "start where process.name == \"a\"",
        // Field types: keyword fields compare JSON text, numeric fields numbers, ip fields addresses.
        ["keyword_number"] = "any where event.code == \"4624\"",
        ["keyword_vs_number_literal"] = "any where event.code == 4624",
        ["long_eq"] = "network where destination.port == 445",
        ["long_in"] = "network where destination.port in (80, 443)",
        ["long_range"] = "network where destination.port >= 1024 and destination.port < 2048",
        ["float_range"] = "library where dll.Ext.relative_file_creation_time <= 500",
        ["ip_eq"] = "network where source.ip == \"::1\"",
        ["ip_neq"] = "network where source.ip != \"127.0.0.1\"",
        ["ip_cidr_eq"] = "network where destination.ip == \"10.0.0.0/8\"",
        ["ip_in"] = "network where destination.ip in (\"10.0.0.1\", \"192.168.0.0/16\")",
        ["bool_true"] = "process where process.code_signature.trusted == true",
        ["bool_field"] = "process where process.code_signature.trusted",
        ["keyword_range"] = "process where process.name > \"m\"",
        // Arithmetic.
        ["arith_add"] = "process where process.args_count + 1 == 3",
        ["arith_div"] = "process where process.args_count / 2 == 1",
        ["arith_div_float"] = "process where process.args_count / 2.0 == 1.5",
        ["arith_mod"] = "process where process.args_count % 3 == 1",
        ["arith_precedence"] = "process where 2 + process.args_count * 3 == 11",
        ["arith_negative"] = "process where -process.args_count == -4",
        // Functions.
        ["fn_add"] = "process where add(process.args_count, 5) == 9",
        ["fn_subtract"] = "process where subtract(process.args_count, 5) == -1",
        ["fn_multiply"] = "process where multiply(process.args_count, 0.5) == 2",
        ["fn_divide"] = "process where divide(4, process.args_count) == 1",
        ["fn_modulo"] = "process where modulo(process.args_count, 6) == 4",
        ["fn_between"] = "file where between(file.path, \"System32\\\\\", \".exe\") == \"cmd\"",
        ["fn_between_ci"] = "file where between~(file.path, \"system32\\\\\", \".exe\") == \"cmd\"",
        ["fn_between_greedy"] = "file where between(file.path, \"\\\\\", \"\\\\\", true) == \"Windows\\\\System32\"",
        ["fn_cidr"] = "network where cidrMatch(source.ip, \"10.0.0.0/8\", \"192.168.0.0/16\")",
        ["fn_cidr_lower"] = "network where cidrmatch(source.ip, \"10.0.0.0/8\")",
        ["fn_concat"] = "process where concat(process.name, \" \", process.args_count) == \"cmd.exe 4\"",
        ["fn_concat_null"] = "process where concat(process.name, process.title) == null",
        ["fn_endswith"] = "process where endsWith(process.name, \".exe\")",
        ["fn_endswith_ci"] = "process where endsWith~(process.name, \".exe\")",
        ["fn_endswith_wildcard"] = "any where endsWith(aws.cloudtrail.request_parameters, \"principal=\\\\*\")",
        ["fn_indexof"] = "any where indexOf(url.domain, \".\") == 9",
        ["fn_indexof_start"] = "any where indexOf(url.domain, \".\", 10) == 17",
        ["fn_indexof_null"] = "any where indexOf(url.domain, \"z\") == null",
        ["fn_indexof_ci"] = "any where indexOf~(url.domain, \"D\") == 3",
        ["fn_length"] = "process where length(process.name) == 7",
        ["fn_length_gt"] = "process where length(process.command_line) > 5",
        ["fn_not_length"] = "process where not length(process.command_line) > 5",
        ["fn_number"] = "process where number(process.title) == 1337",
        ["fn_number_hex"] = "process where number(process.title, 16) == 3735928559",
        ["fn_startswith"] = "process where startsWith(process.name, \"cmd\")",
        ["fn_startswith_ci"] = "process where startswith~(process.name, \"CMD\")",
        ["fn_string"] = "network where string(source.ip) == \"::1\"",
        ["fn_string_number"] = "process where string(process.args_count) == \"4\"",
        ["fn_contains"] = "process where stringContains(process.command_line, \"regsvr32\")",
        ["fn_contains_ci"] = "process where stringContains~(process.command_line, \"REGSVR32\")",
        ["fn_substring"] = "process where substring(process.name, 0, 3) == \"cmd\"",
        ["fn_substring_negative"] = "process where substring(process.name, -4) == \".exe\"",
        ["fn_substring_length"] = "process where substring(process.name, 0, length(process.name) - 1) == \"cmd.ex\"",
        ["fn_two_fields"] = "process where startsWith~(process.executable, process.name)",
        ["fn_two_fields_not"] = "process where not startsWith~(process.executable, process.name)",
        ["fn_match_on_expression"] = "process where substring(process.name, 0, 3) : \"CM?\"",
        ["fn_in_on_expression"] = "process where substring(process.name, 0, 3) in (\"cmd\", \"pow\")",
        ["fn_ip_two_fields"] = "network where endsWith(string(source.ip), string(host.ip))",
        ["fn_unicode_length"] = "process where length(process.title) == 2",
    };

    public EqlSemanticsFixture() => Book = new EqlRuleBook(Queries.Select(q => (q.Key, q.Value)),
        new Dictionary<string, string> { ["category_override"] = "event_category_override = \"event.type\"" });

    public EqlRuleBook Book { get; }

    public void Dispose() => Book.Dispose();
}

/// <summary>
/// Single-event EQL, decided as Elasticsearch decides it: each operator's case behaviour, wildcards, escapes, null and
/// optional fields, arrays, field types, arithmetic and every function (EQL syntax and function references).
/// </summary>
public sealed class EqlSemanticsTests : IClassFixture<EqlSemanticsFixture>
{
    private readonly EqlRuleBook _book;

    public EqlSemanticsTests(EqlSemanticsFixture fixture) => _book = fixture.Book;

    private const string Proc = "\"event\":{\"category\":\"process\"}";

    private static string P(string fields) => "{" + Proc + (fields.Length > 0 ? "," + fields : "") + "}";

    [Theory]
    [InlineData("eq", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("eq", "\"process\":{\"name\":\"CMD.EXE\"}", false)]
    [InlineData("neq", "\"process\":{\"name\":\"CMD.EXE\"}", true)]
    [InlineData("neq", "\"process\":{\"name\":\"cmd.exe\"}", false)]
    [InlineData("colon", "\"process\":{\"name\":\"CMD.EXE\"}", true)]
    [InlineData("colon", "\"process\":{\"name\":\"cmd.exe2\"}", false)]
    [InlineData("colon_list", "\"process\":{\"name\":\"PowerShell.EXE\"}", true)]
    [InlineData("colon_list", "\"process\":{\"name\":\"pwsh.exe\"}", false)]
    [InlineData("in", "\"process\":{\"name\":\"bash\"}", true)]
    [InlineData("in", "\"process\":{\"name\":\"BASH\"}", false)]
    [InlineData("in_ci", "\"process\":{\"name\":\"BASH\"}", true)]
    [InlineData("not_in", "\"process\":{\"name\":\"BASH\"}", true)]
    [InlineData("not_in", "\"process\":{\"name\":\"bash\"}", false)]
    [InlineData("not_in_ci", "\"process\":{\"name\":\"BASH\"}", false)]
    [InlineData("like", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("like", "\"process\":{\"name\":\"CMD.exe\"}", false)]
    [InlineData("like_ci", "\"process\":{\"name\":\"CMD.exe\"}", true)]
    [InlineData("like_list", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("like_list", "\"process\":{\"name\":\"powershell.exe\"}", true)]
    [InlineData("like_list", "\"process\":{\"name\":\"PowerShell.exe\"}", false)]
    [InlineData("regex", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("regex", "\"process\":{\"name\":\"cmd.EXE\"}", false)]
    [InlineData("regex", "\"process\":{\"name\":\"xcmd.exe\"}", false)] // regex matches the whole value
    [InlineData("regex_ci", "\"process\":{\"name\":\"CMD.EXE\"}", true)]
    [InlineData("regex_ci_range", "\"process\":{\"name\":\"bmd.exe\"}", true)]
    [InlineData("regex_ci_range", "\"process\":{\"name\":\"BMD.exe\"}", false)] // Lucene folds characters, not ranges
    [InlineData("regex_class", "\"process\":{\"name\":\"svc_host.dll\"}", true)]
    [InlineData("regex_class", "\"process\":{\"name\":\"svc-host.dll\"}", false)]
    [InlineData("regex_list", "\"process\":{\"name\":\"bx\"}", true)]
    public void Operators_compare_with_elasticsearch_case_rules(string rule, string fields, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, P(fields)));

    [Theory]
    [InlineData("q_one", "cmd1.exe", true)]
    [InlineData("q_one", "cmd.exe", false)] // ? is exactly one character
    [InlineData("q_one", "cmd12.exe", false)]
    [InlineData("q_one", "cmdé.exe", true)] // one character, two UTF-8 bytes
    [InlineData("star_mid", "cd.exe", true)] // * may be empty
    [InlineData("star_mid", "c-long-d.exe", true)]
    [InlineData("eq_star", "cmd*", true)] // == never expands wildcards
    [InlineData("eq_star", "cmd.exe", false)]
    [InlineData("in_star", "cmd.exe", false)]
    [InlineData("in_star", "cmd*", true)]
    public void Wildcards_expand_only_in_colon_and_like(string rule, string name, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, P($"\"process\":{{\"name\":\"{name}\"}}")));

    [Theory]
    [InlineData("like_backslash", "C:\\\\Windows\\\\cmd.exe", true)]
    [InlineData("like_backslash", "C:\\\\Windowsx", false)] // the backslash before * is a literal backslash
    [InlineData("raw_string", "C:\\\\Windows\\\\cmd.exe", true)]
    [InlineData("raw_string", "c:\\\\windows\\\\CMD.EXE", true)]
    public void Backslashes_are_literal_in_patterns_and_raw_strings(string rule, string path, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, $"{{\"event\":{{\"category\":\"file\"}},\"file\":{{\"path\":\"{path}\"}}}}"));

    [Theory]
    [InlineData("escape_tab", "\"a\\tb\"", true)]
    [InlineData("escape_tab", "\"a b\"", false)]
    [InlineData("escape_quote", "\"say \\\"hi\\\"\"", true)]
    [InlineData("escape_unicode", "\"evil\\u202Etxt.exe\"", true)]
    [InlineData("escape_unicode", "\"plain.exe\"", false)]
    [InlineData("escape_backslash", "\"a\\\\b\"", true)]
    public void String_escapes_are_decoded(string rule, string commandLine, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, P($"\"process\":{{\"command_line\":{commandLine}}}")));

    [Theory]
    [InlineData("optional_eq", "\"process\":{\"title\":\"x\"}", true)]
    [InlineData("optional_eq", "", false)]
    [InlineData("optional_null", "", true)]
    [InlineData("is_null", "", true)]
    [InlineData("is_null", "\"process\":{\"title\":null}", true)]
    [InlineData("is_null", "\"process\":{\"title\":[]}", true)]
    [InlineData("is_null", "\"process\":{\"title\":[null]}", true)]
    [InlineData("is_null", "\"process\":{\"title\":\"\"}", false)] // "" is a value
    [InlineData("not_null", "\"process\":{\"title\":\"\"}", true)]
    [InlineData("not_null", "\"process\":{\"title\":null}", false)]
    [InlineData("not_null", "\"process\":{\"title\":[\"a\",null]}", true)]
    public void Null_and_optional_fields(string rule, string fields, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, P(fields)));

    [Theory]
    [InlineData("backquoted", "{\"my-field\":\"x\",\"6field\":\"y\"}", true)]
    [InlineData("backquoted", "{\"my-field\":\"x\"}", false)]
    [InlineData("args_any", "{\"event\":{\"category\":\"process\"},\"process\":{\"args\":[\"powershell\",\"-ENC\",\"x\"]}}", true)]
    [InlineData("args_any", "{\"event\":{\"category\":\"process\"},\"process\":{\"args\":[\"powershell\",\"-e\"]}}", false)]
    [InlineData("args_neq", "{\"event\":{\"category\":\"process\"},\"process\":{\"args\":[\"a\",\"-enc\"]}}", false)] // must_not: any element hits
    [InlineData("args_neq", "{\"event\":{\"category\":\"process\"},\"process\":{\"args\":[\"a\",\"b\"]}}", true)]
    [InlineData("args_neq", "{\"event\":{\"category\":\"process\"}}", true)]
    [InlineData("not_eq", "{\"event\":{\"category\":\"process\"}}", true)] // two-valued not: a missing field is not equal
    [InlineData("and_or", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"a\",\"pid\":2}}", true)]
    [InlineData("and_or", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"a\",\"pid\":3}}", false)]
    [InlineData("not_precedence", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"b\",\"pid\":1}}", true)]
    [InlineData("not_precedence", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"b\",\"pid\":2}}", false)]
    public void Fields_arrays_and_logic(string rule, string json, bool expected) => Assert.Equal(expected, _book.Matches(rule, json));

    [Theory]
    [InlineData("eq", "{\"event\":{\"category\":\"file\"},\"process\":{\"name\":\"cmd.exe\"}}", false)]
    [InlineData("eq", "{\"event\":{\"category\":[\"file\",\"process\"]},\"process\":{\"name\":\"cmd.exe\"}}", true)]
    [InlineData("eq", "{\"event\":{\"category\":\"Process\"},\"process\":{\"name\":\"cmd.exe\"}}", false)] // case-sensitive term
    [InlineData("eq", "{\"process\":{\"name\":\"cmd.exe\"}}", false)]
    [InlineData("any", "{\"process\":{\"name\":\"cmd.exe\"}}", true)] // any needs no category
    [InlineData("quoted_category", "{\"event\":{\"category\":\"my-category\"}}", true)]
    [InlineData("category_true", "{\"event.category\":\"file\"}", true)]
    [InlineData("category_override", "{\"event\":{\"type\":[\"start\"]},\"process\":{\"name\":\"a\"}}", true)] // event_category_override
    [InlineData("category_override", "{\"event\":{\"category\":\"start\"},\"process\":{\"name\":\"a\"}}", false)]
    public void Event_category_comes_from_event_category(string rule, string json, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, json));

    [Theory]
    [InlineData("keyword_number", "{\"event\":{\"code\":4624}}", true)] // a JSON number in a keyword field is its text
    [InlineData("keyword_number", "{\"event\":{\"code\":\"4624\"}}", true)]
    [InlineData("keyword_vs_number_literal", "{\"event\":{\"code\":\"4624\"}}", true)]
    [InlineData("keyword_vs_number_literal", "{\"event\":{\"code\":\"04624\"}}", false)]
    [InlineData("long_eq", "{\"event\":{\"category\":\"network\"},\"destination\":{\"port\":\"445\"}}", true)] // numeric strings coerce
    [InlineData("long_eq", "{\"event\":{\"category\":\"network\"},\"destination\":{\"port\":445}}", true)]
    [InlineData("long_in", "{\"event\":{\"category\":\"network\"},\"destination\":{\"port\":443}}", true)]
    [InlineData("long_range", "{\"event\":{\"category\":\"network\"},\"destination\":{\"port\":1024}}", true)]
    [InlineData("long_range", "{\"event\":{\"category\":\"network\"},\"destination\":{\"port\":2048}}", false)]
    [InlineData("float_range", "{\"event\":{\"category\":\"library\"},\"dll\":{\"Ext\":{\"relative_file_creation_time\":499.5}}}", true)]
    [InlineData("ip_eq", "{\"event\":{\"category\":\"network\"},\"source\":{\"ip\":\"0:0:0:0:0:0:0:1\"}}", true)] // addresses, not text
    [InlineData("ip_neq", "{\"event\":{\"category\":\"network\"},\"source\":{\"ip\":\"::ffff:127.0.0.1\"}}", false)]
    [InlineData("ip_neq", "{\"event\":{\"category\":\"network\"},\"source\":{\"ip\":\"127.0.0.2\"}}", true)]
    [InlineData("ip_cidr_eq", "{\"event\":{\"category\":\"network\"},\"destination\":{\"ip\":\"10.1.2.3\"}}", true)] // ip term queries take CIDR
    [InlineData("ip_in", "{\"event\":{\"category\":\"network\"},\"destination\":{\"ip\":\"192.168.4.4\"}}", true)]
    [InlineData("ip_in", "{\"event\":{\"category\":\"network\"},\"destination\":{\"ip\":\"10.0.0.2\"}}", false)]
    [InlineData("bool_true", "{\"event\":{\"category\":\"process\"},\"process\":{\"code_signature\":{\"trusted\":\"true\"}}}", true)]
    [InlineData("bool_true", "{\"event\":{\"category\":\"process\"},\"process\":{\"code_signature\":{\"trusted\":false}}}", false)]
    [InlineData("bool_field", "{\"event\":{\"category\":\"process\"},\"process\":{\"code_signature\":{\"trusted\":true}}}", true)]
    [InlineData("keyword_range", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"n\"}}", true)]
    [InlineData("keyword_range", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"M\"}}", false)] // byte order
    public void Values_are_coerced_to_the_field_type(string rule, string json, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, json));

    [Theory]
    [InlineData("arith_add", 2, true)]
    [InlineData("arith_add", 3, false)]
    [InlineData("arith_div", 3, true)] // integer division truncates
    [InlineData("arith_div_float", 3, true)]
    [InlineData("arith_mod", 7, true)]
    [InlineData("arith_precedence", 3, true)]
    [InlineData("arith_negative", 4, true)]
    [InlineData("fn_add", 4, true)]
    [InlineData("fn_subtract", 4, true)]
    [InlineData("fn_multiply", 4, true)]
    [InlineData("fn_divide", 3, true)] // 4 / 3 is 1 in integers
    [InlineData("fn_divide", 5, false)]
    [InlineData("fn_modulo", 10, true)]
    [InlineData("fn_string_number", 4, true)]
    public void Arithmetic_follows_elasticsearch(string rule, int argsCount, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, P($"\"process\":{{\"args_count\":{argsCount}}}")));

    [Theory]
    [InlineData("fn_between", "C:\\\\Windows\\\\System32\\\\cmd.exe", true)]
    [InlineData("fn_between", "C:\\\\Windows\\\\system32\\\\cmd.exe", false)]
    [InlineData("fn_between_ci", "C:\\\\Windows\\\\SYSTEM32\\\\cmd.EXE", true)]
    [InlineData("fn_between_greedy", "C:\\\\Windows\\\\System32\\\\cmd.exe", true)]
    public void Between_extracts_text(string rule, string path, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, $"{{\"event\":{{\"category\":\"file\"}},\"file\":{{\"path\":\"{path}\"}}}}"));

    [Theory]
    [InlineData("fn_cidr", "10.20.30.40", true)]
    [InlineData("fn_cidr", "192.168.1.1", true)]
    [InlineData("fn_cidr", "11.0.0.1", false)]
    [InlineData("fn_cidr_lower", "10.0.0.1", true)]
    [InlineData("fn_string", "0:0:0:0:0:0:0:1", true)] // string() of an ip gives its canonical text
    public void Ip_functions(string rule, string ip, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, $"{{\"event\":{{\"category\":\"network\"}},\"source\":{{\"ip\":\"{ip}\"}}}}"));

    [Theory]
    [InlineData("fn_ip_two_fields", "\"source\":{\"ip\":\"10.0.0.5\"},\"host\":{\"ip\":[\"192.168.1.1\",\"10.0.0.5\"]}", true)]
    [InlineData("fn_ip_two_fields", "\"source\":{\"ip\":\"10.0.0.5\"},\"host\":{\"ip\":[\"192.168.1.1\"]}", false)]
    public void Functions_over_two_fields_try_every_combination(string rule, string fields, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, "{\"event\":{\"category\":\"network\"}," + fields + "}"));

    [Theory]
    [InlineData("fn_concat", "\"process\":{\"name\":\"cmd.exe\",\"args_count\":4}", true)]
    [InlineData("fn_concat_null", "\"process\":{\"name\":\"cmd.exe\"}", true)] // any null argument gives null
    [InlineData("fn_endswith", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("fn_endswith", "\"process\":{\"name\":\"cmd.EXE\"}", false)]
    [InlineData("fn_endswith_ci", "\"process\":{\"name\":\"cmd.EXE\"}", true)]
    [InlineData("fn_length", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("fn_length_gt", "\"process\":{\"command_line\":[\"a\",\"abcdefg\"]}", true)] // some value
    [InlineData("fn_not_length", "\"process\":{\"command_line\":\"abc\"}", true)]
    [InlineData("fn_not_length", "", true)] // the script is false (null) without a value, so not(...) holds
    [InlineData("fn_number", "\"process\":{\"title\":\" 1337 \"}", true)]
    [InlineData("fn_number_hex", "\"process\":{\"title\":\"0xDEADBEEF\"}", true)]
    [InlineData("fn_number_hex", "\"process\":{\"title\":\"deadbeef\"}", true)]
    [InlineData("fn_startswith", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("fn_startswith", "\"process\":{\"name\":\"CMD.exe\"}", false)]
    [InlineData("fn_startswith_ci", "\"process\":{\"name\":\"cMd.exe\"}", true)]
    [InlineData("fn_contains", "\"process\":{\"command_line\":\"start regsvr32.exe\"}", true)]
    [InlineData("fn_contains", "\"process\":{\"command_line\":\"start REGSVR32.exe\"}", false)]
    [InlineData("fn_contains_ci", "\"process\":{\"command_line\":\"start regsvr32.exe\"}", true)]
    [InlineData("fn_substring", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("fn_substring_negative", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("fn_substring_length", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("fn_two_fields", "\"process\":{\"name\":\"cmd\",\"executable\":\"CMD.exe\"}", true)]
    [InlineData("fn_two_fields", "\"process\":{\"name\":[\"x\",\"cmd\"],\"executable\":[\"y\",\"cmd.exe\"]}", true)]
    [InlineData("fn_two_fields", "\"process\":{\"name\":\"cmd\",\"executable\":\"powershell.exe\"}", false)]
    [InlineData("fn_two_fields_not", "\"process\":{\"name\":\"cmd\",\"executable\":\"powershell.exe\"}", true)]
    [InlineData("fn_match_on_expression", "\"process\":{\"name\":\"cmd.exe\"}", true)]
    [InlineData("fn_in_on_expression", "\"process\":{\"name\":\"powershell\"}", true)]
    [InlineData("fn_in_on_expression", "\"process\":{\"name\":\"bash\"}", false)]
    [InlineData("fn_unicode_length", "\"process\":{\"title\":\"😀\"}", true)] // Java counts UTF-16 code units
    public void String_functions(string rule, string fields, bool expected) => Assert.Equal(expected, _book.Matches(rule, P(fields)));

    [Theory]
    [InlineData("fn_indexof", true)]
    [InlineData("fn_indexof_start", true)]
    [InlineData("fn_indexof_null", true)]
    [InlineData("fn_indexof_ci", true)]
    public void IndexOf_counts_positions(string rule, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, "{\"url\":{\"domain\":\"subdomain.example.com\"}}"));

    [Theory]
    [InlineData("{\"aws\":{\"cloudtrail\":{\"request_parameters\":\"x principal=*\"}}}", true)]
    [InlineData("{\"aws\":{\"cloudtrail\":{\"request_parameters\":\"x principal=a\"}}}", false)] // \\* is an escaped star
    public void EndsWith_on_a_field_is_a_wildcard_query(string json, bool expected) =>
        Assert.Equal(expected, _book.Matches("fn_endswith_wildcard", json));
}
