using System.Runtime.CompilerServices;

namespace RuleGen.Runtime;

/// <summary>The kind of an <see cref="EqlValue"/>.</summary>
public enum EqlValueKind : byte
{
    Null,
    Boolean,
    Integer,
    Float,
    String,
}

/// <summary>How a field's JSON values are read into <see cref="EqlValue"/>s (mirrors the generator's model).</summary>
public enum EqlFieldKind
{
    /// <summary>keyword-like: strings as they are, numbers and booleans as their JSON text.</summary>
    Keyword,
    /// <summary>Whole numbers: JSON numbers and numeric strings, truncated toward zero.</summary>
    Integer,
    /// <summary>Floating-point numbers: JSON numbers and numeric strings.</summary>
    Float,
    /// <summary>true / false, and the strings "true" / "false".</summary>
    Boolean,
    /// <summary>IP addresses, as their canonical text (IPv4 dotted, IPv6 compressed lower case).</summary>
    Ip,
}

/// <summary>How two <see cref="EqlValue"/>s compare.</summary>
public enum EqlComparison
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary>
/// A value in an EQL expression: null, a boolean, a 64-bit integer, a double, or UTF-8 text (a span over the event,
/// a literal, or the thread's <see cref="EqlScratch"/>). Functions take and return these without allocating.
/// </summary>
public readonly ref struct EqlValue
{
    private readonly long _integer;
    private readonly double _float;

    private EqlValue(EqlValueKind kind, long integer, double @float, ReadOnlySpan<byte> utf8)
    {
        Kind = kind;
        _integer = integer;
        _float = @float;
        Utf8 = utf8;
    }

    public EqlValueKind Kind { get; }

    /// <summary>The text of a string value.</summary>
    public ReadOnlySpan<byte> Utf8 { get; }

    public static EqlValue Null => default;

    public static EqlValue True => new(EqlValueKind.Boolean, 1, 0, default);

    public static EqlValue False => new(EqlValueKind.Boolean, 0, 0, default);

    public static EqlValue Of(bool value) => value ? True : False;

    public static EqlValue Of(long value) => new(EqlValueKind.Integer, value, 0, default);

    public static EqlValue Of(double value) => new(EqlValueKind.Float, 0, value, default);

    public static EqlValue Of(ReadOnlySpan<byte> utf8) => new(EqlValueKind.String, 0, 0, utf8);

    public bool IsNull => Kind == EqlValueKind.Null;

    /// <summary>Only a true boolean is true: null and false are not (a script filter's null-safe test).</summary>
    public bool IsTrue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Kind == EqlValueKind.Boolean && _integer != 0;
    }

    public bool Boolean => _integer != 0;

    public long Integer => _integer;

    /// <summary>A numeric value as a double (integers converted).</summary>
    public double Number => Kind == EqlValueKind.Integer ? _integer : _float;

    public bool IsNumber => Kind is EqlValueKind.Integer or EqlValueKind.Float;

    public override string ToString() => Kind switch
    {
        EqlValueKind.Null => "null",
        EqlValueKind.Boolean => Boolean ? "true" : "false",
        EqlValueKind.Integer => _integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        EqlValueKind.Float => _float.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => System.Text.Encoding.UTF8.GetString(Utf8),
    };
}

/// <summary>
/// Per-thread scratch space for the text that EQL functions compute (substring, concat, string). A generated
/// expression takes a mark before each combination of field values and rewinds to it after, so the buffer is reused
/// from event to event and nothing is allocated once it has grown to the largest text seen.
/// </summary>
public sealed class EqlScratch
{
    [ThreadStatic] private static EqlScratch? t_instance;

    private byte[] _buffer = new byte[1024];

    /// <summary>The next free byte; save it before an evaluation and restore it after.</summary>
    public int Position { get; set; }

    public static EqlScratch ForCurrentThread() => t_instance ??= new EqlScratch();

    /// <summary>
    /// Reserves <paramref name="length"/> bytes. When the buffer is full a larger one replaces it: text handed out
    /// before stays valid in the old buffer, which the spans keep alive.
    /// </summary>
    public Span<byte> Allocate(int length)
    {
        if (Position + length > _buffer.Length)
        {
            _buffer = new byte[Math.Max(_buffer.Length * 2, length + 1024)];
            Position = 0;
        }
        var span = _buffer.AsSpan(Position, length);
        Position += length;
        return span;
    }

    /// <summary>Gives back the unused end of the last allocation.</summary>
    public void Shrink(int unused) => Position -= unused;
}
