using System.Text;
using System.Text.RegularExpressions;

namespace RuleGen.Runtime;

/// <summary>Runs rules' regular expressions over UTF-8 text through this thread's <see cref="Utf16Scratch"/> (no allocation).</summary>
public static class RegexText
{
    /// <summary>
    /// The default <see cref="MatchTimeout"/>: 10 ms. .NET checks a match's time against a clock that, on Linux, moves
    /// in steps of the kernel tick (4 ms on this project's VMs), so a timeout fires up to one step early or late: 10 ms
    /// leaves a legitimate match at least 6 ms, ten times what the slowest backtracking pattern we know needs over a
    /// 50 KB value, and bounds what one hostile value can cost a rule to about 14 ms.
    /// </summary>
    public static readonly TimeSpan DefaultMatchTimeout = TimeSpan.FromMilliseconds(10);

    private static TimeSpan s_matchTimeout = DefaultMatchTimeout;

    /// <summary>
    /// How long one match of a pattern that needs backtracking (a lookaround, a backreference) may take before it
    /// counts as no match (see <see cref="RegexTimeouts"/>). Patterns without such constructs run on the
    /// non-backtracking engine, in time linear in the value, and have no timeout. A <see cref="ThreadRegex"/> reads it
    /// when it builds its engine on a thread's first match: set it before matching starts (the host's
    /// <c>--regex-timeout</c>).
    /// </summary>
    public static TimeSpan MatchTimeout
    {
        get => s_matchTimeout;
        set => s_matchTimeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The regex match timeout must be positive.");
    }

    /// <summary>
    /// Whether the rule's regex matches the text. A match that runs out of <see cref="MatchTimeout"/> is no match,
    /// counted for the regex's rule in <see cref="RegexTimeouts"/>; the stream goes on.
    /// </summary>
    public static bool IsMatch(ThreadRegex regex, ReadOnlySpan<byte> utf8)
    {
        // UTF-8 never takes fewer bytes than UTF-16 takes chars.
        var buffer = Utf16Scratch.Get(utf8.Length);
        var count = Encoding.UTF8.GetChars(utf8, buffer);
        var text = buffer.Slice(0, count);
        // The pre-filter runs in linear time and matches everything the pattern matches: a value it refuses is no
        // match without the backtracking engine (which a hostile value could keep busy until the timeout).
        if (regex.CurrentPrefilter is { } prefilter && !prefilter.IsMatch(text)) return false;
        try
        {
            return regex.Current.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            RegexTimeouts.Count(regex.Rule);
            return false;
        }
    }
}

/// <summary>
/// A rule's regular expression, one <see cref="Regex"/> per thread, built on the thread's first match.
/// </summary>
/// <remarks>
/// Per thread: a <see cref="Regex"/> keeps one matching engine (its runner) for reuse; threads that match the same
/// instance at once each create another and drop it, which allocates per event in a parallel scan. On first use: a
/// rule set holds thousands of regexes, most of which an event stream never reaches (the candidate index skips their
/// rules), and the generator has already checked every pattern, so start-up does not pay for them.
/// <para>
/// The engine is the options': with <see cref="RegexOptions.NonBacktracking"/> (what the generator emits for every
/// pattern that allows it) matching is linear in the text; otherwise (lookarounds, backreferences) the backtracking
/// engine runs with <see cref="RegexText.MatchTimeout"/>. A pattern the non-backtracking engine refuses after all
/// (a construct the generator's check missed, or too many states) runs on the backtracking engine with the timeout.
/// </para>
/// <para>
/// A backtracking pattern may come with a pre-filter: a pattern for the non-backtracking engine that matches at least
/// every text the pattern matches (the generator's relaxation, with lookarounds dropped and backreferences read as
/// any text). Only texts it matches go on to the backtracking engine, so most values cost linear time, and the verdict
/// is the pattern's own. A pre-filter the engine refuses is left out.
/// </para>
/// </remarks>
public sealed class ThreadRegex
{
    private readonly ThreadLocal<Regex> _perThread;
    private readonly ThreadLocal<Regex?>? _prefilterPerThread;
    private readonly string _pattern;
    private readonly string? _prefilter;
    private readonly TimeSpan? _timeout;
    private RegexOptions _options;
    private bool _prefilterRefused;

    /// <param name="pattern">A .NET pattern.</param>
    /// <param name="options">Its options; <see cref="RegexOptions.NonBacktracking"/> asks for linear-time matching.</param>
    /// <param name="rule">The rule the regex belongs to (its id), under which <see cref="RegexTimeouts"/> counts its timeouts.</param>
    /// <param name="timeout">The backtracking engine's match timeout; null for <see cref="RegexText.MatchTimeout"/> as it is when a thread first matches.</param>
    /// <param name="prefilter">
    /// For a backtracking pattern: a pattern that matches every text <paramref name="pattern"/> matches and that the
    /// non-backtracking engine runs (with the same options); texts it does not match are no match at once. Null for none.
    /// </param>
    public ThreadRegex(string pattern, RegexOptions options, string rule = "", TimeSpan? timeout = null, string? prefilter = null)
    {
        _pattern = pattern;
        _options = options;
        _timeout = timeout;
        _prefilter = prefilter;
        Rule = rule;
        _perThread = new ThreadLocal<Regex>(Build);
        if (prefilter is not null) _prefilterPerThread = new ThreadLocal<Regex?>(BuildPrefilter);
    }

    /// <summary>The rule the regex belongs to.</summary>
    public string Rule { get; }

    /// <summary>This thread's instance.</summary>
    public Regex Current => _perThread.Value!;

    /// <summary>This thread's pre-filter (linear time; matches whatever <see cref="Current"/> matches), or null.</summary>
    public Regex? CurrentPrefilter => _prefilterPerThread?.Value;

    private Regex? BuildPrefilter()
    {
        // ECMAScript and right-to-left matching change what a pattern means, and the linear engine has neither.
        if (_prefilterRefused || (_options & (RegexOptions.ECMAScript | RegexOptions.RightToLeft)) != 0) return null;
        try
        {
            var options = (_options & ~RegexOptions.Compiled) | RegexOptions.NonBacktracking;
            return new Regex(_prefilter!, options);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
        {
            // Remembered, so the other threads do not try again; the pattern alone still gives every verdict.
            _prefilterRefused = true;
            return null;
        }
    }

    /// <summary>Whether matching is linear in the text (the non-backtracking engine); false means backtracking with a timeout.</summary>
    public bool IsLinear => (Current.Options & RegexOptions.NonBacktracking) != 0;

    private Regex Build()
    {
        var options = _options;
        if ((options & RegexOptions.NonBacktracking) != 0)
        {
            try
            {
                return new Regex(_pattern, options);
            }
            catch (NotSupportedException)
            {
                // Remembered, so the other threads go straight to the backtracking engine.
                _options = options = (options & ~RegexOptions.NonBacktracking) | RegexOptions.Compiled;
            }
        }
        var regex = new Regex(_pattern, options, _timeout ?? RegexText.MatchTimeout);
        // One match on the empty text before any value: the compiled engine's code is JIT-compiled on its first match,
        // inside the match's timeout, so on a loaded machine a value's first match could time out on the JIT alone.
        try
        {
            regex.IsMatch(string.Empty);
        }
        catch (RegexMatchTimeoutException)
        {
        }
        return regex;
    }
}
