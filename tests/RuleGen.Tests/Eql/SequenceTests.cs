using System.Globalization;
using System.Text;
using RuleGen.Runtime;

namespace RuleGen.Tests.Eql;

/// <summary>The sequence and sample rules of <see cref="SequenceTests"/>, compiled once.</summary>
public sealed class SequenceFixture : IDisposable
{
    public static readonly Dictionary<string, string> Queries = new()
    {
        ["two_steps"] = "sequence by host.id with maxspan=1m [process where process.name == \"a\"] [file where file.name == \"b\"]",
        ["state_machine"] = "sequence by user.name [process where process.name == \"attrib\"] [process where process.name == \"bash\"] [process where process.name == \"cat\"]",
        ["until"] = "sequence by process.pid [process where process.name == \"A\"] [process where process.name == \"B\"] until [process where process.name == \"C\"]",
        ["runs"] = "sequence by host.id with maxspan=1m [process where process.name == \"a\"] with runs=3 [file where true]",
        ["trailing_missing"] = "sequence by host.id with maxspan=5m [any where event.kind == \"alert\"] ![process where true]",
        ["middle_missing"] = "sequence by host.id with maxspan=5m [process where process.name == \"a\"] ![process where process.name == \"b\"] [process where process.name == \"c\"]",
        ["leading_missing"] = "sequence by host.id with maxspan=1m ![process where process.name == \"a\"] [process where process.name == \"b\"]",
        ["step_keys"] = "sequence with maxspan=1m [file where true] by file.path [process where true] by process.executable",
        ["optional_key"] = "sequence by ?user.id [process where process.name == \"a\"] [process where process.name == \"b\"]",
        ["tiebreaker"] = "sequence [process where process.name == \"a\"] [process where process.name == \"b\"]",
        ["no_tiebreaker"] = "sequence [process where process.name == \"a\"] [process where process.name == \"b\"]",
        ["sample"] = "sample by host.id [process where process.name == \"a\"] [file where file.name == \"b\"]",
        ["single_event"] = "process where process.name == \"a\"",
    };

    public SequenceFixture() => Book = new EqlRuleBook(Queries.Select(q => (q.Key, q.Value)),
        new Dictionary<string, string> { ["tiebreaker"] = "tiebreaker_field = \"event.sequence\"" });

    public EqlRuleBook Book { get; }

    public void Dispose() => Book.Dispose();
}

/// <summary>
/// Sequences and samples joined by the runtime's <see cref="SequenceEngine"/> from the steps the generated rule set
/// reports: Elasticsearch's state machine, join keys, maxspan, until, runs, missing events, time order with a
/// reorder window and a tiebreaker, bounded state.
/// </summary>
public sealed class SequenceTests : IClassFixture<SequenceFixture>
{
    private static readonly DateTime Start = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly EqlRuleBook _book;

    public SequenceTests(SequenceFixture fixture) => _book = fixture.Book;

    /// <summary>An event at <paramref name="seconds"/> after the start with the given category and fields.</summary>
    private static string Ev(double seconds, string category, string fields = "")
    {
        var time = Start.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var cat = category.Length == 0 ? "" : $",\"event\":{{\"category\":\"{category}\"}}";
        return $"{{\"@timestamp\":\"{time}\"{cat}{(fields.Length > 0 ? "," + fields : "")}}}";
    }

    private sealed record Outcome(List<SequenceMatch> Matches, SequenceStatistics Statistics, int SingleEventAlerts);

    /// <summary>Streams the events (line numbers from 1) through the rule set and the engine; matches of <paramref name="rule"/> only.</summary>
    private Outcome Run(string rule, IEnumerable<string> events, SequenceEngineOptions? options = null)
    {
        var matches = new List<SequenceMatch>();
        var engine = new SequenceEngine(_book.Set, m =>
        {
            if (m.Rule.Info.Name == rule) matches.Add(m);
        }, options);
        var buffer = new int[_book.Set.Rules.Count + 1];
        var line = 0;
        var singles = 0;
        foreach (var e in events)
        {
            engine.CurrentSource = new EventSource("test.ndjson", ++line);
            Assert.True(_book.Set.TryEvaluate(Encoding.UTF8.GetBytes(e), buffer, out var count, MatchScope.Full, engine));
            singles += count;
        }
        engine.Flush();
        return new Outcome(matches, engine.StatisticsOf(_book.Rule(rule).Index), singles);
    }

