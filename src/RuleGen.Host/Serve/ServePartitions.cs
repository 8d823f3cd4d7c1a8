namespace RuleGen.Host.Serve;

/// <summary>
/// Partitions of an events stream: the token of a subject at the position of its pattern's first <c>*</c>
/// (<c>events.*</c>: <c>events.host-1</c> is partition <c>host-1</c>). A pattern without wildcards is one partition,
/// <see cref="Single"/>.
/// </summary>
public static class ServePartitions
{
    public const string Single = "_all";

    public static string? Problem(string pattern)
    {
        if (pattern.Length == 0 || pattern.Contains(' ')) return "a subject pattern is dot-separated tokens without spaces";
        if (pattern.Contains('>')) return "use * for the partition token (events.*); > is not supported";
        if (pattern.Split('.').Any(t => t.Length == 0 || t.Contains('*') && t != "*")) return "every token is a name or a whole *";
        return null;
    }

    private static int WildcardIndex(string pattern) => Array.IndexOf(pattern.Split('.'), "*");

    /// <summary>The partition of a subject matching <paramref name="pattern"/>.</summary>
    public static string Of(string pattern, string subject)
    {
        var index = WildcardIndex(pattern);
        if (index < 0) return Single;
        var tokens = subject.Split('.');
        return index < tokens.Length ? tokens[index] : Single;
    }

    /// <summary>The subject (or pattern, when it has more wildcards) of one partition.</summary>
    public static string SubjectOf(string pattern, string partition)
    {
        var tokens = pattern.Split('.');
        var index = Array.IndexOf(tokens, "*");
        if (index < 0) return pattern;
        tokens[index] = partition;
        return string.Join('.', tokens);
    }
}
