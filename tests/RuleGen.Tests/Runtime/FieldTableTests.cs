using System.Text;
using RuleGen.Generator.Emit;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Runtime;

namespace RuleGen.Tests.Runtime;

/// <summary>
/// A rule's own schema is data: the generator's field paths written by <see cref="SchemaEmitter.TableJson"/>, from
/// which <see cref="FieldTable.FromJson"/> builds the trie. Scanning through it must find what the plan says, whatever shape the event
/// gives a path (nested objects, dotted keys, mixes, arrays, keys with spaces, field-name patterns).
/// </summary>
public sealed class FieldTableTests
{
    private static readonly FieldRef[] s_fields =
    [
        FieldRef.Of("event.code"),
        FieldRef.Of("winlog.event_data.IntegrityLevel"),
        FieldRef.Of("ThreatName") with { IgnoreSpacesInKeys = true },
        FieldRef.Of("file.hash.*"),
        FieldRef.Of("event"),
    ];

    private readonly struct Plan : IFieldTableSource
    {
        public static FieldTable Table { get; } = FieldTable.FromJson(Encoding.UTF8.GetBytes(SchemaEmitter.TableJson(s_fields, allStrings: true)));
    }

    private static List<string> Values(string json, int slot)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var fields = new EventFields();
        Assert.True(EventScanner.TryScan<TableSchema<Plan>>(bytes, fields));
        var list = new List<string>();
        foreach (var value in new EventView(bytes, fields).Values(slot)) list.Add(value.ToString());
        return list;
    }

    [Theory]
    [InlineData("""{"event":{"code":"4688"}}""")]
    [InlineData("""{"event.code":"4688"}""")]
    [InlineData("""{"event":[{"other":1},{"code":"4688"}]}""")]
    public void A_path_is_found_nested_dotted_or_in_an_array_of_objects(string json) =>
        Assert.Equal(["4688"], Values(json, 0));

    [Fact]
    public void A_path_three_levels_deep_is_found_in_any_mix_of_nesting_and_dots()
    {
        Assert.Equal(["System"], Values("""{"winlog":{"event_data.IntegrityLevel":"System"}}""", 1));
        Assert.Equal(["System"], Values("""{"winlog.event_data":{"IntegrityLevel":"System"}}""", 1));
        Assert.Equal(["High"], Values("""{"winlog.event_data.IntegrityLevel":"High"}""", 1));
        Assert.Empty(Values("""{"winlog":{"event_data":{"integritylevel":"System"}}}""", 1));
    }

    [Fact]
    public void A_key_with_spaces_reaches_a_field_written_without_them_only_where_the_field_asks_for_it()
    {
        Assert.Equal(["Mimikatz"], Values("""{"Threat Name":"Mimikatz"}""", 2));
        Assert.Equal(["Mimikatz"], Values("""{"ThreatName":"Mimikatz"}""", 2));
        Assert.Empty(Values("""{"event c o d e":"1"}""", 0));
    }

    [Fact]
    public void Field_name_patterns_collect_every_matching_path()
    {
        Assert.Equal(["a", "b"], Values("""{"file":{"hash":{"md5":"a","sha256":"b"}},"x":"c"}""", 3));
    }

    [Fact]
    public void An_object_valued_field_and_the_all_strings_slot_are_fed()
    {
        Assert.Single(Values("""{"event":{"code":"1"}}""", 4));
        Assert.Equal(["1", "z"], Values("""{"event":{"code":"1"},"y":"z"}""", s_fields.Length));
    }

    [Fact]
    public void The_decoded_table_has_the_plans_counts()
    {
        Assert.Equal(s_fields.Length + 1, Plan.Table.SlotCount);
        Assert.Equal(s_fields.Length, Plan.Table.AllStringsSlot);
        Assert.Equal(1, Plan.Table.Patterns!.Count);
        Assert.True(Plan.Table.HasChildren(0));
    }

    [Fact]
    public void The_table_lists_the_fields_and_has_the_generators_trie()
    {
        Assert.Equal(s_fields.Select(f => f.ToString()), Plan.Table.Fields);
        // The rule set's schema is planned from the same trie: node for node, the table reaches the same slots.
        var plan = SchemaPlan.Build(s_fields, s_fields.Length);
        foreach (var node in plan.Nodes)
        {
            Assert.Equal(node.Slots, Plan.Table.Slots(node.Id).ToArray());
            foreach (var edge in node.Children) Assert.Equal(edge.Target, Plan.Table.Child(node.Id, Encoding.UTF8.GetBytes(edge.Key)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"fields":[[]]}""")]
    [InlineData("""{"fields":[[1]]}""")]
    [InlineData("""{"fields":[["a"]],"spaceless":[3]}""")]
    public void Text_that_is_not_a_table_is_a_format_error(string json) =>
        Assert.Throws<FormatException>(() => FieldTable.FromJson(Encoding.UTF8.GetBytes(json)));
}