    private static long[] Lines(SequenceMatch match) => match.Events.Select(e => e.Source.Line).ToArray();

    [Fact]
    public void A_two_step_sequence_fires_once_and_names_both_events()
    {
        var outcome = Run("two_steps", new[]
        {
            Ev(0, "process", "\"host\":{\"id\":\"h1\"},\"process\":{\"name\":\"a\"}"),
            Ev(1, "network", "\"host\":{\"id\":\"h1\"}"),
            Ev(2, "file", "\"host\":{\"id\":\"h1\"},\"file\":{\"name\":\"b\"}"),
        });
        var match = Assert.Single(outcome.Matches);
        Assert.Equal(new long[] { 1, 3 }, Lines(match));
        Assert.Equal(new[] { 0, 1 }, match.Steps);
        Assert.Equal(new string?[] { "h1" }, match.Keys);
        Assert.Contains("\"file\":{\"name\":\"b\"}", Encoding.UTF8.GetString(match.Events[1].Json.Span));
    }

    [Fact]
    public void A_sequence_rule_never_matches_a_single_event()
    {
        var outcome = Run("two_steps", new[] { Ev(0, "process", "\"host\":{\"id\":\"h1\"},\"process\":{\"name\":\"a\"}") });
        Assert.Empty(outcome.Matches);
        Assert.False(_book.Rule("two_steps").IsMatch(Encoding.UTF8.GetBytes(Ev(0, "process", "\"process\":{\"name\":\"a\"}"))));
        Assert.NotNull(_book.Rule("two_steps").Sequence);
        Assert.Null(_book.Rule("single_event").Sequence);
    }

    [Fact]
    public void Events_with_different_join_keys_do_not_join()
    {
        var outcome = Run("two_steps", new[]
        {
            Ev(0, "process", "\"host\":{\"id\":\"h1\"},\"process\":{\"name\":\"a\"}"),
            Ev(2, "file", "\"host\":{\"id\":\"h2\"},\"file\":{\"name\":\"b\"}"),
        });
        Assert.Empty(outcome.Matches);
    }

    [Theory]
    [InlineData(59.5, true)]
    [InlineData(60, true)] // maxspan is inclusive: the last event may be exactly maxspan after the first
    [InlineData(60.5, false)]
    public void Maxspan_bounds_the_time_from_the_first_to_the_last_event(double seconds, bool fires)
    {
        var outcome = Run("two_steps", new[]
        {
            Ev(0, "process", "\"host\":{\"id\":\"h1\"},\"process\":{\"name\":\"a\"}"),
            Ev(seconds, "file", "\"host\":{\"id\":\"h1\"},\"file\":{\"name\":\"b\"}"),
        });
        Assert.Equal(fires, outcome.Matches.Count == 1);
        if (!fires) Assert.True(outcome.Statistics.Expired > 0);
    }

    [Fact]
    public void Pending_sequences_follow_elasticsearchs_state_machine()
    {
        // The example of "How sequence queries handle matches" (EQL syntax reference): a newer pending sequence
        // overwrites an older one in the same state, per join key.
        var names = new[] { ("root", "attrib"), ("root", "attrib"), ("elkbee", "bash"), ("root", "bash"), ("root", "bash"),
            ("elkbee", "attrib"), ("root", "attrib"), ("elkbee", "bash"), ("root", "cat"), ("elkbee", "cat"), ("root", "cat") };
        var events = names.Select((n, i) => Ev(i, "process", $"\"user\":{{\"name\":\"{n.Item1}\"}},\"process\":{{\"name\":\"{n.Item2}\"}}"));
        var outcome = Run("state_machine", events);
        Assert.Equal(2, outcome.Matches.Count);
        Assert.Equal(new long[] { 2, 4, 9 }, Lines(outcome.Matches[0]));
        Assert.Equal(new long[] { 6, 8, 10 }, Lines(outcome.Matches[1]));
    }

