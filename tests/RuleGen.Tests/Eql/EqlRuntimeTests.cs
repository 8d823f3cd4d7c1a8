using System.Text;
using System.Text.RegularExpressions;
using LuceneRegex = RuleGen.Generator.Languages.Eql.LuceneRegex;
using RuleGen.Runtime;
using EqlFn = RuleGen.Runtime.Eql;

namespace RuleGen.Tests.Eql;

/// <summary>
/// The runtime's EQL functions against the examples of Elasticsearch's EQL function reference, and the pieces they
/// rest on: Java-style number text, canonical IP text, event times, Lucene regular expressions.
/// </summary>
public sealed class EqlRuntimeTests
{
    private static EqlValue S(string text) => EqlValue.Of(Encoding.UTF8.GetBytes(text));

    private static string Text(EqlValue value) => value.Kind == EqlValueKind.String ? Encoding.UTF8.GetString(value.Utf8) : value.ToString();

    [Fact]
    public void Arithmetic_keeps_integers_and_truncates_division()
    {
        Assert.Equal(9, EqlFn.Add(EqlValue.Of(4L), EqlValue.Of(5L)).Integer);
        Assert.Equal(4.5, EqlFn.Add(EqlValue.Of(4L), EqlValue.Of(0.5)).Number);
        Assert.Equal(1, EqlFn.Divide(EqlValue.Of(4L), EqlValue.Of(3L)).Integer);
        Assert.Equal(EqlValueKind.Integer, EqlFn.Divide(EqlValue.Of(4L), EqlValue.Of(3L)).Kind);
        Assert.Equal(-2, EqlFn.Divide(EqlValue.Of(4L), EqlValue.Of(-2L)).Integer);
        Assert.Equal(4, EqlFn.Modulo(EqlValue.Of(10L), EqlValue.Of(-6L)).Integer);
        Assert.Equal(-4, EqlFn.Modulo(EqlValue.Of(-10L), EqlValue.Of(-6L)).Integer);
        Assert.Equal(0.8, EqlFn.Subtract(EqlValue.Of(1L), EqlValue.Of(0.2)).Number, 10);
        Assert.Equal(1, EqlFn.Multiply(EqlValue.Of(0.5), EqlValue.Of(2L)).Number);
        Assert.True(EqlFn.Divide(EqlValue.Of(4L), EqlValue.Of(0L)).IsNull);
        Assert.True(EqlFn.Add(EqlValue.Null, EqlValue.Of(4L)).IsNull);
        Assert.Equal(-4, EqlFn.Negate(EqlValue.Of(4L)).Integer);
    }

    [Fact]
    public void Comparisons_of_null_or_mixed_kinds_are_null()
    {
        Assert.True(EqlFn.Compare(EqlValue.Of(1L), EqlValue.Of(1.0), EqlComparison.Equal).IsTrue);
        Assert.True(EqlFn.Compare(S("b"), S("a"), EqlComparison.GreaterThan).IsTrue);
        Assert.True(EqlFn.Compare(EqlValue.Null, EqlValue.Of(1L), EqlComparison.NotEqual).IsNull);
        Assert.True(EqlFn.Compare(S("1"), EqlValue.Of(1L), EqlComparison.Equal).IsNull);
        Assert.False(EqlValue.Null.IsTrue);
        Assert.True(EqlFn.IsNull(EqlValue.Null).IsTrue);
    }

    [Fact]
    public void Between_matches_the_function_reference()
    {
        var path = S("C:\\Windows\\System32\\cmd.exe");
        Assert.Equal("cmd", Text(EqlFn.Between(path, S("System32\\"), S(".exe"), false, false)));
        Assert.Equal("", Text(EqlFn.Between(path, S("system32\\"), S(".exe"), false, false)));
        Assert.Equal("cmd", Text(EqlFn.Between(path, S("system32\\"), S(".exe"), false, true)));
        Assert.Equal("Windows", Text(EqlFn.Between(path, S("\\"), S("\\"), false, false)));
        Assert.Equal("Windows\\System32", Text(EqlFn.Between(path, S("\\"), S("\\"), true, false)));
        Assert.Equal("", Text(EqlFn.Between(S(""), S(""), S(""), false, false)));
        Assert.True(EqlFn.Between(EqlValue.Null, S("a"), S("b"), false, false).IsNull);
    }

