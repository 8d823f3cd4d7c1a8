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

    /// <summary>
    /// The <c>--state</c> folder cannot be used: its state file is truncated, damaged or not a state file, or it is
    /// the checkpoint of a scan whose alerts file is missing, shorter or elsewhere. Nothing was scanned and nothing
    /// was changed; the message says what to do.
    /// </summary>
    public const int StateError = 3;

    /// <summary>
    /// A rule pack (<c>--rules DIR</c>, <c>--pack PACK</c>) cannot be used: none of its rules compiled, its generated code
    /// did not compile, it is not a pack, or another RuleGen compiled it. Rule files with errors alone are not this:
    /// they are reported and left out, and the valid rules run.
    /// </summary>
    public const int PackError = 4;

    /// <summary>
    /// The scan was stopped by Ctrl-C (SIGINT) or SIGTERM: it ended between two batches, every alert written so far is
    /// whole and flushed, the progress line is cleared, and the summary printed says it is partial. With <c>--state</c>
    /// the state is not saved (its last checkpoint stays, and the same command resumes from it). 130 is 128 + SIGINT, as shells report an interrupted command.
    /// </summary>
    public const int Stopped = 130;
}
