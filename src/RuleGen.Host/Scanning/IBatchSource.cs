namespace RuleGen.Host.Scanning;

/// <summary>Where an input's <see cref="LineBatch"/>es come from: NDJSON lines (<see cref="BatchReader"/>) or EVTX records (<see cref="EvtxBatchReader"/>).</summary>
public interface IBatchSource
{
    /// <summary>
    /// Fills <paramref name="batch"/> with the next entries; false (and an empty batch) once the input was handed out
    /// to its end. <paramref name="beforeRead"/> runs before each read from the stream.
    /// </summary>
    bool Fill(LineBatch batch, Action? beforeRead = null);
}
