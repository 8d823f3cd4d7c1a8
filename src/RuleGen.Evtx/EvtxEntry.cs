namespace RuleGen.Evtx;

/// <summary>What <see cref="EvtxReader.Read"/> found next.</summary>
public enum EvtxEntryKind
{
    /// <summary>The end of the file: nothing more to read.</summary>
    End,

    /// <summary>A record, rendered as one JSON event into the caller's <see cref="JsonBuffer"/>.</summary>
    Record,

    /// <summary>
    /// Damaged data (a chunk or a record), described by <see cref="EvtxEntry.Problem"/> and skipped; reading goes on
    /// after it.
    /// </summary>
    Corrupt,
}

/// <summary>One step of reading an EVTX file: a record, or a located problem.</summary>
/// <param name="Kind">A record, damaged data, or the end.</param>
/// <param name="Offset">Where in the file the record (or the damaged data) starts.</param>
/// <param name="RecordNumber">
/// The record's number in its header (0 when the damage hides it): the EventRecordID, unless the log was saved from a
/// filtered view, which numbers its records anew and keeps their EventRecordIDs in their XML.
/// </param>
/// <param name="Problem">What is wrong (for <see cref="EvtxEntryKind.Corrupt"/>), naming the chunk and the record.</param>
public readonly record struct EvtxEntry(EvtxEntryKind Kind, long Offset, ulong RecordNumber, string? Problem);

/// <summary>The binary XML of a record (or a chunk's structure) is not what the format allows.</summary>
public sealed class EvtxFormatException(string message) : Exception(message);
