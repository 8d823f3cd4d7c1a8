using RuleGen.Host.Serve;

namespace RuleGen.Tests.Serve;

/// <summary>The serve and publish command lines, subject templates and partitions (no server needed).</summary>
public sealed class ServeOptionsTests
{
    [Fact]
    public void Serve_options_parse_with_their_defaults_and_reject_what_cannot_work()
    {
        var stderr = new StringWriter();
        Assert.True(ServeOptions.TryParse(["--nats", "nats://h:4222", "--stream", "EV", "--subjects", "events.*", "--alerts-subject", "alerts", "--durable", "g1",
            "--replay-from", "42", "--metrics", "9464", "--lease-ttl", "5s", "--checkpoint", "250ms"], stderr, out var options));
        Assert.Equal("nats://h:4222", options!.Connection.Url);
        Assert.Equal(("EV", "events.*", "alerts", "g1"), (options.Stream, options.Subjects, options.AlertsSubject, options.Durable));
        Assert.Equal(42UL, options.ReplayFromSequence);
        Assert.Equal(System.Net.IPAddress.Loopback, options.Metrics!.Address);
        Assert.Equal(TimeSpan.FromSeconds(5), options.LeaseTtl);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.CheckpointInterval);

        Assert.True(ServeOptions.TryParse(["--stream", "EV", "--subjects", "e.*", "--alerts-subject", "a", "--replay-from", "2026-11-02T08:00:00Z"], stderr, out options));
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), options!.ReplayFromTime);

        Assert.False(ServeOptions.TryParse(["--stream", "EV", "--subjects", "events.>", "--alerts-subject", "a"], stderr, out _));
        Assert.Contains("use * for the partition token", stderr.ToString());
        Assert.False(ServeOptions.TryParse(["--stream", "EV"], stderr, out _));
        Assert.Contains("serve needs --stream NAME, --subjects PATTERN and --alerts-subject SUBJECT", stderr.ToString());
        Assert.False(ServeOptions.TryParse(["--stream", "EV", "--subjects", "e.*", "--alerts-subject", "a", "--replay-from", "soon"], stderr, out _));
        Assert.Contains("--replay-from needs a stream sequence (1 or more) or an ISO 8601 time (got 'soon')", stderr.ToString());
        Assert.Null(ServeOptions.TryParse(["--help"], stderr, out _));
    }

    [Fact]
    public void Secrets_are_read_from_files_and_never_shown()
    {
        var token = Path.GetTempFileName();
        try
        {
            File.WriteAllText(token, "s3cret-token\n");
            var stderr = new StringWriter();
            Assert.True(ServeOptions.TryParse(["--nats", "tls://admin:pa55@h:4222", "--token-file", token, "--stream", "EV", "--subjects", "e.*", "--alerts-subject", "a"], stderr, out var options));
            Assert.Equal("s3cret-token", options!.Connection.Token);
            var shown = options.Connection.ToString() + options;
            Assert.DoesNotContain("s3cret", shown);
            Assert.DoesNotContain("pa55", options.Connection.ToString());
            Assert.Equal("tls://***@h:4222 (token, TLS)", options.Connection.ToString());
            Assert.Equal(NATS.Client.Core.TlsMode.Require, options.Connection.ToNatsOpts("t").TlsOpts.Mode);
            Assert.Equal("s3cret-token", options.Connection.ToNatsOpts("t").AuthOpts.Token);
        }
        finally
        {
            File.Delete(token);
        }
    }

    [Fact]
    public void Publish_subjects_take_one_field_token_and_partitions_are_that_token()
    {
        Assert.Null(PublishSubject.Problem("events.{host.name}"));
        Assert.Equal("events.*", PublishSubject.Pattern("events.{host.name}"));
        Assert.Equal("events.web-01", PublishSubject.Render("events.{host.name}", """{"host":{"name":"web-01"}}"""u8));
        Assert.Equal("events.web_01_corp", PublishSubject.Render("events.{host.name}", """{"host.name":"web.01 corp"}"""u8));
        Assert.Equal("events._", PublishSubject.Render("events.{host.name}", """{"user":"x"}"""u8));
        Assert.Equal("events._", PublishSubject.Render("events.{host.name}", "not json"u8));
        Assert.Equal("events.7", PublishSubject.Render("events.{n}", """{"n":7}"""u8));
        Assert.NotNull(PublishSubject.Problem("events.x{host}"));
        Assert.NotNull(PublishSubject.Problem("events.*"));
        Assert.NotNull(PublishSubject.Problem("events.{a}.{b}"));

        Assert.Equal("web-01", ServePartitions.Of("events.*", "events.web-01"));
        Assert.Equal("events.web-01.raw", ServePartitions.SubjectOf("events.*.raw", "web-01"));
        Assert.Equal(ServePartitions.Single, ServePartitions.Of("events", "events"));
    }
}
