using System.Text;
using RuleGen.Runtime.Text;

namespace RuleGen.Runtime;

/// <summary>
/// A phrase over an analysed text field (<c>text</c>, <c>match_only_text</c>): tokens that must appear in a value at
/// consecutive positions, as Elasticsearch's <c>match_phrase</c> finds them; one token is a term. The tokens are the
/// output of the standard analyzer (lowercase), made by the generator at build time. Matching tokenizes the value
/// once and allocates nothing.
/// </summary>
public sealed class TextPhrase
{
    private readonly byte[][] _tokens;

    /// <param name="lowercaseTokens">The phrase's tokens as the standard analyzer gives them (lowercase).</param>
    public TextPhrase(params string[] lowercaseTokens)
    {
        if (lowercaseTokens.Length == 0) throw new ArgumentException("A phrase has at least one token.", nameof(lowercaseTokens));
        _tokens = Array.ConvertAll(lowercaseTokens, t => Encoding.UTF8.GetBytes(t));
    }

    internal ReadOnlySpan<byte> First => _tokens[0];

    /// <summary>Whether the analysed <paramref name="utf8Text"/> holds the phrase.</summary>
    public bool IsIn(ReadOnlySpan<byte> utf8Text)
    {
        var tokenizer = new StandardTokenizer(utf8Text);
        while (tokenizer.Next(out var start, out var length))
        {
            if (!Utf8Lowercase.EqualsLowercase(utf8Text.Slice(start, length), _tokens[0])) continue;
            if (RestFollows(utf8Text, tokenizer)) return true;
        }
        return false;
    }

    /// <summary>Whether tokens 1.. follow at the tokenizer's position (the tokenizer is a copy: looking ahead does not move the caller's).</summary>
    internal bool RestFollows(ReadOnlySpan<byte> utf8Text, StandardTokenizer tokenizer)
    {
        for (var i = 1; i < _tokens.Length; i++)
        {
            if (!tokenizer.Next(out var start, out var length)) return false;
            if (!Utf8Lowercase.EqualsLowercase(utf8Text.Slice(start, length), _tokens[i])) return false;
        }
        return true;
    }

    public override string ToString() => string.Join(" ", Array.ConvertAll(_tokens, t => Encoding.UTF8.GetString(t)));
}

/// <summary>
/// Many phrases over one analysed text field, any of which may match (<c>f:("a b" or "c" or ...)</c>): the value is
/// tokenized once, and each token is looked up among the phrases' first tokens (hashing its lowercase form).
/// </summary>
public sealed class TextPhraseSet
{
    private readonly TextPhrase[] _phrases;
    private readonly int[] _buckets;   // 1-based index into _chain heads
    private readonly int[] _next;
    private readonly uint[] _hashes;

    public TextPhraseSet(params TextPhrase[] phrases)
    {
        _phrases = phrases;
        var size = 1;
        while (size < phrases.Length * 2) size <<= 1;
        _buckets = new int[size];
        _next = new int[phrases.Length];
        _hashes = new uint[phrases.Length];
        for (var i = 0; i < phrases.Length; i++)
        {
            var hash = Hash(phrases[i].First);
            _hashes[i] = hash;
            var bucket = (int)(hash & (uint)(size - 1));
            _next[i] = _buckets[bucket] - 1;
            _buckets[bucket] = i + 1;
        }
    }

    public int Count => _phrases.Length;

    /// <summary>Whether the analysed <paramref name="utf8Text"/> holds one of the phrases.</summary>
    public bool AnyIn(ReadOnlySpan<byte> utf8Text)
    {
        Span<byte> lower = stackalloc byte[Utf8Lowercase.MaxLength(StandardTokenizer.MaxTokenLength * 4)];
        var tokenizer = new StandardTokenizer(utf8Text);
        while (tokenizer.Next(out var start, out var length))
        {
            var n = Utf8Lowercase.ToLower(utf8Text.Slice(start, length), lower);
            var token = lower.Slice(0, n);
            var hash = Hash(token);
            for (var i = _buckets[(int)(hash & (uint)(_buckets.Length - 1))] - 1; i >= 0; i = _next[i])
            {
                if (_hashes[i] != hash || !token.SequenceEqual(_phrases[i].First)) continue;
                if (_phrases[i].RestFollows(utf8Text, tokenizer)) return true;
            }
        }
        return false;
    }

    private static uint Hash(ReadOnlySpan<byte> value)
    {
        var hash = 2166136261u;
        foreach (var b in value) hash = (hash ^ b) * 16777619u;
        return hash;
    }
}

/// <summary>Token-level tests over analysed text (wildcard and range queries see the indexed tokens, not the value).</summary>
public static class TextTokens
{
    /// <summary>Whether some token of the analysed <paramref name="utf8Text"/> (lowercased) matches <paramref name="pattern"/>.</summary>
    public static bool AnyMatches(ReadOnlySpan<byte> utf8Text, Wildcard pattern)
    {
        Span<byte> lower = stackalloc byte[Utf8Lowercase.MaxLength(StandardTokenizer.MaxTokenLength * 4)];
        var tokenizer = new StandardTokenizer(utf8Text);
        while (tokenizer.Next(out var start, out var length))
        {
            var n = Utf8Lowercase.ToLower(utf8Text.Slice(start, length), lower);
            if (pattern.IsMatch(lower.Slice(0, n))) return true;
        }
        return false;
    }
}