    [Fact]
    public void Concat_and_string_print_values_as_java_does()
    {
        var scratch = EqlScratch.ForCurrentThread();
        var mark = scratch.Position;
        Assert.Equal("regsvr32.exe 42", Text(EqlFn.Concat(EqlFn.Concat(S("regsvr32.exe"), S(" "), scratch), EqlValue.Of(42L), scratch)));
        Assert.Equal("regsvr32.exe 42.5", Text(EqlFn.Concat(S("regsvr32.exe "), EqlValue.Of(42.5), scratch)));
        Assert.Equal("x true", Text(EqlFn.Concat(S("x "), EqlValue.True, scratch)));
        Assert.True(EqlFn.Concat(EqlValue.Null, S("a"), scratch).IsNull);
        Assert.Equal("42.0", Text(EqlFn.String(EqlValue.Of(42.0), scratch)));
        Assert.Equal("1.0E10", Text(EqlFn.String(EqlValue.Of(1e10), scratch)));
        Assert.Equal("1.5E-4", Text(EqlFn.String(EqlValue.Of(0.00015), scratch)));
        Assert.Equal("0.001", Text(EqlFn.String(EqlValue.Of(0.001), scratch)));
        Assert.Equal("1.23456789E7", Text(EqlFn.String(EqlValue.Of(12345678.9), scratch)));
        Assert.Equal("-3", Text(EqlFn.String(EqlValue.Of(-3L), scratch)));
        scratch.Position = mark;
    }

    [Fact]
    public void String_tests_match_the_function_reference()
    {
        Assert.True(EqlFn.EndsWith(S("regsvr32.exe"), S(".exe"), false).IsTrue);
        Assert.False(EqlFn.EndsWith(S("regsvr32.exe"), S(".EXE"), false).IsTrue);
        Assert.True(EqlFn.EndsWith(S("regsvr32.exe"), S(".EXE"), true).IsTrue);
        Assert.True(EqlFn.EndsWith(S(""), S(""), false).IsTrue);
        Assert.True(EqlFn.EndsWith(S("a"), EqlValue.Null, false).IsNull);
        Assert.True(EqlFn.StartsWith(S("regsvr32.exe"), S("regsvr32"), false).IsTrue);
        Assert.True(EqlFn.StartsWith(S("regsvr32.exe"), S("Regsvr32"), true).IsTrue);
        Assert.False(EqlFn.StartsWith(S("regsvr32.exe"), S("Regsvr32"), false).IsTrue);
        Assert.True(EqlFn.StringContains(S("start regsvr32.exe"), S("regsvr32"), false).IsTrue);
        Assert.False(EqlFn.StringContains(S("start regsvr32.exe"), S("Regsvr32"), false).IsTrue);
        Assert.False(EqlFn.StringContains(S(""), S(""), false).IsTrue);
        Assert.False(EqlFn.StringContains(S("abc"), S(""), false).IsTrue);
    }

    [Fact]
    public void IndexOf_matches_the_function_reference()
    {
        var domain = S("subdomain.example.com");
        Assert.Equal(3, EqlFn.IndexOf(domain, S("d"), false).Integer);
        Assert.True(EqlFn.IndexOf(domain, S("D"), false).IsNull);
        Assert.Equal(9, EqlFn.IndexOf(domain, S("."), EqlValue.Of(9L), false).Integer);
        Assert.Equal(17, EqlFn.IndexOf(domain, S("."), EqlValue.Of(10L), false).Integer);
        Assert.Equal(9, EqlFn.IndexOf(domain, S("."), EqlValue.Of(-6L), false).Integer);
        Assert.Equal(0, EqlFn.IndexOf(domain, S(""), false).Integer);
        Assert.Equal(10, EqlFn.IndexOf(domain, S(""), EqlValue.Of(10L), false).Integer);
        Assert.True(EqlFn.IndexOf(domain, S("."), EqlValue.Of(30L), false).IsNull);
        Assert.Equal(3, EqlFn.IndexOf(domain, S("D"), true).Integer);
        Assert.Equal(2, EqlFn.IndexOf(S("😀x"), S("x"), false).Integer); // UTF-16 positions
    }

    [Fact]
    public void Length_and_substring_count_utf16_code_units()
    {
        Assert.Equal(12, EqlFn.Length(S("explorer.exe")).Integer);
        Assert.Equal(0, EqlFn.Length(S("")).Integer);
        Assert.True(EqlFn.Length(EqlValue.Null).IsNull);
        Assert.Equal(3, EqlFn.Length(S("é😀")).Integer);
        var s = S("start regsvr32.exe");
        Assert.Equal("regsvr32.exe", Text(EqlFn.Substring(s, EqlValue.Of(6L))));
        Assert.Equal("start", Text(EqlFn.Substring(s, EqlValue.Of(0L), EqlValue.Of(5L))));
        Assert.Equal("regsvr32", Text(EqlFn.Substring(s, EqlValue.Of(6L), EqlValue.Of(14L))));
        Assert.Equal(".exe", Text(EqlFn.Substring(s, EqlValue.Of(-4L))));
        Assert.Equal(".ex", Text(EqlFn.Substring(s, EqlValue.Of(-4L), EqlValue.Of(-1L))));
        Assert.Equal("", Text(EqlFn.Substring(s, EqlValue.Of(10L), EqlValue.Of(2L))));
        Assert.Equal("", Text(EqlFn.Substring(s, EqlValue.Of(50L))));
    }

