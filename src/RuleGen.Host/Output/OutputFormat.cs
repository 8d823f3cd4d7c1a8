namespace RuleGen.Host.Output;

/// <summary><c>--output-format</c>: how a scan writes its alerts.</summary>
public enum OutputFormat
{
    /// <summary>One Kibana-shaped alert document per line (the default; what <c>--state</c> checkpoints cover).</summary>
    Ndjson,

    /// <summary>A timeline with hayabusa's columns (<see cref="TimelineRow.Columns"/>), quoted per RFC 4180.</summary>
    Csv,

    /// <summary>The timeline's columns as a text table, each line cut to the terminal's width.</summary>
    Table,
}
