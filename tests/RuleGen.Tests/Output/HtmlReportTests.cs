using System.Diagnostics;
using System.Text.RegularExpressions;
using RuleGen.Tests.Host;
using SkiaSharp;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Output;

/// <summary>
/// <c>rulegen scan --report FILE.html</c>: a self-contained page with its charts inline, checked as text and in
/// headless Chromium (Debian's <c>chromium</c>; .ci/run installs it).
/// </summary>
public sealed class HtmlReportTests
{
    private static string Event(int minute, string host) =>
        ScanInputTests.Match.Replace("2026-11-02T08:01:00.000Z", $"2026-11-02T{8 + minute / 60:00}:{minute % 60:00}:00.000Z")
            .Replace("\"user\":{\"name\":\"alice\"}", $"\"user\":{{\"name\":\"alice\"}},\"host\":{{\"name\":\"{host}\"}}");

    /// <summary>A small scan's report: alerts over three hours on three computers.</summary>
    private static (string Path, HostResult Result) WriteReport(HostHarness.TempFolder temp)
    {
        var lines = Enumerable.Range(0, 180).Where(m => m % 7 == 0).Select(m => Event(m, "pc-" + (m % 3))).Append(ScanInputTests.NoMatch);
        var input = temp.File("e.ndjson", string.Join('\n', lines) + "\n");
        var report = temp.File("report.html");
        var result = Run(["scan", "--no-progress", "-o", temp.File("alerts.ndjson"), "--report", report, input]);
        return (report, result);
    }

    [Fact]
    public void Report_holds_four_inline_svg_charts_the_tables_and_mitre_mappings_and_nothing_external()
    {
        using var temp = new HostHarness.TempFolder();
        var (path, result) = WriteReport(temp);
        Assert.Equal(0, result.ExitCode);
        var html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Equal(4, Regex.Matches(html, "<svg[ >]").Count);
        Assert.Equal(4, Regex.Matches(html, "</svg>").Count);
        Assert.DoesNotContain("<?xml", html);
        // Offline: no script, stylesheet link, image source, import or remote url.
        Assert.DoesNotMatch("<script|<link|<img|<iframe|@import|src=|url\\((?!#)", html);
        Assert.DoesNotMatch("href=\"https?:", html);
        // The summary's figures and the rule's MITRE mapping (rules/elastic: Credential Access, Network Sniffing).
        Assert.Contains("Alerts by level", html);
        Assert.Contains("Top computers", html);
        Assert.Contains("pc-0", html);
        Assert.Contains("Credential Access (TA0006)", html);
        Assert.Contains("T1040 Network Sniffing", html);
        Assert.Contains("Azure Full Network Packet Capture Detected", html);
        Assert.Contains("2026-11-02T08:00:00.000Z", html);
    }

    [Fact]
    public void Report_to_an_unwritable_path_is_an_io_error_and_the_alerts_are_still_written()
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("e.ndjson", Event(1, "a") + "\n");
        var alerts = temp.File("alerts.ndjson");
        var result = Run(["scan", "--no-progress", "-o", alerts, "--report", Path.Combine(temp.Path, "missing", "r.html"), input]);
        Assert.Equal(RuleGen.Host.ExitCodes.InputOutputError, result.ExitCode);
        Assert.Contains("cannot write the report", result.Stderr);
        Assert.Single(File.ReadAllLines(alerts));
    }

    /// <summary>Debian's chromium binary, or null.</summary>
    private static string? Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    private static (int Code, string Stdout, string Stderr) RunChromium(string chromium, params string[] args)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        // As root (CI containers) Chromium needs --no-sandbox; no GPU in a container.
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--window-size=1280,2000" }.Concat(args))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish in 90 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [SkippableFact]
    public void Report_loads_in_headless_chromium_with_its_charts_and_a_screenshot_that_is_not_blank()
    {
        var chromium = Chromium();
        Skip.If(chromium is null, "chromium is not installed (Debian: apt-get install -y chromium; .ci/run installs it): the report is not checked in a browser.");
        using var temp = new HostHarness.TempFolder();
        var (path, result) = WriteReport(temp);
        Assert.Equal(0, result.ExitCode);
        var url = new Uri(path).AbsoluteUri;

        // The DOM as Chromium built it: parsed through to the end, with the four charts as SVG elements.
        var dom = RunChromium(chromium!, "--user-data-dir=" + Path.Combine(temp.Path, "profile-dom"), "--dump-dom", url);
        Assert.Equal(0, dom.Code);
        Assert.Contains("</html>", dom.Stdout);
        Assert.Equal(4, Regex.Matches(dom.Stdout, "<svg[ >]").Count);
        Assert.True(Regex.Matches(dom.Stdout, "<rect").Count > 10, "the charts have no bars");
        Assert.DoesNotContain("Failed to load resource", dom.Stderr);
        Assert.DoesNotContain("net::ERR_", dom.Stderr);

        var png = Path.Combine(temp.Path, "report.png");
        var shot = RunChromium(chromium!, "--user-data-dir=" + Path.Combine(temp.Path, "profile-shot"), "--screenshot=" + png, url);
        Assert.Equal(0, shot.Code);
        Assert.True(File.Exists(png), "no screenshot: " + shot.Stderr);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal(1280, bitmap.Width);
        // Not one colour: count the distinct colours of a grid of samples over the page.
        var colours = new HashSet<SKColor>();
        for (var y = 0; y < bitmap.Height; y += 7)
            for (var x = 0; x < bitmap.Width; x += 7)
                colours.Add(bitmap.GetPixel(x, y));
        Assert.True(colours.Count > 10, $"the screenshot has {colours.Count} colours: blank");
        // The level chart's bar colour (medium: #f08c00) is drawn somewhere on the page.
        Assert.Contains(colours, c => Math.Abs(c.Red - 0xf0) < 8 && Math.Abs(c.Green - 0x8c) < 8 && c.Blue < 16);
    }
}
