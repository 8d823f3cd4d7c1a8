using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RuleGen.Generator.RuleFormats.Sigma.Yaml;

// A small YAML tree with source positions, independent of Roslyn, so that any RuleGen component that reads Sigma
// YAML (the generator here; the host for correlations) can share it. Plain scalars are resolved the way PyYAML
// (YAML 1.1, the reader pySigma and SigmaHQ use) resolves them: yes/no/on/off are booleans, 0x10 and 010 are
// integers, "~" is null.

/// <summary>Where a node starts and ends in the text: character offset and length, 0-based line and column.</summary>
public readonly record struct YamlSpan(int Start, int Length, int Line, int Column, int EndLine, int EndColumn);

/// <summary>What a plain scalar resolves to.</summary>
public enum YamlScalarKind
{
    String,
    Null,
    Boolean,
    Integer,
    Float,
}

/// <summary>A node of a YAML document.</summary>
public abstract class YamlNode
{
    protected YamlNode(YamlSpan span) => Span = span;

    public YamlSpan Span { get; }

    /// <summary>How the node reads in messages: "a string", "a list", "a map", "null", "a number", "a boolean".</summary>
    public abstract string Describe();
}

/// <summary>A scalar: its text as written (quotes and escapes resolved) and what it resolves to.</summary>
public sealed class YamlScalar : YamlNode
{
    public YamlScalar(YamlSpan span, string text, bool quoted, YamlScalarKind kind, string canonical) : base(span)
    {
        Text = text;
        Quoted = quoted;
        Kind = kind;
        Canonical = canonical;
    }

    /// <summary>The scalar's text (for quoted and block scalars, the decoded string).</summary>
    public string Text { get; }

    /// <summary>Quoted or block scalar: always a string.</summary>
    public bool Quoted { get; }

    public YamlScalarKind Kind { get; }

    /// <summary>
    /// The value as Python would print it after PyYAML's resolution: decimal text for integers ("0x10" -> "16"),
    /// Python's float text for floats, "true"/"false" for booleans, "" for null, the text itself for strings.
    /// </summary>
    public string Canonical { get; }

    public bool IsNull => Kind == YamlScalarKind.Null;

    public bool? Boolean => Kind == YamlScalarKind.Boolean ? Canonical == "true" : null;

    public override string Describe() => Kind switch
    {
        YamlScalarKind.Null => "null",
        YamlScalarKind.Boolean => "a boolean",
        YamlScalarKind.Integer or YamlScalarKind.Float => "a number",
        _ => "a string",
    };

    public override string ToString() => Text;
}

public sealed class YamlSequence : YamlNode
{
    public YamlSequence(YamlSpan span, IReadOnlyList<YamlNode> items) : base(span) => Items = items;

    public IReadOnlyList<YamlNode> Items { get; }

    public override string Describe() => "a list";
}

/// <summary>A key and its value, in document order.</summary>
public sealed class YamlEntry
{
    public YamlEntry(YamlScalar key, YamlNode value)
    {
        Key = key;
        Value = value;
    }

    public YamlScalar Key { get; }

    public YamlNode Value { get; }
}

public sealed class YamlMapping : YamlNode
{
    public YamlMapping(YamlSpan span, IReadOnlyList<YamlEntry> entries) : base(span) => Entries = entries;

    /// <summary>Entries in document order (a key written twice appears twice; <see cref="Find"/> returns the last).</summary>
    public IReadOnlyList<YamlEntry> Entries { get; }

    public YamlEntry? Find(string key)
    {
        for (var i = Entries.Count - 1; i >= 0; i--)
        {
            if (Entries[i].Key.Text == key) return Entries[i];
        }
        return null;
    }

    public YamlNode? this[string key] => Find(key)?.Value;

    public override string Describe() => "a map";
}

/// <summary>A YAML syntax error with its position.</summary>
public sealed record YamlError(string Message, YamlSpan Span);

/// <summary>PyYAML's (YAML 1.1) resolution of plain scalars.</summary>
public static class YamlResolver
{
    private static readonly Regex s_bool = new("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$", RegexOptions.CultureInvariant);
    private static readonly Regex s_int = new("^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$", RegexOptions.CultureInvariant);
    private static readonly Regex s_float = new(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant);

    public static (YamlScalarKind Kind, string Canonical) Resolve(string text)
    {
        if (text.Length == 0 || text is "~" or "null" or "Null" or "NULL") return (YamlScalarKind.Null, "");
        if (s_bool.IsMatch(text))
        {
            var t = text.ToLowerInvariant();
            return (YamlScalarKind.Boolean, t is "yes" or "true" or "on" ? "true" : "false");
        }
        if (s_int.IsMatch(text) && TryInteger(text, out var integer)) return (YamlScalarKind.Integer, integer);
        if (s_float.IsMatch(text) && TryFloat(text, out var number)) return (YamlScalarKind.Float, number);
        return (YamlScalarKind.String, text);
    }

    private static bool TryInteger(string text, out string canonical)
    {
        canonical = text;
        var value = text.Replace("_", "");
        var negative = false;
        if (value.StartsWith("-", StringComparison.Ordinal)) { negative = true; value = value.Substring(1); }
        else if (value.StartsWith("+", StringComparison.Ordinal)) value = value.Substring(1);
        System.Numerics.BigInteger result;
        if (value == "0") result = 0;
        else if (value.StartsWith("0b", StringComparison.Ordinal)) result = Parse(value.Substring(2), 2);
        else if (value.StartsWith("0x", StringComparison.Ordinal)) result = Parse(value.Substring(2), 16);
        else if (value.StartsWith("0", StringComparison.Ordinal)) result = Parse(value.Substring(1), 8);
        else if (value.IndexOf(':') >= 0)
        {
            result = 0;
            foreach (var part in value.Split(':')) result = result * 60 + System.Numerics.BigInteger.Parse(part, CultureInfo.InvariantCulture);
        }
        else result = System.Numerics.BigInteger.Parse(value, CultureInfo.InvariantCulture);
        if (negative) result = -result;
        canonical = result.ToString(CultureInfo.InvariantCulture);
        return true;
    }

    private static System.Numerics.BigInteger Parse(string digits, int radix)
    {
        System.Numerics.BigInteger result = 0;
        foreach (var c in digits) result = result * radix + Convert.ToInt32(c.ToString(), 16);
        return result;
    }

    private static bool TryFloat(string text, out string canonical)
    {
        canonical = text;
        var value = text.Replace("_", "").ToLowerInvariant();
        double d;
        if (value.EndsWith(".inf", StringComparison.Ordinal)) d = value.StartsWith("-", StringComparison.Ordinal) ? double.NegativeInfinity : double.PositiveInfinity;
        else if (value == ".nan") d = double.NaN;
        else if (value.IndexOf(':') >= 0)
        {
            var sign = value.StartsWith("-", StringComparison.Ordinal) ? -1 : 1;
            var parts = value.TrimStart('-', '+').Split(':');
            d = 0;
            foreach (var part in parts) d = d * 60 + double.Parse(part, CultureInfo.InvariantCulture);
            d *= sign;
        }
        else if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return false;
        canonical = PythonFloat(d);
        return true;
    }

    /// <summary>Python's str() of a float, which pySigma uses for numbers (an integral float prints as an integer: SigmaNumber).</summary>
    internal static string PythonFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        if (Math.Floor(d) == d && Math.Abs(d) < 1e16) return ((long)d).ToString(CultureInfo.InvariantCulture);
        return d.ToString("R", CultureInfo.InvariantCulture).Replace("E+", "e+").Replace("E-", "e-");
    }
}