    [Theory]
    [InlineData(new[] { "A", "B" }, true)]
    [InlineData(new[] { "A", "B", "C" }, true)] // until after the sequence completed does not matter
    [InlineData(new[] { "A", "C", "B" }, false)] // until between two events expires the sequence
    [InlineData(new[] { "A", "C", "A", "B" }, true)] // a sequence that starts after until is fine
    public void Until_cancels_pending_sequences_of_its_key(string[] names, bool fires)
    {
        var events = names.Select((n, i) => Ev(i, "process", $"\"process\":{{\"pid\":7,\"name\":\"{n}\"}}"));
        var outcome = Run("until", events);
        Assert.Equal(fires, outcome.Matches.Count == 1);
        if (!fires) Assert.Equal(1, outcome.Statistics.CancelledByUntil);
    }

    [Fact]
    public void Runs_repeats_a_step()
    {
        string A(double t) => Ev(t, "process", "\"host\":{\"id\":\"h\"},\"process\":{\"name\":\"a\"}");
        string F(double t) => Ev(t, "file", "\"host\":{\"id\":\"h\"}");
        Assert.Empty(Run("runs", new[] { A(0), A(1), F(2) }).Matches);
        var match = Assert.Single(Run("runs", new[] { A(0), A(1), A(2), F(3) }).Matches);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, Lines(match));
        Assert.Equal(new[] { 0, 0, 0, 1 }, match.Steps);
    }

    [Fact]
    public void A_trailing_missing_event_step_fires_when_its_window_passes_empty()
    {
        var alert = Ev(0, "", "\"event\":{\"kind\":\"alert\"},\"host\":{\"id\":\"h\"}");
        var later = Ev(400, "network", "\"host\":{\"id\":\"other\"}");
        var options = new SequenceEngineOptions { ReorderWindow = TimeSpan.Zero };
        var fired = Run("trailing_missing", new[] { alert, later }, options);
        Assert.Equal(new long[] { 1 }, Lines(Assert.Single(fired.Matches)));

        var process = Ev(120, "process", "\"host\":{\"id\":\"h\"}");
        var rejected = Run("trailing_missing", new[] { alert, process, later }, options);
        Assert.Empty(rejected.Matches);
        Assert.Equal(1, rejected.Statistics.RejectedByMissingEvent);

        var otherHost = Ev(120, "process", "\"host\":{\"id\":\"h2\"}");
        Assert.Single(Run("trailing_missing", new[] { alert, otherHost, later }, options).Matches);
    }

    [Fact]
    public void A_missing_event_window_still_open_at_the_end_of_the_input_is_not_reported()
    {
        var outcome = Run("trailing_missing", new[]
        {
            Ev(0, "", "\"event\":{\"kind\":\"alert\"},\"host\":{\"id\":\"h\"}"),
            Ev(120, "network", "\"host\":{\"id\":\"x\"}"),
        });
        Assert.Empty(outcome.Matches);
        Assert.Equal(1, outcome.Statistics.OpenWindowsAtEnd);
    }

    [Theory]
    [InlineData(new[] { "a", "c" }, new[] { "h", "h" }, true)]
    [InlineData(new[] { "a", "b", "c" }, new[] { "h", "h", "h" }, false)]
    [InlineData(new[] { "a", "b", "c" }, new[] { "h", "other", "h" }, true)] // the missing event must share the key
    [InlineData(new[] { "b", "a", "c" }, new[] { "h", "h", "h" }, true)] // before the first step it does not count
    public void A_missing_event_between_two_steps_rejects_the_sequence(string[] names, string[] hosts, bool fires)
    {
        var events = names.Select((n, i) => Ev(i * 10, "process", $"\"host\":{{\"id\":\"{hosts[i]}\"}},\"process\":{{\"name\":\"{n}\"}}"));
        Assert.Equal(fires, Run("middle_missing", events).Matches.Count == 1);
    }

    [Theory]
    [InlineData(new[] { "b" }, new double[] { 0 }, true)]
    [InlineData(new[] { "a", "b" }, new double[] { 0, 30 }, false)] // a within maxspan before b
    [InlineData(new[] { "a", "b" }, new double[] { 0, 61 }, true)]
    public void A_leading_missing_event_step_looks_back_maxspan_from_the_last_step(string[] names, double[] times, bool fires)
    {
        var events = names.Select((n, i) => Ev(times[i], "process", $"\"host\":{{\"id\":\"h\"}},\"process\":{{\"name\":\"{n}\"}}"));
        Assert.Equal(fires, Run("leading_missing", events).Matches.Count == 1);
    }

    [Fact]
    public void Step_join_keys_may_come_from_different_fields()
    {
        var match = Assert.Single(Run("step_keys", new[]
        {
            Ev(0, "file", "\"file\":{\"path\":\"C:\\\\x.exe\"}"),
            Ev(1, "process", "\"process\":{\"executable\":\"C:\\\\y.exe\"}"),
            Ev(2, "process", "\"process\":{\"executable\":\"C:\\\\x.exe\"}"),
        }).Matches);
        Assert.Equal(new long[] { 1, 3 }, Lines(match));
    }

    [Fact]
    public void Optional_join_keys_join_missing_values_and_required_ones_do_not()
    {
        var a = Ev(0, "process", "\"process\":{\"name\":\"a\"}");
        var b = Ev(1, "process", "\"process\":{\"name\":\"b\"}");
        Assert.Single(Run("optional_key", new[] { a, b }).Matches);
        var required = Run("two_steps", new[]
        {
            Ev(0, "process", "\"process\":{\"name\":\"a\"}"),
            Ev(1, "file", "\"file\":{\"name\":\"b\"}"),
        });
        Assert.Empty(required.Matches);
        Assert.Equal(2, required.Statistics.MissingKeys);
        Assert.Equal(2, required.Statistics.StepMatches);
    }

    [Fact]
    public void Events_a_little_out_of_order_are_joined_in_time_order()
    {
        // b is written before a, but a's timestamp is earlier: within the reorder window they join as a then b.
        var outcome = Run("two_steps", new[]
        {
            Ev(10, "file", "\"host\":{\"id\":\"h\"},\"file\":{\"name\":\"b\"}"),
            Ev(5, "process", "\"host\":{\"id\":\"h\"},\"process\":{\"name\":\"a\"}"),
        });
        var match = Assert.Single(outcome.Matches);
        Assert.Equal(new long[] { 2, 1 }, Lines(match));
    }

    [Fact]
    public void Events_later_than_the_reorder_window_are_dropped_and_counted()
    {
        var outcome = Run("two_steps", new[]
        {
            Ev(100, "file", "\"host\":{\"id\":\"h\"},\"file\":{\"name\":\"b\"}"),
            Ev(200, "network", "\"host\":{\"id\":\"x\"}"),
            Ev(95, "process", "\"host\":{\"id\":\"h\"},\"process\":{\"name\":\"a\"}"),
        }, new SequenceEngineOptions { ReorderWindow = TimeSpan.FromSeconds(30) });
        Assert.Empty(outcome.Matches);
        Assert.Equal(1, outcome.Statistics.LateEvents);
    }

    [Fact]
    public void The_tiebreaker_orders_events_with_equal_timestamps()
    {
        var b = Ev(1, "", "\"event\":{\"category\":\"process\",\"sequence\":2},\"process\":{\"name\":\"b\"}");
        var a = Ev(1, "", "\"event\":{\"category\":\"process\",\"sequence\":1},\"process\":{\"name\":\"a\"}");
        Assert.Single(Run("tiebreaker", new[] { b, a }).Matches);
        // Without a tiebreaker, equal timestamps keep the input order: b came first, so a cannot precede it.
        Assert.Empty(Run("no_tiebreaker", new[] { b, a }).Matches);
    }

    [Fact]
    public void Sequence_events_without_a_timestamp_are_counted_and_skipped()
    {
        var outcome = Run("optional_key", new[] { "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"a\"}}" });
        Assert.Equal(1, outcome.Statistics.MissingTimestamps);
    }

    [Fact]
    public void State_per_rule_is_capped_and_the_oldest_is_dropped()
    {
        string A(double t, string host) => Ev(t, "process", $"\"host\":{{\"id\":\"{host}\"}},\"process\":{{\"name\":\"a\"}}");
        string B(double t, string host) => Ev(t, "file", $"\"host\":{{\"id\":\"{host}\"}},\"file\":{{\"name\":\"b\"}}");
        var outcome = Run("two_steps", new[] { A(0, "h1"), A(1, "h2"), A(2, "h3"), B(3, "h1"), B(4, "h3") },
            new SequenceEngineOptions { MaxStatePerRule = 2, ReorderWindow = TimeSpan.Zero });
        var match = Assert.Single(outcome.Matches);
        Assert.Equal(new long[] { 3, 5 }, Lines(match));
        Assert.Equal(1, outcome.Statistics.CapEvictions);
    }

    [Fact]
    public void State_expires_with_maxspan_so_memory_stays_bounded()
    {
        var engine = new SequenceEngine(_book.Set, _ => { }, new SequenceEngineOptions { ReorderWindow = TimeSpan.Zero });
        var index = _book.Rule("two_steps").Index;
        var buffer = new int[_book.Set.Rules.Count + 1];
        for (var i = 0; i < 500; i++)
        {
            var e = Ev(i * 10, "process", $"\"host\":{{\"id\":\"h{i}\"}},\"process\":{{\"name\":\"a\"}}");
            _book.Set.TryEvaluate(Encoding.UTF8.GetBytes(e), buffer, out _, MatchScope.Full, engine);
        }
        // maxspan is 1 minute and events come every 10 seconds: only the last few hosts can still complete.
        Assert.InRange(engine.StateOf(index), 1, 7);
        Assert.True(engine.StatisticsOf(index).Expired >= 490);
        Assert.Equal(0, engine.StatisticsOf(index).CapEvictions);
    }

    [Fact]
    public void A_sample_joins_events_in_any_order_once_per_key()
    {
        var outcome = Run("sample", new[]
        {
            Ev(0, "file", "\"host\":{\"id\":\"h\"},\"file\":{\"name\":\"b\"}"),
            Ev(1, "process", "\"host\":{\"id\":\"h\"},\"process\":{\"name\":\"a\"}"),
            Ev(2, "process", "\"host\":{\"id\":\"h\"},\"process\":{\"name\":\"a\"}"),
            Ev(3, "file", "\"host\":{\"id\":\"h\"},\"file\":{\"name\":\"b\"}"),
            Ev(4, "process", "\"host\":{\"id\":\"g\"},\"process\":{\"name\":\"a\"}"),
            Ev(5, "file", "\"host\":{\"id\":\"g\"},\"file\":{\"name\":\"b\"}"),
        });
        Assert.Equal(2, outcome.Matches.Count);
        Assert.Equal(new long[] { 2, 1 }, Lines(outcome.Matches[0])); // listed in step order
        Assert.Equal(new long[] { 5, 6 }, Lines(outcome.Matches[1]));
    }

    [Fact]
    public void Single_event_rules_still_match_while_sequences_are_joined()
    {
        var outcome = Run("two_steps", new[] { Ev(0, "process", "\"host\":{\"id\":\"h\"},\"process\":{\"name\":\"a\"}") });
        Assert.Equal(1, outcome.SingleEventAlerts); // the single_event rule
    }
}