    [Fact]
    public void Number_parses_decimal_and_hexadecimal_text()
    {
        Assert.Equal(1337, EqlFn.Number(S("1337"), 0).Integer);
        Assert.Equal(42.5, EqlFn.Number(S("42.5"), 0).Number);
        Assert.Equal(3735928559, EqlFn.Number(S("deadbeef"), 16).Integer);
        Assert.Equal(3735928559, EqlFn.Number(S("0xdeadbeef"), 0).Integer);
        Assert.Equal(-1337, EqlFn.Number(S("-1337"), 0).Integer);
        Assert.Equal(1337, EqlFn.Number(S("  +1337  "), 0).Integer);
        Assert.True(EqlFn.Number(S(""), 0).IsNull);
        Assert.True(EqlFn.Number(S("12ab"), 0).IsNull);
        Assert.True(EqlFn.Number(EqlValue.Null, 16).IsNull);
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")]
    [InlineData("0:0:0:0:0:0:0:1", "::1")]
    [InlineData("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    [InlineData("2001:db8:0:0:0:0:2:1", "2001:db8::2:1")]
    [InlineData("::", "::")]
    [InlineData("fe80:0:0:0:0:0:0:0", "fe80::")]
    public void Ip_addresses_print_in_canonical_form(string input, string expected)
    {
        Span<byte> buffer = stackalloc byte[64];
        Assert.True(EqlText.TryFormatIp(Encoding.UTF8.GetBytes(input), buffer, out var written));
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.Slice(0, written)));
    }

    [Theory]
    [InlineData("2024-05-01T12:00:00Z", 1714564800_000000000L)]
    [InlineData("2024-05-01T12:00:00.123456789Z", 1714564800_123456789L)]
    [InlineData("2024-05-01T14:00:00+02:00", 1714564800_000000000L)]
    [InlineData("2024-05-01", 1714521600_000000000L)]
    [InlineData("2024-05-01T12:00Z", 1714564800_000000000L)]
    public void Event_times_parse_as_elasticsearch_dates(string text, long nanos)
    {
        Assert.True(EventTime.TryParse(Encoding.UTF8.GetBytes(text), out var parsed));
        Assert.Equal(nanos, parsed);
    }

    [Theory]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("yesterday")]
    [InlineData("2024-05-01T12:00:00Q")]
    public void Text_that_is_not_a_date_has_no_time(string text) =>
        Assert.False(EventTime.TryParse(Encoding.UTF8.GetBytes(text), out _));

    [Theory]
    [InlineData("cmd\\.exe", false, "cmd.exe", true)]
    [InlineData("cmd\\.exe", false, "xcmd.exe", false)] // the whole value
    [InlineData("a.c", false, "a\nc", true)] // . matches a newline
    [InlineData("\\w+", false, "abc_1", true)]
    [InlineData("\\w+", false, "é", false)] // \w is ASCII
    [InlineData("\\d{2,3}", false, "1234", false)]
    [InlineData("a$b", false, "a$b", true)] // $ is a plain character
    [InlineData("^a", false, "^a", true)]
    [InlineData("\"a.b\"", false, "a.b", true)] // quoted literal string
    [InlineData("\"a.b\"", false, "axb", false)]
    [InlineData("a@", false, "anything", true)] // @ is any string
    [InlineData("a#", false, "a", false)] // # is the empty language
    [InlineData("abc", true, "ABC", true)]
    [InlineData("[abc]x", true, "Bx", true)] // single characters fold under regex~
    [InlineData("[a-c]x", true, "Bx", false)] // ranges do not
    [InlineData("a*?", false, "aaa", true)] // stacked quantifiers repeat, they are not lazy
    [InlineData("(ab){2}{2}", false, "abababab", true)]
    public void Lucene_regular_expressions_translate_to_dotnet(string lucene, bool ignoreCase, string input, bool expected)
    {
        var pattern = LuceneRegex.Translate(lucene, ignoreCase, out var error);
        Assert.True(pattern is not null, error);
        Assert.Equal(expected, Regex.IsMatch(input, pattern!, RegexOptions.CultureInvariant));
    }

    [Theory]
    [InlineData("a&b", "intersection")]
    [InlineData("~a", "complement")]
    [InlineData("<1-5>", "interval")]
    [InlineData("[a", "not closed")]
    [InlineData("(a", "not closed")]
    [InlineData("a{2", "'}'")]
    public void Lucene_features_without_a_dotnet_equivalent_are_refused(string lucene, string reason)
    {
        Assert.Null(LuceneRegex.Translate(lucene, false, out var error));
        Assert.Contains(reason, error);
    }
}
