// Compiled into the runtime and, linked, into the generator (see UnicodeTables.cs).
using System;
using System.Collections.Generic;
using System.Text;

#if RULEGEN_GENERATOR
namespace RuleGen.Generator.Text;
#else
namespace RuleGen.Runtime.Text;
#endif

/// <summary>
/// Elasticsearch's <c>standard</c> analyzer: the standard tokenizer followed by the lowercase filter (no stop words,
/// Elasticsearch's default). <see cref="Analyze"/> allocates and is for literals (the generator analyses rule values
/// at build time) and tests; event values are analysed token by token without allocation by the matchers.
/// </summary>
internal static class StandardAnalyzer
{
    /// <summary>The lowercased tokens of <paramref name="text"/>.</summary>
    public static List<string> Analyze(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var tokens = new List<string>();
        var tokenizer = new StandardTokenizer(utf8);
        var buffer = new byte[Utf8Lowercase.MaxLength(utf8.Length)];
        while (tokenizer.Next(out var start, out var length))
        {
            var n = Utf8Lowercase.ToLower(new ReadOnlySpan<byte>(utf8, start, length), buffer);
            tokens.Add(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return tokens;
    }

    /// <summary><paramref name="text"/> lowercased as the <c>lowercase</c> normalizer and token filter do.</summary>
    public static string Lowercase(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var buffer = new byte[Utf8Lowercase.MaxLength(utf8.Length)];
        var n = Utf8Lowercase.ToLower(utf8, buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
