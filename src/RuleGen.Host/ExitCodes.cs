namespace RuleGen.Host;

/// <summary>The exit codes of <c>rulegen</c>.</summary>
public static class ExitCodes
{
    /// <summary>Done. Malformed event lines do not change this: they are reported and skipped.</summary>
    public const int Success = 0;

    /// <summary>An input could not be read (missing, a directory, unreadable, corrupt gzip) or the output not written.</summary>
    public const int InputOutputError = 1;

    /// <summary>The command line is wrong (unknown command or option, no INPUT).</summary>
    public const int UsageError = 2;
}
