using System.Text;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Tests.Runtime;

/// <summary>
/// The scanner keeps open objects and arrays on its own stack: nesting up to the reader's limit is read (values
/// found at any depth), deeper nesting is a malformed event, never an exception.
/// </summary>
public sealed class EventScannerTests
{
    /// <summary>The field "x" (slot 0) and every string of the event (slot 1).</summary>
    private readonly struct XAndStrings : IFieldSchema
    {
        public static int SlotCount => 2;
        public static int AllStringsSlot => 1;
        public static FieldPatternSet? Patterns => null;
        public static ReadOnlySpan<int> Slots(int node) => node == 1 ? new[] { 0 } : default;
        public static bool HasChildren(int node) => node == 0;
        public static int Child(int node, ReadOnlySpan<byte> key) => node == 0 && key.SequenceEqual("x"u8) ? 1 : -1;
    }

    /// <summary>The field "x" alone: the rest of the event is skipped unread.</summary>
    private readonly struct XOnly : IFieldSchema
    {
        public static int SlotCount => 1;
        public static int AllStringsSlot => -1;
        public static FieldPatternSet? Patterns => null;
        public static ReadOnlySpan<int> Slots(int node) => node == 1 ? new[] { 0 } : default;
        public static bool HasChildren(int node) => node == 0;
        public static int Child(int node, ReadOnlySpan<byte> key) => node == 0 && key.SequenceEqual("x"u8) ? 1 : -1;
    }

    /// <summary>{"deep": [{"d": [ ... "bottom" ... ]}], "x": "v"} with <paramref name="levels"/> levels below the event.</summary>
    private static byte[] Nested(int levels)
    {
        var sb = new StringBuilder("{\"deep\":");
        for (var i = 1; i < levels; i++) sb.Append(i % 2 == 0 ? "{\"d\":" : "[");
        sb.Append("\"bottom\"");
        for (var i = levels - 1; i >= 1; i--) sb.Append(i % 2 == 0 ? "}" : "]");
        sb.Append(",\"x\":\"v\"}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static List<string> Values(EventFields fields, byte[] json, int slot)
    {
        var list = new List<string>();
        foreach (var value in new EventView(json, fields).Values(slot)) list.Add(value.ToString());
        return list;
    }

    [Fact]
    public void Reads_values_at_every_depth_up_to_the_limit()
    {
        var fields = new EventFields();
        var json = Nested(255);
        Assert.True(EventScanner.TryScan<XAndStrings>(json, fields));
        Assert.Equal(["v"], Values(fields, json, 0));
        Assert.Equal(["bottom", "v"], Values(fields, json, 1));

        Assert.True(EventScanner.TryScan<XOnly>(json, fields));
        Assert.Equal(["v"], Values(fields, json, 0));
    }

    [Fact]
    public void Deeper_nesting_is_a_malformed_event()
    {
        var fields = new EventFields();
        var json = Nested(400);
        Assert.False(EventScanner.TryScan<XAndStrings>(json, fields));
        Assert.False(EventScanner.TryScan<XOnly>(json, fields));
        Assert.ThrowsAny<JsonException>(() => EventScanner.Scan<XAndStrings>(json, fields));

        // The same instance reads the next event normally.
        var next = "{\"x\":\"w\"}"u8.ToArray();
        Assert.True(EventScanner.TryScan<XAndStrings>(next, fields));
        Assert.Equal(["w"], Values(fields, next, 0));
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("{\"x\":\"v\"} {}")]
    [InlineData("{\"x\":[\"v\"}")]
    [InlineData("{\"x\":\"v\"")]
    public void Malformed_events_are_refused(string text)
    {
        var fields = new EventFields();
        Assert.False(EventScanner.TryScan<XAndStrings>(Encoding.UTF8.GetBytes(text), fields));
        Assert.False(EventScanner.TryScan<XOnly>(Encoding.UTF8.GetBytes(text), fields));
    }
}
